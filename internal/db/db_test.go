package db_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

func TestMigrateAndConstraints(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		cur, latest, err := d.SchemaStatus(ctx)
		if err != nil || cur != latest || cur < 1 {
			t.Fatalf("schema status = %d/%d, %v; want current == latest >= 1", cur, latest, err)
		}
		insertTag := func(name string) error {
			return d.WriteTx(ctx, func(tx *db.Tx) error {
				_, err := tx.Exec(ctx, `INSERT INTO tags (name, created_at) VALUES (?, ?)`, name, 1)
				return err
			})
		}
		if err := insertTag("vip"); err != nil {
			t.Fatal(err)
		}
		err = insertTag("vip")
		if !db.IsUniqueViolation(err) {
			t.Fatalf("duplicate tag: got %v, want a unique violation", err)
		}
		err = d.WriteTx(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO team_members (team_id, agent_id) VALUES (?, ?)`, 999, 999)
			return err
		})
		if !db.IsForeignKeyViolation(err) {
			t.Fatalf("dangling team member: got %v, want a foreign-key violation", err)
		}
		var n int
		if err := d.R().QueryRow(ctx, `SELECT COUNT(*) FROM tags WHERE name = ?`, "vip").Scan(&n); err != nil || n != 1 {
			t.Fatalf("tags named vip = %d, %v; want 1", n, err)
		}
	})
}

// TestConcurrentWriters checks the single-writer pattern: many goroutines
// writing at once neither deadlock nor fail with "database is locked".
func TestConcurrentWriters(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 200)
		for i := range 200 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- d.WriteTx(ctx, func(tx *db.Tx) error {
					var n int
					if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM tags`).Scan(&n); err != nil {
						return err
					}
					_, err := tx.Exec(ctx, `INSERT INTO tags (name, created_at) VALUES (?, ?)`, "t"+string(rune('a'+i%26))+string(rune('0'+i/26)), n)
					return err
				})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		var n int
		if err := d.R().QueryRow(ctx, `SELECT COUNT(*) FROM tags`).Scan(&n); err != nil || n != 200 {
			t.Fatalf("tags = %d, %v; want 200", n, err)
		}
	})
}

func TestRebind(t *testing.T) {
	d := &db.DB{Dialect: db.Postgres}
	got := d.Rebind(`SELECT '?' , a FROM t WHERE a = ? AND b IN (?, ?)`)
	want := `SELECT '?' , a FROM t WHERE a = $1 AND b IN ($2, $3)`
	if got != want {
		t.Fatalf("Rebind = %q, want %q", got, want)
	}
}

// TestRefusesNewerSchema: a store migrated by a newer Kesher is refused.
func TestRefusesNewerSchema(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		_, latest, _ := d.SchemaStatus(ctx)
		if _, err := d.Write.ExecContext(ctx, d.Rebind(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, ?)`), latest+5, true); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Migrate(ctx, testkit.Logger()); err == nil || !strings.Contains(err.Error(), "newer Kesher") {
			t.Fatalf("Migrate on a newer schema: %v", err)
		}
	})
}

func TestPlaceholders(t *testing.T) {
	for n, want := range map[int]string{-1: "", 0: "", 1: "?", 3: "?,?,?"} {
		if got := db.Placeholders(n); got != want {
			t.Errorf("Placeholders(%d) = %q, want %q", n, got, want)
		}
	}
}
