package policy

import (
	"math/rand/v2"
	"testing"
	"time"
)

// syntheticTimelines returns n open conversations of 3–8 events each,
// created during 2026 with gaps of 1–600 minutes between events, and the
// evaluation instant of each (1–300 minutes after its last event).
func syntheticTimelines(n int) ([][]Event, []time.Time) {
	r := rand.New(rand.NewPCG(1, 2))
	year := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	timelines := make([][]Event, n)
	nows := make([]time.Time, n)
	for i := range timelines {
		at := year.Add(time.Duration(r.IntN(365*24*60)) * time.Minute)
		tl := make([]Event, 0, 8)
		tl = append(tl, created(at), customer(at))
		for range 1 + r.IntN(6) {
			at = at.Add(time.Duration(1+r.IntN(600)) * time.Minute)
			switch r.IntN(6) {
			case 0:
				tl = append(tl, customer(at))
			case 1:
				tl = append(tl, bot(at))
			case 2:
				tl = append(tl, status(StatusPending, at))
			case 3:
				tl = append(tl, status(StatusOnHold, at))
			case 4:
				tl = append(tl, status(StatusOpen, at))
			default:
				tl = append(tl, agent(at))
			}
		}
		timelines[i] = tl
		nows[i] = at.Add(time.Duration(1+r.IntN(300)) * time.Minute)
	}
	return timelines, nows
}

// BenchmarkEvaluate100k evaluates 100,000 open conversations under one
// business-hours policy on "il" per iteration; ns/conversation is the cost
// of one Evaluate.
func BenchmarkEvaluate100k(b *testing.B) {
	const n = 100_000
	cal := il(b)
	timelines, nows := syntheticTimelines(n)
	p := businessPolicy
	b.ReportAllocs()
	breached := 0
	for b.Loop() {
		breached = 0
		for i, tl := range timelines {
			if Evaluate(&p, cal, tl, nows[i]).FirstResponse.State == StateBreached {
				breached++
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/conversation")
	b.ReportMetric(float64(breached), "first-breached")
}
