package httpapi

import (
	"net/http"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/report"
	"github.com/kesherdesk/kesher/internal/report/period"
	"github.com/kesherdesk/kesher/internal/report/trends"
)

// getTrends answers the emerging topics of ?from=&to= narrowed by the
// dashboard filters team, inbox, channel and agent (docs/reports.md); a
// bad or unknown filter is a 400 naming it, as on every /reports route.
func (a *API) getTrends(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r, "from", "to", "team", "inbox", "channel", "agent"); err != nil {
		return err
	}
	q := r.URL.Query()
	from, to, err := period.Parse(q.Get("from"), q.Get("to"))
	if err != nil {
		return err
	}
	f := report.Filters{From: from, To: to}
	var c errs.Checker
	scopeFilters(q, &f, &c)
	if err := c.Err(); err != nil {
		return err
	}
	if err := a.svc.Reports.CheckFilters(r.Context(), f); err != nil {
		return err
	}
	res, err := a.svc.Trends.Trends(r.Context(), from, to, trends.Filter{TeamID: f.TeamID, InboxID: f.InboxID, Channel: f.Channel,
		AgentID: f.AgentID})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
