package assignment_test

import (
	"errors"
	"testing"

	"github.com/kesherdesk/kesher/internal/agent"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/notification"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/testkit"
)

func (k *desk) setAvailability(id int64, availability string) {
	k.t.Helper()
	if _, err := k.core.Agents.Update(k.ctx, audit.System, id, agent.Patch{Availability: patch.Of(availability)}); err != nil {
		k.t.Fatal(err)
	}
	k.deliver()
}

func (k *desk) assignee(id int64) int64 {
	k.t.Helper()
	c := k.get(id)
	return c.AssigneeIDOr0()
}

// assignedNotifications returns the conversations of agent's "assigned"
// notifications, newest first.
func (k *desk) assignedNotifications(agentID int64) []int64 {
	k.t.Helper()
	ns, err := notification.NewService(k.d).List(k.ctx, agentID, true, 100)
	if err != nil {
		k.t.Fatal(err)
	}
	var out []int64
	for _, n := range ns {
		if n.Kind == notification.KindAssigned && n.ConversationID != nil {
			out = append(out, *n.ConversationID)
		}
	}
	return out
}

func TestReassignWhenAgentGoesAway(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		a1, a2 := k.agent("a1", "online", 20), k.agent("a2", "offline", 20)
		team := k.team("Support", "round_robin", a1, a2)
		manual := k.team("Manual", "manual", a1, a2)
		c1, c2 := k.conv(team, english, nil), k.conv(team, english, nil)
		if k.assignee(c1.ID) != a1 || k.assignee(c2.ID) != a1 {
			t.Fatalf("first assignments: %d, %d, want %d", k.assignee(c1.ID), k.assignee(c2.ID), a1)
		}
		pending := k.conv(team, english, nil)
		if _, err := k.core.Conversations.Update(k.ctx, audit.System, pending.ID, conversation.Patch{Status: patch.Of(conversation.StatusPending)}); err != nil {
			t.Fatal(err)
		}
		inManual := k.conv(manual, english, &a1)
		k.deliver()

		// Nobody else is online: a1 going away keeps their conversations.
		k.setAvailability(a1, "away")
		if k.assignee(c1.ID) != a1 || k.assignee(c2.ID) != a1 {
			t.Fatalf("with nobody online: %d, %d, want both kept by %d", k.assignee(c1.ID), k.assignee(c2.ID), a1)
		}
		k.setAvailability(a1, "online")
		k.setAvailability(a2, "online")
		k.setAvailability(a1, "offline")
		if k.assignee(c1.ID) != a2 || k.assignee(c2.ID) != a2 {
			t.Fatalf("after a1 went offline: %d, %d, want %d", k.assignee(c1.ID), k.assignee(c2.ID), a2)
		}
		if k.assignee(pending.ID) != a1 || k.assignee(inManual.ID) != a1 {
			t.Fatalf("pending and manual-team conversations moved: %d, %d", k.assignee(pending.ID), k.assignee(inManual.ID))
		}
		entries, err := audit.List(k.ctx, d.R(), "conversation", c1.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range entries {
			if ch, ok := e.Changes["assignee_id"]; ok && e.Actor.Type == "system" && ch.From == float64(a1) && ch.To == float64(a2) {
				found = true
			}
		}
		if !found {
			t.Fatalf("no audited reassignment %d → %d in %+v", a1, a2, entries)
		}
		if got := k.assignedNotifications(a2); len(got) != 2 || got[0] != c2.ID || got[1] != c1.ID {
			t.Fatalf("a2 notifications = %v, want [%d %d]", got, c2.ID, c1.ID)
		}
	})
}

func TestRetryWhenAgentComesOnline(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		a1 := k.agent("a1", "offline", 2)
		team := k.team("Support", "load_balanced", a1)
		var ids []int64
		for range 3 {
			c := k.conv(team, english, nil)
			if c.AssigneeID != nil {
				t.Fatalf("assigned to %d with nobody online", *c.AssigneeID)
			}
			ids = append(ids, c.ID)
		}
		k.setAvailability(a1, "online")
		// Oldest first, up to capacity (2).
		if k.assignee(ids[0]) != a1 || k.assignee(ids[1]) != a1 || k.assignee(ids[2]) != 0 {
			t.Fatalf("after online: %d %d %d, want %d %d 0", k.assignee(ids[0]), k.assignee(ids[1]), k.assignee(ids[2]), a1, a1)
		}
		if got := k.assignedNotifications(a1); len(got) != 2 {
			t.Fatalf("notifications of a1 = %v, want 2", got)
		}
		// More room: raising capacity while online takes the third.
		if _, err := k.core.Agents.Update(k.ctx, audit.System, a1, agent.Patch{Capacity: patch.Of(3)}); err != nil {
			t.Fatal(err)
		}
		k.deliver()
		if k.assignee(ids[2]) != a1 {
			t.Fatalf("after capacity 3: %d, want %d", k.assignee(ids[2]), a1)
		}
	})
}

