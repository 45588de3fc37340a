package httpapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestExpiredTokenStopsAtOnce: a token used while valid is cached, but the
// cache never outlives the token's own expiry.
func TestExpiredTokenStopsAtOnce(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		exp := time.Now().Add(1500 * time.Millisecond)
		tok, _, err := k.core.Auth.CreateToken(context.Background(), 1, "short", nil, &exp)
		if err != nil {
			t.Fatal(err)
		}
		k.must(200, "GET", "/api/v1/me", tok, nil)
		time.Sleep(time.Until(exp) + 50*time.Millisecond)
		if r := k.do("GET", "/api/v1/me", tok, nil); r.status != 401 {
			t.Fatalf("expired token still accepted: %d", r.status)
		}
	})
}
