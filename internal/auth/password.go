// Package auth authenticates agents and API clients: argon2id password
// hashes, high-entropy API tokens and session tokens stored as SHA-256
// digests, and the Principal with its role-based permissions. It knows
// nothing of HTTP.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"golang.org/x/crypto/argon2"
)

// PasswordParams are argon2id cost parameters (RFC 9106). Memory is in KiB.
type PasswordParams struct {
	Time    uint32
	Memory  uint32
	Threads uint8
	KeyLen  uint32
	SaltLen uint32
}

// DefaultPasswordParams follow OWASP's argon2id guidance (m=64 MiB, t=1) with
// p=2 for a 2-core machine: about 100 ms per hash here.
var DefaultPasswordParams = PasswordParams{Time: 1, Memory: 64 * 1024, Threads: 2, KeyLen: 32, SaltLen: 16}

// FastPasswordParams are for tests and the demo seed only (m=8 MiB).
var FastPasswordParams = PasswordParams{Time: 1, Memory: 8 * 1024, Threads: 1, KeyLen: 32, SaltLen: 16}

// MinPasswordLength is the shortest password accepted, in characters.
const MinPasswordLength = 10

// ErrMismatch is returned by Hasher.Verify for a wrong password.
var ErrMismatch = errors.New("auth: password does not match")

// Hasher hashes and verifies passwords with argon2id, allowing at most a
// fixed number of hashes at once so that a burst of logins cannot exhaust
// memory (each hash holds Params.Memory KiB).
type Hasher struct {
	Params PasswordParams
	sem    chan struct{}
}

// NewHasher returns a Hasher running at most concurrent hashes at once.
func NewHasher(p PasswordParams, concurrent int) *Hasher {
	return &Hasher{Params: p, sem: make(chan struct{}, max(1, concurrent))}
}

// Hash returns the PHC string "$argon2id$v=19$m=…,t=…,p=…$salt$key".
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	p := h.Params
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify checks password against a PHC string made by Hash (with any
// parameters). It returns ErrMismatch for a wrong password and another error
// for a malformed hash.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) error {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return errors.New("auth: not an argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return errors.New("auth: unsupported argon2 version")
	}
	var p PasswordParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return fmt.Errorf("auth: bad argon2 parameters: %w", err)
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return fmt.Errorf("auth: bad salt: %w", err)
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return fmt.Errorf("auth: bad key: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	h.release()
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrMismatch
	}
	return nil
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// release frees a hashing slot. When no other hash is running, the 64 MiB
// the hash used is handed back to the OS at once (in the background), so
// an idle server stays small between sign-ins.
func (h *Hasher) release() {
	<-h.sem
	if len(h.sem) == 0 && h.Params.Memory >= 32*1024 {
		go debug.FreeOSMemory()
	}
}
