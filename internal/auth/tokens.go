package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
)

// TokenPrefix starts every API token, so that secret scanners can find
// leaked ones.
const TokenPrefix = "ksr_"

// Token is an API token's metadata; the secret itself is shown once at
// creation and stored only as its SHA-256 digest.
type Token struct {
	ID         int64      `json:"id"`
	AgentID    int64      `json:"agent_id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	Scopes     []string   `json:"scopes"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
}

// Digest is the hex SHA-256 of a token or session secret. A fast hash is
// right here: the secrets carry 256 bits of entropy, so they cannot be
// guessed, and a slow hash on every request would cap throughput.
func Digest(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// NewSecret returns prefix + 43 base64url characters (32 random bytes).
func NewSecret(prefix string) string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("auth: no randomness: " + err.Error())
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// Service authenticates tokens and sessions and issues them.
type Service struct {
	db     *db.DB
	log    *slog.Logger
	Hasher *Hasher
	// SessionTTL is how long a web session lasts (default 7 days).
	SessionTTL time.Duration

	mu       sync.Mutex
	cache    map[string]cached // digest → principal
	lastUsed map[int64]time.Time
}

type cached struct {
	p       Principal
	expires time.Time // when this cache entry lapses
	// tokenExpiry is the token's own expiry (zero for none): a cached token
	// stops working exactly when it expires, not when the entry lapses.
	tokenExpiry time.Time
}

// cacheTTL bounds how long a revoked token or changed role may still be
// honoured by this node.
const cacheTTL = 10 * time.Second

// NewService returns an auth service on d.
func NewService(d *db.DB, h *Hasher, log *slog.Logger) *Service {
	return &Service{db: d, log: log, Hasher: h, SessionTTL: 7 * 24 * time.Hour,
		cache: map[string]cached{}, lastUsed: map[int64]time.Time{}}
}

// CreateToken issues an API token for agentID with the given scopes ("*" or
// permission names) and optional expiry. It returns the secret, shown once.
// Errors: *errs.ValidationError for an empty name or unknown scope,
// errs.ErrNotFound for an unknown agent.
func (s *Service) CreateToken(ctx context.Context, agentID int64, name string, scopes []string, expiresAt *time.Time) (string, Token, error) {
	return s.createToken(ctx, agentID, name, scopes, expiresAt, NewSecret(TokenPrefix))
}

// EnsureToken creates a token with exactly the given secret unless one with
// that secret exists (for KESHER_BOOTSTRAP_API_TOKEN). It reports whether it
// created one.
func (s *Service) EnsureToken(ctx context.Context, agentID int64, name, secret string) (bool, error) {
	if len(secret) < 20 {
		return false, errs.Invalid("token", "too_short", "a bootstrap token must have at least 20 characters")
	}
	var id int64
	err := s.db.R().QueryRow(ctx, `SELECT id FROM api_tokens WHERE digest = ?`, Digest(secret)).Scan(&id)
	if err == nil {
		return false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	_, _, err = s.createToken(ctx, agentID, name, []string{"*"}, nil, secret)
	return err == nil, err
}

func (s *Service) createToken(ctx context.Context, agentID int64, name string, scopes []string, expiresAt *time.Time, secret string) (string, Token, error) {
	var c errs.Checker
	name = strings.TrimSpace(name)
	c.Check(name != "", "name", "required", "a token needs a name")
	c.MaxLen("name", name, 100)
	if len(scopes) == 0 {
		scopes = []string{"*"}
	}
	for i, sc := range scopes {
		c.Check(ValidScope(sc), fmt.Sprintf("scopes[%d]", i), "invalid", "unknown scope %q", sc)
	}
	if err := c.Err(); err != nil {
		return "", Token{}, err
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	t := Token{AgentID: agentID, Name: name, Prefix: secret[:min(len(secret), 8)], Scopes: scopes, CreatedAt: now, ExpiresAt: expiresAt}
	sc, _ := json.Marshal(scopes)
	var exp any
	if expiresAt != nil {
		exp = expiresAt.UnixMilli()
	}
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		id, err := tx.InsertID(ctx, `INSERT INTO api_tokens (agent_id, name, digest, prefix, scopes, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, agentID, name, Digest(secret), t.Prefix, string(sc), now.UnixMilli(), exp)
		t.ID = id
		return err
	})
	if db.IsForeignKeyViolation(err) {
		return "", Token{}, fmt.Errorf("agent %d: %w", agentID, errs.ErrNotFound)
	}
	if err != nil {
		return "", Token{}, fmt.Errorf("auth: create token: %w", err)
	}
	return secret, t, nil
}

// ListTokens returns the agent's tokens that are not revoked.
func (s *Service) ListTokens(ctx context.Context, agentID int64) ([]Token, error) {
	rows, err := s.db.R().Query(ctx, `SELECT id, agent_id, name, prefix, scopes, created_at, last_used_at, expires_at
		FROM api_tokens WHERE agent_id = ? AND revoked_at IS NULL ORDER BY id`, agentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var sc string
		var created int64
		var used, exp sql.NullInt64
		if err := rows.Scan(&t.ID, &t.AgentID, &t.Name, &t.Prefix, &sc, &created, &used, &exp); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(sc), &t.Scopes)
		t.CreatedAt = time.UnixMilli(created).UTC()
		t.LastUsedAt = msPtr(used)
		t.ExpiresAt = msPtr(exp)
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes token id of agentID (any agent's when agentID is 0).
func (s *Service) RevokeToken(ctx context.Context, agentID, id int64) error {
	var n int64
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL AND (? = 0 OR agent_id = ?)`,
			time.Now().UnixMilli(), id, agentID, agentID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("token %d: %w", id, errs.ErrNotFound)
	}
	s.mu.Lock()
	clear(s.cache)
	s.mu.Unlock()
	return nil
}

func msPtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := time.UnixMilli(v.Int64).UTC()
	return &t
}

// AuthenticateToken resolves an API token secret to its principal. Results
// are cached for a few seconds; last use is recorded in memory and written
// in batches by Run, never on every request. Returns
// errs.ErrUnauthenticated for an unknown, revoked or expired token or an
// inactive agent.
func (s *Service) AuthenticateToken(ctx context.Context, secret string) (*Principal, error) {
	if !strings.HasPrefix(secret, TokenPrefix) && len(secret) < 20 {
		return nil, errs.ErrUnauthenticated
	}
	dg := Digest(secret)
	now := time.Now()
	if p, ok := s.fromCache(dg, now); ok {
		s.touch(p.TokenID, now)
		return p, nil
	}
	var tokenID, agentID int64
	var sc string
	var exp sql.NullInt64
	err := s.db.R().QueryRow(ctx, `SELECT id, agent_id, scopes, expires_at FROM api_tokens
		WHERE digest = ? AND revoked_at IS NULL`, dg).Scan(&tokenID, &agentID, &sc, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.ErrUnauthenticated
	}
	if err != nil {
		return nil, fmt.Errorf("auth: look up token: %w", err)
	}
	if exp.Valid && exp.Int64 <= now.UnixMilli() {
		return nil, errs.ErrUnauthenticated
	}
	p, err := s.loadPrincipal(ctx, agentID)
	if err != nil {
		return nil, err
	}
	p.TokenID = tokenID
	if err := json.Unmarshal([]byte(sc), &p.Scopes); err != nil || p.Scopes == nil {
		p.Scopes = []string{}
	}
	s.toCache(dg, *p, now, exp.Int64)
	s.touch(tokenID, now)
	return p, nil
}

func (s *Service) fromCache(dg string, now time.Time) (*Principal, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cache[dg]
	if !ok || now.After(c.expires) || (!c.tokenExpiry.IsZero() && !now.Before(c.tokenExpiry)) {
		return nil, false
	}
	p := c.p
	return &p, true
}

// toCache remembers p for cacheTTL, never past expiry (Unix ms, 0 = none).
func (s *Service) toCache(dg string, p Principal, now time.Time, expiry int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.cache) > 10000 {
		clear(s.cache)
	}
	c := cached{p: p, expires: now.Add(cacheTTL)}
	if expiry > 0 {
		c.tokenExpiry = time.UnixMilli(expiry)
	}
	s.cache[dg] = c
}

// Forget drops cached principals (after a role, team or password change).
func (s *Service) Forget() {
	s.mu.Lock()
	clear(s.cache)
	s.mu.Unlock()
}

func (s *Service) touch(tokenID int64, now time.Time) {
	if tokenID == 0 {
		return
	}
	s.mu.Lock()
	s.lastUsed[tokenID] = now
	s.mu.Unlock()
}

// FlushLastUsed writes the remembered last-use times, one transaction for
// all tokens used since the previous flush.
func (s *Service) FlushLastUsed(ctx context.Context) error {
	s.mu.Lock()
	pending := s.lastUsed
	s.lastUsed = map[int64]time.Time{}
	s.mu.Unlock()
	if len(pending) == 0 {
		return nil
	}
	return s.db.WriteTx(ctx, func(tx *db.Tx) error {
		for id, at := range pending {
			if _, err := tx.Exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, at.UnixMilli(), id); err != nil {
				return err
			}
		}
		return nil
	})
}

