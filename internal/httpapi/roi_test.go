package httpapi_test

import (
	"testing"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestROIAPI: PUT records a period's inputs (roi:write), GET answers them
// with outputs (reports:read), history lists them; bad periods and amounts
// are 400 naming the field; agents may not read or write.
func TestROIAPI(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		const q = "/api/v1/reports/roi?from=2025-03-01&to=2025-04-01"
		p := k.must(200, "GET", q, k.admin, nil)
		if p["stored"] != false || p["from"] != "2025-02-28T22:00:00Z" || p["to"] != "2025-03-31T21:00:00Z" {
			t.Errorf("empty period = %v", p)
		}
		in := map[string]any{"costs": map[string]any{"salaries": 90000, "other": 10000},
			"revenue": map[string]any{"upsell": 125000}, "assumptions": "upsell attributed by coupon"}
		p = k.must(200, "PUT", q, k.admin, in)
		o, _ := p["outputs"].(map[string]any)
		// (125000 − 100000) / 100000 = 25%; no conversations: null per-conversation costs.
		if p["stored"] != true || p["currency"] != "ILS" || num(o["total_cost_minor"]) != 100000 || o["roi_percent"] != 25.0 ||
			o["cost_per_conversation_minor"] != nil {
			t.Errorf("put = %v", p)
		}
		h := k.must(200, "GET", "/api/v1/reports/roi/history", k.admin, nil)
		if list, _ := h["periods"].([]any); len(list) != 1 {
			t.Errorf("history = %v", h)
		}
		for _, c := range []struct{ path, field string }{
			{"/api/v1/reports/roi?from=2025-03-01", "to"},
			{"/api/v1/reports/roi?from=March&to=2025-04-01", "from"},
			{"/api/v1/reports/roi?from=2025-04-01&to=2025-03-01", "to"},
		} {
			if f := k.problemField("GET", c.path, k.admin, nil); f != c.field {
				t.Errorf("GET %s: field %q, want %q", c.path, f, c.field)
			}
		}
		if f := k.problemField("PUT", q, k.admin, map[string]any{"costs": map[string]any{"training": -5}}); f != "costs.training" {
			t.Errorf("negative cost: field %q", f)
		}
		_, agentTok := k.agentWithToken("Noa", "agent")
		k.must(403, "GET", q, agentTok, nil)
		k.must(403, "PUT", q, agentTok, in)
	})
}
