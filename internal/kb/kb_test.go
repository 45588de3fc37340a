package kb_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/kb"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/search"
	"github.com/kesherdesk/kesher/internal/testkit"
)

func ptr[T any](v T) *T { return &v }

func field(t *testing.T, err error) string {
	t.Helper()
	var ve *errs.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a validation error, got %v", err)
	}
	return ve.Fields[0].Field + "/" + ve.Fields[0].Code
}

func newService(d *db.DB) *kb.Service { return kb.New(d, events.NewOutbox(), search.New(d)) }

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"Shipping times":             "shipping-times",
		"  Returns & refunds!! ":     "returns-refunds",
		"זמני משלוח":                 "זמני-משלוח",
		"שָׁלוֹם עוֹלָם":             "שלום-עולם",
		"Change your password (2FA)": "change-your-password-2fa",
		"!!!":                        "",
	} {
		if got := kb.Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRenderSanitizesHostileMarkdown(t *testing.T) {
	r := kb.NewRenderer()
	for _, tc := range []struct{ in, mustNot, must string }{
		{"<script>alert(1)</script>\n\nhello", "<script", "hello"},
		{"[click](javascript:alert(1))", "javascript:", "click"},
		{`<img src=x onerror="alert(1)">`, "onerror", ""},
		{`<a href="https://x.test" onclick="evil()">x</a>`, "onclick", ""},
		{"[data](data:text/html;base64,PHNjcmlwdD4=)", "data:text", "data"},
		{"# Title\n\n**bold** and [link](https://example.com)", "<script", `<a href="https://example.com" rel="nofollow noopener" target="_blank">link</a>`},
		{"| a | b |\n|---|---|\n| 1 | 2 |", "<script", "<td>1</td>"},
	} {
		got := r.HTML(tc.in)
		if strings.Contains(strings.ToLower(got), tc.mustNot) {
			t.Errorf("HTML(%q) = %q contains %q", tc.in, got, tc.mustNot)
		}
		if !strings.Contains(got, tc.must) {
			t.Errorf("HTML(%q) = %q lacks %q", tc.in, got, tc.must)
		}
	}
}

// TestRenderRefusesQuadraticMarkdown: the preview refuses what would take
// goldmark tens of seconds, and accepts the limits themselves.
func TestRenderRefusesQuadraticMarkdown(t *testing.T) {
	s := kb.New(nil, nil, nil)
	for _, tc := range []struct {
		md, want string
	}{
		{strings.Repeat(">", 190_000) + "a", "body_markdown/too_deep"},
		{strings.Repeat("[a](", 47_500), "body_markdown/too_many_links"},
		{strings.Repeat("> - ", 47_500), "body_markdown/too_deep"},
		{strings.Repeat("1. * ", 20) + "a", "body_markdown/too_deep"},
		{strings.Repeat("[", 95_000) + "a" + strings.Repeat("]", 95_000), "body_markdown/too_deep"},
		{strings.Repeat("> - ", 16) + "a\n" + strings.Repeat("[", 32) + "a" + strings.Repeat("]", 32), ""},
		{"a [\n\n" + strings.Repeat("b [ \\[\n\n", 100) + strings.Repeat("-", 80) + "\n" + strings.Repeat("* ", 30), ""},
		{strings.Repeat(">", kb.MaxNesting) + " a\n" + strings.Repeat("> a\n", 1000), ""},
		{strings.Repeat("[a](https://a.example) ", kb.MaxLinkOpeners), ""},
	} {
		_, err := s.Render(tc.md)
		if tc.want == "" && err != nil || tc.want != "" && field(t, err) != tc.want {
			t.Errorf("%.20q…: %v, want %q", tc.md, err, tc.want)
		}
	}
}

func TestLineDiff(t *testing.T) {
	got := kb.LineDiff("a\nb\nc", "a\nB\nc\nd\n")
	want := []kb.DiffLine{{"equal", "a"}, {"delete", "b"}, {"insert", "B"}, {"equal", "c"}, {"insert", "d"}}
	if len(got) != len(want) {
		t.Fatalf("LineDiff = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("LineDiff[%d] = %v, want %v (all: %v)", i, got[i], want[i], got)
		}
	}
}

func TestCategoriesAndSections(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newService(d)
		cat, err := s.CreateCategory(ctx, kb.GroupInput{NameHe: ptr("משלוחים"), NameEn: ptr("Shipping"), Position: ptr(2)})
		if err != nil {
			t.Fatal(err)
		}
		if cat.Slug != "shipping" || cat.Name("he") != "משלוחים" || cat.Name("en") != "Shipping" {
			t.Fatalf("category = %+v", cat)
		}
		if _, err := s.CreateCategory(ctx, kb.GroupInput{NameEn: ptr("Shipping")}); field(t, err) != "slug/taken" {
			t.Fatal(err)
		}
		if _, err := s.CreateCategory(ctx, kb.GroupInput{}); field(t, err) != "name_he/required" {
			t.Fatal(err)
		}
		if _, err := s.CreateSection(ctx, kb.GroupInput{NameEn: ptr("Times")}); field(t, err) != "category_id/required" {
			t.Fatal(err)
		}
		if _, err := s.CreateSection(ctx, kb.GroupInput{NameEn: ptr("Times"), CategoryID: ptr(int64(999))}); field(t, err) != "category_id/not_found" {
			t.Fatal(err)
		}
		sec, err := s.CreateSection(ctx, kb.GroupInput{NameHe: ptr("זמני משלוח"), CategoryID: &cat.ID})
		if err != nil {
			t.Fatal(err)
		}
		if sec.Slug != "זמני-משלוח" || sec.CategoryID != cat.ID {
			t.Fatalf("section = %+v", sec)
		}
		if err := s.DeleteCategory(ctx, cat.ID); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("delete non-empty category: %v", err)
		}
		upd, err := s.UpdateCategory(ctx, cat.ID, kb.GroupInput{NameEn: ptr("Delivery"), Slug: ptr("delivery")})
		if err != nil || upd.Slug != "delivery" || upd.NameEn != "Delivery" || upd.NameHe != "משלוחים" {
			t.Fatalf("update = %+v, %v", upd, err)
		}
		if _, err := s.UpdateCategory(ctx, cat.ID, kb.GroupInput{Slug: ptr("Bad Slug")}); field(t, err) != "slug/invalid" {
			t.Fatal(err)
		}
		if err := s.DeleteSection(ctx, sec.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteCategory(ctx, cat.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Category(ctx, cat.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("deleted category: %v", err)
		}
	})
}

