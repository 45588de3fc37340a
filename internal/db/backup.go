package db

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
)

// Backup writes a consistent copy of the SQLite database at src to dst with
// VACUUM INTO (https://www.sqlite.org/lang_vacuum.html#vacuuminto): it reads
// one snapshot, so writers keep going while it runs, and the copy is
// compacted. The copy is then checked with PRAGMA integrity_check.
func Backup(ctx context.Context, src, dst string) error {
	conn, err := sql.Open("sqlite", sqliteDSN(src, false))
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, dst); err != nil {
		return fmt.Errorf("db: backup: %w", err)
	}
	// The copy holds the same secrets as the desk: owner-only.
	if err := os.Chmod(dst, 0o600); err != nil {
		return fmt.Errorf("db: backup: %w", err)
	}
	return CheckIntegrity(ctx, dst)
}

// CheckIntegrity runs PRAGMA integrity_check and foreign_key_check on the
// SQLite file at path and fails unless both are clean.
func CheckIntegrity(ctx context.Context, path string) error {
	conn, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer conn.Close()
	var res string
	if err := conn.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return fmt.Errorf("db: integrity check: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("db: integrity check: %s", res)
	}
	rows, err := conn.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return fmt.Errorf("db: foreign key check: %w", err)
	}
	defer rows.Close()
	if rows.Next() {
		return fmt.Errorf("db: foreign key check: dangling references")
	}
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM goose_db_version`).Scan(&n); err != nil || n == 0 {
		if err != nil && strings.Contains(err.Error(), "no such table") {
			return fmt.Errorf("db: not a Kesher database")
		}
	}
	return nil
}
