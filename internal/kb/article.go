package kb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/page"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/search"
)

// Article is one language version of an article. TranslationID groups the
// versions of the same article (the group's first article's id);
// Translations lists the group's other versions. Version counts saves
// (1, 2, …); Views counts a visitor once a day; HelpfulYes/No count votes.
type Article struct {
	ID            int64         `json:"id"`
	TranslationID int64         `json:"translation_id"`
	Language      string        `json:"language"`
	SectionID     *int64        `json:"section_id"`
	Slug          string        `json:"slug"`
	Title         string        `json:"title"`
	BodyMarkdown  string        `json:"body_markdown"`
	BodyHTML      string        `json:"body_html"`
	Status        string        `json:"status"`
	Visibility    string        `json:"visibility"`
	Version       int           `json:"version"`
	Views         int64         `json:"views"`
	HelpfulYes    int64         `json:"helpful_yes"`
	HelpfulNo     int64         `json:"helpful_no"`
	AuthorID      *int64        `json:"author_id"`
	PublishedAt   *time.Time    `json:"published_at"`
	CreatedAt     time.Time     `json:"created_at"`
	UpdatedAt     time.Time     `json:"updated_at"`
	Translations  []Translation `json:"translations"`
}

// Translation is another language version of an article, for links.
type Translation struct {
	ID         int64  `json:"id"`
	Language   string `json:"language"`
	Slug       string `json:"slug"`
	Title      string `json:"title"`
	Status     string `json:"status"`
	Visibility string `json:"visibility"`
}

// Public reports whether the article may be shown to customers: published
// and not internal-only.
func (a Article) Public() bool {
	return a.Status == StatusPublished && a.Visibility == VisibilityPublic
}

// ArticleInput creates an article. Language is "he" (default) or "en";
// TranslationOf links it to an existing article's group (which must not
// have this language yet); Slug defaults to the slugified title (made
// unique per language with -2, -3 …); Status defaults to draft and
// Visibility to public.
type ArticleInput struct {
	Language      string `json:"language"`
	SectionID     *int64 `json:"section_id"`
	Slug          string `json:"slug"`
	Title         string `json:"title"`
	BodyMarkdown  string `json:"body_markdown"`
	Status        string `json:"status"`
	Visibility    string `json:"visibility"`
	TranslationOf *int64 `json:"translation_of"`
}

// ArticlePatch changes an article. Version is the version the editor
// started from (required): when the article has moved on since, the
// update is refused with errs.ErrConflict (HTTP 409). Every accepted
// patch stores a new version. section_id null clears the section.
type ArticlePatch struct {
	Version      int                `json:"version"`
	SectionID    patch.Field[int64] `json:"section_id"`
	Slug         *string            `json:"slug"`
	Title        *string            `json:"title"`
	BodyMarkdown *string            `json:"body_markdown"`
	Visibility   *string            `json:"visibility"`
}

const articleCols = `id, translation_id, language, section_id, slug, title, body_markdown, body_html, status, visibility,
	version, views, helpful_yes, helpful_no, author_id, published_at, created_at, updated_at`

func scanArticle(sc interface{ Scan(...any) error }) (Article, error) {
	var a Article
	var section, author, published sql.NullInt64
	var created, updated int64
	err := sc.Scan(&a.ID, &a.TranslationID, &a.Language, &section, &a.Slug, &a.Title, &a.BodyMarkdown, &a.BodyHTML, &a.Status,
		&a.Visibility, &a.Version, &a.Views, &a.HelpfulYes, &a.HelpfulNo, &author, &published, &created, &updated)
	if err != nil {
		return a, err
	}
	if section.Valid {
		a.SectionID = &section.Int64
	}
	if author.Valid {
		a.AuthorID = &author.Int64
	}
	a.PublishedAt = db.TimePtr(published)
	a.CreatedAt, a.UpdatedAt = db.Time(created), db.Time(updated)
	a.Translations = []Translation{}
	return a, nil
}

