package survey_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// pagePost posts a raw form body to the survey page of tok with the
// given Sec-Fetch-Site and returns the status, Content-Type and body.
func pagePost(t *testing.T, url, body, site string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", site)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Content-Type"), string(b)
}

// TestSurveyPageFieldErrors: a refused answer shows the message of the
// field at fault in the page's language (Hebrew here), not "choose a
// score" for everything.
func TestSurveyPageFieldErrors(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newKit(t, d, false)
		k.enable(false, 0)
		_, tok := k.solvedWithLink("dana@example.com")
		srv := k.pages()
		for _, c := range []struct{ name, body, want string }{
			{"missing score", "comment=x", "נא לבחור ציון."},
			{"score out of range", "score=9", "נא לבחור ציון בין 1 ל-5."},
			{"unexpected ces", "score=4&ces=3", "בסקר הזה אין שאלת קלות טיפול."},
			{"comment too long", "score=4&comment=" + strings.Repeat("x", 2001), "ההערה ארוכה מדי"},
			{"invalid UTF-8", "score=4&comment=ok%C3%28", "ההערה מכילה תווים לא תקינים."},
			// A NUL character is valid UTF-8 but PostgreSQL text cannot hold it
			// (it was a 500 there and stored on SQLite).
			{"NUL character", "score=4&comment=a%00b", "ההערה מכילה תווים לא תקינים."},
		} {
			status, ct, body := pagePost(t, srv.URL+"/s/"+tok, c.body, "same-origin")
			if status != http.StatusBadRequest || !strings.HasPrefix(ct, "text/html") || !strings.Contains(body, c.want) {
				t.Errorf("%s: %d %s, want 400 HTML with %q\n%s", c.name, status, ct, c.want, body)
			}
			if c.name != "missing score" && strings.Contains(body, "נא לבחור ציון.<") {
				t.Errorf("%s: the page still says choose a score", c.name)
			}
		}
		if n := k.count(`SELECT COUNT(*) FROM survey_responses`); n != 0 {
			t.Errorf("refused answers stored %d responses", n)
		}
	})
}

// TestSurveyPageRefusalsAreHTML: a cross-origin post (403), an
// unreadable form (400), a form over 64 KiB (413) and the rate limit
// (429) answer the accessible HTML page, not plain text: in the
// invitation's language when the token is known, else Hebrew with an
// English line.
func TestSurveyPageRefusalsAreHTML(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newKit(t, d, false)
		k.enable(false, 0)
		_, tok := k.solvedWithLink("dana@example.com")
		srv := k.pages()
		for _, c := range []struct {
			name, path, body, site string
			status                 int
			want                   []string
			english                bool
		}{
			{"cross-origin", "/s/" + tok, "score=1", "cross-site", 403, []string{"הבקשה נדחתה"}, false},
			{"cross-origin, unknown token", "/s/bogus-token", "score=1", "cross-site", 403, []string{"הבקשה נדחתה", "Request refused"}, true},
			{"bad form", "/s/" + tok, "score=%zz", "same-origin", 400, []string{"הטופס אינו תקין"}, false},
			{"too large", "/s/" + tok, "score=1&comment=" + strings.Repeat("x", 70<<10), "same-origin", 413, []string{"הטופס גדול מדי"}, false},
		} {
			status, ct, body := pagePost(t, srv.URL+c.path, c.body, c.site)
			if status != c.status || !strings.HasPrefix(ct, "text/html") || !strings.Contains(body, `<html lang="he" dir="rtl">`) {
				t.Errorf("%s: %d %s, want %d Hebrew HTML\n%s", c.name, status, ct, c.status, body)
			}
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("%s: no %q in\n%s", c.name, w, body)
				}
			}
			if got := strings.Contains(body, `lang="en"`); got != c.english {
				t.Errorf("%s: English line %v, want %v", c.name, got, c.english)
			}
		}
		// The rate limit: 30 requests a minute, then a 429 page.
		var status int
		var ct, body string
		for i := 0; i < 40 && status != http.StatusTooManyRequests; i++ {
			res, err := http.Get(srv.URL + "/s/" + tok)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			status, ct, body = res.StatusCode, res.Header.Get("Content-Type"), string(b)
		}
		if status != http.StatusTooManyRequests || !strings.HasPrefix(ct, "text/html") ||
			!strings.Contains(body, "יותר מדי בקשות") || !strings.Contains(body, "Too many requests") {
			t.Errorf("rate limit: %d %s\n%s", status, ct, body)
		}
		if n := k.count(`SELECT COUNT(*) FROM survey_responses`); n != 0 {
			t.Errorf("refused posts stored %d responses", n)
		}
	})
}
