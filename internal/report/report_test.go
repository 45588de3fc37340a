package report_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/report"
	"github.com/kesherdesk/kesher/internal/sla/calendar"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// ilCalendars serves the built-in Israeli calendar (Sun–Thu 09:00–17:00).
type ilCalendars struct{}

func (ilCalendars) BusinessCalendar(context.Context, string) (*calendar.Calendar, error) {
	return calendar.IL()
}

var jlm = func() *time.Location { l, _ := time.LoadLocation("Asia/Jerusalem"); return l }()

// at is a local Jerusalem time in March 2026 (UTC+2, before DST).
func at(day, hour, minute int) time.Time { return time.Date(2026, 3, day, hour, minute, 0, 0, jlm) }

type msg struct {
	at        time.Time
	author    string // agent, bot, contact
	automatic bool
}

type conv struct {
	channel   string
	agent     int // index into agents
	created   time.Time
	status    string
	solved    *time.Time
	reopens   int
	messages  []msg
	complaint bool
}

func tp(t time.Time) *time.Time { return &t }

// seed builds the hand-made week of 8–14 March 2026:
//
//	C1 email  A: Sun 10:00; bot 10:05, automatic ack 10:10, agent 10:30; solved 12:00
//	   FRT 1800 s (business 1800), resolution 7200, one agent reply → FCR.
//	C2 email  A: Thu 15:00; agent Sun 15.3 11:00; open
//	   FRT 68 h = 244800 s; business Thu 15–17 + Sun 09–11 = 4 h = 14400 (weekend Fri/Sat skipped).
//	C3 phone  B: Mon 09:00; agent 09:10 and 09:20; solved 10:00; tagged complaint
//	   FRT 600 (business 600), resolution 3600, two replies → not FCR.
//	C4 chat   B: Tue 11:00; only a bot reply; open → no FRT (null, not 0), backlog.
//	C5 email  A: Wed 08:00; agent 08:20; reopened once; solved 14:00; tagged complaint
//	   FRT 1200 (business 0: before opening), resolution 21600, reopened → not FCR.
func seed(t *testing.T, d *db.DB) (inbox, agentA, agentB int64) {
	t.Helper()
	ctx := context.Background()
	convs := []conv{
		{channel: "email", agent: 0, created: at(8, 10, 0), status: "solved", solved: tp(at(8, 12, 0)), messages: []msg{
			{at(8, 10, 5), "bot", false}, {at(8, 10, 10), "agent", true}, {at(8, 10, 30), "agent", false}}},
		{channel: "email", agent: 0, created: at(12, 15, 0), status: "open", messages: []msg{{at(15, 11, 0), "agent", false}}},
		{channel: "phone", agent: 1, created: at(9, 9, 0), status: "solved", solved: tp(at(9, 10, 0)), complaint: true, messages: []msg{
			{at(9, 9, 10), "agent", false}, {at(9, 9, 20), "agent", false}}},
		{channel: "chat", agent: 1, created: at(10, 11, 0), status: "open", messages: []msg{{at(10, 11, 1), "bot", false}}},
		{channel: "email", agent: 0, created: at(11, 8, 0), status: "solved", solved: tp(at(11, 14, 0)), reopens: 1, complaint: true,
			messages: []msg{{at(11, 8, 20), "agent", false}}},
	}
	err := d.WriteTx(ctx, func(tx *db.Tx) error {
		var err error
		inbox, err = tx.InsertID(ctx, `INSERT INTO inboxes (name, channel, created_at, updated_at) VALUES ('Main', 'email', 0, 0)`)
		if err != nil {
			return err
		}
		agentA, _ = tx.InsertID(ctx, `INSERT INTO agents (name, email, role, created_at, updated_at) VALUES ('A', 'a@x', 'agent', 0, 0)`)
		agentB, _ = tx.InsertID(ctx, `INSERT INTO agents (name, email, role, created_at, updated_at) VALUES ('B', 'b@x', 'agent', 0, 0)`)
		contact, err := tx.InsertID(ctx, `INSERT INTO contacts (name, email, source, created_at, updated_at) VALUES ('C', 'c@x', 'referral', ?, 0)`,
			db.Ms(at(9, 12, 0)))
		if err != nil {
			return err
		}
		tag, err := tx.InsertID(ctx, `INSERT INTO tags (name, created_at) VALUES ('complaint', 0)`)
		if err != nil {
			return err
		}
		agents := []int64{agentA, agentB}
		ids := make([]int64, len(convs))
		for i, c := range convs {
			id, err := tx.InsertID(ctx, `INSERT INTO conversations (inbox_id, channel, subject, status, priority, requester_id, assignee_id,
 reopen_count, created_at, updated_at, solved_at) VALUES (?, ?, 's', ?, 'normal', ?, ?, ?, ?, ?, ?)`, inbox, c.channel, c.status, contact,
				agents[c.agent], c.reopens, db.Ms(c.created), db.Ms(c.created), db.MsArg(c.solved))
			if err != nil {
				return err
			}
			ids[i] = id
			for _, m := range c.messages {
				meta := `{}`
				if m.automatic {
					meta = `{"automatic":true,"auto":"ack"}`
				}
				if _, err := tx.Exec(ctx, `INSERT INTO messages (conversation_id, direction, kind, author_type, channel_meta, created_at)
 VALUES (?, 'outbound', 'reply', ?, ?, ?)`, id, m.author, meta, db.Ms(m.at)); err != nil {
					return err
				}
			}
			if c.complaint {
				if _, err := tx.Exec(ctx, `INSERT INTO conversation_tags (conversation_id, tag_id) VALUES (?, ?)`, id, tag); err != nil {
					return err
				}
			}
		}
		// SLA: C1 first response and resolution met, C3 first response
		// breached, C2 running (not due) → 2 met of 3 due.
		for _, r := range []struct {
			conv        int64
			target      string
			met, breach any
		}{{ids[0], "first_response", 1, nil}, {ids[0], "resolution", 1, nil}, {ids[2], "first_response", nil, 1}, {ids[1], "first_response", nil, nil}} {
			if _, err := tx.Exec(ctx, `INSERT INTO conversation_sla (conversation_id, target, state, met_at, breached_at, updated_at)
 VALUES (?, ?, 'x', ?, ?, 0)`, r.conv, r.target, r.met, r.breach); err != nil {
				return err
			}
		}
		// Surveys in the week: CSAT 5, 4, 2 → 66.67 %; NPS 7, 8 (passives
		// only) → 0; CES 3, 5 → 4.
		for _, s := range []struct {
			kind  string
			score int
		}{{"csat", 5}, {"csat", 4}, {"csat", 2}, {"nps", 7}, {"nps", 8}, {"ces", 3}, {"ces", 5}} {
			if _, err := tx.Exec(ctx, `INSERT INTO survey_responses (kind, score, contact_id, inbox_id, channel, responded_at, updated_at)
 VALUES (?, ?, ?, ?, 'email', ?, 0)`, s.kind, s.score, contact, inbox, db.Ms(at(12, 9, 0))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return inbox, agentA, agentB
}

func near(got *float64, want, rel float64) bool {
	return got != nil && math.Abs(*got-want) <= rel*math.Abs(want)+1
}

func TestReportHandBuiltWeek(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		inbox, agentA, _ := seed(t, d)
		s := report.New(d, ilCalendars{}, testkit.Logger(), report.Options{Now: func() time.Time { return at(20, 0, 0) }})
		if err := s.Rebuild(ctx); err != nil {
			t.Fatal(err)
		}
		week := report.Filters{From: at(8, 0, 0), To: at(15, 0, 0)}
		got, err := s.Report(ctx, week)
		if err != nil {
			t.Fatal(err)
		}
		ints := []struct {
			name      string
			got, want int64
		}{
			{"created", got.ConversationsCreated, 5}, {"solved", got.ConversationsSolved, 3},
			{"csat responses", got.CSATResponses, 3}, {"nps responses", got.NPSResponses, 2},
			{"backlog", got.BacklogOpen, 2}, {"complaints", got.Complaints, 2}, {"complaints phone", got.ComplaintsPhone, 1},
			{"complaints written", got.ComplaintsWritten, 1}, {"referrals", got.Referrals, 1},
			// replies in solved conversations: C1 1 (bot and automatic excluded), C3 2, C5 1.
			{"agent replies", got.AgentReplies, 4},
		}
		for _, c := range ints {
			if c.got != c.want {
				t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
			}
		}
		floats := []struct {
			name string
			got  *float64
			want float64
			rel  float64 // 0 exact, report.HistError for histogram quantiles
		}{
			{"frt mean (1800+244800+600+1200)/4", got.FirstResponseMeanSeconds, 62100, 0},
			{"frt median (nearest rank 2 of 600,1200,1800,244800)", got.FirstResponseMedianSeconds, 1200, report.HistError},
			{"frt p90 (rank 4)", got.FirstResponseP90Seconds, 244800, report.HistError},
			{"frt business median (rank 2 of 0,600,1800,14400)", got.FirstResponseMedianBusinessSeconds, 600, report.HistError},
			{"frt business mean 16800/4", got.FirstResponseMeanBusinessSeconds, 4200, 0},
			{"resolution median (7200 of 3600,7200,21600)", got.ResolutionMedianSeconds, 7200, report.HistError},
			{"resolution mean", got.ResolutionMeanSeconds, 10800, 0},
			{"fcr 1/3", got.FCRPercent, 100.0 / 3, 0},
			{"reopen 1/5", got.ReopenPercent, 20, 0},
			{"csat 2/3", got.CSATPercent, 200.0 / 3, 0},
			{"nps passives only", got.NPS, 0, 0},
			{"ces (3+5)/2", got.CESMean, 4, 0},
			{"sla 2/3", got.SLACompliancePercent, 200.0 / 3, 0},
			// C2 57 h and C4 109 h old at Sunday midnight.
			{"backlog age", got.BacklogAgeMeanSeconds, 298800, 0},
		}
		for _, c := range floats {
			if c.got == nil {
				t.Errorf("%s = null, want %v", c.name, c.want)
			} else if c.rel == 0 && math.Abs(*c.got-c.want) > 1e-6 {
				t.Errorf("%s = %v, want %v", c.name, *c.got, c.want)
			} else if !near(c.got, c.want, c.rel) {
				t.Errorf("%s = %v, want %v ± %.1f%%", c.name, *c.got, c.want, c.rel*100)
			}
		}

		// Agent A only: C1, C2, C5 created; C1, C5 solved; FCR 1/2.
		a, err := s.Report(ctx, report.Filters{From: week.From, To: week.To, AgentID: agentA, InboxID: inbox})
		if err != nil {
			t.Fatal(err)
		}
		if a.ConversationsCreated != 3 || a.ConversationsSolved != 2 || a.FCRPercent == nil || *a.FCRPercent != 50 || a.BacklogOpen != 1 {
			t.Errorf("agent A: created %d solved %d fcr %v backlog %d", a.ConversationsCreated, a.ConversationsSolved, a.FCRPercent, a.BacklogOpen)
		}

		// Nothing to measure: the following week → nulls, never 0.
		empty, err := s.Report(ctx, report.Filters{From: at(22, 0, 0), To: at(29, 0, 0)})
		if err != nil {
			t.Fatal(err)
		}
		for name, v := range map[string]*float64{"frt median": empty.FirstResponseMedianSeconds, "frt mean": empty.FirstResponseMeanSeconds,
			"resolution": empty.ResolutionMedianSeconds, "fcr": empty.FCRPercent, "reopen": empty.ReopenPercent, "csat": empty.CSATPercent,
			"nps": empty.NPS, "ces": empty.CESMean, "sla": empty.SLACompliancePercent} {
			if v != nil {
				t.Errorf("empty week: %s = %v, want null", name, *v)
			}
		}

		// Refresh is idempotent.
		if err := s.Refresh(ctx, at(8, 0, 0), at(14, 0, 0)); err != nil {
			t.Fatal(err)
		}
		again, err := s.Report(ctx, week)
		if err != nil {
			t.Fatal(err)
		}
		if again.ConversationsCreated != 5 || *again.FirstResponseMeanSeconds != 62100 {
			t.Errorf("after refresh: %+v", again)
		}

		// Series and breakdowns.
		vol, err := s.Timeseries(ctx, week, "volume", "day")
		if err != nil {
			t.Fatal(err)
		}
		wantVol := []float64{1, 1, 1, 1, 1, 0, 0} // Sun … Sat
		if len(vol.Points) != 7 {
			t.Fatalf("volume points = %d", len(vol.Points))
		}
		for i, p := range vol.Points {
			if *p.Value != wantVol[i] {
				t.Errorf("volume day %d = %v, want %v", i, *p.Value, wantVol[i])
			}
		}
		heat, err := s.Heatmap(ctx, week)
		if err != nil {
			t.Fatal(err)
		}
		if c := heat[4*24+15]; c.Count != 1 { // Thursday 15:00 (C2)
			t.Errorf("heatmap Thu 15h = %+v", c)
		}
		agents, err := s.Agents(ctx, week)
		if err != nil {
			t.Fatal(err)
		}
		// A, B, then the unassigned row of the seed's CSAT answers (no agent).
		if len(agents) != 3 || agents[0].Name != "A" || agents[0].Created != 3 || agents[1].Replies != 2 || agents[2].Key != "0" {
			t.Errorf("agents = %+v", agents)
		}
		tags, err := s.Tags(ctx, week)
		if err != nil {
			t.Fatal(err)
		}
		if len(tags) != 1 || tags[0].Tag != "complaint" || tags[0].Count != 2 {
			t.Errorf("tags = %+v", tags)
		}
	})
}

func TestReportValidation(t *testing.T) {
	d := testkit.SQLite(t)
	s := report.New(d, ilCalendars{}, testkit.Logger(), report.Options{})
	ctx := context.Background()
	if _, err := s.Report(ctx, report.Filters{From: at(8, 0, 0), To: at(1, 0, 0)}); err == nil {
		t.Error("to before from accepted")
	}
	if _, err := s.Report(ctx, report.Filters{From: at(1, 0, 0), To: at(8, 0, 0), Calendar: "us"}); err == nil {
		t.Error("other calendar accepted")
	}
	if _, err := s.Timeseries(ctx, report.Filters{From: at(1, 0, 0), To: at(8, 0, 0)}, "bogus", "day"); err == nil {
		t.Error("bad metric accepted")
	}
}

func TestPureMetrics(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	cases := []struct {
		name string
		got  *float64
		want *float64
	}{
		{"median of even count averages the middle", report.Quantile([]float64{1, 3, 10, 2}, 0.5), f(2.5)},
		{"no values → null", report.Quantile(nil, 0.5), nil},
		{"NPS passives only = 0", report.NPS([]int{7, 8, 7}), f(0)},
		{"NPS 2 promoters 1 detractor 1 passive", report.NPS([]int{10, 9, 3, 7}), f(25)},
		{"NPS none → null", report.NPS(nil), nil},
		{"CSAT 4–5 share", report.CSATPercent([]int{5, 4, 3, 1}), f(50)},
		{"CES mean", report.CESMean([]int{1, 7, 4}), f(4)},
		{"retention (E−N)/S: S 10, E 12, N 4", report.Retention(10, 12, 4), f(80)},
		{"churn", report.Churn(10, 12, 4), f(20)},
		{"retention without start → null", report.Retention(0, 3, 3), nil},
		{"percent of nothing → null", report.Percent(0, 0), nil},
	}
	for _, c := range cases {
		if (c.got == nil) != (c.want == nil) || (c.got != nil && math.Abs(*c.got-*c.want) > 1e-9) {
			t.Errorf("%s: got %v want %v", c.name, c.got, c.want)
		}
	}
	// FCR: two replies → no; one reply, reopened → no; one reply → yes.
	base := report.Conversation{CreatedAt: 100, SolvedAt: 200, AgentReplies: 1}
	two, reo := base, base
	two.AgentReplies = 2
	reo.Reopened = true
	if !report.FirstContactResolved(base) || report.FirstContactResolved(two) || report.FirstContactResolved(reo) {
		t.Error("FCR definition")
	}
	if _, ok := report.FirstResponseSeconds(report.Conversation{CreatedAt: 5}); ok {
		t.Error("no reply measured")
	}
	// Predictive CLV: revenue 100000 over 50 orders (AOV 2000) by 10
	// customers in 1 year (5/year) × 3 years = 30000.
	if v, ok := report.PredictiveCLV(100000, 50, 10, 3, 1); !ok || v != 30000 {
		t.Errorf("predictive CLV = %d", v)
	}
	if report.HistoricalCLV([]int64{1500, 2500}) != 4000 {
		t.Error("historical CLV")
	}
}

// TestReportFeedbackBySource: survey figures narrowed by source, and the
// per-source feedback report. Seed: survey CSAT 5, 4, 2; NPS 7, 8; CES 3, 5.
// Added: call-center CSAT 1 and 5 (50 %), NPS 10, 10, 3 ((2−1)/3 = 33.3).
func TestReportFeedbackBySource(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		inbox, _, _ := seed(t, d)
		for _, s := range []struct {
			kind  string
			score int
		}{{"csat", 1}, {"csat", 5}, {"nps", 10}, {"nps", 10}, {"nps", 3}} {
			if err := d.WriteTx(ctx, func(tx *db.Tx) error {
				_, err := tx.Exec(ctx, `INSERT INTO survey_responses (kind, source, score, inbox_id, channel, responded_at, updated_at)
 VALUES (?, 'call-center', ?, ?, 'phone', ?, 0)`, s.kind, s.score, inbox, db.Ms(at(13, 9, 0)))
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		s := report.New(d, ilCalendars{}, testkit.Logger(), report.Options{Now: func() time.Time { return at(20, 0, 0) }})
		week := report.Filters{From: at(8, 0, 0), To: at(15, 0, 0)}
		for _, c := range []struct {
			source         string
			csatN, npsN    int64
			csat, nps, ces *float64
		}{
			{"", 5, 5, ptr(60), ptr(20), ptr(4)}, // NPS (2−1)/5
			{"survey", 3, 2, ptr(200.0 / 3), ptr(0), ptr(4)},
			{"call-center", 2, 3, ptr(50), ptr(100.0 / 3), nil},
			{"focus-group", 0, 0, nil, nil, nil},
		} {
			f := week
			f.Source = c.source
			got, err := s.Report(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if got.CSATResponses != c.csatN || got.NPSResponses != c.npsN || !same(got.CSATPercent, c.csat) || !same(got.NPS, c.nps) ||
				!same(got.CESMean, c.ces) {
				t.Errorf("source %q: csat %d %v nps %d %v ces %v", c.source, got.CSATResponses, deref(got.CSATPercent), got.NPSResponses,
					deref(got.NPS), deref(got.CESMean))
			}
		}
		rows, err := s.Feedback(ctx, week)
		if err != nil {
			t.Fatal(err)
		}
		want := []report.FeedbackRow{
			{Source: "call-center", Kind: "csat", Responses: 2, CSATPercent: ptr(50)},
			{Source: "call-center", Kind: "nps", Responses: 3, NPS: ptr(100.0 / 3)},
			{Source: "survey", Kind: "ces", Responses: 2, CESMean: ptr(4)},
			{Source: "survey", Kind: "csat", Responses: 3, CSATPercent: ptr(200.0 / 3)},
			{Source: "survey", Kind: "nps", Responses: 2, NPS: ptr(0)},
		}
		if len(rows) != len(want) {
			t.Fatalf("feedback rows = %+v", rows)
		}
		for i, w := range want {
			r := rows[i]
			if r.Source != w.Source || r.Kind != w.Kind || r.Responses != w.Responses || !same(r.CSATPercent, w.CSATPercent) ||
				!same(r.NPS, w.NPS) || !same(r.CESMean, w.CESMean) {
				t.Errorf("row %d = %+v, want %+v", i, r, w)
			}
		}
		only, err := s.Feedback(ctx, report.Filters{From: week.From, To: week.To, Source: "call-center"})
		if err != nil || len(only) != 2 {
			t.Errorf("feedback call-center = %+v, %v", only, err)
		}
	})
}

// TestReportChatWait: chat wait = first customer message to the first agent
// reply after it, over chat conversations created in the period.
//
//	W1 chat Sun 10:00: in 10:00:30, automatic agent 10:00:40, agent 10:02:30 → 120 s
//	W2 chat Mon 11:00: in 11:00, agent 11:10 → 600 s
//	W3 chat Tue 11:58: agent 11:59 (before the customer), in 12:00, agent 12:01 → 60 s
//	W4 chat Wed 09:00: in 09:00, no agent reply → not counted
//	W5 email Wed 09:00: in 09:00, agent 09:00:10 → not chat
//	W6 chat the next week: in, agent after 5 s → outside the period
//
// Median of 60, 120, 600 = 120; mean 780/3 = 260.
func TestReportChatWait(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		type m struct {
			at     time.Time
			dir    string
			author string
			auto   bool
		}
		convs := []struct {
			channel string
			created time.Time
			msgs    []m
		}{
			{"chat", at(8, 10, 0), []m{{at(8, 10, 0).Add(30 * time.Second), "inbound", "contact", false},
				{at(8, 10, 0).Add(40 * time.Second), "outbound", "agent", true}, {at(8, 10, 2).Add(30 * time.Second), "outbound", "agent", false}}},
			{"chat", at(9, 11, 0), []m{{at(9, 11, 0), "inbound", "contact", false}, {at(9, 11, 10), "outbound", "agent", false}}},
			{"chat", at(10, 11, 58), []m{{at(10, 11, 59), "outbound", "agent", false}, {at(10, 12, 0), "inbound", "contact", false},
				{at(10, 12, 1), "outbound", "agent", false}}},
			{"chat", at(11, 9, 0), []m{{at(11, 9, 0), "inbound", "contact", false}}},
			{"email", at(11, 9, 0), []m{{at(11, 9, 0), "inbound", "contact", false}, {at(11, 9, 0).Add(10 * time.Second), "outbound", "agent", false}}},
			{"chat", at(16, 9, 0), []m{{at(16, 9, 0), "inbound", "contact", false}, {at(16, 9, 0).Add(5 * time.Second), "outbound", "agent", false}}},
		}
		err := d.WriteTx(ctx, func(tx *db.Tx) error {
			inbox, err := tx.InsertID(ctx, `INSERT INTO inboxes (name, channel, created_at, updated_at) VALUES ('Chat', 'chat', 0, 0)`)
			if err != nil {
				return err
			}
			contact, err := tx.InsertID(ctx, `INSERT INTO contacts (name, email, created_at, updated_at) VALUES ('C', 'c@x', 0, 0)`)
			if err != nil {
				return err
			}
			for _, c := range convs {
				id, err := tx.InsertID(ctx, `INSERT INTO conversations (inbox_id, channel, subject, status, priority, requester_id, created_at,
 updated_at) VALUES (?, ?, 's', 'open', 'normal', ?, ?, ?)`, inbox, c.channel, contact, db.Ms(c.created), db.Ms(c.created))
				if err != nil {
					return err
				}
				for _, x := range c.msgs {
					meta := `{}`
					if x.auto {
						meta = `{"automatic":true,"auto":"ack"}`
					}
					if _, err := tx.Exec(ctx, `INSERT INTO messages (conversation_id, direction, kind, author_type, channel_meta, created_at)
 VALUES (?, ?, 'reply', ?, ?, ?)`, id, x.dir, x.author, meta, db.Ms(x.at)); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		s := report.New(d, ilCalendars{}, testkit.Logger(), report.Options{Now: func() time.Time { return at(20, 0, 0) }})
		week := report.Filters{From: at(8, 0, 0), To: at(15, 0, 0)}
		for _, c := range []struct {
			name         string
			f            report.Filters
			median, mean *float64
		}{
			{"all channels", week, ptr(120), ptr(260)},
			{"chat", report.Filters{From: week.From, To: week.To, Channel: "chat"}, ptr(120), ptr(260)},
			{"email only → null", report.Filters{From: week.From, To: week.To, Channel: "email"}, nil, nil},
			{"week without chats → null", report.Filters{From: at(22, 0, 0), To: at(29, 0, 0)}, nil, nil},
		} {
			got, err := s.Report(ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			if !same(got.ChatWaitMedianSeconds, c.median) || !same(got.ChatWaitMeanSeconds, c.mean) {
				t.Errorf("%s: chat wait median %v mean %v", c.name, deref(got.ChatWaitMedianSeconds), deref(got.ChatWaitMeanSeconds))
			}
		}
	})
}

// TestReportUnknownFilters: ids that do not exist and unknown channels are
// 400s naming the field, not empty reports.
func TestReportUnknownFilters(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		inbox, agentA, _ := seed(t, d)
		s := report.New(d, ilCalendars{}, testkit.Logger(), report.Options{})
		base := report.Filters{From: at(8, 0, 0), To: at(15, 0, 0)}
		for _, c := range []struct {
			field string
			f     func(*report.Filters)
		}{
			{"team", func(f *report.Filters) { f.TeamID = 99999 }},
			{"agent", func(f *report.Filters) { f.AgentID = 99999 }},
			{"inbox", func(f *report.Filters) { f.InboxID = 99999 }},
			{"channel", func(f *report.Filters) { f.Channel = "fax" }},
			{"", func(f *report.Filters) { f.InboxID, f.AgentID, f.Channel = inbox, agentA, "email" }},
		} {
			f := base
			c.f(&f)
			_, err := s.Report(ctx, f)
			var v *errs.ValidationError
			switch {
			case c.field == "" && err != nil:
				t.Errorf("known filters: %v", err)
			case c.field != "" && (!errors.As(err, &v) || len(v.Fields) != 1 || v.Fields[0].Field != c.field):
				t.Errorf("%s: err = %v, want a validation error naming it", c.field, err)
			}
			if _, err := s.Feedback(ctx, f); (err == nil) != (c.field == "") {
				t.Errorf("feedback %s: err = %v", c.field, err)
			}
		}
	})
}

func ptr(v float64) *float64 { return &v }

func same(a, b *float64) bool {
	return (a == nil) == (b == nil) && (a == nil || math.Abs(*a-*b) < 1e-9)
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestReportFCRReopenWindow checks first contact resolution with reopen
// times (docs/reports.md "First contact resolution and reopens"), all in
// March 2026, desk zone; each conversation's first agent reply is 30 min
// after creation:
//
//	R1 created 8th 09:00, first solve 8th 10:00 with 1 reply, reopened 10th 10:00 (2 days),
//	   2nd reply 10th 11:00, solved 10th 12:00        → not FCR, reopened within 7 days.
//	R2 created 1st 09:00, first solve 1st 10:00 with 1 reply, reopened 9th 10:00 (8 days),
//	   2nd reply 9th 11:00, solved 9th 12:00          → FCR (judged at the first solve), not a reopen.
//	R3 created 2nd 09:00, 1 reply, solved 2nd 10:00, never reopened → FCR.
//	R4 created 3rd 09:00, 2 replies (09:30, 09:40), solved 3rd 10:00, never reopened → not FCR.
//	R5 created 4th 09:00, first solve 4th 10:00 with 1 reply, reopened 11th 10:00 (exactly 7 days),
//	   solved 11th 12:00                               → not FCR (within 7 days is inclusive).
//	R6 created 5th 09:00, 1 reply, solved 5th 10:00, reopen_count 1 with no times (before 00022)
//	   → not FCR (unknown reopen counts as within 7 days).
//
// 1–15 March: solved 6, FCR R2, R3 → 2/6 = 33.33 %; created 6, reopened within 7 days R1, R5, R6 → 50 %.
// 8–15 March: solved R1 (10th), R2 (9th), R5 (11th) → FCR 1/3; created R1 → reopen 1/1 = 100 %.
func TestReportFCRReopenWindow(t *testing.T) {
	type rc struct {
		created          time.Time
		replies          []time.Time
		firstSolved      *time.Time
		reopened, solved *time.Time
		reopens          int
	}
	convs := []rc{
		{at(8, 9, 0), []time.Time{at(8, 9, 30), at(10, 11, 0)}, tp(at(8, 10, 0)), tp(at(10, 10, 0)), tp(at(10, 12, 0)), 1},
		{at(1, 9, 0), []time.Time{at(1, 9, 30), at(9, 11, 0)}, tp(at(1, 10, 0)), tp(at(9, 10, 0)), tp(at(9, 12, 0)), 1},
		{at(2, 9, 0), []time.Time{at(2, 9, 30)}, tp(at(2, 10, 0)), nil, tp(at(2, 10, 0)), 0},
		{at(3, 9, 0), []time.Time{at(3, 9, 30), at(3, 9, 40)}, tp(at(3, 10, 0)), nil, tp(at(3, 10, 0)), 0},
		{at(4, 9, 0), []time.Time{at(4, 9, 30)}, tp(at(4, 10, 0)), tp(at(11, 10, 0)), tp(at(11, 12, 0)), 1},
		{at(5, 9, 0), []time.Time{at(5, 9, 30)}, nil, nil, tp(at(5, 10, 0)), 1},
	}
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		err := d.WriteTx(ctx, func(tx *db.Tx) error {
			inbox, err := tx.InsertID(ctx, `INSERT INTO inboxes (name, channel, created_at, updated_at) VALUES ('Main', 'email', 0, 0)`)
			if err != nil {
				return err
			}
			contact, err := tx.InsertID(ctx, `INSERT INTO contacts (name, email, created_at, updated_at) VALUES ('C', 'c@x', 0, 0)`)
			if err != nil {
				return err
			}
			for _, c := range convs {
				id, err := tx.InsertID(ctx, `INSERT INTO conversations (inbox_id, channel, subject, status, priority, requester_id, reopen_count,
 created_at, updated_at, solved_at, first_solved_at, first_reopened_at) VALUES (?, 'email', 's', 'solved', 'normal', ?, ?, ?, ?, ?, ?, ?)`,
					inbox, contact, c.reopens, db.Ms(c.created), db.Ms(c.created), db.MsArg(c.solved), db.MsArg(c.firstSolved), db.MsArg(c.reopened))
				if err != nil {
					return err
				}
				for _, r := range c.replies {
					if _, err := tx.Exec(ctx, `INSERT INTO messages (conversation_id, direction, kind, author_type, channel_meta, created_at)
 VALUES (?, 'outbound', 'reply', 'agent', '{}', ?)`, id, db.Ms(r)); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		s := report.New(d, ilCalendars{}, testkit.Logger(), report.Options{Now: func() time.Time { return at(20, 0, 0) }})
		if err := s.Rebuild(ctx); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name           string
			from, to       time.Time
			solved         int64
			fcr, reopenPct float64
		}{
			{"1–15 March", at(1, 0, 0), at(16, 0, 0), 6, 100.0 / 3, 50},
			{"8–15 March", at(8, 0, 0), at(16, 0, 0), 3, 100.0 / 3, 100},
		} {
			got, err := s.Report(ctx, report.Filters{From: c.from, To: c.to})
			if err != nil {
				t.Fatal(err)
			}
			if got.ConversationsSolved != c.solved || !near(got.FCRPercent, c.fcr, 1e-9) || !near(got.ReopenPercent, c.reopenPct, 1e-9) {
				t.Errorf("%s: solved %d fcr %v reopen %v; want %d %.2f %.2f", c.name, got.ConversationsSolved, deref(got.FCRPercent),
					deref(got.ReopenPercent), c.solved, c.fcr, c.reopenPct)
			}
		}
	})
}

// TestFCRRule is the rule as a pure function: one reply at the first solve
// and no reopen within 7 days (inclusive) of it.
func TestFCRRule(t *testing.T) {
	const day = 24 * 3600
	base := report.Conversation{CreatedAt: 100, SolvedAt: 200, FirstSolvedAt: 200, AgentReplies: 1}
	cases := []struct {
		name string
		edit func(*report.Conversation)
		want bool
	}{
		{"never reopened, one reply", func(*report.Conversation) {}, true},
		{"two replies at first solve", func(c *report.Conversation) { c.AgentReplies = 2 }, false},
		{"no reply", func(c *report.Conversation) { c.AgentReplies = 0 }, false},
		{"not solved", func(c *report.Conversation) { c.SolvedAt = 0 }, false},
		{"reopened after 2 days", func(c *report.Conversation) { c.Reopened, c.FirstReopenedAt = true, 200+2*day }, false},
		{"reopened after exactly 7 days", func(c *report.Conversation) { c.Reopened, c.FirstReopenedAt = true, 200+7*day }, false},
		{"reopened 7 days + 1 s after", func(c *report.Conversation) { c.Reopened, c.FirstReopenedAt = true, 200+7*day+1 }, true},
		{"reopened after 8 days", func(c *report.Conversation) { c.Reopened, c.FirstReopenedAt = true, 200+8*day }, true},
		{"reopened, time unknown", func(c *report.Conversation) { c.Reopened = true }, false},
		{"reopen time known, first solve unknown", func(c *report.Conversation) { c.FirstSolvedAt, c.FirstReopenedAt = 0, 300 }, false},
	}
	for _, c := range cases {
		v := base
		c.edit(&v)
		if got := report.FirstContactResolved(v); got != c.want {
			t.Errorf("%s: FCR %v, want %v", c.name, got, c.want)
		}
	}
}

// TestReportSLASeriesAndAgentCSAT checks the SLA compliance series and the
// CSAT columns of the agent and channel tables over the hand-built week
// (seed): SLA targets by creation day — Sun 8th C1 2 met of 2 due (100 %),
// Mon 9th C3 0 of 1 (0 %), Thu 12th C2 running (none due → null), other
// days none; the week (from Sun 8th) 2/3 = 66.67 %.
// CSAT: the seed's 5, 4, 2 have no agent (unassigned, key "0": 2/3 =
// 66.67 %, channel email); added: A 5 and 3 on email (1/2 = 50 %), B 4 on
// phone (100 %), B 1 on phone on 20 March (outside the week, ignored).
// Channels: email 5, 4, 2, 5, 3 → 3/5 = 60 %; phone 1/1 = 100 %.
func TestReportSLASeriesAndAgentCSAT(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		inbox, agentA, agentB := seed(t, d)
		for _, r := range []struct {
			agent   int64
			channel string
			score   int
			day     int
		}{{agentA, "email", 5, 10}, {agentA, "email", 3, 11}, {agentB, "phone", 4, 12}, {agentB, "phone", 1, 20}} {
			if err := d.WriteTx(ctx, func(tx *db.Tx) error {
				_, err := tx.Exec(ctx, `INSERT INTO survey_responses (kind, score, inbox_id, agent_id, channel, responded_at, updated_at)
 VALUES ('csat', ?, ?, ?, ?, ?, 0)`, r.score, inbox, r.agent, r.channel, db.Ms(at(r.day, 9, 0)))
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		s := report.New(d, ilCalendars{}, testkit.Logger(), report.Options{Now: func() time.Time { return at(20, 0, 0) }})
		if err := s.Rebuild(ctx); err != nil {
			t.Fatal(err)
		}
		week := report.Filters{From: at(8, 0, 0), To: at(15, 0, 0)}

		daily, err := s.Timeseries(ctx, week, "sla", "day")
		if err != nil {
			t.Fatal(err)
		}
		wantDaily := []struct {
			v *float64
			n int64
		}{{ptr(100), 2}, {ptr(0), 1}, {nil, 0}, {nil, 0}, {nil, 0}, {nil, 0}, {nil, 0}}
		if len(daily.Points) != len(wantDaily) {
			t.Fatalf("sla points = %d", len(daily.Points))
		}
		for i, p := range daily.Points {
			if !same(p.Value, wantDaily[i].v) || p.Count != wantDaily[i].n {
				t.Errorf("sla day %d = %v (%d due), want %v (%d)", i, deref(p.Value), p.Count, deref(wantDaily[i].v), wantDaily[i].n)
			}
		}
		weekly, err := s.Timeseries(ctx, week, "sla", "week")
		if err != nil {
			t.Fatal(err)
		}
		if len(weekly.Points) != 1 || !near(weekly.Points[0].Value, 200.0/3, 1e-9) || weekly.Points[0].Count != 3 {
			t.Errorf("sla week = %+v", weekly.Points)
		}

		agents, err := s.Agents(ctx, week)
		if err != nil {
			t.Fatal(err)
		}
		byKey := map[string]report.Breakdown{}
		for _, a := range agents {
			byKey[a.Key] = a
		}
		keyA, keyB := fmt.Sprint(agentA), fmt.Sprint(agentB)
		for _, c := range []struct {
			key  string
			csat *float64
			n    int64
		}{{keyA, ptr(50), 2}, {keyB, ptr(100), 1}, {"0", ptr(200.0 / 3), 3}} {
			a := byKey[c.key]
			if !near(a.CSATPercent, *c.csat, 1e-9) || a.CSATResponses != c.n {
				t.Errorf("agent %s: csat %v (%d), want %v (%d)", c.key, deref(a.CSATPercent), a.CSATResponses, *c.csat, c.n)
			}
		}
		if a := byKey[keyA]; a.Name != "A" || a.Created != 3 {
			t.Errorf("agent A row = %+v", a)
		}
		if u := byKey["0"]; u.Created != 0 || u.ID != 0 {
			t.Errorf("unassigned row = %+v", u)
		}
		channels, err := s.Channels(ctx, week)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range channels {
			want := map[string]*float64{"email": ptr(60), "phone": ptr(100), "chat": nil}[c.Key]
			if !same(c.CSATPercent, want) {
				t.Errorf("channel %s csat %v, want %v", c.Key, deref(c.CSATPercent), deref(want))
			}
		}
		// The agent filter narrows the answers too: only A's.
		onlyA, err := s.Agents(ctx, report.Filters{From: week.From, To: week.To, AgentID: agentA})
		if err != nil {
			t.Fatal(err)
		}
		if len(onlyA) != 1 || onlyA[0].CSATResponses != 2 {
			t.Errorf("agent filter: %+v", onlyA)
		}
	})
}

// TestMarkConversationDays: a change to a conversation marks stale its
// creation day, its first solve's day (whose FCR a reopen changes), its
// current solve's day and today. Conversation created 1 March 09:00,
// first solved 3 March 10:00, solved again 12 March 10:00; today 20 March.
func TestMarkConversationDays(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var id int64
		err := d.WriteTx(ctx, func(tx *db.Tx) error {
			inbox, err := tx.InsertID(ctx, `INSERT INTO inboxes (name, channel, created_at, updated_at) VALUES ('Main', 'email', 0, 0)`)
			if err != nil {
				return err
			}
			contact, err := tx.InsertID(ctx, `INSERT INTO contacts (name, email, created_at, updated_at) VALUES ('C', 'c@x', 0, 0)`)
			if err != nil {
				return err
			}
			id, err = tx.InsertID(ctx, `INSERT INTO conversations (inbox_id, channel, subject, status, priority, requester_id, reopen_count,
 created_at, updated_at, solved_at, first_solved_at, first_reopened_at) VALUES (?, 'email', 's', 'solved', 'normal', ?, 1, ?, ?, ?, ?, ?)`,
				inbox, contact, db.Ms(at(1, 9, 0)), db.Ms(at(1, 9, 0)), db.Ms(at(12, 10, 0)), db.Ms(at(3, 10, 0)), db.Ms(at(5, 10, 0)))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		s := report.New(d, ilCalendars{}, testkit.Logger(), report.Options{Now: func() time.Time { return at(20, 8, 0) }})
		if err := s.MarkConversation(ctx, id); err != nil {
			t.Fatal(err)
		}
		rs, err := d.R().Query(ctx, `SELECT day FROM report_dirty ORDER BY day`)
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		var days []string
		for rs.Next() {
			var day string
			if err := rs.Scan(&day); err != nil {
				t.Fatal(err)
			}
			days = append(days, day)
		}
		if want := "[2026-03-01 2026-03-03 2026-03-12 2026-03-20]"; fmt.Sprint(days) != want {
			t.Errorf("dirty days %v, want %s", days, want)
		}
	})
}
