package assignment_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/kesherdesk/kesher/internal/agent"
	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/assignment"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// desk is one store with a core whose assignment service listens on its bus.
type desk struct {
	t     *testing.T
	ctx   context.Context
	d     *db.DB
	core  *app.Core
	disp  *events.Dispatcher
	unsub func()
	inbox int64
	n     int
}

func newDesk(t *testing.T, d *db.DB) *desk {
	t.Helper()
	k := &desk{t: t, ctx: context.Background(), d: d}
	k.start()
	box, err := k.core.Inboxes.Create(k.ctx, audit.System, inbox.Input{Name: "API", Channel: "api"})
	if err != nil {
		t.Fatal(err)
	}
	k.inbox = box.ID
	return k
}

// start builds a fresh core and assignment service on the same store, as a
// restarted process would.
func (k *desk) start() {
	if k.unsub != nil {
		k.unsub()
	}
	log := testkit.Logger()
	k.core = app.NewCoreFromDB(k.d, app.CoreOptions{Password: auth.FastPasswordParams, Store: db.Options{DataDir: k.t.TempDir()}}, log)
	k.unsub = assignment.New(k.d, k.core.Conversations, k.core.Outbox, log).Subscribe(k.core.Bus)
	k.disp = events.NewDispatcher(k.d, k.core.Outbox, k.core.Bus, log)
}

// deliver runs the dispatcher until the outbox is empty (assignments
// publish events of their own).
func (k *desk) deliver() {
	k.t.Helper()
	for range 100 {
		n, err := k.disp.DeliverOnce(k.ctx)
		if err != nil {
			k.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	k.t.Fatal("outbox never drained")
}

func (k *desk) agent(name, availability string, capacity int, langs ...string) int64 {
	k.t.Helper()
	a, err := k.core.Agents.Create(k.ctx, audit.System, agent.Input{Name: name, Email: name + "@kesher.test",
		Availability: availability, Capacity: &capacity, Languages: langs})
	if err != nil {
		k.t.Fatal(err)
	}
	return a.ID
}

func (k *desk) team(name, mode string, members ...int64) int64 {
	k.t.Helper()
	tm, err := k.core.Agents.CreateTeam(k.ctx, audit.System, agent.TeamInput{Name: name, AssignmentMode: mode, AgentIDs: members})
	if err != nil {
		k.t.Fatal(err)
	}
	return tm.ID
}

// conv opens a conversation for team with an inbound message and delivers
// its events.
func (k *desk) conv(team int64, body string, assignee *int64) conversation.Conversation {
	k.t.Helper()
	k.n++
	c, _, err := k.core.Conversations.Create(k.ctx, audit.System, conversation.CreateInput{InboxID: k.inbox, TeamID: &team,
		AssigneeID: assignee, Subject: "Help", Requester: conversation.RequesterInput{Email: fmt.Sprintf("c%d@example.com", k.n)},
		Message: &conversation.MessageInput{Direction: conversation.DirectionInbound, Body: body}})
	if err != nil {
		k.t.Fatal(err)
	}
	k.deliver()
	return k.get(c.ID)
}

func (k *desk) get(id int64) conversation.Conversation {
	k.t.Helper()
	c, err := k.core.Conversations.Get(k.ctx, id)
	if err != nil {
		k.t.Fatal(err)
	}
	return c
}

func (k *desk) cursor(team int64) int64 {
	k.t.Helper()
	var c int64
	if err := k.d.R().QueryRow(k.ctx, `SELECT rr_cursor FROM teams WHERE id = ?`, team).Scan(&c); err != nil {
		k.t.Fatal(err)
	}
	return c
}

const english = "Hi, my order still hasn't arrived and it has been two weeks. Can you check what happened?"

func TestRoundRobin(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		a1, a2, a3 := k.agent("a1", "online", 20), k.agent("a2", "online", 20), k.agent("a3", "online", 20)
		team := k.team("Support", "round_robin", a1, a2, a3)
		counts := map[int64]int{}
		order := []int64{a1, a2, a3}
		for i := range 9 {
			c := k.conv(team, english, nil)
			if c.AssigneeID == nil {
				t.Fatalf("conversation %d not assigned", i)
			}
			if *c.AssigneeID != order[i%3] {
				t.Errorf("conversation %d went to %d, want %d", i, *c.AssigneeID, order[i%3])
			}
			counts[*c.AssigneeID]++
		}
		if counts[a1] != 3 || counts[a2] != 3 || counts[a3] != 3 {
			t.Fatalf("counts = %v, want 3 each", counts)
		}
		if c := k.conv(team, english, nil); c.AssigneeID == nil || *c.AssigneeID != a1 {
			t.Fatalf("10th conversation: %v, want %d", c.AssigneeID, a1)
		}
		if got := k.cursor(team); got != a1 {
			t.Fatalf("cursor = %d, want %d", got, a1)
		}
		var last db.NullMs
		if err := d.R().QueryRow(k.ctx, `SELECT last_assigned_at FROM agents WHERE id = ?`, a1).Scan(&last); err != nil || !last.Valid {
			t.Fatalf("last_assigned_at of a1: %v, %v", last, err)
		}

		// A restarted process continues after the stored cursor.
		k.start()
		if c := k.conv(team, english, nil); c.AssigneeID == nil || *c.AssigneeID != a2 {
			t.Fatalf("after restart: %v, want %d", c.AssigneeID, a2)
		}
		if got := k.cursor(team); got != a2 {
			t.Fatalf("cursor after restart = %d, want %d", got, a2)
		}
	})
}

