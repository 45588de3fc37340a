package httpapi_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/kesherdesk/kesher/internal/agent"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/channel/email"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestRawMessage downloads the original of a mail; a message that did not
// come by email has none, and team visibility applies.
func TestRawMessage(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		ctx := context.Background()
		team, err := k.core.Agents.CreateTeam(ctx, audit.System, agent.TeamInput{Name: "Billing"})
		if err != nil {
			t.Fatal(err)
		}
		box, err := k.core.Inboxes.Create(ctx, audit.System, inbox.Input{Name: "Mail", Channel: "email", Address: "support@kesher.test",
			TeamID: &team.ID})
		if err != nil {
			t.Fatal(err)
		}
		raw := "From: =?UTF-8?B?15PXoNeU?= <dana@example.co.il>\r\nTo: support@kesher.test\r\nSubject: Raw\r\nMessage-ID: <raw-1@x>\r\n\r\nשלום\r\n"
		res, err := k.core.Email.Ingest(ctx, box.ID, []byte(raw), email.SourceAPI)
		if err != nil || res.Status != email.StatusParsed {
			t.Fatalf("%+v %v", res, err)
		}
		r := k.do("GET", fmt.Sprintf("/api/v1/messages/%d/raw", res.MessageID), k.admin, nil)
		if r.status != 200 || string(r.body) != raw || r.header.Get("Content-Type") != "message/rfc822" ||
			r.header.Get("Content-Disposition") != fmt.Sprintf(`attachment; filename="message-%d.eml"`, res.MessageID) {
			t.Fatalf("raw: %d %v %q", r.status, r.header, r.body)
		}
		_, other := k.agentWithToken("Other", auth.RoleAgent)
		if r := k.do("GET", fmt.Sprintf("/api/v1/messages/%d/raw", res.MessageID), other, nil); r.status != 403 {
			t.Fatalf("other team's agent: %d", r.status)
		}
		note := k.must(201, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", res.ConversationID), k.admin,
			map[string]any{"kind": "note", "body": "internal"})
		msg := note["message"]
		if msg == nil {
			msg = note
		}
		id := num(msg.(map[string]any)["id"])
		if r := k.do("GET", fmt.Sprintf("/api/v1/messages/%d/raw", id), k.admin, nil); r.status != 404 {
			t.Fatalf("note raw: %d", r.status)
		}
		if r := k.do("GET", "/api/v1/messages/999999/raw", k.admin, nil); r.status != 404 {
			t.Fatalf("missing message raw: %d", r.status)
		}
	})
}

// TestIngestMailAPI posts a raw mail to an inbox, then the same again.
func TestIngestMailAPI(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		box := k.must(201, "POST", "/api/v1/inboxes", k.admin, map[string]any{"name": "Mail", "channel": "email", "address": "support@kesher.test"})
		path := fmt.Sprintf("/api/v1/inboxes/%d/mail", num(box["id"]))
		raw := "From: Dana <dana@example.co.il>\r\nTo: support@kesher.test\r\nSubject: By API\r\nMessage-ID: <api-1@x>\r\n\r\nHello\r\n"
		r := k.do("POST", path, k.admin, raw, "Content-Type", "message/rfc822")
		res := r.json(t)
		if r.status != 201 || res["status"] != "parsed" || res["created"] != true || num(res["conversation_id"]) == 0 {
			t.Fatalf("first: %d %v", r.status, res)
		}
		r = k.do("POST", path, k.admin, raw, "Content-Type", "message/rfc822")
		if again := r.json(t); r.status != 200 || again["status"] != "duplicate" || again["message_id"] != res["message_id"] {
			t.Fatalf("again: %d %v", r.status, again)
		}
		if r := k.do("POST", path, k.admin, raw, "Content-Type", "text/plain"); r.status != 400 {
			t.Fatalf("wrong content type: %d", r.status)
		}
		// An agent (conversations:write) may not write mail into inboxes:
		// that could reach conversations they cannot see, and a duplicate's
		// answer would confirm a Message-ID.
		_, agentTok := k.agentWithToken("Rachel", "agent")
		if r := k.do("POST", path, agentTok, raw, "Content-Type", "message/rfc822"); r.status != 403 {
			t.Fatalf("agent posting mail: %d, want 403", r.status)
		}
		conv := k.must(200, "GET", fmt.Sprintf("/api/v1/conversations/%d", num(res["conversation_id"])), k.admin, nil)
		if conv["subject"] != "By API" {
			t.Fatalf("conversation %v", conv)
		}
	})
}
