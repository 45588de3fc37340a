package httpapi_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// fieldOf returns the first field a 400 problem names.
func fieldOf(t *testing.T, r resp) string {
	t.Helper()
	if r.status != 400 {
		t.Fatalf("status %d, want 400\n%s", r.status, r.body)
	}
	errsList, _ := r.json(t)["errors"].([]any)
	if len(errsList) == 0 {
		t.Fatalf("400 without errors: %s", r.body)
	}
	return errsList[0].(map[string]any)["field"].(string)
}

// TestViewsAndSearch walks the sidebar: search, saved views, counts.
func TestViewsAndSearch(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		t1 := num(k.must(201, "POST", "/api/v1/teams", k.admin, map[string]any{"name": "T1"})["id"])
		t2 := num(k.must(201, "POST", "/api/v1/teams", k.admin, map[string]any{"name": "T2"})["id"])
		noa, noaTok := k.agentWithToken("Noa", "agent", t1)
		_, otherTok := k.agentWithToken("Avi", "agent", t1)
		box := num(k.must(201, "POST", "/api/v1/inboxes", k.admin, map[string]any{"name": "Mail", "channel": "email"})["id"])
		mk := func(subject, email string, team, assignee int64) int64 {
			body := map[string]any{"inbox_id": box, "subject": subject, "requester": map[string]any{"email": email, "name": "Dana Cohen"},
				"message": map[string]any{"direction": "inbound", "body": "hi"}}
			if team != 0 {
				body["team_id"] = team
			}
			if assignee != 0 {
				body["assignee_id"] = assignee
			}
			return num(k.must(201, "POST", "/api/v1/conversations", k.admin, body)["id"])
		}
		c1 := mk("Refund please", "dana@example.co.il", t1, noa)
		c2 := mk("החזר כספי", "yossi@shop.com", t1, 0)
		c3 := mk("Refund too", "x@y.com", t2, 0)

		for _, tc := range []struct {
			q, token string
			want     []int64
		}{
			{"REFUND", k.admin, []int64{c3, c1}},
			{"REFUND", noaTok, []int64{c1}}, // visibility still applies
			{"shop.com", noaTok, []int64{c2}},
			{"#" + fmt.Sprint(c2), noaTok, []int64{c2}},
			{"dana cohen", k.admin, []int64{c3, c2, c1}},
		} {
			got := ids(k.must(200, "GET", "/api/v1/conversations?q="+url.QueryEscape(tc.q), tc.token, nil))
			if !slices.Equal(got, tc.want) {
				t.Errorf("q=%q: got %v, want %v", tc.q, got, tc.want)
			}
		}
		if f := fieldOf(t, k.do("GET", "/api/v1/conversations?q="+strings.Repeat("x", 201), noaTok, nil)); f != "q" {
			t.Errorf("long q names %q", f)
		}
		if f := fieldOf(t, k.do("GET", "/api/v1/conversations?channel=fax", noaTok, nil)); f != "channel" {
			t.Errorf("bad channel names %q", f)
		}

		v := k.must(201, "POST", "/api/v1/views", noaTok, map[string]any{"name": "My refunds",
			"filters": map[string]any{"statuses": []string{"new", "open"}, "assignee": "me", "q": "refund"}, "sort": "-updated_at"})
		vid := num(v["id"])
		f := v["filters"].(map[string]any)
		if v["name"] != "My refunds" || f["assignee"] != "me" || f["team"] != "" || num(v["position"]) != 0 || len(f["priorities"].([]any)) != 0 {
			t.Fatalf("created view: %v", v)
		}
		for body, field := range map[string]string{
			`{"name": "x", "filters": {"assignee": "nobody"}}`: "filters.assignee",
			`{"name": "x", "filters": {"statuses": ["done"]}}`: "filters.statuses",
			`{"name": "x", "filters": {"colour": "red"}}`:      "filters.colour",
			`{"name": "", "filters": {}}`:                      "name",
			`{"name": "x", "sort": "subject"}`:                 "sort",
		} {
			if got := fieldOf(t, k.do("POST", "/api/v1/views", noaTok, body)); got != field {
				t.Errorf("POST /views %s: field %q, want %q", body, got, field)
			}
		}
		if r := k.do("PATCH", fmt.Sprintf("/api/v1/views/%d", vid), otherTok, map[string]any{"name": "stolen"}); r.status != 404 {
			t.Fatalf("another agent's view: %d, want 404", r.status)
		}
		if r := k.do("DELETE", fmt.Sprintf("/api/v1/views/%d", vid), otherTok, nil); r.status != 404 {
			t.Fatalf("delete another agent's view: %d, want 404", r.status)
		}
		if got := k.must(200, "GET", "/api/v1/views", otherTok, nil)["data"].([]any); len(got) != 0 {
			t.Fatalf("another agent lists %v", got)
		}
		if f := fieldOf(t, k.do("PATCH", fmt.Sprintf("/api/v1/views/%d", vid), noaTok, `{"filters": {"stauts": ["open"]}}`)); f != "filters.stauts" {
			t.Errorf("PATCH with an unknown filter names %q", f)
		}
		up := k.must(200, "PATCH", fmt.Sprintf("/api/v1/views/%d", vid), noaTok, map[string]any{"name": "Refunds", "position": 3})
		if up["name"] != "Refunds" || num(up["position"]) != 3 || up["sort"] != "-updated_at" {
			t.Fatalf("patched view: %v", up)
		}
		team := k.must(201, "POST", "/api/v1/views", noaTok, map[string]any{"name": "Team queue", "filters": map[string]any{"team": fmt.Sprint(t1), "assignee": "none"}})

		counts := k.must(200, "GET", "/api/v1/views/counts", noaTok, nil)
		st := counts["statuses"].(map[string]any)
		if num(counts["mine"]) != 1 || num(counts["unassigned"]) != 1 || num(counts["open"]) != 2 || num(st["new"]) != 2 || num(st["closed"]) != 0 {
			t.Fatalf("counts: %v", counts)
		}
		if teams := counts["teams"].(map[string]any); len(teams) != 1 || num(teams[fmt.Sprint(t1)]) != 2 {
			t.Fatalf("team counts: %v", teams)
		}
		views := counts["views"].(map[string]any)
		if num(views[fmt.Sprint(vid)]) != 1 || num(views[fmt.Sprint(num(team["id"]))]) != 1 {
			t.Fatalf("view counts: %v", views)
		}
		if r := k.do("GET", "/api/v1/views/counts?x=1", noaTok, nil); r.status != 400 {
			t.Fatalf("unknown query parameter: %d", r.status)
		}
		k.must(204, "DELETE", fmt.Sprintf("/api/v1/views/%d", vid), noaTok, nil)
		if got := ids(k.must(200, "GET", "/api/v1/views", noaTok, nil)); !slices.Equal(got, []int64{num(team["id"])}) {
			t.Fatalf("views after delete: %v", got)
		}
	})
}

