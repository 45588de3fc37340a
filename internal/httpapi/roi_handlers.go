package httpapi

import (
	"context"
	"net/http"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/report/period"
	"github.com/kesherdesk/kesher/internal/report/roi"
)

// getROI answers the ROI inputs and outputs of ?from=&to= (docs/reports.md).
func (a *API) getROI(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r, "from", "to"); err != nil {
		return err
	}
	from, to, err := period.Parse(r.URL.Query().Get("from"), r.URL.Query().Get("to"))
	if err != nil {
		return err
	}
	p, err := a.svc.ROI.Get(r.Context(), from, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// putROI records the ROI inputs of ?from=&to= and answers the period.
func (a *API) putROI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if err := checkQuery(r, "from", "to"); err != nil {
		return err
	}
	from, to, err := period.Parse(r.URL.Query().Get("from"), r.URL.Query().Get("to"))
	if err != nil {
		return err
	}
	return write(w, r, http.StatusOK, func(ctx context.Context, in roi.Input) (roi.Period, error) {
		return a.svc.ROI.Put(ctx, actorOf(p), from, to, in)
	})
}

// roiHistory lists the stored ROI periods, newest first.
func (a *API) roiHistory(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r); err != nil {
		return err
	}
	h, err := a.svc.ROI.History(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"periods": h})
	return nil
}
