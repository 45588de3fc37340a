package httpapi_test

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/kesherdesk/kesher/internal/agent"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/canned"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/testkit"
)

func TestSuggestionsEndpoint(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		ctx := context.Background()
		teamA, err := k.core.Agents.CreateTeam(ctx, audit.System, agent.TeamInput{Name: "A"})
		if err != nil {
			t.Fatal(err)
		}
		teamB, err := k.core.Agents.CreateTeam(ctx, audit.System, agent.TeamInput{Name: "B"})
		if err != nil {
			t.Fatal(err)
		}
		agentA, tokA := k.agentWithToken("Avi", "agent", teamA.ID)
		ib, err := k.core.Inboxes.Create(ctx, audit.System, inbox.Input{Name: "chat", Channel: "chat"})
		if err != nil {
			t.Fatal(err)
		}
		all := canned.Scope{All: true}
		mk := func(title, body, lang string, team *int64) int64 {
			r, err := k.core.Canned.Create(ctx, audit.System, all, canned.Input{Title: title, Body: body, Language: lang, TeamID: team})
			if err != nil {
				t.Fatal(err)
			}
			return r.ID
		}
		// Context words (normalize.Stems): חזר, ספי, זמנה (and whatever
		// else is not a stop word). Scores: title word 3, body word 1.
		refund := mk("החזר כספי", "ההחזר יגיע תוך 14 יום", "he", nil) // 3+3 (title) + 1 (body) = 7
		shipping := mk("משלוחים", "אפשר גם החזר דמי משלוח", "", nil)  // 1
		mk("ברכה", "שלום וברכה", "he", nil)                           // 0: left out
		teamOnly := mk("החזר לצוות ב", "החזר", "he", &teamB.ID)       // 3 + 1 = 4, team B only
		mk("החזר באנגלית", "Refunds take 14 days", "en", nil)         // another language: left out
		c, _, err := k.core.Conversations.Create(ctx, audit.System, conversation.CreateInput{InboxID: ib.ID, Subject: "החזר כספי",
			Language: "he", TeamID: &teamA.ID, Requester: conversation.RequesterInput{Name: "רות", Email: "ruth@example.com"},
			Message: &conversation.MessageInput{Direction: conversation.DirectionInbound, Body: "אני רוצה החזר כספי על ההזמנה"}})
		if err != nil {
			t.Fatal(err)
		}
		path := "/api/v1/conversations/" + strconv.FormatInt(c.ID, 10) + "/suggestions"
		cannedIDs := func(m map[string]any) []int64 {
			var out []int64
			for _, x := range m["canned"].([]any) {
				out = append(out, num(x.(map[string]any)["id"]))
			}
			return out
		}
		got := k.must(200, "GET", path, tokA, nil)
		if ids := cannedIDs(got); !slices.Equal(ids, []int64{refund, shipping}) {
			t.Errorf("agent's canned %v, want %v", ids, []int64{refund, shipping})
		}
		if arts, _ := got["articles"].([]any); arts == nil || len(arts) != 0 {
			t.Errorf("articles %v, want [] (no articles indexed)", got["articles"])
		}
		first := got["canned"].([]any)[0].(map[string]any)
		if first["title"] != "החזר כספי" || first["snippet"] != "ההחזר יגיע תוך 14 יום" {
			t.Errorf("first suggestion %v", first)
		}
		if ids := cannedIDs(k.must(200, "GET", path, k.admin, nil)); !slices.Equal(ids, []int64{refund, teamOnly, shipping}) {
			t.Errorf("admin's canned %v, want %v", ids, []int64{refund, teamOnly, shipping})
		}

		// Visibility: another team's conversation is forbidden.
		cb, _, err := k.core.Conversations.Create(ctx, audit.System, conversation.CreateInput{InboxID: ib.ID, Subject: "x",
			TeamID: &teamB.ID, Requester: conversation.RequesterInput{Email: "b@example.com"},
			Message: &conversation.MessageInput{Direction: conversation.DirectionInbound, Body: "החזר"}})
		if err != nil {
			t.Fatal(err)
		}
		if r := k.do("GET", "/api/v1/conversations/"+strconv.FormatInt(cb.ID, 10)+"/suggestions", tokA, nil); r.status != 403 {
			t.Errorf("other team's conversation: %d, want 403", r.status)
		}
		// A token without kb:read is forbidden; without canned:read it gets no canned responses.
		noKB, _, err := k.core.Auth.CreateToken(ctx, agentA, "no-kb", []string{"conversations:read", "canned:read"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r := k.do("GET", path, noKB, nil); r.status != 403 {
			t.Errorf("without kb:read: %d, want 403", r.status)
		}
		noCanned, _, err := k.core.Auth.CreateToken(ctx, agentA, "no-canned", []string{"conversations:read", "kb:read"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := k.must(200, "GET", path, noCanned, nil); len(got["canned"].([]any)) != 0 {
			t.Errorf("without canned:read: %v", got["canned"])
		}
		if r := k.do("GET", "/api/v1/conversations/999999/suggestions", k.admin, nil); r.status != 404 {
			t.Errorf("unknown conversation: %d", r.status)
		}
		if r := k.do("GET", path+"?x=1", tokA, nil); r.status != 400 {
			t.Errorf("unknown parameter: %d", r.status)
		}
	})
}

func TestBotStatsEndpoint(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		_, tokAgent := k.agentWithToken("Gil", "agent")
		got := k.must(200, "GET", "/api/v1/bot/stats?from=2026-01-01&to=2026-02-01", k.admin, nil)
		if inb := got["inboxes"].([]any); len(inb) != 0 || num(got["total"].(map[string]any)["taken"]) != 0 {
			t.Errorf("stats %v", got)
		}
		if r := k.do("GET", "/api/v1/bot/stats?from=2026-01-01&to=2026-02-01", tokAgent, nil); r.status != 403 {
			t.Errorf("agent: %d, want 403", r.status)
		}
		for q, field := range map[string]string{"from=x&to=2026-02-01": "from", "from=2026-01-01": "to",
			"from=2026-02-01&to=2026-01-01": "to", "from=2026-01-01&to=2026-02-01&inbox_id=-1": "inbox_id"} {
			if got := fieldOf(t, k.do("GET", "/api/v1/bot/stats?"+q, k.admin, nil)); got != field {
				t.Errorf("%s: problem names %s, want %s", q, got, field)
			}
		}
	})
}
