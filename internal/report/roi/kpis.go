package roi

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/kesherdesk/kesher/internal/report"
	"github.com/kesherdesk/kesher/internal/report/period"
)

// Summarizer answers the report summary over filters (internal/report's
// Service). The ROI reads the key KPIs of a period from it, so no metric is
// defined twice.
type Summarizer interface {
	Report(ctx context.Context, f report.Filters) (report.Summary, error)
}

// KPI keys of Movement.KPIs, in the order they are listed. Units: counts
// (conversations_created, conversations_solved, backlog_open), seconds
// (first_response_median_seconds, resolution_median_seconds), percent 0–100
// (fcr_percent, csat_percent, sla_compliance_percent, roi_percent), NPS
// −100…100 (nps), minor units of the period's currency
// (cost_per_conversation_minor, cost_per_resolution_minor).
var KPIKeys = []string{"conversations_created", "conversations_solved", "first_response_median_seconds",
	"resolution_median_seconds", "fcr_percent", "csat_percent", "nps", "sla_compliance_percent", "backlog_open",
	"cost_per_conversation_minor", "cost_per_resolution_minor", "roi_percent"}

// KPI is one key figure of a period next to the previous period. Current
// and Previous are null when there was nothing to measure (or, for the cost
// figures and ROI %, when that period has no stored inputs). Change =
// Current − Previous; ChangePercent = Change / |Previous| × 100 (a relative
// change, also for percentages, whose absolute change in points is Change);
// both rounded half away from zero to hundredths, null when either side is
// null, ChangePercent also when Previous is 0.
type KPI struct {
	Key           string   `json:"key"`
	Current       *float64 `json:"current"`
	Previous      *float64 `json:"previous"`
	Change        *float64 `json:"change"`
	ChangePercent *float64 `json:"change_percent"`
}

// Movement is how the key KPIs of a period moved against the previous
// period of equal length, [PreviousFrom(From, To), From) (the dashboard's
// comparison), whether or not ROI inputs are stored for it.
// PreviousStored says whether the previous period has stored inputs.
type Movement struct {
	PreviousFrom   time.Time `json:"previous_from"`
	PreviousTo     time.Time `json:"previous_to"`
	PreviousStored bool      `json:"previous_stored"`
	KPIs           []KPI     `json:"kpis"`
}

// round2 rounds half away from zero to hundredths.
func round2(v float64) float64 { return math.Round(v*100) / 100 }

// Change returns the KPI key of cur and prev with its absolute and relative
// change (see KPI).
func Change(key string, cur, prev *float64) KPI {
	k := KPI{Key: key, Current: cur, Previous: prev}
	if cur == nil || prev == nil {
		return k
	}
	d := round2(*cur - *prev)
	k.Change = &d
	if *prev != 0 {
		p := round2((*cur - *prev) / math.Abs(*prev) * 100)
		k.ChangePercent = &p
	}
	return k
}

// kpiValues are the values of KPIKeys for one period: the report summary
// over the whole desk and the ROI outputs (cost figures null when inputs
// are not stored).
func kpiValues(s report.Summary, p Period) map[string]*float64 {
	f := func(v int64) *float64 { x := float64(v); return &x }
	fi := func(v *int64) *float64 {
		if v == nil {
			return nil
		}
		return f(*v)
	}
	m := map[string]*float64{
		"conversations_created": f(s.ConversationsCreated), "conversations_solved": f(s.ConversationsSolved),
		"first_response_median_seconds": s.FirstResponseMedianSeconds, "resolution_median_seconds": s.ResolutionMedianSeconds,
		"fcr_percent": s.FCRPercent, "csat_percent": s.CSATPercent, "nps": s.NPS, "sla_compliance_percent": s.SLACompliancePercent,
		"backlog_open": f(s.BacklogOpen),
	}
	if p.Stored {
		m["cost_per_conversation_minor"] = fi(p.Outputs.CostPerConversationMinor)
		m["cost_per_resolution_minor"] = fi(p.Outputs.CostPerResolutionMinor)
		m["roi_percent"] = p.Outputs.ROIPercent
	}
	return m
}

// PreviousFrom is the start of the period of equal length before
// [from, to), which ends at from: when both are midnights in the desk zone
// (period.Zone) the same number of calendar days earlier (so a daylight
// saving change inside the period does not shift it off midnight, as the
// dashboard's previous period), else exactly to − from earlier.
func PreviousFrom(from, to time.Time) time.Time {
	loc, err := time.LoadLocation(period.Zone)
	if err != nil {
		return from.Add(-to.Sub(from))
	}
	f, t := from.In(loc), to.In(loc)
	isMidnight := func(x time.Time) bool {
		return x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0
	}
	if !isMidnight(f) || !isMidnight(t) {
		return from.Add(-to.Sub(from))
	}
	days := 0
	for d := f; d.Before(t); d = d.AddDate(0, 0, 1) {
		days++
	}
	return f.AddDate(0, 0, -days).UTC()
}

// movement fills p.Movement from the report summaries of p's period and
// the previous one of equal length (no filters: the whole desk). Without
// a Summarizer it does nothing.
func (s *Service) movement(ctx context.Context, p *Period) error {
	if s.reports == nil {
		return nil
	}
	prevFrom := PreviousFrom(p.From, p.To)
	prev, err := s.get(ctx, prevFrom, p.From)
	if err != nil {
		return err
	}
	cur, err := s.reports.Report(ctx, report.Filters{From: p.From, To: p.To})
	if err != nil {
		return fmt.Errorf("roi: report: %w", err)
	}
	before, err := s.reports.Report(ctx, report.Filters{From: prevFrom, To: p.From})
	if err != nil {
		return fmt.Errorf("roi: report: %w", err)
	}
	a, b := kpiValues(cur, *p), kpiValues(before, prev)
	m := &Movement{PreviousFrom: prevFrom, PreviousTo: p.From, PreviousStored: prev.Stored, KPIs: make([]KPI, 0, len(KPIKeys))}
	for _, k := range KPIKeys {
		m.KPIs = append(m.KPIs, Change(k, a[k], b[k]))
	}
	p.Movement = m
	return nil
}
