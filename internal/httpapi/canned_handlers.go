package httpapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/canned"
	"github.com/kesherdesk/kesher/internal/errs"
)

// cannedScope: admins see and manage every canned response, others those
// for everyone and those of their teams.
func cannedScope(p *auth.Principal) canned.Scope {
	return canned.Scope{All: p.Role == auth.RoleAdmin, TeamIDs: p.TeamIDs}
}

func (a *API) listCanned(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if err := checkQuery(r, "language", "q"); err != nil {
		return err
	}
	rs, err := a.svc.Canned.List(r.Context(), cannedScope(p),
		canned.ListParams{Language: r.URL.Query().Get("language"), Query: r.URL.Query().Get("q")})
	return list(w, r, rs, err)
}

func (a *API) createCanned(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return write(w, r, http.StatusCreated, func(ctx context.Context, in canned.Input) (canned.Response, error) {
		return a.svc.Canned.Create(ctx, actorOf(p), cannedScope(p), in)
	})
}

func (a *API) getCanned(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return read(w, r, func(ctx context.Context, id int64) (canned.Response, error) {
		return a.svc.Canned.Get(ctx, cannedScope(p), id)
	})
}

func (a *API) updateCanned(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return write(w, r, http.StatusOK, func(ctx context.Context, in canned.Patch) (canned.Response, error) {
		return a.svc.Canned.Update(ctx, actorOf(p), cannedScope(p), id, in)
	})
}

func (a *API) deleteCanned(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.svc.Canned.Delete(r.Context(), actorOf(p), cannedScope(p), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type renderResponse struct {
	Body string `json:"body"`
}

// renderCanned fills a canned response in for a conversation the caller
// may read: a conversation outside their teams is a 403, as everywhere.
func (a *API) renderCanned(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if err := checkQuery(r, "conversation_id"); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	convID, err := queryInt(r, "conversation_id")
	if err != nil {
		return err
	}
	if convID == 0 {
		return errs.Invalid("conversation_id", "required", "conversation_id names the conversation to fill the placeholders from")
	}
	if !p.Can(auth.ConversationsRead) {
		return errs.ErrForbidden
	}
	c, err := a.svc.Conversations.Get(r.Context(), convID)
	if errors.Is(err, errs.ErrNotFound) {
		return errs.Invalid("conversation_id", "not_found", "no conversation %d", convID)
	}
	if err != nil {
		return err
	}
	if !p.CanSeeConversation(c.TeamIDOr0(), c.AssigneeIDOr0()) {
		return errs.ErrForbidden
	}
	v := canned.Values{ConversationNumber: c.Number, ConversationSubject: c.Subject, AgentName: p.Name}
	if c.Requester != nil {
		v.ContactName, v.ContactEmail = c.Requester.Name, c.Requester.Email
	}
	body, err := a.svc.Canned.Render(r.Context(), cannedScope(p), id, v)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderResponse{Body: body})
	return nil
}
