package httpapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/canned"
	"github.com/kesherdesk/kesher/internal/conversation"
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
	body, err := a.svc.Canned.Render(r.Context(), cannedScope(p), id, a.cannedValues(r.Context(), p, c))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderResponse{Body: body})
	return nil
}

// cannedValues are the placeholder values of conversation c answered by p.
func (a *API) cannedValues(ctx context.Context, p *auth.Principal, c conversation.Conversation) canned.Values {
	v := canned.Values{ConversationNumber: c.Number, ConversationSubject: c.Subject, AgentName: p.Name}
	if c.Requester != nil {
		v.ContactName, v.ContactEmail = c.Requester.Name, c.Requester.Email
	}
	if c.TeamID != nil {
		if t, err := a.svc.Agents.GetTeam(ctx, *c.TeamID); err == nil {
			v.TeamName = t.Name
		}
	}
	return v
}

type macroRequest struct {
	CannedID int64 `json:"canned_id"`
}

type macroResponse struct {
	Conversation conversation.Conversation `json:"conversation"`
	Body         string                    `json:"body"`
}

// applyMacro applies a canned response's actions to a conversation the
// caller may see, through conversation.Update (audited as the caller), and
// answers the conversation as changed and the response's body filled in
// from it, for the composer.
func (a *API) applyMacro(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	c, err := a.conversationFor(r, p)
	if err != nil {
		return err
	}
	if !p.Can(auth.CannedRead) {
		return errs.ErrForbidden
	}
	var in macroRequest
	if err := decodeJSON(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	if in.CannedID <= 0 {
		return errs.Invalid("canned_id", "required", "canned_id names the canned response to apply")
	}
	resp, err := a.svc.Canned.Get(r.Context(), cannedScope(p), in.CannedID)
	if errors.Is(err, errs.ErrNotFound) {
		return errs.Invalid("canned_id", "not_found", "no canned response %d", in.CannedID)
	}
	if err != nil {
		return err
	}
	if len(resp.Actions) > 0 {
		if c, err = a.svc.Conversations.Update(r.Context(), actorOf(p), c.ID, canned.PatchFor(resp.Actions)); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, macroResponse{Conversation: c, Body: canned.Render(resp.Body, a.cannedValues(r.Context(), p, c))})
	return nil
}
