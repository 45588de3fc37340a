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

// SessionPrefix starts every session secret.
const SessionPrefix = "kss_"

// Login checks an agent's email and password and opens a session. It
// returns the session secret (for the cookie) and the principal. A wrong
// email and a wrong password give the same errs.ErrUnauthenticated, and an
// unknown email still costs one hash, so timing does not reveal which
// addresses exist.
func (s *Service) Login(ctx context.Context, email, password string) (string, *Principal, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	var id int64
	var hash string
	var active bool
	err := s.db.R().QueryRow(ctx, `SELECT id, password_hash, active FROM agents WHERE email = ?`, email).Scan(&id, &hash, &active)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (hash == "" || !active)) {
		_, _ = s.Hasher.Hash(ctx, password) // equalize timing
		return "", nil, errs.ErrUnauthenticated
	}
	if err != nil {
		return "", nil, fmt.Errorf("auth: login: %w", err)
	}
	if err := s.Hasher.Verify(ctx, hash, password); err != nil {
		if errors.Is(err, ErrMismatch) {
			return "", nil, errs.ErrUnauthenticated
		}
		return "", nil, err
	}
	secret := NewSecret(SessionPrefix)
	now := time.Now()
	err = s.db.WriteTx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO sessions (digest, agent_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			Digest(secret), id, now.UnixMilli(), now.Add(s.SessionTTL).UnixMilli())
		return err
	})
	if err != nil {
		return "", nil, fmt.Errorf("auth: open session: %w", err)
	}
	p, err := s.loadPrincipal(ctx, id)
	if err != nil {
		return "", nil, err
	}
	p.SessionDigest = Digest(secret)
	return secret, p, nil
}

// AuthenticateSession resolves a session secret to its principal.
func (s *Service) AuthenticateSession(ctx context.Context, secret string) (*Principal, error) {
	if !strings.HasPrefix(secret, SessionPrefix) {
		return nil, errs.ErrUnauthenticated
	}
	dg := Digest(secret)
	now := time.Now()
	if p, ok := s.fromCache(dg, now); ok {
		return p, nil
	}
	var agentID, exp int64
	err := s.db.R().QueryRow(ctx, `SELECT agent_id, expires_at FROM sessions WHERE digest = ?`, dg).Scan(&agentID, &exp)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && exp <= now.UnixMilli()) {
		return nil, errs.ErrUnauthenticated
	}
	if err != nil {
		return nil, fmt.Errorf("auth: look up session: %w", err)
	}
	p, err := s.loadPrincipal(ctx, agentID)
	if err != nil {
		return nil, err
	}
	p.SessionDigest = dg
	s.toCache(dg, *p, now, exp)
	return p, nil
}

// Logout ends the session with the given digest.
func (s *Service) Logout(ctx context.Context, digest string) error {
	s.mu.Lock()
	delete(s.cache, digest)
	s.mu.Unlock()
	return s.db.WriteTx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM sessions WHERE digest = ?`, digest)
		return err
	})
}

// CheckPassword verifies an agent's current password (before a change of
// password). A wrong password is errs.ErrUnauthenticated.
func (s *Service) CheckPassword(ctx context.Context, agentID int64, password string) error {
	var hash string
	if err := s.db.R().QueryRow(ctx, `SELECT password_hash FROM agents WHERE id = ?`, agentID).Scan(&hash); err != nil {
		return fmt.Errorf("auth: check password: %w", err)
	}
	if hash == "" {
		return errs.ErrUnauthenticated
	}
	if err := s.Hasher.Verify(ctx, hash, password); err != nil {
		if errors.Is(err, ErrMismatch) {
			return errs.ErrUnauthenticated
		}
		return err
	}
	return nil
}
