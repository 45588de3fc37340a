package helpcenter_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/kb"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// site is a running desk with a small knowledge base.
type site struct {
	t                       testing.TB
	core                    *app.Core
	srv                     *httptest.Server
	client                  *http.Client
	he, en, draft, internal kb.Article
	hostile                 kb.Article
	inboxID                 int64
}

func ptr[T any](v T) *T { return &v }

func newSite(t testing.TB, d *db.DB) *site {
	t.Helper()
	ctx := context.Background()
	core := app.NewCoreFromDB(d, app.CoreOptions{Password: auth.FastPasswordParams, Store: db.Options{DataDir: t.TempDir()}}, testkit.Logger())
	h, err := core.Handler(app.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	s := &site{t: t, core: core, srv: srv,
		client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	box, err := core.Inboxes.Create(ctx, audit.System, inbox.Input{Name: "Support", Channel: "email", Address: "support@shop.test"})
	if err != nil {
		t.Fatal(err)
	}
	s.inboxID = box.ID
	cat, err := core.KB.CreateCategory(ctx, kb.GroupInput{NameHe: ptr("משלוחים"), NameEn: ptr("Shipping")})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := core.KB.CreateSection(ctx, kb.GroupInput{NameHe: ptr("זמנים"), NameEn: ptr("Times"), CategoryID: &cat.ID})
	if err != nil {
		t.Fatal(err)
	}
	create := func(in kb.ArticleInput) kb.Article {
		in.SectionID = &sec.ID
		a, err := core.KB.CreateArticle(ctx, audit.System, in)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	s.he = create(kb.ArticleInput{Title: "זמני משלוח", BodyMarkdown: "ההזמנה מגיעה תוך **3 ימי עסקים**.", Status: "published"})
	s.en = create(kb.ArticleInput{Language: "en", Title: "Shipping times", BodyMarkdown: "Orders arrive within **3 business days**.",
		Status: "published", TranslationOf: &s.he.ID})
	s.draft = create(kb.ArticleInput{Title: "טיוטה סודית", BodyMarkdown: "draft"})
	s.internal = create(kb.ArticleInput{Title: "נוהל פנימי", BodyMarkdown: "internal", Status: "published", Visibility: "internal"})
	s.hostile = create(kb.ArticleInput{Language: "en", Title: `Evil <script>alert("t")</script>`, Status: "published",
		BodyMarkdown: "<script>alert(1)</script>\n\n[x](javascript:alert(2))\n\n<img src=x onerror=alert(3)>\n\n<a href=\"#\" onclick=\"alert(4)\">y</a>"})
	if _, err := core.KB.UpdateSettings(ctx, kb.SettingsInput{Enabled: true, BrandName: "חנות הדוגמה", Color: "#aa3300",
		LogoURL: "https://cdn.shop.test/logo.png", ContactInboxID: &box.ID}); err != nil {
		t.Fatal(err)
	}
	return s
}

type page struct {
	status int
	header http.Header
	body   string
}

func (s *site) get(path string, headers ...string) page {
	s.t.Helper()
	req, _ := http.NewRequest("GET", s.srv.URL+path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return s.send(req)
}

func (s *site) post(path string, form url.Values) page {
	s.t.Helper()
	req, _ := http.NewRequest("POST", s.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return s.send(req)
}

func (s *site) send(req *http.Request) page {
	s.t.Helper()
	res, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, header: res.Header, body: string(b)}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, p page) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no csrf field in\n%s", p.body)
	}
	return m[1]
}

func unescape(p string) string {
	u, _ := url.PathUnescape(p)
	return u
}

func url4(a kb.Article) string {
	return fmt.Sprintf("/help/%s/a/%d-%s", a.Language, a.ID, url.PathEscape(a.Slug))
}

func TestHelpCenterPages(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		for _, tc := range []struct{ accept, want string }{{"", "/help/he"}, {"en-US,en;q=0.9", "/help/en"}, {"he-IL,en;q=0.5", "/help/he"},
			{"fr, en;q=0.8", "/help/en"}} {
			if p := s.get("/help", "Accept-Language", tc.accept); p.status != 302 || p.header.Get("Location") != tc.want {
				t.Errorf("/help with %q: %d → %q, want %s", tc.accept, p.status, p.header.Get("Location"), tc.want)
			}
		}

		if p := s.get("/help/en/"); p.status != 301 || p.header.Get("Location") != "/help/en" {
			t.Errorf("/help/en/: %d → %q", p.status, p.header.Get("Location"))
		}
		he := s.get("/help/he")
		for _, want := range []string{`<html lang="he" dir="rtl">`, `name="viewport"`, "חנות הדוגמה", "--accent:#aa3300",
			`src="https://cdn.shop.test/logo.png"`, "משלוחים", "זמני משלוח", `href="/help/he/contact"`} {
			if he.status != 200 || !strings.Contains(he.body, want) {
				t.Fatalf("/help/he: %d, lacks %q\n%s", he.status, want, he.body)
			}
		}
		for _, never := range []string{"טיוטה סודית", "נוהל פנימי", "<script"} {
			if strings.Contains(he.body, never) {
				t.Errorf("/help/he shows %q", never)
			}
		}
		en := s.get("/help/en")
		if en.status != 200 || !strings.Contains(en.body, `<html lang="en" dir="ltr">`) || !strings.Contains(en.body, "Shipping times") ||
			strings.Contains(en.body, "זמני משלוח</a>") {
			t.Fatalf("/help/en: %d\n%s", en.status, en.body)
		}
		cat := s.get("/help/en/c/shipping")
		if cat.status != 200 || !strings.Contains(cat.body, "<h2>Times</h2>") || !strings.Contains(cat.body, url4(s.en)) {
			t.Fatalf("category page: %d\n%s", cat.status, cat.body)
		}

		art := s.get(url4(s.he))
		for _, want := range []string{`dir="rtl"`, "<strong>3 ימי עסקים</strong>", `href="` + url4(s.en) + `"`, "Shipping times",
			`hreflang="en"`, "האם המאמר עזר לך?"} {
			if art.status != 200 || !strings.Contains(art.body, want) {
				t.Fatalf("article: %d lacks %q\n%s", art.status, want, art.body)
			}
		}
		// Stale slug, missing slug and wrong language redirect permanently.
		for _, path := range []string{fmt.Sprintf("/help/he/a/%d-old-slug", s.he.ID), fmt.Sprintf("/help/he/a/%d", s.he.ID),
			fmt.Sprintf("/help/en/a/%d-x", s.he.ID)} {
			if p := s.get(path); p.status != 301 || unescape(p.header.Get("Location")) != unescape(url4(s.he)) {
				t.Errorf("%s: %d → %q, want 301 → %s", path, p.status, p.header.Get("Location"), url4(s.he))
			}
		}
		for _, path := range []string{url4(s.draft), url4(s.internal), "/help/fr", "/help/he/c/nope", "/help/he/a/999999-x",
			"/help/he/a/abc", "/help/he/nothing"} {
			if p := s.get(path); p.status != 404 {
				t.Errorf("%s: %d, want 404", path, p.status)
			}
		}
		got, _ := s.core.KB.Article(context.Background(), s.he.ID)
		if got.Views != 1 {
			t.Errorf("views = %d after one visitor's visit, want 1", got.Views)
		}
	})
}

