package secret_test

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/secret"
)

func TestSealOpen(t *testing.T) {
	b, err := secret.New("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	for _, plain := range []string{"", "hunter2", "סיסמה-בעברית", strings.Repeat("x", 5000)} {
		s1, s2 := b.Seal(plain), b.Seal(plain)
		if !secret.IsSealed(s1) || s1 == s2 {
			t.Fatalf("Seal(%q) = %q, %q: want two different sealed values", plain, s1, s2)
		}
		if plain != "" && strings.Contains(s1, plain) {
			t.Fatalf("sealed value shows the plaintext: %q", s1)
		}
		got, err := b.Open(s1)
		if err != nil || got != plain {
			t.Fatalf("Open(Seal(%q)) = %q, %v", plain, got, err)
		}
	}
	other, _ := secret.New("another key, also long enough")
	if _, err := other.Open(b.Seal("x")); !errors.Is(err, secret.ErrUndecryptable) {
		t.Fatalf("open with another key: %v, want ErrUndecryptable", err)
	}
	sealed := b.Seal("x")
	tampered := sealed[:len(sealed)-2] + "AA"
	if tampered == sealed {
		tampered = sealed[:len(sealed)-2] + "BB"
	}
	if _, err := b.Open(tampered); err == nil {
		t.Fatal("a tampered value decrypted")
	}
	if _, err := b.Open("plain"); err == nil {
		t.Fatal("an unsealed value decrypted")
	}
	if _, err := secret.New("short"); err == nil {
		t.Fatal("a 5-character key was accepted")
	}
}

func TestLoadCreatesKeyFileOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b1, err := secret.Load("", dir, log)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, secret.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	b2, err := secret.Load("", dir, log)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := b2.Open(b1.Seal("kept")); err != nil || got != "kept" {
		t.Fatalf("the second start cannot read the first start's secret: %q, %v", got, err)
	}
	configured, err := secret.Load("operator-provided-key-123", dir, log)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := configured.Open(b1.Seal("x")); err == nil {
		t.Fatal("a configured key must take precedence over the key file")
	}
}

// TestDerive: derived keys are stable for one key and info, differ per
// info and per key, and the box's own info is refused.
func TestDerive(t *testing.T) {
	a, err := secret.New("0123456789abcdef-operator-key")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := secret.New("0123456789abcdef-operator-key")
	c, _ := secret.New("another-operator-key-0123456789")
	k1, err := a.Derive("kesher survey links v1", 32)
	if err != nil || len(k1) != 32 {
		t.Fatalf("Derive: %x %v", k1, err)
	}
	k2, _ := b.Derive("kesher survey links v1", 32)
	k3, _ := a.Derive("kesher other use v1", 32)
	k4, _ := c.Derive("kesher survey links v1", 32)
	if string(k1) != string(k2) {
		t.Errorf("same key and info gave different keys")
	}
	if string(k1) == string(k3) || string(k1) == string(k4) {
		t.Errorf("different info or key gave the same key")
	}
	if _, err := a.Derive("kesher secret box v1", 32); err == nil {
		t.Errorf("the box's own info was accepted")
	}
}
