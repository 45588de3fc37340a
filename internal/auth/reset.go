package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
)

// ResetPrefix starts every password reset secret.
const ResetPrefix = "ksp_"

// ResetTTL is how long a password reset link stays valid.
const ResetTTL = time.Hour

// ResetTarget is the agent a password reset token was issued for.
type ResetTarget struct {
	AgentID int64
	Name    string
	Email   string
	Locale  string
}

// IssueReset creates a single-use password reset token for the active agent
// with this email and returns its secret (to be mailed, never logged or
// stored: only its SHA-256 digest is kept) and the agent. Earlier unused
// tokens of the agent stop working. An unknown or inactive address returns
// errs.ErrNotFound, which callers must not reveal to the client.
func (s *Service) IssueReset(ctx context.Context, email string) (string, ResetTarget, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	var t ResetTarget
	var active bool
	err := s.db.R().QueryRow(ctx, `SELECT id, name, email, locale, active FROM agents WHERE email = ?`, email).
		Scan(&t.AgentID, &t.Name, &t.Email, &t.Locale, &active)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !active) {
		return "", ResetTarget{}, fmt.Errorf("agent %q: %w", email, errs.ErrNotFound)
	}
	if err != nil {
		return "", ResetTarget{}, fmt.Errorf("auth: reset: %w", err)
	}
	secret := NewSecret(ResetPrefix)
	now := time.Now()
	err = s.db.WriteTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM password_resets WHERE agent_id = ? AND used_at IS NULL`, t.AgentID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO password_resets (digest, agent_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			Digest(secret), t.AgentID, now.UnixMilli(), now.Add(ResetTTL).UnixMilli())
		return err
	})
	if err != nil {
		return "", ResetTarget{}, fmt.Errorf("auth: store reset token: %w", err)
	}
	return secret, t, nil
}

// RedeemReset marks the reset token with this secret used and returns the
// agent it belongs to. A token works once, within ResetTTL, for an agent
// that is still active; anything else is a *errs.ValidationError on field
// "token".
func (s *Service) RedeemReset(ctx context.Context, secret string) (int64, error) {
	bad := errs.Invalid("token", "invalid", "the reset link is invalid, expired or already used; request a new one")
	if !strings.HasPrefix(secret, ResetPrefix) {
		return 0, bad
	}
	var agentID int64
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		now := time.Now().UnixMilli()
		err := tx.QueryRow(ctx, `SELECT r.agent_id FROM password_resets r JOIN agents a ON a.id = r.agent_id
			WHERE r.digest = ? AND r.used_at IS NULL AND r.expires_at > ? AND a.active = ?`, Digest(secret), now, true).Scan(&agentID)
		if errors.Is(err, sql.ErrNoRows) {
			return bad
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE password_resets SET used_at = ? WHERE digest = ?`, now, Digest(secret))
		return err
	})
	if err != nil {
		return 0, err
	}
	return agentID, nil
}

// ValidPassword reports whether pw is long enough and not too long to be an
// agent's password.
func ValidPassword(pw string) bool {
	return len([]rune(pw)) >= MinPasswordLength && len(pw) <= 1024
}
