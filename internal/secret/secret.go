// Package secret encrypts the few secrets Kesher must store to use them
// later (inbox SMTP and IMAP passwords) with AES-256-GCM. The key is derived
// with HKDF-SHA256 (RFC 5869) from the operator's KESHER_SECRET_KEY, or from
// a random key kept in <data>/secret.key when none is configured.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// prefix marks an encrypted value: "enc:v1:" + base64url(nonce ‖ sealed).
const prefix = "enc:v1:"

// hkdfInfo binds derived keys to this use, so the same operator key could
// safely feed other derivations later.
const hkdfInfo = "kesher secret box v1"

// FileName is the generated key file inside the data directory.
const FileName = "secret.key"

// ErrUndecryptable is returned by Open for a value that was encrypted with
// another key or was altered.
var ErrUndecryptable = errors.New("secret: cannot decrypt (was the secret key changed?)")

// Box encrypts and decrypts short strings. It is safe for concurrent use.
type Box struct {
	aead cipher.AEAD
	root []byte // the key material, for Derive
}

// New returns a Box keyed from key material of any length (at least 16
// bytes; a 32-byte random value is best).
func New(key string) (*Box, error) {
	if len(key) < 16 {
		return nil, errors.New("secret: the key must have at least 16 characters")
	}
	k, err := hkdf.Key(sha256.New, []byte(key), nil, hkdfInfo, 32)
	if err != nil {
		return nil, fmt.Errorf("secret: derive key: %w", err)
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead, root: []byte(key)}, nil
}

// Derive returns an n-byte key for another use, derived with HKDF-SHA256
// from the same key material under info (which must name that use, e.g.
// "kesher survey links v1"; never hkdfInfo). Keys derived under different
// infos are independent.
func (b *Box) Derive(info string, n int) ([]byte, error) {
	if info == hkdfInfo {
		return nil, errors.New("secret: Derive needs its own info string")
	}
	return hkdf.Key(sha256.New, b.root, nil, info, n)
}

// Ephemeral returns a Box with a random key that lives only in memory, for
// tests and tools that never read back what an earlier process stored.
func Ephemeral() *Box {
	b, err := New(randomKey())
	if err != nil {
		panic(err)
	}
	return b
}

// Seal encrypts plaintext; each call uses a fresh random nonce.
func (b *Box) Seal(plaintext string) string {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(plaintext)+b.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("secret: no randomness: " + err.Error())
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b.aead.Seal(nonce, nonce, []byte(plaintext), nil))
}

// Open decrypts a value made by Seal. Errors: ErrUndecryptable, or a
// malformed value.
func (b *Box) Open(sealed string) (string, error) {
	if !IsSealed(sealed) {
		return "", errors.New("secret: not an encrypted value")
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(sealed, prefix))
	if err != nil || len(raw) < b.aead.NonceSize() {
		return "", errors.New("secret: malformed encrypted value")
	}
	n := b.aead.NonceSize()
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], nil)
	if err != nil {
		return "", ErrUndecryptable
	}
	return string(plain), nil
}

// IsSealed reports whether s looks like a value made by Seal.
func IsSealed(s string) bool { return strings.HasPrefix(s, prefix) }

// Load returns the Box for key when it is set. Otherwise it reads the key
// in dataDir/secret.key, creating that file (mode 0600) with a random key
// on first start and logging where it is: whoever can read it can decrypt
// the stored secrets, and losing it makes them unreadable.
func Load(key, dataDir string, log *slog.Logger) (*Box, error) {
	if key != "" {
		return New(key)
	}
	path := filepath.Join(dataDir, FileName)
	b, err := os.ReadFile(path)
	if err == nil {
		return New(strings.TrimSpace(string(b)))
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("secret: read %s: %w", path, err)
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("secret: create %s: %w", dataDir, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) { // another process created it meanwhile
		return Load("", dataDir, log)
	}
	if err != nil {
		return nil, fmt.Errorf("secret: create %s: %w", path, err)
	}
	k := randomKey()
	_, err = f.WriteString(k + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return nil, fmt.Errorf("secret: write %s: %w", path, err)
	}
	log.Warn("generated a secret key for stored passwords; back it up with the data, or set KESHER_SECRET_KEY (needed when several nodes share one database)",
		"path", path)
	return New(k)
}

func randomKey() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("secret: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}
