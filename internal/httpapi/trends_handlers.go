package httpapi

import (
	"net/http"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/report/period"
)

// getTrends answers the emerging topics of ?from=&to= (docs/reports.md).
func (a *API) getTrends(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r, "from", "to"); err != nil {
		return err
	}
	from, to, err := period.Parse(r.URL.Query().Get("from"), r.URL.Query().Get("to"))
	if err != nil {
		return err
	}
	res, err := a.svc.Trends.Trends(r.Context(), from, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
