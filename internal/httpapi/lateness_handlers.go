package httpapi

import (
	"net/http"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/commerce/lateness"
)

// --- late-delivery detection settings (docs/commerce.md, "Late deliveries")

func (a *API) getLatenessSettings(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r); err != nil {
		return err
	}
	st, err := a.svc.Lateness.Settings(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// putLatenessSettings replaces the settings; fields the body leaves out
// take their defaults (lateness.DefaultSettings).
func (a *API) putLatenessSettings(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	in := lateness.DefaultSettings()
	if err := decodeJSON(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	st, err := a.svc.Lateness.UpdateSettings(r.Context(), actorOf(p), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// scanLateness runs a whole scan round now and answers what it did
// (lateness.ScanReport).
func (a *API) scanLateness(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r); err != nil {
		return err
	}
	rep, err := a.svc.Lateness.ScanNow(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}
