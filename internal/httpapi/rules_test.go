package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// fieldErrors returns the field names of a problem's errors.
func fieldErrors(m map[string]any) []string {
	var out []string
	list, _ := m["errors"].([]any)
	for _, e := range list {
		f, _ := e.(map[string]any)
		out = append(out, fmt.Sprint(f["field"]))
	}
	return out
}

func TestAutomationRulesAPI(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		rule := map[string]any{"name": "VIP first", "trigger": "conversation.created",
			"conditions": map[string]any{"all": []any{map[string]any{"field": "contact_tier", "op": "is", "value": "vip"}}},
			"actions":    []any{map[string]any{"type": "set_priority", "value": "high"}}}
		created := k.must(http.StatusCreated, "POST", "/api/v1/automation-rules", k.admin, rule)
		id := num(created["id"])
		if created["name"] != "VIP first" || created["enabled"] != true || created["trigger"] != "conversation.created" ||
			created["time"] != nil || num(created["position"]) != 0 {
			t.Fatalf("created = %v", created)
		}
		if _, ok := created["time"]; !ok {
			t.Error(`"time" is missing; want null`)
		}
		conds := created["conditions"].(map[string]any)
		if any, _ := conds["any"].([]any); any == nil || len(any) != 0 {
			t.Errorf("conditions.any = %v, want []", conds["any"])
		}

		// Bad input names the field.
		bad := map[string]any{"name": "x", "trigger": "conversation.created",
			"conditions": map[string]any{"all": []any{map[string]any{"field": "priority", "op": "contains", "value": "high"}}},
			"actions":    []any{map[string]any{"type": "set_priority", "value": "high"}}}
		r := k.do("POST", "/api/v1/automation-rules", k.admin, bad)
		if r.status != http.StatusBadRequest || fmt.Sprint(fieldErrors(r.json(t))) != "[conditions.all[0].op]" {
			t.Fatalf("bad op: %d %s", r.status, r.body)
		}
		r = k.do("PATCH", fmt.Sprintf("/api/v1/automation-rules/%d", id), k.admin, map[string]any{"actions": []any{map[string]any{"type": "notify", "value": "boss"}}})
		if r.status != http.StatusBadRequest || fmt.Sprint(fieldErrors(r.json(t))) != "[actions[0].value]" {
			t.Fatalf("bad notify: %d %s", r.status, r.body)
		}
		r = k.do("POST", "/api/v1/automation-rules", k.admin, map[string]any{"name": "t", "trigger": "time", "actions": []any{map[string]any{"type": "close"}}})
		if r.status != http.StatusBadRequest || fmt.Sprint(fieldErrors(r.json(t))) != "[time]" {
			t.Fatalf("time rule without time: %d %s", r.status, r.body)
		}
		r = k.do("POST", "/api/v1/automation-rules", k.admin, map[string]any{"name": "t", "trigger": "conversation.created",
			"actions": []any{map[string]any{"type": "set_team", "value": 999}, map[string]any{"type": "send_canned", "value": 998}}})
		if r.status != http.StatusBadRequest || fmt.Sprint(fieldErrors(r.json(t))) != "[actions[0].value actions[1].value]" {
			t.Fatalf("unknown team and canned response: %d %s", r.status, r.body)
		}
		r = k.do("POST", "/api/v1/automation-rules", k.admin, `{"name":"x","trigger":"time","bogus":1}`)
		if r.status != http.StatusBadRequest {
			t.Fatalf("unknown field: %d %s", r.status, r.body)
		}

		// A second rule, then patch, reorder, list, dry run, delete.
		second := k.must(http.StatusCreated, "POST", "/api/v1/automation-rules", k.admin, map[string]any{"name": "Auto-close", "trigger": "time",
			"time": map[string]any{"field": "status_for", "status": "solved", "minutes": 5760}, "actions": []any{map[string]any{"type": "close"}}})
		id2 := num(second["id"])
		if num(second["position"]) != 1 || second["time"].(map[string]any)["minutes"] != float64(5760) {
			t.Fatalf("second = %v", second)
		}
		patched := k.must(http.StatusOK, "PATCH", fmt.Sprintf("/api/v1/automation-rules/%d", id), k.admin, map[string]any{"enabled": false, "name": "VIP"})
		if patched["enabled"] != false || patched["name"] != "VIP" || patched["trigger"] != "conversation.created" {
			t.Fatalf("patched = %v", patched)
		}
		k.must(http.StatusNoContent, "POST", "/api/v1/automation-rules/reorder", k.admin, map[string]any{"ids": []int64{id2, id}})
		r = k.do("POST", "/api/v1/automation-rules/reorder", k.admin, map[string]any{"ids": []int64{id2}})
		if r.status != http.StatusBadRequest || fmt.Sprint(fieldErrors(r.json(t))) != "[ids]" {
			t.Fatalf("incomplete reorder: %d %s", r.status, r.body)
		}
		listed := k.must(http.StatusOK, "GET", "/api/v1/automation-rules", k.admin, nil)["data"].([]any)
		if len(listed) != 2 || num(listed[0].(map[string]any)["id"]) != id2 || num(listed[1].(map[string]any)["id"]) != id {
			t.Fatalf("list = %v", listed)
		}
		dry := k.must(http.StatusOK, "POST", "/api/v1/automation-rules/dry-run", k.admin, rule)
		if dry["scanned"] != float64(0) || dry["matched"] != float64(0) || len(dry["conversations"].([]any)) != 0 {
			t.Fatalf("dry run = %v", dry)
		}
		r = k.do("POST", "/api/v1/automation-rules/dry-run", k.admin, bad)
		if r.status != http.StatusBadRequest || fmt.Sprint(fieldErrors(r.json(t))) != "[conditions.all[0].op]" {
			t.Fatalf("dry run of a bad rule: %d %s", r.status, r.body)
		}

		// Agents read rules but cannot change them.
		_, agentTok := k.agentWithToken("Dana", "agent")
		k.must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/automation-rules/%d", id), agentTok, nil)
		if r := k.do("POST", "/api/v1/automation-rules", agentTok, rule); r.status != http.StatusForbidden {
			t.Fatalf("agent create: %d", r.status)
		}
		k.must(http.StatusNoContent, "DELETE", fmt.Sprintf("/api/v1/automation-rules/%d", id), k.admin, nil)
		if r := k.do("GET", fmt.Sprintf("/api/v1/automation-rules/%d", id), k.admin, nil); r.status != http.StatusNotFound {
			t.Fatalf("deleted rule: %d", r.status)
		}
	})
}

