package rules

import (
	"context"
	"fmt"
	"time"

	"github.com/kesherdesk/kesher/internal/automation"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
)

// BusinessCalendar is the calendar rules use for inside_business_hours and
// business-time time rules: the built-in Israeli calendar (Sunday–Thursday
// 09:00–17:00 Asia/Jerusalem, closed on Israeli holidays). Inboxes have no
// calendar of their own yet; when they do, Facts will take the inbox's.
const BusinessCalendar = "il"

// extra is what Facts need beyond the conversation row.
type extra struct {
	statusChangedAt time.Time
	tier            string
	lastInbound     string
}

// Facts builds the automation.Facts of each conversation at now, exactly as
// the runner sees them — the dry run uses the same function:
//   - the conversation's fields (automation.FactsFrom);
//   - ContactTier: the requester's tier;
//   - MessageText: the body of the latest customer (inbound) message (the
//     runner puts the message that arrived there for message.received, which
//     is the latest unless another came in before the rules ran);
//   - InsideBusinessHours: whether now is inside BusinessCalendar's hours;
//   - StatusMinutes and StatusBusinessMinutes: calendar and business
//     minutes since conversations.status_changed_at.
//
// The result is in the order of convs. Reads go through q (a transaction or
// the read pool), a few queries per 500 conversations.
func (s *Service) Facts(ctx context.Context, q db.Querier, convs []conversation.Conversation, now time.Time) ([]automation.Facts, error) {
	ex := map[int64]*extra{}
	ids := make([]any, 0, len(convs))
	for _, c := range convs {
		ex[c.ID] = &extra{}
		ids = append(ids, c.ID)
	}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		chunk := ids[:n]
		ids = ids[n:]
		marks := db.Placeholders(n)
		rows, err := q.Query(ctx, `SELECT c.id, COALESCE(c.status_changed_at, c.updated_at), r.tier FROM conversations c
			JOIN contacts r ON r.id = c.requester_id WHERE c.id IN (`+marks+`)`, chunk...)
		if err != nil {
			return nil, fmt.Errorf("rules: facts: %w", err)
		}
		for rows.Next() {
			var id, since int64
			var tier string
			if err := rows.Scan(&id, &since, &tier); err != nil {
				rows.Close()
				return nil, err
			}
			ex[id].statusChangedAt, ex[id].tier = db.Time(since), tier
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		rows, err = q.Query(ctx, `SELECT m.conversation_id, m.body_text FROM messages m WHERE m.id IN (
			SELECT MAX(id) FROM messages WHERE conversation_id IN (`+marks+`) AND direction = 'inbound' GROUP BY conversation_id)`, chunk...)
		if err != nil {
			return nil, fmt.Errorf("rules: facts: %w", err)
		}
		for rows.Next() {
			var id int64
			var body string
			if err := rows.Scan(&id, &body); err != nil {
				rows.Close()
				return nil, err
			}
			ex[id].lastInbound = body
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	inside := s.InsideBusinessHours(now)
	out := make([]automation.Facts, len(convs))
	for i, c := range convs {
		f := automation.FactsFrom(c)
		e := ex[c.ID]
		f.ContactTier, f.MessageText, f.InsideBusinessHours = e.tier, e.lastInbound, inside
		if !e.statusChangedAt.IsZero() && now.After(e.statusChangedAt) {
			f.StatusMinutes = int64(now.Sub(e.statusChangedAt) / time.Minute)
			f.StatusBusinessMinutes = int64(s.cal.Between(e.statusChangedAt, now))
		}
		out[i] = f
	}
	return out, nil
}

// InsideBusinessHours reports whether t falls inside BusinessCalendar's
// open hours.
func (s *Service) InsideBusinessHours(t time.Time) bool {
	return s.cal.Due(t, 0).Equal(t)
}
