package email_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/channel/email"
	"github.com/kesherdesk/kesher/internal/channel/email/parse"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/testkit"
)

type fixture struct {
	core *app.Core
	svc  *email.Service
	box  inbox.Inbox
	d    *db.DB
}

func setup(t testing.TB, d *db.DB) *fixture {
	t.Helper()
	core := app.NewCoreFromDB(d, app.CoreOptions{Password: auth.FastPasswordParams, Store: db.Options{DataDir: t.TempDir()}}, testkit.Logger())
	box, err := core.Inboxes.Create(context.Background(), audit.System, inbox.Input{Name: "Support", Channel: "email", Address: "support@kesher.example"})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{core: core, svc: email.NewService(d, core.Conversations, core.Inboxes, core.Files, testkit.Logger()), box: box, d: d}
}

// mail builds a raw message; headers are "Name: value" lines.
func mail(headers []string, body string) []byte {
	h := strings.Join(headers, "\r\n")
	if !strings.Contains(strings.ToLower(h), "content-type:") {
		h += "\r\nContent-Type: text/plain; charset=utf-8"
	}
	return []byte("MIME-Version: 1.0\r\n" + h + "\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n"))
}

func (f *fixture) ingest(t *testing.T, raw []byte) email.Result {
	t.Helper()
	res, err := f.svc.Ingest(context.Background(), f.box.ID, raw, email.SourceSMTP)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (f *fixture) messages(t *testing.T, convID int64) []conversation.Message {
	t.Helper()
	ms, err := f.core.Conversations.ListMessages(context.Background(), convID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func first(from, id, subject string) []byte {
	return mail([]string{"From: " + from, "To: support@kesher.example", "Subject: " + subject, "Message-ID: <" + id + ">",
		"Date: Sun, 29 Nov 2026 10:00:00 +0200"}, "Hello, my order did not arrive.\n")
}

// TestThreading checks each way a reply finds its conversation, and that
// a mail with the same subject from another sender does not.
func TestThreading(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		root := f.ingest(t, first(`"דנה כהן" <Dana@Example.co.il>`, "root-1@mail.example", "הזמנה 5678 לא הגיעה"))
		if root.Status != email.StatusParsed || !root.Created || root.ConversationID == 0 {
			t.Fatalf("root: %+v", root)
		}
		conv, err := f.core.Conversations.Get(ctx, root.ConversationID)
		if err != nil {
			t.Fatal(err)
		}
		if conv.Requester.Email != "dana@example.co.il" || conv.Requester.Name != "דנה כהן" || conv.Subject != "הזמנה 5678 לא הגיעה" {
			t.Fatalf("conversation: %+v %+v", conv, conv.Requester)
		}
		other := f.ingest(t, first("Yossi <yossi@example.com>", "other-1@mail.example", "Something else"))
		cases := []struct {
			name    string
			headers []string
			want    int64
		}{
			{"references only", []string{"From: dana@example.co.il", "Subject: unrelated words", "Message-ID: <r1@x>",
				"References: <nothing@x> <root-1@mail.example>"}, root.ConversationID},
			{"in-reply-to only", []string{"From: dana@example.co.il", "Subject: other words", "Message-ID: <r2@x>",
				"In-Reply-To: <root-1@mail.example>"}, root.ConversationID},
			{"in-reply-to to a reply", []string{"From: dana@example.co.il", "Subject: x", "Message-ID: <r3@x>",
				"In-Reply-To: <r2@x>"}, root.ConversationID},
			{"subject tag only", []string{"From: someone.else@example.org", "Message-ID: <r4@x>",
				fmt.Sprintf("Subject: Re: [#%d] anything", other.ConversationID)}, other.ConversationID},
			{"hebrew reply prefix", []string{"From: DANA@example.co.il", "Message-ID: <r5@x>",
				"Subject: =?UTF-8?B?" + b64("השב: הזמנה 5678 לא הגיעה") + "?="}, root.ConversationID},
			{"outlook thread-index only", []string{"From: dana@example.co.il", "Message-ID: <r6@x>",
				"Thread-Index: AQHZ1234567890abcdef==", "Thread-Topic: הזמנה 5678 לא הגיעה",
				"Subject: =?UTF-8?B?" + b64("RE: הזמנה 5678 לא הגיעה") + "?="}, root.ConversationID},
			{"outlook in-reply-to without references", []string{"From: dana@example.co.il", "Message-ID: <r7@x>",
				"In-Reply-To: <r6@x>", "Thread-Index: AQHZ1234567890abcdef==", "Subject: RE: x"}, root.ConversationID},
			{"plus-addressed sender by subject", []string{"From: dana+shop@example.co.il", "Message-ID: <r8@x>",
				"Subject: =?UTF-8?B?" + b64("תגובה: הזמנה 5678 לא הגיעה") + "?="}, root.ConversationID},
		}
		for _, c := range cases {
			res := f.ingest(t, mail(c.headers, "reply body "+c.name))
			if res.Status != email.StatusParsed || res.ConversationID != c.want || res.Created {
				t.Errorf("%s: got %+v, want conversation %d", c.name, res, c.want)
			}
		}
		// The subject-tag reply came from someone else: it is authored by
		// their own (new) contact, never by the conversation's requester.
		otherConv, err := f.core.Conversations.Get(ctx, other.ConversationID)
		if err != nil {
			t.Fatal(err)
		}
		var tagReply *conversation.Message
		for _, m := range f.messages(t, other.ConversationID) {
			if strings.Contains(m.BodyText, "reply body subject tag only") {
				tagReply = &m
			}
		}
		if tagReply == nil || tagReply.AuthorID == nil || *tagReply.AuthorID == otherConv.RequesterID {
			t.Fatalf("subject-tag reply by another sender authored as the requester: %+v", tagReply)
		}
		someone, err := f.core.Contacts.Get(ctx, *tagReply.AuthorID)
		if err != nil || len(someone.Emails) == 0 || someone.Emails[0] != "someone.else@example.org" {
			t.Errorf("tag reply's author: %+v %v", someone, err)
		}
		// The same subject from another sender starts its own conversation.
		res := f.ingest(t, mail([]string{"From: stranger@example.net", "Message-ID: <s1@x>",
			"Subject: =?UTF-8?B?" + b64("השב: הזמנה 5678 לא הגיעה") + "?="}, "me too"))
		if !res.Created || res.ConversationID == root.ConversationID {
			t.Errorf("another sender's mail threaded: %+v", res)
		}
		// Subject threading can be turned off per inbox.
		settings := map[string]any{"thread_by_subject": false}
		if _, err := f.core.Inboxes.Update(ctx, audit.System, f.box.ID, inbox.Patch{Settings: patch.Of(settings)}); err != nil {
			t.Fatal(err)
		}
		res = f.ingest(t, mail([]string{"From: dana@example.co.il", "Message-ID: <r9@x>", "Subject: Re: הזמנה 5678 לא הגיעה"}, "again"))
		if !res.Created || res.ConversationID == root.ConversationID {
			t.Errorf("subject threading off: %+v", res)
		}
		msgs := f.messages(t, root.ConversationID)
		replies := 0
		for _, m := range msgs {
			if m.Kind == conversation.KindReply && m.Direction == conversation.DirectionInbound {
				replies++
			}
		}
		if replies != 8 { // root + 7 replies threaded here
			t.Errorf("root conversation has %d inbound replies, want 8", replies)
		}
		last := msgs[len(msgs)-1]
		if last.ChannelMeta["message_id"] != "r8@x" || last.ChannelMeta["raw_id"] == nil {
			t.Errorf("channel_meta: %v", last.ChannelMeta)
		}
	})
}

func b64(s string) string {
	const enc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	b := []byte(s)
	var out strings.Builder
	for i := 0; i < len(b); i += 3 {
		var n uint32
		k := min(3, len(b)-i)
		for j := 0; j < 3; j++ {
			n <<= 8
			if j < k {
				n |= uint32(b[i+j])
			}
		}
		for j := 0; j < 4; j++ {
			if j <= k {
				out.WriteByte(enc[(n>>(18-6*j))&63])
			} else {
				out.WriteByte('=')
			}
		}
	}
	return out.String()
}

// TestDedupe checks the same mail twice (same bytes, and the same
// Message-ID with other bytes) is stored once.
func TestDedupe(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		raw := first("dana@example.co.il", "dup-1@x", "Twice")
		a := f.ingest(t, raw)
		b := f.ingest(t, raw)
		c := f.ingest(t, append([]byte("Received: from relay.example by mx.example; Sun, 29 Nov 2026 10:00:05 +0200\r\n"), raw...))
		if a.Status != email.StatusParsed || b.Status != email.StatusDuplicate || c.Status != email.StatusDuplicate {
			t.Fatalf("statuses %s %s %s", a.Status, b.Status, c.Status)
		}
		if b.ConversationID != a.ConversationID || c.ConversationID != a.ConversationID || b.RawID != a.RawID || c.RawID == a.RawID {
			t.Fatalf("results %+v %+v %+v", a, b, c)
		}
		if n := len(f.messages(t, a.ConversationID)); n != 1 {
			t.Fatalf("%d messages, want 1", n)
		}
		var rows int
		if err := d.R().QueryRow(context.Background(), `SELECT COUNT(*) FROM inbound_mails`).Scan(&rows); err != nil || rows != 2 {
			t.Fatalf("inbound_mails rows %d (%v), want 2", rows, err)
		}
	})
}

