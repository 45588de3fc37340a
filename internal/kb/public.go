package kb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
)

func msTime(ms int64) time.Time { return db.Time(ms) }

// PublicArticle returns article id when it is published and public, else
// errs.ErrNotFound (drafts and internal-only articles do not exist for
// the public).
func (s *Service) PublicArticle(ctx context.Context, id int64) (Article, error) {
	a, err := s.Article(ctx, id)
	if err != nil {
		return a, err
	}
	if !a.Public() {
		return Article{}, fmt.Errorf("kb: article %d is not public: %w", id, errs.ErrNotFound)
	}
	return a, nil
}

// PublicArticles lists the published, public articles of lang in the given
// sections (all sections when none), ordered by section, then title.
func (s *Service) PublicArticles(ctx context.Context, lang string, sectionIDs ...int64) ([]Article, error) {
	q := `SELECT ` + articleCols + ` FROM kb_articles WHERE language = ? AND status = 'published' AND visibility = 'public'`
	args := []any{lang}
	if len(sectionIDs) > 0 {
		q += ` AND section_id IN (?` + strings.Repeat(", ?", len(sectionIDs)-1) + `)`
		for _, id := range sectionIDs {
			args = append(args, id)
		}
	}
	rows, err := s.db.R().Query(ctx, q+` ORDER BY section_id, title, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Article{}
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Vote records a visitor's "was this helpful?" answer for a published,
// public article: the first vote of visitorHash (a keyed hash of the
// visitor's cookie) counts; later ones change nothing. It reports whether
// this vote was counted. Errors: errs.ErrNotFound for an article the
// public cannot see.
func (s *Service) Vote(ctx context.Context, id int64, visitorHash string, helpful bool) (bool, error) {
	counted := false
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		counted = false
		var status, vis string
		err := tx.QueryRow(ctx, `SELECT status, visibility FROM kb_articles WHERE id = ?`, id).Scan(&status, &vis)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && (status != StatusPublished || vis != VisibilityPublic)) {
			return fmt.Errorf("kb: article %d: %w", id, errs.ErrNotFound)
		}
		if err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `INSERT INTO kb_votes (article_id, visitor_hash, helpful, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (article_id, visitor_hash) DO NOTHING`, id, visitorHash, helpful, db.Ms(s.Now()))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		col := "helpful_no"
		if helpful {
			col = "helpful_yes"
		}
		counted = true
		_, err = tx.Exec(ctx, `UPDATE kb_articles SET `+col+` = `+col+` + 1 WHERE id = ?`, id)
		return err
	})
	return counted, err
}

// HasVoted reports whether visitorHash already voted on article id.
func (s *Service) HasVoted(ctx context.Context, id int64, visitorHash string) (bool, error) {
	var n int
	err := s.db.R().QueryRow(ctx, `SELECT COUNT(*) FROM kb_votes WHERE article_id = ? AND visitor_hash = ?`, id, visitorHash).Scan(&n)
	return n > 0, err
}

// RecordView counts a view of article id by visitorHash at most once per
// UTC day, and reports whether it counted.
func (s *Service) RecordView(ctx context.Context, id int64, visitorHash string) (bool, error) {
	day := s.Now().Unix() / 86400
	// A returning visitor costs one read, not a write transaction.
	var seen int
	if err := s.db.R().QueryRow(ctx, `SELECT COUNT(*) FROM kb_article_views WHERE article_id = ? AND visitor_hash = ? AND day = ?`,
		id, visitorHash, day).Scan(&seen); err != nil {
		return false, err
	}
	if seen > 0 {
		return false, nil
	}
	counted := false
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		counted = false
		res, err := tx.Exec(ctx, `INSERT INTO kb_article_views (article_id, visitor_hash, day) VALUES (?, ?, ?)
			ON CONFLICT (article_id, visitor_hash, day) DO NOTHING`, id, visitorHash, day)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		counted = true
		_, err = tx.Exec(ctx, `UPDATE kb_articles SET views = views + 1 WHERE id = ?`, id)
		return err
	})
	return counted, err
}

// --- help center settings

// Settings are the public help center's: Enabled (false: /help answers
// 404), BrandName shown in the header and titles, LogoURL (https only),
// Color (#rrggbb, the accent colour), ContactInboxID (the inbox the
// "contact us" form opens conversations in; nil hides the form).
type Settings struct {
	Enabled        bool      `json:"enabled"`
	BrandName      string    `json:"brand_name"`
	LogoURL        string    `json:"logo_url"`
	Color          string    `json:"color"`
	ContactInboxID *int64    `json:"contact_inbox_id"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// SettingsInput replaces the help center settings.
type SettingsInput struct {
	Enabled        bool   `json:"enabled"`
	BrandName      string `json:"brand_name"`
	LogoURL        string `json:"logo_url"`
	Color          string `json:"color"`
	ContactInboxID *int64 `json:"contact_inbox_id"`
}

// DefaultColor is the accent colour when none is set.
const DefaultColor = "#1f5fbf"

var colorRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// Settings returns the help center settings (enabled, no brand, default
// colour, no contact inbox when never set).
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	st := Settings{Enabled: true, Color: DefaultColor}
	var inbox sql.NullInt64
	var upd int64
	err := s.db.R().QueryRow(ctx, `SELECT enabled, brand_name, logo_url, color, contact_inbox_id, updated_at FROM helpcenter_settings
		WHERE id = 1`).Scan(&st.Enabled, &st.BrandName, &st.LogoURL, &st.Color, &inbox, &upd)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("kb: help center settings: %w", err)
	}
	if inbox.Valid {
		st.ContactInboxID = &inbox.Int64
	}
	if st.Color == "" {
		st.Color = DefaultColor
	}
	st.UpdatedAt = db.Time(upd)
	return st, nil
}

// UpdateSettings replaces the help center settings. Errors:
// *errs.ValidationError on brand_name (over 100 characters), logo_url (not
// an absolute https URL), color (not #rrggbb), contact_inbox_id (unknown).
func (s *Service) UpdateSettings(ctx context.Context, in SettingsInput) (Settings, error) {
	in.BrandName = strings.TrimSpace(in.BrandName)
	var c errs.Checker
	checkText(&c, "brand_name", in.BrandName, 100)
	if in.LogoURL != "" {
		u, err := url.Parse(in.LogoURL)
		c.Check(err == nil && u.Scheme == "https" && u.Host != "" && len(in.LogoURL) <= 2000, "logo_url", "invalid",
			"logo_url must be an absolute https:// URL")
	}
	if in.Color != "" {
		c.Check(colorRE.MatchString(in.Color), "color", "invalid", "color must be #rrggbb")
	}
	if err := c.Err(); err != nil {
		return Settings{}, err
	}
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		if in.ContactInboxID != nil {
			if err := exists(ctx, tx, "inboxes", *in.ContactInboxID); err != nil {
				return errs.Invalid("contact_inbox_id", "not_found", "inbox %d does not exist", *in.ContactInboxID)
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO helpcenter_settings (id, enabled, brand_name, logo_url, color, contact_inbox_id, updated_at)
			VALUES (1, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET enabled = excluded.enabled, brand_name = excluded.brand_name,
			logo_url = excluded.logo_url, color = excluded.color, contact_inbox_id = excluded.contact_inbox_id,
			updated_at = excluded.updated_at`, in.Enabled, in.BrandName, in.LogoURL, strings.ToLower(in.Color), in.ContactInboxID,
			db.Ms(s.Now()))
		return err
	})
	if err != nil {
		return Settings{}, err
	}
	return s.Settings(ctx)
}
