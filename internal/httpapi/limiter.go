package httpapi

import (
	"net"
	"net/http"
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

// clientIP is the connection's remote address. X-Forwarded-For is ignored:
// trusting it would let a client pick its own rate-limit key.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
