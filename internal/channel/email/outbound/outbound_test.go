package outbound_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/agent"
	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/channel/email/outbound"
	"github.com/kesherdesk/kesher/internal/channel/email/parse"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/jobs"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// desk is one store with a core, an outbound service on its own fast
// runner, an email inbox whose SMTP server is a sink on loopback, and a
// dispatcher the test drives.
type desk struct {
	t      *testing.T
	ctx    context.Context
	d      *db.DB
	core   *app.Core
	out    *outbound.Service
	runner *jobs.Runner
	disp   *events.Dispatcher
	sink   *testkit.SMTPSink
	inbox  inbox.Inbox
}

func newDesk(t *testing.T, d *db.DB, settings map[string]any) *desk {
	t.Helper()
	k := &desk{t: t, ctx: context.Background(), d: d, sink: testkit.NewSMTPSinkAuth(t, "desk", "s3cret")}
	log := testkit.Logger()
	k.core = app.NewCoreFromDB(d, app.CoreOptions{Password: auth.FastPasswordParams, Store: db.Options{DataDir: t.TempDir()}}, log)
	k.runner = jobs.NewRunner(d, jobs.Options{PollInterval: 10 * time.Millisecond, BackoffBase: 20 * time.Millisecond,
		BackoffMax: 100 * time.Millisecond, Concurrency: 2, Log: log})
	k.out = outbound.New(d, k.core.Outbox, k.core.Conversations, k.core.Inboxes, k.core.Files, k.runner, log,
		outbound.Options{MaxAttempts: 3})
	k.out.RegisterJobs(k.runner)
	t.Cleanup(k.out.Subscribe(k.core.Bus))
	k.disp = events.NewDispatcher(d, k.core.Outbox, k.core.Bus, log)
	ctx, cancel := context.WithCancel(k.ctx)
	done := make(chan struct{})
	go func() { _ = k.runner.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	if settings == nil {
		settings = map[string]any{}
	}
	settings["smtp"] = map[string]any{"host": k.sink.Host, "port": float64(k.sink.Port), "tls": "none",
		"username": "desk", "password": "s3cret"}
	var err error
	k.inbox, err = k.core.Inboxes.Create(k.ctx, audit.System, inbox.Input{Name: "תמיכה", Channel: "email",
		Address: "support@kesher.test", Settings: settings})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// settle delivers events and waits for the jobs they scheduled until
// neither is left.
func (k *desk) settle() {
	k.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		n, err := k.disp.DeliverOnce(k.ctx)
		if err != nil {
			k.t.Fatal(err)
		}
		var pending int
		if err := k.d.R().QueryRow(k.ctx, `SELECT COUNT(*) FROM jobs WHERE done_at IS NULL AND dead_at IS NULL`).Scan(&pending); err != nil {
			k.t.Fatal(err)
		}
		if n == 0 && pending == 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	k.t.Fatal("events or jobs never settled")
}

// customerMail opens a conversation as an inbound mail would (email-in's
// Ingest does the same through conversation.Service).
func (k *desk) customerMail(subject, body string, meta map[string]any, ccs ...string) conversation.Conversation {
	k.t.Helper()
	c, _, err := k.core.Conversations.Create(k.ctx, audit.System, conversation.CreateInput{InboxID: k.inbox.ID, Subject: subject,
		Requester: conversation.RequesterInput{Name: "רותם כהן", Email: "rotem@example.com"}, CCs: ccs,
		Message: &conversation.MessageInput{Direction: conversation.DirectionInbound, Body: body, ChannelMeta: meta}})
	if err != nil {
		k.t.Fatal(err)
	}
	return c
}

type msgRow struct {
	status string
	meta   map[string]any
}

func (k *desk) message(id int64) msgRow {
	k.t.Helper()
	var r msgRow
	var raw string
	if err := k.d.R().QueryRow(k.ctx, `SELECT delivery_status, channel_meta FROM messages WHERE id = ?`, id).Scan(&r.status, &raw); err != nil {
		k.t.Fatal(err)
	}
	_ = json.Unmarshal([]byte(raw), &r.meta)
	return r
}

func header(t *testing.T, raw []byte, name string) string {
	t.Helper()
	head := strings.SplitN(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n\n", 2)[0]
	head = strings.ReplaceAll(head, "\n ", " ") // unfold
	for _, line := range strings.Split(head, "\n") {
		if strings.HasPrefix(strings.ToLower(line), strings.ToLower(name)+":") {
			return strings.TrimSpace(line[len(name)+1:])
		}
	}
	return ""
}

var messageIDRE = regexp.MustCompile(`^kesher\.(\d+)\.(\d+)\.[0-9a-f]{16}@kesher\.test$`)

func TestReplyProtocol(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, nil)
		ag, err := k.core.Agents.Create(k.ctx, audit.System, agent.Input{Name: "דנה לוי", Email: "dana@kesher.test", Role: "agent"})
		if err != nil {
			t.Fatal(err)
		}
		conv := k.customerMail("בעיה בהזמנה", "ההזמנה שלי לא הגיעה", map[string]any{"message_id": "cust-1@example.com",
			"references": []string{"root@example.com"}, "in_reply_to": []string{"root@example.com"}}, "boss@example.com")
		att, err := k.core.Files.Save(k.ctx, ag.ID, "חשבונית.pdf", strings.NewReader("%PDF-1.4 test"))
		if err != nil {
			t.Fatal(err)
		}
		msg, _, err := k.core.Conversations.AddMessage(k.ctx, audit.Actor{Type: "agent", ID: ag.ID}, conv.ID,
			conversation.MessageInput{Body: "שלום רותם,\n\nהמשלוח יצא היום.", AttachmentIDs: []int64{att.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if msg.DeliveryStatus != "queued" {
			t.Fatalf("new reply status %q, want queued", msg.DeliveryStatus)
		}
		k.settle()
		got := k.sink.Wait(t, 1, 5*time.Second)
		if len(k.sink.Mails()) != 1 {
			t.Fatalf("sink has %d mails, want 1", len(k.sink.Mails()))
		}
		if strings.Join(got.To, ",") != "rotem@example.com,boss@example.com" {
			t.Errorf("envelope recipients %v", got.To)
		}
		raw := got.Data
		if s := header(t, raw, "Subject"); !strings.Contains(s, "=?UTF-8?") {
			t.Errorf("Subject %q is not an encoded word", s)
		}
		p, err := parse.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("Re: בעיה בהזמנה [#%d]", conv.ID); p.Subject != want {
			t.Errorf("Subject %q, want %q", p.Subject, want)
		}
		if p.From.Name != "דנה לוי via תמיכה" || p.From.Email != "support@kesher.test" {
			t.Errorf("From %+v", p.From)
		}
		if len(p.ReplyTo) != 1 || p.ReplyTo[0].Email != "support@kesher.test" {
			t.Errorf("Reply-To %+v", p.ReplyTo)
		}
		if len(p.To) != 1 || p.To[0].Email != "rotem@example.com" || p.To[0].Name != "רותם כהן" {
			t.Errorf("To %+v", p.To)
		}
		if len(p.Cc) != 1 || p.Cc[0].Email != "boss@example.com" {
			t.Errorf("Cc %+v", p.Cc)
		}
		m := messageIDRE.FindStringSubmatch(p.MessageID)
		if m == nil || m[1] != fmt.Sprint(conv.ID) || m[2] != fmt.Sprint(msg.ID) {
			t.Errorf("Message-ID %q", p.MessageID)
		}
		if strings.Join(p.InReplyTo, " ") != "cust-1@example.com" {
			t.Errorf("In-Reply-To %v", p.InReplyTo)
		}
		if strings.Join(p.References, " ") != "root@example.com cust-1@example.com" {
			t.Errorf("References %v", p.References)
		}
		if !strings.Contains(strings.ToLower(header(t, raw, "Content-Type")), "multipart/mixed") ||
			!strings.Contains(strings.ToLower(string(raw)), "multipart/alternative") {
			t.Errorf("MIME structure: %s", header(t, raw, "Content-Type"))
		}
		if header(t, raw, "Content-Language") != "he" {
			t.Errorf("Content-Language %q", header(t, raw, "Content-Language"))
		}
		if header(t, raw, "Auto-Submitted") != "" {
			t.Errorf("an agent's reply has Auto-Submitted %q", header(t, raw, "Auto-Submitted"))
		}
		if !strings.Contains(p.Text, "המשלוח יצא היום.") || !strings.Contains(p.HTML, `<div dir="rtl"><p>שלום רותם,</p>`) {
			t.Errorf("bodies: text %q html %q", p.Text, p.HTML)
		}
		if len(p.Attachments) != 1 || p.Attachments[0].Filename != "חשבונית.pdf" || string(p.Attachments[0].Data) != "%PDF-1.4 test" {
			t.Errorf("attachments %+v", p.Attachments)
		}
		row := k.message(msg.ID)
		if row.status != "sent" || row.meta["message_id"] != p.MessageID {
			t.Errorf("stored %s %v, want sent with %s", row.status, row.meta, p.MessageID)
		}
		var convID, rowID int64
		if err := d.R().QueryRow(k.ctx, `SELECT conversation_id, message_row_id FROM email_message_ids WHERE inbox_id = ? AND message_id = ?`,
			k.inbox.ID, p.MessageID).Scan(&convID, &rowID); err != nil || convID != conv.ID || rowID != msg.ID {
			t.Errorf("email_message_ids: %d %d %v", convID, rowID, err)
		}

		// A second reply threads on the customer's mail again and keeps
		// the chain.
		msg2, _, err := k.core.Conversations.AddMessage(k.ctx, audit.Actor{Type: "agent", ID: ag.ID}, conv.ID,
			conversation.MessageInput{Body: "<b>x</b> & y", HTML: "<p><b>bold</b></p>"})
		if err != nil {
			t.Fatal(err)
		}
		k.settle()
		p2, _ := parse.Parse(k.sink.Wait(t, 2, 5*time.Second).Data)
		if strings.Join(p2.InReplyTo, " ") != "cust-1@example.com" || !strings.Contains(p2.HTML, "<b>bold</b>") ||
			header(t, k.sink.Mails()[1].Data, "Content-Language") != "he" {
			t.Errorf("second reply: in-reply-to %v html %q", p2.InReplyTo, p2.HTML)
		}
		if k.message(msg2.ID).status != "sent" {
			t.Errorf("second reply not sent")
		}
		// Notes and inbound messages are never mailed.
		if _, _, err := k.core.Conversations.AddMessage(k.ctx, audit.Actor{Type: "agent", ID: ag.ID}, conv.ID,
			conversation.MessageInput{Kind: "note", Body: "internal"}); err != nil {
			t.Fatal(err)
		}
		k.settle()
		if n := len(k.sink.Mails()); n != 2 {
			t.Errorf("sink has %d mails after a note, want 2", n)
		}
	})
}

func TestRetryAndFailure(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, nil)
		conv := k.customerMail("Order", "Where is it?", map[string]any{"message_id": "c@example.com"})

		// 451 then OK: retried and sent.
		k.sink.Reply(451)
		msg, _, err := k.core.Conversations.AddMessage(k.ctx, audit.System, conv.ID, conversation.MessageInput{Body: "On its way."})
		if err != nil {
			t.Fatal(err)
		}
		k.settle()
		if row := k.message(msg.ID); row.status != "sent" || row.meta["delivery_error"] != nil {
			t.Fatalf("after 451: %s %v", row.status, row.meta)
		}
		var attempts int
		if err := d.R().QueryRow(k.ctx, `SELECT attempts FROM jobs WHERE unique_key = ?`, fmt.Sprintf("email.send:%d", msg.ID)).Scan(&attempts); err != nil || attempts != 2 {
			t.Errorf("attempts %d (%v), want 2", attempts, err)
		}
		if n := len(k.sink.Mails()); n != 1 {
			t.Errorf("sink kept %d mails, want 1", n)
		}

		// 550: failed at once, with the reason.
		k.sink.Reply(550)
		msg2, _, err := k.core.Conversations.AddMessage(k.ctx, audit.System, conv.ID, conversation.MessageInput{Body: "Again."})
		if err != nil {
			t.Fatal(err)
		}
		k.settle()
		row := k.message(msg2.ID)
		reason, _ := row.meta["delivery_error"].(string)
		if row.status != "failed" || !strings.Contains(reason, "550") {
			t.Fatalf("after 550: %s %v", row.status, row.meta)
		}
		if err := d.R().QueryRow(k.ctx, `SELECT attempts FROM jobs WHERE unique_key = ?`, fmt.Sprintf("email.send:%d", msg2.ID)).Scan(&attempts); err != nil || attempts != 1 {
			t.Errorf("attempts %d (%v), want 1", attempts, err)
		}

		// 4xx on every attempt: failed after MaxAttempts (3).
		k.sink.Reply(421, 450, 452)
		msg3, _, err := k.core.Conversations.AddMessage(k.ctx, audit.System, conv.ID, conversation.MessageInput{Body: "Third."})
		if err != nil {
			t.Fatal(err)
		}
		k.settle()
		row = k.message(msg3.ID)
		if reason, _ := row.meta["delivery_error"].(string); row.status != "failed" || !strings.Contains(reason, "452") {
			t.Fatalf("after three 4xx: %s %v", row.status, row.meta)
		}

		// The status change is published for the web app.
		var n int
		if err := d.R().QueryRow(k.ctx, `SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND direction = 'outbound'`, conv.ID).Scan(&n); err != nil || n != 3 {
			t.Errorf("outbound messages %d", n)
		}
	})
}

