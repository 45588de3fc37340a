// Package events carries domain events (conversation.created,
// message.created, …) from the transaction that caused them to their
// subscribers. Producers write events into the event_outbox table inside
// their own transaction (Outbox.Publish); a Dispatcher reads committed
// events in order and hands them to a Bus, then deletes them. A crash
// between commit and delivery therefore loses nothing: delivery is
// at-least-once, in commit order per node, and subscribers must tolerate a
// repeat (they can dedupe on Event.ID).
package events

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
)

// Topics published by the core.
const (
	ConversationCreated = "conversation.created"
	ConversationUpdated = "conversation.updated"
	MessageCreated      = "message.created"
	MessageUpdated      = "message.updated" // a message's delivery status changed
	ContactCreated      = "contact.created"
	ContactUpdated      = "contact.updated"
	AgentUpdated        = "agent.updated"
)

// Event is one domain event. ID is the outbox row id (increasing in commit
// order on one node); Payload is the JSON the producer gave.
type Event struct {
	ID        int64           `json:"id"`
	Topic     string          `json:"topic"`
	Payload   json.RawMessage `json:"payload"`
	CreatedAt time.Time       `json:"created_at"`
}

// Handler receives events. An error is logged; the event is not retried for
// that handler (handlers own their retries through durable jobs).
type Handler func(ctx context.Context, e Event) error

// Bus delivers events to subscribers. Local is the in-process
// implementation; a NATS implementation can satisfy the same interface to
// fan events out to several nodes.
type Bus interface {
	// Publish delivers e to every matching subscriber.
	Publish(ctx context.Context, e Event) error
	// Subscribe registers h for topics equal to pattern, or starting with
	// pattern when it ends in ".*" ("conversation.*"), or all when "*".
	// The returned func unsubscribes.
	Subscribe(pattern string, h Handler) (unsubscribe func())
}

// Local is an in-process Bus: handlers run synchronously in the dispatcher's
// goroutine, in subscription order.
type Local struct {
	log  *slog.Logger
	mu   sync.RWMutex
	subs map[int]subscription
	next int
}

type subscription struct {
	pattern string
	h       Handler
}

// NewLocal returns an empty in-process bus.
func NewLocal(log *slog.Logger) *Local {
	return &Local{log: log, subs: map[int]subscription{}}
}

// Subscribe implements Bus.
func (l *Local) Subscribe(pattern string, h Handler) func() {
	l.mu.Lock()
	defer l.mu.Unlock()
	id := l.next
	l.next++
	l.subs[id] = subscription{pattern, h}
	return func() {
		l.mu.Lock()
		delete(l.subs, id)
		l.mu.Unlock()
	}
}

