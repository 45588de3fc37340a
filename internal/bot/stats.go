package bot

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
)

// StatsParams select the conversations counted: those the bot took
// (bot_conversations.taken_at, its first offer or handover) in [From, To),
// in one inbox when InboxID is not 0.
type StatsParams struct {
	From, To time.Time
	InboxID  int64
}

// InboxStats are the bot's figures for one inbox (InboxID 0 and InboxName
// "" for the total over the inboxes listed).
//
//   - Taken: conversations the bot took in the period (it offered articles
//     or handed over at least once).
//   - Deflected: of those, conversations the customer said the bot solved
//     ("yes"); they are solved without an agent.
//   - HandedOver: of those, conversations the bot handed to a person, and
//     HandoverByReason the same split by reason: "no" (the articles did not
//     help), "requested" (the customer asked for a person),
//     "low_confidence" (no article matched well enough). The rest of Taken
//     is still waiting for an answer, or an agent replied first.
//   - DeflectionRate = 100 × Deflected / Taken and HandoverRate = 100 ×
//     HandedOver / Taken, in percent rounded to one decimal; 0 when Taken
//     is 0.
type InboxStats struct {
	InboxID          int64          `json:"inbox_id"`
	InboxName        string         `json:"inbox_name"`
	Taken            int            `json:"taken"`
	Deflected        int            `json:"deflected"`
	HandedOver       int            `json:"handed_over"`
	HandoverByReason map[string]int `json:"handover_by_reason"`
	DeflectionRate   float64        `json:"deflection_rate"`
	HandoverRate     float64        `json:"handover_rate"`
	reasons          [3]int         // no, requested, low_confidence
}

// Stats are the bot's figures per inbox (inboxes with at least one
// conversation taken, by id) and their total.
type Stats struct {
	From    time.Time    `json:"from"`
	To      time.Time    `json:"to"`
	Inboxes []InboxStats `json:"inboxes"`
	Total   InboxStats   `json:"total"`
}

// Stats counts the bot's conversations (see InboxStats for the
// definitions). Errors: *errs.ValidationError ("to" not after "from"),
// database errors.
func (s *Service) Stats(ctx context.Context, p StatsParams) (Stats, error) {
	if !p.To.After(p.From) {
		return Stats{}, errs.Invalid("to", "invalid", "to must be after from")
	}
	q := `SELECT b.inbox_id, i.name, COUNT(*),
		SUM(CASE WHEN b.state = 'solved' THEN 1 ELSE 0 END),
		SUM(CASE WHEN b.state = 'handed_over' AND b.reason = 'no' THEN 1 ELSE 0 END),
		SUM(CASE WHEN b.state = 'handed_over' AND b.reason = 'requested' THEN 1 ELSE 0 END),
		SUM(CASE WHEN b.state = 'handed_over' AND b.reason = 'low_confidence' THEN 1 ELSE 0 END)
		FROM bot_conversations b JOIN inboxes i ON i.id = b.inbox_id
		WHERE b.taken_at IS NOT NULL AND b.taken_at >= ? AND b.taken_at < ?`
	args := []any{db.Ms(p.From), db.Ms(p.To)}
	if p.InboxID != 0 {
		q += ` AND b.inbox_id = ?`
		args = append(args, p.InboxID)
	}
	rows, err := s.db.R().Query(ctx, q+` GROUP BY b.inbox_id, i.name ORDER BY b.inbox_id`, args...)
	if err != nil {
		return Stats{}, fmt.Errorf("bot: stats: %w", err)
	}
	defer rows.Close()
	out := Stats{From: p.From.UTC(), To: p.To.UTC(), Inboxes: []InboxStats{}}
	for rows.Next() {
		var st InboxStats
		if err := rows.Scan(&st.InboxID, &st.InboxName, &st.Taken, &st.Deflected, &st.reasons[0], &st.reasons[1], &st.reasons[2]); err != nil {
			return Stats{}, err
		}
		out.Inboxes = append(out.Inboxes, st)
		out.Total.Taken += st.Taken
		out.Total.Deflected += st.Deflected
		for i, n := range st.reasons {
			out.Total.reasons[i] += n
		}
	}
	if err := rows.Err(); err != nil {
		return Stats{}, err
	}
	for i := range out.Inboxes {
		out.Inboxes[i].finish()
	}
	out.Total.finish()
	return out, nil
}

// finish derives the handover totals and the rates from the counts.
func (st *InboxStats) finish() {
	st.HandoverByReason = map[string]int{ReasonNo: st.reasons[0], ReasonRequested: st.reasons[1], ReasonLowConfidence: st.reasons[2]}
	st.HandedOver = st.reasons[0] + st.reasons[1] + st.reasons[2]
	st.DeflectionRate, st.HandoverRate = percent(st.Deflected, st.Taken), percent(st.HandedOver, st.Taken)
}

// percent is 100 × n / of rounded to one decimal, 0 when of is 0.
func percent(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return math.Round(1000*float64(n)/float64(of)) / 10
}
