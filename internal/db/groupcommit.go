package db

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Group commit for SQLite. SQLite runs one write transaction at a time and
// most of a small transaction's cost is the commit itself (one WAL frame
// write per dirty page, the wal-index update). So WriteTx calls on SQLite
// are queued to a single writer goroutine that runs every request already
// waiting inside one transaction, each in its own SAVEPOINT: a request that
// fails is rolled back to its savepoint alone and gets its own error, the
// others commit together. Callers block until their work is durable (or
// failed) exactly as with one transaction each. Under load this turns N
// commits into one; idle, a batch is a single request and nothing waits.

// maxBatch bounds the requests sharing one commit, so one commit's latency
// stays small.
const maxBatch = 64

type writeReq struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan writeRes
}

type writeRes struct {
	err         error
	panicVal    any
	afterCommit []func()
}

type groupWriter struct {
	d       *DB
	queue   chan *writeReq
	stop    chan struct{}
	stopped chan struct{}
	once    sync.Once
}

var errClosed = errors.New("db: store is closed")

func newGroupWriter(d *DB) *groupWriter {
	g := &groupWriter{d: d, queue: make(chan *writeReq, 256), stop: make(chan struct{}), stopped: make(chan struct{})}
	go g.loop()
	return g
}

func (g *groupWriter) close() {
	g.once.Do(func() { close(g.stop) })
	<-g.stopped
}

// submit queues fn and waits for its outcome.
func (g *groupWriter) submit(ctx context.Context, fn func(*Tx) error) error {
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan writeRes, 1)}
	select {
	case g.queue <- req:
	case <-g.stop:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	res := <-req.done
	if res.panicVal != nil {
		panic(res.panicVal)
	}
	if res.err == nil {
		if oh, ok := ctx.Value(hookKey{}).(*onceHook); ok {
			oh.used = true
		}
		for _, f := range res.afterCommit {
			f()
		}
	}
	return res.err
}

func (g *groupWriter) loop() {
	defer close(g.stopped)
	for {
		var first *writeReq
		select {
		case first = <-g.queue:
		case <-g.stop:
			// Fail whatever is still queued.
			for {
				select {
				case r := <-g.queue:
					r.done <- writeRes{err: errClosed}
				default:
					return
				}
			}
		}
		g.runBatch(first)
	}
}

func (g *groupWriter) runBatch(first *writeReq) {
	batch := []*writeReq{first}
	results := make([]writeRes, 0, 8)
	stx, err := g.d.Write.BeginTx(context.Background(), nil)
	if err != nil {
		first.done <- writeRes{err: fmt.Errorf("db: begin: %w", err)}
		return
	}
	t := &Tx{d: g.d, tx: stx}
	results = append(results, g.runOne(t, first))
	for len(batch) < maxBatch {
		select {
		case r := <-g.queue:
			batch = append(batch, r)
			results = append(results, g.runOne(t, r))
			continue
		default:
		}
		break
	}
	anyOK := false
	for _, r := range results {
		anyOK = anyOK || (r.err == nil && r.panicVal == nil)
	}
	if anyOK {
		err = stx.Commit()
	} else {
		err = stx.Rollback()
		if err != nil {
			err = nil // nothing to keep; the requests already carry their errors
		}
	}
	if err != nil {
		err = fmt.Errorf("db: commit: %w", err)
		for i := range results {
			if results[i].err == nil && results[i].panicVal == nil {
				results[i] = writeRes{err: err}
			}
		}
	}
	for i, r := range batch {
		r.done <- results[i]
	}
	// Prepare the statements first seen in this batch, now that the writer
	// connection is free.
	for _, q := range t.toPrepare {
		g.d.writeStmts.prepare(context.Background(), q)
	}
}

// runOne runs one request inside its own savepoint of the shared
// transaction.
func (g *groupWriter) runOne(t *Tx, req *writeReq) (res writeRes) {
	if err := req.ctx.Err(); err != nil {
		return writeRes{err: err}
	}
	ctx := req.ctx
	if _, err := t.tx.ExecContext(context.WithoutCancel(ctx), "SAVEPOINT w"); err != nil {
		return writeRes{err: fmt.Errorf("db: savepoint: %w", err)}
	}
	t.afterCommit, t.beforeCommit, t.values = nil, nil, nil
	defer func() {
		if p := recover(); p != nil {
			res = writeRes{panicVal: p}
		}
		if res.err != nil || res.panicVal != nil {
			if _, err := t.tx.ExecContext(context.WithoutCancel(ctx), "ROLLBACK TO w"); err != nil && res.err != nil {
				res.err = errors.Join(res.err, err)
			}
		}
		if _, err := t.tx.ExecContext(context.WithoutCancel(ctx), "RELEASE w"); err != nil && res.err == nil && res.panicVal == nil {
			res.err = fmt.Errorf("db: release savepoint: %w", err)
		}
	}()
	if oh, ok := ctx.Value(hookKey{}).(*onceHook); ok && !oh.used {
		if err := oh.h(ctx, t); err != nil {
			return writeRes{err: err}
		}
	}
	if err := req.fn(t); err != nil {
		return writeRes{err: err}
	}
	if err := t.finish(); err != nil {
		return writeRes{err: err}
	}
	return writeRes{afterCommit: t.afterCommit}
}