func TestMessageUpdatedEvent(t *testing.T) {
	d := testkit.SQLite(t)
	k := newDesk(t, d, nil)
	var mu sync.Mutex
	var got []map[string]any
	k.core.Bus.Subscribe(events.MessageUpdated, func(_ context.Context, e events.Event) error {
		var p map[string]any
		_ = json.Unmarshal(e.Payload, &p)
		mu.Lock()
		got = append(got, p)
		mu.Unlock()
		return nil
	})
	conv := k.customerMail("Hi", "Hello", nil)
	msg, _, err := k.core.Conversations.AddMessage(k.ctx, audit.System, conv.ID, conversation.MessageInput{Body: "Hello back"})
	if err != nil {
		t.Fatal(err)
	}
	k.settle()
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0]["delivery_status"] != "sent" || got[0]["message_id"] != float64(msg.ID) ||
		got[0]["conversation_id"] != float64(conv.ID) {
		t.Errorf("message.updated events %v", got)
	}
}

func TestReplySubjectAndHTML(t *testing.T) {
	for in, want := range map[string]string{
		"Order":           "Re: Order [#7]",
		"Re: Order":       "Re: Order [#7]",
		"RE: Order [#7]":  "RE: Order [#7]",
		"":                "Re: [#7]",
		"שאלה על חשבונית": "Re: שאלה על חשבונית [#7]",
	} {
		if got := outbound.ReplySubject(in, 7); got != want {
			t.Errorf("ReplySubject(%q) = %q, want %q", in, got, want)
		}
	}
	if got := outbound.TextToHTML("a < b\nc\n\n\nd & e"); got != "<div dir=\"ltr\"><p>a &lt; b<br>\nc</p>\n<p>d &amp; e</p>\n</div>" {
		t.Errorf("TextToHTML = %q", got)
	}
}

