package report

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
)

// bulkInsert writes rows in multi-row INSERTs of at most 500 rows, each
// transaction holding up to 50,000 rows.
func bulkInsert(ctx context.Context, d *db.DB, head string, cols int, n int, row func(i int, args []any) []any) error {
	ph := "(" + db.Placeholders(cols) + ")"
	const per, perTx = 500, 50_000
	for start := 0; start < n; start += perTx {
		err := d.WriteTx(ctx, func(tx *db.Tx) error {
			for s := start; s < min(start+perTx, n); s += per {
				e := min(s+per, start+perTx, n)
				args := make([]any, 0, (e-s)*cols)
				vals := make([]string, 0, e-s)
				for i := s; i < e; i++ {
					args = row(i, args)
					vals = append(vals, ph)
				}
				if _, err := tx.Exec(ctx, head+" VALUES "+strings.Join(vals, ","), args...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("report: seed: %w", err)
		}
	}
	return nil
}

// Seed writes n synthetic conversations (ids from 1, into an empty store,
// for benchmarks) over the 120 days before now: 4 inboxes (email, chat,
// phone, messaging), 3 teams, 20 agents (agent i in team i mod 3), 10,000
// contacts; each conversation one public agent reply
// 1 minute to 2 days after creation; 80 % solved up to 5 days later; 2 %
// tagged complaint. It ends with ANALYZE (VACUUM ANALYZE on PostgreSQL).
func Seed(ctx context.Context, d *db.DB, n int, now time.Time) error {
	channels := []string{"email", "chat", "phone", "messaging"}
	if err := d.WriteTx(ctx, func(tx *db.Tx) error {
		for i, ch := range channels {
			if _, err := tx.Exec(ctx, `INSERT INTO inboxes (id, name, channel, created_at, updated_at) VALUES (?, ?, ?, 0, 0)`, i+1, ch, ch); err != nil {
				return err
			}
		}
		for i := 1; i <= 3; i++ {
			if _, err := tx.Exec(ctx, `INSERT INTO teams (id, name, created_at, updated_at) VALUES (?, ?, 0, 0)`, i, fmt.Sprint("team", i)); err != nil {
				return err
			}
		}
		for i := 1; i <= 20; i++ {
			if _, err := tx.Exec(ctx, `INSERT INTO agents (id, name, email, role, created_at, updated_at) VALUES (?, ?, ?, 'agent', 0, 0)`,
				i, fmt.Sprint("agent", i), fmt.Sprintf("a%d@x", i)); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO tags (id, name, created_at) VALUES (1, 'complaint', 0)`)
		return err
	}); err != nil {
		return fmt.Errorf("report: seed: %w", err)
	}
	if err := bulkInsert(ctx, d, `INSERT INTO contacts (id, name, email, created_at, updated_at)`, 5, 10_000, func(i int, a []any) []any {
		return append(a, i+1, "c", fmt.Sprintf("c%d@x", i), 0, 0)
	}); err != nil {
		return err
	}
	span := int64(120 * 24 * time.Hour / time.Millisecond)
	end := now.UnixMilli()
	type fact struct{ created, reply, solved int64 }
	facts := make([]fact, n)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range facts {
		c := end - span + r.Int64N(span)
		f := fact{created: c, reply: c + 60_000 + int64(r.ExpFloat64()*3_600_000)%(2*86_400_000)}
		if r.IntN(10) < 8 {
			f.solved = f.reply + r.Int64N(5*86_400_000)
			if f.solved > end {
				f.solved = 0
			}
		}
		facts[i] = f
	}
	if err := bulkInsert(ctx, d, `INSERT INTO conversations (id, inbox_id, channel, subject, status, priority, requester_id, assignee_id, team_id,
 created_at, updated_at, solved_at)`, 12, n, func(i int, a []any) []any {
		f := facts[i]
		agent := i%20 + 1
		status, solved := "open", any(nil)
		if f.solved != 0 {
			status, solved = "solved", f.solved
		}
		box := (i/20)%4 + 1
		return append(a, i+1, box, channels[box-1], "s", status, "normal", i%10_000+1, agent, agent%3+1, f.created, f.created, solved)
	}); err != nil {
		return err
	}
	if err := bulkInsert(ctx, d, `INSERT INTO messages (id, conversation_id, direction, kind, author_type, author_id, channel_meta, created_at)`, 8, n,
		func(i int, a []any) []any {
			return append(a, i+1, i+1, "outbound", "reply", "agent", i%20+1, "{}", facts[i].reply)
		}); err != nil {
		return err
	}
	if err := bulkInsert(ctx, d, `INSERT INTO conversation_tags (conversation_id, tag_id)`, 2, n/50, func(i int, a []any) []any {
		return append(a, i*50+1, 1)
	}); err != nil {
		return err
	}
	// Statistics (and on PostgreSQL the visibility map) as a live store has.
	q := "ANALYZE"
	if d.Dialect == db.Postgres {
		q = "VACUUM ANALYZE"
	}
	if _, err := d.Write.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("report: seed: %s: %w", q, err)
	}
	return nil
}
