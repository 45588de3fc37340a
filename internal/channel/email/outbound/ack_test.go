package outbound_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/channel/email/outbound"
	"github.com/kesherdesk/kesher/internal/channel/email/parse"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

func ackSettings() map[string]any {
	return map[string]any{"ack": map[string]any{"enabled": true, "templates": map[string]any{
		"he": map[string]any{"subject": "קיבלנו את פנייתך, {{contact.first_name}}", "body": "שלום {{contact.first_name}}, פנייה מספר {{conversation.number}} התקבלה."},
		"en": map[string]any{"subject": "We got it", "body": "Hi {{contact.first_name}}, request {{conversation.number}} is in."},
	}}}
}

func TestAcknowledgement(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, ackSettings())
		conv := k.customerMail("שאלה", "יש לי שאלה על החשבון", map[string]any{"message_id": "q1@example.com"})
		k.settle()
		mail := k.sink.Wait(t, 1, 5*time.Second)
		p, err := parse.Parse(mail.Data)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("קיבלנו את פנייתך, רותם [#%d]", conv.ID); p.Subject != want {
			t.Errorf("ack subject %q, want %q", p.Subject, want)
		}
		if want := fmt.Sprintf("שלום רותם, פנייה מספר %d התקבלה.", conv.ID); strings.TrimSpace(p.Text) != want {
			t.Errorf("ack text %q, want %q", p.Text, want)
		}
		if p.From.Name != "תמיכה" || header(t, mail.Data, "Auto-Submitted") != "auto-replied" ||
			header(t, mail.Data, "X-Auto-Response-Suppress") != "All" || strings.Join(p.InReplyTo, "") != "q1@example.com" {
			t.Errorf("ack headers: from %+v auto-submitted %q in-reply-to %v", p.From, header(t, mail.Data, "Auto-Submitted"), p.InReplyTo)
		}
		msgs, err := k.core.Conversations.ListMessages(k.ctx, conv.ID, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		ack := msgs[len(msgs)-1]
		if ack.AuthorType != "system" || ack.Direction != "outbound" || ack.DeliveryStatus != "sent" || ack.ChannelMeta["automatic"] != true {
			t.Errorf("stored ack %+v", ack)
		}
		got, err := k.core.Conversations.Get(k.ctx, conv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != "new" || got.FirstResponseAt != nil || got.MessageCount != 2 {
			t.Errorf("after the ack: status %s, first response %v, %d messages", got.Status, got.FirstResponseAt, got.MessageCount)
		}
		// The event coming twice sends nothing more.
		if id, err := k.out.Acknowledge(k.ctx, conv.ID); err != nil || id != 0 {
			t.Errorf("second Acknowledge: %d %v", id, err)
		}

		// English conversation: English template.
		k.customerMail("Question", "I have a question about my bill", nil)
		k.settle()
		p2, _ := parse.Parse(k.sink.Wait(t, 2, 5*time.Second).Data)
		if !strings.HasPrefix(p2.Subject, "We got it [#") || !strings.HasPrefix(p2.Text, "Hi רותם, request ") {
			t.Errorf("English ack %q %q", p2.Subject, p2.Text)
		}

		// Never to auto-replies, bulk mail or bounces.
		for _, kind := range []string{"auto_reply", "bulk", "bounce"} {
			k.customerMail("Out of office", "I am away", map[string]any{"kind": kind})
		}
		// Nor when an agent opens the conversation.
		if _, _, err := k.core.Conversations.Create(k.ctx, audit.System, conversation.CreateInput{InboxID: k.inbox.ID, Subject: "Outreach",
			Requester: conversation.RequesterInput{Email: "other@example.com"}, Message: &conversation.MessageInput{Body: "Hello"}}); err != nil {
			t.Fatal(err)
		}
		k.settle()
		acks := 0
		for _, m := range k.sink.Mails() {
			if bytes.Contains(m.Data, []byte("Auto-Submitted: auto-replied")) {
				acks++
			}
		}
		if acks != 2 || len(k.sink.Mails()) != 3 {
			t.Errorf("%d acks in %d mails, want 2 in 3 (two acks and the agent's mail)", acks, len(k.sink.Mails()))
		}
	})
}

func TestAutomaticLimit(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		allow := func(addr string, at time.Time) bool {
			t.Helper()
			var ok bool
			err := d.WriteTx(t.Context(), func(tx *db.Tx) error {
				var err error
				ok, err = outbound.AllowAutomaticN(t.Context(), tx, addr, 5, at)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		for i := range 5 {
			if !allow("Rotem@Example.com", now.Add(time.Duration(i)*time.Minute)) {
				t.Fatalf("message %d refused", i+1)
			}
		}
		if allow("rotem@example.com", now.Add(10*time.Minute)) {
			t.Error("sixth message within the hour allowed")
		}
		if !allow("other@example.com", now.Add(10*time.Minute)) {
			t.Error("another address refused")
		}
		if !allow("rotem@example.com", now.Add(time.Hour+30*time.Second)) {
			t.Error("a message after the first left the hour refused")
		}
		// The default limit through the exported function.
		var ok bool
		if err := d.WriteTx(t.Context(), func(tx *db.Tx) error {
			var err error
			ok, err = outbound.AllowAutomatic(t.Context(), tx, "fresh@example.com")
			return err
		}); err != nil || !ok {
			t.Errorf("AllowAutomatic: %v %v", ok, err)
		}
	})
}

func TestAcknowledgementLimit(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		s := ackSettings()
		s["automatic_limit_per_hour"] = float64(2)
		k := newDesk(t, d, s)
		for i := range 4 {
			k.customerMail(fmt.Sprintf("Question %d", i), "Help please", nil)
		}
		k.settle()
		if n := len(k.sink.Mails()); n != 2 {
			t.Errorf("%d acknowledgements, want 2 (the inbox limit)", n)
		}
	})
}
