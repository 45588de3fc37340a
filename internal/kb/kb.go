// Package kb is Kesher's knowledge base (docs/knowledge.md, "Knowledge
// base"): categories and sections, articles written in Markdown (rendered
// with goldmark and sanitized with bluemonday), one row per language
// version with the Hebrew and English versions linked by a translation
// group, draft/published and public/internal-only, a stored version for
// every save with optimistic locking and line diffs between versions,
// "was this helpful?" votes and view counts, and the public help center's
// settings.
//
// Every write runs in one transaction that also updates the search index
// (search.Service.IndexTx / DeleteTx, kind "article") and, on publishing,
// emits kb.article.published through the transactional outbox.
package kb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/search"
)

// ArticlePublished is the event published when an article becomes
// published; payload {"article_id","language","translation_id"}.
const ArticlePublished = "kb.article.published"

// Article statuses and visibilities.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"

	VisibilityPublic   = "public"
	VisibilityInternal = "internal"
)

// Languages are the article languages, Hebrew first (the default).
var Languages = []string{"he", "en"}

// Length limits, in characters.
const (
	MaxTitle       = 200
	MaxName        = 120
	MaxDescription = 1000
	MaxBody        = 200_000
)

// Service keeps the knowledge base. It holds no mutable state besides the
// database handle.
type Service struct {
	db     *db.DB
	outbox *events.Outbox
	search *search.Service
	render *Renderer
	// Now is the clock (UTC, ms precision); tests may replace it.
	Now func() time.Time
}

// New returns the knowledge-base service. outbox and idx may be nil
// (no events; no indexing).
func New(d *db.DB, outbox *events.Outbox, idx *search.Service) *Service {
	return &Service{db: d, outbox: outbox, search: idx, render: NewRenderer(),
		Now: func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }}
}

// Render returns the sanitized HTML of markdown (the editor's preview).
// Errors: *errs.ValidationError on body_markdown when it is over MaxBody
// characters or not UTF-8.
func (s *Service) Render(markdown string) (string, error) {
	var c errs.Checker
	checkBody(&c, markdown)
	if err := c.Err(); err != nil {
		return "", err
	}
	return s.render.HTML(markdown), nil
}

// MaxNesting is the deepest nesting of an article line's containers
// (quotes ">" and list items "- ", "* ", "+ ", "1. ", "1) " at its start)
// and of the brackets "[" of a paragraph; MaxLinkOpeners the most "]("
// (link or image destinations) of an article. goldmark's parsing time
// grows with the square of each (190,000 ">", "> - " × 47,500 or
// "[a](" × 47,500 took 25–40 s, 95,000 nested "[" 6 s), so a body beyond
// them is refused rather than rendered.
const (
	MaxNesting     = 32
	MaxLinkOpeners = 5000
)

// checkBody adds body_markdown errors: checkText against MaxBody, then
// too_deep (containers or brackets nested deeper than MaxNesting) or
// too_many_links (more than MaxLinkOpeners "](").
func checkBody(c *errs.Checker, v string) {
	const field = "body_markdown"
	checkText(c, field, v, MaxBody)
	if len(v) > 4*MaxBody { // over MaxBody characters whatever they are: already refused
		return
	}
	tooDeep := func() {
		c.Add(field, "too_deep", "quotes, lists and brackets may nest at most %d levels", MaxNesting)
	}
	brackets := 0
	for line := range strings.Lines(v) {
		if containerDepth(line) > MaxNesting {
			tooDeep()
			return
		}
		if strings.TrimSpace(line) == "" {
			brackets = 0 // a paragraph ends
		}
		for i := 0; i < len(line); i++ {
			switch line[i] {
			case '\\':
				i++
			case '[':
				if brackets++; brackets > MaxNesting {
					tooDeep()
					return
				}
			case ']':
				brackets = max(0, brackets-1)
			}
		}
	}
	if strings.Count(v, "](") > MaxLinkOpeners {
		c.Add(field, "too_many_links", "an article may have at most %d links and images", MaxLinkOpeners)
	}
}

