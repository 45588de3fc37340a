package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Request builds the i-th request of worker w.
type Request func(w, i int) (method, path string, body []byte)

// Result summarizes a load run. Latencies are per request, wall time.
type Result struct {
	Requests  int
	Errors    int
	Duration  time.Duration
	OpsPerSec float64
	P50, P90  time.Duration
	P99, Max  time.Duration
	// FirstError is the first failure seen (status and body), for diagnosis.
	FirstError string
}

func (r Result) String() string {
	return fmt.Sprintf("%d requests in %s: %.0f ops/s, p50 %s, p90 %s, p99 %s, max %s, %d errors",
		r.Requests, r.Duration.Round(time.Millisecond), r.OpsPerSec, r.P50.Round(time.Microsecond), r.P90.Round(time.Microsecond),
		r.P99.Round(time.Microsecond), r.Max.Round(time.Microsecond), r.Errors)
}

// Run sends requests from `clients` concurrent workers to baseURL with the
// bearer token for the given duration (or until maxRequests, when > 0), and
// reports throughput and latency percentiles. Only 2xx answers count as
// success. It only targets the URL given; callers keep it on loopback.
func Run(ctx context.Context, baseURL, token string, clients int, d time.Duration, maxRequests int, next Request) Result {
	tr := &http.Transport{MaxIdleConns: clients * 2, MaxIdleConnsPerHost: clients * 2, IdleConnTimeout: time.Minute}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	defer tr.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		mu        sync.Mutex
		latencies []time.Duration
		errors    atomic.Int64
		firstErr  atomic.Value
		issued    atomic.Int64
		wg        sync.WaitGroup
	)
	start := time.Now()
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			for i := 0; ctx.Err() == nil; i++ {
				if maxRequests > 0 && issued.Add(1) > int64(maxRequests) {
					break
				}
				method, path, body := next(w, i)
				req, _ := http.NewRequestWithContext(context.WithoutCancel(ctx), method, baseURL+path, bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				if body != nil {
					req.Header.Set("Content-Type", "application/json")
				}
				t0 := time.Now()
				res, err := client.Do(req)
				if err != nil {
					errors.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				local = append(local, time.Since(t0))
				if res.StatusCode >= 300 {
					errors.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%d %s", res.StatusCode, b))
				}
			}
			mu.Lock()
			latencies = append(latencies, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	el := time.Since(start)
	slices.Sort(latencies)
	r := Result{Requests: len(latencies), Errors: int(errors.Load()), Duration: el}
	if fe, ok := firstErr.Load().(string); ok {
		r.FirstError = fe
	}
	if n := len(latencies); n > 0 {
		r.OpsPerSec = float64(n-r.Errors) / el.Seconds()
		pct := func(p float64) time.Duration { return latencies[min(n-1, int(float64(n)*p))] }
		r.P50, r.P90, r.P99, r.Max = pct(0.50), pct(0.90), pct(0.99), latencies[n-1]
	}
	return r
}