func (s *Service) getArticle(ctx context.Context, q db.Querier, id int64) (Article, error) {
	a, err := scanArticle(q.QueryRow(ctx, `SELECT `+articleCols+` FROM kb_articles WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("kb: article %d: %w", id, errs.ErrNotFound)
	}
	if err != nil {
		return a, err
	}
	rows, err := q.Query(ctx, `SELECT id, language, slug, title, status, visibility FROM kb_articles
		WHERE translation_id = ? AND id <> ? ORDER BY language DESC`, a.TranslationID, a.ID)
	if err != nil {
		return a, err
	}
	defer rows.Close()
	for rows.Next() {
		var t Translation
		if err := rows.Scan(&t.ID, &t.Language, &t.Slug, &t.Title, &t.Status, &t.Visibility); err != nil {
			return a, err
		}
		a.Translations = append(a.Translations, t)
	}
	return a, rows.Err()
}

// Article returns article id with its translations. Errors:
// errs.ErrNotFound.
func (s *Service) Article(ctx context.Context, id int64) (Article, error) {
	return s.getArticle(ctx, s.db.R(), id)
}

// ListParams filter the article list: language, section, status,
// visibility, Q (a case-insensitive substring of the title or the
// Markdown), newest update first, keyset paged (Cursor, Limit 1..100,
// default 25).
type ListParams struct {
	Language, Status, Visibility, Q string
	SectionID                       int64
	Cursor                          string
	Limit                           int
}

// Articles lists articles (without translations) for p. Errors:
// *errs.ValidationError on lang, status, visibility, cursor, limit.
func (s *Service) Articles(ctx context.Context, p ListParams) (page.Result[Article], error) {
	var c errs.Checker
	if p.Language != "" {
		c.OneOf("lang", p.Language, Languages...)
	}
	if p.Status != "" {
		c.OneOf("status", p.Status, StatusDraft, StatusPublished)
	}
	if p.Visibility != "" {
		c.OneOf("visibility", p.Visibility, VisibilityPublic, VisibilityInternal)
	}
	checkText(&c, "q", p.Q, 200)
	if err := c.Err(); err != nil {
		return page.Result[Article]{}, err
	}
	limit, err := page.Limit(p.Limit)
	if err != nil {
		return page.Result[Article]{}, err
	}
	cur, err := page.Decode(p.Cursor, "kb_articles")
	if err != nil {
		return page.Result[Article]{}, err
	}
	where, args := []string{"1 = 1"}, []any{}
	add := func(cond string, v any) { where, args = append(where, cond), append(args, v) }
	if p.Language != "" {
		add("language = ?", p.Language)
	}
	if p.Status != "" {
		add("status = ?", p.Status)
	}
	if p.Visibility != "" {
		add("visibility = ?", p.Visibility)
	}
	if p.SectionID != 0 {
		add("section_id = ?", p.SectionID)
	}
	if q := strings.TrimSpace(p.Q); q != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(q)) + "%"
		where = append(where, `(LOWER(title) LIKE ? ESCAPE '\' OR LOWER(body_markdown) LIKE ? ESCAPE '\')`)
		args = append(args, like, like)
	}
	if cur != nil {
		where = append(where, "(updated_at < ? OR (updated_at = ? AND id < ?))")
		args = append(args, cur.Key, cur.Key, cur.ID)
	}
	rows, err := s.db.R().Query(ctx, `SELECT `+articleCols+` FROM kb_articles WHERE `+strings.Join(where, " AND ")+
		` ORDER BY updated_at DESC, id DESC LIMIT `+strconv.Itoa(limit+1), args...)
	if err != nil {
		return page.Result[Article]{}, fmt.Errorf("kb: list articles: %w", err)
	}
	defer rows.Close()
	var out []Article
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return page.Result[Article]{}, err
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return page.Result[Article]{}, err
	}
	return page.Of(out, limit, func(a Article) page.Cursor {
		return page.Cursor{Sort: "kb_articles", Key: db.Ms(a.UpdatedAt), ID: a.ID}
	}), nil
}

// uniqueSlug returns base, or base-2, base-3 … the first not used by
// another article in lang.
func uniqueSlug(ctx context.Context, q db.Querier, lang, base string, self int64) (string, error) {
	for n := 1; ; n++ {
		slug := base
		if n > 1 {
			slug = base + "-" + strconv.Itoa(n)
		}
		var c int
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM kb_articles WHERE language = ? AND slug = ? AND id <> ?`, lang, slug, self).Scan(&c); err != nil {
			return "", err
		}
		if c == 0 {
			return slug, nil
		}
	}
}

func (s *Service) checkSection(ctx context.Context, q db.Querier, c *errs.Checker, id *int64) {
	if id == nil {
		return
	}
	if err := exists(ctx, q, "kb_sections", *id); err != nil {
		c.Add("section_id", "not_found", "section %d does not exist", *id)
	}
}

// CreateArticle adds an article (version 1) and indexes it. Errors:
// *errs.ValidationError naming the field (title required, lengths,
// language, status, visibility, slug malformed or taken, section_id or
// translation_of not found, translation_of already having this language).
func (s *Service) CreateArticle(ctx context.Context, actor audit.Actor, in ArticleInput) (Article, error) {
	if in.Language == "" {
		in.Language = "he"
	}
	if in.Status == "" {
		in.Status = StatusDraft
	}
	if in.Visibility == "" {
		in.Visibility = VisibilityPublic
	}
	in.Title = strings.TrimSpace(in.Title)
	var c errs.Checker
	c.OneOf("language", in.Language, Languages...)
	c.OneOf("status", in.Status, StatusDraft, StatusPublished)
	c.OneOf("visibility", in.Visibility, VisibilityPublic, VisibilityInternal)
	c.Check(in.Title != "", "title", "required", "an article needs a title")
	checkText(&c, "title", in.Title, MaxTitle)
	checkBody(&c, in.BodyMarkdown)
	if in.Slug != "" {
		checkSlug(&c, in.Slug)
	}
	if err := c.Err(); err != nil {
		return Article{}, err
	}
	now := s.Now()
	var id int64
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		var c errs.Checker
		s.checkSection(ctx, tx, &c, in.SectionID)
		group := int64(0)
		if in.TranslationOf != nil {
			orig, err := s.getArticle(ctx, tx, *in.TranslationOf)
			switch {
			case errors.Is(err, errs.ErrNotFound):
				c.Add("translation_of", "not_found", "article %d does not exist", *in.TranslationOf)
			case err != nil:
				return err
			case orig.Language == in.Language || slices.ContainsFunc(orig.Translations, func(t Translation) bool { return t.Language == in.Language }):
				c.Add("translation_of", "taken", "article %d already has a %s version", orig.ID, in.Language)
			default:
				group = orig.TranslationID
			}
		}
		slug := in.Slug
		if slug != "" {
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM kb_articles WHERE language = ? AND slug = ?`, in.Language, slug).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				c.Add("slug", "taken", "another %s article has the slug %q", in.Language, slug)
			}
		}
		if err := c.Err(); err != nil {
			return err
		}
		if slug == "" {
			base := Slugify(in.Title)
			if base == "" {
				base = "article"
			}
			var err error
			if slug, err = uniqueSlug(ctx, tx, in.Language, base, 0); err != nil {
				return err
			}
		}
		var published any
		if in.Status == StatusPublished {
			published = db.Ms(now)
		}
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO kb_articles (translation_id, language, section_id, slug, title, body_markdown, body_html,
			status, visibility, version, author_id, published_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`,
			group, in.Language, in.SectionID, slug, in.Title, in.BodyMarkdown, s.render.HTML(in.BodyMarkdown), in.Status, in.Visibility,
			authorOf(actor), published, db.Ms(now), db.Ms(now))
		if err != nil {
			return err
		}
		if group == 0 {
			if _, err := tx.Exec(ctx, `UPDATE kb_articles SET translation_id = ? WHERE id = ?`, id, id); err != nil {
				return err
			}
		}
		if err := s.saveVersionTx(ctx, tx, actor, id, 1, in.Title, in.BodyMarkdown, now); err != nil {
			return err
		}
		return s.afterWriteTx(ctx, tx, id, in.Status == StatusPublished)
	})
	if err != nil {
		return Article{}, err
	}
	return s.Article(ctx, id)
}

func (s *Service) saveVersionTx(ctx context.Context, tx *db.Tx, actor audit.Actor, id int64, version int, title, body string, now time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO kb_article_versions (article_id, version, title, body_markdown, author_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, id, version, title, body, authorOf(actor), db.Ms(now))
	return err
}

// afterWriteTx re-indexes article id and, when it was just published,
// emits ArticlePublished.
func (s *Service) afterWriteTx(ctx context.Context, tx *db.Tx, id int64, published bool) error {
	a, err := s.getArticle(ctx, tx, id)
	if err != nil {
		return err
	}
	if s.search != nil {
		if err := s.search.IndexTx(ctx, tx, search.Doc{Kind: search.KindArticle, ID: a.ID, Language: a.Language, Title: a.Title,
			Body: a.BodyMarkdown, Internal: a.Visibility == VisibilityInternal, Published: a.Status == StatusPublished,
			Time: a.UpdatedAt}); err != nil {
			return err
		}
	}
	if published && s.outbox != nil {
		return s.outbox.Publish(ctx, tx, ArticlePublished, map[string]any{"article_id": a.ID, "language": a.Language,
			"translation_id": a.TranslationID})
	}
	return nil
}

// UpdateArticle applies p when p.Version is the article's current version,
// stores the next version and re-indexes. Errors: errs.ErrNotFound;
// errs.ErrConflict (stale version); *errs.ValidationError naming the field.
func (s *Service) UpdateArticle(ctx context.Context, actor audit.Actor, id int64, p ArticlePatch) (Article, error) {
	var c errs.Checker
	c.Check(p.Version > 0, "version", "required", "send the version you edited (optimistic locking)")
	if p.Title != nil {
		*p.Title = strings.TrimSpace(*p.Title)
		c.Check(*p.Title != "", "title", "required", "an article needs a title")
		checkText(&c, "title", *p.Title, MaxTitle)
	}
	if p.BodyMarkdown != nil {
		checkBody(&c, *p.BodyMarkdown)
	}
	if p.Visibility != nil {
		c.OneOf("visibility", *p.Visibility, VisibilityPublic, VisibilityInternal)
	}
	if p.Slug != nil {
		checkSlug(&c, *p.Slug)
	}
	if err := c.Err(); err != nil {
		return Article{}, err
	}
	now := s.Now()
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		a, err := s.getArticle(ctx, tx, id)
		if err != nil {
			return err
		}
		if a.Version != p.Version {
			return fmt.Errorf("kb: article %d is at version %d, the edit started from %d: %w", id, a.Version, p.Version, errs.ErrConflict)
		}
		var c errs.Checker
		if p.SectionID.Set {
			if p.SectionID.Null {
				a.SectionID = nil
			} else {
				v := p.SectionID.V
				a.SectionID = &v
				s.checkSection(ctx, tx, &c, a.SectionID)
			}
		}
		if p.Slug != nil && *p.Slug != a.Slug {
			if taken, err := uniqueSlug(ctx, tx, a.Language, *p.Slug, id); err != nil {
				return err
			} else if taken != *p.Slug {
				c.Add("slug", "taken", "another %s article has the slug %q", a.Language, *p.Slug)
			}
			a.Slug = *p.Slug
		}
		if err := c.Err(); err != nil {
			return err
		}
		if p.Title != nil {
			a.Title = *p.Title
		}
		if p.BodyMarkdown != nil {
			a.BodyMarkdown = *p.BodyMarkdown
		}
		if p.Visibility != nil {
			a.Visibility = *p.Visibility
		}
		// The version check and the bump are one statement, so two
		// concurrent editors cannot both win.
		res, err := tx.Exec(ctx, `UPDATE kb_articles SET section_id = ?, slug = ?, title = ?, body_markdown = ?, body_html = ?,
			visibility = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`, a.SectionID, a.Slug, a.Title,
			a.BodyMarkdown, s.render.HTML(a.BodyMarkdown), a.Visibility, db.Ms(now), id, p.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("kb: article %d changed meanwhile: %w", id, errs.ErrConflict)
		}
		if err := s.saveVersionTx(ctx, tx, actor, id, p.Version+1, a.Title, a.BodyMarkdown, now); err != nil {
			return err
		}
		return s.afterWriteTx(ctx, tx, id, false)
	})
	if err != nil {
		return Article{}, err
	}
	return s.Article(ctx, id)
}

// SetStatus publishes (StatusPublished) or unpublishes (StatusDraft)
// article id and re-indexes it; publishing emits ArticlePublished. Setting
// the status it already has changes nothing. Errors: errs.ErrNotFound.
func (s *Service) SetStatus(ctx context.Context, actor audit.Actor, id int64, status string) (Article, error) {
	now := s.Now()
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		a, err := s.getArticle(ctx, tx, id)
		if err != nil {
			return err
		}
		if a.Status == status {
			return nil
		}
		published := db.MsArg(a.PublishedAt)
		if status == StatusPublished {
			published = db.Ms(now)
		}
		if _, err := tx.Exec(ctx, `UPDATE kb_articles SET status = ?, published_at = ?, updated_at = ? WHERE id = ?`,
			status, published, db.Ms(now), id); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "kb_article." + status, EntityType: "kb_article",
			EntityID: id, Changes: map[string]audit.Change{"status": {From: a.Status, To: status}}}); err != nil {
			return err
		}
		return s.afterWriteTx(ctx, tx, id, status == StatusPublished)
	})
	if err != nil {
		return Article{}, err
	}
	return s.Article(ctx, id)
}

// DeleteArticle removes article id (its versions, votes and views) and
// its index entry; its translations stay. Errors: errs.ErrNotFound.
func (s *Service) DeleteArticle(ctx context.Context, actor audit.Actor, id int64) error {
	return s.db.WriteTx(ctx, func(tx *db.Tx) error {
		a, err := s.getArticle(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM kb_article_versions WHERE article_id = ?`, `DELETE FROM kb_votes WHERE article_id = ?`,
			`DELETE FROM kb_article_views WHERE article_id = ?`, `DELETE FROM kb_articles WHERE id = ?`} {
			if _, err := tx.Exec(ctx, q, id); err != nil {
				return err
			}
		}
		// The group keeps its id even when its first article goes: the
		// remaining versions still share translation_id.
		if err := audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "kb_article.deleted", EntityType: "kb_article", EntityID: id,
			Changes: map[string]audit.Change{"title": {From: a.Title}}}); err != nil {
			return err
		}
		if s.search != nil {
			return s.search.DeleteTx(ctx, tx, search.KindArticle, id)
		}
		return nil
	})
}
