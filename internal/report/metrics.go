// Package report defines Kesher's service metrics once, as pure functions
// over facts, and answers reports over a period and filters from daily
// rollups (rollup.go) so a 90-day dashboard over a million conversations
// stays fast. Units: seconds for durations; percentages 0–100; a nil
// *float64 means "nothing to measure", never 0. Definitions follow
// docs/reports.md.
package report

import (
	"math"
	"sort"
)

// ptr returns &v.
func ptr(v float64) *float64 { return &v }

// Percent returns part/whole×100, or nil when whole is 0.
func Percent(part, whole int64) *float64 {
	if whole <= 0 {
		return nil
	}
	return ptr(float64(part) * 100 / float64(whole))
}

// Mean returns sum/n, or nil when n is 0.
func Mean(sum float64, n int64) *float64 {
	if n <= 0 {
		return nil
	}
	return ptr(sum / float64(n))
}

// Quantile returns the q-quantile (0 ≤ q ≤ 1) of values by linear
// interpolation between closest ranks (the usual median: the mean of the two
// middle values for an even count), or nil for no values. values is not
// modified.
func Quantile(values []float64, q float64) *float64 {
	if len(values) == 0 {
		return nil
	}
	v := append([]float64(nil), values...)
	sort.Float64s(v)
	pos := q * float64(len(v)-1)
	lo := int(math.Floor(pos))
	hi := int(math.Ceil(pos))
	return ptr(v[lo] + (v[hi]-v[lo])*(pos-float64(lo)))
}

// Conversation holds the facts of one conversation the metrics need.
// Times are Unix seconds; 0 means absent.
type Conversation struct {
	CreatedAt int64
	// FirstResponseAt is the first public reply by a human agent: bots
	// (author_type bot), the system and automatic messages
	// (channel_meta.automatic) excluded.
	FirstResponseAt int64
	// FirstResponseBusiness is the business seconds from creation to the
	// first response on the report's calendar (−1 when there is none).
	FirstResponseBusiness int64
	// SolvedAt is the (last) solve.
	SolvedAt int64
	// AgentReplies counts public replies by human agents (automatic
	// messages excluded) up to the first solve.
	AgentReplies int
	// FirstSolvedAt is the first solve (0 when unknown: then SolvedAt's
	// replies count).
	FirstSolvedAt int64
	// FirstReopenedAt is the first move from solved back to open (a
	// customer reply or an agent), 0 when never or unknown.
	FirstReopenedAt int64
	// Reopened is true when the conversation was reopened at least once
	// (reopen_count > 0); with FirstReopenedAt 0 the reopen's time is
	// unknown (data from before migration 00022).
	Reopened bool
}

// ReopenWindowSeconds is the window after the first solve within which a
// reopen means the conversation was not resolved on first contact: 7 days.
const ReopenWindowSeconds = 7 * 24 * 3600

// ReopenedWithinWindow reports whether c was reopened within
// ReopenWindowSeconds (inclusive) of its first solve. A reopen whose time or
// whose first solve's time is unknown (reopen_count > 0 from before the
// times were stored) counts as within the window, the conservative choice.
func ReopenedWithinWindow(c Conversation) bool {
	if c.FirstReopenedAt == 0 {
		return c.Reopened
	}
	if c.FirstSolvedAt == 0 {
		return true
	}
	return c.FirstReopenedAt-c.FirstSolvedAt <= ReopenWindowSeconds
}

// FirstResponseSeconds is the first response time (FRT): the seconds from
// the conversation's creation to the first public reply by a human agent —
// bots and automatic messages (acknowledgements, lateness notices) do not
// count. ok is false when there was no such reply (not measured, not 0).
func FirstResponseSeconds(c Conversation) (secs int64, ok bool) {
	if c.FirstResponseAt == 0 {
		return 0, false
	}
	return max(c.FirstResponseAt-c.CreatedAt, 0), true
}

// ResolutionSeconds is the resolution time: seconds from creation to the
// (last) solve; ok is false while unsolved.
func ResolutionSeconds(c Conversation) (secs int64, ok bool) {
	if c.SolvedAt == 0 {
		return 0, false
	}
	return max(c.SolvedAt-c.CreatedAt, 0), true
}

