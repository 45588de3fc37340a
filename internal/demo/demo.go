// Package demo seeds a realistic, deterministic demo desk: an online shop's
// customer care with agents in three teams, an email, a chat and an API
// inbox, 500 customers and 2,000 conversations from the last 90 days, in
// Hebrew and English — late deliveries, refunds, damaged items, double
// charges, sign-in trouble, product questions and complaints, each with a
// thread that moves through the statuses the way real work does.
//
// The same seed gives the same desk every time (timestamps relative to the
// seeding instant). The data is written with plain SQL in a few
// transactions, keeping the counters and timestamps the conversation service
// keeps, and without outbox events: the demo is history, not live traffic.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/kb"
)

// AdminPassword is the password of every demo agent, the bootstrap admin
// included (`kesher serve --demo` creates the admin with it).
const AdminPassword = "kesher-demo"

// Options tune the seed.
type Options struct {
	Log *slog.Logger
	// Now is the instant the demo's history ends (default: time.Now()),
	// truncated to the minute; tests fix it.
	Now time.Time
}

// batchSize is how many conversations one write transaction stores, so a
// seed never holds SQLite's single writer for long.
const batchSize = 200

// errSeeded stops the seed when conversations appeared after the first look.
var errSeeded = errors.New("demo: the desk already has conversations")

// Seed fills a desk that has no conversations and no agent besides the
// bootstrap admin with the demo desk and reports whether it did; any other
// desk is left alone (false, nil). The bootstrap admin must exist already; it joins the general
// support team. Seed takes well under a second on SQLite and about a
// second on a local PostgreSQL.
func Seed(ctx context.Context, core *app.Core, o Options) (bool, error) {
	start := time.Now()
	log := o.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC().Truncate(time.Minute)
	if has, err := hasConversations(ctx, core.DB.R()); err != nil || has {
		return false, err
	}
	// A desk with real agents besides the bootstrap admin is not a demo:
	// never add demo agents (with a published password) to it.
	if n, err := core.Agents.Count(ctx); err != nil || n > 1 {
		if n > 1 {
			log.Warn("not seeding the demo desk: this desk already has agents", "agents", n)
		}
		return false, err
	}
	hash, err := core.Auth.Hasher.Hash(ctx, AdminPassword)
	if err != nil {
		return false, err
	}
	p := makePlan(now)
	var in ids
	err = core.DB.WriteTx(ctx, func(tx *db.Tx) error {
		// Look again inside the write transaction: two servers started
		// with --demo on one PostgreSQL must not both seed.
		has, err := hasConversations(ctx, tx)
		if err != nil {
			return err
		}
		if has {
			return errSeeded
		}
		in, err = writeDesk(ctx, tx, p, hash, now)
		return err
	})
	if errors.Is(err, errSeeded) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for i := 0; i < len(p.convs); i += batchSize {
		batch := p.convs[i:min(i+batchSize, len(p.convs))]
		if err := core.DB.WriteTx(ctx, func(tx *db.Tx) error { return writeConversations(ctx, tx, batch, in) }); err != nil {
			return false, err
		}
	}
	if err := core.DB.WriteTx(ctx, func(tx *db.Tx) error { return writeOrders(ctx, tx, p, in, now) }); err != nil {
		return false, err
	}
	slaStart := time.Now()
	evaluated, err := seedSLA(ctx, core, now)
	if err != nil {
		return false, err
	}
	log.Info("demo SLA evaluated", "conversations", evaluated, "duration", time.Since(slaStart).Round(time.Millisecond))
	if err := core.DB.WriteTx(ctx, func(tx *db.Tx) error { return writeSurveyAnswers(ctx, tx) }); err != nil {
		return false, err
	}
	// The knowledge base goes through its service (rendered, versioned,
	// indexed) but without an outbox: no kb.article.published events.
	articles, err := seedKB(ctx, kb.New(core.DB, nil, core.Search), in.inboxes[0])
	if err != nil {
		return false, err
	}
	log.Info("demo knowledge base seeded", "articles", articles)
	// The demo desk is written directly, not through events: its report
	// rollups are built once here so the dashboard shows it at once.
	reportStart := time.Now()
	if err := core.Reports.Rebuild(ctx); err != nil {
		return false, err
	}
	log.Info("demo report rollups built", "duration", time.Since(reportStart).Round(time.Millisecond))
	// The admin's principal may be cached without its new team.
	core.Auth.Forget()
	agents := len(in.agents)
	if in.admin != 0 {
		agents++
	}
	log.Info("demo desk seeded", "agents", agents, "contacts", len(p.contacts), "conversations", len(p.convs),
		"duration", time.Since(start).Round(time.Millisecond))
	return true, nil
}

// writeSurveyAnswers gives every third solved demo conversation a CSAT
// answer two hours after it was solved, with a fixed spread of scores (six
// in ten are 4 or 5), so the dashboard's satisfaction figures have data.
func writeSurveyAnswers(ctx context.Context, tx *db.Tx) error {
	_, err := tx.Exec(ctx, `INSERT INTO survey_responses (kind, source, score, conversation_id, contact_id, inbox_id, team_id,
		agent_id, channel, responded_at, updated_at)
		SELECT 'csat', 'survey', CASE id % 10 WHEN 0 THEN 5 WHEN 1 THEN 4 WHEN 2 THEN 5 WHEN 3 THEN 3 WHEN 4 THEN 5
			WHEN 5 THEN 2 WHEN 6 THEN 4 WHEN 7 THEN 5 WHEN 8 THEN 1 ELSE 3 END,
			id, requester_id, inbox_id, team_id, assignee_id, channel, solved_at + 7200000, solved_at + 7200000
		FROM conversations WHERE solved_at IS NOT NULL AND id % 3 = 0`)
	if err != nil {
		return fmt.Errorf("demo: survey answers: %w", err)
	}
	return nil
}
