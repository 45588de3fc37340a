package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
)

// The Idempotency-Key protocol (as in draft-ietf-httpapi-idempotency-key-
// header): a POST carrying a key is executed at most once per principal and
// key. The key is claimed inside the same transaction as the write, so the
// claim and the created rows commit together; the response is stored right
// after. A repeat with the same body gets the stored response (with
// Idempotent-Replayed: true); a repeat with a different body is a 422; a
// repeat while the first is still running (or whose response was lost to a
// crash between commit and store) is a 409. Failed requests store nothing,
// so the client may retry them with the same key. Keys expire after
// IdempotencyTTL.

// IdempotencyTTL is how long a stored response is replayed.
const IdempotencyTTL = 24 * time.Hour

var errKeyTaken = errors.New("idempotency key already claimed")

func principalKeyOf(p *auth.Principal) string {
	if p.TokenID != 0 {
		return "token:" + strconv.FormatInt(p.TokenID, 10)
	}
	return "agent:" + strconv.FormatInt(p.AgentID, 10)
}

func (a *API) idempotent(w http.ResponseWriter, r *http.Request, p *auth.Principal, rt Route) {
	key := r.Header.Get("Idempotency-Key")
	if len(key) > 255 {
		writeProblem(w, r, errorProblem(errs.Invalid("Idempotency-Key", "too_long", "the key may be at most 255 characters")))
		return
	}
	limit := int64(maxJSONBody)
	if rt.Pattern == "/api/v1/attachments" {
		limit = 26 << 20
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", r.Method, r.URL.RequestURI())
	h.Write(body)
	hash := hex.EncodeToString(h.Sum(nil))
	principal := principalKeyOf(p)

	if a.replay(w, r, principal, key, hash) {
		return
	}
	claimed := false
	ctx := db.WithTxHook(r.Context(), func(ctx context.Context, tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO idempotency_keys (principal, key, method, path, request_hash, status, created_at)
			VALUES (?, ?, ?, ?, ?, 0, ?)`, principal, key, r.Method, r.URL.Path, hash, time.Now().UnixMilli())
		if db.IsUniqueViolation(err) {
			return errKeyTaken
		}
		claimed = err == nil
		return err
	})
	rec := &bodyRecorder{ResponseWriter: w, status: http.StatusOK}
	err = rt.Handler(rec, r.WithContext(ctx), p)
	if errors.Is(err, errKeyTaken) {
		if !a.replay(w, r, principal, key, hash) {
			writeProblem(w, r, Problem{Status: http.StatusConflict, Type: problemBase + "idempotency-in-progress",
				Title: "Request in progress", Detail: "a request with this Idempotency-Key is still being processed"})
		}
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if claimed && rec.status < 300 {
		serr := a.svc.DB.WriteTx(context.WithoutCancel(r.Context()), func(tx *db.Tx) error {
			_, err := tx.Exec(r.Context(), `UPDATE idempotency_keys SET status = ?, response = ? WHERE principal = ? AND key = ?`,
				rec.status, rec.buf.String(), principal, key)
			return err
		})
		if serr != nil {
			a.log.Error("store idempotent response", "err", serr)
		}
	}
}

// replay answers from a stored key and reports whether it did.
func (a *API) replay(w http.ResponseWriter, r *http.Request, principal, key, hash string) bool {
	var storedHash string
	var status int
	var resp sql.NullString
	var created int64
	err := a.svc.DB.R().QueryRow(r.Context(), `SELECT request_hash, status, response, created_at FROM idempotency_keys
		WHERE principal = ? AND key = ?`, principal, key).Scan(&storedHash, &status, &resp, &created)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && time.Since(db.Time(created)) > IdempotencyTTL) {
		if err == nil {
			_ = a.svc.DB.WriteTx(r.Context(), func(tx *db.Tx) error {
				_, err := tx.Exec(r.Context(), `DELETE FROM idempotency_keys WHERE principal = ? AND key = ?`, principal, key)
				return err
			})
		}
		return false
	}
	if err != nil {
		a.fail(w, r, err)
		return true
	}
	switch {
	case storedHash != hash:
		writeProblem(w, r, Problem{Status: http.StatusUnprocessableEntity, Type: problemBase + "idempotency-key-reused",
			Title: "Idempotency-Key reused", Detail: "this key was used for a different request",
			Errors: []errs.FieldError{{Field: "Idempotency-Key", Code: "reused", Message: "the key belongs to a request with another body"}}})
	case status == 0 || !resp.Valid:
		writeProblem(w, r, Problem{Status: http.StatusConflict, Type: problemBase + "idempotency-in-progress",
			Title: "Request in progress", Detail: "a request with this Idempotency-Key is being processed or its outcome was not recorded"})
	default:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, resp.String)
	}
	return true
}

// PurgeIdempotencyKeys deletes keys older than IdempotencyTTL.
func PurgeIdempotencyKeys(ctx context.Context, d *db.DB) error {
	return d.WriteTx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < ?`, time.Now().Add(-IdempotencyTTL).UnixMilli())
		return err
	})
}

type bodyRecorder struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (b *bodyRecorder) WriteHeader(code int) {
	b.status = code
	b.ResponseWriter.WriteHeader(code)
}

func (b *bodyRecorder) Write(p []byte) (int, error) {
	b.buf.Write(p)
	return b.ResponseWriter.Write(p)
}
