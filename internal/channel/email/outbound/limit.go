package outbound

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/channel/email"
	"github.com/kesherdesk/kesher/internal/db"
)

// DefaultAutomaticLimit is the number of automatic messages one address
// may receive per hour when the inbox setting
// "automatic_limit_per_hour" is absent.
const DefaultAutomaticLimit = 5

// AllowAutomatic reports whether one more automatic message
// (acknowledgement, survey) may go to address now under the default
// limit, DefaultAutomaticLimit per sliding hour, and when it may, records
// it in tx (so the caller sends it only if tx commits). address is
// compared case-insensitively. Errors: a database error.
func AllowAutomatic(ctx context.Context, tx *db.Tx, address string) (bool, error) {
	return AllowAutomaticN(ctx, tx, address, DefaultAutomaticLimit, time.Now())
}

// AllowAutomaticN is AllowAutomatic with limit messages per hour before
// now (limit ≤ 0 allows none). On PostgreSQL concurrent callers for the
// same address are serialised by a transaction-scoped advisory lock; on
// SQLite the single writer does it. Errors: a database error.
func AllowAutomaticN(ctx context.Context, tx *db.Tx, address string, limit int, now time.Time) (bool, error) {
	address = strings.ToLower(strings.TrimSpace(address))
	if address == "" || limit <= 0 {
		return false, nil
	}
	if tx.Dialect() == db.Postgres {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(?, 3834))`, "kesher.automatic:"+address); err != nil {
			return false, fmt.Errorf("outbound: lock automatic mail of %s: %w", address, err)
		}
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM automatic_mail_log WHERE address = ? AND sent_at > ?`,
		address, now.Add(-time.Hour).UnixMilli()).Scan(&n); err != nil {
		return false, fmt.Errorf("outbound: count automatic mail of %s: %w", address, err)
	}
	if n >= limit {
		return false, nil
	}
	if _, err := tx.Exec(ctx, `INSERT INTO automatic_mail_log (address, sent_at) VALUES (?, ?)`, address, now.UnixMilli()); err != nil {
		return false, fmt.Errorf("outbound: record automatic mail of %s: %w", address, err)
	}
	// Old rows are of no use; trim this address's so the table stays small.
	if _, err := tx.Exec(ctx, `DELETE FROM automatic_mail_log WHERE address = ? AND sent_at <= ?`,
		address, now.Add(-24*time.Hour).UnixMilli()); err != nil {
		return false, fmt.Errorf("outbound: trim automatic mail of %s: %w", address, err)
	}
	return true, nil
}

// Reasons WithholdAutomatic gives for not sending an automatic mail.
const (
	WithheldNoAddress = "no_email_address" // the recipient has no address
	WithheldBounced   = "address_bounced"  // mail to the address bounces
	WithheldLimit     = "automatic_limit"  // the inbox's hourly automatic-mail limit is reached
)

// WithholdAutomatic says why no automatic mail (a survey, a proactive
// notice) may go to address from an inbox whose settings JSON is
// inboxSettings, "" when it may: the address is empty, has bounced
// (email.Bouncing), or has reached the inbox's "automatic_limit_per_hour"
// (DefaultAutomaticLimit when unset). When it may, the mail is recorded
// against the limit in tx (AllowAutomaticN), so the caller sends it only if
// tx commits. Errors: a database error.
func WithholdAutomatic(ctx context.Context, tx *db.Tx, address, inboxSettings string, now time.Time) (string, error) {
	address = strings.TrimSpace(address)
	if address == "" {
		return WithheldNoAddress, nil
	}
	bounced, _, err := email.Bouncing(ctx, tx, address)
	if err != nil {
		return "", err
	}
	if bounced {
		return WithheldBounced, nil
	}
	limit := DefaultAutomaticLimit
	var settings map[string]any
	if json.Unmarshal([]byte(inboxSettings), &settings) == nil {
		if f, ok := settings[SettingAutomaticLimit].(float64); ok {
			limit = int(f)
		}
	}
	ok, err := AllowAutomaticN(ctx, tx, address, limit, now)
	if err != nil {
		return "", err
	}
	if !ok {
		return WithheldLimit, nil
	}
	return "", nil
}
