package httpapi

import (
	"context"
	"net/http"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/view"
)

// Saved views belong to the calling agent: another agent's view is a 404.

func (a *API) listViews(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	vs, err := a.svc.Views.List(r.Context(), p.AgentID)
	return list(w, r, vs, err)
}

func (a *API) createView(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return write(w, r, http.StatusCreated, func(ctx context.Context, in view.Input) (view.View, error) {
		return a.svc.Views.Create(ctx, p.AgentID, in)
	})
}

func (a *API) updateView(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return write(w, r, http.StatusOK, func(ctx context.Context, in view.Patch) (view.View, error) {
		return a.svc.Views.Update(ctx, p.AgentID, id, in)
	})
}

func (a *API) deleteView(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.svc.Views.Delete(r.Context(), p.AgentID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// viewCounts answers the sidebar numbers for the caller's visibility.
func (a *API) viewCounts(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if err := checkQuery(r); err != nil {
		return err
	}
	c, err := a.svc.Views.Counts(r.Context(), visibility(p))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}