// containerDepth counts the container markers at the start of line: ">"
// and the list markers "-", "*", "+", "N." and "N)" followed by a space.
func containerDepth(line string) int {
	depth := 0
	for i := 0; i < len(line); i++ {
		switch b := line[i]; {
		case b == ' ' || b == '\t':
		case b == '>':
			depth++
		case b == '-' || b == '*' || b == '+':
			if i+1 < len(line) && (line[i+1] == ' ' || line[i+1] == '\t') {
				depth++
				continue
			}
			return depth
		case b >= '0' && b <= '9':
			j := i
			for j < len(line) && line[j] >= '0' && line[j] <= '9' {
				j++
			}
			if j+1 < len(line) && (line[j] == '.' || line[j] == ')') && (line[j+1] == ' ' || line[j+1] == '\t') {
				depth++
				i = j
				continue
			}
			return depth
		default:
			return depth
		}
	}
	return depth
}

// checkText adds a field error when v is not UTF-8, holds a NUL or is
// longer than max characters.
func checkText(c *errs.Checker, field, v string, max int) {
	switch {
	case !utf8.ValidString(v) || strings.ContainsRune(v, 0):
		c.Add(field, "invalid", "%s must be UTF-8 text without NUL characters", field)
	case utf8.RuneCountInString(v) > max:
		c.Add(field, "too_long", "%s may be at most %d characters", field, max)
	}
}

// checkSlug checks an explicit slug: non-empty and already in the form
// Slugify gives.
func checkSlug(c *errs.Checker, slug string) {
	if slug == "" || Slugify(slug) != slug {
		c.Add("slug", "invalid", "slug must be lower-case letters and digits joined by single dashes (e.g. %q)", Slugify(slug))
	}
}

func authorOf(actor audit.Actor) any {
	if actor.Type == "agent" && actor.ID != 0 {
		return actor.ID
	}
	return nil
}

// --- categories and sections

