package conversation_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestFirstSolveAndReopenTimes checks the facts first contact resolution
// reads (migration 00022): first_solved_at is set by the first solve only,
// first_reopened_at by the first move from solved back to open only —
// a customer reply (which also counts in reopen_count) or an agent.
//
//	t0 created; t0+1h solved → first_solved t0+1h;
//	t0+2d customer reply → reopened, first_reopened t0+2d, reopen_count 1;
//	t0+3d solved again → first_solved stays t0+1h;
//	t0+4d agent reopens → first_reopened stays t0+2d.
//
// A second conversation solved at t0+1h and reopened by an agent at t0+9d:
// first_reopened t0+9d, reopen_count 0.
func TestFirstSolveAndReopenTimes(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		core := newCore(t, d)
		ctx := context.Background()
		t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		now := t0
		core.Conversations.Now = func() time.Time { return now }
		box, err := core.Inboxes.Create(ctx, audit.System, inbox.Input{Name: "Mail", Channel: "email"})
		if err != nil {
			t.Fatal(err)
		}
		mk := func() int64 {
			c, _, err := core.Conversations.Create(ctx, audit.System, conversation.CreateInput{InboxID: box.ID, Subject: "s",
				Requester: conversation.RequesterInput{Email: "r@example.com"},
				Message:   &conversation.MessageInput{Direction: "inbound", Body: "hi"}})
			if err != nil {
				t.Fatal(err)
			}
			return c.ID
		}
		status := func(id int64, s string, at time.Time) {
			now = at
			if _, err := core.Conversations.Update(ctx, audit.System, id, conversation.Patch{Status: patch.Of(s)}); err != nil {
				t.Fatal(err)
			}
		}
		facts := func(id int64) (solved, reopened sql.NullInt64, count int) {
			if err := d.R().QueryRow(ctx, `SELECT first_solved_at, first_reopened_at, reopen_count FROM conversations WHERE id = ?`, id).
				Scan(&solved, &reopened, &count); err != nil {
				t.Fatal(err)
			}
			return
		}
		want := func(name string, id int64, solved, reopened *time.Time, count int) {
			t.Helper()
			s, r, n := facts(id)
			if s.Valid != (solved != nil) || (solved != nil && s.Int64 != db.Ms(*solved)) ||
				r.Valid != (reopened != nil) || (reopened != nil && r.Int64 != db.Ms(*reopened)) || n != count {
				t.Errorf("%s: first_solved %v first_reopened %v reopen_count %d; want %v %v %d", name, s, r, n, solved, reopened, count)
			}
		}
		h, day := time.Hour, 24*time.Hour
		solve1, reopen1 := t0.Add(h), t0.Add(2*day)

		a := mk()
		want("new", a, nil, nil, 0)
		status(a, conversation.StatusSolved, solve1)
		want("first solve", a, &solve1, nil, 0)
		now = reopen1
		if _, _, err := core.Conversations.AddMessage(ctx, audit.System, a, conversation.MessageInput{Direction: "inbound", Body: "again"}); err != nil {
			t.Fatal(err)
		}
		want("customer reopen", a, &solve1, &reopen1, 1)
		status(a, conversation.StatusSolved, t0.Add(3*day))
		want("second solve keeps the first", a, &solve1, &reopen1, 1)
		status(a, conversation.StatusOpen, t0.Add(4*day))
		want("second reopen keeps the first", a, &solve1, &reopen1, 1)

		now = t0
		b := mk()
		status(b, conversation.StatusSolved, solve1)
		agentReopen := t0.Add(9 * day)
		status(b, conversation.StatusOpen, agentReopen)
		want("agent reopen", b, &solve1, &agentReopen, 0)
	})
}
