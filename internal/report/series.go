package report

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/kesherdesk/kesher/internal/errs"
)

// Point is one bucket of a time series: Start is the local midnight of its
// first day (weeks start on Sunday, as in Israel); Value is nil when there
// was nothing to measure; Count is the base it was measured on.
type Point struct {
	Start time.Time `json:"start"`
	Value *float64  `json:"value"`
	Count int64     `json:"count"`
}

// Series is a metric over time.
type Series struct {
	Metric   string  `json:"metric"`
	Interval string  `json:"interval"`
	Points   []Point `json:"data"`
}

// Metrics a time series can show: volume (conversations created), frt
// (median first response seconds), csat (CSAT %), nps (NPS), sla (SLA
// compliance %: targets met over targets due — met or breached — of the
// conversations created in the bucket, as in Summary; Count is the targets
// due, Value nil when none were due).
var SeriesMetrics = []string{"volume", "frt", "csat", "nps", "sla"}

// Timeseries returns metric per interval ("day" or "week", weeks starting
// Sunday in the desk zone) over f. Errors: *errs.ValidationError naming
// metric or interval; database errors.
func (s *Service) Timeseries(ctx context.Context, f Filters, metric, interval string) (Series, error) {
	var c errs.Checker
	c.OneOf("metric", metric, SeriesMetrics...)
	c.OneOf("interval", interval, "day", "week")
	if err := c.Err(); err != nil {
		return Series{}, err
	}
	if err := s.check(ctx, f); err != nil {
		return Series{}, err
	}
	bucketOfDay := func(day string) string {
		if interval == "day" {
			return day
		}
		t := midnight(day, s.loc)
		return t.AddDate(0, 0, -int(t.Weekday())).Format(time.DateOnly)
	}
	// Buckets from the period, so empty ones show.
	first, next := s.period(f)
	var keys []string
	seen := map[string]bool{}
	for d := midnight(first, s.loc); d.Format(time.DateOnly) < next; d = d.AddDate(0, 0, 1) {
		if b := bucketOfDay(d.Format(time.DateOnly)); !seen[b] {
			seen[b] = true
			keys = append(keys, b)
		}
	}
	type acc struct {
		n, good, pro, det, met int64
		h                      buckets
	}
	accs := map[string]*acc{}
	for _, k := range keys {
		accs[k] = &acc{}
	}
	switch metric {
	case "volume", "frt", "sla":
		if err := s.scanRollups(ctx, f, false, func(k rollKey, r *rollRow) {
			a := accs[bucketOfDay(k.day)]
			if a == nil {
				return
			}
			switch metric {
			case "volume":
				a.n += r.created
				return
			case "sla":
				a.n += r.slaDue
				a.met += r.slaMet
				return
			}
			a.n += r.frtN
			a.h.merge(r.frtRaw)
		}); err != nil {
			return Series{}, err
		}
	default:
		w, args := surveyWhere(f)
		rs, err := s.db.R().Query(ctx, `SELECT c.responded_at, c.score FROM survey_responses c WHERE c.kind = ? AND c.responded_at >= ?
 AND c.responded_at < ?`+w, append([]any{metric, f.From.UnixMilli(), f.To.UnixMilli()}, args...)...)
		if err != nil {
			return Series{}, fmt.Errorf("report: series: %w", err)
		}
		defer rs.Close()
		for rs.Next() {
			var at, score int64
			if err := rs.Scan(&at, &score); err != nil {
				return Series{}, fmt.Errorf("report: series: %w", err)
			}
			a := accs[bucketOfDay(dayOf(at, s.loc))]
			if a == nil {
				continue
			}
			a.n++
			if score >= 4 {
				a.good++
			}
			if score >= 9 {
				a.pro++
			} else if score <= 6 {
				a.det++
			}
		}
		if err := rs.Err(); err != nil {
			return Series{}, fmt.Errorf("report: series: %w", err)
		}
	}
	out := Series{Metric: metric, Interval: interval, Points: make([]Point, 0, len(keys))}
	for _, k := range keys {
		a := accs[k]
		p := Point{Start: midnight(k, s.loc).UTC(), Count: a.n}
		switch metric {
		case "volume":
			p.Value = ptr(float64(a.n))
		case "frt":
			p.Value = a.h.quantile(0.5)
		case "csat":
			p.Value = Percent(a.good, a.n)
		case "nps":
			p.Value = NPSFromCounts(a.pro, a.det, a.n)
		case "sla":
			p.Value = SLACompliance(a.met, a.n)
		}
		out.Points = append(out.Points, p)
	}
	return out, nil
}

