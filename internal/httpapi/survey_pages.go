package httpapi

import (
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/survey"
)

// The public survey pages (docs/reports.md, "Surveys"): server-rendered
// HTML outside /api, answered by the token in the path.

// surveyPage is the one template of every public survey page: the question
// form, thanks, closed and not-found. No JavaScript; radio buttons inside
// labelled fieldsets; big touch targets; dir follows the language.
var surveyPage = template.Must(template.New("survey").Parse(`<!doctype html>
<html lang="{{.Lang}}" dir="{{.T.Dir}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{.Title}}{{if .Brand}} – {{.Brand}}{{end}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;margin:0;padding:1rem;background:#f6f7f9;color:#1b1f24;line-height:1.5}
main{max-width:36rem;margin:0 auto;background:#fff;border-radius:.75rem;padding:1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.4rem;margin-top:0}
fieldset{border:0;padding:0;margin:0 0 1.25rem}
legend{font-weight:600;font-size:1.1rem;margin-bottom:.5rem}
.scale{display:flex;flex-wrap:wrap;gap:.5rem}
.scale label{display:flex;align-items:center;gap:.5rem;min-height:44px;min-width:44px;padding:.5rem .75rem;border:1px solid #9aa4b2;border-radius:.5rem;cursor:pointer}
.scale input{width:1.4rem;height:1.4rem;margin:0}
.ends{display:flex;justify-content:space-between;font-size:.9rem;color:#4a5563}
textarea{width:100%;box-sizing:border-box;min-height:6rem;font:inherit;padding:.5rem;border:1px solid #9aa4b2;border-radius:.5rem}
button{min-height:48px;padding:.5rem 2rem;font:inherit;font-weight:600;color:#fff;background:#1f5fbf;border:0;border-radius:.5rem;cursor:pointer}
.error{color:#a4161a;font-weight:600}
:focus-visible{outline:3px solid #1f5fbf;outline-offset:2px}
</style>
</head>
<body>
<main>
{{if .Brand}}<p>{{.Brand}}</p>{{end}}
<h1>{{.Title}}</h1>
{{if .Message}}<p>{{.Message}}</p>{{end}}
{{if .Also}}<div lang="en" dir="ltr"><h2>{{.AlsoTitle}}</h2><p>{{.Also}}</p></div>{{end}}
{{if .Form}}
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="{{.Action}}">
<fieldset>
<legend>{{.Question}}</legend>
<div class="scale">
{{range .Scores}}<label><input type="radio" name="score" value="{{.Value}}" required{{if .Checked}} checked{{end}}> {{.Label}}</label>
{{end}}</div>
{{if .Low}}<div class="ends" aria-hidden="true"><span>{{.Low}}</span><span>{{.High}}</span></div>{{end}}
</fieldset>
{{if .CES}}<fieldset>
<legend>{{.T.CESQuestion}}</legend>
<div class="scale">
{{range .CES}}<label><input type="radio" name="ces" value="{{.Value}}"{{if .Checked}} checked{{end}}> {{.Label}}</label>
{{end}}</div>
<div class="ends" aria-hidden="true"><span>{{.T.CESLow}}</span><span>{{.T.CESHigh}}</span></div>
</fieldset>{{end}}
<p><label for="comment">{{.CommentLabel}}</label><br>
<textarea id="comment" name="comment" maxlength="2000">{{.Comment}}</textarea></p>
<p><button type="submit">{{.T.Submit}}</button></p>
</form>
{{end}}
{{if .Again}}<p><a href="{{.Action}}">{{.T.ChangeAnswer}}</a></p>{{end}}
</main>
</body>
</html>
`))

type surveyChoice struct {
	Value   int
	Label   string
	Checked bool
}

type surveyPageData struct {
	Lang, Title, Message, Brand string
	T                           survey.Texts
	Form                        bool
	Action, Question            string
	Scores, CES                 []surveyChoice
	Low, High                   string
	CommentLabel, Comment       string
	Error                       string
	Again                       bool
	AlsoTitle, Also             string // an English line under a Hebrew page whose reader's language is unknown
}

func surveyChoices(lo, hi int, selected *int, labels []string) []surveyChoice {
	out := make([]surveyChoice, 0, hi-lo+1)
	for n := lo; n <= hi; n++ {
		c := surveyChoice{Value: n, Label: strconv.Itoa(n), Checked: selected != nil && *selected == n}
		if labels != nil {
			c.Label = labels[n-lo]
		}
		out = append(out, c)
	}
	return out
}

