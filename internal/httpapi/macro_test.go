package httpapi_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/notification"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// problemField returns the field of a 400 problem's first error.
func (k *desk) problemField(method, path, token string, body any) string {
	k.t.Helper()
	r := k.do(method, path, token, body)
	if r.status != 400 {
		k.t.Fatalf("%s %s: status %d, want 400\n%s", method, path, r.status, r.body)
	}
	es, _ := r.json(k.t)["errors"].([]any)
	if len(es) == 0 {
		k.t.Fatalf("%s %s: no field errors: %s", method, path, r.body)
	}
	return es[0].(map[string]any)["field"].(string)
}

func TestMacros(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		team := num(k.must(201, "POST", "/api/v1/teams", k.admin, map[string]any{"name": "תמיכה"})["id"])
		billing := num(k.must(201, "POST", "/api/v1/teams", k.admin, map[string]any{"name": "Billing"})["id"])
		agentID, tok := k.agentWithToken("Noa", "agent", team, billing)
		box := k.must(201, "POST", "/api/v1/inboxes", k.admin, map[string]any{"name": "API", "channel": "api", "team_id": team})
		conv := k.must(201, "POST", "/api/v1/conversations", tok, map[string]any{
			"inbox_id": num(box["id"]), "subject": "חשבונית כפולה", "team_id": team, "tags": []string{"urgent-ish"},
			"requester": map[string]any{"name": "דנה כהן", "email": "dana@example.co.il"},
			"message":   map[string]any{"direction": "inbound", "body": "חויבתי פעמיים"},
		})
		convID := num(conv["id"])

		// Validation names the action's field.
		bad := []struct {
			actions any
			field   string
		}{
			{[]any{map[string]any{"type": "set_status", "value": "open"}, map[string]any{"type": "set_status", "value": "closed"}}, "actions[1].value"},
			{[]any{map[string]any{"type": "set_priority", "value": "asap"}}, "actions[0].value"},
			{[]any{map[string]any{"type": "assign", "value": "someone"}}, "actions[0].value"},
			{[]any{map[string]any{"type": "add_tags", "value": []any{}}}, "actions[0].value"},
			{[]any{map[string]any{"type": "add_tags", "value": []any{"ok", "a,b"}}}, "actions[0].value[1]"},
			{[]any{map[string]any{"type": "webhook", "value": "https://x"}}, "actions[0].type"},
		}
		for _, b := range bad {
			if f := k.problemField("POST", "/api/v1/canned-responses", k.admin, map[string]any{"title": "x", "body": "y", "actions": b.actions}); f != b.field {
				t.Errorf("actions %v: field %q, want %q", b.actions, f, b.field)
			}
		}

		macro := k.must(201, "POST", "/api/v1/canned-responses", k.admin, map[string]any{
			"title": "חיוב כפול", "language": "he", "shortcut": "כפול",
			"body": "שלום {{contact.first_name}}, פנייה #{{conversation.number}} ({{conversation.subject}}) הועברה לצוות {{team.name}}. {{agent.first_name}}",
			"actions": []any{
				map[string]any{"type": "set_team", "value": billing},
				map[string]any{"type": "assign", "value": agentID},
				map[string]any{"type": "set_priority", "value": "high"},
				map[string]any{"type": "set_status", "value": "pending"},
				map[string]any{"type": "add_tags", "value": []any{"Billing Issue", "refund"}},
				map[string]any{"type": "remove_tags", "value": "urgent-ish"},
			}})
		acts := macro["actions"].([]any)
		if len(acts) != 6 || acts[4].(map[string]any)["value"].([]any)[0] != "billing-issue" || num(acts[0].(map[string]any)["value"]) != billing {
			t.Fatalf("stored actions: %v", acts)
		}
		plain := k.must(201, "POST", "/api/v1/canned-responses", k.admin, map[string]any{"title": "Thanks", "body": "Thanks!"})
		if a, ok := plain["actions"].([]any); !ok || len(a) != 0 {
			t.Fatalf("plain response actions = %v, want []", plain["actions"])
		}

		res := k.must(200, "POST", fmt.Sprintf("/api/v1/conversations/%d/macros", convID), tok, map[string]any{"canned_id": num(macro["id"])})
		c := res["conversation"].(map[string]any)
		want := fmt.Sprintf("שלום דנה, פנייה #%d (חשבונית כפולה) הועברה לצוות Billing. Noa", num(conv["number"]))
		if res["body"] != want {
			t.Fatalf("body = %q, want %q", res["body"], want)
		}
		if num(c["team_id"]) != billing || num(c["assignee_id"]) != agentID || c["priority"] != "high" || c["status"] != "pending" ||
			!slices.Equal(toStrings(c["tags"]), []string{"billing-issue", "refund"}) {
			t.Fatalf("conversation after macro: %v", c)
		}
		// Audited as the agent, in one entry.
		audit := k.must(200, "GET", fmt.Sprintf("/api/v1/conversations/%d/audit", convID), k.admin, nil)
		entries := audit["data"].([]any)
		last := entries[len(entries)-1].(map[string]any)
		for _, e := range entries {
			if e.(map[string]any)["action"] == "conversation.updated" {
				last = e.(map[string]any)
			}
		}
		actor := last["actor"].(map[string]any)
		changes := last["changes"].(map[string]any)
		if actor["type"] != "agent" || num(actor["id"]) != agentID || changes["status"] == nil || changes["team_id"] == nil || changes["tags"] == nil {
			t.Fatalf("audit of the macro: %v", last)
		}

		// Removing the actions through PATCH.
		upd := k.must(200, "PATCH", fmt.Sprintf("/api/v1/canned-responses/%d", num(macro["id"])), k.admin, map[string]any{"actions": nil})
		if a := upd["actions"].([]any); len(a) != 0 {
			t.Fatalf("after actions null: %v", a)
		}
		if f := k.problemField("PATCH", fmt.Sprintf("/api/v1/canned-responses/%d", num(macro["id"])), k.admin,
			map[string]any{"actions": []any{map[string]any{"type": "set_team", "value": 1.5}}}); f != "actions[0].value" {
			t.Fatalf("patch field %q", f)
		}
		// A plain response changes nothing and still renders.
		res = k.must(200, "POST", fmt.Sprintf("/api/v1/conversations/%d/macros", convID), tok, map[string]any{"canned_id": num(plain["id"])})
		if res["body"] != "Thanks!" || res["conversation"].(map[string]any)["status"] != "pending" {
			t.Fatalf("plain macro: %v", res)
		}
		if f := k.problemField("POST", fmt.Sprintf("/api/v1/conversations/%d/macros", convID), tok, map[string]any{"canned_id": 999}); f != "canned_id" {
			t.Fatalf("unknown canned id field %q", f)
		}
		if f := k.problemField("POST", fmt.Sprintf("/api/v1/conversations/%d/macros", convID), tok, map[string]any{}); f != "canned_id" {
			t.Fatalf("missing canned id field %q", f)
		}
		// Another team's agent cannot apply macros to the conversation.
		otherTeam := num(k.must(201, "POST", "/api/v1/teams", k.admin, map[string]any{"name": "Other"})["id"])
		_, otherTok := k.agentWithToken("Other", "agent", otherTeam)
		if r := k.do("POST", fmt.Sprintf("/api/v1/conversations/%d/macros", convID), otherTok, map[string]any{"canned_id": num(plain["id"])}); r.status != 403 {
			t.Fatalf("other team: status %d", r.status)
		}
	})
}

