package report

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/sla/calendar"
)

// rollKey is one report_daily row's key.
type rollKey struct {
	day     string
	inbox   int64
	team    int64
	channel string
	agent   int64
}

// rollRow is one report_daily row's values.
type rollRow struct {
	created, reopened           int64
	frtN, frtSum                int64
	frtBizN, frtBizSum          int64
	frtHist, frtBizHist         hist
	slaDue, slaMet              int64
	complaints, complaintsPhone int64
	hours                       [24]int64
	solved, fcr, replies        int64
	resSum                      int64
	resHist                     hist
	// The encoded histograms as read by scanRollups (the maps stay nil).
	frtRaw, frtBizRaw, resRaw string
}

func newRollRow() *rollRow { return &rollRow{frtHist: hist{}, frtBizHist: hist{}, resHist: hist{}} }

// dayOf returns the desk day (YYYY-MM-DD in loc) of Unix ms.
func dayOf(ms int64, loc *time.Location) string {
	return time.UnixMilli(ms).In(loc).Format(time.DateOnly)
}

// midnight returns local midnight of date (YYYY-MM-DD) in loc.
func midnight(date string, loc *time.Location) time.Time {
	t, _ := time.ParseInLocation(time.DateOnly, date, loc)
	return t
}

// agentReplySQL counts a conversation's public replies by human agents,
// automatic messages excluded.
const agentReplySQL = `(SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'outbound'
 AND m.kind = 'reply' AND m.author_type = 'agent' AND m.channel_meta NOT LIKE '%"automatic":true%')`

// firstSolveReplySQL counts a conversation's public replies by human agents
// up to its first solve (its last solve when the first is unknown).
const firstSolveReplySQL = `(SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'outbound'
 AND m.kind = 'reply' AND m.author_type = 'agent' AND m.channel_meta NOT LIKE '%"automatic":true%'
 AND m.created_at <= COALESCE(c.first_solved_at, c.solved_at))`

// secs converts Unix ms to Unix seconds, keeping 0 (absent) as 0 and any
// present instant at least 1.
func secs(ms int64) int64 {
	if ms == 0 {
		return 0
	}
	return max(ms/1000, 1)
}

// Refresh recomputes the rollup rows of the desk days from from's day up to
// and including to's day from the facts (conversations created or solved on
// those days), replacing what was there, in one transaction. It is
// idempotent: running it twice gives the same rows. Rebuild and the
// periodic refresh job call it; errors are database errors.
func (s *Service) Refresh(ctx context.Context, from, to time.Time) error {
	return s.refresh(ctx, from, to, false)
}

