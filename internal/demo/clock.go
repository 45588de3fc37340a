package demo

import (
	"math/rand/v2"
	"time"
)

// clock knows the demo desk's business hours: Sunday to Thursday 08:00-20:00
// and Friday 08:00-13:00, Israel time; closed on Saturday.
type clock struct{ loc *time.Location }

// israel returns Asia/Jerusalem, or a fixed UTC+2 when the system has no
// zone database (the kesher binary embeds one).
func israel() *time.Location {
	loc, err := time.LoadLocation("Asia/Jerusalem")
	if err != nil {
		return time.FixedZone("IST", 2*3600)
	}
	return loc
}

// window returns the business hours of t's local day; ok is false when the
// desk is closed all day.
func (c clock) window(t time.Time) (open, close time.Time, ok bool) {
	l := t.In(c.loc)
	from, to := 8, 20
	switch l.Weekday() {
	case time.Saturday:
		return time.Time{}, time.Time{}, false
	case time.Friday:
		to = 13
	}
	y, m, d := l.Date()
	return time.Date(y, m, d, from, 0, 0, 0, c.loc), time.Date(y, m, d, to, 0, 0, 0, c.loc), true
}

// isOpen reports whether the desk works at t.
func (c clock) isOpen(t time.Time) bool {
	o, cl, ok := c.window(t)
	return ok && !t.Before(o) && t.Before(cl)
}

// next returns t when the desk is open then, else the next opening.
func (c clock) next(t time.Time) time.Time {
	for range 8 {
		o, cl, ok := c.window(t)
		if ok && t.Before(cl) {
			if t.Before(o) {
				return o.UTC()
			}
			return t
		}
		y, m, d := t.In(c.loc).Date()
		t = time.Date(y, m, d+1, 0, 0, 0, 0, c.loc)
	}
	return t.UTC()
}

// add returns the instant d of business time after t.
func (c clock) add(t time.Time, d time.Duration) time.Time {
	t = c.next(t)
	for {
		_, cl, _ := c.window(t)
		left := cl.Sub(t)
		if d < left {
			return t.Add(d).UTC()
		}
		d -= left
		t = c.next(cl)
	}
}

// hourWeights is when customers write, by local hour: a morning peak and an
// evening one.
var hourWeights = []int{2, 1, 0, 0, 0, 0, 1, 3, 6, 9, 10, 10, 9, 8, 8, 8, 7, 6, 5, 6, 7, 6, 4, 3}

// weighted returns an index of ws chosen in proportion to its weight.
func weighted(r *rand.Rand, ws []int) int {
	total := 0
	for _, w := range ws {
		total += w
	}
	n := r.IntN(total)
	for i, w := range ws {
		if n -= w; n < 0 {
			return i
		}
	}
	return len(ws) - 1
}

// pick returns a random element of xs.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// between returns a uniform duration in [lo, hi).
func between(r *rand.Rand, lo, hi time.Duration) time.Duration {
	return lo + time.Duration(r.Int64N(int64(hi-lo)))
}

// skewed returns a duration in [lo, hi) with short ones more likely, the
// way most replies come fast and a few take long.
func skewed(r *rand.Rand, lo, hi time.Duration) time.Duration {
	u := r.Float64()
	return lo + time.Duration(float64(hi-lo)*u*u)
}
