package report

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/jobs"
	"github.com/kesherdesk/kesher/internal/report/period"
	"github.com/kesherdesk/kesher/internal/sla/calendar"
)

// Calendars resolves a business-hours calendar by name (internal/sla's
// Service implements it).
type Calendars interface {
	BusinessCalendar(ctx context.Context, name string) (*calendar.Calendar, error)
}

// Options configure a Service.
type Options struct {
	// Calendar is the business-hours calendar of the rollups' business
	// times (default "il").
	Calendar string
	// Location is the desk's zone whose days the rollups use (default
	// Asia/Jerusalem).
	Location *time.Location
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Service answers reports and keeps the rollups.
type Service struct {
	db   *db.DB
	cals Calendars
	log  *slog.Logger
	cal  string
	loc  *time.Location
	now  func() time.Time
	// runner schedules JobRefresh (set by RegisterJobs).
	runner *jobs.Runner
}

// New returns a Service over d.
func New(d *db.DB, cals Calendars, log *slog.Logger, o Options) *Service {
	if o.Calendar == "" {
		o.Calendar = "il"
	}
	if o.Location == nil {
		loc, err := time.LoadLocation("Asia/Jerusalem")
		if err != nil {
			loc = time.UTC
		}
		o.Location = loc
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{db: d, cals: cals, log: log, cal: o.Calendar, loc: o.Location, now: o.Now}
}

// Location is the zone of the desk days.
func (s *Service) Location() *time.Location { return s.loc }

func (s *Service) calendar(ctx context.Context, name string) (*calendar.Calendar, error) {
	if name == "" {
		name = s.cal
	}
	c, err := s.cals.BusinessCalendar(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("report: calendar %q: %w", name, err)
	}
	return c, nil
}

// Filters narrow a report: the period [From, To) — rounded to whole desk
// days, From's day up to the day before To's day unless To is not a
// midnight, then To's day included — and optional inbox, team, channel,
// agent (the assignee). Calendar must be empty or the rollups' calendar.
// Ids must exist and Channel must be a known channel (errors name team,
// inbox, agent, channel). Source, when set, narrows the survey figures
// (CSAT, NPS, CES) to responses of that source ('survey', 'import' or an
// external source named in a feedback CSV); it does not narrow the others.
type Filters struct {
	From, To time.Time
	TeamID   int64
	InboxID  int64
	Channel  string
	AgentID  int64
	Calendar string
	Source   string
}

// Channels are the conversation channels a filter may name.
var Channels = []string{"email", "chat", "api", "phone", "messaging"}

// Summary is the report over a period; null fields had nothing to measure.
// Durations in seconds (medians and p90 from log-scale histograms, within
// HistError), percentages 0–100.
type Summary struct {
	From                               time.Time `json:"from"`
	To                                 time.Time `json:"to"`
	Calendar                           string    `json:"calendar"`
	ConversationsCreated               int64     `json:"conversations_created"`
	ConversationsSolved                int64     `json:"conversations_solved"`
	FirstResponseMedianSeconds         *float64  `json:"first_response_median_seconds"`
	FirstResponseMeanSeconds           *float64  `json:"first_response_mean_seconds"`
	FirstResponseP90Seconds            *float64  `json:"first_response_p90_seconds"`
	FirstResponseMedianBusinessSeconds *float64  `json:"first_response_median_business_seconds"`
	FirstResponseMeanBusinessSeconds   *float64  `json:"first_response_mean_business_seconds"`
	ResolutionMedianSeconds            *float64  `json:"resolution_median_seconds"`
	ResolutionMeanSeconds              *float64  `json:"resolution_mean_seconds"`
	FCRPercent                         *float64  `json:"fcr_percent"`
	ReopenPercent                      *float64  `json:"reopen_percent"`
	CSATPercent                        *float64  `json:"csat_percent"`
	CSATResponses                      int64     `json:"csat_responses"`
	NPS                                *float64  `json:"nps"`
	NPSResponses                       int64     `json:"nps_responses"`
	CESMean                            *float64  `json:"ces_mean"`
	CESResponses                       int64     `json:"ces_responses"`
	SLACompliancePercent               *float64  `json:"sla_compliance_percent"`
	BacklogOpen                        int64     `json:"backlog_open"`
	BacklogAgeMeanSeconds              *float64  `json:"backlog_age_mean_seconds"`
	Complaints                         int64     `json:"complaints"`
	ComplaintsWritten                  int64     `json:"complaints_written"`
	ComplaintsPhone                    int64     `json:"complaints_phone"`
	AgentReplies                       int64     `json:"agent_replies"`
	Referrals                          int64     `json:"referrals"`
	// ChatWaitMedianSeconds and ChatWaitMeanSeconds: chat wait time, from
	// the first customer message to the first agent reply, over chat
	// conversations created in the period that have both (exact, live).
	ChatWaitMedianSeconds *float64 `json:"chat_wait_median_seconds"`
	ChatWaitMeanSeconds   *float64 `json:"chat_wait_mean_seconds"`
}

// agg sums rollup rows.
type agg struct {
	rollRow
}

func (a *agg) add(r *rollRow) {
	a.created += r.created
	a.reopened += r.reopened
	a.frtN += r.frtN
	a.frtSum += r.frtSum
	a.frtBizN += r.frtBizN
	a.frtBizSum += r.frtBizSum
	a.slaDue += r.slaDue
	a.slaMet += r.slaMet
	a.complaints += r.complaints
	a.complaintsPhone += r.complaintsPhone
	a.solved += r.solved
	a.fcr += r.fcr
	a.replies += r.replies
	a.resSum += r.resSum
	for i, n := range r.hours {
		a.hours[i] += n
	}
}

// period returns the first day and the day after the last of f.
func (s *Service) period(f Filters) (first, next string) {
	first = f.From.In(s.loc).Format(time.DateOnly)
	to := f.To.In(s.loc)
	next = to.Format(time.DateOnly)
	if !to.Equal(midnight(next, s.loc)) {
		next = to.AddDate(0, 0, 1).Format(time.DateOnly)
	}
	return first, next
}

// CheckFilters validates f as every report does (period, channel, and
// that the team, inbox and agent ids exist): *errs.ValidationError naming
// the field, or a database error. For other services' reports over the
// same filters (trends).
func (s *Service) CheckFilters(ctx context.Context, f Filters) error { return s.check(ctx, f) }

// check validates f.
func (s *Service) check(ctx context.Context, f Filters) error {
	var c errs.Checker
	c.Check(!f.From.IsZero(), "from", "required", "from is required")
	c.Check(!f.To.IsZero(), "to", "required", "to is required")
	c.Check(f.From.IsZero() || f.To.IsZero() || f.To.After(f.From), "to", "invalid", "to must be after from")
	c.Check(f.From.IsZero() || f.To.IsZero() || f.To.Sub(f.From) <= 3*366*24*time.Hour, "to", "invalid", "a report covers at most 3 years")
	if f.Calendar != "" && f.Calendar != s.cal {
		c.Add("calendar", "invalid", "the rollups keep business time on calendar %q", s.cal)
	}
	if f.Channel != "" {
		c.OneOf("channel", f.Channel, Channels...)
	}
	c.Check(len(f.Source) <= 100, "source", "too_long", "source is at most 100 bytes")
	if err := c.Err(); err != nil {
		return err
	}
	for _, r := range []struct {
		field, table string
		id           int64
	}{{"team", "teams", f.TeamID}, {"inbox", "inboxes", f.InboxID}, {"agent", "agents", f.AgentID}} {
		if r.id == 0 {
			continue
		}
		var n int64
		if err := s.db.R().QueryRow(ctx, `SELECT COUNT(*) FROM `+r.table+` WHERE id = ?`, r.id).Scan(&n); err != nil {
			return fmt.Errorf("report: %s: %w", r.field, err)
		}
		if n == 0 {
			c.Add(r.field, "not_found", "no %s with id %d", r.field, r.id)
		}
	}
	return c.Err()
}

// rollupWhere returns the filter clause over report_daily and its args.
func rollupWhere(f Filters, first, next string) (string, []any) {
	w := []string{"day >= ?", "day < ?"}
	args := []any{first, next}
	if f.InboxID != 0 {
		w, args = append(w, "inbox_id = ?"), append(args, f.InboxID)
	}
	if f.TeamID != 0 {
		w, args = append(w, "team_id = ?"), append(args, f.TeamID)
	}
	if f.Channel != "" {
		w, args = append(w, "channel = ?"), append(args, f.Channel)
	}
	if f.AgentID != 0 {
		w, args = append(w, "agent_id = ?"), append(args, f.AgentID)
	}
	return strings.Join(w, " AND "), args
}

// scanRollups calls fn for every rollup row matching f with the row's
// encoded histograms in r.frtRaw, r.frtBizRaw and r.resRaw; r.hours is
// filled only when withHours is set (the heatmap). r is reused.
func (s *Service) scanRollups(ctx context.Context, f Filters, withHours bool, fn func(k rollKey, r *rollRow)) error {
	first, next := s.period(f)
	where, args := rollupWhere(f, first, next)
	hoursCol := "''"
	if withHours {
		hoursCol = "hours"
	}
	rs, err := s.db.R().Query(ctx, `SELECT day, inbox_id, team_id, channel, agent_id, created, reopened, frt_n, frt_sum, frt_hist,
 frt_biz_n, frt_biz_sum, frt_biz_hist, sla_due, sla_met, complaints, complaints_phone, `+hoursCol+`, solved, fcr, replies, res_sum, res_hist
 FROM report_daily WHERE `+where, args...)
	if err != nil {
		return fmt.Errorf("report: read rollups: %w", err)
	}
	defer rs.Close()
	var hours string
	r := &rollRow{} // reused: fn must not keep it
	for rs.Next() {
		var k rollKey
		r.hours = [24]int64{}
		if err := rs.Scan(&k.day, &k.inbox, &k.team, &k.channel, &k.agent, &r.created, &r.reopened, &r.frtN, &r.frtSum, &r.frtRaw,
			&r.frtBizN, &r.frtBizSum, &r.frtBizRaw, &r.slaDue, &r.slaMet, &r.complaints, &r.complaintsPhone, &hours, &r.solved, &r.fcr,
			&r.replies, &r.resSum, &r.resRaw); err != nil {
			return fmt.Errorf("report: read rollups: %w", err)
		}
		for i := 0; hours != "" && i < 24; i++ {
			part, rest, _ := strings.Cut(hours, ",")
			r.hours[i], _ = strconv.ParseInt(part, 10, 64)
			hours = rest
		}
		fn(k, r)
	}
	return rs.Err()
}

// Report returns the summary over f. Conversation metrics come from the
// rollups (by creation day: created, FRT, reopen, SLA, complaints; by solve
// day: solved, resolution, FCR); surveys, backlog and referrals from their
// tables. Errors: *errs.ValidationError for bad filters, database errors.
func (s *Service) Report(ctx context.Context, f Filters) (Summary, error) {
	if err := s.check(ctx, f); err != nil {
		return Summary{}, err
	}
	var a agg
	var frtH, frtBizH, resH buckets
	if err := s.scanRollups(ctx, f, false, func(_ rollKey, r *rollRow) {
		a.add(r)
		frtH.merge(r.frtRaw)
		frtBizH.merge(r.frtBizRaw)
		resH.merge(r.resRaw)
	}); err != nil {
		return Summary{}, err
	}
	out := Summary{From: f.From.UTC(), To: f.To.UTC(), Calendar: s.cal,
		ConversationsCreated: a.created, ConversationsSolved: a.solved,
		FirstResponseMedianSeconds: frtH.quantile(0.5), FirstResponseMeanSeconds: Mean(float64(a.frtSum), a.frtN),
		FirstResponseP90Seconds: frtH.quantile(0.9), FirstResponseMedianBusinessSeconds: frtBizH.quantile(0.5),
		FirstResponseMeanBusinessSeconds: Mean(float64(a.frtBizSum), a.frtBizN),
		ResolutionMedianSeconds:          resH.quantile(0.5), ResolutionMeanSeconds: Mean(float64(a.resSum), a.solved),
		FCRPercent: Percent(a.fcr, a.solved), ReopenPercent: Percent(a.reopened, a.created),
		SLACompliancePercent: SLACompliance(a.slaMet, a.slaDue), Complaints: a.complaints,
		ComplaintsWritten: a.complaints - a.complaintsPhone, ComplaintsPhone: a.complaintsPhone, AgentReplies: a.replies}
	if err := s.surveys(ctx, f, &out); err != nil {
		return Summary{}, err
	}
	if err := s.backlog(ctx, f, &out); err != nil {
		return Summary{}, err
	}
	if err := s.chatWait(ctx, f, &out); err != nil {
		return Summary{}, err
	}
	if err := s.db.R().QueryRow(ctx, `SELECT COUNT(*) FROM contacts WHERE source = 'referral' AND created_at >= ? AND created_at < ?`,
		f.From.UnixMilli(), f.To.UnixMilli()).Scan(&out.Referrals); err != nil {
		return Summary{}, fmt.Errorf("report: referrals: %w", err)
	}
	return out, nil
}

// convWhere returns a filter clause over conversations c.
func convWhere(f Filters) (string, []any) {
	var w []string
	var args []any
	if f.InboxID != 0 {
		w, args = append(w, "c.inbox_id = ?"), append(args, f.InboxID)
	}
	if f.TeamID != 0 {
		w, args = append(w, "c.team_id = ?"), append(args, f.TeamID)
	}
	if f.Channel != "" {
		w, args = append(w, "c.channel = ?"), append(args, f.Channel)
	}
	if f.AgentID != 0 {
		w, args = append(w, "c.assignee_id = ?"), append(args, f.AgentID)
	}
	if len(w) == 0 {
		return "", nil
	}
	return " AND " + strings.Join(w, " AND "), args
}

// surveyWhere returns a filter clause over survey_responses c.
func surveyWhere(f Filters) (string, []any) {
	w, args := convWhere(f)
	w = strings.ReplaceAll(w, "c.assignee_id", "c.agent_id")
	if f.Source != "" {
		w, args = w+" AND c.source = ?", append(args, f.Source)
	}
	return w, args
}

// chatWait fills the chat wait time: for each conversation of channel
// 'chat' created in the period (and matching the filters), the seconds from
// its first inbound message to the first outbound public reply by an agent
// after it (automatic messages excluded); conversations without both are
// not counted. Read live from messages, bounded to chat conversations.
func (s *Service) chatWait(ctx context.Context, f Filters, out *Summary) error {
	if f.Channel != "" && f.Channel != "chat" {
		return nil
	}
	g := f
	g.Channel = "chat"
	w, args := convWhere(g)
	rs, err := s.db.R().Query(ctx, `SELECT w.first_in, (SELECT MIN(m.created_at) FROM messages m WHERE m.conversation_id = w.id
 AND m.direction = 'outbound' AND m.kind = 'reply' AND m.author_type = 'agent' AND m.channel_meta NOT LIKE '%"automatic":true%'
 AND m.created_at >= w.first_in)
 FROM (SELECT c.id, (SELECT MIN(i.created_at) FROM messages i WHERE i.conversation_id = c.id AND i.direction = 'inbound') AS first_in
 FROM conversations c WHERE c.created_at >= ? AND c.created_at < ?`+w+`) w WHERE w.first_in IS NOT NULL`,
		append([]any{f.From.UnixMilli(), f.To.UnixMilli()}, args...)...)
	if err != nil {
		return fmt.Errorf("report: chat wait: %w", err)
	}
	defer rs.Close()
	var waits []float64
	var sum float64
	for rs.Next() {
		var in int64
		var reply sql.NullInt64
		if err := rs.Scan(&in, &reply); err != nil {
			return fmt.Errorf("report: chat wait: %w", err)
		}
		if reply.Valid {
			v := float64(reply.Int64-in) / 1000
			waits, sum = append(waits, v), sum+v
		}
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("report: chat wait: %w", err)
	}
	out.ChatWaitMedianSeconds = Quantile(waits, 0.5)
	out.ChatWaitMeanSeconds = Mean(sum, int64(len(waits)))
	return nil
}

// FeedbackRow is one source and kind of survey answers in a period.
type FeedbackRow struct {
	Source      string   `json:"source"`
	Kind        string   `json:"kind"`
	Responses   int64    `json:"responses"`
	CSATPercent *float64 `json:"csat_percent"`
	NPS         *float64 `json:"nps"`
	CESMean     *float64 `json:"ces_mean"`
}

// Feedback answers the survey figures per source and kind of the responses
// answered in [f.From, f.To) (filters as in Report; f.Source narrows to one
// source), read live; ordered by source then kind. Only the figure of the
// row's kind is set (csat_percent for csat, nps for nps, ces_mean for ces).
func (s *Service) Feedback(ctx context.Context, f Filters) ([]FeedbackRow, error) {
	if err := s.check(ctx, f); err != nil {
		return nil, err
	}
	w, args := surveyWhere(f)
	rs, err := s.db.R().Query(ctx, `SELECT c.source, c.kind, c.score, COUNT(*) FROM survey_responses c
 WHERE c.kind IN ('csat', 'nps', 'ces') AND c.responded_at >= ? AND c.responded_at < ?`+w+
		` GROUP BY c.source, c.kind, c.score ORDER BY c.source, c.kind`, append([]any{f.From.UnixMilli(), f.To.UnixMilli()}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("report: feedback: %w", err)
	}
	defer rs.Close()
	out := []FeedbackRow{}
	var good, pro, det, sum int64
	flush := func() {
		if len(out) == 0 {
			return
		}
		r := &out[len(out)-1]
		switch r.Kind {
		case "csat":
			r.CSATPercent = Percent(good, r.Responses)
		case "nps":
			r.NPS = NPSFromCounts(pro, det, r.Responses)
		case "ces":
			r.CESMean = Mean(float64(sum), r.Responses)
		}
		good, pro, det, sum = 0, 0, 0, 0
	}
	for rs.Next() {
		var src, kind string
		var score, n int64
		if err := rs.Scan(&src, &kind, &score, &n); err != nil {
			return nil, fmt.Errorf("report: feedback: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].Source != src || out[len(out)-1].Kind != kind {
			flush()
			out = append(out, FeedbackRow{Source: src, Kind: kind})
		}
		out[len(out)-1].Responses += n
		if score >= 4 {
			good += n
		}
		if score >= 9 {
			pro += n
		} else if score <= 6 {
			det += n
		}
		sum += score * n
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("report: feedback: %w", err)
	}
	flush()
	return out, nil
}

// surveys fills CSAT, NPS and CES from survey_responses answered in the
// period (the conversation's inbox, team, channel and agent as copied at
// answer time).
func (s *Service) surveys(ctx context.Context, f Filters, out *Summary) error {
	w, args := surveyWhere(f)
	rs, err := s.db.R().Query(ctx, `SELECT c.kind, c.score, COUNT(*) FROM survey_responses c WHERE c.responded_at >= ? AND c.responded_at < ?`+w+
		` GROUP BY c.kind, c.score`, append([]any{f.From.UnixMilli(), f.To.UnixMilli()}, args...)...)
	if err != nil {
		return fmt.Errorf("report: surveys: %w", err)
	}
	defer rs.Close()
	var csatGood, pro, det, cesSum int64
	for rs.Next() {
		var kind string
		var score, n int64
		if err := rs.Scan(&kind, &score, &n); err != nil {
			return fmt.Errorf("report: surveys: %w", err)
		}
		switch kind {
		case "csat":
			out.CSATResponses += n
			if score >= 4 {
				csatGood += n
			}
		case "nps":
			out.NPSResponses += n
			if score >= 9 {
				pro += n
			} else if score <= 6 {
				det += n
			}
		case "ces":
			out.CESResponses += n
			cesSum += score * n
		}
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("report: surveys: %w", err)
	}
	out.CSATPercent = Percent(csatGood, out.CSATResponses)
	out.NPS = NPSFromCounts(pro, det, out.NPSResponses)
	out.CESMean = Mean(float64(cesSum), out.CESResponses)
	return nil
}

// backlog fills the backlog: conversations still open (new, open, pending,
// on hold) that were created before the period's end, and their mean age
// at the period's end. It reads the current status, so it is exact for a
// period ending now.
func (s *Service) backlog(ctx context.Context, f Filters, out *Summary) error {
	w, args := convWhere(f)
	end := f.To.UnixMilli()
	var n int64
	var avgCreated sql.NullFloat64
	err := s.db.R().QueryRow(ctx, `SELECT COUNT(*), AVG(c.created_at) FROM conversations c
 WHERE c.status IN ('new', 'open', 'pending', 'on_hold') AND c.created_at < ?`+w, append([]any{end}, args...)...).Scan(&n, &avgCreated)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("report: backlog: %w", err)
	}
	out.BacklogOpen = n
	if n > 0 && avgCreated.Valid {
		out.BacklogAgeMeanSeconds = ptr((float64(end) - avgCreated.Float64) / 1000)
	}
	return nil
}

// ParseTime reads a period bound: a date YYYY-MM-DD (midnight in the desk
// zone loc) or an RFC 3339 instant, in the years period.MinYear…MaxYear.
// Errors name field.
func ParseTime(field, v string, loc *time.Location) (time.Time, error) {
	if v == "" {
		return time.Time{}, errs.Invalid(field, "required", "%s is required (YYYY-MM-DD or RFC 3339)", field)
	}
	t, err := time.ParseInLocation(time.DateOnly, v, loc)
	if err != nil {
		if t, err = time.Parse(time.RFC3339Nano, v); err != nil {
			return time.Time{}, errs.Invalid(field, "wrong_type", "%s must be a date YYYY-MM-DD or an RFC 3339 time", field)
		}
	}
	return t, period.CheckYear(field, t)
}
