package notification_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/notification"
	"github.com/kesherdesk/kesher/internal/testkit"
)

func TestListAndMarkRead(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		outbox := events.NewOutbox()
		s := notification.NewService(d)
		var noa, avi int64
		var ids []int64
		base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		err := d.WriteTx(ctx, func(tx *db.Tx) error {
			for i, name := range []string{"noa", "avi"} {
				id, err := tx.InsertID(ctx, `INSERT INTO agents (name, email, password_hash, role, languages, capacity, availability, locale, time_zone, created_at, updated_at)
					VALUES (?, ?, '', 'agent', '[]', 20, 'online', 'he', 'Asia/Jerusalem', 1, 1)`, name, name+"@kesher.test")
				if err != nil {
					return err
				}
				if i == 0 {
					noa = id
				} else {
					avi = id
				}
			}
			for i := range 5 {
				id, err := notification.CreateTx(ctx, tx, outbox, notification.Notification{AgentID: noa, Kind: notification.KindRule,
					Data: map[string]any{"rule_name": "VIP", "i": i}, CreatedAt: base.Add(time.Duration(i) * time.Minute)})
				if err != nil {
					return err
				}
				ids = append(ids, id)
			}
			_, err := notification.CreateTx(ctx, tx, outbox, notification.Notification{AgentID: avi, Kind: notification.KindAssigned})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		ns, err := s.List(ctx, noa, false, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(ns) != 3 || ns[0].ID != ids[4] || ns[2].ID != ids[2] || ns[0].Data["rule_name"] != "VIP" || !ns[0].CreatedAt.Equal(base.Add(4*time.Minute)) ||
			ns[0].ReadAt != nil || ns[0].ConversationID != nil {
			t.Fatalf("list: %+v", ns)
		}
		if n, err := s.MarkRead(ctx, noa, []int64{ids[0], ids[1], ids[1]}, false); err != nil || n != 2 {
			t.Fatalf("mark two: %d, %v", n, err)
		}
		// Someone else's ids change nothing.
		if n, err := s.MarkRead(ctx, avi, []int64{ids[2]}, false); err != nil || n != 0 {
			t.Fatalf("mark another agent's: %d, %v", n, err)
		}
		if c, _ := s.UnreadCount(ctx, noa); c != 3 {
			t.Fatalf("unread = %d, want 3", c)
		}
		unread, _ := s.List(ctx, noa, true, 0)
		if len(unread) != 3 || unread[2].ID != ids[2] {
			t.Fatalf("unread list: %+v", unread)
		}
		got, err := s.Get(ctx, noa, ids[0])
		if err != nil || got.ReadAt == nil {
			t.Fatalf("get read one: %+v, %v", got, err)
		}
		if _, err := s.Get(ctx, avi, ids[0]); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("get another agent's: %v", err)
		}
		if n, err := s.MarkRead(ctx, noa, nil, true); err != nil || n != 3 {
			t.Fatalf("mark all: %d, %v", n, err)
		}
		if c, _ := s.UnreadCount(ctx, noa); c != 0 {
			t.Fatalf("unread after all = %d", c)
		}
		if c, _ := s.UnreadCount(ctx, avi); c != 1 {
			t.Fatalf("avi's unread = %d, want 1", c)
		}
		var ve *errs.ValidationError
		if _, err := s.MarkRead(ctx, noa, nil, false); !errors.As(err, &ve) || ve.Fields[0].Field != "ids" {
			t.Fatalf("nothing to mark: %v", err)
		}
		if _, err := s.List(ctx, noa, false, notification.MaxLimit+1); !errors.As(err, &ve) || ve.Fields[0].Field != "limit" {
			t.Fatalf("limit: %v", err)
		}
	})
}
