// Package lateness detects late deliveries: a pure verdict (Evaluate) of
// an order against its promised date on a business calendar, the durable
// scan job that re-evaluates undelivered orders ("commerce.lateness_scan"),
// the re-evaluation of one order on "order.updated", exactly one
// late-delivery conversation per late or at-risk order, and the proactive
// email notice sent once per lateness change. The rules are documented in
// docs/commerce.md, section "Late deliveries".
package lateness

import (
	"time"

	"github.com/kesherdesk/kesher/internal/sla/calendar"
)

// Verdicts (orders.lateness).
const (
	OnTime = "on_time"
	AtRisk = "at_risk"
	Late   = "late"
)

// Units in which days late are counted (settings "unit").
const (
	BusinessDays = "business_days"
	CalendarDays = "calendar_days"
)

// Order statuses and carrier statuses the verdict reads (orders.status,
// orders.carrier_status).
const (
	statusPlaced    = "placed"
	statusPaid      = "paid"
	statusDelivered = "delivered"
	statusCancelled = "cancelled"
	statusReturned  = "returned"
	carrierDelayed  = "delayed"
	carrierExcept   = "exception"
)

// Reasons name why a verdict was reached (Verdict.Reasons).
const (
	ReasonNoPromise           = "no_promise"
	ReasonDelivered           = "delivered"
	ReasonCancelled           = "cancelled"
	ReasonReturned            = "returned"
	ReasonPastPromise         = "past_promise"
	ReasonCarrierDelayed      = "carrier_delayed"
	ReasonCarrierException    = "carrier_exception"
	ReasonETAAfterPromise     = "eta_after_promise"
	ReasonShippedAfterPromise = "shipped_after_promise"
	ReasonNotShippedInTime    = "not_shipped_in_time"
)

// Facts are what the verdict reads of an order. Nil times are unset.
type Facts struct {
	Status        string // placed, paid, shipped, delivered, cancelled, returned
	CarrierStatus string // '', in_transit, out_for_delivery, delayed, exception, delivered, returned
	PromisedBy    *time.Time
	ShippedAt     *time.Time
	DeliveredAt   *time.Time
	CarrierETA    *time.Time
}

// Rules tune the verdict. Unit is BusinessDays (default when empty) or
// CalendarDays. MinTransitBusinessDays is the least number of business
// days an unshipped order needs before its promised day; 0 turns that
// at-risk rule off.
type Rules struct {
	Unit                   string
	MinTransitBusinessDays int
}

// Verdict is the lateness of an order at one instant. DaysLate is 0
// unless Lateness is Late. Since is the instant the order became late
// (its promised_by) for Late, zero otherwise. Reasons lists why, in a
// stable order (see the Reason constants).
type Verdict struct {
	Lateness string
	DaysLate int
	Since    time.Time
	Reasons  []string
}

// Evaluate returns the lateness of an order with facts f at now, counting
// days on cal (whose zone defines what "a day" is).
//
//   - No promised_by: on time (nothing was promised).
//   - Delivered (status delivered, delivered_at set, or carrier status
//     delivered), cancelled or returned (status or carrier status
//     returned): on time, whatever the dates — a delivered order is no
//     longer late.
//   - Late: now is after promised_by. DaysLate counts the days after the
//     promised day up to and including today, both taken as dates in the
//     calendar's zone: with unit calendar_days every date counts, with
//     business_days only dates on which cal has open hours (a half-day eve
//     counts, a Friday, Saturday or holiday of "il" does not). So an order
//     promised by Thursday 24 Nov 23:59 is 1 business day late on Sunday,
//     and 0 days late — but late — on the Friday and Saturday between:
//     what a customer expects, since the shop does not deliver then. An
//     order promised by 14:00 is late from 14:00 the same day, 0 days late.
//   - At risk (not late): the carrier reports delayed or exception; or the
//     carrier's ETA is after promised_by; or it shipped after promised_by;
//     or it is not shipped yet (status placed or paid, no shipped_at) and
//     fewer than MinTransitBusinessDays business days remain after today
//     up to and including the promised day (with the default 1: an order
//     promised for today or for a non-business day right after today and
//     still not shipped).
//   - Otherwise on time.
func Evaluate(f Facts, cal *calendar.Calendar, r Rules, now time.Time) Verdict {
	switch {
	case f.Status == statusCancelled:
		return Verdict{Lateness: OnTime, Reasons: []string{ReasonCancelled}}
	case f.Status == statusReturned || f.CarrierStatus == statusReturned:
		return Verdict{Lateness: OnTime, Reasons: []string{ReasonReturned}}
	case f.Status == statusDelivered || f.DeliveredAt != nil || f.CarrierStatus == statusDelivered:
		return Verdict{Lateness: OnTime, Reasons: []string{ReasonDelivered}}
	case f.PromisedBy == nil:
		return Verdict{Lateness: OnTime, Reasons: []string{ReasonNoPromise}}
	}
	promised := *f.PromisedBy
	loc := cal.Location()
	pDay := dateOf(promised, loc)
	today := dateOf(now, loc)
	if now.After(promised) {
		days := daysBetween(cal, pDay, today, r.Unit == CalendarDays)
		return Verdict{Lateness: Late, DaysLate: days, Since: promised.UTC(), Reasons: []string{ReasonPastPromise}}
	}
	var reasons []string
	switch f.CarrierStatus {
	case carrierDelayed:
		reasons = append(reasons, ReasonCarrierDelayed)
	case carrierExcept:
		reasons = append(reasons, ReasonCarrierException)
	}
	if f.CarrierETA != nil && f.CarrierETA.After(promised) {
		reasons = append(reasons, ReasonETAAfterPromise)
	}
	if f.ShippedAt != nil && f.ShippedAt.After(promised) {
		reasons = append(reasons, ReasonShippedAfterPromise)
	}
	unshipped := f.ShippedAt == nil && (f.Status == statusPlaced || f.Status == statusPaid)
	if unshipped && r.MinTransitBusinessDays > 0 && daysBetween(cal, today, pDay, false) < r.MinTransitBusinessDays {
		reasons = append(reasons, ReasonNotShippedInTime)
	}
	if len(reasons) > 0 {
		return Verdict{Lateness: AtRisk, Reasons: reasons}
	}
	return Verdict{Lateness: OnTime}
}

// dateOf is t's civil date in loc, as a UTC midnight (for day arithmetic).
func dateOf(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// maxCountedDays bounds the business days daysBetween walks.
const maxCountedDays = 3660

// daysBetween counts the dates d with from < d ≤ to (UTC midnights from
// dateOf): all of them when calendarDays, else those on which cal has open
// hours. It is 0 when to is not after from.
func daysBetween(cal *calendar.Calendar, from, to time.Time, calendarDays bool) int {
	if !to.After(from) {
		return 0
	}
	if calendarDays {
		return int(to.Sub(from).Hours()/24 + 0.5)
	}
	// At most maxCountedDays dates are walked (an order promised decades
	// ago by mistake counts only the last ten years).
	if to.Sub(from) > maxCountedDays*24*time.Hour {
		from = to.AddDate(0, 0, -maxCountedDays)
	}
	n := 0
	for d := from.AddDate(0, 0, 1); !d.After(to); d = d.AddDate(0, 0, 1) {
		open, _ := cal.Hours(calendar.Date{Year: d.Year(), Month: d.Month(), Day: d.Day()})
		if len(open) > 0 {
			n++
		}
	}
	return n
}
