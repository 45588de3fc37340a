// Package config holds Kesher's typed configuration shared by every
// subcommand that touches the store, with a redacted form for logs.
package config

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/kesherdesk/kesher/internal/db"
)

// Store names the database: DatabaseURL (PostgreSQL) when set, else the
// SQLite file in DataDir. Attachments live under DataDir in both cases.
type Store struct {
	DataDir     string `name:"data" env:"KESHER_DATA" default:"./data" help:"Data directory: SQLite database and attachment files." type:"path"`
	DatabaseURL string `name:"database-url" env:"KESHER_DATABASE_URL" help:"PostgreSQL URL (postgres://user:pass@host/db); empty means embedded SQLite in --data."`
}

// DBOptions converts the store settings for db.Open.
func (s Store) DBOptions() db.Options { return db.Options{URL: s.DatabaseURL, DataDir: s.DataDir} }

// Describe names the store for humans, without secrets.
func (s Store) Describe() string {
	if s.DatabaseURL != "" {
		return "postgres " + db.RedactURL(s.DatabaseURL)
	}
	return "sqlite " + s.DataDir
}

// Validate checks the store settings.
func (s Store) Validate() error {
	if s.DatabaseURL != "" && !db.IsPostgresURL(s.DatabaseURL) {
		return fmt.Errorf("--database-url / KESHER_DATABASE_URL must be a postgres:// URL")
	}
	return nil
}

// Log configures logging.
type Log struct {
	Format string `name:"log-format" env:"KESHER_LOG_FORMAT" enum:"text,json" default:"text" help:"Log format: text or json."`
	Level  string `name:"log-level" env:"KESHER_LOG_LEVEL" enum:"debug,info,warn,error" default:"info" help:"Lowest level logged."`
}

// Logger builds the slog logger writing to w (stderr when nil).
func (l Log) Logger(w io.Writer) *slog.Logger {
	if w == nil {
		w = os.Stderr
	}
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(strings.ToUpper(l.Level)))
	opts := &slog.HandlerOptions{Level: lvl}
	if l.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