// TestCannedResponsesAPI: permissions, team scoping and rendering.
func TestCannedResponsesAPI(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		t1 := num(k.must(201, "POST", "/api/v1/teams", k.admin, map[string]any{"name": "T1"})["id"])
		t2 := num(k.must(201, "POST", "/api/v1/teams", k.admin, map[string]any{"name": "T2"})["id"])
		_, agentTok := k.agentWithToken("Noa", "agent", t1)
		_, supTok := k.agentWithToken("Dan", "supervisor", t1)
		box := num(k.must(201, "POST", "/api/v1/inboxes", k.admin, map[string]any{"name": "Mail", "channel": "email"})["id"])
		conv := func(team int64) int64 {
			return num(k.must(201, "POST", "/api/v1/conversations", k.admin, map[string]any{"inbox_id": box, "subject": "ההזמנה לא הגיעה",
				"team_id": team, "requester": map[string]any{"email": "dana@example.co.il", "name": "דנה כהן"},
				"message": map[string]any{"direction": "inbound", "body": "hi"}})["id"])
		}
		mine, theirs := conv(t1), conv(t2)

		body := map[string]any{"title": "Late order", "body": "שלום {{contact.first_name}}, לגבי פנייה #{{conversation.number}}: {{agent.first_name}} {{x.y}}",
			"language": "he", "shortcut": "late"}
		if r := k.do("POST", "/api/v1/canned-responses", agentTok, body); r.status != 403 {
			t.Fatalf("agent creates: %d, want 403", r.status)
		}
		cr := k.must(201, "POST", "/api/v1/canned-responses", supTok, body)
		id := num(cr["id"])
		if cr["team_id"] != nil || num(cr["created_by"]) == 0 || cr["language"] != "he" {
			t.Fatalf("created: %v", cr)
		}
		body["team_id"] = t2
		if f := fieldOf(t, k.do("POST", "/api/v1/canned-responses", supTok, body)); f != "team_id" {
			t.Fatalf("supervisor shares with another team: field %q", f)
		}
		other := num(k.must(201, "POST", "/api/v1/canned-responses", k.admin, body)["id"])

		if got := ids(k.must(200, "GET", "/api/v1/canned-responses?language=he&q=late", agentTok, nil)); !slices.Equal(got, []int64{id}) {
			t.Fatalf("agent lists %v, want only %d", got, id)
		}
		if r := k.do("GET", fmt.Sprintf("/api/v1/canned-responses/%d", other), agentTok, nil); r.status != 404 {
			t.Fatalf("another team's response: %d, want 404", r.status)
		}
		if f := fieldOf(t, k.do("GET", "/api/v1/canned-responses?language=fr", agentTok, nil)); f != "language" {
			t.Fatalf("bad language: %q", f)
		}

		got := k.must(200, "GET", fmt.Sprintf("/api/v1/canned-responses/%d/render?conversation_id=%d", id, mine), agentTok, nil)
		if want := fmt.Sprintf("שלום דנה, לגבי פנייה #%d: Noa {{x.y}}", mine); got["body"] != want {
			t.Fatalf("rendered %q, want %q", got["body"], want)
		}
		if r := k.do("GET", fmt.Sprintf("/api/v1/canned-responses/%d/render?conversation_id=%d", id, theirs), agentTok, nil); r.status != 403 {
			t.Fatalf("render for an invisible conversation: %d, want 403", r.status)
		}
		if f := fieldOf(t, k.do("GET", fmt.Sprintf("/api/v1/canned-responses/%d/render", id), agentTok, nil)); f != "conversation_id" {
			t.Fatalf("render without conversation: %q", f)
		}
		if f := fieldOf(t, k.do("GET", fmt.Sprintf("/api/v1/canned-responses/%d/render?conversation_id=9999", id), agentTok, nil)); f != "conversation_id" {
			t.Fatalf("render for a missing conversation: %q", f)
		}

		up := k.must(200, "PATCH", fmt.Sprintf("/api/v1/canned-responses/%d", id), supTok, map[string]any{"title": "Late delivery", "team_id": t1})
		if up["title"] != "Late delivery" || num(up["team_id"]) != t1 {
			t.Fatalf("patched: %v", up)
		}
		if r := k.do("DELETE", fmt.Sprintf("/api/v1/canned-responses/%d", id), agentTok, nil); r.status != 403 {
			t.Fatalf("agent deletes: %d, want 403", r.status)
		}
		k.must(204, "DELETE", fmt.Sprintf("/api/v1/canned-responses/%d", id), supTok, nil)
		if r := k.do("GET", fmt.Sprintf("/api/v1/canned-responses/%d", id), supTok, nil); r.status != 404 {
			t.Fatalf("after delete: %d", r.status)
		}
		perms := k.must(200, "GET", "/api/v1/me", agentTok, nil)["permissions"].([]any)
		if !slices.Contains(perms, any("canned:read")) || slices.Contains(perms, any("canned:write")) {
			t.Fatalf("agent permissions: %v", perms)
		}
	})
}

