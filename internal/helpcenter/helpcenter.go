// Package helpcenter serves the public help center (docs/knowledge.md,
// "Public help center"): server-rendered pages at /help/he/… and
// /help/en/… built from the published, public knowledge-base articles,
// with search, "was this helpful?" votes, view counts and a "contact us"
// form that opens a conversation in the configured inbox. No JavaScript is
// needed; Hebrew pages are right-to-left; the brand name, logo and colour
// come from the help center settings (kb.Settings).
//
// Visitors are identified by a random cookie (kesher_hc_visitor); only a
// keyed hash of it is stored (votes, daily view de-duplication), never an
// IP address. Forms carry a signed double-submit CSRF token: the cookie
// kesher_hc_csrf holds a random value and its HMAC, the form field repeats
// the value.
package helpcenter

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/kb"
	"github.com/kesherdesk/kesher/internal/search"
	"github.com/kesherdesk/kesher/internal/secret"
)

// Cookie names.
const (
	VisitorCookie = "kesher_hc_visitor"
	CSRFCookie    = "kesher_hc_csrf"
)

// Actor is who contact-form conversations are recorded as created by.
var Actor = audit.Actor{Type: "system", Name: "help center"}

// keyInfo is the HKDF info string of the help center's HMAC key.
const keyInfo = "kesher help center v1"

// maxForm is the largest form body accepted, in bytes.
const maxForm = 64 << 10

// Limits of the contact form, in characters.
const (
	maxName    = 200
	maxSubject = 200
	maxMessage = 10000
)

// Options configure a Site.
type Options struct {
	// Secrets derives the key that signs CSRF tokens and hashes visitor
	// cookies; nil uses an in-memory key (tests).
	Secrets *secret.Box
	Log     *slog.Logger
	// Widgets finds the chat widget the pages embed (nil: none).
	Widgets Widgets
}

// Widgets finds the live-chat widget of the help center: the token of the
// chat inbox whose widget is shown there (inbox.Service), "" for none.
type Widgets interface {
	HelpCenterWidget(ctx context.Context) (string, error)
}

// HandlerOptions configure the HTTP handler.
type HandlerOptions struct {
	// SecureCookies marks the cookies Secure (behind HTTPS).
	SecureCookies bool
	// Allow rate-limits requests per client: bucket is "page" (every
	// request) or "post" (votes and the contact form); false answers 429.
	// Nil allows everything.
	Allow func(r *http.Request, bucket string) bool
}

// Site is the public help center.
type Site struct {
	kb     *kb.Service
	search *search.Service
	convs  *conversation.Service
	o      Options
	key    []byte
	marks  *bluemonday.Policy
	secure bool // Secure cookies
}

