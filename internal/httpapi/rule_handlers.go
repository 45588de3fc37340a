package httpapi

import (
	"context"
	"net/http"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/rules"
)

func (a *API) listRules(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r); err != nil {
		return err
	}
	rs, err := a.svc.Rules.List(r.Context())
	return list(w, r, rs, err)
}

func (a *API) createRule(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return write(w, r, http.StatusCreated, func(ctx context.Context, in rules.Input) (rules.Rule, error) {
		return a.svc.Rules.Create(ctx, actorOf(p), in)
	})
}

func (a *API) getRule(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	return read(w, r, a.svc.Rules.Get)
}

func (a *API) updateRule(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return write(w, r, http.StatusOK, func(ctx context.Context, in rules.Patch) (rules.Rule, error) {
		return a.svc.Rules.Update(ctx, actorOf(p), id, in)
	})
}

func (a *API) deleteRule(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.svc.Rules.Delete(r.Context(), actorOf(p), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) reorderRules(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in rules.ReorderInput
	if err := decodeJSON(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	if err := a.svc.Rules.Reorder(r.Context(), actorOf(p), in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// dryRunRule reports which open conversations an unsaved rule would match.
func (a *API) dryRunRule(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	return write(w, r, http.StatusOK, func(ctx context.Context, in rules.Rule) (rules.DryRunResult, error) {
		return a.svc.Rules.DryRun(ctx, in.Rule)
	})
}
