package credit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/jobs"
	"github.com/kesherdesk/kesher/internal/rules"
)

// Ledger export.
const (
	// KindExport is the job kind that posts one ledger entry to the export
	// URL (payload {"entry_id"}; unique key "credit.export:<id>").
	KindExport = "credit.export"
	// ExportAttempts is how often an export is tried (with the runner's
	// exponential backoff) before it is kept as failed.
	ExportAttempts = 8
	// SignatureHeader carries "sha256=<hex HMAC-SHA256 of the body keyed
	// with the export secret>" (the same scheme as automation webhooks).
	SignatureHeader = rules.SignatureHeader
	// settingsKey is the commerce_settings key of the export settings.
	settingsKey = "ledger_export"
)

// ExportSettings configure the ledger export webhook: every new ledger
// entry is POSTed to URL as ExportBody, signed with Secret. An empty URL
// turns the export off. Secret is write-only: reads return SecretSet, and
// URL with the password of its userinfo replaced by "xxxxx"
// (url.URL.Redacted).
type ExportSettings struct {
	URL       string  `json:"url"`
	Secret    *string `json:"secret,omitempty"`
	SecretSet bool    `json:"secret_set"`
}

// ExportSettingsInput changes the export settings: URL nil keeps the
// stored URL, "" turns the export off, and the redacted form of the stored
// URL (as ExportSettings shows it) keeps the stored one with its password;
// Secret nil keeps the stored secret, "" removes it.
type ExportSettingsInput struct {
	URL    *string `json:"url"`
	Secret *string `json:"secret"`
}

// ExportBody is what the shop receives: {"event": "credit.granted" or
// "credit.reversed", "entry": Entry}.
type ExportBody struct {
	Event string `json:"event"`
	Entry Entry  `json:"entry"`
}

type storedExport struct {
	URL    string `json:"url"`
	Secret string `json:"secret,omitempty"` // sealed by internal/secret
}

func (s *Service) exportSettings(ctx context.Context, q db.Querier) (storedExport, error) {
	var v string
	err := q.QueryRow(ctx, `SELECT value FROM commerce_settings WHERE key = ?`, settingsKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return storedExport{}, nil
	}
	if err != nil {
		return storedExport{}, fmt.Errorf("credit: load export settings: %w", err)
	}
	var st storedExport
	if err := json.Unmarshal([]byte(v), &st); err != nil {
		return storedExport{}, fmt.Errorf("credit: export settings: %w", err)
	}
	return st, nil
}

// ExportSettings returns the export settings (without the secret, the
// URL's password redacted).
func (s *Service) ExportSettings(ctx context.Context) (ExportSettings, error) {
	st, err := s.exportSettings(ctx, s.db.R())
	return ExportSettings{URL: redacted(st.URL), SecretSet: st.Secret != ""}, err
}

// redacted is raw with the password of its userinfo replaced by "xxxxx".
func redacted(raw string) string {
	return rules.RedactURL(raw)
}

// PutExportSettings stores in, by actor (see ExportSettingsInput for what
// is kept). Errors: *errs.ValidationError ("url": not an absolute http or
// https URL; "secret": too long).
func (s *Service) PutExportSettings(ctx context.Context, actor Actor, in ExportSettingsInput) (ExportSettings, error) {
	var c errs.Checker
	if in.URL != nil {
		v := strings.TrimSpace(*in.URL)
		in.URL = &v
		if v != "" {
			u, err := url.Parse(v)
			c.Check(err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "", "url", "invalid", "an absolute http(s) URL, or empty to turn the export off")
			c.MaxLen("url", v, 2000)
		}
	}
	if in.Secret != nil {
		c.MaxLen("secret", *in.Secret, 500)
	}
	if err := c.Err(); err != nil {
		return ExportSettings{}, err
	}
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		st, err := s.exportSettings(ctx, tx)
		if err != nil {
			return err
		}
		if in.URL != nil && (*in.URL != redacted(st.URL) || *in.URL == "") {
			st.URL = *in.URL
		}
		if in.Secret != nil {
			st.Secret = ""
			if *in.Secret != "" {
				st.Secret = s.o.Secrets.Seal(*in.Secret)
			}
		}
		now := db.Ms(s.o.Now())
		_, err = tx.Exec(ctx, `INSERT INTO commerce_settings (key, value, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, settingsKey, db.JSON(st), now)
		if err != nil {
			return fmt.Errorf("credit: save export settings: %w", err)
		}
		return record(ctx, tx, actor, "ledger_export.changed", "commerce_settings", 0)
	})
	if err != nil {
		return ExportSettings{}, err
	}
	return s.ExportSettings(ctx)
}

// scheduleExport records entry id as pending export and schedules its job,
// when an export URL is set.
func (s *Service) scheduleExport(ctx context.Context, tx *db.Tx, id int64) error {
	st, err := s.exportSettings(ctx, tx)
	if err != nil || st.URL == "" {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO credit_exports (entry_id, status, attempts, updated_at) VALUES (?, 'pending', 0, ?)`,
		id, db.Ms(s.o.Now())); err != nil {
		return fmt.Errorf("credit: record export of %d: %w", id, err)
	}
	j := jobs.Job{Kind: KindExport, Payload: map[string]int64{"entry_id": id}, UniqueKey: fmt.Sprintf("%s:%d", KindExport, id),
		MaxAttempts: ExportAttempts}
	if s.o.Jobs != nil {
		_, _, err = s.o.Jobs.Schedule(ctx, tx, j)
	} else {
		_, _, err = jobs.Schedule(ctx, tx, j)
	}
	return err
}

