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
// 2^((b+0.5)/4)−1, so for durations of a few seconds and more the relative
// error is at most 2^(1/8)−1 ≈ 9.05 % (HistError).
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

// merge adds the encoded histogram s to h; malformed parts are skipped.
func (h hist) merge(s string) {
	for s != "" {
		part := s
		if i := strings.IndexByte(s, ';'); i >= 0 {
			part, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		j := strings.IndexByte(part, ':')
		if j < 0 {
			continue
		}
		b, err1 := strconv.Atoi(part[:j])
		n, err2 := strconv.ParseInt(part[j+1:], 10, 64)
		if err1 == nil && err2 == nil {
			h[b] += n
		}
	}
}

// quantile returns the nearest-rank q-quantile (the smallest bucket whose
// cumulative count reaches ceil(q·N)) as the bucket's representative
// seconds; nil when empty.
func (h hist) quantile(q float64) *float64 {
	var total int64
	bs := make([]int, 0, len(h))
	for b, n := range h {
		total += n
		bs = append(bs, b)
	}
	if total == 0 {
		return nil
	}
	sort.Ints(bs)
	rank := max(int64(math.Ceil(q*float64(total))), 1)
	var cum int64
	for _, b := range bs {
		cum += h[b]
		if cum >= rank {
			return ptr(math.Round(bucketValue(b)))
		}
	}
	return ptr(math.Round(bucketValue(bs[len(bs)-1])))
}