// Run flushes last-use times every interval and removes expired sessions
// and password reset tokens, until ctx ends (then flushes once more).
func (s *Service) Run(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return s.FlushLastUsed(context.WithoutCancel(ctx))
		case <-t.C:
			if err := s.FlushLastUsed(ctx); err != nil {
				s.log.Error("flush token last-use failed", "err", err)
			}
			if err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
				now := time.Now().UnixMilli()
				if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE expires_at < ?`, now); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, `DELETE FROM password_resets WHERE expires_at < ?`, now)
				return err
			}); err != nil {
				s.log.Error("session cleanup failed", "err", err)
			}
		}
	}
}

// loadPrincipal reads an active agent and their teams.
func (s *Service) loadPrincipal(ctx context.Context, agentID int64) (*Principal, error) {
	p := &Principal{AgentID: agentID}
	var active bool
	err := s.db.R().QueryRow(ctx, `SELECT name, email, role, active FROM agents WHERE id = ?`, agentID).
		Scan(&p.Name, &p.Email, &p.Role, &active)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !active) {
		return nil, errs.ErrUnauthenticated
	}
	if err != nil {
		return nil, fmt.Errorf("auth: load agent: %w", err)
	}
	rows, err := s.db.R().Query(ctx, `SELECT team_id FROM team_members WHERE agent_id = ? ORDER BY team_id`, agentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		p.TeamIDs = append(p.TeamIDs, id)
	}
	return p, rows.Err()
}