// Publish implements Bus.
func (l *Local) Publish(ctx context.Context, e Event) error {
	l.mu.RLock()
	ids := make([]int, 0, len(l.subs))
	for id := range l.subs {
		ids = append(ids, id)
	}
	l.mu.RUnlock()
	sortInts(ids)
	for _, id := range ids {
		l.mu.RLock()
		s, ok := l.subs[id]
		l.mu.RUnlock()
		if !ok || !Match(s.pattern, e.Topic) {
			continue
		}
		if err := s.h(ctx, e); err != nil {
			l.log.Error("event handler failed", "topic", e.Topic, "event_id", e.ID, "err", err)
		}
	}
	return nil
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// Match reports whether topic matches a subscription pattern (see
// Bus.Subscribe).
func Match(pattern, topic string) bool {
	switch {
	case pattern == "*":
		return true
	case strings.HasSuffix(pattern, ".*"):
		return strings.HasPrefix(topic, pattern[:len(pattern)-1])
	default:
		return pattern == topic
	}
}

// Outbox writes events in the producer's transaction and wakes the
// dispatcher after commit.
type Outbox struct {
	wake chan struct{}
}

// NewOutbox returns an Outbox; pass the same value to NewDispatcher.
func NewOutbox() *Outbox { return &Outbox{wake: make(chan struct{}, 1)} }

// pendingEvents are the events of one transaction, written together just
// before it commits (one statement per flushChunk events instead of one per
// event).
type pendingEvents struct {
	args []any
}

// Publish stores an event with payload (marshalled to JSON) in tx. It is
// delivered only if tx commits; events of one transaction keep their order.
//
// When ctx carries an automation origin (WithOrigin) and payload is a
// map[string]any, the payload gains "origin": the chain of automation rule
// ids that caused the event, so subscribers can stop rule loops.
func (o *Outbox) Publish(ctx context.Context, tx *db.Tx, topic string, payload any) error {
	if origin := Origin(ctx); len(origin) > 0 {
		if m, ok := payload.(map[string]any); ok {
			m["origin"] = origin
		}
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("events: encode %s: %w", topic, err)
	}
	p, _ := tx.Value(o).(*pendingEvents)
	if p == nil {
		p = &pendingEvents{}
		tx.SetValue(o, p)
		tx.BeforeCommit(func() error { return o.flush(ctx, tx, p) })
		tx.AfterCommit(o.Wake)
	}
	p.args = append(p.args, topic, string(b), time.Now().UnixMilli())
	return nil
}

// flushChunk is the most events one INSERT stores: 3 parameters each keeps
// a statement at 1,500 parameters, far below SQLite's 32,766 and
// PostgreSQL's 65,535, however many events one transaction publishes.
const flushChunk = 500

func (o *Outbox) flush(ctx context.Context, tx *db.Tx, p *pendingEvents) error {
	n := len(p.args) / 3
	for start := 0; start < n; start += flushChunk {
		end := min(start+flushChunk, n)
		q := `INSERT INTO event_outbox (topic, payload, created_at) VALUES ` + strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", end-start), ", ")
		if _, err := tx.Exec(ctx, q, p.args[3*start:3*end]...); err != nil {
			return fmt.Errorf("events: store events %d-%d of %d: %w", start+1, end, n, err)
		}
	}
	return nil
}

// Wake tells the dispatcher that new events may be waiting.
func (o *Outbox) Wake() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// Dispatcher moves committed events from the outbox to the bus.
type Dispatcher struct {
	db     *db.DB
	outbox *Outbox
	bus    Bus
	log    *slog.Logger
	// Poll is how often the outbox is read without a wake-up (default 1 s);
	// it catches events left by a crash and those written by other nodes.
	Poll time.Duration
	// Batch is the most events read per round (default 500).
	Batch int
}

// NewDispatcher returns a dispatcher for d's outbox.
func NewDispatcher(d *db.DB, o *Outbox, bus Bus, log *slog.Logger) *Dispatcher {
	return &Dispatcher{db: d, outbox: o, bus: bus, log: log, Poll: time.Second, Batch: 500}
}

// Run delivers events until ctx ends, then delivers what is already
// committed one last time and returns.
func (p *Dispatcher) Run(ctx context.Context) error {
	t := time.NewTicker(p.Poll)
	defer t.Stop()
	for {
		for {
			n, err := p.DeliverOnce(context.WithoutCancel(ctx))
			if err != nil {
				p.log.Error("event dispatch failed", "err", err)
				break
			}
			if n < p.Batch {
				break
			}
		}
		select {
		case <-ctx.Done():
			_, _ = p.DeliverOnce(context.WithoutCancel(ctx))
			return nil
		case <-p.outbox.wake:
		case <-t.C:
		}
	}
}

// DeliverOnce delivers up to Batch pending events in id order and removes
// them from the outbox. It returns how many it delivered.
func (p *Dispatcher) DeliverOnce(ctx context.Context) (int, error) {
	rows, err := p.db.R().Query(ctx,
		`SELECT id, topic, payload, created_at FROM event_outbox ORDER BY id LIMIT ?`, p.Batch)
	if err != nil {
		return 0, fmt.Errorf("events: read outbox: %w", err)
	}
	var evs []Event
	for rows.Next() {
		var e Event
		var payload string
		var ms int64
		if err := rows.Scan(&e.ID, &e.Topic, &payload, &ms); err != nil {
			rows.Close()
			return 0, err
		}
		e.Payload = json.RawMessage(payload)
		e.CreatedAt = time.UnixMilli(ms).UTC()
		evs = append(evs, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(evs) == 0 {
		return 0, nil
	}
	for _, e := range evs {
		if err := p.bus.Publish(ctx, e); err != nil {
			p.log.Error("event publish failed", "topic", e.Topic, "event_id", e.ID, "err", err)
		}
	}
	// Delete exactly the delivered ids: on PostgreSQL a lower id can commit
	// after a higher one, so "id <= last" could drop an undelivered event.
	ids := make([]any, len(evs))
	marks := make([]string, len(evs))
	for i, e := range evs {
		ids[i], marks[i] = e.ID, "?"
	}
	if err := p.db.WriteTx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM event_outbox WHERE id IN (`+strings.Join(marks, ",")+`)`, ids...)
		return err
	}); err != nil {
		return 0, fmt.Errorf("events: trim outbox: %w", err)
	}
	return len(evs), nil
}

type originKey struct{}

// WithOrigin returns ctx carrying the chain of automation rule ids that
// caused the work done with it; Outbox.Publish copies it into event
// payloads as "origin".
func WithOrigin(ctx context.Context, ruleIDs []int64) context.Context {
	return context.WithValue(ctx, originKey{}, ruleIDs)
}

// Origin returns the rule-id chain carried by ctx (nil when none).
func Origin(ctx context.Context) []int64 {
	ids, _ := ctx.Value(originKey{}).([]int64)
	return ids
}

// PayloadOrigin returns the "origin" rule-id chain of an event payload (nil
// when the event was not caused by an automation rule).
func PayloadOrigin(payload json.RawMessage) []int64 {
	var p struct {
		Origin []int64 `json:"origin"`
	}
	_ = json.Unmarshal(payload, &p)
	return p.Origin
}