func TestSkillsPreferred(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		a1, a2 := k.agent("a1", "online", 20), k.agent("a2", "online", 20)
		ag, err := k.core.Agents.Update(k.ctx, audit.System, a2, agent.Patch{Skills: patch.Of([]string{"Billing", " billing ", "VIP Customers"})})
		if err != nil {
			t.Fatal(err)
		}
		if len(ag.Skills) != 2 || ag.Skills[0] != "billing" || ag.Skills[1] != "vip-customers" {
			t.Fatalf("skills = %q, want [billing vip-customers]", ag.Skills)
		}
		if got, _ := k.core.Agents.Get(k.ctx, a2); len(got.Skills) != 2 {
			t.Fatalf("stored skills = %q", got.Skills)
		}
		team := k.team("Support", "load_balanced", a1, a2)
		k.conv(team, english, &a2) // a2 now carries more load than a1
		create := func(subject string, tags ...string) int64 {
			c, _, err := k.core.Conversations.Create(k.ctx, audit.System, conversation.CreateInput{InboxID: k.inbox, TeamID: &team,
				Subject: subject, Tags: tags, Requester: conversation.RequesterInput{Email: "bill@example.com"},
				Message: &conversation.MessageInput{Direction: conversation.DirectionInbound, Body: english}})
			if err != nil {
				t.Fatal(err)
			}
			k.deliver()
			return c.ID
		}
		if got := k.assignee(create("Invoice", "billing")); got != a2 {
			t.Fatalf("billing conversation went to %d, want %d (skill billing, despite the higher load)", got, a2)
		}
		if got := k.assignee(create("Where is my parcel", "shipping")); got != a1 {
			t.Fatalf("shipping conversation went to %d, want %d (nobody has the skill: lowest load)", got, a1)
		}
		_, err = k.core.Agents.Update(k.ctx, audit.System, a2, agent.Patch{Skills: patch.Of([]string{"a,b"})})
		if fieldOf(err) != "skills[0]" {
			t.Fatalf("bad skill: %v", err)
		}
	})
}

func fieldOf(err error) string {
	var ve *errs.ValidationError
	if errors.As(err, &ve) && len(ve.Fields) > 0 {
		return ve.Fields[0].Field
	}
	return ""
}

// TestNoPingPong: a conversation passed between two agents going away in
// turn moves at most once each way, then stays put for a person to decide.
func TestNoPingPong(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		a1, a2 := k.agent("a1", "online", 20), k.agent("a2", "offline", 20)
		team := k.team("Support", "round_robin", a1, a2)
		c := k.conv(team, english, nil)
		if k.assignee(c.ID) != a1 {
			t.Fatalf("first: %d", k.assignee(c.ID))
		}
		k.setAvailability(a2, "online")
		steps := []struct {
			away, back int64
			want       int64
		}{
			{a1, a1, a2}, // a1 away → a2 (history a1 a2)
			{a2, a2, a1}, // a2 away → a1 (a1 a2 a1)
			{a1, a1, a2}, // a1 away → a2 (a1 a2 a1 a2)
			{a2, a2, a2}, // a2 away: a1 held it twice already — it stays
			{a2, a2, a2}, // and again: still no bounce
		}
		for i, st := range steps {
			k.setAvailability(st.away, "away")
			if got := k.assignee(c.ID); got != st.want {
				t.Fatalf("step %d: assignee %d, want %d", i, got, st.want)
			}
			k.setAvailability(st.back, "online")
		}
		var moves int
		entries, err := audit.List(k.ctx, d.R(), "conversation", c.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if _, ok := e.Changes["assignee_id"]; ok {
				moves++
			}
		}
		if moves != 4 {
			t.Fatalf("assignee changes = %d, want 4 (first + 3 moves)", moves)
		}
	})
}

// TestNotifyManualAssignment: an agent assigned by someone else is told so;
// assigning oneself notifies nobody.
func TestNotifyManualAssignment(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		noa, avi := k.agent("noa", "offline", 20), k.agent("avi", "offline", 20)
		team := k.team("Support", "manual", noa, avi)
		c := k.conv(team, english, nil)
		if _, err := k.core.Conversations.Update(k.ctx, audit.Actor{Type: "agent", ID: noa}, c.ID, conversation.Patch{AssigneeID: patch.Of(avi)}); err != nil {
			t.Fatal(err)
		}
		k.deliver()
		ns, err := notification.NewService(d).List(k.ctx, avi, false, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ns) != 1 || ns[0].Kind != notification.KindAssigned || *ns[0].ConversationID != c.ID || ns[0].Data["by"] != "agent" ||
			ns[0].Data["by_name"] != "noa" || ns[0].Data["by_agent_id"] != float64(noa) || ns[0].Data["subject"] != "Help" {
			t.Fatalf("avi's notifications: %+v", ns)
		}
		if _, err := k.core.Conversations.Update(k.ctx, audit.Actor{Type: "agent", ID: noa}, c.ID, conversation.Patch{AssigneeID: patch.Of(noa)}); err != nil {
			t.Fatal(err)
		}
		k.deliver()
		if got := k.assignedNotifications(noa); len(got) != 0 {
			t.Fatalf("self-assignment notified: %v", got)
		}
	})
}
