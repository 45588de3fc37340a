package httpapi

import (
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/survey"
)

// TestSurveyPageFailureIsHTML: a server failure behind a survey link is the
// same accessible HTML page as every other refusal (it was plain text), in
// the invitation's language or, without one, the Accept-Language's.
func TestSurveyPageFailureIsHTML(t *testing.T) {
	p := surveyPageHandler{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, c := range []struct {
		inv              survey.Invitation
		accept, lang, ti string
	}{
		{survey.Invitation{ID: 4, Language: "en"}, "he", `<html lang="en" dir="ltr">`, "Something went wrong"},
		{survey.Invitation{}, "", `<html lang="he" dir="rtl">`, "משהו השתבש"},
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/s/tok", nil)
		req.Header.Set("Accept-Language", c.accept)
		p.fail(rec, req, c.inv, errors.New("database is down"))
		body := rec.Body.String()
		if rec.Code != 500 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") || !strings.Contains(body, c.lang) ||
			!strings.Contains(body, c.ti) || strings.Contains(body, "database is down") {
			t.Errorf("%+v: %d %s\n%s", c.inv, rec.Code, rec.Header().Get("Content-Type"), body)
		}
	}
}