// FirstContactResolved reports first-contact resolution (the standard
// definition): a solved conversation (SolvedAt set) that had exactly one
// public agent reply when it was first solved and was not reopened within
// 7 days of that first solve (ReopenedWithinWindow). The first contact is
// judged at the first solve: a conversation reopened 9 days after it and
// solved again with more replies still counts as resolved on first contact
// (the later contact is a new issue), one reopened after 2 days does not.
// FCR % = FirstContactResolved over all conversations solved in the period
// (by the day of the last solve). A solve's FCR can change for 7 days
// after it (a reopen clears the solve and marks the first solve's day
// stale in the rollups).
func FirstContactResolved(c Conversation) bool {
	return c.SolvedAt != 0 && c.AgentReplies == 1 && !ReopenedWithinWindow(c)
}

// CSATPercent is customer satisfaction: the share of answers scoring 4 or 5
// on the 1–5 scale over all answers, in percent; nil without answers.
func CSATPercent(scores []int) *float64 {
	var good int64
	for _, s := range scores {
		if s >= 4 {
			good++
		}
	}
	return Percent(good, int64(len(scores)))
}

// NPS is the net promoter score: % promoters (9–10) − % detractors (0–6) of
// all answers, from −100 to 100; passives (7–8) count only in the base;
// nil without answers.
func NPS(scores []int) *float64 {
	var pro, det int64
	for _, s := range scores {
		switch {
		case s >= 9:
			pro++
		case s <= 6:
			det++
		}
	}
	return NPSFromCounts(pro, det, int64(len(scores)))
}

// NPSFromCounts is NPS from counts of promoters, detractors and all answers.
func NPSFromCounts(promoters, detractors, total int64) *float64 {
	if total <= 0 {
		return nil
	}
	return ptr(float64(promoters-detractors) * 100 / float64(total))
}

// CESMean is the customer effort score: the mean of 1–7 answers; nil
// without answers.
func CESMean(scores []int) *float64 {
	var sum float64
	for _, s := range scores {
		sum += float64(s)
	}
	return Mean(sum, int64(len(scores)))
}

// SLACompliance is targets met over targets due, in percent: a target is
// due once it was met or breached; met means met before its due time.
func SLACompliance(met, due int64) *float64 { return Percent(met, due) }

// Retention is the customer retention rate ((E − N) / S × 100): S contacts
// with orders before the period, E contacts with orders in the period, N of
// those new (first order in the period); nil when S is 0.
func Retention(start, end, newInPeriod int64) *float64 {
	if start <= 0 {
		return nil
	}
	return ptr(float64(end-newInPeriod) * 100 / float64(start))
}

// Churn is 100 − Retention: the share of starting customers lost; nil when
// S is 0.
func Churn(start, end, newInPeriod int64) *float64 {
	r := Retention(start, end, newInPeriod)
	if r == nil {
		return nil
	}
	return ptr(100 - *r)
}

// HistoricalCLV is the historical customer lifetime value: the sum of a
// contact's order totals in minor units.
func HistoricalCLV(orderTotalsMinor []int64) int64 {
	var s int64
	for _, v := range orderTotalsMinor {
		s += v
	}
	return s
}

// PredictiveCLV is average order value × purchase frequency (orders per
// customer per year) × expected lifespan (years), in minor units rounded
// down; ok is false without orders or customers.
func PredictiveCLV(revenueMinor, orders, customers int64, lifespanYears, periodYears float64) (clv int64, ok bool) {
	if orders <= 0 || customers <= 0 || periodYears <= 0 {
		return 0, false
	}
	aov := float64(revenueMinor) / float64(orders)
	freq := float64(orders) / float64(customers) / periodYears
	return int64(math.Floor(aov * freq * lifespanYears)), true
}

// RepeatContactPercent is the share of conversations whose requester opened
// another conversation within 7 days after it (repeat contacts over all).
func RepeatContactPercent(repeats, all int64) *float64 { return Percent(repeats, all) }
