package events_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestOutboxDeliversOnlyCommittedEventsOnce: events of a rolled-back
// transaction are never delivered; committed ones are delivered in order,
// including those left in the outbox by an earlier process (a "crash"
// between commit and delivery), and removed once delivered.
func TestOutboxDeliversOnlyCommittedEventsOnce(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		// An earlier process committed two events and died before delivering them.
		before := events.NewOutbox()
		for _, n := range []int{1, 2} {
			if err := d.WriteTx(ctx, func(tx *db.Tx) error { return before.Publish(ctx, tx, "conversation.created", map[string]int{"n": n}) }); err != nil {
				t.Fatal(err)
			}
		}
		o := events.NewOutbox()
		bus := events.NewLocal(testkit.Logger())
		var mu sync.Mutex
		var got []int
		var all []string
		bus.Subscribe("conversation.*", func(_ context.Context, e events.Event) error {
			var p map[string]int
			_ = json.Unmarshal(e.Payload, &p)
			mu.Lock()
			got = append(got, p["n"])
			mu.Unlock()
			return nil
		})
		bus.Subscribe("*", func(_ context.Context, e events.Event) error { all = append(all, e.Topic); return nil })
		_ = d.WriteTx(ctx, func(tx *db.Tx) error {
			if err := o.Publish(ctx, tx, "conversation.updated", map[string]int{"n": 99}); err != nil {
				return err
			}
			return context.Canceled // roll back
		})
		if err := d.WriteTx(ctx, func(tx *db.Tx) error { return o.Publish(ctx, tx, "conversation.updated", map[string]int{"n": 3}) }); err != nil {
			t.Fatal(err)
		}
		if err := d.WriteTx(ctx, func(tx *db.Tx) error { return o.Publish(ctx, tx, "message.created", map[string]int{"n": 4}) }); err != nil {
			t.Fatal(err)
		}
		disp := events.NewDispatcher(d, o, bus, testkit.Logger())
		n, err := disp.DeliverOnce(ctx)
		if err != nil || n != 4 {
			t.Fatalf("delivered %d, %v; want 4", n, err)
		}
		if len(got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 3 {
			t.Fatalf("conversation.* handler got %v, want [1 2 3]", got)
		}
		if len(all) != 4 || all[3] != "message.created" {
			t.Fatalf("* handler got %v", all)
		}
		if n, _ := disp.DeliverOnce(ctx); n != 0 {
			t.Fatalf("second round delivered %d again", n)
		}
		// Ids keep increasing after the outbox was emptied (never reused).
		var lastID int64
		bus.Subscribe("late", func(_ context.Context, e events.Event) error { lastID = e.ID; return nil })
		if err := d.WriteTx(ctx, func(tx *db.Tx) error { return o.Publish(ctx, tx, "late", map[string]int{"n": 5}) }); err != nil {
			t.Fatal(err)
		}
		if _, err := disp.DeliverOnce(ctx); err != nil || lastID <= 4 {
			t.Fatalf("event id after the outbox emptied = %d (%v), want > 4", lastID, err)
		}
	})
}

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, topic string
		want           bool
	}{
		{"*", "x.y", true}, {"conversation.*", "conversation.created", true}, {"conversation.*", "contact.created", false},
		{"message.created", "message.created", true}, {"message.created", "message.created.x", false}, {"conversation.*", "conversation", false},
	} {
		if got := events.Match(c.pattern, c.topic); got != c.want {
			t.Errorf("Match(%q, %q) = %v", c.pattern, c.topic, got)
		}
	}
}

// TestOutboxStoresManyEventsOfOneTransaction: one transaction publishing
// 12,000 events (36,000 parameters in a single INSERT would exceed
// SQLite's 32,766) stores them all, in order.
func TestOutboxStoresManyEventsOfOneTransaction(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		o := events.NewOutbox()
		const n = 12000
		err := d.WriteTx(ctx, func(tx *db.Tx) error {
			for i := range n {
				if err := o.Publish(ctx, tx, "order.updated", map[string]int{"n": i}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var count int
		if err := d.R().QueryRow(ctx, `SELECT COUNT(*) FROM event_outbox`).Scan(&count); err != nil || count != n {
			t.Fatalf("outbox holds %d events (%v), want %d", count, err, n)
		}
		var first, last string
		if err := d.R().QueryRow(ctx, `SELECT payload FROM event_outbox ORDER BY id LIMIT 1`).Scan(&first); err != nil {
			t.Fatal(err)
		}
		if err := d.R().QueryRow(ctx, `SELECT payload FROM event_outbox ORDER BY id DESC LIMIT 1`).Scan(&last); err != nil {
			t.Fatal(err)
		}
		if first != `{"n":0}` || last != `{"n":11999}` {
			t.Errorf("first %s, last %s; want n 0 and 11999", first, last)
		}
	})
}