// TestAutoReplyKeepsSolved checks an out-of-office reply is added to a
// solved conversation without reopening it, flagged by kind.
func TestAutoReplyKeepsSolved(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		root := f.ingest(t, first("dana@example.co.il", "ar-root@x", "Printer"))
		if _, err := f.core.Conversations.Update(ctx, audit.System, root.ConversationID,
			conversation.Patch{Status: patch.Of(conversation.StatusSolved)}); err != nil {
			t.Fatal(err)
		}
		res := f.ingest(t, mail([]string{"From: dana@example.co.il", "Message-ID: <ar-1@x>", "In-Reply-To: <ar-root@x>",
			"Auto-Submitted: auto-replied", "Subject: Out of office: Printer"}, "I am away until Sunday."))
		if res.Status != email.StatusParsed || res.ConversationID != root.ConversationID {
			t.Fatalf("auto-reply: %+v", res)
		}
		conv, _ := f.core.Conversations.Get(ctx, root.ConversationID)
		if conv.Status != conversation.StatusSolved || conv.ReopenCount != 0 {
			t.Fatalf("status %s reopen %d, want solved 0", conv.Status, conv.ReopenCount)
		}
		msgs := f.messages(t, root.ConversationID)
		last := msgs[len(msgs)-1]
		if last.ChannelMeta["kind"] != parse.KindAutoReply || last.BodyText != "I am away until Sunday." {
			t.Fatalf("last message %+v", last)
		}
		// A person's reply still reopens it.
		f.ingest(t, mail([]string{"From: dana@example.co.il", "Message-ID: <ar-2@x>", "In-Reply-To: <ar-root@x>", "Subject: Re: Printer"}, "Still broken"))
		conv, _ = f.core.Conversations.Get(ctx, root.ConversationID)
		if conv.Status != conversation.StatusOpen || conv.ReopenCount != 1 {
			t.Fatalf("after a person's reply: status %s reopen %d", conv.Status, conv.ReopenCount)
		}
		// A reply to a closed conversation starts a follow-up.
		for _, st := range []string{conversation.StatusSolved, conversation.StatusClosed} {
			if _, err := f.core.Conversations.Update(ctx, audit.System, root.ConversationID,
				conversation.Patch{Status: patch.Of(st)}); err != nil {
				t.Fatal(err)
			}
		}
		fu := f.ingest(t, mail([]string{"From: dana@example.co.il", "Message-ID: <ar-3@x>", "In-Reply-To: <ar-root@x>", "Subject: Re: Printer"}, "Again"))
		fc, _ := f.core.Conversations.Get(ctx, fu.ConversationID)
		if !fu.Created || fc.FollowUpOf == nil || *fc.FollowUpOf != root.ConversationID {
			t.Fatalf("follow-up: %+v %+v", fu, fc)
		}
	})
}

