package roi_test

import (
	"context"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/report"
	"github.com/kesherdesk/kesher/internal/report/roi"
	"github.com/kesherdesk/kesher/internal/sla/calendar"
	"github.com/kesherdesk/kesher/internal/testkit"
)

type ilCalendars struct{}

func (ilCalendars) BusinessCalendar(context.Context, string) (*calendar.Calendar, error) {
	return calendar.IL()
}

var jlm = func() *time.Location { l, _ := time.LoadLocation("Asia/Jerusalem"); return l }()

// mar is a Jerusalem time in March 2025 (UTC+2 until the 28th).
func mar(day, hour, minute int) time.Time { return time.Date(2025, 3, day, hour, minute, 0, 0, jlm) }

func TestChange(t *testing.T) {
	for _, c := range []struct {
		cur, prev   *float64
		abs, rel    *float64
		description string
	}{
		{f64(4), f64(2), f64(2), f64(100), "doubled"},
		{f64(50), f64(100), f64(-50), f64(-50), "halved"},
		{f64(2), f64(0), f64(2), nil, "no base: no relative change, never a division by zero"},
		{nil, f64(3), nil, nil, "current missing"},
		{f64(3), nil, nil, nil, "previous missing"},
		{f64(-10), f64(-20), f64(10), f64(50), "NPS −20 → −10: +10 points, +50 % of |−20|"},
		{f64(200.0 / 3), f64(50), f64(16.67), f64(33.33), "66.666… − 50 rounded to hundredths"},
	} {
		k := roi.Change("x", c.cur, c.prev)
		if !eqF(k.Change, c.abs) || !eqF(k.ChangePercent, c.rel) {
			t.Errorf("%s: change %v, %v; want %v, %v", c.description, deref(k.Change), deref(k.ChangePercent), deref(c.abs), deref(c.rel))
		}
	}
}

