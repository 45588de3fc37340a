package jobs

import (
	"cmp"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
)

// Options configure a Runner. Zero values take the defaults named below.
type Options struct {
	// WorkerID is stored in locked_by for the jobs this runner claims; it
	// must differ between runners sharing a database (default: random).
	WorkerID string
	// Concurrency is the number of jobs run at once (default 4). On SQLite
	// handlers still write one at a time through the single writer.
	Concurrency int
	// PollInterval is how long the runner sleeps between looks at the table
	// when nothing wakes it (default 1 s).
	PollInterval time.Duration
	// LockFor is how long a claim holds a job (default 5 min). A handler's
	// context ends after it, and another runner may claim the job again once
	// it has passed, as after a crash.
	LockFor time.Duration
	// BackoffBase and BackoffMax shape the retry delay after a failed
	// attempt n (n = 1, 2, …): BackoffBase × 2^(n-1) plus up to a quarter of
	// that as jitter, at most BackoffMax (defaults 1 s and 1 h).
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// Now is the clock used for run_at, locks and done_at (default
	// time.Now); tests inject their own.
	Now func() time.Time
	// Log receives claim and handler failures (default slog.Default()).
	Log *slog.Logger
}

// Runner claims due jobs and runs their handlers. Create it with NewRunner,
// Register handlers, then call Run once. A Runner is safe for concurrent
// use.
type Runner struct {
	d    *db.DB
	o    Options
	wake chan struct{}

	mu       sync.RWMutex
	handlers map[string]Handler
	// outside holds the handlers registered with RegisterOutsideTx.
	outside map[string]OutsideTxHandler
}

// errLockLost means the job's completion mark found no row it still held:
// the job was reclaimed after its lock expired, or cancelled.
var errLockLost = errors.New("jobs: lock lost (job reclaimed or cancelled)")

