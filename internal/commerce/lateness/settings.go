package lateness

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/inbox"
)

// SettingsKey is the commerce_settings key of the lateness settings.
const SettingsKey = "lateness"

// Limits of the settings.
const (
	MinScanIntervalMinutes = 1
	MaxScanIntervalMinutes = 1440
	MaxMinTransitDays      = 30
)

// Settings configure late-delivery detection (GET/PUT
// /api/v1/commerce/lateness-settings), stored as JSON in
// commerce_settings under SettingsKey.
//
// Calendar names a business calendar ("il" or a stored one) whose zone
// defines days and whose open days are business days. Unit is
// "business_days" or "calendar_days" (days late). NoticeInboxID is the
// inbox of the late-delivery conversations and the one whose SMTP server
// sends the notices; it must be an email inbox; 0 means the first enabled
// email inbox (lowest id), and when the desk has none the conversation is
// still opened in its first enabled inbox of any channel, without a notice
// email. ScanIntervalMinutes (1–1440) is the period of the scan job. Notify
// turns the proactive notice email on. MinTransitBusinessDays (0–30) is
// how many business days an unshipped order needs before its promised day
// before it counts as at risk (0: never for that reason).
type Settings struct {
	Enabled                bool   `json:"enabled"`
	Calendar               string `json:"calendar"`
	Unit                   string `json:"unit"`
	NoticeInboxID          int64  `json:"notice_inbox_id"`
	ScanIntervalMinutes    int    `json:"scan_interval_minutes"`
	Notify                 bool   `json:"notify"`
	MinTransitBusinessDays int    `json:"min_transit_business_days"`
}

// DefaultSettings are in force until an admin saves others: enabled, the
// built-in "il" calendar, business days, the first email inbox, a scan
// every 15 minutes, notices on, one business day of transit.
func DefaultSettings() Settings {
	return Settings{Enabled: true, Calendar: "il", Unit: BusinessDays, ScanIntervalMinutes: 15, Notify: true,
		MinTransitBusinessDays: 1}
}

// rules are the verdict rules of s.
func (s Settings) rules() Rules {
	return Rules{Unit: s.Unit, MinTransitBusinessDays: s.MinTransitBusinessDays}
}

// loadSettings reads the stored settings through q; fields a stored
// document lacks keep their defaults.
func loadSettings(ctx context.Context, q db.Querier) (Settings, error) {
	st := DefaultSettings()
	var raw string
	err := q.QueryRow(ctx, `SELECT value FROM commerce_settings WHERE key = ?`, SettingsKey).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("lateness: settings: %w", err)
	}
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return DefaultSettings(), fmt.Errorf("lateness: settings: %w", err)
	}
	return st, nil
}

// Settings returns the lateness settings in force.
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	return loadSettings(ctx, s.db.R())
}

// UpdateSettings validates and stores in (a whole document: PUT). Errors:
// *errs.ValidationError naming the field — calendar (unknown), unit,
// notice_inbox_id (no such inbox, or not an email inbox),
// scan_interval_minutes (outside 1–1440), min_transit_business_days
// (outside 0–30). The change is audited as "commerce.lateness_settings".
func (s *Service) UpdateSettings(ctx context.Context, actor audit.Actor, in Settings) (Settings, error) {
	var c errs.Checker
	in.Calendar = strings.TrimSpace(in.Calendar)
	if c.Check(in.Calendar != "", "calendar", "required", "name a business calendar, e.g. il"); in.Calendar != "" {
		if _, err := s.calendars.BusinessCalendar(ctx, in.Calendar); errors.Is(err, errs.ErrNotFound) {
			c.Add("calendar", "not_found", "no calendar %q", in.Calendar)
		} else if err != nil {
			return Settings{}, err
		}
	}
	c.OneOf("unit", in.Unit, BusinessDays, CalendarDays)
	c.Check(in.ScanIntervalMinutes >= MinScanIntervalMinutes && in.ScanIntervalMinutes <= MaxScanIntervalMinutes,
		"scan_interval_minutes", "out_of_range", "between %d and %d minutes", MinScanIntervalMinutes, MaxScanIntervalMinutes)
	c.Check(in.MinTransitBusinessDays >= 0 && in.MinTransitBusinessDays <= MaxMinTransitDays,
		"min_transit_business_days", "out_of_range", "between 0 and %d business days", MaxMinTransitDays)
	c.Check(in.NoticeInboxID >= 0, "notice_inbox_id", "invalid", "an inbox id, or 0 for the first email inbox")
	if err := c.Err(); err != nil {
		return Settings{}, err
	}
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		if in.NoticeInboxID > 0 {
			var channel string
			err := tx.QueryRow(ctx, `SELECT channel FROM inboxes WHERE id = ?`, in.NoticeInboxID).Scan(&channel)
			if errors.Is(err, sql.ErrNoRows) {
				return errs.Invalid("notice_inbox_id", "not_found", "no inbox %d", in.NoticeInboxID)
			}
			if err != nil {
				return err
			}
			if channel != inbox.ChannelEmail {
				return errs.Invalid("notice_inbox_id", "not_email", "inbox %d is a %s inbox; notices need an email inbox",
					in.NoticeInboxID, channel)
			}
		}
		old, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		now := s.Now()
		if _, err := tx.Exec(ctx, `INSERT INTO commerce_settings (key, value, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
			SettingsKey, db.JSON(in), db.Ms(now)); err != nil {
			return fmt.Errorf("lateness: store settings: %w", err)
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "commerce.lateness_settings", EntityType: "commerce_settings",
			CreatedAt: now, Changes: map[string]audit.Change{"lateness": {From: old, To: in}}})
	})
	if err != nil {
		return Settings{}, err
	}
	return in, nil
}
