package httpapi_test

import (
	"encoding/json"
	"testing"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestReportHostileParams: bounds a reviewer tried. Each was answered
// wrongly before: lifespan_years=NaN was a 200 with an empty body (NaN
// cannot be JSON), year-0001 periods were reports of year 0 (and the ROI's
// previous period of 0001-01-01T00:00:00Z, Go's zero time, said "from is
// required"), year 9999 periods were accepted. Now each is a 400 naming
// the field with a JSON problem body.
func TestReportHostileParams(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		const ok = "from=2026-01-01&to=2026-02-01"
		for _, c := range []struct{ path, field string }{
			{"/api/v1/reports/customers?" + ok + "&lifespan_years=NaN", "lifespan_years"},
			{"/api/v1/reports/customers?" + ok + "&lifespan_years=-Inf", "lifespan_years"},
			{"/api/v1/reports/summary?from=0001-01-01&to=0001-02-01", "from"},
			{"/api/v1/reports/summary?from=2026-01-01&to=9999-01-01", "to"},
			{"/api/v1/reports/feedback?from=1969-12-31&to=1970-01-02", "from"},
			{"/api/v1/reports/roi?from=0001-01-01T00:00:00Z&to=0001-02-01T00:00:00Z", "from"},
			{"/api/v1/reports/roi?from=9999-12-01&to=9999-12-31", "from"},
			{"/api/v1/reports/trends?from=0001-01-01&to=0001-02-01", "from"},
		} {
			r := k.do("GET", c.path, k.admin, nil)
			var p struct {
				Status int `json:"status"`
				Errors []struct {
					Field string `json:"field"`
				} `json:"errors"`
			}
			if err := json.Unmarshal(r.body, &p); err != nil || r.status != 400 || p.Status != 400 || len(p.Errors) == 0 ||
				p.Errors[0].Field != c.field {
				t.Errorf("%s: %d %s, want a 400 problem naming %s", c.path, r.status, r.body, c.field)
			}
		}
		// The bounds themselves are fine.
		k.must(200, "GET", "/api/v1/reports/summary?from=1970-01-02&to=1970-02-01", k.admin, nil)
		k.must(200, "GET", "/api/v1/reports/roi?from=2200-01-01&to=2200-02-01", k.admin, nil)
	})
}
