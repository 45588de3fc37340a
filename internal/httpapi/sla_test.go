package httpapi_test

import (
	"fmt"
	"testing"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestCalendarsAPI: CRUD by name, il listed first and read-only, the
// business-time questions, and 400s naming the field.
func TestCalendarsAPI(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		_, agentTok := k.agentWithToken("dana", "agent")

		list := k.must(200, "GET", "/api/v1/calendars", agentTok, nil)["data"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["name"] != "il" || list[0].(map[string]any)["builtin"] != true {
			t.Fatalf("calendars: %v", list)
		}
		day := []map[string]string{{"start": "08:00", "end": "16:00"}}
		none := []map[string]string{}
		week := []any{day, day, day, day, day, none, none}
		good := map[string]any{"name": "support", "time_zone": "Asia/Jerusalem", "week": week, "include_holidays": "il",
			"holidays": []map[string]any{{"date": "2026-03-03", "name": "Company day", "open": none}}}

		if r := k.do("POST", "/api/v1/calendars", agentTok, good); r.status != 403 {
			t.Fatalf("agent creates a calendar: %d", r.status)
		}
		bad := func(mutate func(m map[string]any), field string) {
			t.Helper()
			m := map[string]any{}
			for k, v := range good {
				m[k] = v
			}
			mutate(m)
			if f := fieldOf(t, k.do("POST", "/api/v1/calendars", k.admin, m)); f != field {
				t.Fatalf("error names %q, want %q", f, field)
			}
		}
		bad(func(m map[string]any) { m["time_zone"] = "Mars/Olympus" }, "time_zone")
		bad(func(m map[string]any) {
			m["week"] = []any{day, []map[string]string{{"start": "09:00", "end": "08:00"}}, day, day, day, none, none}
		}, "week[1][0].end")
		bad(func(m map[string]any) {
			m["week"] = []any{day, []map[string]string{{"start": "9am", "end": "12:00"}}, day, day, day, none, none}
		}, "week[1][0].start")
		bad(func(m map[string]any) {
			m["holidays"] = []map[string]any{{"date": "2026-02-30", "name": "x", "open": none}}
		}, "holidays[0].date")
		bad(func(m map[string]any) { m["week"] = []any{day} }, "week")
		bad(func(m map[string]any) {
			m["week"] = []any{day, []map[string]string{{"start": "08:00", "end": "12:00"}, {"start": "11:30", "end": "16:00"}}, day, day, day, none, none}
		}, "week[1][1]")
		bad(func(m map[string]any) {
			m["holidays"] = []map[string]any{{"date": "2026-05-01", "name": "x", "open": none}, {"date": "2026-05-01", "name": "y", "open": none}}
		}, "holidays[1].date")
		bad(func(m map[string]any) { m["include_holidays"] = "us" }, "include_holidays")
		bad(func(m map[string]any) { m["name"] = "il" }, "name")

		c := k.must(201, "POST", "/api/v1/calendars", k.admin, good)
		if c["name"] != "support" || c["builtin"] != false || c["include_holidays"] != "il" || c["created_at"] == nil {
			t.Fatalf("created: %v", c)
		}
		if f := fieldOf(t, k.do("POST", "/api/v1/calendars", k.admin, good)); f != "name" {
			t.Fatalf("duplicate name: %q", f)
		}
		got := k.must(200, "GET", "/api/v1/calendars/support", agentTok, nil)
		if fmt.Sprint(got["week"]) != "[[map[end:16:00 start:08:00]] [map[end:16:00 start:08:00]] [map[end:16:00 start:08:00]] [map[end:16:00 start:08:00]] [map[end:16:00 start:08:00]] [] []]" {
			t.Fatalf("week: %v", got["week"])
		}

		// Thursday 15:00 Israel + 120 business minutes: 60 that day, Friday
		// and Saturday closed, Sunday 08:00 + 60.
		due := k.must(200, "GET", "/api/v1/calendars/support/due?start=2026-03-05T13:00:00Z&minutes=120", agentTok, nil)
		if due["due"] != "2026-03-08T09:00:00+02:00" {
			t.Fatalf("due: %v", due)
		}
		// il: Thursday 16:00 + 120 → Sunday 10:00.
		due = k.must(200, "GET", "/api/v1/calendars/il/due?start=2026-03-05T14:00:00Z&minutes=120", agentTok, nil)
		if due["due"] != "2026-03-08T10:00:00+02:00" {
			t.Fatalf("il due: %v", due)
		}
		btw := k.must(200, "GET", "/api/v1/calendars/support/between?from=2026-03-01T00:00:00Z&to=2026-03-08T00:00:00Z", agentTok, nil)
		// Five 8-hour days, less the company day (Tuesday March 3).
		if num(btw["minutes"]) != 4*8*60 {
			t.Fatalf("between: %v", btw)
		}
		days := k.must(200, "GET", "/api/v1/calendars/support/days?from=2026-03-01&to=2026-04-02", agentTok, nil)["data"].([]any)
		if fmt.Sprint(days) != "[map[date:2026-03-03 name:Company day open:[]] map[date:2026-04-01 name:Erev Pesach open:[map[end:13:00 start:09:00]]] map[date:2026-04-02 name:Pesach open:[]]]" {
			t.Fatalf("days: %v", days)
		}
		if f := fieldOf(t, k.do("GET", "/api/v1/calendars/il/days?from=2026-01-01&to=2027-06-01", agentTok, nil)); f != "to" {
			t.Fatalf("too long a range: %q", f)
		}
		if f := fieldOf(t, k.do("GET", "/api/v1/calendars/il/due?start=yesterday&minutes=5", agentTok, nil)); f != "start" {
			t.Fatalf("bad start: %q", f)
		}
		if f := fieldOf(t, k.do("GET", "/api/v1/calendars/il/due?start=2026-03-05T14:00:00Z", agentTok, nil)); f != "minutes" {
			t.Fatalf("no minutes: %q", f)
		}
		// RFC 3339 has four-digit years: an answer after 9999 is a 400 naming minutes.
		if f := fieldOf(t, k.do("GET", "/api/v1/calendars/il/due?start=9999-12-01T00:00:00Z&minutes=100000", agentTok, nil)); f != "minutes" {
			t.Fatalf("due after 9999: %q", f)
		}
		if f := fieldOf(t, k.do("GET", "/api/v1/calendars/il/between?from=0000-01-01T00:00:00%2B02:00&to=2026-03-05T14:00:00Z", agentTok, nil)); f != "from" {
			t.Fatalf("from before year 1: %q", f)
		}
		if r := k.do("GET", "/api/v1/calendars/nope/due?start=2026-03-05T14:00:00Z&minutes=1", agentTok, nil); r.status != 404 {
			t.Fatalf("unknown calendar: %d", r.status)
		}

		// il is read-only.
		if r := k.do("PATCH", "/api/v1/calendars/il", k.admin, map[string]any{"time_zone": "UTC"}); r.status != 403 {
			t.Fatalf("patch il: %d", r.status)
		}
		if r := k.do("DELETE", "/api/v1/calendars/il", k.admin, nil); r.status != 403 {
			t.Fatalf("delete il: %d", r.status)
		}
		up := k.must(200, "PATCH", "/api/v1/calendars/support", k.admin, map[string]any{"name": "support-2", "include_holidays": ""})
		if up["name"] != "support-2" || up["include_holidays"] != "" {
			t.Fatalf("patched: %v", up)
		}
		if f := fieldOf(t, k.do("PATCH", "/api/v1/calendars/support-2", k.admin, map[string]any{"overrides": []map[string]any{
			{"date": "2026-03-06", "name": "a", "open": day}, {"date": "2026-03-06", "name": "b", "open": day}}})); f != "overrides[1].date" {
			t.Fatalf("duplicate override: %q", f)
		}
		k.must(204, "DELETE", "/api/v1/calendars/support-2", k.admin, nil)
		if r := k.do("GET", "/api/v1/calendars/support-2", agentTok, nil); r.status != 404 {
			t.Fatalf("after delete: %d", r.status)
		}
	})
}