func TestHelpCenterXSSEscaped(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		p := s.get(url4(s.hostile))
		if p.status != 200 {
			t.Fatalf("hostile article: %d", p.status)
		}
		for _, bad := range []string{"<script", "javascript:", "onerror", "onclick"} {
			if strings.Contains(p.body, bad) {
				t.Errorf("hostile article page contains %q\n%s", bad, p.body)
			}
		}
		if !strings.Contains(p.body, "Evil &lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;") {
			t.Errorf("title not escaped:\n%s", p.body)
		}
		q := `"><script>alert(1)</script>`
		sp := s.get("/help/en/search?q=" + url.QueryEscape(q))
		if sp.status != 200 || strings.Contains(sp.body, "<script>alert(1)") || !strings.Contains(sp.body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Fatalf("search page: %d\n%s", sp.status, sp.body)
		}
		found := s.get("/help/en/search?q=" + url.QueryEscape("business days"))
		if found.status != 200 || !strings.Contains(found.body, url4(s.en)) {
			t.Fatalf("search for a public article: %d\n%s", found.status, found.body)
		}
		hidden := s.get("/help/he/search?q=" + url.QueryEscape("נוהל"))
		if strings.Contains(hidden.body, "נוהל פנימי") || strings.Contains(s.get("/help/he/search?q=draft").body, "טיוטה") {
			t.Fatal("search shows an internal or draft article")
		}
	})
}