// TestMovement: the KPIs of a stored week next to the week before.
//
//	Previous week 1–7 March: C1 created Sun 2 10:00, agent 10:10 (FRT 600 s),
//	solved 11:00 (3600 s); C2 created Mon 3 10:00, agent 10:20 (1200 s), solved
//	12:00 (7200 s). Both one reply → FCR 100 %. CSAT 5 → 100 %. Backlog at
//	8 March: 0.
//	Current week 8–14 March: C3 Sun 9 10:00, agent 10:05 (300 s), solved
//	10:30 (1800 s), FCR; C4 Mon 10 10:00, agent 10:10 and 10:20, solved 11:00
//	(3600 s), not FCR; C5 Tue 11 open, no reply; C6 Wed 12 10:00, agent 11:00
//	(3600 s), open. Created 4, solved 2, FCR 50 %, backlog 2; CSAT 5, 2 → 50 %.
//	No NPS, no SLA: null both sides, null changes.
//	Inputs: current cost 100000, revenue 150000 → ROI 50 %, 25000 per
//	conversation (4), 50000 per resolution (2); previous cost 40000, revenue
//	60000 → 50 %, 20000 per conversation and per resolution.
func TestMovement(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		convs := []struct {
			created time.Time
			solved  *time.Time
			replies []time.Time
		}{
			{mar(2, 10, 0), tp(mar(2, 11, 0)), []time.Time{mar(2, 10, 10)}},
			{mar(3, 10, 0), tp(mar(3, 12, 0)), []time.Time{mar(3, 10, 20)}},
			{mar(9, 10, 0), tp(mar(9, 10, 30)), []time.Time{mar(9, 10, 5)}},
			{mar(10, 10, 0), tp(mar(10, 11, 0)), []time.Time{mar(10, 10, 10), mar(10, 10, 20)}},
			{mar(11, 10, 0), nil, nil},
			{mar(12, 10, 0), nil, []time.Time{mar(12, 11, 0)}},
		}
		err := d.WriteTx(ctx, func(tx *db.Tx) error {
			inbox, err := tx.InsertID(ctx, `INSERT INTO inboxes (name, channel, created_at, updated_at) VALUES ('I', 'email', 0, 0)`)
			if err != nil {
				return err
			}
			contact, err := tx.InsertID(ctx, `INSERT INTO contacts (name, created_at, updated_at) VALUES ('C', 0, 0)`)
			if err != nil {
				return err
			}
			for _, c := range convs {
				status := "open"
				if c.solved != nil {
					status = "solved"
				}
				id, err := tx.InsertID(ctx, `INSERT INTO conversations (inbox_id, channel, status, priority, requester_id, created_at,
 updated_at, solved_at) VALUES (?, 'email', ?, 'normal', ?, ?, ?, ?)`, inbox, status, contact, db.Ms(c.created), db.Ms(c.created),
					db.MsArg(c.solved))
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
			for _, s := range []struct {
				score int
				at    time.Time
			}{{5, mar(4, 9, 0)}, {5, mar(13, 9, 0)}, {2, mar(13, 9, 30)}} {
				if _, err := tx.Exec(ctx, `INSERT INTO survey_responses (kind, score, contact_id, inbox_id, channel, responded_at, updated_at)
 VALUES ('csat', ?, ?, ?, 'email', ?, 0)`, s.score, contact, inbox, db.Ms(s.at)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		rep := report.New(d, ilCalendars{}, testkit.Logger(), report.Options{})
		if err := rep.Rebuild(ctx); err != nil {
			t.Fatal(err)
		}
		s := roi.New(d, rep)
		actor := audit.Actor{Type: "system", Name: "test"}
		from, to, prevFrom := mar(8, 0, 0), mar(15, 0, 0), mar(1, 0, 0)
		if _, err := s.Put(ctx, actor, prevFrom, from, roi.Input{Costs: roi.Costs{Salaries: 40000}, Revenue: roi.Revenue{Upsell: 60000}}); err != nil {
			t.Fatal(err)
		}
		p, err := s.Put(ctx, actor, from, to, roi.Input{Costs: roi.Costs{Salaries: 100000}, Revenue: roi.Revenue{Upsell: 150000}})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][4]*float64{ // current, previous, change, change %
			"conversations_created":       {f64(4), f64(2), f64(2), f64(100)},
			"conversations_solved":        {f64(2), f64(2), f64(0), f64(0)},
			"fcr_percent":                 {f64(50), f64(100), f64(-50), f64(-50)},
			"csat_percent":                {f64(50), f64(100), f64(-50), f64(-50)},
			"nps":                         {nil, nil, nil, nil},
			"sla_compliance_percent":      {nil, nil, nil, nil},
			"backlog_open":                {f64(2), f64(0), f64(2), nil},
			"cost_per_conversation_minor": {f64(25000), f64(20000), f64(5000), f64(25)},
			"cost_per_resolution_minor":   {f64(50000), f64(20000), f64(30000), f64(150)},
			"roi_percent":                 {f64(50), f64(50), f64(0), f64(0)},
		}
		check := func(name string, p roi.Period) map[string]roi.KPI {
			t.Helper()
			if p.Movement == nil {
				t.Fatalf("%s: no movement", name)
			}
			if !p.Movement.PreviousFrom.Equal(prevFrom) || !p.Movement.PreviousTo.Equal(from) || !p.Movement.PreviousStored {
				t.Errorf("%s: previous period %+v", name, p.Movement)
			}
			got := map[string]roi.KPI{}
			for i, k := range p.Movement.KPIs {
				if k.Key != roi.KPIKeys[i] {
					t.Errorf("%s: kpi %d is %s, want %s", name, i, k.Key, roi.KPIKeys[i])
				}
				got[k.Key] = k
			}
			for key, w := range want {
				k := got[key]
				if !eqF(k.Current, w[0]) || !eqF(k.Previous, w[1]) || !eqF(k.Change, w[2]) || !eqF(k.ChangePercent, w[3]) {
					t.Errorf("%s: %s = %v %v %v %v, want %v %v %v %v", name, key, deref(k.Current), deref(k.Previous), deref(k.Change),
						deref(k.ChangePercent), deref(w[0]), deref(w[1]), deref(w[2]), deref(w[3]))
				}
			}
			return got
		}
		got := check("put", p)
		// Medians come from the rollups' log histograms (within report.HistError):
		// FRT current 300, 600, 3600 → 600; previous 600, 1200 → 900 (nearest rank: 600).
		// Resolution current 1800, 3600; previous 3600, 7200. The change is
		// the difference of the two medians the report answers.
		for _, key := range []string{"first_response_median_seconds", "resolution_median_seconds"} {
			k := got[key]
			if k.Current == nil || k.Previous == nil || k.Change == nil || *k.Change != roundH(*k.Current-*k.Previous) {
				t.Errorf("put: %s = %+v", key, k)
			}
		}
		frt := got["first_response_median_seconds"]
		if *frt.Current < 540 || *frt.Current > 660 || *frt.Previous < 540 || *frt.Previous > 1320 {
			t.Errorf("FRT medians %v, %v: want about 600 and 600–1200", *frt.Current, *frt.Previous)
		}
		g, err := s.Get(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		check("get", g)
		h, err := s.History(ctx)
		if err != nil || len(h) != 2 {
			t.Fatalf("history %d, %v", len(h), err)
		}
		check("history", h[0])
		// The earliest stored week has no stored week before it: its cost
		// figures have no previous value and no change.
		old := h[1].Movement
		if old == nil || old.PreviousStored || !old.PreviousFrom.Equal(mar(-6, 0, 0).In(time.UTC).In(jlm)) {
			t.Fatalf("history[1] movement %+v", old)
		}
		for _, k := range old.KPIs {
			if k.Key == "cost_per_conversation_minor" && (*k.Current != 20000 || k.Previous != nil || k.Change != nil || k.ChangePercent != nil) {
				t.Errorf("history[1] %s = %+v", k.Key, k)
			}
			if k.Key == "conversations_created" && (*k.Current != 2 || *k.Previous != 0 || *k.Change != 2 || k.ChangePercent != nil) {
				t.Errorf("history[1] %s = %+v", k.Key, k)
			}
		}
	})
}

func tp(t time.Time) *time.Time { return &t }

func roundH(v float64) float64 { return float64(int64(v*100+0.5*sign(v))) / 100 }

func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}

func TestPreviousFrom(t *testing.T) {
	utc := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	for _, c := range []struct{ from, to, want time.Time }{
		// March 2025 in Jerusalem (31 days, DST from the 28th): 31 calendar days
		// before 1 March is 29 January, midnight.
		{mar(1, 0, 0), time.Date(2025, 4, 1, 0, 0, 0, 0, jlm), time.Date(2025, 1, 29, 0, 0, 0, 0, jlm)},
		{mar(8, 0, 0), mar(15, 0, 0), mar(1, 0, 0)},
		// A week across the DST change: still midnight.
		{mar(28, 0, 0), time.Date(2025, 4, 4, 0, 0, 0, 0, jlm), mar(21, 0, 0)},
		// Not midnights: the exact length.
		{utc("2025-03-01T10:00:00Z"), utc("2025-03-01T16:00:00Z"), utc("2025-03-01T04:00:00Z")},
	} {
		if got := roi.PreviousFrom(c.from, c.to); !got.Equal(c.want) {
			t.Errorf("PreviousFrom(%v, %v) = %v, want %v", c.from, c.to, got, c.want)
		}
	}
}
