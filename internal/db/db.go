// Package db opens Kesher's store — embedded SQLite (default) or PostgreSQL —
// and gives the rest of the code one way to run queries on either: a writer
// and a reader handle, a transaction helper, placeholder rebinding and a
// classification of driver errors. Dialect knowledge lives here and nowhere
// else.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"
)

// Dialect names the SQL engine behind a DB.
type Dialect string

// The two supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open Kesher store. Write is the handle for every statement that
// changes data: on SQLite it is a pool of exactly one connection, so writers
// queue in Go instead of failing with SQLITE_BUSY, and every transaction
// begins IMMEDIATE. Read is a pool for read-only queries (on PostgreSQL the
// two are the same pool). A DB is safe for concurrent use.
type DB struct {
	Dialect Dialect
	Write   *sql.DB
	Read    *sql.DB
	// Path is the SQLite database file (empty on PostgreSQL).
	Path string

	// SQLite parses every statement anew unless it is prepared; the caches
	// keep one prepared statement per query text for each pool. PostgreSQL
	// needs none: pgx caches prepared statements per connection itself.
	writeStmts *stmtCache
	readStmts  *stmtCache
	// writer batches SQLite write transactions (see groupcommit.go).
	writer *groupWriter
}

// Options tells Open where the store is.
type Options struct {
	// URL is a postgres:// or postgresql:// URL; empty means SQLite in DataDir.
	URL string
	// DataDir holds kesher.db (SQLite) and attachment files.
	DataDir string
	// MaxReadConns caps the read pool (default: 4×GOMAXPROCS, at least 4).
	MaxReadConns int
}

// FileName is the SQLite database file inside the data directory.
const FileName = "kesher.db"

// Open opens (creating if needed) the store described by opts. It does not
// migrate; call Migrate. Errors: the data directory cannot be created, the
// URL is not a PostgreSQL URL, or the server cannot be reached.
func Open(ctx context.Context, opts Options) (*DB, error) {
	if opts.URL != "" {
		return openPostgres(ctx, opts)
	}
	return openSQLite(ctx, opts)
}

// IsPostgresURL reports whether s is a PostgreSQL connection URL.
func IsPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

func openPostgres(ctx context.Context, opts Options) (*DB, error) {
	if !IsPostgresURL(opts.URL) {
		return nil, fmt.Errorf("db: database URL must start with postgres:// (got scheme %q)", schemeOf(opts.URL))
	}
	pool, err := sql.Open("pgx", opts.URL)
	if err != nil {
		return nil, fmt.Errorf("db: open postgres: %w", err)
	}
	n := opts.MaxReadConns
	if n <= 0 {
		n = max(8, 4*runtime.GOMAXPROCS(0))
	}
	pool.SetMaxOpenConns(n)
	pool.SetMaxIdleConns(n)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.PingContext(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("db: connect to postgres at %s: %w", RedactURL(opts.URL), err)
	}
	return &DB{Dialect: Postgres, Write: pool, Read: pool}, nil
}

func schemeOf(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Scheme
	}
	return ""
}

// RedactURL returns u with any password replaced by "xxxxx", for logs.
func RedactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparseable URL)"
	}
	return p.Redacted()
}

func sqliteDSN(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// Page cache per connection, in KiB (negative = KiB): the OS page cache
	// holds the rest, so a few MiB each keeps memory use small. The writer
	// gets no more than the readers: SQLite walks the whole page-cache hash
	// at the end of every write transaction, which at 16 MiB cost ~7% of
	// the CPU of mail ingestion (measured with BenchmarkIngest).
	q.Add("_pragma", "cache_size(-4000)")
	q.Add("_pragma", "temp_store(MEMORY)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

func openSQLite(ctx context.Context, opts Options) (*DB, error) {
	dir := opts.DataDir
	if dir == "" {
		dir = "data"
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("db: create data directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, FileName)
	w, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		return nil, fmt.Errorf("db: open sqlite %s: %w", path, err)
	}
	// One writer: SQLite allows one write transaction at a time anyway, and
	// queueing in database/sql is fairer and cheaper than busy retries.
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("db: open sqlite %s: %w", path, err)
	}
	// The desk holds password hashes and customer data: owner-only files.
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(f, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			w.Close()
			return nil, fmt.Errorf("db: restrict permissions of %s: %w", f, err)
		}
	}
	r, err := sql.Open("sqlite", sqliteDSN(path, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("db: open sqlite reader %s: %w", path, err)
	}
	n := opts.MaxReadConns
	if n <= 0 {
		n = max(4, 2*runtime.GOMAXPROCS(0))
	}
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxIdleTime(5 * time.Minute)
	d := &DB{Dialect: SQLite, Write: w, Read: r, Path: path, writeStmts: newStmtCache(w), readStmts: newStmtCache(r)}
	d.writer = newGroupWriter(d)
	return d, nil
}

// Close closes both pools.
func (d *DB) Close() error {
	if d.writer != nil {
		d.writer.close()
	}
	d.writeStmts.close()
	d.readStmts.close()
	err := d.Write.Close()
	if d.Read != d.Write {
		err = errors.Join(err, d.Read.Close())
	}
	return err
}

// Ping checks that the store answers, for /readyz.
func (d *DB) Ping(ctx context.Context) error {
	var one int
	return d.Read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Rebind turns the '?' placeholders of a query written for SQLite into
// PostgreSQL's $1, $2, … when d is PostgreSQL. Question marks inside single
// quoted string literals are left alone.
func (d *DB) Rebind(q string) string {
	if d.Dialect != Postgres {
		return q
	}
	return rebindDollar(q)
}

func rebindDollar(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	inStr := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inStr = !inStr
			b.WriteByte(c)
		case c == '?' && !inStr:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