func renderSurvey(w http.ResponseWriter, status int, d surveyPageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_ = surveyPage.Execute(w, d)
}

// maxSurveyForm is the largest survey form body, in bytes; a larger one
// answers 413.
const maxSurveyForm = 64 << 10

// formErrors is the page's message for the fields ve names, in the
// invitation's language: one sentence per field, in the order found.
func formErrors(inv survey.Invitation, ve *errs.ValidationError) string {
	t := survey.Catalog(inv.Language)
	lo, hi := survey.ScoreRange(inv.Kind)
	var out []string
	for _, f := range ve.Fields {
		var msg string
		switch f.Field + "/" + f.Code {
		case "score/out_of_range":
			msg = fmt.Sprintf(t.ScoreRange, lo, hi)
		case "ces/unexpected":
			msg = t.CESUnexpected
		case "ces/out_of_range":
			msg = t.CESRange
		case "comment/invalid_utf8":
			msg = t.InvalidUTF8
		case "comment/too_long":
			msg = t.TooLong
		default:
			msg = t.ScoreMissing
		}
		if !slices.Contains(out, msg) {
			out = append(out, msg)
		}
	}
	return strings.Join(out, " ")
}

// refuse renders the error page of a refused request: 429 (rate limit),
// 403 (cross-origin POST), 400 (unreadable form) or 413 (form over
// maxSurveyForm). lookup resolves the token for the invitation's
// language (never on 429: a limited client costs no query); unknown, the
// page is Hebrew with an English line.
func (p surveyPageHandler) refuse(w http.ResponseWriter, r *http.Request, status int, lookup bool) {
	lang := ""
	var brand string
	if lookup {
		if inv, _ := p.s.Resolve(r.Context(), r.PathValue("token")); inv.ID != 0 {
			lang, brand = survey.Language(inv.Language), inv.Brand
		}
	}
	texts := func(t survey.Texts) (string, string) {
		switch status {
		case http.StatusTooManyRequests:
			return t.TooManyTitle, t.TooManyBody
		case http.StatusForbidden:
			return t.ForbiddenTitle, t.ForbiddenBody
		case http.StatusRequestEntityTooLarge:
			return t.TooLargeTitle, t.TooLargeBody
		default:
			return t.BadFormTitle, t.BadFormBody
		}
	}
	d := surveyPageData{Lang: lang, Brand: brand}
	if lang == "" {
		d.Lang = "he"
		d.AlsoTitle, d.Also = texts(survey.Catalog("en"))
	}
	d.T = survey.Catalog(d.Lang)
	d.Title, d.Message = texts(d.T)
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "60")
	}
	renderSurvey(w, status, d)
}

// surveyPages serves the public survey pages: GET /s/{token} shows the form
// (?score=N pre-selects a score), POST /s/{token} (form fields score, ces,
// comment) records the answer and shows thanks. A bad token answers 404,
// a closed survey 410, a bad form 400 with the form again. allow, when
// set, rate-limits requests (false answers 429). Cross-origin POSTs are
// refused with 403 (the form posts to its own origin); an unreadable form
// answers 400, one over maxSurveyForm 413. Every error is an HTML page
// (see refuse and fail).
func surveyPages(s *survey.Service, allow func(r *http.Request) bool, log *slog.Logger) http.Handler {
	p := surveyPageHandler{s: s, log: log}
	csrf := http.NewCrossOriginProtection()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /s/{token}", func(w http.ResponseWriter, r *http.Request) {
		if allow != nil && !allow(r) {
			p.refuse(w, r, http.StatusTooManyRequests, false)
			return
		}
		var pre *int
		if n, err := strconv.Atoi(r.URL.Query().Get("score")); err == nil {
			pre = &n
		}
		p.show(w, r, pre, nil, "", "")
	})
	mux.HandleFunc("POST /s/{token}", func(w http.ResponseWriter, r *http.Request) {
		if allow != nil && !allow(r) {
			p.refuse(w, r, http.StatusTooManyRequests, false)
			return
		}
		if err := csrf.Check(r); err != nil {
			p.refuse(w, r, http.StatusForbidden, true)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxSurveyForm)
		if err := r.ParseForm(); err != nil {
			status := http.StatusBadRequest
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				status = http.StatusRequestEntityTooLarge
			}
			p.refuse(w, r, status, true)
			return
		}
		var in survey.AnswerInput
		if n, err := strconv.Atoi(r.PostForm.Get("score")); err == nil {
			in.Score = &n
		}
		if n, err := strconv.Atoi(r.PostForm.Get("ces")); err == nil {
			in.CES = &n
		}
		in.Comment = r.PostForm.Get("comment")
		token := r.PathValue("token")
		inv, err := s.Record(r.Context(), token, in)
		var ve *errs.ValidationError
		if errors.As(err, &ve) {
			p.show(w, r, in.Score, in.CES, in.Comment, formErrors(inv, ve))
			return
		}
		if err != nil {
			p.fail(w, r, inv, err)
			return
		}
		t := survey.Catalog(inv.Language)
		renderSurvey(w, http.StatusOK, surveyPageData{Lang: survey.Language(inv.Language), T: t, Title: t.ThanksTitle, Message: t.ThanksBody,
			Brand: inv.Brand, Again: true, Action: "/s/" + token})
	})
	return mux
}

