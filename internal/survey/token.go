package survey

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
)

// Token layout: invitation id (8 bytes, big endian) ‖ 16 random bytes ‖
// HMAC-SHA256(key, id ‖ random) (32 bytes), base64url without padding.
const (
	idLen     = 8
	randomLen = 16
	macLen    = sha256.Size
	tokenLen  = idLen + randomLen + macLen
)

// newRandom returns 16 random bytes and the hex SHA-256 of them (the
// token_hash stored for them).
func newRandom() ([]byte, string, error) {
	b := make([]byte, randomLen)
	if _, err := rand.Read(b); err != nil {
		return nil, "", fmt.Errorf("survey: randomness: %w", err)
	}
	return b, hashRandom(b), nil
}

func hashRandom(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func (s *Service) mac(idAndRandom []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write(idAndRandom)
	return m.Sum(nil)
}

// makeToken returns the signed token of invitation id with random part r.
func (s *Service) makeToken(id int64, r []byte) string {
	b := make([]byte, 0, tokenLen)
	b = binary.BigEndian.AppendUint64(b, uint64(id))
	b = append(b, r...)
	b = append(b, s.mac(b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// NewLinkTx gives invitation id a fresh random part, stores its hash and
// returns the signed token (an earlier link of the invitation stops
// working).
func (s *Service) NewLinkTx(ctx context.Context, tx *db.Tx, id int64) (string, error) {
	r, h, err := newRandom()
	if err != nil {
		return "", err
	}
	if _, err := tx.Exec(ctx, `UPDATE survey_invitations SET token_hash = ? WHERE id = ?`, h, id); err != nil {
		return "", fmt.Errorf("survey: store link of invitation %d: %w", id, err)
	}
	return s.makeToken(id, r), nil
}

// parseToken checks token's signature in constant time and returns the
// invitation id and the hash of its random part. Errors: errs.ErrNotFound
// for a malformed or forged token.
func (s *Service) parseToken(token string) (int64, string, error) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(b) != tokenLen {
		return 0, "", errs.ErrNotFound
	}
	body, mac := b[:idLen+randomLen], b[idLen+randomLen:]
	if !hmac.Equal(mac, s.mac(body)) {
		return 0, "", errs.ErrNotFound
	}
	id := int64(binary.BigEndian.Uint64(body[:idLen]))
	if id <= 0 {
		return 0, "", errs.ErrNotFound
	}
	return id, hashRandom(body[idLen:]), nil
}

// Invitation is a sent invitation as its public page needs it.
type Invitation struct {
	ID             int64
	Kind           string
	ConversationID int64
	CampaignID     int64
	ContactID      int64
	Language       string
	Status         string
	SentAt         *time.Time
	ExpiresAt      time.Time
	// CES is the id of the conversation's CES invitation asked on the same
	// page (CSAT invitations of inboxes with CES on), 0 when none.
	CES int64
	// Brand is the name shown on the page: the conversation's (or the
	// campaign's) inbox name.
	Brand string
}

// ErrClosed is returned for an invitation whose answer window is over.
var ErrClosed = errors.New("survey: this survey is closed")

// Resolve returns the invitation of token. Errors: errs.ErrNotFound for
// a malformed or forged token, one whose random part is not the
// invitation's current one, or an invitation never sent; ErrClosed (with
// the invitation) after its window.
func (s *Service) Resolve(ctx context.Context, token string) (Invitation, error) {
	return s.resolve(ctx, s.db.R(), token)
}

func (s *Service) resolve(ctx context.Context, q db.Querier, token string) (Invitation, error) {
	id, h, err := s.parseToken(token)
	if err != nil {
		return Invitation{}, err
	}
	var inv Invitation
	var stored string
	var conv, camp, sent sql.NullInt64
	var expires int64
	var brand sql.NullString
	err = q.QueryRow(ctx, `SELECT i.id, i.kind, i.conversation_id, i.campaign_id, i.contact_id, i.language, i.status, i.sent_at,
		i.expires_at, i.token_hash, COALESCE(ib.name, cb.name) FROM survey_invitations i
		LEFT JOIN conversations c ON c.id = i.conversation_id LEFT JOIN inboxes ib ON ib.id = c.inbox_id
		LEFT JOIN nps_campaigns n ON n.id = i.campaign_id LEFT JOIN inboxes cb ON cb.id = n.inbox_id
		WHERE i.id = ?`, id).Scan(&inv.ID, &inv.Kind, &conv, &camp, &inv.ContactID, &inv.Language, &inv.Status, &sent,
		&expires, &stored, &brand)
	if errors.Is(err, sql.ErrNoRows) {
		return Invitation{}, errs.ErrNotFound
	}
	if err != nil {
		return Invitation{}, fmt.Errorf("survey: invitation %d: %w", id, err)
	}
	if subtle.ConstantTimeCompare([]byte(stored), []byte(h)) != 1 || !sent.Valid {
		return Invitation{}, errs.ErrNotFound
	}
	inv.ConversationID, inv.CampaignID, inv.Brand = conv.Int64, camp.Int64, brand.String
	inv.SentAt, inv.ExpiresAt = db.TimePtr(sent), db.Time(expires)
	if inv.Kind == KindCSAT && inv.ConversationID != 0 {
		err := q.QueryRow(ctx, `SELECT id FROM survey_invitations WHERE conversation_id = ? AND kind = ?`, inv.ConversationID,
			KindCES).Scan(&inv.CES)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return Invitation{}, err
		}
	}
	// A skipped invitation (never sent: auto-reply, bounce, limit) takes
	// no answer even if its link leaked.
	if !s.Now().Before(inv.ExpiresAt) || inv.Status == "skipped" {
		return inv, ErrClosed
	}
	return inv, nil
}