func TestLoadBalanced(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		a1, a2 := k.agent("a1", "online", 2), k.agent("a2", "online", 5)
		away := k.agent("away", "away", 100)
		off := k.agent("off", "offline", 100)
		team := k.team("Support", "load_balanced", a1, a2, away, off)
		counts := map[int64]int{}
		for i := range 7 {
			c := k.conv(team, english, nil)
			if c.AssigneeID == nil {
				t.Fatalf("conversation %d not assigned", i)
			}
			counts[*c.AssigneeID]++
		}
		if counts[a1] != 2 || counts[a2] != 5 || counts[away] != 0 || counts[off] != 0 {
			t.Fatalf("counts = %v, want a1 2, a2 5, away and offline none", counts)
		}
		// Everyone online is at capacity now.
		if c := k.conv(team, english, nil); c.AssigneeID != nil {
			t.Fatalf("over capacity: assigned to %d", *c.AssigneeID)
		}
		// Solving one frees a slot.
		var one int64
		if err := d.R().QueryRow(k.ctx, `SELECT MIN(id) FROM conversations WHERE assignee_id = ?`, a1).Scan(&one); err != nil {
			t.Fatal(err)
		}
		if _, err := k.core.Conversations.Update(k.ctx, audit.System, one, conversation.Patch{Status: patch.Of(conversation.StatusSolved)}); err != nil {
			t.Fatal(err)
		}
		k.deliver()
		if c := k.conv(team, english, nil); c.AssigneeID == nil || *c.AssigneeID != a1 {
			t.Fatalf("after a1 solved one: %v, want %d", c.AssigneeID, a1)
		}
		if got := k.cursor(team); got != 0 {
			t.Fatalf("load balancing moved the cursor to %d", got)
		}
	})
}

func TestLanguage(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		en := k.agent("en", "online", 20, "en")
		he := k.agent("he", "online", 20, "he", "en")
		team := k.team("Support", "round_robin", en, he)
		for range 3 {
			c := k.conv(team, "שלום, ההזמנה שלי לא הגיעה עדיין ועברו כבר שבועיים. אפשר לבדוק מה קרה?", nil)
			if c.AssigneeID == nil || *c.AssigneeID != he {
				t.Fatalf("Hebrew conversation went to %v, want %d", c.AssigneeID, he)
			}
			if c.Language != "he" {
				t.Fatalf("language = %q, want he", c.Language)
			}
		}
		// Too little text to tell: the language stays unknown.
		if c := k.conv(team, "ok", nil); c.Language != "" || c.AssigneeID == nil {
			t.Fatalf("unclear message: language %q, assignee %v", c.Language, c.AssigneeID)
		}
	})
}

