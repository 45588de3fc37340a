// Package jobs is Kesher's durable job queue: a jobs table that SLA timers,
// time-based rules, surveys and mailbox polling use to run work later.
//
// A producer calls Schedule inside its own write transaction, so a job
// exists exactly when the business change that asked for it committed. A
// Runner polls for due jobs, claims them (locked_by, locked_until), and runs
// each job's Handler inside a write transaction that also marks the job
// done: the handler's own writes and the completion commit together, so a
// crash between the two can neither lose nor double the effect. A failed
// job is retried with exponential backoff and jitter and is kept, dead,
// after its last attempt. A worker that dies leaves its lock behind; the
// job is claimed again once locked_until has passed.
//
// On PostgreSQL several runners (processes or nodes) can share the table:
// claims use SELECT … FOR UPDATE SKIP LOCKED. On SQLite every write goes
// through the store's single writer, which serialises claims.
package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
)

// DefaultMaxAttempts is the number of runs a job gets when Job.MaxAttempts
// is zero.
const DefaultMaxAttempts = 10

// ErrInvalid is returned by Schedule for a job without a kind or with a
// negative MaxAttempts.
var ErrInvalid = errors.New("jobs: invalid job")

// Job is one unit of deferred work.
//
// For Schedule, set Kind, Payload (any value encoding/json marshals; nil
// means {}), RunAt (zero means now), UniqueKey (empty means none) and
// MaxAttempts (zero means DefaultMaxAttempts). A Handler receives the stored
// job: Payload is then a json.RawMessage (use Decode), Attempts counts this
// run (1 on the first run) and LastError is the previous run's error.
type Job struct {
	ID          int64
	Kind        string
	Payload     any
	RunAt       time.Time
	UniqueKey   string
	MaxAttempts int
	Attempts    int
	LastError   string
	CreatedAt   time.Time
}

// Decode unmarshals the job's JSON payload into v. Errors: the payload is
// not valid JSON for v.
func (j Job) Decode(v any) error {
	var raw []byte
	switch p := j.Payload.(type) {
	case json.RawMessage:
		raw = p
	case []byte:
		raw = p
	case string:
		raw = []byte(p)
	default:
		var err error
		if raw, err = json.Marshal(p); err != nil {
			return fmt.Errorf("jobs: decode payload: %w", err)
		}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("jobs: decode payload of job %d: %w", j.ID, err)
	}
	return nil
}

// Handler runs one job of a kind. It is called inside a write transaction
// (tx); the job is marked done in that same transaction when the handler
// returns nil, and everything the handler wrote is rolled back when it
// returns an error or panics. ctx ends when the runner stops or the job's
// lock expires. A handler must not call db.DB.WriteTx (the writer is
// single) and should be short: on SQLite it holds the only writer while it
// runs, so slow I/O (HTTP, IMAP) belongs before a job is scheduled or in a
// handler that keeps its transaction idle for as little as possible.
type Handler func(ctx context.Context, tx *db.Tx, j Job) error

// Schedule stores j in tx, to run at j.RunAt or later. It returns the
// stored job and created=true, or — when a job with the same non-empty
// UniqueKey already exists (pending, done or dead) — that job and
// created=false, changing nothing. A zero RunAt means now (the wall clock;
// Runner.Schedule uses the runner's clock and wakes it after commit).
// Errors: ErrInvalid, a payload that cannot be marshalled, or a database
// error.
func Schedule(ctx context.Context, tx *db.Tx, j Job) (Job, bool, error) {
	return schedule(ctx, tx, time.Now(), j)
}

