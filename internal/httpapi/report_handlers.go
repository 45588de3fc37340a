package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/report"
)

// reportQuery are the query parameters every report accepts.
var reportQuery = []string{"from", "to", "team", "inbox", "channel", "agent", "calendar", "format"}

// reportFilters reads from, to (YYYY-MM-DD in the desk zone or RFC 3339),
// team, inbox, agent (ids), channel and calendar; errors name the field.
func (a *API) reportFilters(r *http.Request, extra ...string) (report.Filters, bool, error) {
	if err := checkQuery(r, append(append([]string{}, reportQuery...), extra...)...); err != nil {
		return report.Filters{}, false, err
	}
	q := r.URL.Query()
	loc := a.svc.Reports.Location()
	var f report.Filters
	var c errs.Checker
	var err error
	if f.From, err = report.ParseTime("from", q.Get("from"), loc); err != nil {
		return f, false, err
	}
	if f.To, err = report.ParseTime("to", q.Get("to"), loc); err != nil {
		return f, false, err
	}
	scopeFilters(q, &f, &c)
	f.Calendar = q.Get("calendar")
	format := q.Get("format")
	if format != "" {
		c.OneOf("format", format, "json", "csv")
	}
	return f, format == "csv", c.Err()
}

// scopeFilters reads the ids team, inbox and agent (positive integers,
// errors into c naming the parameter) and channel into f.
func scopeFilters(q url.Values, f *report.Filters, c *errs.Checker) {
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"team", &f.TeamID}, {"inbox", &f.InboxID}, {"agent", &f.AgentID}} {
		if v := q.Get(p.name); v != "" {
			id, perr := strconv.ParseInt(v, 10, 64)
			c.Check(perr == nil && id > 0, p.name, "wrong_type", "%s must be a positive id", p.name)
			*p.dst = id
		}
	}
	f.Channel = q.Get("channel")
}

// writeReport answers v as JSON or, with ?format=csv, as text/csv.
func writeReport(w http.ResponseWriter, csv bool, name string, v any) error {
	if !csv {
		writeJSON(w, http.StatusOK, v)
		return nil
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	return report.WriteCSV(w, v)
}

func (a *API) reportSummary(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	f, csv, err := a.reportFilters(r, "source")
	if err != nil {
		return err
	}
	f.Source = r.URL.Query().Get("source")
	s, err := a.svc.Reports.Report(r.Context(), f)
	if err != nil {
		return err
	}
	return writeReport(w, csv, "summary", s)
}

func (a *API) reportTimeseries(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	f, csv, err := a.reportFilters(r, "metric", "interval")
	if err != nil {
		return err
	}
	interval := r.URL.Query().Get("interval")
	if interval == "" {
		interval = "day"
	}
	s, err := a.svc.Reports.Timeseries(r.Context(), f, r.URL.Query().Get("metric"), interval)
	if err != nil {
		return err
	}
	return writeReport(w, csv, "timeseries", s)
}

func (a *API) reportHeatmap(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	f, csv, err := a.reportFilters(r)
	if err != nil {
		return err
	}
	cells, err := a.svc.Reports.Heatmap(r.Context(), f)
	if err != nil {
		return err
	}
	if csv {
		return writeReport(w, true, "heatmap", cells)
	}
	writeJSON(w, http.StatusOK, itemsResponse[report.HeatCell]{Items: cells})
	return nil
}

func (a *API) reportAgents(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	return a.reportBreakdown(w, r, "agents", a.svc.Reports.Agents)
}

func (a *API) reportChannels(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	return a.reportBreakdown(w, r, "channels", a.svc.Reports.Channels)
}

func (a *API) reportBreakdown(w http.ResponseWriter, r *http.Request, name string,
	fn func(ctx context.Context, f report.Filters) ([]report.Breakdown, error)) error {
	f, csv, err := a.reportFilters(r)
	if err != nil {
		return err
	}
	rows, err := fn(r.Context(), f)
	if err != nil {
		return err
	}
	if csv {
		return writeReport(w, true, name, rows)
	}
	writeJSON(w, http.StatusOK, itemsResponse[report.Breakdown]{Items: rows})
	return nil
}

func (a *API) reportTags(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	f, csv, err := a.reportFilters(r)
	if err != nil {
		return err
	}
	rows, err := a.svc.Reports.Tags(r.Context(), f)
	if err != nil {
		return err
	}
	if csv {
		return writeReport(w, true, "tags", rows)
	}
	writeJSON(w, http.StatusOK, itemsResponse[report.TagCount]{Items: rows})
	return nil
}

func (a *API) reportCustomers(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	f, csv, err := a.reportFilters(r, "lifespan_years")
	if err != nil {
		return err
	}
	var years float64
	if v := r.URL.Query().Get("lifespan_years"); v != "" {
		if years, err = strconv.ParseFloat(v, 64); err != nil || !(years > 0) { // NaN too
			return errs.Invalid("lifespan_years", "wrong_type", "lifespan_years must be a positive number of years")
		}
	}
	c, err := a.svc.Reports.CustomerMetrics(r.Context(), f, years)
	if err != nil {
		return err
	}
	if csv {
		return writeReport(w, true, "customers", []report.Customers{c})
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// reportFeedback answers the survey figures per source and kind
// (GET /api/v1/reports/feedback).
func (a *API) reportFeedback(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	f, csv, err := a.reportFilters(r, "source")
	if err != nil {
		return err
	}
	f.Source = r.URL.Query().Get("source")
	rows, err := a.svc.Reports.Feedback(r.Context(), f)
	if err != nil {
		return err
	}
	if csv {
		return writeReport(w, true, "feedback", rows)
	}
	writeJSON(w, http.StatusOK, itemsResponse[report.FeedbackRow]{Items: rows})
	return nil
}