// NewRunner returns a Runner on d with o's settings (see Options for the
// defaults).
func NewRunner(d *db.DB, o Options) *Runner {
	if o.WorkerID == "" {
		var b [8]byte
		_, _ = crand.Read(b[:])
		o.WorkerID = "w-" + hex.EncodeToString(b[:])
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	if o.LockFor <= 0 {
		o.LockFor = 5 * time.Minute
	}
	if o.BackoffBase <= 0 {
		o.BackoffBase = time.Second
	}
	if o.BackoffMax <= 0 {
		o.BackoffMax = time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Runner{d: d, o: o, wake: make(chan struct{}, 1), handlers: map[string]Handler{}}
}

// WorkerID is the value this runner writes to locked_by.
func (r *Runner) WorkerID() string { return r.o.WorkerID }

// Register makes h the handler of kind. Jobs of kinds without a handler are
// never claimed by this runner. It panics on an empty kind, a nil handler
// or a second handler for the same kind (programming errors, found at
// start-up). Register before Run: Run reads the kinds once.
func (r *Runner) Register(kind string, h Handler) {
	if kind == "" || h == nil {
		panic("jobs: Register needs a kind and a handler")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.handlers[kind]; dup {
		panic("jobs: second handler for kind " + kind)
	}
	r.handlers[kind] = h
}

// OutsideTxHandler runs one job outside any transaction (see
// RegisterOutsideTx).
type OutsideTxHandler func(ctx context.Context, j Job) error

// RegisterOutsideTx makes h the handler of kind, run outside any
// transaction: for slow I/O such as an HTTP call, which must not hold
// SQLite's single writer. The job is marked done in a short transaction of
// its own once h returns nil, so a crash between the two runs h again:
// such jobs are delivered at least once, and h must tolerate a repeat.
// Failures are retried with backoff like any job. It panics as Register.
func (r *Runner) RegisterOutsideTx(kind string, h OutsideTxHandler) {
	if h == nil {
		panic("jobs: RegisterOutsideTx needs a handler")
	}
	r.Register(kind, func(context.Context, *db.Tx, Job) error { return nil })
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.outside == nil {
		r.outside = map[string]OutsideTxHandler{}
	}
	r.outside[kind] = h
}

// Wake makes a sleeping Run look for due jobs now instead of at its next
// poll. It never blocks.
func (r *Runner) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Schedule is the package-level Schedule with the runner's clock (for a
// zero RunAt and created_at); when the new job is due before the next
// poll, the runner is woken after tx commits.
func (r *Runner) Schedule(ctx context.Context, tx *db.Tx, j Job) (Job, bool, error) {
	now := r.o.Now()
	sj, created, err := schedule(ctx, tx, now, j)
	if err == nil && created && !sj.RunAt.After(now.Add(r.o.PollInterval)) {
		tx.AfterCommit(r.Wake)
	}
	return sj, created, err
}

// Run claims and runs due jobs until ctx ends, then stops claiming, waits
// for the handlers still running (their context is cancelled, their
// transactions roll back and their jobs are given back without counting
// the attempt) and returns nil. Claim errors are logged and retried at the
// next poll. Errors: no handler is registered.
func (r *Runner) Run(ctx context.Context) error {
	r.mu.RLock()
	kinds := make([]string, 0, len(r.handlers))
	for k := range r.handlers {
		kinds = append(kinds, k)
	}
	r.mu.RUnlock()
	if len(kinds) == 0 {
		return errors.New("jobs: Run without registered handlers")
	}
	slices.Sort(kinds)
	claimQ := r.claimQuery(len(kinds))

	sem := make(chan struct{}, r.o.Concurrency)
	var wg sync.WaitGroup
	defer wg.Wait()
	poll := time.NewTimer(0)
	defer poll.Stop()
	for {
		if ctx.Err() != nil {
			return nil
		}
		if free := cap(sem) - len(sem); free > 0 {
			js, err := r.claim(ctx, claimQ, kinds, free)
			if err != nil && ctx.Err() == nil {
				r.o.Log.Error("jobs: claim failed", "worker", r.o.WorkerID, "err", err)
			}
			for _, j := range js {
				sem <- struct{}{}
				wg.Add(1)
				go func() {
					defer wg.Done()
					r.execute(ctx, j)
					<-sem
					r.Wake() // a slot is free: look again
				}()
			}
			if err == nil && len(js) == free {
				continue // the batch was full; more may be due
			}
		}
		poll.Reset(r.o.PollInterval)
		select {
		case <-ctx.Done():
			return nil
		case <-r.wake:
		case <-poll.C:
		}
	}
}

// claimQuery builds the claim statement for n kinds.
func (r *Runner) claimQuery(n int) string {
	var b strings.Builder
	b.WriteString(qClaimHead)
	b.WriteString(strings.TrimSuffix(strings.Repeat("?, ", n), ", "))
	b.WriteString(qClaimTail)
	if r.d.Dialect == db.Postgres {
		// Concurrent claimers skip each other's rows instead of waiting.
		b.WriteString(" FOR UPDATE SKIP LOCKED")
	}
	b.WriteString(qClaimReturning)
	return b.String()
}

// claim buries jobs whose last attempt's worker vanished, then locks up to
// limit due jobs for this runner and returns them ordered by run_at.
func (r *Runner) claim(ctx context.Context, q string, kinds []string, limit int) ([]Job, error) {
	now := r.o.Now()
	var js []Job
	err := r.d.WriteTx(ctx, func(tx *db.Tx) error {
		js = js[:0]
		if _, err := tx.Exec(ctx, qBury, ms(now), ms(now)); err != nil {
			return fmt.Errorf("jobs: bury expired: %w", err)
		}
		args := make([]any, 0, 5+len(kinds))
		args = append(args, r.o.WorkerID, ms(now.Add(r.o.LockFor)), ms(now), ms(now))
		for _, k := range kinds {
			args = append(args, k)
		}
		args = append(args, limit)
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("jobs: claim: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			j, err := scanJob(rows)
			if err != nil {
				return fmt.Errorf("jobs: claim: %w", err)
			}
			js = append(js, j)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	// RETURNING gives no order.
	slices.SortFunc(js, func(a, b Job) int {
		if c := a.RunAt.Compare(b.RunAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return js, nil
}

// transientRetries is how many times execute re-runs a handler at once
// after a transient concurrency failure (db.IsTransient) before recording
// the failure and backing off.
const transientRetries = 3

// execute runs one claimed job and records its outcome.
func (r *Runner) execute(ctx context.Context, j Job) {
	r.mu.RLock()
	h := r.handlers[j.Kind]
	r.mu.RUnlock()
	hctx, cancel := context.WithTimeout(ctx, r.o.LockFor)
	err := r.runHandler(hctx, h, j)
	// A deadlock or serialization failure rolled the whole transaction
	// back; running it again at once (still holding the job's lock) almost
	// always succeeds, where a backoff would only delay the effect.
	for try := 1; try <= transientRetries && db.IsTransient(err) && hctx.Err() == nil; try++ {
		time.Sleep(time.Duration(try) * 10 * time.Millisecond)
		err = r.runHandler(hctx, h, j)
	}
	cancel()
	switch {
	case err == nil:
		return
	case errors.Is(err, errLockLost):
		r.o.Log.Info("jobs: job lost its lock; its writes were rolled back", "job_id", j.ID, "kind", j.Kind, "worker", r.o.WorkerID)
		return
	case ctx.Err() != nil:
		// Stopping: give the job back for the next start.
		bctx, bcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer bcancel()
		if err := r.d.WriteTx(bctx, func(tx *db.Tx) error {
			_, err := tx.Exec(bctx, qRelease, j.ID, r.o.WorkerID, j.Attempts)
			return err
		}); err != nil {
			r.o.Log.Warn("jobs: release on stop failed; the lock will expire", "job_id", j.ID, "err", err)
		}
		return
	}
	now := r.o.Now()
	next := now.Add(r.backoff(j.Attempts))
	msg := err.Error()
	if ferr := r.d.WriteTx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, qFail, msg, ms(next), ms(now), j.ID, r.o.WorkerID, j.Attempts)
		return err
	}); ferr != nil {
		r.o.Log.Error("jobs: recording a failure failed; the lock will expire", "job_id", j.ID, "err", ferr)
	}
	if j.Attempts >= j.MaxAttempts {
		r.o.Log.Error("jobs: job is dead", "job_id", j.ID, "kind", j.Kind, "attempts", j.Attempts, "err", msg)
	} else {
		r.o.Log.Warn("jobs: job failed; will retry", "job_id", j.ID, "kind", j.Kind, "attempts", j.Attempts, "next_run", next, "err", msg)
	}
}

// runHandler runs h and the completion mark in one write transaction. A
// panic in h becomes an error (after WriteTx rolled back).
func (r *Runner) runHandler(ctx context.Context, h Handler, j Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("jobs: handler panicked: %v", p)
		}
	}()
	r.mu.RLock()
	outside := r.outside[j.Kind]
	r.mu.RUnlock()
	if outside != nil {
		if err := outside(ctx, j); err != nil {
			return err
		}
	}
	return r.d.WriteTx(ctx, func(tx *db.Tx) error {
		if err := h(ctx, tx, j); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, qComplete, ms(r.o.Now()), j.ID, r.o.WorkerID, j.Attempts)
		if err != nil {
			return fmt.Errorf("jobs: complete %d: %w", j.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errLockLost
		}
		return nil
	})
}

// backoff is the delay before the run after failed attempt n (n ≥ 1).
func (r *Runner) backoff(n int) time.Duration {
	d := r.o.BackoffMax
	if n < 1 {
		n = 1
	}
	if n <= 40 {
		if b := r.o.BackoffBase << (n - 1); b > 0 && b < d {
			d = b
		}
	}
	d += rand.N(d/4 + 1)
	return min(d, r.o.BackoffMax)
}