func TestArticlesTranslationsVersions(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newService(d)
		he, err := s.CreateArticle(ctx, audit.System, kb.ArticleInput{Title: "זמני משלוח", BodyMarkdown: "משלוח תוך **3** ימים.\n"})
		if err != nil {
			t.Fatal(err)
		}
		if he.Language != "he" || he.Slug != "זמני-משלוח" || he.Status != "draft" || he.Visibility != "public" || he.Version != 1 ||
			he.TranslationID != he.ID || he.BodyHTML != "<p>משלוח תוך <strong>3</strong> ימים.</p>\n" {
			t.Fatalf("created = %+v", he)
		}
		// The same title again gets a suffixed slug.
		dup, err := s.CreateArticle(ctx, audit.System, kb.ArticleInput{Title: "זמני משלוח!"})
		if err != nil || dup.Slug != "זמני-משלוח-2" {
			t.Fatalf("second slug = %q, %v", dup.Slug, err)
		}
		if _, err := s.CreateArticle(ctx, audit.System, kb.ArticleInput{Title: "x", Slug: "זמני-משלוח"}); field(t, err) != "slug/taken" {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			in   kb.ArticleInput
			want string
		}{
			{kb.ArticleInput{Title: " "}, "title/required"},
			{kb.ArticleInput{Title: "x", Language: "fr"}, "language/invalid"},
			{kb.ArticleInput{Title: "x", Status: "live"}, "status/invalid"},
			{kb.ArticleInput{Title: "x", Visibility: "secret"}, "visibility/invalid"},
			{kb.ArticleInput{Title: strings.Repeat("א", 201)}, "title/too_long"},
			{kb.ArticleInput{Title: "x", SectionID: ptr(int64(77))}, "section_id/not_found"},
			{kb.ArticleInput{Title: "x", TranslationOf: ptr(int64(9999))}, "translation_of/not_found"},
			{kb.ArticleInput{Title: "x", TranslationOf: &he.ID}, "translation_of/taken"},
			// Bodies whose rendering time grows with the square of their size.
			{kb.ArticleInput{Title: "x", BodyMarkdown: "ok\n" + strings.Repeat("> ", kb.MaxNesting+1) + "deep"}, "body_markdown/too_deep"},
			{kb.ArticleInput{Title: "x", BodyMarkdown: strings.Repeat("[a](", kb.MaxLinkOpeners+1)}, "body_markdown/too_many_links"},
		} {
			if _, err := s.CreateArticle(ctx, audit.System, tc.in); field(t, err) != tc.want {
				t.Errorf("%+v: %v, want %s", tc.in, err, tc.want)
			}
		}
		en, err := s.CreateArticle(ctx, audit.System, kb.ArticleInput{Language: "en", Title: "Shipping times", TranslationOf: &he.ID,
			BodyMarkdown: "Orders ship in 3 days."})
		if err != nil {
			t.Fatal(err)
		}
		if en.TranslationID != he.ID || len(en.Translations) != 1 || en.Translations[0].ID != he.ID || en.Translations[0].Language != "he" {
			t.Fatalf("translation = %+v", en)
		}
		got, _ := s.Article(ctx, he.ID)
		if len(got.Translations) != 1 || got.Translations[0].ID != en.ID || got.Translations[0].Slug != "shipping-times" {
			t.Fatalf("he translations = %+v", got.Translations)
		}

		// Edits: each stores a version; a stale version is a conflict.
		v2, err := s.UpdateArticle(ctx, audit.System, he.ID, kb.ArticlePatch{Version: 1, BodyMarkdown: ptr("משלוח תוך 3 ימים.\nאיסוף עצמי חינם.\n")})
		if err != nil || v2.Version != 2 || !strings.Contains(v2.BodyHTML, "איסוף עצמי") {
			t.Fatalf("v2 = %+v, %v", v2, err)
		}
		if _, err := s.UpdateArticle(ctx, audit.System, he.ID, kb.ArticlePatch{Version: 1, Title: ptr("stale")}); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("stale update: %v", err)
		}
		if _, err := s.UpdateArticle(ctx, audit.System, he.ID, kb.ArticlePatch{Title: ptr("x")}); field(t, err) != "version/required" {
			t.Fatal(err)
		}
		if _, err := s.UpdateArticle(ctx, audit.System, he.ID, kb.ArticlePatch{Version: 2, Slug: ptr("זמני-משלוח-2")}); field(t, err) != "slug/taken" {
			t.Fatal(err)
		}
		v3, err := s.UpdateArticle(ctx, audit.System, he.ID, kb.ArticlePatch{Version: 2, Title: ptr("זמני משלוח ואיסוף"),
			Visibility: ptr("internal"), SectionID: patch.Clear[int64]()})
		if err != nil || v3.Version != 3 || v3.Title != "זמני משלוח ואיסוף" || v3.Visibility != "internal" || v3.Slug != "זמני-משלוח" {
			t.Fatalf("v3 = %+v, %v", v3, err)
		}
		vs, err := s.Versions(ctx, he.ID)
		if err != nil || len(vs) != 3 || vs[0].Version != 3 || vs[2].Title != "זמני משלוח" {
			t.Fatalf("versions = %+v, %v", vs, err)
		}
		diff, err := s.Diff(ctx, he.ID, 1, 3)
		if err != nil {
			t.Fatal(err)
		}
		if diff.Inserted != 2 || diff.Deleted != 1 || diff.Lines[0] != (kb.DiffLine{Op: "delete", Text: "משלוח תוך **3** ימים."}) || diff.TitleFrom != "זמני משלוח" || diff.TitleTo != "זמני משלוח ואיסוף" {
			t.Fatalf("diff = %+v", diff)
		}
		if _, err := s.Diff(ctx, he.ID, 1, 9); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("diff to a missing version: %v", err)
		}

		// Publish, list filters, public visibility.
		if _, err := s.SetStatus(ctx, audit.System, en.ID, kb.StatusPublished); err != nil {
			t.Fatal(err)
		}
		pub, _ := s.Article(ctx, en.ID)
		if pub.Status != "published" || pub.PublishedAt == nil || !pub.Public() {
			t.Fatalf("published = %+v", pub)
		}
		for _, tc := range []struct {
			p    kb.ListParams
			want int
		}{
			{kb.ListParams{}, 3},
			{kb.ListParams{Language: "en"}, 1},
			{kb.ListParams{Status: "draft"}, 2},
			{kb.ListParams{Visibility: "internal"}, 1},
			{kb.ListParams{Q: "איסוף"}, 1},
			{kb.ListParams{Q: "SHIP"}, 1},
		} {
			res, err := s.Articles(ctx, tc.p)
			if err != nil || len(res.Data) != tc.want {
				t.Errorf("Articles(%+v) = %d rows, %v; want %d", tc.p, len(res.Data), err, tc.want)
			}
		}
		page1, _ := s.Articles(ctx, kb.ListParams{Limit: 2})
		if len(page1.Data) != 2 || page1.NextCursor == nil {
			t.Fatalf("page 1 = %+v", page1)
		}
		page2, _ := s.Articles(ctx, kb.ListParams{Limit: 2, Cursor: *page1.NextCursor})
		if len(page2.Data) != 1 || page2.NextCursor != nil || page2.Data[0].ID == page1.Data[0].ID || page2.Data[0].ID == page1.Data[1].ID {
			t.Fatalf("page 2 = %+v", page2)
		}
		if _, err := s.Articles(ctx, kb.ListParams{Language: "xx"}); field(t, err) != "lang/invalid" {
			t.Fatal(err)
		}
		if _, err := s.PublicArticle(ctx, he.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("internal draft is public: %v", err)
		}
		if _, err := s.PublicArticle(ctx, en.ID); err != nil {
			t.Fatal(err)
		}

		// Votes and views: once per visitor.
		for i, tc := range []struct {
			visitor string
			helpful bool
			counted bool
		}{{"v1", true, true}, {"v1", false, false}, {"v2", false, true}} {
			counted, err := s.Vote(ctx, en.ID, tc.visitor, tc.helpful)
			if err != nil || counted != tc.counted {
				t.Fatalf("vote %d: %v, %v", i, counted, err)
			}
		}
		if _, err := s.Vote(ctx, he.ID, "v1", true); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("vote on a draft: %v", err)
		}
		for _, v := range []string{"v1", "v1", "v2"} {
			if _, err := s.RecordView(ctx, en.ID, v); err != nil {
				t.Fatal(err)
			}
		}
		got, _ = s.Article(ctx, en.ID)
		if got.HelpfulYes != 1 || got.HelpfulNo != 1 || got.Views != 2 {
			t.Fatalf("counts = yes %d no %d views %d", got.HelpfulYes, got.HelpfulNo, got.Views)
		}

		if err := s.DeleteArticle(ctx, audit.System, en.ID); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Article(ctx, he.ID)
		if len(got.Translations) != 0 {
			t.Fatalf("translations after delete = %+v", got.Translations)
		}
	})
}