// New returns the help center over the knowledge base, the search service
// (its article search) and the conversations (the contact form).
func New(k *kb.Service, idx *search.Service, convs *conversation.Service, o Options) *Site {
	if o.Secrets == nil {
		o.Secrets = secret.Ephemeral()
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	key, err := o.Secrets.Derive(keyInfo, 32)
	if err != nil {
		panic("helpcenter: derive key: " + err.Error())
	}
	marks := bluemonday.NewPolicy()
	marks.AllowElements("mark")
	return &Site{kb: k, search: idx, convs: convs, o: o, key: key, marks: marks}
}

// Handler serves /help and everything under it:
//
//	GET  /help                       → 302 to /help/he or /help/en (Accept-Language)
//	GET  /help/{lang}                home: categories with their articles, search box
//	GET  /help/{lang}/c/{slug}       a category's sections and articles
//	GET  /help/{lang}/a/{id}-{slug}  an article (a stale slug or language → 301)
//	GET  /help/{lang}/search?q=      search results
//	POST /help/{lang}/a/{id}/vote    helpful=yes|no, once per visitor → 303 to the article
//	GET  /help/{lang}/contact        the contact form; POST sends it
//
// Drafts, internal-only articles, unknown pages and a disabled help center
// answer 404 pages.
func (s *Site) Handler(ho HandlerOptions) http.Handler {
	s = &Site{kb: s.kb, search: s.search, convs: s.convs, o: s.o, key: s.key, marks: s.marks, secure: ho.SecureCookies}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /help", s.redirectLang)
	mux.HandleFunc("GET /help/", s.redirectLang)
	mux.HandleFunc("GET /help/{lang}", s.home)
	mux.HandleFunc("GET /help/{lang}/c/{slug}", s.category)
	mux.HandleFunc("GET /help/{lang}/a/{ref}", s.article)
	mux.HandleFunc("GET /help/{lang}/search", s.searchPage)
	mux.HandleFunc("POST /help/{lang}/a/{id}/vote", s.vote)
	mux.HandleFunc("GET /help/{lang}/contact", s.contactForm)
	mux.HandleFunc("POST /help/{lang}/contact", s.contactSubmit)
	mux.HandleFunc("/help/", func(w http.ResponseWriter, r *http.Request) { s.notFound(w, r, langOf(r)) })
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bucket := "page"
		if r.Method == http.MethodPost {
			bucket = "post"
		}
		if ho.Allow != nil && !ho.Allow(r, bucket) {
			w.Header().Set("Retry-After", "60")
			s.message(w, r, http.StatusTooManyRequests, langOf(r), func(t Texts) (string, string) { return t.TooManyTitle, t.TooMany })
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func langOf(r *http.Request) string {
	if l := r.PathValue("lang"); l == "en" {
		return "en"
	}
	if strings.HasPrefix(r.URL.Path, "/help/en/") || r.URL.Path == "/help/en" {
		return "en"
	}
	return "he"
}

// preferredLang picks he or en from Accept-Language: the first of the two
// named (by order, q-values ignored beyond q=0); Hebrew by default.
func preferredLang(header string) string {
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.Contains(strings.ReplaceAll(params, " ", ""), "q=0") && !strings.Contains(params, "q=0.") {
			continue
		}
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		switch base {
		case "he", "iw":
			return "he"
		case "en":
			return "en"
		}
	}
	return "he"
}

func (s *Site) redirectLang(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/help", "/help/":
	case "/help/he/", "/help/en/":
		http.Redirect(w, r, strings.TrimSuffix(r.URL.Path, "/"), http.StatusMovedPermanently)
		return
	default:
		s.notFound(w, r, langOf(r))
		return
	}
	w.Header().Set("Vary", "Accept-Language")
	http.Redirect(w, r, "/help/"+preferredLang(r.Header.Get("Accept-Language")), http.StatusFound)
}

// view is what the template renders.
type view struct {
	T                       Texts
	Brand, LogoURL          string
	Color                   template.CSS
	Title, Message          string
	Canonical, AltURL       string
	ContactURL, CSRF, Query string
	Crumbs                  []crumb
	Home                    []categoryView
	Category                *categoryView
	Article                 *articleView
	Results                 []result
	NoResults               bool
	Contact                 *contactView
	// WidgetToken, when set, embeds the chat widget of that inbox (and
	// widens the CSP to the desk's own scripts and connections).
	WidgetToken string
}

type crumb struct{ Name, URL string }

type link struct{ Title, URL string }

type categoryView struct {
	Name, Description, URL string
	Articles               []link
	Sections               []sectionView
}

type sectionView struct {
	Name     string
	Articles []link
}

type articleView struct {
	ID                   int64
	Title                string
	Body                 template.HTML
	Updated, UpdatedISO  string
	OtherURL, OtherTitle string
	Voted, JustVoted     bool
}

type result struct {
	Title, URL string
	Snippet    template.HTML
}

type contactView struct {
	Name, Email, Subject, Message string
	Errors                        []string
}

var colorRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// base loads the settings and starts a view; ok is false (and a 404 page
// was written) when the language is unknown or the help center is off.
func (s *Site) base(w http.ResponseWriter, r *http.Request) (view, kb.Settings, bool) {
	lang := r.PathValue("lang")
	st, err := s.kb.Settings(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return view{}, st, false
	}
	if lang != "he" && lang != "en" || !st.Enabled {
		s.notFound(w, r, langOf(r))
		return view{}, st, false
	}
	return s.newView(r.Context(), lang, st), st, true
}

func (s *Site) newView(ctx context.Context, lang string, st kb.Settings) view {
	t := texts[lang]
	v := view{T: t, Brand: st.BrandName, Color: template.CSS(kb.DefaultColor)}
	if v.Brand == "" {
		v.Brand = t.HelpCenter
	}
	if colorRE.MatchString(st.Color) {
		v.Color = template.CSS(st.Color)
	}
	if strings.HasPrefix(st.LogoURL, "https://") {
		v.LogoURL = st.LogoURL
	}
	if st.ContactInboxID != nil {
		v.ContactURL = "/help/" + lang + "/contact"
	}
	if s.o.Widgets != nil {
		tok, err := s.o.Widgets.HelpCenterWidget(ctx)
		if err != nil {
			s.o.Log.Warn("help center chat widget", "err", err)
		}
		v.WidgetToken = tok
	}
	return v
}

// ArticleURL is the clean URL of an article: /help/{lang}/a/{id}-{slug}.
func ArticleURL(a kb.Article) string {
	return "/help/" + a.Language + "/a/" + strconv.FormatInt(a.ID, 10) + "-" + a.Slug
}

func render(w http.ResponseWriter, status int, v view) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "private, no-cache")
	}
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	csp := "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
	if v.WidgetToken != "" {
		// The chat widget: /widget.js, its API and socket, visitor uploads.
		csp = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self' https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
	}
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = page.Execute(w, v)
}

