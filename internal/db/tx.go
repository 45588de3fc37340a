package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// Querier runs SQL written with '?' placeholders on either dialect. Both Tx
// and the reader returned by DB.R implement it.
type Querier interface {
	Exec(ctx context.Context, q string, args ...any) (sql.Result, error)
	Query(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, q string, args ...any) *sql.Row
	// Dialect tells the rare caller that must build dialect-specific SQL.
	Dialect() Dialect
}

// Reader runs read-only queries on the read pool.
type Reader struct{ d *DB }

// R returns a Querier on the read pool. Writes through it fail on SQLite
// (the read connections are query_only).
func (d *DB) R() Reader { return Reader{d} }

// Exec runs q on the read pool.
func (r Reader) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := r.d.readStmts.get(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return r.d.Read.ExecContext(ctx, r.d.Rebind(q), args...)
}

// Query runs q on the read pool.
func (r Reader) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := r.d.readStmts.get(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return r.d.Read.QueryContext(ctx, r.d.Rebind(q), args...)
}

// QueryRow runs q on the read pool.
func (r Reader) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st := r.d.readStmts.get(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return r.d.Read.QueryRowContext(ctx, r.d.Rebind(q), args...)
}

// Dialect of the store.
func (r Reader) Dialect() Dialect { return r.d.Dialect }

// Tx is a write transaction. Statements use '?' placeholders.
type Tx struct {
	d            *DB
	tx           *sql.Tx
	afterCommit  []func()
	beforeCommit []func() error
	values       map[any]any
	toPrepare    []string
}

// BeforeCommit registers f to run at the end of the transaction's work,
// after fn returned nil and before the commit; an error rolls the
// transaction back. The event outbox uses it to write all of a
// transaction's events in one statement.
func (t *Tx) BeforeCommit(f func() error) { t.beforeCommit = append(t.beforeCommit, f) }

// Value returns what SetValue stored under key in this transaction.
func (t *Tx) Value(key any) any { return t.values[key] }

// SetValue keeps v under key for the rest of this transaction (packages use
// it for per-transaction state, keyed by an unexported type or pointer).
func (t *Tx) SetValue(key, v any) {
	if t.values == nil {
		t.values = map[any]any{}
	}
	t.values[key] = v
}

// finish runs the BeforeCommit callbacks.
func (t *Tx) finish() error {
	for _, f := range t.beforeCommit {
		if err := f(); err != nil {
			return err
		}
	}
	return nil
}

// Exec runs q in the transaction.
func (t *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := t.stmt(q); st != nil {
		return t.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, t.d.Rebind(q), args...)
}

// Query runs q in the transaction.
func (t *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(q); st != nil {
		return t.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, t.d.Rebind(q), args...)
}

// QueryRow runs q in the transaction.
func (t *Tx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st := t.stmt(q); st != nil {
		return t.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, t.d.Rebind(q), args...)
}

// Dialect of the store.
func (t *Tx) Dialect() Dialect { return t.d.Dialect }

// DB returns the store the transaction belongs to, for work an AfterCommit
// callback does outside the transaction.
func (t *Tx) DB() *DB { return t.d }

// stmt returns the cached prepared statement for q, or nil. A query not yet
// prepared runs directly this time and is prepared after commit, when the
// writer connection is free again.
func (t *Tx) stmt(q string) *sql.Stmt {
	if t.d.writeStmts == nil {
		return nil
	}
	st, ok := t.d.writeStmts.lookup(q)
	if !ok && len(t.toPrepare) < 64 {
		t.toPrepare = append(t.toPrepare, q)
	}
	return st
}

// InsertID runs an INSERT statement (without RETURNING) and returns the new
// row's id: through LastInsertId on SQLite (cheaper than a RETURNING result
// set there) and RETURNING id on PostgreSQL.
func (t *Tx) InsertID(ctx context.Context, q string, args ...any) (int64, error) {
	if t.d.Dialect == SQLite {
		res, err := t.Exec(ctx, q, args...)
		if err != nil {
			return 0, err
		}
		return res.LastInsertId()
	}
	var id int64
	err := t.QueryRow(ctx, q+" RETURNING id", args...).Scan(&id)
	return id, err
}

// AfterCommit registers f to run after the transaction commits (never when it
// rolls back). Used to wake the event dispatcher and to fill caches.
func (t *Tx) AfterCommit(f func()) { t.afterCommit = append(t.afterCommit, f) }

// TxHook runs inside every write transaction begun with a context that
// carries it, before fn. The idempotency-key claim uses it so that the claim
// and the write commit together or not at all.
type TxHook func(ctx context.Context, tx *Tx) error

type hookKey struct{}

// WithTxHook returns ctx carrying h; the first WriteTx under ctx runs it once.
func WithTxHook(ctx context.Context, h TxHook) context.Context {
	return context.WithValue(ctx, hookKey{}, &onceHook{h: h})
}

type onceHook struct {
	h    TxHook
	used bool
}

// WriteTx runs fn in a write transaction and commits if fn returns nil. It
// rolls back on error or panic (the panic is re-raised in the caller).
// Callbacks registered with AfterCommit run after a successful commit, in
// the caller's goroutine. On SQLite, concurrent calls share commits (see
// groupcommit.go) but each fn is still all-or-nothing. fn must not call
// WriteTx itself (the writer is single).
func (d *DB) WriteTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	if d.writer != nil {
		return d.writer.submit(ctx, fn)
	}
	stx, err := d.Write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: begin: %w", err)
	}
	t := &Tx{d: d, tx: stx}
	defer func() {
		if p := recover(); p != nil {
			_ = stx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = stx.Rollback()
		}
	}()
	if oh, ok := ctx.Value(hookKey{}).(*onceHook); ok && !oh.used {
		if err = oh.h(ctx, t); err != nil {
			return err
		}
	}
	if err = fn(t); err != nil {
		return err
	}
	if err = t.finish(); err != nil {
		return err
	}
	if err = stx.Commit(); err != nil {
		return fmt.Errorf("db: commit: %w", err)
	}
	if oh, ok := ctx.Value(hookKey{}).(*onceHook); ok {
		oh.used = true
	}
	for _, q := range t.toPrepare {
		d.writeStmts.prepare(ctx, q)
	}
	for _, f := range t.afterCommit {
		f()
	}
	return nil
}

// SQLite extended result codes used to classify constraint errors
// (https://www.sqlite.org/rescode.html).
const (
	sqliteConstraintForeignKey = 787
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
)

// IsUniqueViolation reports whether err is a unique or primary-key constraint
// violation on either dialect (PostgreSQL SQLSTATE 23505).
func IsUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqliteConstraintUnique || se.Code() == sqliteConstraintPrimaryKey
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return false
}

// IsTransient reports whether err is a PostgreSQL concurrency failure that
// the same transaction, run again, may well not meet: deadlock_detected
// (SQLSTATE 40P01) or serialization_failure (40001). SQLite's single writer
// never produces them.
func IsTransient(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

// IsForeignKeyViolation reports whether err is a foreign-key violation on
// either dialect (PostgreSQL SQLSTATE 23503).
func IsForeignKeyViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqliteConstraintForeignKey
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23503"
	}
	return false
}