func TestHelpCenterVoteOnce(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		art := s.get(url4(s.en))
		tok := csrfOf(t, art)
		votePath := fmt.Sprintf("/help/en/a/%d/vote", s.en.ID)
		if p := s.post(votePath, url.Values{"helpful": {"yes"}}); p.status != 403 {
			t.Fatalf("vote without csrf: %d", p.status)
		}
		if p := s.post(votePath, url.Values{"helpful": {"yes"}, "csrf": {"forged"}}); p.status != 403 {
			t.Fatalf("vote with a wrong csrf: %d", p.status)
		}
		for i := 0; i < 2; i++ {
			p := s.post(votePath, url.Values{"helpful": {"yes"}, "csrf": {tok}})
			if p.status != 303 || p.header.Get("Location") != url4(s.en)+"?voted=1" {
				t.Fatalf("vote %d: %d → %q", i, p.status, p.header.Get("Location"))
			}
		}
		if p := s.post(votePath, url.Values{"helpful": {"no"}, "csrf": {tok}}); p.status != 303 {
			t.Fatalf("changed vote: %d", p.status)
		}
		got, _ := s.core.KB.Article(context.Background(), s.en.ID)
		if got.HelpfulYes != 1 || got.HelpfulNo != 0 {
			t.Fatalf("votes = yes %d no %d, want 1 0", got.HelpfulYes, got.HelpfulNo)
		}
		after := s.get(url4(s.en) + "?voted=1")
		if !strings.Contains(after.body, "Thanks for your feedback!") || strings.Contains(after.body, `name="helpful"`) {
			t.Fatalf("page after voting:\n%s", after.body)
		}
		if p := s.post(fmt.Sprintf("/help/en/a/%d/vote", s.draft.ID), url.Values{"helpful": {"yes"}, "csrf": {tok}}); p.status != 404 {
			t.Fatalf("vote on a draft: %d", p.status)
		}
	})
}