// Category groups sections in the help center. Names and descriptions are
// per language; Position orders categories (ascending, then id).
type Category struct {
	ID            int64     `json:"id"`
	Slug          string    `json:"slug"`
	NameHe        string    `json:"name_he"`
	NameEn        string    `json:"name_en"`
	DescriptionHe string    `json:"description_he"`
	DescriptionEn string    `json:"description_en"`
	Position      int       `json:"position"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Section is a group of articles inside a category.
type Section struct {
	Category
	CategoryID int64 `json:"category_id"`
}

// Name is the category's name in lang, falling back to the other language.
func (c Category) Name(lang string) string {
	if lang == "en" && c.NameEn != "" || c.NameHe == "" {
		return c.NameEn
	}
	return c.NameHe
}

// Description is the category's description in lang ("" when missing).
func (c Category) Description(lang string) string {
	if lang == "en" {
		return c.DescriptionEn
	}
	return c.DescriptionHe
}

// GroupInput creates a category or section, or (PATCH) changes the fields
// given. Slug defaults to the slugified English (else Hebrew) name. A
// section needs CategoryID.
type GroupInput struct {
	Slug          *string `json:"slug"`
	NameHe        *string `json:"name_he"`
	NameEn        *string `json:"name_en"`
	DescriptionHe *string `json:"description_he"`
	DescriptionEn *string `json:"description_en"`
	Position      *int    `json:"position"`
	CategoryID    *int64  `json:"category_id"`
}

// groupKind is a categories or sections table.
type groupKind struct {
	table, noun string
	section     bool
}

var (
	categories = groupKind{table: "kb_categories", noun: "category"}
	sections   = groupKind{table: "kb_sections", noun: "section", section: true}
)

func (k groupKind) columns() string {
	cols := "id, slug, name_he, name_en, description_he, description_en, position, created_at, updated_at"
	if k.section {
		cols += ", category_id"
	}
	return cols
}

func (k groupKind) scan(sc interface{ Scan(...any) error }) (Section, error) {
	var g Section
	var created, updated int64
	dst := []any{&g.ID, &g.Slug, &g.NameHe, &g.NameEn, &g.DescriptionHe, &g.DescriptionEn, &g.Position, &created, &updated}
	if k.section {
		dst = append(dst, &g.CategoryID)
	}
	if err := sc.Scan(dst...); err != nil {
		return g, err
	}
	g.CreatedAt, g.UpdatedAt = db.Time(created), db.Time(updated)
	return g, nil
}

func (s *Service) listGroups(ctx context.Context, k groupKind, where string, args ...any) ([]Section, error) {
	rows, err := s.db.R().Query(ctx, `SELECT `+k.columns()+` FROM `+k.table+` `+where+` ORDER BY position, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("kb: list %s: %w", k.table, err)
	}
	defer rows.Close()
	out := []Section{}
	for rows.Next() {
		g, err := k.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

func (s *Service) getGroup(ctx context.Context, q db.Querier, k groupKind, id int64) (Section, error) {
	g, err := k.scan(q.QueryRow(ctx, `SELECT `+k.columns()+` FROM `+k.table+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return g, fmt.Errorf("kb: %s %d: %w", k.noun, id, errs.ErrNotFound)
	}
	return g, err
}

// Categories lists every category by position.
func (s *Service) Categories(ctx context.Context) ([]Category, error) {
	gs, err := s.listGroups(ctx, categories, "")
	out := make([]Category, len(gs))
	for i, g := range gs {
		out[i] = g.Category
	}
	return out, err
}

// Category returns category id. Errors: errs.ErrNotFound.
func (s *Service) Category(ctx context.Context, id int64) (Category, error) {
	g, err := s.getGroup(ctx, s.db.R(), categories, id)
	return g.Category, err
}

// CategoryBySlug returns the category with slug. Errors: errs.ErrNotFound.
func (s *Service) CategoryBySlug(ctx context.Context, slug string) (Category, error) {
	gs, err := s.listGroups(ctx, categories, "WHERE slug = ?", slug)
	if err != nil {
		return Category{}, err
	}
	if len(gs) == 0 {
		return Category{}, fmt.Errorf("kb: category %q: %w", slug, errs.ErrNotFound)
	}
	return gs[0].Category, nil
}

// Sections lists sections by position; categoryID 0 lists all.
func (s *Service) Sections(ctx context.Context, categoryID int64) ([]Section, error) {
	if categoryID != 0 {
		return s.listGroups(ctx, sections, "WHERE category_id = ?", categoryID)
	}
	return s.listGroups(ctx, sections, "")
}

// Section returns section id. Errors: errs.ErrNotFound.
func (s *Service) Section(ctx context.Context, id int64) (Section, error) {
	return s.getGroup(ctx, s.db.R(), sections, id)
}

// CreateCategory adds a category. Errors: *errs.ValidationError naming the
// field (names, slug taken or malformed, lengths).
func (s *Service) CreateCategory(ctx context.Context, in GroupInput) (Category, error) {
	g, err := s.createGroup(ctx, categories, in)
	return g.Category, err
}

// CreateSection adds a section to in.CategoryID. Errors as CreateCategory,
// and category_id not_found.
func (s *Service) CreateSection(ctx context.Context, in GroupInput) (Section, error) {
	return s.createGroup(ctx, sections, in)
}

// UpdateCategory changes the fields given. Errors: errs.ErrNotFound,
// *errs.ValidationError.
func (s *Service) UpdateCategory(ctx context.Context, id int64, in GroupInput) (Category, error) {
	g, err := s.updateGroup(ctx, categories, id, in)
	return g.Category, err
}

// UpdateSection changes the fields given (category_id moves the section).
func (s *Service) UpdateSection(ctx context.Context, id int64, in GroupInput) (Section, error) {
	return s.updateGroup(ctx, sections, id, in)
}

// DeleteCategory removes an empty category. Errors: errs.ErrNotFound;
// errs.ErrConflict when it still has sections.
func (s *Service) DeleteCategory(ctx context.Context, id int64) error {
	return s.deleteGroup(ctx, categories, id, `SELECT COUNT(*) FROM kb_sections WHERE category_id = ?`)
}

// DeleteSection removes an empty section. Errors: errs.ErrNotFound;
// errs.ErrConflict when articles are still in it.
func (s *Service) DeleteSection(ctx context.Context, id int64) error {
	return s.deleteGroup(ctx, sections, id, `SELECT COUNT(*) FROM kb_articles WHERE section_id = ?`)
}

func (k groupKind) check(ctx context.Context, q db.Querier, g *Section, in GroupInput, id int64) error {
	if in.NameHe != nil {
		g.NameHe = strings.TrimSpace(*in.NameHe)
	}
	if in.NameEn != nil {
		g.NameEn = strings.TrimSpace(*in.NameEn)
	}
	if in.DescriptionHe != nil {
		g.DescriptionHe = *in.DescriptionHe
	}
	if in.DescriptionEn != nil {
		g.DescriptionEn = *in.DescriptionEn
	}
	if in.Position != nil {
		g.Position = *in.Position
	}
	var c errs.Checker
	if in.Slug != nil {
		g.Slug = *in.Slug
		checkSlug(&c, g.Slug)
	} else if g.Slug == "" {
		g.Slug = Slugify(g.NameEn)
		if g.Slug == "" {
			g.Slug = Slugify(g.NameHe)
		}
	}
	c.Check(g.NameHe != "" || g.NameEn != "", "name_he", "required", "a %s needs a name in Hebrew or English", k.noun)
	checkText(&c, "name_he", g.NameHe, MaxName)
	checkText(&c, "name_en", g.NameEn, MaxName)
	checkText(&c, "description_he", g.DescriptionHe, MaxDescription)
	checkText(&c, "description_en", g.DescriptionEn, MaxDescription)
	c.Check(g.Position >= 0 && g.Position <= 1_000_000, "position", "out_of_range", "position must be between 0 and 1000000")
	if k.section {
		if in.CategoryID != nil {
			g.CategoryID = *in.CategoryID
		}
		if g.CategoryID == 0 {
			c.Add("category_id", "required", "a section belongs to a category")
		} else if err := exists(ctx, q, "kb_categories", g.CategoryID); err != nil {
			c.Add("category_id", "not_found", "category %d does not exist", g.CategoryID)
		}
	}
	if err := c.Err(); err != nil {
		return err
	}
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM `+k.table+` WHERE slug = ? AND id <> ?`, g.Slug, id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return errs.Invalid("slug", "taken", "another %s already has the slug %q", k.noun, g.Slug)
	}
	return nil
}

func exists(ctx context.Context, q db.Querier, table string, id int64) error {
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM `+table+` WHERE id = ?`, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return errs.ErrNotFound
	}
	return nil
}

func (s *Service) createGroup(ctx context.Context, k groupKind, in GroupInput) (Section, error) {
	var g Section
	now := s.Now()
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		g = Section{}
		if err := k.check(ctx, tx, &g, in, 0); err != nil {
			return err
		}
		cols, marks := "slug, name_he, name_en, description_he, description_en, position, created_at, updated_at", "?, ?, ?, ?, ?, ?, ?, ?"
		args := []any{g.Slug, g.NameHe, g.NameEn, g.DescriptionHe, g.DescriptionEn, g.Position, db.Ms(now), db.Ms(now)}
		if k.section {
			cols, marks, args = cols+", category_id", marks+", ?", append(args, g.CategoryID)
		}
		id, err := tx.InsertID(ctx, `INSERT INTO `+k.table+` (`+cols+`) VALUES (`+marks+`)`, args...)
		g.ID, g.CreatedAt, g.UpdatedAt = id, now, now
		return err
	})
	return g, err
}