// TestContactMergeAPI: the merged contact disappears, its conversations
// follow, and bad merges name from_id.
func TestContactMergeAPI(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		into := num(k.must(201, "POST", "/api/v1/contacts", k.admin, map[string]any{"emails": []string{"dana@work.com"}})["id"])
		from := num(k.must(201, "POST", "/api/v1/contacts", k.admin, map[string]any{"name": "Dana", "emails": []string{"dana@home.com"}})["id"])
		box := num(k.must(201, "POST", "/api/v1/inboxes", k.admin, map[string]any{"name": "API", "channel": "api"})["id"])
		conv := num(k.must(201, "POST", "/api/v1/conversations", k.admin, map[string]any{"inbox_id": box, "subject": "s",
			"requester": map[string]any{"id": from}, "message": map[string]any{"direction": "inbound", "body": "hi"}})["id"])

		merged := k.must(200, "POST", fmt.Sprintf("/api/v1/contacts/%d/merge", into), k.admin, map[string]any{"from_id": from})
		if merged["name"] != "Dana" || len(merged["emails"].([]any)) != 2 {
			t.Fatalf("merged: %v", merged)
		}
		if r := k.do("GET", fmt.Sprintf("/api/v1/contacts/%d", from), k.admin, nil); r.status != 404 {
			t.Fatalf("GET merged contact: %d, want 404", r.status)
		}
		if got := ids(k.must(200, "GET", "/api/v1/contacts", k.admin, nil)); !slices.Equal(got, []int64{into}) {
			t.Fatalf("contact list: %v", got)
		}
		if c := k.must(200, "GET", fmt.Sprintf("/api/v1/conversations/%d", conv), k.admin, nil); num(c["requester_id"]) != into {
			t.Fatalf("conversation requester: %v", c["requester_id"])
		}
		for _, body := range []any{map[string]any{"from_id": into}, map[string]any{"from_id": from}, map[string]any{"from_id": 999}, map[string]any{}} {
			if f := fieldOf(t, k.do("POST", fmt.Sprintf("/api/v1/contacts/%d/merge", into), k.admin, body)); f != "from_id" {
				t.Errorf("merge %v: field %q", body, f)
			}
		}
		if r := k.do("POST", fmt.Sprintf("/api/v1/contacts/%d/merge", from), k.admin, map[string]any{"from_id": into}); r.status != 404 {
			t.Fatalf("merge into a merged contact: %d, want 404", r.status)
		}
	})
}
