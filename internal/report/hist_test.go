package report

import (
	"math"
	"testing"
)

// TestHistogram checks the encoding round trip, malformed input, and the
// stated error bound of quantiles read from buckets.
func TestHistogram(t *testing.T) {
	h := hist{}
	for _, s := range []int64{0, 60, 60, 3600, 86400} {
		h.add(s)
	}
	var b buckets
	b.merge(h.encode())
	b.merge("x:1;;5:2:3;200:9") // malformed parts and an out-of-range bucket are skipped
	var total int64
	for _, n := range b {
		total += n
	}
	if total != 5 {
		t.Fatalf("total = %d, want 5 (%q)", total, h.encode())
	}
	// Nearest rank: median = rank 3 of 0, 60, 60, 3600, 86400 → 60.
	if m := b.quantile(0.5); m == nil || math.Abs(*m-60)/60 > HistError {
		t.Errorf("median = %v, want 60 ± %.2f%%", m, HistError*100)
	}
	for s := int64(5); s < 400_000_000; s = s*3/2 + 1 {
		v := math.Round(bucketValue(bucketOf(s)))
		if math.Abs(v-float64(s)) > HistError*float64(s+1)+0.5 {
			t.Errorf("%d s read back as %v: error above %.2f%%", s, v, HistError*100)
		}
	}
	var empty buckets
	if empty.quantile(0.5) != nil {
		t.Error("empty histogram has a median")
	}
}