func TestManualAndAssigned(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		a1, a2 := k.agent("a1", "online", 20), k.agent("a2", "online", 20)
		manual := k.team("Manual", "", a1, a2)
		if tm, _ := k.core.Agents.GetTeam(k.ctx, manual); tm.AssignmentMode != "manual" {
			t.Fatalf("default mode = %q", tm.AssignmentMode)
		}
		c := k.conv(manual, english, nil)
		if c.AssigneeID != nil {
			t.Fatalf("manual team assigned %d", *c.AssigneeID)
		}
		if c.Language != "en" {
			t.Fatalf("language = %q, want en (detected in manual mode too)", c.Language)
		}

		rr := k.team("RR", "round_robin", a1, a2)
		c2 := k.conv(rr, english, &a2)
		if c2.AssigneeID == nil || *c2.AssigneeID != a2 {
			t.Fatalf("already assigned conversation now has %v", c2.AssigneeID)
		}
		if got := k.cursor(rr); got != 0 {
			t.Fatalf("cursor moved to %d for an assigned conversation", got)
		}

		// Moving the unassigned conversation to a round-robin team assigns it.
		if _, err := k.core.Conversations.Update(k.ctx, audit.System, c.ID, conversation.Patch{TeamID: patch.Of(rr)}); err != nil {
			t.Fatal(err)
		}
		k.deliver()
		if got := k.get(c.ID); got.AssigneeID == nil || *got.AssigneeID != a1 {
			t.Fatalf("after team change: %v, want %d", got.AssigneeID, a1)
		}
	})
}

func TestAudited(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		a1 := k.agent("a1", "online", 20)
		team := k.team("Support", "round_robin", a1)
		c := k.conv(team, english, nil)
		entries, err := audit.List(k.ctx, d.R(), "conversation", c.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range entries {
			if ch, ok := e.Changes["assignee_id"]; ok {
				if e.Actor.Type != "system" || ch.From != nil || ch.To != float64(a1) {
					t.Fatalf("assignment entry: %+v", e)
				}
				found = true
			}
		}
		if !found {
			t.Fatalf("no assignment in the audit log: %+v", entries)
		}
		msgs, err := k.core.Conversations.ListMessages(k.ctx, c.ID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		timeline := false
		for _, m := range msgs {
			if m.Kind == conversation.KindEvent && m.AuthorType == "system" && m.ChannelMeta["event"] == "assigned" {
				timeline = true
			}
		}
		if !timeline {
			t.Fatalf("no assigned event in the timeline: %+v", msgs)
		}
	})
}

func TestTeamMode(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		var ve *errs.ValidationError
		if _, err := k.core.Agents.CreateTeam(k.ctx, audit.System, agent.TeamInput{Name: "X", AssignmentMode: "fifo"}); !errors.As(err, &ve) || ve.Fields[0].Field != "assignment_mode" {
			t.Fatalf("create with mode fifo: %v", err)
		}
		id := k.team("Support", "")
		tm, err := k.core.Agents.UpdateTeam(k.ctx, audit.System, id, agent.TeamPatch{AssignmentMode: patch.Of("load_balanced")})
		if err != nil || tm.AssignmentMode != "load_balanced" {
			t.Fatalf("update: %+v, %v", tm, err)
		}
		for _, p := range []agent.TeamPatch{{AssignmentMode: patch.Of("")}, {AssignmentMode: patch.Clear[string]()}, {AssignmentMode: patch.Of("bogus")}} {
			if _, err := k.core.Agents.UpdateTeam(k.ctx, audit.System, id, p); !errors.As(err, &ve) || ve.Fields[0].Field != "assignment_mode" {
				t.Fatalf("update with %+v: %v", p.AssignmentMode, err)
			}
		}
		if tm, _ := k.core.Agents.GetTeam(k.ctx, id); tm.AssignmentMode != "load_balanced" {
			t.Fatalf("mode after rejected updates = %q", tm.AssignmentMode)
		}
	})
}