func (s *Site) message(w http.ResponseWriter, r *http.Request, status int, lang string, text func(Texts) (string, string)) {
	st, err := s.kb.Settings(r.Context())
	if err != nil {
		st = kb.Settings{}
	}
	v := s.newView(r.Context(), lang, st)
	v.Title, v.Message = text(v.T)
	render(w, status, v)
}

func (s *Site) notFound(w http.ResponseWriter, r *http.Request, lang string) {
	s.message(w, r, http.StatusNotFound, lang, func(t Texts) (string, string) { return t.NotFoundTitle, t.NotFound })
}

func (s *Site) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errs.ErrNotFound) {
		s.notFound(w, r, langOf(r))
		return
	}
	s.o.Log.Error("help center", "path", r.URL.Path, "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// groups loads categories, sections and the public articles of lang,
// grouped: per category its sections, per section its articles.
func (s *Site) groups(ctx context.Context, lang string) ([]kb.Category, map[int64][]kb.Section, map[int64][]link, error) {
	cats, err := s.kb.Categories(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	secs, err := s.kb.Sections(ctx, 0)
	if err != nil {
		return nil, nil, nil, err
	}
	arts, err := s.kb.PublicArticles(ctx, lang)
	if err != nil {
		return nil, nil, nil, err
	}
	bySection := map[int64][]link{}
	for _, a := range arts {
		if a.SectionID != nil {
			bySection[*a.SectionID] = append(bySection[*a.SectionID], link{Title: a.Title, URL: ArticleURL(a)})
		}
	}
	byCat := map[int64][]kb.Section{}
	for _, sc := range secs {
		byCat[sc.CategoryID] = append(byCat[sc.CategoryID], sc)
	}
	return cats, byCat, bySection, nil
}

// maxHomeArticles is the number of article links under each category on
// the home page.
const maxHomeArticles = 6

func (s *Site) home(w http.ResponseWriter, r *http.Request) {
	v, _, ok := s.base(w, r)
	if !ok {
		return
	}
	lang := v.T.Lang
	cats, byCat, bySection, err := s.groups(r.Context(), lang)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Home = []categoryView{}
	for _, c := range cats {
		cv := categoryView{Name: c.Name(lang), Description: c.Description(lang), URL: "/help/" + lang + "/c/" + c.Slug}
		for _, sc := range byCat[c.ID] {
			cv.Articles = append(cv.Articles, bySection[sc.ID]...)
		}
		if len(cv.Articles) == 0 {
			continue // a topic with nothing to read in this language
		}
		if len(cv.Articles) > maxHomeArticles {
			cv.Articles = cv.Articles[:maxHomeArticles]
		}
		v.Home = append(v.Home, cv)
	}
	v.Canonical, v.AltURL = "/help/"+lang, "/help/"+v.T.OtherLang
	render(w, http.StatusOK, v)
}

func (s *Site) category(w http.ResponseWriter, r *http.Request) {
	v, _, ok := s.base(w, r)
	if !ok {
		return
	}
	lang := v.T.Lang
	c, err := s.kb.CategoryBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	_, byCat, bySection, err := s.groups(r.Context(), lang)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cv := categoryView{Name: c.Name(lang), Description: c.Description(lang)}
	for _, sc := range byCat[c.ID] {
		cv.Sections = append(cv.Sections, sectionView{Name: sc.Name(lang), Articles: bySection[sc.ID]})
	}
	v.Category, v.Title = &cv, cv.Name
	v.Crumbs = []crumb{{Name: v.T.Home, URL: "/help/" + lang}, {Name: cv.Name}}
	v.Canonical, v.AltURL = "/help/"+lang+"/c/"+c.Slug, "/help/"+v.T.OtherLang+"/c/"+c.Slug
	render(w, http.StatusOK, v)
}

// parseRef splits "{id}-{slug}" (or "{id}") into the id and the slug.
func parseRef(ref string) (int64, string, bool) {
	idPart, slug, _ := strings.Cut(ref, "-")
	id, err := strconv.ParseInt(idPart, 10, 64)
	return id, slug, err == nil && id > 0
}

func (s *Site) article(w http.ResponseWriter, r *http.Request) {
	v, _, ok := s.base(w, r)
	if !ok {
		return
	}
	lang := v.T.Lang
	id, slug, ok := parseRef(r.PathValue("ref"))
	if !ok {
		s.notFound(w, r, lang)
		return
	}
	a, err := s.kb.PublicArticle(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if a.Language != lang || a.Slug != slug {
		http.Redirect(w, r, ArticleURL(a), http.StatusMovedPermanently)
		return
	}
	visitor := s.visitor(w, r)
	if _, err := s.kb.RecordView(r.Context(), a.ID, visitor); err != nil {
		s.o.Log.Warn("help center: view not counted", "article", a.ID, "err", err)
	}
	voted, err := s.kb.HasVoted(r.Context(), a.ID, visitor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	av := articleView{ID: a.ID, Title: a.Title, Body: template.HTML(a.BodyHTML), // sanitized when saved (kb.Renderer)
		Updated: a.UpdatedAt.Format("2006-01-02"), UpdatedISO: a.UpdatedAt.Format("2006-01-02T15:04:05Z"),
		Voted: voted, JustVoted: voted && r.URL.Query().Get("voted") == "1"}
	for _, t := range a.Translations {
		if t.Language != lang && t.Status == kb.StatusPublished && t.Visibility == kb.VisibilityPublic {
			av.OtherTitle = t.Title
			av.OtherURL = ArticleURL(kb.Article{ID: t.ID, Language: t.Language, Slug: t.Slug})
			v.AltURL = av.OtherURL
		}
	}
	v.Crumbs = []crumb{{Name: v.T.Home, URL: "/help/" + lang}}
	if a.SectionID != nil {
		if sc, err := s.kb.Section(r.Context(), *a.SectionID); err == nil {
			if c, err := s.kb.Category(r.Context(), sc.CategoryID); err == nil {
				v.Crumbs = append(v.Crumbs, crumb{Name: c.Name(lang), URL: "/help/" + lang + "/c/" + c.Slug})
			}
		}
	}
	v.CSRF = s.csrfToken(w, r)
	v.Article, v.Title, v.Canonical = &av, a.Title, ArticleURL(a)
	render(w, http.StatusOK, v)
}

// maxResults is the number of search results shown.
const maxResults = 20

func (s *Site) searchPage(w http.ResponseWriter, r *http.Request) {
	v, _, ok := s.base(w, r)
	if !ok {
		return
	}
	lang := v.T.Lang
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if !utf8.ValidString(q) || utf8.RuneCountInString(q) > search.MaxQueryRunes {
		q = ""
	}
	v.Query, v.Title = q, v.T.SearchButton
	if q == "" {
		http.Redirect(w, r, "/help/"+lang, http.StatusSeeOther)
		return
	}
	res, err := s.find(r.Context(), lang, q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Results, v.NoResults = res, len(res) == 0
	render(w, http.StatusOK, v)
}

// find searches the published, public articles of lang: the search
// service first (ranked, with highlighted snippets); when it finds
// nothing, a plain substring match of the title and text. Every hit is
// checked against the knowledge base again, so a stale index never shows
// a draft or an internal article.
func (s *Site) find(ctx context.Context, lang, q string) ([]result, error) {
	out := []result{}
	if s.search != nil {
		res, err := s.search.Search(ctx, search.Query{Text: q, Types: []string{search.KindArticle}, Language: lang, PublicOnly: true,
			Limit: maxResults})
		var ve *errs.ValidationError
		if err != nil && !errors.As(err, &ve) {
			return nil, err
		}
		for _, h := range res.Hits {
			a, err := s.kb.PublicArticle(ctx, h.ID)
			if err != nil || a.Language != lang {
				continue
			}
			out = append(out, result{Title: a.Title, URL: ArticleURL(a), Snippet: template.HTML(s.marks.Sanitize(h.Snippet))})
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	page, err := s.kb.Articles(ctx, kb.ListParams{Language: lang, Status: kb.StatusPublished, Visibility: kb.VisibilityPublic, Q: q,
		Limit: maxResults})
	var ve *errs.ValidationError
	if errors.As(err, &ve) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	for _, a := range page.Data {
		out = append(out, result{Title: a.Title, URL: ArticleURL(a), Snippet: template.HTML(template.HTMLEscapeString(excerpt(a.BodyMarkdown, 200)))})
	}
	return out, nil
}

// excerpt is the first n characters of Markdown text with the markup
// characters dropped.
func excerpt(md string, n int) string {
	md = strings.NewReplacer("#", "", "*", "", "_", "", "`", "", ">", "", "[", "", "]", "", "\n", " ").Replace(md)
	md = strings.Join(strings.Fields(md), " ")
	if utf8.RuneCountInString(md) <= n {
		return md
	}
	return string([]rune(md)[:n]) + "…"
}

// --- visitors and CSRF

func (s *Site) mac(parts ...string) string {
	h := hmac.New(sha256.New, s.key)
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func randomToken() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Site) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/help", MaxAge: maxAge, HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode})
}

// visitor returns the keyed hash of the visitor cookie, setting a new
// cookie (a year) when there is none or it is malformed.
func (s *Site) visitor(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(VisitorCookie)
	if err != nil || len(c.Value) != 24 {
		c = &http.Cookie{Value: randomToken()}
		s.setCookie(w, VisitorCookie, c.Value, 365*24*3600)
	}
	return s.mac("visitor", c.Value)
}

// csrfToken returns the form token of the CSRF cookie, issuing a cookie
// when there is no valid one.
func (s *Site) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if tok, ok := s.csrfCookie(r); ok {
		return tok
	}
	tok := randomToken()
	s.setCookie(w, CSRFCookie, tok+"."+s.mac("csrf", tok), 0)
	return tok
}

// csrfCookie returns the token in a validly signed CSRF cookie.
func (s *Site) csrfCookie(r *http.Request) (string, bool) {
	c, err := r.Cookie(CSRFCookie)
	if err != nil {
		return "", false
	}
	tok, sig, ok := strings.Cut(c.Value, ".")
	if !ok || tok == "" || !hmac.Equal([]byte(sig), []byte(s.mac("csrf", tok))) {
		return "", false
	}
	return tok, true
}

// checkCSRF reports whether the form's csrf field equals the token in a
// validly signed cookie (signed double submit).
func (s *Site) checkCSRF(r *http.Request) bool {
	tok, ok := s.csrfCookie(r)
	return ok && hmac.Equal([]byte(tok), []byte(r.PostForm.Get("csrf")))
}

// parsePost reads the form; false (and an error page written) when it is
// unreadable, too large or fails the CSRF check.
func (s *Site) parsePost(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		status := http.StatusBadRequest
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			status = http.StatusRequestEntityTooLarge
		}
		s.message(w, r, status, langOf(r), func(t Texts) (string, string) { return t.ForbiddenTitle, t.Forbidden })
		return false
	}
	if !s.checkCSRF(r) {
		s.message(w, r, http.StatusForbidden, langOf(r), func(t Texts) (string, string) { return t.ForbiddenTitle, t.Forbidden })
		return false
	}
	return true
}

func (s *Site) vote(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := s.base(w, r); !ok {
		return
	}
	if !s.parsePost(w, r) {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r, langOf(r))
		return
	}
	helpful := r.PostForm.Get("helpful")
	if helpful != "yes" && helpful != "no" {
		s.message(w, r, http.StatusBadRequest, langOf(r), func(t Texts) (string, string) { return t.Helpful, t.Yes + " / " + t.No })
		return
	}
	if _, err := s.kb.Vote(r.Context(), id, s.visitor(w, r), helpful == "yes"); err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.kb.PublicArticle(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, ArticleURL(a)+"?voted=1", http.StatusSeeOther)
}

func (s *Site) contactForm(w http.ResponseWriter, r *http.Request) {
	v, st, ok := s.base(w, r)
	if !ok {
		return
	}
	if st.ContactInboxID == nil {
		s.notFound(w, r, v.T.Lang)
		return
	}
	v.CSRF, v.Title, v.Contact = s.csrfToken(w, r), v.T.ContactUs, &contactView{}
	v.Crumbs = []crumb{{Name: v.T.Home, URL: "/help/" + v.T.Lang}, {Name: v.T.ContactUs}}
	render(w, http.StatusOK, v)
}

func (s *Site) contactSubmit(w http.ResponseWriter, r *http.Request) {
	v, st, ok := s.base(w, r)
	if !ok {
		return
	}
	if st.ContactInboxID == nil {
		s.notFound(w, r, v.T.Lang)
		return
	}
	if !s.parsePost(w, r) {
		return
	}
	f := r.PostForm
	cv := contactView{Name: strings.TrimSpace(f.Get("name")), Email: strings.TrimSpace(f.Get("email")),
		Subject: strings.TrimSpace(f.Get("subject")), Message: strings.TrimSpace(f.Get("message"))}
	thanks := func() {
		v.Title, v.Message = v.T.ContactThanksTitle, v.T.ContactThanks
		render(w, http.StatusOK, v)
	}
	if f.Get("website") != "" {
		thanks() // the honeypot: a bot filled the hidden field; nothing is stored
		return
	}
	t := v.T
	if addr, err := mail.ParseAddress(cv.Email); err != nil || addr.Address != cv.Email || len(cv.Email) > 320 {
		cv.Errors = append(cv.Errors, t.ErrEmail)
	}
	if cv.Message == "" {
		cv.Errors = append(cv.Errors, t.ErrMessage)
	}
	if utf8.RuneCountInString(cv.Name) > maxName {
		cv.Errors = append(cv.Errors, t.ErrName)
	}
	if utf8.RuneCountInString(cv.Subject) > maxSubject || utf8.RuneCountInString(cv.Message) > maxMessage ||
		!utf8.ValidString(cv.Name+cv.Subject+cv.Message) {
		cv.Errors = append(cv.Errors, t.ErrTooLong)
	}
	if len(cv.Errors) == 0 {
		subject := cv.Subject
		if subject == "" {
			subject = excerpt(cv.Message, 80)
		}
		_, _, err := s.convs.Create(r.Context(), Actor, conversation.CreateInput{InboxID: *st.ContactInboxID, Subject: subject,
			Language: t.Lang, Requester: conversation.RequesterInput{Name: cv.Name, Email: cv.Email, Language: t.Lang},
			Message: &conversation.MessageInput{Kind: "reply", Direction: "inbound", Body: cv.Message,
				ChannelMeta: map[string]any{"source": "help_center"}}})
		var ve *errs.ValidationError
		switch {
		case errors.As(err, &ve):
			cv.Errors = append(cv.Errors, t.ErrTooLong)
		case err != nil:
			s.fail(w, r, err)
			return
		default:
			thanks()
			return
		}
	}
	v.CSRF, v.Title, v.Contact = s.csrfToken(w, r), t.ContactUs, &cv
	render(w, http.StatusBadRequest, v)
}
