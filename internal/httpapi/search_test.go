package httpapi_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestSearchAPI: what the conversation, contact and import paths write is
// searchable at once (same transaction), with visibility, filters that
// follow status changes, snippets and problems naming the field.
func TestSearchAPI(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		t1 := num(k.must(201, "POST", "/api/v1/teams", k.admin, map[string]any{"name": "T1"})["id"])
		t2 := num(k.must(201, "POST", "/api/v1/teams", k.admin, map[string]any{"name": "T2"})["id"])
		_, agentTok := k.agentWithToken("Noa", "agent", t1)
		box := num(k.must(201, "POST", "/api/v1/inboxes", k.admin, map[string]any{"name": "Mail", "channel": "email"})["id"])
		conv := func(team int64, subject, body string) int64 {
			return num(k.must(201, "POST", "/api/v1/conversations", k.admin, map[string]any{"inbox_id": box, "subject": subject,
				"team_id": team, "requester": map[string]any{"email": "dana@example.co.il", "name": "דנה כהן"},
				"message": map[string]any{"direction": "inbound", "body": body}})["id"])
		}
		mine := conv(t1, "ההזמנה לא הגיעה", "שלום, המשלוח שלי מתעכב כבר שבוע")
		theirs := conv(t2, "Refund request", "I want a refund for the <broken> kettle")
		k.must(201, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", mine), k.admin,
			map[string]any{"kind": "note", "body": "בדקתי מול חברת המשלוחים"})
		k.must(200, "POST", "/api/v1/imports/conversations", k.admin,
			`{"external_id":"H-1","inbox":"Mail","subject":"Invoice copy","requester":{"email":"old@example.com"},"created_at":"2025-03-01T10:00:00Z","messages":[{"direction":"inbound","body":"Please send a copy of my invoices","created_at":"2025-03-01T10:00:00Z"}]}`+"\n",
			"Content-Type", "application/x-ndjson")

		find := func(tok, query string) []string {
			t.Helper()
			res := k.must(200, "GET", "/api/v1/search?"+query, tok, nil)
			var out []string
			for _, h := range res["hits"].([]any) {
				m := h.(map[string]any)
				out = append(out, fmt.Sprintf("%s:%d", m["type"], num(m["conversation_id"])+num(m["id"])*boolN(m["type"] == "contact")))
			}
			return out
		}
		q := func(s string) string { return "q=" + url.QueryEscape(s) }
		if got := find(k.admin, q("משלוח")); !slices.Equal(got, []string{fmt.Sprintf("message:%d", mine)}) {
			t.Errorf("משלוח: %v", got)
		}
		if got := find(k.admin, q("refunds")); !slices.Equal(got, []string{fmt.Sprintf("conversation:%d", theirs)}) {
			t.Errorf("refunds: %v", got)
		}
		if got := find(k.admin, q("invoice")); len(got) != 1 || !strings.HasPrefix(got[0], "conversation:") {
			t.Errorf("imported invoice: %v", got)
		}
		if got := find(k.admin, q("כהן")+"&type=contact"); len(got) != 1 || !strings.HasPrefix(got[0], "contact:") {
			t.Errorf("contact: %v", got)
		}
		// The agent of T1 does not see T2's conversation.
		if got := find(agentTok, q("refund")); len(got) != 0 {
			t.Errorf("agent sees %v", got)
		}
		if got := find(agentTok, q("משלוח")); len(got) != 1 {
			t.Errorf("agent: %v", got)
		}
		// A status change moves the conversation's documents.
		k.must(200, "PATCH", fmt.Sprintf("/api/v1/conversations/%d", theirs), k.admin, map[string]any{"status": "solved"})
		if got := find(k.admin, q("refund kettle")+"&status=solved"); len(got) != 1 {
			t.Errorf("status=solved: %v", got)
		}
		if got := find(k.admin, q("refund kettle")+"&status=new"); len(got) != 0 {
			t.Errorf("status=new: %v", got)
		}
		// The subject change is indexed; the snippet is escaped HTML.
		k.must(200, "PATCH", fmt.Sprintf("/api/v1/conversations/%d", theirs), k.admin, map[string]any{"subject": "Kettle damaged"})
		res := k.must(200, "GET", "/api/v1/search?"+q("damaged kettle")+"&type=conversation", k.admin, nil)
		hits := res["hits"].([]any)
		if len(hits) != 1 {
			t.Fatalf("damaged: %v", res)
		}
		if h := hits[0].(map[string]any); h["title"] != "Kettle damaged" || num(h["id"]) != theirs {
			t.Errorf("hit %v", h)
		}
		res = k.must(200, "GET", "/api/v1/search?"+q("broken")+"&type=message", k.admin, nil)
		if h := res["hits"].([]any)[0].(map[string]any); h["snippet"] != "I want a refund for the &lt;<mark>broken</mark>&gt; kettle" {
			t.Errorf("snippet %q", h["snippet"])
		}
		// Contacts: created, updated and merged contacts are indexed; the
		// merged-away one disappears and its email follows the target.
		into := num(k.must(201, "POST", "/api/v1/contacts", k.admin, map[string]any{"name": "Yossi Mizrahi", "emails": []string{"yossi@example.com"}})["id"])
		from := num(k.must(201, "POST", "/api/v1/contacts", k.admin, map[string]any{"name": "Yosef M", "emails": []string{"ym@shop.example"}})["id"])
		k.must(200, "PATCH", fmt.Sprintf("/api/v1/contacts/%d", from), k.admin, map[string]any{"name": "Yosef Mizrahi"})
		if got := find(k.admin, q("mizrahi")+"&type=contact"); !slices.Equal(got, []string{fmt.Sprintf("contact:%d", from), fmt.Sprintf("contact:%d", into)}) &&
			!slices.Equal(got, []string{fmt.Sprintf("contact:%d", into), fmt.Sprintf("contact:%d", from)}) {
			t.Errorf("mizrahi: %v", got)
		}
		k.must(200, "POST", fmt.Sprintf("/api/v1/contacts/%d/merge", into), k.admin, map[string]any{"from_id": from})
		if got := find(k.admin, q("ym")+"&type=contact"); !slices.Equal(got, []string{fmt.Sprintf("contact:%d", into)}) {
			t.Errorf("after merge: %v", got)
		}
		if got := find(k.admin, q("yosef")+"&type=contact"); len(got) != 0 {
			t.Errorf("merged-away contact still found: %v", got)
		}
		for _, c := range []struct{ query, field string }{
			{"", "q"}, {q("x") + "&type=orders", "type"}, {q("x") + "&limit=0", "limit"}, {q("x") + "&status=lost", "status"},
			{q("x") + "&from=yesterday", "from"}, {q("x") + "&lang=fr", "lang"}, {q("x") + "&inbox_id=a", "inbox_id"}, {q("x") + "&sort=new", "sort"},
		} {
			if f := k.problemField("GET", "/api/v1/search?"+c.query, k.admin, nil); f != c.field {
				t.Errorf("%s: field %q, want %q", c.query, f, c.field)
			}
		}
		// A rebuild from the tables gives the same index (documents, terms and
		// totals) and the same answers.
		ctx := context.Background()
		snapshot := func() string {
			var docs, tokens, terms, dfSum int64
			if err := d.R().QueryRow(ctx, `SELECT docs, tokens, (SELECT COUNT(*) FROM search_terms WHERE df > 0), (SELECT COALESCE(SUM(df), 0) FROM search_terms)
				FROM search_stats`).Scan(&docs, &tokens, &terms, &dfSum); err != nil {
				t.Fatal(err)
			}
			return fmt.Sprint(docs, tokens, terms, dfSum, find(k.admin, q("משלוח refund kettle invoice mizrahi")))
		}
		before := snapshot()
		st, err := k.core.Search.Reindex(ctx, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		if after := snapshot(); after != before || st.Conversations != 3 || st.Messages != 4 {
			t.Errorf("reindex %+v: %s, before %s", st, after, before)
		}
		if need, err := k.core.Search.NeedsReindex(ctx); need || err != nil {
			t.Errorf("NeedsReindex = %v, %v", need, err)
		}
	})
}

func boolN(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
