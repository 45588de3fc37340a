package outbound_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/channel/email/parse"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// outOfOffice is the customer's auto-responder: for a mail Kesher sent it
// returns the vacation notice a mail server would send back.
func outOfOffice(t *testing.T, sent []byte) []byte {
	t.Helper()
	p, err := parse.Parse(sent)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.ReplaceAll(fmt.Sprintf(`From: Rotem <rotem@example.com>
To: support@kesher.test
Subject: Automatic reply: %s
Message-ID: <ooo-%s>
In-Reply-To: <%s>
References: <%s>
Auto-Submitted: auto-replied
X-Autoreply: yes
Content-Type: text/plain; charset=utf-8

I am out of the office until Sunday.
`, p.Subject, p.MessageID, p.MessageID, p.MessageID), "\n", "\r\n"))
}

// ingest hands raw to Kesher as the inbound pipeline would. Until
// email-in's Ingest is on this branch it parses the mail, classifies it
// (parse.Message.Kind, or the RFC 3834 header when the baseline parser
// leaves Kind empty) and stores it through conversation.Service: into the
// conversation it answers when thread is true, else as a new conversation
// (threading failed). Switching to Ingest: replace the body by
// ingest(ctx, inboxID, raw).
func (k *desk) ingest(raw []byte, thread bool, classify bool) {
	k.t.Helper()
	p, err := parse.Parse(raw)
	if err != nil {
		k.t.Fatal(err)
	}
	// classify false plays a desk that does not recognise the auto-reply
	// (the parser does: its Kind is dropped).
	kind := ""
	if classify {
		kind = p.Kind
	}
	if kind == "" && classify && p.Header("Auto-Submitted") != "" && !strings.EqualFold(p.Header("Auto-Submitted"), "no") {
		kind = parse.KindAutoReply
	}
	meta := map[string]any{"message_id": p.MessageID, "in_reply_to": p.InReplyTo, "references": p.References,
		"from": p.From.Email, "kind": kind}
	if thread {
		var convID int64
		if err := k.d.R().QueryRow(k.ctx, `SELECT conversation_id FROM email_message_ids WHERE inbox_id = ? AND message_id = ?`,
			k.inbox.ID, p.InReplyTo[0]).Scan(&convID); err != nil {
			k.t.Fatalf("thread %v: %v", p.InReplyTo, err)
		}
		if _, _, err := k.core.Conversations.AddMessage(k.ctx, audit.Actor{Type: "contact"}, convID, conversation.MessageInput{
			Direction: conversation.DirectionInbound, Body: p.Text, ChannelMeta: meta}); err != nil {
			k.t.Fatal(err)
		}
		return
	}
	if _, _, err := k.core.Conversations.Create(k.ctx, audit.System, conversation.CreateInput{InboxID: k.inbox.ID, Subject: p.Subject,
		Requester: conversation.RequesterInput{Name: p.From.Name, Email: p.From.Email},
		Message:   &conversation.MessageInput{Direction: conversation.DirectionInbound, Body: p.Text, ChannelMeta: meta}}); err != nil {
		k.t.Fatal(err)
	}
}

func acks(k *desk) int {
	n := 0
	for _, m := range k.sink.Mails() {
		if bytes.Contains(m.Data, []byte("Auto-Submitted: auto-replied")) {
			n++
		}
	}
	return n
}

// TestNoMailLoop: the customer's auto-responder answers every mail Kesher
// sends; over 100 rounds Kesher acknowledges the first mail only. Odd
// rounds thread the out-of-office into the conversation, even rounds make
// it a new conversation (as if threading had failed).
func TestNoMailLoop(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, ackSettings())
		k.customerMail("Where is my order?", "Order 1234 has not arrived.", map[string]any{"message_id": "first@example.com"})
		k.settle()
		answered := 0
		for round := range 100 {
			mails := k.sink.Mails()
			// The responder answers each new mail, and repeats itself to the
			// last one when nothing new came (vacation notices do).
			todo := mails[answered:]
			if len(todo) == 0 {
				todo = mails[len(mails)-1:]
			}
			answered = len(mails)
			for _, m := range todo {
				k.ingest(outOfOffice(t, m.Data), round%2 == 1, true)
			}
			k.settle()
		}
		if n := acks(k); n != 1 {
			t.Errorf("%d acknowledgements sent over 100 rounds, want 1", n)
		}
		if n := len(k.sink.Mails()); n != 1 {
			t.Errorf("Kesher sent %d mails, want 1", n)
		}
		var convs int
		if err := d.R().QueryRow(k.ctx, `SELECT COUNT(*) FROM conversations`).Scan(&convs); err != nil || convs != 51 {
			t.Errorf("%d conversations (%v), want 51 (the customer's and 50 unthreaded out-of-office notices)", convs, err)
		}
	})
}