// TestBounce checks a delivery failure report for a sent message lands in
// its conversation and marks the message and the address.
func TestBounce(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		root := f.ingest(t, first("dana@example.co.il", "b-root@x", "Invoice"))
		out, _, err := f.core.Conversations.AddMessage(ctx, audit.System, root.ConversationID, conversation.MessageInput{Body: "Here it is"})
		if err != nil {
			t.Fatal(err)
		}
		sentID := fmt.Sprintf("kesher.%d.%d.abc@kesher.example", root.ConversationID, out.ID)
		if err := d.WriteTx(ctx, func(tx *db.Tx) error {
			return email.RecordMessageIDTx(ctx, tx, f.box.ID, sentID, root.ConversationID, out.ID)
		}); err != nil {
			t.Fatal(err)
		}
		// The parser's bounce details are what this package relies on.
		f.svc.Parse = func(raw []byte) (*parse.Message, error) {
			m, err := parse.Parse(raw)
			if err == nil && strings.Contains(m.Subject, "Undelivered") {
				m.Kind = parse.KindBounce
				m.Bounce = &parse.Bounce{OriginalMessageID: sentID, Recipients: []string{"dana@example.co.il"}, Status: "5.1.1",
					Diagnostic: "smtp; 550 5.1.1 user unknown", Permanent: true}
			}
			return m, err
		}
		res := f.ingest(t, mail([]string{"From: MAILER-DAEMON@mx.example", "Message-ID: <bounce-1@mx.example>",
			"Subject: Undelivered Mail Returned to Sender"}, "This is the mail system. 550 user unknown"))
		if res.Status != email.StatusParsed || res.ConversationID != root.ConversationID {
			t.Fatalf("bounce: %+v", res)
		}
		var found conversation.Message
		var event conversation.Message
		for _, m := range f.messages(t, root.ConversationID) {
			if m.ID == out.ID {
				found = m
			}
			if m.Kind == conversation.KindEvent && m.ChannelMeta["event"] == "delivery_failed" {
				event = m
			}
		}
		if found.DeliveryStatus != "failed" || !strings.Contains(fmt.Sprint(found.ChannelMeta["delivery_error"]), "user unknown") {
			t.Fatalf("sent message %+v", found)
		}
		if event.ID == 0 || event.BodyText != "delivery_failed: dana@example.co.il" {
			t.Fatalf("event %+v", event)
		}
		bouncing, diag, err := email.Bouncing(ctx, d.R(), "Dana@Example.co.il")
		if err != nil || !bouncing || !strings.Contains(diag, "user unknown") {
			t.Fatalf("bouncing %v %q %v", bouncing, diag, err)
		}
		conv, _ := f.core.Conversations.Get(ctx, root.ConversationID)
		if conv.Status != conversation.StatusOpen {
			t.Fatalf("status %s", conv.Status)
		}
	})
}

