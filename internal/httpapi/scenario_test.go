package httpapi_test

import (
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestConversationLifecycle walks the core use case end to end over HTTP:
// contact → conversation with first message → agent reply → note → status
// and assignee change → audit trail, and reopen / follow-up rules.
func TestConversationLifecycle(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		team := k.must(201, "POST", "/api/v1/teams", k.admin, map[string]any{"name": "Support"})
		teamID := num(team["id"])
		agentID, agentTok := k.agentWithToken("Noa", "agent", teamID)
		box := k.must(201, "POST", "/api/v1/inboxes", k.admin, map[string]any{"name": "API", "channel": "api", "team_id": teamID})
		contact := k.must(201, "POST", "/api/v1/contacts", k.admin, map[string]any{
			"name": "דנה כהן", "emails": []string{"Dana@Example.co.il"}, "phones": []string{"+972 54-123-4567"}, "tier": "vip"})
		if got := contact["emails"].([]any)[0]; got != "dana@example.co.il" {
			t.Fatalf("email normalized to %v", got)
		}
		if got := contact["phones"].([]any)[0]; got != "+972541234567" {
			t.Fatalf("phone normalized to %v", got)
		}

		conv := k.must(201, "POST", "/api/v1/conversations", agentTok, map[string]any{
			"inbox_id": num(box["id"]), "subject": "ההזמנה לא הגיעה", "priority": "high",
			"requester": map[string]any{"id": num(contact["id"])},
			"message":   map[string]any{"direction": "inbound", "body": "שלום, הזמנה 1234 לא הגיעה"},
			"tags":      []string{"Late Delivery", "vip"},
		})
		id := num(conv["id"])
		// The create response is built from the transaction's writes; it must
		// equal what a later read returns.
		got := k.must(200, "GET", fmt.Sprintf("/api/v1/conversations/%d", id), agentTok, nil)
		created := maps.Clone(conv)
		delete(created, "message")
		if !reflect.DeepEqual(created, got) {
			t.Fatalf("create response differs from GET:\n%v\n%v", created, got)
		}
		if conv["status"] != "new" || num(conv["message_count"]) != 1 || num(conv["team_id"]) != teamID || conv["channel"] != "api" {
			t.Fatalf("created conversation: %v", conv)
		}
		if !slices.Equal(toStrings(conv["tags"]), []string{"late-delivery", "vip"}) {
			t.Fatalf("tags = %v", conv["tags"])
		}
		if conv["last_customer_message_at"] == nil || conv["first_response_at"] != nil {
			t.Fatalf("timestamps after customer message: %v", conv)
		}

		reply := k.must(201, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", id), agentTok,
			map[string]any{"body": "We are on it.", "html": "<p dir=\"auto\">We are <b>on it</b><script>alert(1)</script></p>"})
		if reply["direction"] != "outbound" || reply["author_type"] != "agent" || num(reply["author_id"]) != agentID {
			t.Fatalf("reply: %v", reply)
		}
		if h := reply["body_html"].(string); strings.Contains(h, "script") || !strings.Contains(h, "<b>on it</b>") {
			t.Fatalf("html not sanitized as expected: %q", h)
		}
		after := reply["conversation"].(map[string]any)
		if after["status"] != "open" || after["first_response_at"] != reply["created_at"] {
			t.Fatalf("after first reply: status %v first_response_at %v (reply at %v)", after["status"], after["first_response_at"], reply["created_at"])
		}

		note := k.must(201, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", id), agentTok, map[string]any{"kind": "note", "body": "Checked with the courier"})
		if note["direction"] != "internal" || note["conversation"].(map[string]any)["status"] != "open" {
			t.Fatalf("note: %v", note)
		}

		upd := k.must(200, "PATCH", fmt.Sprintf("/api/v1/conversations/%d", id), agentTok, map[string]any{"status": "pending", "assignee_id": agentID})
		if upd["status"] != "pending" || num(upd["assignee_id"]) != agentID {
			t.Fatalf("update: %v", upd)
		}
		auditLog := k.must(200, "GET", fmt.Sprintf("/api/v1/conversations/%d/audit", id), agentTok, nil)["data"].([]any)
		last := auditLog[len(auditLog)-1].(map[string]any)
		ch := last["changes"].(map[string]any)
		if st := ch["status"].(map[string]any); st["from"] != "open" || st["to"] != "pending" {
			t.Fatalf("audit status change: %v", ch)
		}
		if as := ch["assignee_id"].(map[string]any); as["from"] != nil || num(as["to"]) != agentID {
			t.Fatalf("audit assignee change: %v", ch)
		}
		if actor := last["actor"].(map[string]any); num(actor["id"]) != agentID {
			t.Fatalf("audit actor: %v", actor)
		}

		thread := k.must(200, "GET", fmt.Sprintf("/api/v1/conversations/%d/messages", id), agentTok, nil)["data"].([]any)
		var kinds []string
		for _, m := range thread {
			mm := m.(map[string]any)
			kinds = append(kinds, mm["kind"].(string))
		}
		// The first agent reply moved new → open by itself; that is recorded too.
		if !slices.Equal(kinds, []string{"reply", "reply", "event", "note", "event", "event"}) {
			t.Fatalf("thread kinds = %v", kinds)
		}
		if ev := thread[2].(map[string]any)["channel_meta"].(map[string]any); ev["event"] != "status_changed" || ev["from"] != "new" || ev["to"] != "open" {
			t.Fatalf("automatic status change event: %v", ev)
		}

		// Customer answers while pending → open; solve; customer answers → reopened.
		k.must(201, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", id), k.admin, map[string]any{"direction": "inbound", "body": "Any news?"})
		if c := k.must(200, "GET", fmt.Sprintf("/api/v1/conversations/%d", id), agentTok, nil); c["status"] != "open" {
			t.Fatalf("pending + customer reply → %v, want open", c["status"])
		}
		if c := k.must(200, "PATCH", fmt.Sprintf("/api/v1/conversations/%d", id), agentTok, map[string]any{"status": "solved"}); c["solved_at"] == nil {
			t.Fatalf("solved without solved_at: %v", c)
		}
		re := k.must(201, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", id), k.admin, map[string]any{"direction": "inbound", "body": "Still not here"})
		rc := re["conversation"].(map[string]any)
		if rc["status"] != "open" || num(rc["reopen_count"]) != 1 || rc["solved_at"] != nil || num(rc["id"]) != id {
			t.Fatalf("reopen after solve: %v", rc)
		}
		// Closing needs solved first; a closed conversation is frozen and a
		// customer reply starts a linked follow-up.
		if r := k.do("PATCH", fmt.Sprintf("/api/v1/conversations/%d", id), agentTok, map[string]any{"status": "closed"}); r.status != 400 {
			t.Fatalf("open → closed: %d, want 400", r.status)
		}
		k.must(200, "PATCH", fmt.Sprintf("/api/v1/conversations/%d", id), agentTok, map[string]any{"status": "solved"})
		k.must(200, "PATCH", fmt.Sprintf("/api/v1/conversations/%d", id), agentTok, map[string]any{"status": "closed"})
		if r := k.do("PATCH", fmt.Sprintf("/api/v1/conversations/%d", id), agentTok, map[string]any{"priority": "low"}); r.status != 409 {
			t.Fatalf("changing a closed conversation: %d, want 409", r.status)
		}
		fu := k.must(201, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", id), k.admin, map[string]any{"direction": "inbound", "body": "It broke again"})
		fc := fu["conversation"].(map[string]any)
		if num(fc["id"]) == id || num(fc["follow_up_of"]) != id || fc["status"] != "new" || num(fc["requester_id"]) != num(contact["id"]) {
			t.Fatalf("follow-up: %v", fc)
		}
	})
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// TestListFilters checks every list filter against a known set.
func TestListFilters(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		t1 := num(k.must(201, "POST", "/api/v1/teams", k.admin, map[string]any{"name": "T1"})["id"])
		t2 := num(k.must(201, "POST", "/api/v1/teams", k.admin, map[string]any{"name": "T2"})["id"])
		a1, tok1 := k.agentWithToken("Avi", "agent", t1)
		a2, _ := k.agentWithToken("Bat", "agent", t2)
		email := num(k.must(201, "POST", "/api/v1/inboxes", k.admin, map[string]any{"name": "Mail", "channel": "email"})["id"])
		chat := num(k.must(201, "POST", "/api/v1/inboxes", k.admin, map[string]any{"name": "Chat", "channel": "chat"})["id"])
		mk := func(inbox int64, requester string, team, assignee int64, tags []string, priority string) int64 {
			body := map[string]any{"inbox_id": inbox, "subject": "s", "priority": priority, "tags": tags,
				"requester": map[string]any{"email": requester}, "message": map[string]any{"direction": "inbound", "body": "hi"}}
			if team != 0 {
				body["team_id"] = team
			}
			if assignee != 0 {
				body["assignee_id"] = assignee
			}
			return num(k.must(201, "POST", "/api/v1/conversations", k.admin, body)["id"])
		}
		c1 := mk(email, "a@x.com", t1, a1, []string{"refund"}, "high")
		c2 := mk(email, "b@x.com", t1, 0, nil, "normal")
		c3 := mk(chat, "a@x.com", t2, a2, []string{"refund", "vip"}, "urgent")
		c4 := mk(chat, "c@x.com", 0, 0, nil, "low")
		time.Sleep(3 * time.Millisecond) // instants are stored with millisecond precision
		mid := time.Now().UTC()
		time.Sleep(3 * time.Millisecond)
		k.must(200, "PATCH", fmt.Sprintf("/api/v1/conversations/%d", c2), k.admin, map[string]any{"status": "pending"})
		reqA := num(k.must(200, "GET", fmt.Sprintf("/api/v1/conversations/%d", c1), k.admin, nil)["requester_id"])

		cases := []struct {
			query string
			token string
			want  []int64
		}{
			{"", k.admin, []int64{c4, c3, c2, c1}},
			{"status=new", k.admin, []int64{c4, c3, c1}},
			{"status=pending,open", k.admin, []int64{c2}},
			{"assignee=" + fmt.Sprint(a1), k.admin, []int64{c1}},
			{"assignee=none", k.admin, []int64{c4, c2}},
			{"assignee=me", tok1, []int64{c1}},
			{"team=" + fmt.Sprint(t2), k.admin, []int64{c3}},
			{"team=none", k.admin, []int64{c4}},
			{"tag=refund", k.admin, []int64{c3, c1}},
			{"tag=VIP", k.admin, []int64{c3}},
			{"tag=nosuchtag", k.admin, nil},
			{"inbox=" + fmt.Sprint(chat), k.admin, []int64{c4, c3}},
			{"requester=" + fmt.Sprint(reqA), k.admin, []int64{c3, c1}},
			{"channel=email", k.admin, []int64{c2, c1}},
			{"priority=urgent,high", k.admin, []int64{c3, c1}},
			{"updated_since=" + url.QueryEscape(mid.Format(time.RFC3339Nano)), k.admin, []int64{c2}},
			{"sort=created_at", k.admin, []int64{c1, c2, c3, c4}},
			{"sort=-updated_at", k.admin, []int64{c2, c4, c3, c1}},
			// Agent 1 (team T1) sees T1's conversations and the unteamed one, never T2's.
			{"", tok1, []int64{c4, c2, c1}},
		}
		for _, tc := range cases {
			got := ids(k.must(200, "GET", "/api/v1/conversations?"+tc.query, tc.token, nil))
			if !slices.Equal(got, tc.want) {
				t.Errorf("?%s: got %v, want %v", tc.query, got, tc.want)
			}
		}
		for _, bad := range []string{"status=bogus", "limit=1000", "cursor=xyz", "stauts=open", "assignee=nobody", "updated_since=yesterday", "sort=subject"} {
			r := k.do("GET", "/api/v1/conversations?"+bad, k.admin, nil)
			if r.status != 400 || !strings.Contains(string(r.body), `"field"`) {
				t.Errorf("?%s: status %d, want 400 with a field\n%s", bad, r.status, r.body)
			}
		}
	})
}

// TestCursorStableUnderInserts pages through the list with a small limit
// while other clients keep creating conversations: every conversation that
// existed when paging began is seen exactly once, in order.
func TestCursorStableUnderInserts(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		box := num(k.must(201, "POST", "/api/v1/inboxes", k.admin, map[string]any{"name": "API", "channel": "api"})["id"])
		create := func(i int) int64 {
			return num(k.must(201, "POST", "/api/v1/conversations", k.admin, map[string]any{"inbox_id": box, "subject": fmt.Sprint("c", i),
				"requester": map[string]any{"email": fmt.Sprintf("p%d@x.com", i)}, "message": map[string]any{"body": "x", "direction": "inbound"}})["id"])
		}
		var before []int64
		for i := range 40 {
			before = append([]int64{create(i)}, before...)
		}
		var wg sync.WaitGroup
		stop := make(chan struct{})
		wg.Add(2)
		for w := range 2 {
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
						create(1000*(w+1) + i)
					}
				}
			}()
		}
		var seen []int64
		cursor := ""
		for {
			q := "/api/v1/conversations?limit=7"
			if cursor != "" {
				q += "&cursor=" + url.QueryEscape(cursor)
			}
			pg := k.must(200, "GET", q, k.admin, nil)
			seen = append(seen, ids(pg)...)
			next, _ := pg["next_cursor"].(string)
			if next == "" {
				break
			}
			cursor = next
			time.Sleep(2 * time.Millisecond)
		}
		close(stop)
		wg.Wait()
		// Rows inserted during paging may only appear at the very start (first page); after them comes exactly `before`.
		i := slices.Index(seen, before[0])
		if i < 0 || !slices.Equal(seen[i:], before) {
			t.Fatalf("paged ids do not end with the original %d conversations in order:\n got %v\nwant …%v", len(before), seen, before)
		}
		for j := 1; j < len(seen); j++ {
			if seen[j] >= seen[j-1] {
				t.Fatalf("ids not strictly descending at %d: %v", j, seen)
			}
		}
	})
}