func TestNotificationsAPI(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		ctx := context.Background()
		me, tok := k.agentWithToken("Noa", "agent")
		other, otherTok := k.agentWithToken("Avi", "agent")
		var ids []int64
		err := d.WriteTx(ctx, func(tx *db.Tx) error {
			for i, kind := range []string{notification.KindSLAWarning, notification.KindRule, notification.KindAssigned} {
				id, err := notification.CreateTx(ctx, tx, k.core.Outbox, notification.Notification{AgentID: me, Kind: kind,
					Data: map[string]any{"n": i}})
				if err != nil {
					return err
				}
				ids = append(ids, id)
			}
			_, err := notification.CreateTx(ctx, tx, k.core.Outbox, notification.Notification{AgentID: other, Kind: notification.KindRule})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		l := k.must(200, "GET", "/api/v1/notifications", tok, nil)
		items := l["data"].([]any)
		if num(l["unread_count"]) != 3 || len(items) != 3 || num(items[0].(map[string]any)["id"]) != ids[2] ||
			items[0].(map[string]any)["kind"] != "assigned" || items[0].(map[string]any)["read_at"] != nil {
			t.Fatalf("list: %v", l)
		}
		if l := k.must(200, "GET", "/api/v1/notifications?limit=1", tok, nil); len(l["data"].([]any)) != 1 || num(l["unread_count"]) != 3 {
			t.Fatalf("limit 1: %v", l)
		}
		k.must(204, "POST", "/api/v1/notifications/read", tok, map[string]any{"ids": []int64{ids[0]}})
		l = k.must(200, "GET", "/api/v1/notifications?unread=true", tok, nil)
		if num(l["unread_count"]) != 2 || len(l["data"].([]any)) != 2 {
			t.Fatalf("after one read: %v", l)
		}
		l = k.must(200, "GET", "/api/v1/notifications", tok, nil)
		if l["data"].([]any)[2].(map[string]any)["read_at"] == nil {
			t.Fatalf("read notification has no read_at: %v", l)
		}
		// Marking someone else's is ignored.
		k.must(204, "POST", "/api/v1/notifications/read", otherTok, map[string]any{"all": true})
		if l := k.must(200, "GET", "/api/v1/notifications", tok, nil); num(l["unread_count"]) != 2 {
			t.Fatalf("other agent's mark all changed mine: %v", l)
		}
		k.must(204, "POST", "/api/v1/notifications/read", tok, map[string]any{"all": true})
		if l := k.must(200, "GET", "/api/v1/notifications", tok, nil); num(l["unread_count"]) != 0 {
			t.Fatalf("after all: %v", l)
		}
		if f := k.problemField("POST", "/api/v1/notifications/read", tok, map[string]any{}); f != "ids" {
			t.Fatalf("empty mark: %q", f)
		}
		if f := k.problemField("POST", "/api/v1/notifications/read", tok, map[string]any{"all": true, "ids": []int64{ids[0]}}); f != "ids" {
			t.Fatalf("ids and all: %q", f)
		}
		if f := k.problemField("GET", "/api/v1/notifications?limit=1000", tok, nil); f != "limit" {
			t.Fatalf("limit: %q", f)
		}
		if f := k.problemField("GET", "/api/v1/notifications?unread=maybe", tok, nil); f != "unread" {
			t.Fatalf("unread: %q", f)
		}
	})
}