// HeatCell is the number of conversations created in one hour of the week
// (Weekday 0 = Sunday, Hour 0–23, desk zone).
type HeatCell struct {
	Weekday int   `json:"weekday"`
	Hour    int   `json:"hour"`
	Count   int64 `json:"count"`
}

// Heatmap returns the volume by hour of week over f: 168 cells.
func (s *Service) Heatmap(ctx context.Context, f Filters) ([]HeatCell, error) {
	if err := s.check(ctx, f); err != nil {
		return nil, err
	}
	var grid [7][24]int64
	if err := s.scanRollups(ctx, f, true, func(k rollKey, r *rollRow) {
		wd := midnight(k.day, s.loc).Weekday()
		for h, n := range r.hours {
			grid[wd][h] += n
		}
	}); err != nil {
		return nil, err
	}
	out := make([]HeatCell, 0, 168)
	for d := range 7 {
		for h := range 24 {
			out = append(out, HeatCell{Weekday: d, Hour: h, Count: grid[d][h]})
		}
	}
	return out, nil
}

// Breakdown is one row of a per-agent, per-channel or per-inbox table.
// HandleMedianSeconds is the agent's median handle time: creation to solve
// of the conversations assigned to them and solved in the period.
type Breakdown struct {
	Key                        string   `json:"key"`
	ID                         int64    `json:"id,omitempty"`
	Name                       string   `json:"name"`
	Created                    int64    `json:"conversations_created"`
	Solved                     int64    `json:"conversations_solved"`
	Replies                    int64    `json:"replies"`
	FirstResponseMedianSeconds *float64 `json:"first_response_median_seconds"`
	HandleMedianSeconds        *float64 `json:"handle_median_seconds"`
	FCRPercent                 *float64 `json:"fcr_percent"`
	// CSATPercent and CSATResponses: CSAT (share of 4–5 answers, %) over
	// the CSAT answers given in the period (by responded_at) and matching
	// the filters, attributed as stored with the answer: to the agent the
	// conversation was assigned to when the customer answered (for imported
	// answers, the line's assignee; "0" when unassigned), to the
	// conversation's channel then. Nil without answers. A row may have
	// answers and no conversations in the period (answered later).
	CSATPercent   *float64 `json:"csat_percent"`
	CSATResponses int64    `json:"csat_responses"`
}

// breakdown groups the rollups by keyOf.
func (s *Service) breakdown(ctx context.Context, f Filters, keyOf func(rollKey) (string, int64)) ([]Breakdown, error) {
	if err := s.check(ctx, f); err != nil {
		return nil, err
	}
	type acc struct {
		Breakdown
		fcr      int64
		frt, res buckets
	}
	accs := map[string]*acc{}
	if err := s.scanRollups(ctx, f, false, func(k rollKey, r *rollRow) {
		key, id := keyOf(k)
		a := accs[key]
		if a == nil {
			a = &acc{Breakdown: Breakdown{Key: key, ID: id}}
			accs[key] = a
		}
		a.Created += r.created
		a.Solved += r.solved
		a.Replies += r.replies
		a.fcr += r.fcr
		a.frt.merge(r.frtRaw)
		a.res.merge(r.resRaw)
	}); err != nil {
		return nil, err
	}
	out := make([]Breakdown, 0, len(accs))
	for _, a := range accs {
		a.FirstResponseMedianSeconds = a.frt.quantile(0.5)
		a.HandleMedianSeconds = a.res.quantile(0.5)
		a.FCRPercent = Percent(a.fcr, a.Solved)
		out = append(out, a.Breakdown)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Created != out[j].Created {
			return out[i].Created > out[j].Created
		}
		return out[i].Key < out[j].Key
	})
	return out, nil
}

