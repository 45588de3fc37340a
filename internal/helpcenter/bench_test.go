package helpcenter_test

import (
	"net/http/httptest"
	"testing"

	"github.com/kesherdesk/kesher/internal/helpcenter"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// BenchmarkArticlePage renders a Hebrew article page (settings, article
// with translations, breadcrumbs, the visitor's daily view and vote
// lookups) on SQLite for one returning visitor, in process and without
// the rate limiter.
func BenchmarkArticlePage(b *testing.B) {
	s := newSite(b, testkit.SQLite(b))
	h := s.core.HelpCenter.Handler(helpcenter.HandlerOptions{})
	first := httptest.NewRecorder()
	h.ServeHTTP(first, httptest.NewRequest("GET", url4(s.he), nil))
	cookies := first.Result().Cookies()
	for b.Loop() {
		req := httptest.NewRequest("GET", url4(s.he), nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
