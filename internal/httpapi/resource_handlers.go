package httpapi

import (
	"context"
	"net/http"

	"github.com/kesherdesk/kesher/internal/agent"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/inbox"
)

// write decodes a JSON body into In, calls fn and answers status with its
// result: the shape of every create and update handler here.
func write[In, Out any](w http.ResponseWriter, r *http.Request, status int, fn func(ctx context.Context, in In) (Out, error)) error {
	var in In
	if err := decodeJSON(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	out, err := fn(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, status, out)
	return nil
}

// read answers 200 with fn's result for the {id} in the path.
func read[Out any](w http.ResponseWriter, r *http.Request, fn func(ctx context.Context, id int64) (Out, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	out, err := fn(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// list answers 200 with {"data": items}.
func list[T any](w http.ResponseWriter, r *http.Request, items []T, err error) error {
	if err != nil {
		return err
	}
	if items == nil {
		items = []T{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": items})
	return nil
}

// --- contacts and organizations

func (a *API) listContacts(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r, "q", "organization", "updated_since", "cursor", "limit"); err != nil {
		return err
	}
	org, err := queryInt(r, "organization")
	if err != nil {
		return err
	}
	since, err := queryTime(r, "updated_since")
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	res, err := a.svc.Contacts.List(r.Context(), contact.ListParams{Query: r.URL.Query().Get("q"), OrganizationID: org,
		UpdatedSince: since, Cursor: r.URL.Query().Get("cursor"), Limit: int(min(limit, 1<<20))})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (a *API) createContact(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return write(w, r, http.StatusCreated, func(ctx context.Context, in contact.Input) (contact.Contact, error) {
		return a.svc.Contacts.Create(ctx, actorOf(p), in)
	})
}

func (a *API) getContact(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	return read(w, r, a.svc.Contacts.Get)
}

func (a *API) updateContact(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return write(w, r, http.StatusOK, func(ctx context.Context, in contact.Patch) (contact.Contact, error) {
		return a.svc.Contacts.Update(ctx, actorOf(p), id, in)
	})
}

func (a *API) listOrganizations(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r, "q", "cursor", "limit"); err != nil {
		return err
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	res, err := a.svc.Contacts.ListOrganizations(r.Context(), r.URL.Query().Get("q"), r.URL.Query().Get("cursor"), int(min(limit, 1<<20)))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (a *API) createOrganization(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return write(w, r, http.StatusCreated, func(ctx context.Context, in contact.OrganizationInput) (contact.Organization, error) {
		return a.svc.Contacts.CreateOrganization(ctx, actorOf(p), in)
	})
}

func (a *API) getOrganization(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	return read(w, r, a.svc.Contacts.GetOrganization)
}

func (a *API) updateOrganization(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return write(w, r, http.StatusOK, func(ctx context.Context, in contact.OrganizationPatch) (contact.Organization, error) {
		return a.svc.Contacts.UpdateOrganization(ctx, actorOf(p), id, in)
	})
}

// --- agents and teams

func (a *API) listAgents(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	as, err := a.svc.Agents.List(r.Context())
	return list(w, r, as, err)
}

func (a *API) createAgent(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return write(w, r, http.StatusCreated, func(ctx context.Context, in agent.Input) (agent.Agent, error) {
		return a.svc.Agents.Create(ctx, actorOf(p), in)
	})
}

func (a *API) getAgent(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	return read(w, r, a.svc.Agents.Get)
}

func (a *API) updateAgent(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return write(w, r, http.StatusOK, func(ctx context.Context, in agent.Patch) (agent.Agent, error) {
		if id == p.AgentID && in.Role.Set && in.Role.V != auth.RoleAdmin {
			return agent.Agent{}, errs.Invalid("role", "forbidden", "admins cannot demote themselves; ask another admin")
		}
		return a.svc.Agents.Update(ctx, actorOf(p), id, in)
	})
}

func (a *API) listTeams(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	ts, err := a.svc.Agents.ListTeams(r.Context())
	return list(w, r, ts, err)
}

func (a *API) createTeam(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return write(w, r, http.StatusCreated, func(ctx context.Context, in agent.TeamInput) (agent.Team, error) {
		return a.svc.Agents.CreateTeam(ctx, actorOf(p), in)
	})
}

func (a *API) getTeam(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	return read(w, r, a.svc.Agents.GetTeam)
}

// updateTeam: admins edit any team, supervisors only teams they belong to.
func (a *API) updateTeam(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if p.Role != auth.RoleAdmin && !p.InTeam(id) {
		return errs.ErrForbidden
	}
	return write(w, r, http.StatusOK, func(ctx context.Context, in agent.TeamPatch) (agent.Team, error) {
		return a.svc.Agents.UpdateTeam(ctx, actorOf(p), id, in)
	})
}

// --- inboxes and tags

func (a *API) listInboxes(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	bs, err := a.svc.Inboxes.List(r.Context())
	return list(w, r, bs, err)
}

func (a *API) createInbox(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return write(w, r, http.StatusCreated, func(ctx context.Context, in inbox.Input) (inbox.Inbox, error) {
		return a.svc.Inboxes.Create(ctx, actorOf(p), in)
	})
}

func (a *API) getInbox(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	return read(w, r, a.svc.Inboxes.Get)
}

func (a *API) updateInbox(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return write(w, r, http.StatusOK, func(ctx context.Context, in inbox.Patch) (inbox.Inbox, error) {
		return a.svc.Inboxes.Update(ctx, actorOf(p), id, in)
	})
}

func (a *API) listTags(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	ts, err := a.svc.Tags.List(r.Context())
	return list(w, r, ts, err)
}

type tagInput struct {
	Name  string `json:"name"`
	Color string `json:"color"`
}

type tagPatch struct {
	Color string `json:"color"`
}

func (a *API) createTag(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	return write(w, r, http.StatusCreated, func(ctx context.Context, in tagInput) (any, error) {
		return a.svc.Tags.Create(ctx, in.Name, in.Color)
	})
}

func (a *API) updateTag(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return write(w, r, http.StatusOK, func(ctx context.Context, in tagPatch) (any, error) {
		return a.svc.Tags.Update(ctx, id, in.Color)
	})
}

// --- contact merge and inbox connection test

type mergeRequest struct {
	FromID int64 `json:"from_id"`
}

// mergeContact folds contact from_id into the contact in the path.
func (a *API) mergeContact(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return write(w, r, http.StatusOK, func(ctx context.Context, in mergeRequest) (contact.Contact, error) {
		return a.svc.Contacts.Merge(ctx, actorOf(p), id, in.FromID)
	})
}

// testInbox connects to an email inbox's SMTP and IMAP servers; a server
// that fails is reported in the 200 body, not as an error status.
func (a *API) testInbox(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	return read(w, r, a.svc.Inboxes.TestConnection)
}