// Agents returns agent productivity over f: per assignee (key "0" for
// unassigned) conversations created and solved, public replies in the
// solved conversations, median first response and median handle time, and
// CSAT by the agent assigned at answer time (Breakdown.CSATPercent).
func (s *Service) Agents(ctx context.Context, f Filters) ([]Breakdown, error) {
	out, err := s.breakdown(ctx, f, func(k rollKey) (string, int64) { return fmt.Sprint(k.agent), k.agent })
	if err != nil {
		return nil, err
	}
	if out, err = s.addCSAT(ctx, f, "COALESCE(c.agent_id, 0)", out, true); err != nil {
		return nil, err
	}
	return out, s.names(ctx, `SELECT name FROM agents WHERE id = ?`, out)
}

// Channels returns the volume, times and CSAT per channel over f.
func (s *Service) Channels(ctx context.Context, f Filters) ([]Breakdown, error) {
	out, err := s.breakdown(ctx, f, func(k rollKey) (string, int64) { return k.channel, 0 })
	if err != nil {
		return nil, err
	}
	if out, err = s.addCSAT(ctx, f, "c.channel", out, false); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Name = out[i].Key
	}
	return out, nil
}

// addCSAT sets CSATPercent and CSATResponses of out's rows from the CSAT
// answers of f's period grouped by keyExpr (a column of survey_responses
// c), adding a row for a key with answers but no row yet (its ID the key
// when idKey). Read live from survey_responses (index on kind,
// responded_at).
func (s *Service) addCSAT(ctx context.Context, f Filters, keyExpr string, out []Breakdown, idKey bool) ([]Breakdown, error) {
	w, args := surveyWhere(f)
	rs, err := s.db.R().Query(ctx, `SELECT `+keyExpr+`, COUNT(*), SUM(CASE WHEN c.score >= 4 THEN 1 ELSE 0 END) FROM survey_responses c
 WHERE c.kind = 'csat' AND c.responded_at >= ? AND c.responded_at < ?`+w+` GROUP BY `+keyExpr,
		append([]any{f.From.UnixMilli(), f.To.UnixMilli()}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("report: csat by %s: %w", keyExpr, err)
	}
	defer rs.Close()
	at := map[string]int{}
	for i := range out {
		at[out[i].Key] = i
	}
	for rs.Next() {
		var key string
		var n, good int64
		if err := rs.Scan(&key, &n, &good); err != nil {
			return nil, fmt.Errorf("report: csat by %s: %w", keyExpr, err)
		}
		i, ok := at[key]
		if !ok {
			b := Breakdown{Key: key}
			if idKey {
				b.ID, _ = strconv.ParseInt(key, 10, 64)
			}
			out = append(out, b)
			i = len(out) - 1
		}
		out[i].CSATResponses = n
		out[i].CSATPercent = Percent(good, n)
	}
	return out, rs.Err()
}

func (s *Service) names(ctx context.Context, q string, out []Breakdown) error {
	for i := range out {
		if out[i].ID == 0 {
			continue
		}
		if err := s.db.R().QueryRow(ctx, q, out[i].ID).Scan(&out[i].Name); err != nil {
			out[i].Name = ""
		}
	}
	return nil
}

// TagCount is the number of conversations created in the period carrying a
// tag.
type TagCount struct {
	Tag   string `json:"tag"`
	Count int64  `json:"count"`
}

// Tags returns the tags of conversations created in f's period, most used
// first (at most 100). It reads conversation_tags directly.
func (s *Service) Tags(ctx context.Context, f Filters) ([]TagCount, error) {
	if err := s.check(ctx, f); err != nil {
		return nil, err
	}
	w, args := convWhere(f)
	rs, err := s.db.R().Query(ctx, `SELECT t.name, COUNT(*) FROM conversation_tags ct JOIN tags t ON t.id = ct.tag_id
 JOIN conversations c ON c.id = ct.conversation_id WHERE c.created_at >= ? AND c.created_at < ?`+w+`
 GROUP BY t.name ORDER BY COUNT(*) DESC, t.name LIMIT 100`, append([]any{f.From.UnixMilli(), f.To.UnixMilli()}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("report: tags: %w", err)
	}
	defer rs.Close()
	out := []TagCount{}
	for rs.Next() {
		var t TagCount
		if err := rs.Scan(&t.Tag, &t.Count); err != nil {
			return nil, fmt.Errorf("report: tags: %w", err)
		}
		out = append(out, t)
	}
	return out, rs.Err()
}