// TestAutomationRuleWebhookTargets: a webhook may not name localhost or a
// loopback, link-local or private address literal (400 naming the action).
func TestAutomationRuleWebhookTargets(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		for _, u := range []string{"http://127.0.0.1:8080/x", "http://169.254.169.254/latest/meta-data/", "https://10.0.0.1/hook",
			"http://[::1]/", "http://localhost:9000/", "http://LOCALHOST./", "http://192.168.1.5/", "http://[fd00::1]/", "http://0.0.0.0/",
			"http://[::ffff:127.0.0.1]/", "http://224.0.0.1/"} {
			r := k.do("POST", "/api/v1/automation-rules", k.admin, map[string]any{"name": "Hook", "trigger": "conversation.created",
				"actions": []any{map[string]any{"type": "add_tags", "value": []any{"x"}}, map[string]any{"type": "webhook", "value": u}}})
			if r.status != http.StatusBadRequest || fmt.Sprint(fieldErrors(r.json(t))) != "[actions[1].value]" {
				t.Errorf("%s: %d %s", u, r.status, r.body)
			}
		}
		created := k.must(http.StatusCreated, "POST", "/api/v1/automation-rules", k.admin, map[string]any{"name": "Hook",
			"trigger": "conversation.created", "actions": []any{map[string]any{"type": "webhook", "value": "https://hooks.example.com/x"}}})
		r := k.do("PATCH", fmt.Sprintf("/api/v1/automation-rules/%d", num(created["id"])), k.admin,
			map[string]any{"actions": []any{map[string]any{"type": "webhook", "value": "http://169.254.169.254/"}}})
		if r.status != http.StatusBadRequest || fmt.Sprint(fieldErrors(r.json(t))) != "[actions[0].value]" {
			t.Fatalf("patch to metadata address: %d %s", r.status, r.body)
		}
	})
}

// TestAutomationRulesNeedRead: reading rules (webhook URLs included) needs
// automation:read: every role has it, a token scoped without it does not.
func TestAutomationRulesNeedRead(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		id := num(k.must(http.StatusCreated, "POST", "/api/v1/automation-rules", k.admin, map[string]any{"name": "Hook",
			"trigger": "conversation.created", "actions": []any{map[string]any{"type": "webhook", "value": "https://hooks.example.com/x"}}})["id"])
		one := fmt.Sprintf("/api/v1/automation-rules/%d", id)
		_, tok := k.agentWithToken("Ami", "agent")
		k.must(http.StatusOK, "GET", "/api/v1/automation-rules", tok, nil)
		k.must(http.StatusOK, "GET", one, tok, nil)
		ro := k.must(http.StatusCreated, "POST", "/api/v1/tokens", tok, map[string]any{"name": "ro", "scopes": []string{"conversations:read"}})["token"].(string)
		for _, p := range []string{"/api/v1/automation-rules", one} {
			if r := k.do("GET", p, ro, nil); r.status != http.StatusForbidden {
				t.Errorf("conversations:read token GET %s: %d %s", p, r.status, r.body)
			}
		}
		ar := k.must(http.StatusCreated, "POST", "/api/v1/tokens", tok, map[string]any{"name": "ar", "scopes": []string{"automation:read"}})["token"].(string)
		k.must(http.StatusOK, "GET", one, ar, nil)
	})
}
