// Package testkit gives tests a fresh, migrated Kesher store: an SQLite file
// in a temporary directory, and a PostgreSQL schema of its own when
// KESHER_TEST_POSTGRES_URL is set. Tests run against real databases only.
package testkit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/url"
	"os"
	"testing"

	"github.com/kesherdesk/kesher/internal/db"
)

// PostgresURLEnv names the variable that enables the PostgreSQL half of the
// storage tests.
const PostgresURLEnv = "KESHER_TEST_POSTGRES_URL"

// Backend is one database a test runs on.
type Backend struct {
	Name string // "sqlite" or "postgres"
	Open func(t testing.TB) *db.DB
}

// Backends lists SQLite always and PostgreSQL when KESHER_TEST_POSTGRES_URL
// is set.
func Backends() []Backend {
	bs := []Backend{{Name: "sqlite", Open: SQLite}}
	if os.Getenv(PostgresURLEnv) != "" {
		bs = append(bs, Backend{Name: "postgres", Open: Postgres})
	}
	return bs
}

// Each runs fn as a subtest on every backend, each with its own fresh store.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) { fn(t, b.Open(t)) })
	}
}

// Logger discards logs unless KESHER_TEST_LOG is set.
func Logger() *slog.Logger {
	if os.Getenv("KESHER_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// SQLite opens a migrated SQLite store in t.TempDir().
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	return open(t, db.Options{DataDir: t.TempDir()})
}

// Postgres opens a migrated store in a new schema of the server named by
// KESHER_TEST_POSTGRES_URL, dropped when the test ends. It fails the test
// when the variable is unset.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	u, _ := PostgresSchemaURL(t)
	return open(t, db.Options{URL: u, DataDir: t.TempDir()})
}

// PostgresSchemaURL creates an empty schema on the test server and returns a
// URL whose connections use it, plus the schema name. The schema is dropped
// when the test ends.
func PostgresSchemaURL(t testing.TB) (string, string) {
	t.Helper()
	base := os.Getenv(PostgresURLEnv)
	if base == "" {
		t.Fatalf("%s is not set", PostgresURLEnv)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := db.Open(context.Background(), db.Options{URL: base})
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Write.Exec(`CREATE SCHEMA "` + schema + `"`); err != nil {
		t.Fatalf("testkit: create schema: %v", err)
	}
	t.Cleanup(func() {
		if a, err := db.Open(context.Background(), db.Options{URL: base}); err == nil {
			_, _ = a.Write.Exec(`DROP SCHEMA IF EXISTS "` + schema + `" CASCADE`)
			a.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), schema
}

func open(t testing.TB, o db.Options) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), o)
	if err != nil {
		t.Fatalf("testkit: open: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(context.Background(), Logger()); err != nil {
		t.Fatalf("testkit: migrate: %v", err)
	}
	return d
}