// TestUnparseable checks a mail the parser rejects is kept, marked failed
// and shown as a flagged message with its raw source downloadable.
func TestUnparseable(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		f.svc.Parse = func([]byte) (*parse.Message, error) { return nil, errors.New("parse: boom") }
		raw := first("dana@example.co.il", "bad@x", "Broken")
		res := f.ingest(t, raw)
		if res.Status != email.StatusFailed || res.MessageID == 0 || !strings.Contains(res.Error, "boom") {
			t.Fatalf("result %+v", res)
		}
		msgs := f.messages(t, res.ConversationID)
		if len(msgs) != 1 || msgs[0].ChannelMeta["unparseable"] != true || msgs[0].BodyText != email.UnparseableNote {
			t.Fatalf("messages %+v", msgs)
		}
		conv, _ := f.core.Conversations.Get(ctx, res.ConversationID)
		if conv.Requester.Email != "dana@example.co.il" || conv.Subject != "Broken" {
			t.Fatalf("conversation %+v", conv)
		}
		r, size, err := f.svc.Raw(ctx, res.MessageID)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(r)
		r.Close()
		if string(got) != string(raw) || size != int64(len(raw)) {
			t.Fatalf("raw %d bytes, want %d", len(got), len(raw))
		}
		var status, errText string
		if err := d.R().QueryRow(ctx, `SELECT status, error FROM inbound_mails WHERE id = ?`, res.RawID).Scan(&status, &errText); err != nil ||
			status != email.StatusFailed || !strings.Contains(errText, "boom") {
			t.Fatalf("inbound_mails %s %q %v", status, errText, err)
		}
		// Broken MIME the real parser tolerates (a multipart without a
		// boundary): parsed, not flagged, from the right sender.
		f.svc.Parse = parse.Parse
		broken := []byte("From: Yossi <yossi@example.com>\r\nSubject: Broken MIME\r\nContent-Type: multipart/mixed; boundary=\"\r\n\r\n--\r\n")
		res = f.ingest(t, broken)
		if res.Status != email.StatusParsed || res.MessageID == 0 {
			t.Fatalf("broken MIME: %+v", res)
		}
		conv, _ = f.core.Conversations.Get(ctx, res.ConversationID)
		if conv.Requester.Email != "yossi@example.com" || conv.Subject != "Broken MIME" {
			t.Fatalf("broken MIME conversation %+v", conv)
		}
		// Ingesting it again adds nothing.
		if again := f.ingest(t, broken); again.Status != email.StatusDuplicate || again.MessageID != res.MessageID {
			t.Fatalf("again: %+v", again)
		}
	})
}

