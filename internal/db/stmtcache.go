package db

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStmts bounds a cache; queries built with variable IN-lists can
// produce many texts, and past the bound new texts simply run unprepared.
const maxCachedStmts = 512

// stmtCache keeps one prepared statement per query text on a pool. A nil
// cache (PostgreSQL) prepares nothing.
type stmtCache struct {
	pool  *sql.DB
	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
}

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, stmts: map[string]*sql.Stmt{}}
}

// get returns the prepared statement for q, preparing it on first use, or
// nil when statements are not cached (or preparing failed: the caller then
// runs q directly and gets the real error).
func (c *stmtCache) get(ctx context.Context, q string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	st, ok := c.stmts[q]
	c.mu.RUnlock()
	if ok {
		return st
	}
	return c.prepare(ctx, q)
}

// lookup returns the cached statement for q without preparing it. The
// single-connection writer pool uses it inside transactions: preparing
// there would wait for the connection the transaction holds.
func (c *stmtCache) lookup(q string) (*sql.Stmt, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	st, ok := c.stmts[q]
	return st, ok
}

// prepare prepares q without holding the lock (preparing waits for a pool
// connection, which a transaction looking up statements may hold).
func (c *stmtCache) prepare(ctx context.Context, q string) *sql.Stmt {
	c.mu.RLock()
	st, ok := c.stmts[q]
	full := len(c.stmts) >= maxCachedStmts
	c.mu.RUnlock()
	if ok {
		return st
	}
	if full {
		return nil
	}
	st, err := c.pool.PrepareContext(context.WithoutCancel(ctx), q)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.stmts[q]; ok {
		st.Close()
		return prev
	}
	c.stmts[q] = st
	return st
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		st.Close()
	}
	clear(c.stmts)
}