// TestLoopBoundedByLimit: even when an auto-reply is not recognised as
// one, the per-address hourly limit stops the loop at 5 acknowledgements.
func TestLoopBoundedByLimit(t *testing.T) {
	d := testkit.SQLite(t)
	k := newDesk(t, d, ackSettings())
	k.customerMail("Where is my order?", "Order 1234 has not arrived.", nil)
	k.settle()
	answered := 0
	for range 30 {
		mails := k.sink.Mails()
		for _, m := range mails[answered:] {
			k.ingest(outOfOffice(t, m.Data), false, false)
		}
		answered = len(mails)
		k.settle()
	}
	if n := acks(k); n != 5 {
		t.Errorf("%d acknowledgements, want 5 (the hourly limit)", n)
	}
}

// TestNoMailLoopThroughIngest is the acceptance loop test on the real
// inbound pipeline (raw mail → core.Email.Ingest: store, parse, classify,
// thread): the customer writes once, their auto-responder answers every
// mail Kesher sends, for 100 rounds. Odd rounds answer with the threading
// headers, even rounds without them and without the [#N] tag (as if a
// mail server rewrote the reply). Kesher sends exactly one mail in total:
// the acknowledgement of the customer's first mail.
func TestNoMailLoopThroughIngest(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, ackSettings())
		first := strings.ReplaceAll(`From: =?UTF-8?B?16jXldeq150g15vXlNef?= <rotem@example.com>
To: support@kesher.test
Subject: Where is my order?
Message-ID: <first@example.com>
Content-Type: text/plain; charset=utf-8

Order 1234 has not arrived.
`, "\n", "\r\n")
		if _, err := k.core.Email.Ingest(k.ctx, k.inbox.ID, []byte(first), "smtp"); err != nil {
			t.Fatal(err)
		}
		k.settle()
		answered := 0
		for round := range 100 {
			mails := k.sink.Mails()
			todo := mails[answered:]
			if len(todo) == 0 {
				todo = mails[len(mails)-1:] // the responder repeats itself
			}
			answered = len(mails)
			for _, m := range todo {
				raw := outOfOffice(t, m.Data)
				if round%2 == 0 {
					raw = unthreaded(raw, round)
				}
				if _, err := k.core.Email.Ingest(k.ctx, k.inbox.ID, raw, "smtp"); err != nil {
					t.Fatal(err)
				}
			}
			k.settle()
		}
		if n := len(k.sink.Mails()); n != 1 {
			t.Errorf("Kesher sent %d mails over 100 rounds, want 1 (the acknowledgement)", n)
		}
		if n := acks(k); n != 1 {
			t.Errorf("%d acknowledgements, want 1", n)
		}
		var auto int
		if err := d.R().QueryRow(k.ctx, `SELECT COUNT(*) FROM messages WHERE direction = 'inbound' AND channel_meta LIKE '%"kind":"auto_reply"%'`).Scan(&auto); err != nil || auto == 0 {
			t.Errorf("%d out-of-office notices recorded as auto-replies (%v), want them all kept", auto, err)
		}
	})
}

// unthreaded drops In-Reply-To, References and the [#N] subject tag from
// raw and gives it a fresh Message-ID.
func unthreaded(raw []byte, round int) []byte {
	var out []string
	for _, line := range strings.Split(string(raw), "\r\n") {
		l := strings.ToLower(line)
		switch {
		case strings.HasPrefix(l, "in-reply-to:"), strings.HasPrefix(l, "references:"):
			continue
		case strings.HasPrefix(l, "message-id:"):
			line = fmt.Sprintf("Message-ID: <ooo-unthreaded-%d@example.com>", round)
		case strings.HasPrefix(l, "subject:"):
			if i := strings.Index(line, " [#"); i > 0 {
				line = line[:i]
			}
		}
		out = append(out, line)
	}
	return []byte(strings.Join(out, "\r\n"))
}