func schedule(ctx context.Context, tx *db.Tx, now time.Time, j Job) (Job, bool, error) {
	if j.Kind == "" || j.MaxAttempts < 0 {
		return Job{}, false, fmt.Errorf("%w: kind %q, max attempts %d", ErrInvalid, j.Kind, j.MaxAttempts)
	}
	if j.MaxAttempts == 0 {
		j.MaxAttempts = DefaultMaxAttempts
	}
	if j.RunAt.IsZero() {
		j.RunAt = now
	}
	payload := []byte("{}")
	if j.Payload != nil {
		var err error
		if raw, ok := j.Payload.(json.RawMessage); ok {
			payload = raw
		} else if payload, err = json.Marshal(j.Payload); err != nil {
			return Job{}, false, fmt.Errorf("jobs: marshal payload of %s: %w", j.Kind, err)
		}
	}
	var key any
	if j.UniqueKey != "" {
		key = j.UniqueKey
	}
	// ON CONFLICT DO NOTHING: a duplicate unique_key leaves the transaction
	// usable (a unique violation would abort it on PostgreSQL).
	rows, err := tx.Query(ctx, qInsert, j.Kind, string(payload), ms(j.RunAt), j.MaxAttempts, key, ms(now))
	if err != nil {
		return Job{}, false, fmt.Errorf("jobs: schedule %s: %w", j.Kind, err)
	}
	var id int64
	inserted := false
	for rows.Next() {
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return Job{}, false, fmt.Errorf("jobs: schedule %s: %w", j.Kind, err)
		}
		inserted = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Job{}, false, fmt.Errorf("jobs: schedule %s: %w", j.Kind, err)
	}
	if inserted {
		j.ID = id
		j.Payload = json.RawMessage(payload)
		j.CreatedAt = time.UnixMilli(ms(now))
		j.RunAt = time.UnixMilli(ms(j.RunAt))
		return j, true, nil
	}
	existing, err := scanJob(tx.QueryRow(ctx, qSelectByKey, j.UniqueKey))
	if err != nil {
		return Job{}, false, fmt.Errorf("jobs: schedule %s: existing job %q: %w", j.Kind, j.UniqueKey, err)
	}
	return existing, false, nil
}

// Cancel deletes the pending (not done, not dead) job with uniqueKey in tx,
// which frees the key for a new Schedule. It reports whether a job was
// deleted. A job already running when Cancel commits does not complete:
// its completion mark finds no row, so its handler's writes roll back.
// Errors: a database error.
func Cancel(ctx context.Context, tx *db.Tx, uniqueKey string) (bool, error) {
	res, err := tx.Exec(ctx, qCancel, uniqueKey)
	if err != nil {
		return false, fmt.Errorf("jobs: cancel %q: %w", uniqueKey, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("jobs: cancel %q: %w", uniqueKey, err)
	}
	return n > 0, nil
}

// Get returns the job with id, read through q. Errors: sql.ErrNoRows
// (wrapped) when there is none, or a database error.
func Get(ctx context.Context, q db.Querier, id int64) (Job, error) {
	j, err := scanJob(q.QueryRow(ctx, qSelectByID, id))
	if err != nil {
		return Job{}, fmt.Errorf("jobs: get %d: %w", id, err)
	}
	return j, nil
}

// Status is a job's state as stored, for tests and admin views. Times are
// zero when unset.
type Status struct {
	Job
	LockedBy    string
	LockedUntil time.Time
	DoneAt      time.Time
	DeadAt      time.Time
}

// GetStatus returns the stored state of job id. Errors: as Get.
func GetStatus(ctx context.Context, q db.Querier, id int64) (Status, error) {
	var s Status
	var payload string
	var runAt, createdAt int64
	var lastErr, key, lockedBy sql.NullString
	var lockedUntil, doneAt, deadAt sql.NullInt64
	err := q.QueryRow(ctx, qStatus, id).Scan(&s.ID, &s.Kind, &payload, &runAt, &s.Attempts, &s.MaxAttempts,
		&lastErr, &key, &createdAt, &lockedBy, &lockedUntil, &doneAt, &deadAt)
	if err != nil {
		return Status{}, fmt.Errorf("jobs: status %d: %w", id, err)
	}
	s.Payload = json.RawMessage(payload)
	s.RunAt, s.CreatedAt = time.UnixMilli(runAt), time.UnixMilli(createdAt)
	s.LastError, s.UniqueKey, s.LockedBy = lastErr.String, key.String, lockedBy.String
	s.LockedUntil, s.DoneAt, s.DeadAt = nullTime(lockedUntil), nullTime(doneAt), nullTime(deadAt)
	return s, nil
}

func nullTime(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.UnixMilli(n.Int64)
}

func ms(t time.Time) int64 { return t.UnixMilli() }

type rowScanner interface{ Scan(dest ...any) error }

// scanJob reads the columns of jobColumns.
func scanJob(r rowScanner) (Job, error) {
	var j Job
	var payload string
	var runAt, createdAt int64
	var lastErr, key sql.NullString
	if err := r.Scan(&j.ID, &j.Kind, &payload, &runAt, &j.Attempts, &j.MaxAttempts, &lastErr, &key, &createdAt); err != nil {
		return Job{}, err
	}
	j.Payload = json.RawMessage(payload)
	j.RunAt, j.CreatedAt = time.UnixMilli(runAt), time.UnixMilli(createdAt)
	j.LastError, j.UniqueKey = lastErr.String, key.String
	return j, nil
}
