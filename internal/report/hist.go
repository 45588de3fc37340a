package report

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// Histograms of durations in seconds use fixed log-scale buckets: bucket b
// holds s with floor(4·log2(1+s)) = b, i.e. [2^(b/4)−1, 2^((b+1)/4)−1). A
// quantile read from a histogram is its bucket's geometric middle
// 2^((b+0.5)/4)−1 rounded to whole seconds, so a quantile of s seconds
// reads back within HistError·(s+1) + 0.5 seconds: 2^(1/8)−1 ≈ 9.05 %
// relative error for durations of a minute and more.
const HistError = 0.0905

// bucketOf returns the bucket of secs (negative counts as 0).
func bucketOf(secs int64) int {
	if secs < 0 {
		secs = 0
	}
	return int(math.Floor(4 * math.Log2(1+float64(secs))))
}

// bucketValue is the representative seconds of bucket b.
func bucketValue(b int) float64 { return math.Pow(2, (float64(b)+0.5)/4) - 1 }

// hist maps bucket → count.
type hist map[int]int64

func (h hist) add(secs int64) { h[bucketOf(secs)]++ }

// encode writes h as "b:n;b:n" in bucket order ("" when empty).
func (h hist) encode() string {
	if len(h) == 0 {
		return ""
	}
	bs := make([]int, 0, len(h))
	for b := range h {
		bs = append(bs, b)
	}
	sort.Ints(bs)
	var sb strings.Builder
	for i, b := range bs {
		if i > 0 {
			sb.WriteByte(';')
		}
		sb.WriteString(strconv.Itoa(b))
		sb.WriteByte(':')
		sb.WriteString(strconv.FormatInt(h[b], 10))
	}
	return sb.String()
}

// histBuckets bounds bucket numbers: bucket 127 starts at 2^31.75 s (over
// 100 years), so every real duration fits.
const histBuckets = 128

// buckets is a histogram summed while reading rollups, without allocating.
type buckets [histBuckets]int64

// merge adds the encoded histogram s ("b:n;b:n") to h; malformed parts and
// out-of-range buckets are skipped.
func (h *buckets) merge(s string) {
	b, n, inCount, ok := 0, int64(0), false, true
	flush := func() {
		if inCount && ok && b >= 0 && b < histBuckets {
			h[b] += n
		}
		b, n, inCount, ok = 0, 0, false, true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if inCount {
				n = n*10 + int64(c-'0')
			} else {
				b = b*10 + int(c-'0')
			}
		case c == ':':
			ok = ok && !inCount
			inCount = true
		case c == ';':
			flush()
		default:
			ok = false
		}
	}
	flush()
}

// quantile returns the nearest-rank q-quantile (the first bucket whose
// cumulative count reaches ceil(q·N)) as the bucket's representative
// seconds; nil when empty.
func (h *buckets) quantile(q float64) *float64 {
	var total int64
	for _, n := range h {
		total += n
	}
	if total == 0 {
		return nil
	}
	rank := max(int64(math.Ceil(q*float64(total))), 1)
	var cum int64
	for b, n := range h {
		cum += n
		if cum >= rank {
			return ptr(math.Round(bucketValue(b)))
		}
	}
	return nil
}
