// Package tag manages the desk's tags: short labels put on conversations.
// A tag name is trimmed, lower-cased and at most 64 characters; tags named
// on a conversation are created on first use.
package tag

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
)

// Tag is a label.
type Tag struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Color     string    `json:"color"`
	CreatedAt time.Time `json:"created_at"`
}

// MaxNameLength is the longest tag name, in characters.
const MaxNameLength = 64

var colorRE = regexp.MustCompile(`^(#[0-9a-fA-F]{6})?$`)

// Normalize returns the canonical form of a tag name: trimmed, lower-case,
// inner white space collapsed to "-".
func Normalize(name string) string {
	return strings.ToLower(strings.Join(strings.Fields(name), "-"))
}

// CheckName validates a normalized name, reporting errors on field.
func CheckName(c *errs.Checker, field, name string) {
	c.Check(name != "", field, "required", "tag name must not be empty")
	c.MaxLen(field, name, MaxNameLength)
	c.Check(!strings.ContainsAny(name, ",\"<>"), field, "invalid", "tag name must not contain , \" < or >")
}

// Service manages tags.
type Service struct{ db *db.DB }

// NewService returns a tag service on d.
func NewService(d *db.DB) *Service { return &Service{db: d} }

// Create adds a tag. Errors: *errs.ValidationError, errs.ErrConflict when the
// name exists.
func (s *Service) Create(ctx context.Context, name, color string) (Tag, error) {
	t := Tag{Name: Normalize(name), Color: color, CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	var c errs.Checker
	CheckName(&c, "name", t.Name)
	c.Check(colorRE.MatchString(color), "color", "invalid", "color must be #rrggbb")
	if err := c.Err(); err != nil {
		return Tag{}, err
	}
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		id, err := tx.InsertID(ctx, `INSERT INTO tags (name, color, created_at) VALUES (?, ?, ?)`, t.Name, t.Color, db.Ms(t.CreatedAt))
		t.ID = id
		return err
	})
	if db.IsUniqueViolation(err) {
		return Tag{}, fmt.Errorf("tag %q exists: %w", t.Name, errs.ErrConflict)
	}
	return t, err
}

// Update changes a tag's color.
func (s *Service) Update(ctx context.Context, id int64, color string) (Tag, error) {
	if !colorRE.MatchString(color) {
		return Tag{}, errs.Invalid("color", "invalid", "color must be #rrggbb")
	}
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE tags SET color = ? WHERE id = ?`, color, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("tag %d: %w", id, errs.ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return Tag{}, err
	}
	return s.Get(ctx, id)
}

// Get returns tag id or errs.ErrNotFound.
func (s *Service) Get(ctx context.Context, id int64) (Tag, error) {
	var t Tag
	var ms int64
	err := s.db.R().QueryRow(ctx, `SELECT id, name, color, created_at FROM tags WHERE id = ?`, id).Scan(&t.ID, &t.Name, &t.Color, &ms)
	if errors.Is(err, sql.ErrNoRows) {
		return Tag{}, fmt.Errorf("tag %d: %w", id, errs.ErrNotFound)
	}
	t.CreatedAt = db.Time(ms)
	return t, err
}

// List returns all tags by name.
func (s *Service) List(ctx context.Context) ([]Tag, error) {
	rows, err := s.db.R().Query(ctx, `SELECT id, name, color, created_at FROM tags ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Tag{}
	for rows.Next() {
		var t Tag
		var ms int64
		if err := rows.Scan(&t.ID, &t.Name, &t.Color, &ms); err != nil {
			return nil, err
		}
		t.CreatedAt = db.Time(ms)
		out = append(out, t)
	}
	return out, rows.Err()
}

// EnsureTx returns the ids of the named tags (already normalized), creating
// missing ones, inside tx.
func EnsureTx(ctx context.Context, tx *db.Tx, names []string) ([]int64, error) {
	ids := make([]int64, 0, len(names))
	now := time.Now().UnixMilli()
	for _, n := range names {
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM tags WHERE name = ?`, n).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			id, err = tx.InsertID(ctx, `INSERT INTO tags (name, created_at) VALUES (?, ?)`, n, now)
		}
		if err != nil {
			return nil, fmt.Errorf("tag: ensure %q: %w", n, err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// IDByName returns the id of a tag name (normalized first), or 0 when no such
// tag exists.
func (s *Service) IDByName(ctx context.Context, name string) (int64, error) {
	var id int64
	err := s.db.R().QueryRow(ctx, `SELECT id FROM tags WHERE name = ?`, Normalize(name)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}