// TestAttachmentsAndCCs checks attachments and cid: inline images are
// stored, linked and rendered, and CCs are kept.
func TestAttachmentsAndCCs(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		raw := mail([]string{"From: dana@example.co.il", "To: support@kesher.example, boss@example.co.il",
			"Cc: Avi <avi@example.co.il>, support+billing@kesher.example", "Subject: Photo", "Message-ID: <att-1@x>",
			`Content-Type: multipart/related; boundary="b1"`}, `--b1
Content-Type: text/html; charset=utf-8

<p dir="rtl">תמונה: <img src="cid:logo@x"></p><script>alert(1)</script>
--b1
Content-Type: image/png
Content-ID: <logo@x>
Content-Disposition: inline; filename="logo.png"
Content-Transfer-Encoding: base64

iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==
--b1--
`)
		res := f.ingest(t, raw)
		if res.Status != email.StatusParsed {
			t.Fatalf("%+v", res)
		}
		msgs := f.messages(t, res.ConversationID)
		m := msgs[0]
		if len(m.Attachments) != 1 || m.Attachments[0].ContentID != "logo@x" || m.Attachments[0].ContentType != "image/png" {
			t.Fatalf("attachments %+v", m.Attachments)
		}
		want := fmt.Sprintf(`src="/api/v1/attachments/%d?inline=1"`, m.Attachments[0].ID)
		if !strings.Contains(m.BodyHTML, want) || strings.Contains(m.BodyHTML, "script") || !strings.Contains(m.BodyHTML, `dir="rtl"`) {
			t.Fatalf("html %s", m.BodyHTML)
		}
		conv, _ := f.core.Conversations.Get(ctx, res.ConversationID)
		if strings.Join(conv.CCs, ",") != "boss@example.co.il,avi@example.co.il" {
			t.Fatalf("ccs %v", conv.CCs)
		}
	})
}

// TestAddressMatches checks plus-addressing of inbox addresses.
func TestAddressMatches(t *testing.T) {
	for _, c := range []struct {
		inbox, rcpt string
		want        bool
	}{
		{"support@x.co.il", "SUPPORT@x.co.il", true},
		{"support@x.co.il", "support+orders@x.co.il", true},
		{"support@x.co.il", "sales@x.co.il", false},
		{"support@x.co.il", "support@y.co.il", false},
	} {
		if got := email.AddressMatches(c.inbox, c.rcpt); got != c.want {
			t.Errorf("%s ← %s: %v", c.inbox, c.rcpt, got)
		}
	}
	_ = time.Second
}

// TestBounceRFC3464 ingests a standard delivery status notification with
// the real parser: it lands in the conversation of the returned message.
func TestBounceRFC3464(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		root := f.ingest(t, first("dana@example.co.il", "dsn-root@x", "Refund"))
		out, _, err := f.core.Conversations.AddMessage(ctx, audit.System, root.ConversationID, conversation.MessageInput{Body: "Refunded"})
		if err != nil {
			t.Fatal(err)
		}
		sentID := fmt.Sprintf("kesher.%d.%d.r4nd@kesher.example", root.ConversationID, out.ID)
		if err := d.WriteTx(ctx, func(tx *db.Tx) error {
			return email.RecordMessageIDTx(ctx, tx, f.box.ID, sentID, root.ConversationID, out.ID)
		}); err != nil {
			t.Fatal(err)
		}
		dsn := mail([]string{"From: Mail Delivery System <MAILER-DAEMON@mx.example>", "To: support@kesher.example",
			"Subject: Undelivered Mail Returned to Sender", "Message-ID: <dsn-1@mx.example>", "Auto-Submitted: auto-replied",
			`Content-Type: multipart/report; report-type=delivery-status; boundary="R"`}, `--R
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not be delivered.

--R
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example

Final-Recipient: rfc822; dana@example.co.il
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <dana@example.co.il>: Recipient address rejected

--R
Content-Type: text/rfc822-headers

From: support@kesher.example
To: dana@example.co.il
Subject: Re: [#`+fmt.Sprint(root.ConversationID)+`] Refund
Message-ID: <`+sentID+`>

--R--
`)
		res := f.ingest(t, dsn)
		if res.Status != email.StatusParsed || res.ConversationID != root.ConversationID || res.Created {
			t.Fatalf("bounce: %+v", res)
		}
		var sent conversation.Message
		for _, m := range f.messages(t, root.ConversationID) {
			if m.ID == out.ID {
				sent = m
			}
		}
		if sent.DeliveryStatus != "failed" || !strings.Contains(fmt.Sprint(sent.ChannelMeta["delivery_error"]), "5.1.1") {
			t.Fatalf("sent message %+v", sent)
		}
		if bouncing, _, _ := email.Bouncing(ctx, d.R(), "dana@example.co.il"); !bouncing {
			t.Fatal("address not marked bouncing")
		}
		conv, _ := f.core.Conversations.Get(ctx, root.ConversationID)
		if conv.Status != conversation.StatusOpen || conv.Requester.Email != "dana@example.co.il" {
			t.Fatalf("conversation %+v", conv)
		}
	})
}
