package httpapi_test

import (
	"encoding/json"
	"strings"
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
		// The movement: the previous period of equal length (31 days: 29
		// January 00:00 Jerusalem … 1 March), nothing stored
		// there: ROI % 25 now, no previous value, no change.
		checkMovement := func(name string, p map[string]any) {
			t.Helper()
			mv, _ := p["movement"].(map[string]any)
			kpis, _ := mv["kpis"].([]any)
			if mv["previous_from"] != "2025-01-28T22:00:00Z" || mv["previous_to"] != "2025-02-28T22:00:00Z" || mv["previous_stored"] != false ||
				len(kpis) != 12 {
				t.Fatalf("%s: movement = %v", name, mv)
			}
			for _, x := range kpis {
				kpi := x.(map[string]any)
				switch kpi["key"] {
				case "roi_percent":
					if kpi["current"] != 25.0 || kpi["previous"] != nil || kpi["change"] != nil || kpi["change_percent"] != nil {
						t.Errorf("%s: roi_percent = %v", name, kpi)
					}
				case "conversations_created":
					if kpi["current"] != 0.0 || kpi["previous"] != 0.0 || kpi["change"] != 0.0 || kpi["change_percent"] != nil {
						t.Errorf("%s: conversations_created = %v", name, kpi)
					}
				}
			}
		}
		checkMovement("put", p)
		h := k.must(200, "GET", "/api/v1/reports/roi/history", k.admin, nil)
		list, _ := h["periods"].([]any)
		if len(list) != 1 {
			t.Fatalf("history = %v", h)
		}
		checkMovement("history", list[0].(map[string]any))
		checkMovement("get", k.must(200, "GET", q, k.admin, nil))
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
		// Bad amounts and currencies: 400 naming the field, nothing stored.
		for _, c := range []struct{ name, body, field, code, msg string }{
			{"fractional cost", `{"costs":{"salaries":10.5}}`, "costs.salaries", "not_integer", "must be an integer number of minor units"},
			{"exponent revenue", `{"revenue":{"upsell":1e3}}`, "revenue.upsell", "not_integer", "must be an integer number of minor units"},
			{"string amount", `{"costs":{"other":"5"}}`, "costs.other", "wrong_type", ""},
			{"unknown currency", `{"currency":"ABC"}`, "currency", "invalid", "ISO 4217"},
			{"no-currency code", `{"currency":"XXX"}`, "currency", "invalid", "ISO 4217"},
		} {
			r := k.do("PUT", q, k.admin, c.body)
			var pr struct {
				Errors []struct{ Field, Code, Message string } `json:"errors"`
			}
			_ = json.Unmarshal(r.body, &pr)
			if r.status != 400 || len(pr.Errors) != 1 || pr.Errors[0].Field != c.field || pr.Errors[0].Code != c.code ||
				!strings.Contains(pr.Errors[0].Message, c.msg) {
				t.Errorf("%s: %d %s, want 400 %s %s %q", c.name, r.status, r.body, c.field, c.code, c.msg)
			}
		}
		if p := k.must(200, "GET", q, k.admin, nil); num(p["costs"].(map[string]any)["salaries"]) != 90000 {
			t.Errorf("a refused PUT changed the period: %v", p)
		}
		_, agentTok := k.agentWithToken("Noa", "agent")
		k.must(403, "GET", q, agentTok, nil)
		k.must(403, "PUT", q, agentTok, in)
	})
}