// surveyPageHandler answers the public survey pages.
type surveyPageHandler struct {
	s   *survey.Service
	log *slog.Logger
}

// show renders token's form, pre-filled with the stored answer unless
// score, ces or comment are given.
func (p surveyPageHandler) show(w http.ResponseWriter, r *http.Request, score, ces *int, comment, formErr string) {
	token := r.PathValue("token")
	inv, err := p.s.Resolve(r.Context(), token)
	if err != nil {
		p.fail(w, r, inv, err)
		return
	}
	if score == nil && ces == nil && comment == "" && formErr == "" {
		cur, err := p.s.Current(r.Context(), inv)
		if err != nil {
			p.fail(w, r, inv, err)
			return
		}
		if cur != nil {
			score, ces, comment = &cur.Score, cur.CES, cur.Comment
		}
	}
	lang := survey.Language(inv.Language)
	t := survey.Catalog(lang)
	d := surveyPageData{Lang: lang, T: t, Title: t.PageTitle, Brand: inv.Brand, Form: true, Action: "/s/" + token, Comment: comment,
		CommentLabel: t.Comment, Error: formErr}
	lo, hi := survey.ScoreRange(inv.Kind)
	switch inv.Kind {
	case survey.KindNPS:
		d.Question, d.Low, d.High, d.CommentLabel = t.NPSQuestion, t.NPSLow, t.NPSHigh, t.NPSComment
		d.Scores = surveyChoices(lo, hi, score, nil)
	default:
		d.Question = t.CSATQuestion
		d.Scores = surveyChoices(lo, hi, score, t.CSATLabels[:])
		if inv.CES != 0 {
			d.CES = surveyChoices(1, 7, ces, nil)
		}
	}
	status := http.StatusOK
	if formErr != "" {
		status = http.StatusBadRequest
	}
	renderSurvey(w, status, d)
}

// fail renders the page of a lookup error: 404 for a bad token, 410 for a
// closed survey, 500 otherwise (an HTML page too).
func (p surveyPageHandler) fail(w http.ResponseWriter, r *http.Request, inv survey.Invitation, err error) {
	lang := survey.Language(inv.Language)
	if inv.ID == 0 {
		lang = survey.Language(r.Header.Get("Accept-Language"))
	}
	t := survey.Catalog(lang)
	switch {
	case errors.Is(err, survey.ErrClosed):
		renderSurvey(w, http.StatusGone, surveyPageData{Lang: lang, T: t, Title: t.ClosedTitle, Message: t.ClosedBody, Brand: inv.Brand})
	case errors.Is(err, errs.ErrNotFound):
		renderSurvey(w, http.StatusNotFound, surveyPageData{Lang: lang, T: t, Title: t.NotFoundTitle, Message: t.NotFoundBody})
	default:
		p.log.Error("survey page", "err", err)
		// The same accessible HTML page as every other refusal, never plain text.
		renderSurvey(w, http.StatusInternalServerError, surveyPageData{Lang: lang, T: t, Title: t.FailedTitle, Message: t.FailedBody})
	}
}