func TestInlineImage(t *testing.T) {
	d := testkit.SQLite(t)
	k := newDesk(t, d, nil)
	conv := k.customerMail("Logo", "Send the logo", nil)
	png := "\x89PNG\r\n\x1a\n0000"
	att, err := k.core.Files.Save(k.ctx, 0, "logo.png", strings.NewReader(png))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Write.ExecContext(k.ctx, `UPDATE attachments SET content_id = 'logo@kesher' WHERE id = ?`, att.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := k.core.Conversations.AddMessage(k.ctx, audit.System, conv.ID, conversation.MessageInput{
		HTML: `<p>Here: <img src="cid:logo@kesher"></p>`, AttachmentIDs: []int64{att.ID}}); err != nil {
		t.Fatal(err)
	}
	k.settle()
	p, err := parse.Parse(k.sink.Wait(t, 1, 5*time.Second).Data)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Attachments) != 1 || p.Attachments[0].ContentID != "logo@kesher" || !p.Attachments[0].Inline || string(p.Attachments[0].Data) != png {
		t.Errorf("inline parts %+v", p.Attachments)
	}
}

// TestFromName: customers see the inbox's "from_name" setting, not the
// inbox's internal name; an agent's reply reads "<agent> via <from_name>".
func TestFromName(t *testing.T) {
	d := testkit.SQLite(t)
	k := newDesk(t, d, map[string]any{"from_name": "חנות קשר"})
	ag, err := k.core.Agents.Create(k.ctx, audit.System, agent.Input{Name: "דנה לוי", Email: "dana@kesher.test", Role: "agent"})
	if err != nil {
		t.Fatal(err)
	}
	conv := k.customerMail("שאלה", "מתי זה מגיע?", nil)
	if _, _, err := k.core.Conversations.AddMessage(k.ctx, audit.Actor{Type: "agent", ID: ag.ID}, conv.ID,
		conversation.MessageInput{Body: "מחר."}); err != nil {
		t.Fatal(err)
	}
	k.settle()
	p, err := parse.Parse(k.sink.Wait(t, 1, 5*time.Second).Data)
	if err != nil {
		t.Fatal(err)
	}
	if p.From.Name != "דנה לוי via חנות קשר" || p.From.Email != "support@kesher.test" {
		t.Errorf("From %+v", p.From)
	}
}