func TestHelpCenterContactForm(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		ctx := context.Background()
		count := func() int {
			var n int
			if err := d.R().QueryRow(ctx, `SELECT COUNT(*) FROM conversations WHERE inbox_id = ?`, s.inboxID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		form := s.get("/help/he/contact")
		if form.status != 200 || !strings.Contains(form.body, `name="website"`) {
			t.Fatalf("contact form: %d\n%s", form.status, form.body)
		}
		tok := csrfOf(t, form)
		msg := url.Values{"name": {"רות כהן"}, "email": {"ruth@example.com"}, "subject": {"איפה ההזמנה?"},
			"message": {"ההזמנה שלי 1234 לא הגיעה <b>עדיין</b>"}}
		if p := s.post("/help/he/contact", msg); p.status != 403 {
			t.Fatalf("contact without csrf: %d", p.status)
		}
		bad := url.Values{"email": {"not-an-email"}, "message": {""}, "csrf": {tok}}
		if p := s.post("/help/he/contact", bad); p.status != 400 || !strings.Contains(p.body, "כתבו כתובת אימייל תקינה.") ||
			!strings.Contains(p.body, "כתבו הודעה.") {
			t.Fatalf("bad form: %d\n%s", p.status, p.body)
		}
		bot := url.Values{"email": {"bot@example.com"}, "message": {"spam"}, "website": {"http://spam.test"}, "csrf": {tok}}
		if p := s.post("/help/he/contact", bot); p.status != 200 || count() != 0 {
			t.Fatalf("honeypot: %d, %d conversations", p.status, count())
		}
		msg.Set("csrf", tok)
		if p := s.post("/help/he/contact", msg); p.status != 200 || !strings.Contains(p.body, "ההודעה נשלחה") {
			t.Fatalf("contact: %d\n%s", p.status, p.body)
		}
		if count() != 1 {
			t.Fatalf("conversations = %d, want 1", count())
		}
		var subject, body, email, lang string
		if err := d.R().QueryRow(ctx, `SELECT c.subject, m.body_text, ct.email, c.language FROM conversations c
			JOIN messages m ON m.conversation_id = c.id JOIN contacts ct ON ct.id = c.requester_id WHERE c.inbox_id = ?`, s.inboxID).
			Scan(&subject, &body, &email, &lang); err != nil {
			t.Fatal(err)
		}
		if subject != "איפה ההזמנה?" || body != "ההזמנה שלי 1234 לא הגיעה <b>עדיין</b>" || email != "ruth@example.com" || lang != "he" {
			t.Fatalf("conversation = %q %q %q %q", subject, body, email, lang)
		}
	})
}

func TestHelpCenterDisabled(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		if _, err := s.core.KB.UpdateSettings(context.Background(), kb.SettingsInput{Enabled: false}); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/help/he", url4(s.he), "/help/he/contact"} {
			if p := s.get(path); p.status != 404 {
				t.Errorf("%s with the help center off: %d", path, p.status)
			}
		}
	})
}

// TestHelpCenterChatWidget: without a chat inbox shown on the help center
// the pages carry no script and the strict CSP; with one, every page
// embeds that inbox's widget in the page's language and the CSP lets the
// desk's own script and socket through (and nothing else).
func TestHelpCenterChatWidget(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		ctx := context.Background()
		if p := s.get("/help/he"); strings.Contains(p.body, "<script") || strings.Contains(p.header.Get("Content-Security-Policy"), "script-src") {
			t.Fatalf("no widget configured, yet the page has a script or allows scripts: CSP %q", p.header.Get("Content-Security-Policy"))
		}
		if _, err := s.core.Inboxes.Create(ctx, audit.System, inbox.Input{Name: "Hidden chat", Channel: inbox.ChannelChat}); err != nil {
			t.Fatal(err)
		}
		shown, err := s.core.Inboxes.Create(ctx, audit.System, inbox.Input{Name: "Chat", Channel: inbox.ChannelChat, Settings: map[string]any{
			"widget": map[string]any{"token": "help_center_widget_token", "help_center": true}}})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ path, tag string }{
			{"/help/he", `<script src="/widget.js" data-inbox="help_center_widget_token" data-lang="he" async></script>`},
			{"/help/en", `<script src="/widget.js" data-inbox="help_center_widget_token" data-lang="en" async></script>`},
			{url4(s.en), `data-inbox="help_center_widget_token" data-lang="en"`},
			{"/help/en/no-such-page", `data-inbox="help_center_widget_token"`},
		} {
			p := s.get(c.path)
			if !strings.Contains(p.body, c.tag) || strings.Count(p.body, "<script") != 1 {
				t.Errorf("%s: want exactly one script %s in\n%s", c.path, c.tag, p.body)
			}
			if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self';") ||
				!strings.Contains(csp, "connect-src 'self';") || !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("%s: CSP %q", c.path, csp)
			}
		}
		// Disabling the inbox removes the widget.
		if _, err := s.core.Inboxes.Update(ctx, audit.System, shown.ID, inbox.Patch{Enabled: patch.Of(false)}); err != nil {
			t.Fatal(err)
		}
		if p := s.get("/help/he"); strings.Contains(p.body, "<script") {
			t.Errorf("a disabled chat inbox's widget is still shown")
		}
	})
}