func TestSettings(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newService(d)
		st, err := s.Settings(ctx)
		if err != nil || !st.Enabled || st.Color != kb.DefaultColor || st.ContactInboxID != nil {
			t.Fatalf("defaults = %+v, %v", st, err)
		}
		for _, tc := range []struct {
			in   kb.SettingsInput
			want string
		}{
			{kb.SettingsInput{Color: "red"}, "color/invalid"},
			{kb.SettingsInput{Color: "#12345g"}, "color/invalid"},
			{kb.SettingsInput{LogoURL: "http://x.test/l.png"}, "logo_url/invalid"},
			{kb.SettingsInput{LogoURL: "javascript:alert(1)"}, "logo_url/invalid"},
			{kb.SettingsInput{BrandName: strings.Repeat("b", 101)}, "brand_name/too_long"},
			{kb.SettingsInput{ContactInboxID: ptr(int64(424242))}, "contact_inbox_id/not_found"},
		} {
			if _, err := s.UpdateSettings(ctx, tc.in); field(t, err) != tc.want {
				t.Errorf("%+v: %v, want %s", tc.in, err, tc.want)
			}
		}
		st, err = s.UpdateSettings(ctx, kb.SettingsInput{Enabled: true, BrandName: " חנות ", LogoURL: "https://cdn.test/logo.png", Color: "#AA3300"})
		if err != nil || st.BrandName != "חנות" || st.Color != "#aa3300" || st.LogoURL != "https://cdn.test/logo.png" {
			t.Fatalf("settings = %+v, %v", st, err)
		}
	})
}