func TestAgentSkillsAPI(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		a := k.must(201, "POST", "/api/v1/agents", k.admin, map[string]any{"name": "Noa", "email": "noa@kesher.test", "skills": []string{"Billing", "חשבוניות"}})
		if !slices.Equal(toStrings(a["skills"]), []string{"billing", "חשבוניות"}) {
			t.Fatalf("skills = %v", a["skills"])
		}
		a = k.must(200, "PATCH", fmt.Sprintf("/api/v1/agents/%d", num(a["id"])), k.admin, map[string]any{"skills": []string{"VIP Care"}})
		if !slices.Equal(toStrings(a["skills"]), []string{"vip-care"}) {
			t.Fatalf("patched skills = %v", a["skills"])
		}
		if f := k.problemField("PATCH", fmt.Sprintf("/api/v1/agents/%d", num(a["id"])), k.admin, map[string]any{"skills": []string{"", "x"}}); f != "skills[0]" {
			t.Fatalf("bad skill field %q", f)
		}
	})
}

// TestMacroRefsAndLanguage: a macro naming a team or agent that does not
// exist is refused when saved (not only when applied), and the language
// error spells out the choices.
func TestMacroRefsAndLanguage(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		r := k.do("POST", "/api/v1/canned-responses", k.admin, map[string]any{"title": "x", "body": "y", "actions": []any{
			map[string]any{"type": "set_priority", "value": "high"}, map[string]any{"type": "assign", "value": 99999},
			map[string]any{"type": "set_team", "value": 9999}}})
		if r.status != 400 || fmt.Sprint(fieldErrors(r.json(t))) != "[actions[1].value actions[2].value]" {
			t.Fatalf("unknown agent and team: %d %s", r.status, r.body)
		}
		for _, e := range r.json(t)["errors"].([]any) {
			if c := e.(map[string]any)["code"]; c != "not_found" {
				t.Errorf("code = %v, want not_found", c)
			}
		}
		ok := k.must(201, "POST", "/api/v1/canned-responses", k.admin, map[string]any{"title": "x", "body": "y",
			"actions": []any{map[string]any{"type": "assign", "value": nil}}})
		r = k.do("PATCH", fmt.Sprintf("/api/v1/canned-responses/%d", num(ok["id"])), k.admin,
			map[string]any{"actions": []any{map[string]any{"type": "set_team", "value": 9999}}})
		if r.status != 400 || fmt.Sprint(fieldErrors(r.json(t))) != "[actions[0].value]" {
			t.Fatalf("patch to unknown team: %d %s", r.status, r.body)
		}
		r = k.do("POST", "/api/v1/canned-responses", k.admin, map[string]any{"title": "x", "body": "y", "language": "fr"})
		es := r.json(t)["errors"].([]any)
		if r.status != 400 || len(es) != 1 || es[0].(map[string]any)["message"] != `must be "he", "en" or "" (any language)` {
			t.Fatalf("bad language: %d %s", r.status, r.body)
		}
	})
}