// TestSLAPoliciesAPI: CRUD, reorder, validation naming the field, and a
// conversation's SLA with the sla list filter.
func TestSLAPoliciesAPI(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		_, agentTok := k.agentWithToken("dana", "agent")
		good := map[string]any{"name": "VIP", "calendar": "il",
			"conditions": map[string]any{"priorities": []string{"urgent"}, "contact_tiers": []string{"vip"}},
			"targets":    map[string]any{"first_response": map[string]any{"minutes": 60, "business": true}},
			"escalation": []map[string]any{{"type": "notify", "value": "supervisor"}, {"type": "raise_priority"}}}
		if r := k.do("POST", "/api/v1/sla-policies", agentTok, good); r.status != 403 {
			t.Fatalf("agent creates a policy: %d", r.status)
		}
		bad := func(mutate func(m map[string]any), field string) {
			t.Helper()
			m := map[string]any{}
			for k, v := range good {
				m[k] = v
			}
			mutate(m)
			if f := fieldOf(t, k.do("POST", "/api/v1/sla-policies", k.admin, m)); f != field {
				t.Fatalf("error names %q, want %q", f, field)
			}
		}
		bad(func(m map[string]any) { m["name"] = " " }, "name")
		bad(func(m map[string]any) { m["calendar"] = "nope" }, "calendar")
		bad(func(m map[string]any) { m["calendar"] = "" }, "calendar")
		bad(func(m map[string]any) {
			m["targets"] = map[string]any{"first_response": map[string]any{"minutes": -5}}
		}, "targets.first_response.minutes")
		bad(func(m map[string]any) { m["warn_fraction"] = 1.5 }, "warn_fraction")
		bad(func(m map[string]any) { m["escalation"] = []map[string]any{{"type": "notify", "value": "boss"}} }, "escalation[0].value")
		bad(func(m map[string]any) { m["escalation"] = []map[string]any{{"type": "notify", "value": "agent:999"}} }, "escalation[0].value")
		bad(func(m map[string]any) { m["escalation"] = []map[string]any{{"type": "set_team", "value": 999}} }, "escalation[0].value")
		bad(func(m map[string]any) { m["escalation"] = []map[string]any{{"type": "explode"}} }, "escalation[0].type")
		bad(func(m map[string]any) {
			m["conditions"] = map[string]any{"priorities": []string{"critical"}}
		}, "conditions.priorities[0]")
		bad(func(m map[string]any) { m["conditions"] = map[string]any{"inbox_ids": []int64{999}} }, "conditions.inbox_ids[0]")
		bad(func(m map[string]any) { m["conditions"] = map[string]any{"organization_ids": []int64{-1}} }, "conditions.organization_ids[0]")
		bad(func(m map[string]any) { m["conditions"] = map[string]any{"tags": []string{""}} }, "conditions.tags[0]")
		bad(func(m map[string]any) { m["conditions"] = map[string]any{"contact_tiers": []string{" "}} }, "conditions.contact_tiers[0]")

		vip := k.must(201, "POST", "/api/v1/sla-policies", k.admin, good)
		if vip["enabled"] != true || vip["warn_fraction"] != 0.75 || num(vip["position"]) != 0 {
			t.Fatalf("created: %v", vip)
		}
		def := k.must(201, "POST", "/api/v1/sla-policies", k.admin, map[string]any{"name": "Default",
			"targets": map[string]any{"first_response": map[string]any{"minutes": 240}, "resolution": map[string]any{"minutes": 1440}}})
		if num(def["position"]) != 1 || fmt.Sprint(def["escalation"]) != "[]" || fmt.Sprint(def["conditions"].(map[string]any)["tags"]) != "[]" {
			t.Fatalf("default: %v", def)
		}
		if f := fieldOf(t, k.do("POST", "/api/v1/sla-policies/reorder", k.admin, map[string]any{"ids": []int64{num(def["id"])}})); f != "ids" {
			t.Fatalf("partial reorder: %q", f)
		}
		if f := fieldOf(t, k.do("POST", "/api/v1/sla-policies/reorder", k.admin, map[string]any{"ids": []int64{num(def["id"]), 999}})); f != "ids[1]" {
			t.Fatalf("unknown id: %q", f)
		}
		k.must(204, "POST", "/api/v1/sla-policies/reorder", k.admin, map[string]any{"ids": []int64{num(def["id"]), num(vip["id"])}})
		items := k.must(200, "GET", "/api/v1/sla-policies", agentTok, nil)["data"].([]any)
		if len(items) != 2 || items[0].(map[string]any)["name"] != "Default" {
			t.Fatalf("order: %v", items)
		}
		up := k.must(200, "PATCH", fmt.Sprintf("/api/v1/sla-policies/%d", num(vip["id"])), k.admin, map[string]any{"enabled": false})
		if up["enabled"] != false || up["name"] != "VIP" {
			t.Fatalf("patched: %v", up)
		}
		if f := fieldOf(t, k.do("PATCH", fmt.Sprintf("/api/v1/sla-policies/%d", num(vip["id"])), k.admin, map[string]any{"calendar": "gone"})); f != "calendar" {
			t.Fatalf("patch calendar: %q", f)
		}

		// A conversation under Default: its SLA and the list filter.
		box := num(k.must(201, "POST", "/api/v1/inboxes", k.admin, map[string]any{"name": "API", "channel": "api"})["id"])
		conv := num(k.must(201, "POST", "/api/v1/conversations", k.admin, map[string]any{"inbox_id": box, "subject": "s",
			"requester": map[string]any{"email": "x@example.com"}, "message": map[string]any{"direction": "inbound", "body": "hi"}})["id"])
		if err := k.core.SLA.Evaluate(t.Context(), conv); err != nil {
			t.Fatal(err)
		}
		view := k.must(200, "GET", fmt.Sprintf("/api/v1/conversations/%d/sla", conv), agentTok, nil)
		targets := view["targets"].([]any)
		if view["policy_name"] != "Default" || view["state"] != "ok" || view["due_at"] == nil || len(targets) != 2 {
			t.Fatalf("sla: %v", view)
		}
		first := targets[0].(map[string]any)
		if first["target"] != "first_response" || first["state"] != "ok" || num(first["minutes"]) != 240 || first["business"] != false ||
			num(first["remaining_minutes"]) < 239 {
			t.Fatalf("first response: %v", first)
		}
		c := k.must(200, "GET", fmt.Sprintf("/api/v1/conversations/%d", conv), agentTok, nil)
		if c["sla_state"] != "ok" || c["sla_due_at"] == nil {
			t.Fatalf("conversation: %v", c)
		}
		if got := ids(k.must(200, "GET", "/api/v1/conversations?sla=at_risk", agentTok, nil)); len(got) != 0 {
			t.Fatalf("at risk: %v", got)
		}
		if f := fieldOf(t, k.do("GET", "/api/v1/conversations?sla=late", agentTok, nil)); f != "sla" {
			t.Fatalf("bad sla filter: %q", f)
		}
		if f := fieldOf(t, k.do("GET", "/api/v1/conversations?sort=sla_due_at", agentTok, nil)); f != "sort" {
			t.Fatalf("sla sort without filter: %q", f)
		}
		k.must(204, "DELETE", fmt.Sprintf("/api/v1/sla-policies/%d", num(vip["id"])), k.admin, nil)
		if r := k.do("GET", fmt.Sprintf("/api/v1/sla-policies/%d", num(vip["id"])), agentTok, nil); r.status != 404 {
			t.Fatalf("after delete: %d", r.status)
		}
	})
}
