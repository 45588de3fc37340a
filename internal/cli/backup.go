package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/kesherdesk/kesher/internal/db"
)

// BackupCmd writes an online backup of an SQLite desk.
type BackupCmd struct {
	Out string `required:"" help:"File to write (must not exist)." type:"path"`
}

// Run copies the live database with VACUUM INTO, which reads one consistent
// snapshot while writers go on (WAL), then checks the copy's integrity.
// PostgreSQL desks are backed up with pg_dump (see docs/operations.md).
func (b *BackupCmd) Run(ctx context.Context, g *Globals) error {
	if g.DatabaseURL != "" {
		return usagef("backup copies SQLite desks; for PostgreSQL use pg_dump (see docs/operations.md)")
	}
	if _, err := os.Stat(b.Out); err == nil {
		return usagef("%s exists; choose a new file", b.Out)
	}
	src := filepath.Join(g.DataDir, db.FileName)
	if _, err := os.Stat(src); err != nil {
		return usagef("no desk at %s", src)
	}
	if err := db.Backup(ctx, src, b.Out); err != nil {
		return err
	}
	fi, _ := os.Stat(b.Out)
	fmt.Fprintf(g.Stdout, "backup written: %s (%d bytes)\nalso copy %s/blobs (attachments over 64 KiB) and %s/secret.key (decrypts stored mail passwords)\n",
		b.Out, fi.Size(), g.DataDir, g.DataDir)
	return nil
}

// RestoreCmd puts a backup in place.
type RestoreCmd struct {
	From  string `required:"" help:"Backup file made by kesher backup." type:"existingfile"`
	Force bool   `help:"Overwrite a desk that already has data."`
}

// Run checks the backup, refuses to overwrite a non-empty desk without
// --force, and installs the copy atomically (temp file + rename).
func (r *RestoreCmd) Run(ctx context.Context, g *Globals) error {
	if g.DatabaseURL != "" {
		return usagef("restore installs SQLite backups; for PostgreSQL use pg_restore or psql (see docs/operations.md)")
	}
	if err := db.CheckIntegrity(ctx, r.From); err != nil {
		return usagef("%s is not a usable backup: %v", r.From, err)
	}
	dst := filepath.Join(g.DataDir, db.FileName)
	if !r.Force {
		nonEmpty, err := deskHasData(ctx, dst)
		if err != nil {
			return err
		}
		if nonEmpty {
			return usagef("the desk at %s has data; stop Kesher and pass --force to overwrite it", g.DataDir)
		}
	}
	if err := os.MkdirAll(g.DataDir, 0o750); err != nil {
		return err
	}
	tmp := dst + ".restore"
	if err := copyFile(r.From, tmp); err != nil {
		return err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		_ = os.Remove(dst + suffix)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "restored %s into %s\n", r.From, dst)
	return nil
}

func deskHasData(ctx context.Context, path string) (bool, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	conn, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return false, err
	}
	defer conn.Close()
	var n int
	var tables int
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('conversations', 'contacts', 'agents')`).Scan(&tables); err != nil {
		return true, fmt.Errorf("cannot read the desk at %s (is it in use?): %w", path, err)
	}
	if tables == 0 {
		return false, nil // an empty file: not a Kesher desk yet
	}
	for _, table := range []string{"conversations", "contacts", "agents"} {
		if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+table+` LIMIT 1)`).Scan(&n); err != nil {
			// Unreadable counts as not empty: never overwrite what we cannot see.
			return true, fmt.Errorf("cannot read the desk at %s: %w", path, err)
		}
		if n > 0 {
			return true, nil
		}
	}
	return false, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
