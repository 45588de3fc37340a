package httpapi

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// loginLimiter throttles sign-in attempts per client IP and per email
// address (token buckets of perMinute, burst perMinute), so neither one
// address nor one attacker can try passwords quickly.
type loginLimiter struct {
	mu        sync.Mutex
	perMinute int
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	l    *rate.Limiter
	seen time.Time
}

func newLoginLimiter(perMinute int) *loginLimiter {
	return &loginLimiter{perMinute: perMinute, buckets: map[string]*bucket{}, lastSweep: time.Now()}
}

// allow takes one token from each key's bucket; false when any is empty.
func (l *loginLimiter) allow(keys ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if now.Sub(l.lastSweep) > 10*time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.lastSweep = now
	}
	ok := true
	for _, k := range keys {
		b, found := l.buckets[k]
		if !found {
			b = &bucket{l: rate.NewLimiter(rate.Every(time.Minute/time.Duration(l.perMinute)), l.perMinute)}
			l.buckets[k] = b
		}
		b.seen = now
		if !b.l.AllowN(now, 1) {
			ok = false
		}
	}
	return ok
}

// clientIP is the client's address for rate limits: the connection's
// remote address, or — only when trustProxy is set because Kesher runs
// behind a reverse proxy — the last X-Forwarded-For hop (the one the proxy
// itself appended; earlier hops are client-supplied and unchecked).
func clientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			if ip := strings.TrimSpace(parts[len(parts)-1]); net.ParseIP(ip) != nil {
				return ip
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// RateLimiter is the sign-in limiter's token buckets for public endpoints
// outside the route table (the chat widget): perMinute tokens a minute per
// key, bursts of perMinute. Safe for concurrent use.
type RateLimiter struct{ l *loginLimiter }

// NewRateLimiter returns a limiter of perMinute (> 0) per key.
func NewRateLimiter(perMinute int) *RateLimiter {
	return &RateLimiter{l: newLoginLimiter(perMinute)}
}

// Allow takes one token from each key's bucket; false when any is empty.
func (r *RateLimiter) Allow(keys ...string) bool { return r.l.allow(keys...) }

// ClientIP is the client address used for rate limits (see clientIP).
func ClientIP(r *http.Request, trustProxy bool) string { return clientIP(r, trustProxy) }
