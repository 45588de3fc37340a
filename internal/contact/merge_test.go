package contact_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/testkit"
)

func fieldErr(err error) (string, string) {
	var ve *errs.ValidationError
	if errors.As(err, &ve) && len(ve.Fields) > 0 {
		return ve.Fields[0].Field, ve.Fields[0].Code
	}
	return "", ""
}

func TestMerge(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		core := app.NewCoreFromDB(d, app.CoreOptions{Password: auth.FastPasswordParams, Store: db.Options{DataDir: t.TempDir()}}, testkit.Logger())
		actor := audit.Actor{Type: "agent", ID: 1, Name: "Noa"}
		into, err := core.Contacts.Create(ctx, actor, contact.Input{Emails: []string{"dana@work.co.il"},
			CustomAttributes: map[string]any{"plan": "gold"}})
		if err != nil {
			t.Fatal(err)
		}
		from, err := core.Contacts.Create(ctx, actor, contact.Input{Name: "דנה כהן", Emails: []string{"dana@gmail.com"}, Phones: []string{"+972541234567"},
			Tier: "vip", Language: "he", ExternalIDs: map[string]string{"shop": "c-17"}, CustomAttributes: map[string]any{"plan": "silver", "city": "חיפה"}})
		if err != nil {
			t.Fatal(err)
		}
		older, err := core.Contacts.Create(ctx, actor, contact.Input{Name: "Dana", Emails: []string{"dana@old.com"}})
		if err != nil {
			t.Fatal(err)
		}
		box, _ := core.Inboxes.Create(ctx, actor, inbox.Input{Name: "Mail", Channel: "email"})
		conv, _, err := core.Conversations.Create(ctx, actor, conversation.CreateInput{InboxID: box.ID, Subject: "s",
			Requester: conversation.RequesterInput{ID: from.ID}, Message: &conversation.MessageInput{Direction: "inbound", Body: "hi"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := core.Contacts.Merge(ctx, actor, from.ID, older.ID); err != nil {
			t.Fatal(err)
		}

		got, err := core.Contacts.Merge(ctx, actor, into.ID, from.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "דנה כהן" || got.Tier != "vip" || got.Language != "he" || got.CustomAttributes["plan"] != "gold" ||
			got.CustomAttributes["city"] != "חיפה" || got.ExternalIDs["shop"] != "c-17" {
			t.Fatalf("merged fields: %+v", got)
		}
		if !slices.Equal(got.Emails, []string{"dana@work.co.il", "dana@gmail.com", "dana@old.com"}) || !slices.Equal(got.Phones, []string{"+972541234567"}) {
			t.Fatalf("merged identities: emails %v phones %v", got.Emails, got.Phones)
		}
		c, err := core.Conversations.Get(ctx, conv.ID)
		if err != nil || c.RequesterID != into.ID || c.Requester.Email != "dana@work.co.il" || !c.UpdatedAt.After(conv.UpdatedAt.Add(-1)) {
			t.Fatalf("conversation after merge: %+v, %v", c, err)
		}
		for _, gone := range []int64{from.ID, older.ID} {
			if _, err := core.Contacts.Get(ctx, gone); !errors.Is(err, errs.ErrNotFound) {
				t.Fatalf("get merged contact %d: %v, want not found", gone, err)
			}
		}
		page, err := core.Contacts.List(ctx, contact.ListParams{Query: "dana"})
		if err != nil || len(page.Data) != 1 || page.Data[0].ID != into.ID {
			t.Fatalf("list after merge: %+v, %v", page.Data, err)
		}
		// A sender address and a requester id of the merged contact both
		// resolve to the surviving contact.
		c2, _, err := core.Conversations.Create(ctx, actor, conversation.CreateInput{InboxID: box.ID, Subject: "again",
			Requester: conversation.RequesterInput{ID: older.ID}, Message: &conversation.MessageInput{Direction: "inbound", Body: "hi"}})
		if err != nil || c2.RequesterID != into.ID {
			t.Fatalf("requester by merged id: %+v, %v", c2.RequesterID, err)
		}
		c3, _, err := core.Conversations.Create(ctx, actor, conversation.CreateInput{InboxID: box.ID, Subject: "again",
			Requester: conversation.RequesterInput{Email: "dana@gmail.com"}, Message: &conversation.MessageInput{Direction: "inbound", Body: "hi"}})
		if err != nil || c3.RequesterID != into.ID {
			t.Fatalf("requester by moved email: %+v, %v", c3.RequesterID, err)
		}

		for _, tc := range []struct {
			into, from int64
			code       string
		}{
			{into.ID, into.ID, "invalid"},
			{into.ID, from.ID, "merged"},
			{into.ID, 9999, "not_found"},
		} {
			if _, err := core.Contacts.Merge(ctx, actor, tc.into, tc.from); func() bool { f, c := fieldErr(err); return f != "from_id" || c != tc.code }() {
				t.Errorf("merge %d into %d: %v, want from_id %s", tc.from, tc.into, err, tc.code)
			}
		}
		if _, err := core.Contacts.Merge(ctx, actor, from.ID, into.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("merge into a merged contact: %v, want not found", err)
		}

		entries, err := audit.List(ctx, d.R(), "contact", into.ID, 100)
		if err != nil || entries[len(entries)-1].Action != "contact.merged" || entries[len(entries)-1].Actor.ID != actor.ID {
			t.Fatalf("audit of the target: %+v, %v", entries, err)
		}
		entries, _ = audit.List(ctx, d.R(), "contact", from.ID, 100)
		if entries[len(entries)-1].Action != "contact.merged_into" {
			t.Fatalf("audit of the merged contact: %+v", entries)
		}
		var topics []string
		rows, _ := d.R().Query(ctx, `SELECT topic FROM event_outbox ORDER BY id`)
		for rows.Next() {
			var tp string
			_ = rows.Scan(&tp)
			topics = append(topics, tp)
		}
		rows.Close()
		if n := len(slices.DeleteFunc(topics, func(s string) bool { return s != "contact.updated" })); n < 4 {
			t.Fatalf("contact.updated events: %d, want 2 per merge", n)
		}
	})
}
