package httpapi_test

import (
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestChangeOwnPassword: a token (even an all-scopes one) cannot change the
// password; a session can, with the current password.
func TestChangeOwnPassword(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		if r := k.do("PATCH", "/api/v1/me", k.admin, map[string]any{"password": "new-password-123", "current_password": "admin-password-1"}); r.status != 400 ||
			!strings.Contains(string(r.body), `"field":"password"`) {
			t.Fatalf("password change with a token: %d %s", r.status, r.body)
		}
		k.must(200, "PATCH", "/api/v1/me", k.admin, map[string]any{"locale": "en"}) // other fields are fine with a token
		jar, _ := cookiejar.New(nil)
		k.client = &http.Client{Jar: jar}
		k.must(200, "POST", "/api/v1/auth/login", "", map[string]any{"email": "admin@kesher.test", "password": "admin-password-1"})
		if r := k.do("PATCH", "/api/v1/me", "", map[string]any{"password": "new-password-123"}); r.status != 400 ||
			!strings.Contains(string(r.body), `"field":"current_password"`) {
			t.Fatalf("without current password: %d %s", r.status, r.body)
		}
		if r := k.do("PATCH", "/api/v1/me", "", map[string]any{"password": "new-password-123", "current_password": "wrong-password"}); r.status != 400 {
			t.Fatalf("wrong current password: %d", r.status)
		}
		k.must(200, "PATCH", "/api/v1/me", "", map[string]any{"password": "new-password-123", "current_password": "admin-password-1"})
		// The change ended the sessions; the new password signs in.
		k.must(200, "POST", "/api/v1/auth/login", "", map[string]any{"email": "admin@kesher.test", "password": "new-password-123"})
	})
}
