package kb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/kesherdesk/kesher/internal/errs"
)

// Version is one saved state of an article: its title and Markdown.
type Version struct {
	ArticleID    int64     `json:"article_id"`
	Version      int       `json:"version"`
	Title        string    `json:"title"`
	BodyMarkdown string    `json:"body_markdown,omitempty"`
	AuthorID     *int64    `json:"author_id"`
	CreatedAt    time.Time `json:"created_at"`
}

// Versions lists article id's versions newest first, without bodies.
// Errors: errs.ErrNotFound for an unknown article.
func (s *Service) Versions(ctx context.Context, id int64) ([]Version, error) {
	if err := exists(ctx, s.db.R(), "kb_articles", id); err != nil {
		return nil, fmt.Errorf("kb: article %d: %w", id, err)
	}
	rows, err := s.db.R().Query(ctx, `SELECT version, title, author_id, created_at FROM kb_article_versions
		WHERE article_id = ? ORDER BY version DESC`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Version{}
	for rows.Next() {
		v := Version{ArticleID: id}
		var author sql.NullInt64
		var created int64
		if err := rows.Scan(&v.Version, &v.Title, &author, &created); err != nil {
			return nil, err
		}
		if author.Valid {
			v.AuthorID = &author.Int64
		}
		v.CreatedAt = msTime(created)
		out = append(out, v)
	}
	return out, rows.Err()
}

// Version returns version n of article id with its Markdown. Errors:
// errs.ErrNotFound.
func (s *Service) Version(ctx context.Context, id int64, n int) (Version, error) {
	v := Version{ArticleID: id, Version: n}
	var author sql.NullInt64
	var created int64
	err := s.db.R().QueryRow(ctx, `SELECT title, body_markdown, author_id, created_at FROM kb_article_versions
		WHERE article_id = ? AND version = ?`, id, n).Scan(&v.Title, &v.BodyMarkdown, &author, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return v, fmt.Errorf("kb: article %d version %d: %w", id, n, errs.ErrNotFound)
	}
	if author.Valid {
		v.AuthorID = &author.Int64
	}
	v.CreatedAt = msTime(created)
	return v, err
}

// DiffLine is one line of a diff: Op "equal", "insert" (only in To) or
// "delete" (only in From); Text without its newline.
type DiffLine struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// Diff is the line diff of an article's Markdown between two versions.
type Diff struct {
	ArticleID int64      `json:"article_id"`
	From      int        `json:"from"`
	To        int        `json:"to"`
	TitleFrom string     `json:"title_from"`
	TitleTo   string     `json:"title_to"`
	Lines     []DiffLine `json:"lines"`
	Inserted  int        `json:"inserted"`
	Deleted   int        `json:"deleted"`
}

// Diff compares versions from and to of article id, line by line (Myers
// diff from github.com/sergi/go-diff in line mode). Errors:
// errs.ErrNotFound when either version is missing.
func (s *Service) Diff(ctx context.Context, id int64, from, to int) (Diff, error) {
	a, err := s.Version(ctx, id, from)
	if err != nil {
		return Diff{}, err
	}
	b, err := s.Version(ctx, id, to)
	if err != nil {
		return Diff{}, err
	}
	d := Diff{ArticleID: id, From: from, To: to, TitleFrom: a.Title, TitleTo: b.Title, Lines: LineDiff(a.BodyMarkdown, b.BodyMarkdown)}
	for _, l := range d.Lines {
		switch l.Op {
		case "insert":
			d.Inserted++
		case "delete":
			d.Deleted++
		}
	}
	return d, nil
}

// LineDiff is the line diff turning a into b.
func LineDiff(a, b string) []DiffLine {
	dmp := diffmatchpatch.New()
	ca, cb, lines := dmp.DiffLinesToChars(ensureNL(a), ensureNL(b))
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(ca, cb, false), lines)
	out := []DiffLine{}
	for _, d := range diffs {
		op := "equal"
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			op = "insert"
		case diffmatchpatch.DiffDelete:
			op = "delete"
		}
		for _, line := range strings.SplitAfter(d.Text, "\n") {
			if line == "" {
				continue
			}
			out = append(out, DiffLine{Op: op, Text: strings.TrimSuffix(line, "\n")})
		}
	}
	return out
}

// ensureNL ends non-empty text with a newline, so that a last line
// without one compares equal to the same line with one.
func ensureNL(s string) string {
	if s != "" && !strings.HasSuffix(s, "\n") {
		return s + "\n"
	}
	return s
}