// ExportStatus is the delivery state of one entry's export.
type ExportStatus struct {
	EntryID   int64  `json:"entry_id"`
	Status    string `json:"status"`
	Attempts  int    `json:"attempts"`
	LastError string `json:"last_error"`
}

// ExportStatus returns the export state of entry id. Errors:
// errs.ErrNotFound when the entry was never scheduled for export.
func (s *Service) ExportStatus(ctx context.Context, id int64) (ExportStatus, error) {
	st := ExportStatus{EntryID: id}
	err := s.db.R().QueryRow(ctx, `SELECT status, attempts, last_error FROM credit_exports WHERE entry_id = ?`, id).
		Scan(&st.Status, &st.Attempts, &st.LastError)
	if errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("export of entry %d: %w", id, errs.ErrNotFound)
	}
	return st, err
}

// deliverExport posts one entry, outside any transaction, then records
// the outcome in credit_exports. A non-2xx answer or no answer fails the
// attempt so the runner retries it; the last failed attempt leaves status
// "failed". Delivery is at least once (receivers dedupe by entry id).
func (s *Service) deliverExport(ctx context.Context, j jobs.Job) error {
	var p struct {
		EntryID int64 `json:"entry_id"`
	}
	if err := j.Decode(&p); err != nil {
		return err
	}
	e, err := s.Entry(ctx, p.EntryID)
	if err != nil {
		return err
	}
	st, err := s.exportSettings(ctx, s.db.R())
	if err != nil {
		return err
	}
	sendErr := s.post(ctx, st, e)
	status := "sent"
	if sendErr != nil {
		status = "pending"
		if j.Attempts >= ExportAttempts || st.URL == "" {
			status = "failed"
		}
	}
	msg := ""
	if sendErr != nil {
		msg = sendErr.Error()
	}
	now := db.Ms(s.o.Now())
	var sentAt any
	if status == "sent" {
		sentAt = now
	}
	if err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE credit_exports SET status = ?, attempts = attempts + 1, last_error = ?,
			sent_at = COALESCE(?, sent_at), updated_at = ? WHERE entry_id = ?`,
			status, msg, sentAt, now, e.ID)
		return err
	}); err != nil {
		return fmt.Errorf("credit: record export of %d: %w", e.ID, err)
	}
	if st.URL == "" {
		return nil // turned off meanwhile: recorded as failed, not retried
	}
	return sendErr
}

func (s *Service) post(ctx context.Context, st storedExport, e Entry) error {
	if st.URL == "" {
		return errors.New("the ledger export is turned off")
	}
	event := "credit.granted"
	if e.ReversesID != nil {
		event = "credit.reversed"
	}
	body, err := json.Marshal(ExportBody{Event: event, Entry: e})
	if err != nil {
		return err
	}
	secret := ""
	if st.Secret != "" {
		if secret, err = s.o.Secrets.Open(st.Secret); err != nil {
			return fmt.Errorf("export secret cannot be decrypted (the secret key changed?): %w", err)
		}
	}
	return rules.PostJSON(ctx, s.o.HTTPClient, st.URL, body, secret, "Kesher-Ledger/1")
}
