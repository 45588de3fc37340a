// Package loadgen makes load for benchmarks: bulk-seeded stores of any size
// and an HTTP load runner with latency percentiles. It is used by
// `kesher bench` and by the go test benchmarks, never by the server.
package loadgen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
)

// SeedResult describes a bulk seed.
type SeedResult struct {
	InboxID       int64
	Conversations int
	Duration      time.Duration
}

// statusMix is the share of each status in a mature desk: most history is
// solved or closed, a working backlog is open, pending or new.
var statusMix = []struct {
	status string
	weight int
}{{"closed", 55}, {"solved", 20}, {"open", 10}, {"pending", 8}, {"new", 5}, {"on_hold", 2}}

// Seed bulk-inserts n conversations (each with its own contact and one
// inbound message, one in four with a tag) spread over the last 90 days,
// in transactions of 5,000. It adds to whatever the store holds and is
// deterministic for a given n.
func Seed(ctx context.Context, d *db.DB, n int, progress func(done int)) (SeedResult, error) {
	start := time.Now()
	rng := rand.New(rand.NewPCG(42, uint64(n)))
	var res SeedResult
	now := time.Now().UnixMilli()
	span := int64(90 * 24 * time.Hour / time.Millisecond)
	err := d.WriteTx(ctx, func(tx *db.Tx) error {
		var err error
		res.InboxID, err = tx.InsertID(ctx, `INSERT INTO inboxes (name, channel, created_at, updated_at) VALUES (?, 'api', ?, ?)`,
			fmt.Sprintf("bench %d", now), now, now)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO tags (name, created_at) VALUES ('bench', ?) ON CONFLICT (name) DO NOTHING`, now)
		return err
	})
	if err != nil {
		return res, err
	}
	var tagID int64
	if err := d.R().QueryRow(ctx, `SELECT id FROM tags WHERE name = 'bench'`).Scan(&tagID); err != nil {
		return res, err
	}
	total := 0
	for _, m := range statusMix {
		total += m.weight
	}
	const batch = 5000
	for done := 0; done < n; {
		size := min(batch, n-done)
		err := d.WriteTx(ctx, func(tx *db.Tx) error {
			for i := range size {
				k := done + i
				created := now - span + int64(k)*span/int64(max(n, 1))
				w := rng.IntN(total)
				status := ""
				for _, m := range statusMix {
					if w -= m.weight; w < 0 {
						status = m.status
						break
					}
				}
				email := fmt.Sprintf("bench-%d-%d@example.com", now, k)
				cid, err := tx.InsertID(ctx, `INSERT INTO contacts (name, email, created_at, updated_at) VALUES (?, ?, ?, ?)`,
					fmt.Sprintf("Bench Customer %d", k), email, created, created)
				if err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, `INSERT INTO contact_identities (contact_id, kind, value) VALUES (?, 'email', ?)`, cid, email); err != nil {
					return err
				}
				var solved any
				if status == "solved" || status == "closed" {
					solved = created + int64(rng.IntN(72*3600*1000))
				}
				convID, err := tx.InsertID(ctx, `INSERT INTO conversations (inbox_id, channel, subject, status, priority, requester_id,
					message_count, created_at, updated_at, last_customer_message_at, solved_at) VALUES (?, 'api', ?, ?, 'normal', ?, 1, ?, ?, ?, ?)`,
					res.InboxID, fmt.Sprintf("Order %d has not arrived", 100000+k), status, cid, created, created, created, solved)
				if err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, `INSERT INTO messages (conversation_id, direction, kind, author_type, author_id, body_text, created_at)
					VALUES (?, 'inbound', 'reply', 'contact', ?, ?, ?)`, convID, cid, "Hello, my order has not arrived yet. Can you check?", created); err != nil {
					return err
				}
				if k%4 == 0 {
					if _, err := tx.Exec(ctx, `INSERT INTO conversation_tags (conversation_id, tag_id) VALUES (?, ?)`, convID, tagID); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return res, fmt.Errorf("loadgen: seed: %w", err)
		}
		done += size
		res.Conversations = done
		if progress != nil {
			progress(done)
		}
	}
	// Fresh statistics, as a desk that has run for a while would have. On
	// SQLite only sqlite_stat1 is kept: with stat4 samples every statement
	// whose bound values could change the plan is re-prepared on each run.
	if _, err := d.Write.ExecContext(ctx, `ANALYZE`); err != nil {
		return res, err
	}
	if d.Dialect == db.SQLite {
		if _, err := d.Write.ExecContext(ctx, `DELETE FROM sqlite_stat4`); err != nil {
			return res, err
		}
		if _, err := d.Write.ExecContext(ctx, `ANALYZE sqlite_schema`); err != nil {
			return res, err
		}
	}
	res.Duration = time.Since(start)
	return res, nil
}
