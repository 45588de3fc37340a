package db

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

func (d *DB) provider() (*goose.Provider, error) {
	dir, dialect := "migrations/sqlite", goose.DialectSQLite3
	if d.Dialect == Postgres {
		dir, dialect = "migrations/postgres", goose.DialectPostgres
	}
	sub, err := fs.Sub(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(dialect, d.Write, sub, goose.WithDisableGlobalRegistry(true))
}

// Migrate applies every pending migration, each in its own transaction, and
// returns the schema version reached. Migrations are forward-only.
func (d *DB) Migrate(ctx context.Context, log *slog.Logger) (int64, error) {
	p, err := d.provider()
	if err != nil {
		return 0, fmt.Errorf("db: migrations: %w", err)
	}
	res, err := p.Up(ctx)
	for _, r := range res {
		log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	if err != nil {
		return 0, fmt.Errorf("db: migrate: %w", err)
	}
	cur, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, err
	}
	// A store migrated by a newer Kesher has tables this binary does not know
	// how to keep consistent: refuse rather than corrupt them.
	if srcs := p.ListSources(); len(srcs) > 0 && cur > srcs[len(srcs)-1].Version {
		return cur, fmt.Errorf("db: the store is at schema version %d but this Kesher knows only up to %d; run the newer Kesher (or restore a backup)",
			cur, srcs[len(srcs)-1].Version)
	}
	return cur, nil
}

// SchemaStatus returns the schema version in the store and the newest
// version this binary knows.
func (d *DB) SchemaStatus(ctx context.Context) (current, latest int64, err error) {
	p, err := d.provider()
	if err != nil {
		return 0, 0, err
	}
	current, err = p.GetDBVersion(ctx)
	if err != nil {
		return 0, 0, err
	}
	srcs := p.ListSources()
	if len(srcs) > 0 {
		latest = srcs[len(srcs)-1].Version
	}
	return current, latest, nil
}