// refresh is Refresh; all clears every rollup row (a rebuild) in the same
// transaction, so readers never see the rollups half empty.
func (s *Service) refresh(ctx context.Context, from, to time.Time, all bool) error {
	cal, err := s.calendar(ctx, "")
	if err != nil {
		return err
	}
	loc := s.loc
	first := dayOf(from.UnixMilli(), loc)
	last := dayOf(to.UnixMilli(), loc)
	startMs := midnight(first, loc).UnixMilli()
	endMs := midnight(last, loc).AddDate(0, 0, 1).UnixMilli()
	rows := map[rollKey]*rollRow{}
	get := func(k rollKey) *rollRow {
		r := rows[k]
		if r == nil {
			r = newRollRow()
			rows[k] = r
		}
		return r
	}
	q := s.db.R()
	if err := s.scanCreated(ctx, q, cal, startMs, endMs, get); err != nil {
		return err
	}
	if err := s.scanSolved(ctx, q, startMs, endMs, get); err != nil {
		return err
	}
	nextDay := midnight(last, loc).AddDate(0, 0, 1).Format(time.DateOnly)
	return s.db.WriteTx(ctx, func(tx *db.Tx) error {
		q, args := `DELETE FROM report_daily WHERE day >= ? AND day < ?`, []any{first, nextDay}
		if all {
			q, args = `DELETE FROM report_daily`, nil
		}
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("report: clear rollups: %w", err)
		}
		if err := insertRows(ctx, tx, rows); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO report_state (id, calendar, rebuilt_at) VALUES (1, ?, ?)
 ON CONFLICT (id) DO UPDATE SET calendar = excluded.calendar, rebuilt_at = excluded.rebuilt_at`, cal.Name(), s.now().UnixMilli())
		if err != nil {
			return fmt.Errorf("report: state: %w", err)
		}
		return nil
	})
}

// Rebuild recomputes every rollup row from the first conversation's day to
// today in one transaction (kesher report rebuild).
func (s *Service) Rebuild(ctx context.Context) error {
	var minMs sql.NullInt64
	if err := s.db.R().QueryRow(ctx, `SELECT MIN(created_at) FROM conversations`).Scan(&minMs); err != nil {
		return fmt.Errorf("report: first conversation: %w", err)
	}
	from := s.now()
	if minMs.Valid {
		from = time.UnixMilli(minMs.Int64)
	}
	return s.refresh(ctx, from, s.now(), true)
}

func (s *Service) scanCreated(ctx context.Context, q db.Querier, cal *calendar.Calendar, startMs, endMs int64, get func(rollKey) *rollRow) error {
	rs, err := q.Query(ctx, `SELECT c.inbox_id, COALESCE(c.team_id, 0), c.channel, COALESCE(c.assignee_id, 0), c.created_at,
 (SELECT MIN(m.created_at) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'outbound' AND m.kind = 'reply'
  AND m.author_type = 'agent' AND m.channel_meta NOT LIKE '%"automatic":true%'), c.reopen_count,
 COALESCE(c.first_solved_at, 0), COALESCE(c.first_reopened_at, 0),
 EXISTS (SELECT 1 FROM conversation_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.conversation_id = c.id AND t.name = 'complaint'),
 (SELECT COUNT(*) FROM conversation_sla s WHERE s.conversation_id = c.id AND (s.met_at IS NOT NULL OR s.breached_at IS NOT NULL)),
 (SELECT COUNT(*) FROM conversation_sla s WHERE s.conversation_id = c.id AND s.met_at IS NOT NULL AND s.breached_at IS NULL)
 FROM conversations c WHERE c.created_at >= ? AND c.created_at < ?`, startMs, endMs)
	if err != nil {
		return fmt.Errorf("report: scan created: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var k rollKey
		var created, reopens, firstSolved, firstReopened, due, met int64
		var frt sql.NullInt64
		var complaint bool
		if err := rs.Scan(&k.inbox, &k.team, &k.channel, &k.agent, &created, &frt, &reopens, &firstSolved, &firstReopened, &complaint,
			&due, &met); err != nil {
			return fmt.Errorf("report: scan created: %w", err)
		}
		local := time.UnixMilli(created).In(s.loc)
		k.day = local.Format(time.DateOnly)
		r := get(k)
		r.created++
		r.hours[local.Hour()]++
		f := Conversation{CreatedAt: created / 1000, FirstSolvedAt: secs(firstSolved), FirstReopenedAt: secs(firstReopened),
			Reopened: reopens > 0}
		if ReopenedWithinWindow(f) {
			r.reopened++
		}
		if frt.Valid {
			f.FirstResponseAt = max(frt.Int64/1000, 1)
		}
		if secs, ok := FirstResponseSeconds(f); ok {
			r.frtN++
			r.frtSum += secs
			r.frtHist.add(secs)
			biz := int64(cal.Between(time.UnixMilli(created), time.UnixMilli(frt.Int64))) * 60
			r.frtBizN++
			r.frtBizSum += biz
			r.frtBizHist.add(biz)
		}
		r.slaDue += due
		r.slaMet += met
		if complaint {
			r.complaints++
			if k.channel == "phone" {
				r.complaintsPhone++
			}
		}
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("report: scan created: %w", err)
	}
	return nil
}

func (s *Service) scanSolved(ctx context.Context, q db.Querier, startMs, endMs int64, get func(rollKey) *rollRow) error {
	rs, err := q.Query(ctx, `SELECT c.inbox_id, COALESCE(c.team_id, 0), c.channel, COALESCE(c.assignee_id, 0), c.created_at,
 c.solved_at, c.reopen_count, `+agentReplySQL+`, `+firstSolveReplySQL+`, COALESCE(c.first_solved_at, 0),
 COALESCE(c.first_reopened_at, 0)
 FROM conversations c WHERE c.solved_at >= ? AND c.solved_at < ?`, startMs, endMs)
	if err != nil {
		return fmt.Errorf("report: scan solved: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var k rollKey
		var created, solved, reopens, replies, firstReplies, firstSolved, firstReopened int64
		if err := rs.Scan(&k.inbox, &k.team, &k.channel, &k.agent, &created, &solved, &reopens, &replies, &firstReplies, &firstSolved,
			&firstReopened); err != nil {
			return fmt.Errorf("report: scan solved: %w", err)
		}
		k.day = dayOf(solved, s.loc)
		r := get(k)
		f := Conversation{CreatedAt: created / 1000, SolvedAt: secs(solved), AgentReplies: int(firstReplies),
			FirstSolvedAt: secs(firstSolved), FirstReopenedAt: secs(firstReopened), Reopened: reopens > 0}
		secs, _ := ResolutionSeconds(f)
		r.solved++
		r.resSum += secs
		r.resHist.add(secs)
		r.replies += replies
		if FirstContactResolved(f) {
			r.fcr++
		}
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("report: scan solved: %w", err)
	}
	return nil
}

func encodeHours(h [24]int64) string {
	parts := make([]string, 24)
	for i, n := range h {
		parts[i] = strconv.FormatInt(n, 10)
	}
	return strings.Join(parts, ",")
}

func insertRows(ctx context.Context, tx *db.Tx, rows map[rollKey]*rollRow) error {
	const cols = 23
	const batch = 400
	var sb strings.Builder
	args := make([]any, 0, batch*cols)
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		_, err := tx.Exec(ctx, `INSERT INTO report_daily (day, inbox_id, team_id, channel, agent_id, created, reopened, frt_n, frt_sum,
 frt_hist, frt_biz_n, frt_biz_sum, frt_biz_hist, sla_due, sla_met, complaints, complaints_phone, hours, solved, fcr, replies,
 res_sum, res_hist) VALUES `+sb.String(), args...)
		sb.Reset()
		args, n = args[:0], 0
		if err != nil {
			return fmt.Errorf("report: write rollups: %w", err)
		}
		return nil
	}
	ph := "(" + db.Placeholders(cols) + ")"
	for k, r := range rows {
		if n > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(ph)
		args = append(args, k.day, k.inbox, k.team, k.channel, k.agent, r.created, r.reopened, r.frtN, r.frtSum, r.frtHist.encode(),
			r.frtBizN, r.frtBizSum, r.frtBizHist.encode(), r.slaDue, r.slaMet, r.complaints, r.complaintsPhone, encodeHours(r.hours),
			r.solved, r.fcr, r.replies, r.resSum, r.resHist.encode())
		n++
		if n == batch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}