func (s *Service) updateGroup(ctx context.Context, k groupKind, id int64, in GroupInput) (Section, error) {
	var g Section
	now := s.Now()
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		var err error
		if g, err = s.getGroup(ctx, tx, k, id); err != nil {
			return err
		}
		if !k.section && in.CategoryID != nil {
			return errs.Invalid("category_id", "unknown_field", "a category has no category_id")
		}
		if err := k.check(ctx, tx, &g, in, id); err != nil {
			return err
		}
		set, args := "slug = ?, name_he = ?, name_en = ?, description_he = ?, description_en = ?, position = ?, updated_at = ?",
			[]any{g.Slug, g.NameHe, g.NameEn, g.DescriptionHe, g.DescriptionEn, g.Position, db.Ms(now)}
		if k.section {
			set, args = set+", category_id = ?", append(args, g.CategoryID)
		}
		g.UpdatedAt = now
		_, err = tx.Exec(ctx, `UPDATE `+k.table+` SET `+set+` WHERE id = ?`, append(args, id)...)
		return err
	})
	return g, err
}

func (s *Service) deleteGroup(ctx context.Context, k groupKind, id int64, children string) error {
	return s.db.WriteTx(ctx, func(tx *db.Tx) error {
		if _, err := s.getGroup(ctx, tx, k, id); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, children, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("kb: %s %d is not empty (%d inside): %w", k.noun, id, n, errs.ErrConflict)
		}
		_, err := tx.Exec(ctx, `DELETE FROM `+k.table+` WHERE id = ?`, id)
		return err
	})
}
