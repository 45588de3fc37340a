package view_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/agent"
	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/testkit"
	"github.com/kesherdesk/kesher/internal/view"
)

func fieldOf(err error) string {
	var ve *errs.ValidationError
	if errors.As(err, &ve) && len(ve.Fields) > 0 {
		return ve.Fields[0].Field
	}
	return ""
}

func TestViews(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		core := app.NewCoreFromDB(d, app.CoreOptions{Password: auth.FastPasswordParams, Store: db.Options{DataDir: t.TempDir()}}, testkit.Logger())
		views := core.Views
		a1, _ := core.Agents.Create(ctx, audit.System, agent.Input{Name: "A1", Email: "a1@kesher.test"})
		a2, _ := core.Agents.Create(ctx, audit.System, agent.Input{Name: "A2", Email: "a2@kesher.test"})

		v1, err := views.Create(ctx, a1.ID, view.Input{Name: " My urgent ", Filters: conversation.Filters{
			Statuses: []string{"open", "new", "open"}, Priorities: []string{"urgent"}, Assignee: "me", Q: "refund"}})
		if err != nil {
			t.Fatal(err)
		}
		if v1.Name != "My urgent" || v1.Position != 0 || len(v1.Filters.Statuses) != 2 || v1.Filters.Assignee != "me" || v1.AgentID != a1.ID {
			t.Fatalf("created view: %+v", v1)
		}
		v2, err := views.Create(ctx, a1.ID, view.Input{Name: "Unassigned", Filters: conversation.Filters{Assignee: "none"}, Sort: "-updated_at"})
		if err != nil || v2.Position != 1 {
			t.Fatalf("second view: %+v, %v", v2, err)
		}
		if v2.Filters.Statuses == nil || v2.Filters.Priorities == nil {
			t.Fatalf("empty filter lists must be [], not null: %+v", v2.Filters)
		}
		for _, tc := range []struct {
			in    view.Input
			field string
		}{
			{view.Input{Name: ""}, "name"},
			{view.Input{Name: "x", Sort: "subject"}, "sort"},
			{view.Input{Name: "x", Filters: conversation.Filters{Statuses: []string{"done"}}}, "filters.statuses"},
			{view.Input{Name: "x", Filters: conversation.Filters{Priorities: []string{"asap"}}}, "filters.priorities"},
			{view.Input{Name: "x", Filters: conversation.Filters{Assignee: "nobody"}}, "filters.assignee"},
			{view.Input{Name: "x", Filters: conversation.Filters{Team: "-3"}}, "filters.team"},
			{view.Input{Name: "x", Filters: conversation.Filters{Channel: "fax"}}, "filters.channel"},
		} {
			if _, err := views.Create(ctx, a1.ID, tc.in); fieldOf(err) != tc.field {
				t.Errorf("create %+v: %v, want an error on %s", tc.in, err, tc.field)
			}
		}

		// Another agent sees none of them and cannot touch them.
		if vs, _ := views.List(ctx, a2.ID); len(vs) != 0 {
			t.Fatalf("agent 2 lists %v", vs)
		}
		if _, err := views.Update(ctx, a2.ID, v1.ID, view.Patch{Name: patch.Of("mine now")}); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("update another agent's view: %v", err)
		}
		if err := views.Delete(ctx, a2.ID, v1.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("delete another agent's view: %v", err)
		}

		up, err := views.Update(ctx, a1.ID, v1.ID, view.Patch{Position: patch.Of(5), Filters: &conversation.Filters{Team: "none"}})
		if err != nil || up.Position != 5 || up.Filters.Team != "none" || up.Filters.Assignee != "" || up.Name != "My urgent" {
			t.Fatalf("update: %+v, %v", up, err)
		}
		if _, err := views.Update(ctx, a1.ID, v1.ID, view.Patch{Filters: &conversation.Filters{Assignee: "x"}}); fieldOf(err) != "filters.assignee" {
			t.Fatalf("bad update: %v", err)
		}
		vs, _ := views.List(ctx, a1.ID)
		if len(vs) != 2 || vs[0].ID != v2.ID || vs[1].ID != v1.ID {
			t.Fatalf("order by position: %+v", vs)
		}
		if err := views.Delete(ctx, a1.ID, v2.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := views.Get(ctx, a1.ID, v2.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("get a deleted view: %v", err)
		}
	})
}

// TestCounts checks the sidebar counts for an agent and an admin, and that
// they are served from memory for CountsTTL.
func TestCounts(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		core := app.NewCoreFromDB(d, app.CoreOptions{Password: auth.FastPasswordParams, Store: db.Options{DataDir: t.TempDir()}}, testkit.Logger())
		t1, _ := core.Agents.CreateTeam(ctx, audit.System, agent.TeamInput{Name: "T1"})
		t2, _ := core.Agents.CreateTeam(ctx, audit.System, agent.TeamInput{Name: "T2"})
		me, _ := core.Agents.Create(ctx, audit.System, agent.Input{Name: "Me", Email: "me@kesher.test", TeamIDs: []int64{t1.ID}})
		box, _ := core.Inboxes.Create(ctx, audit.System, inbox.Input{Name: "Mail", Channel: "email"})
		mk := func(status string, team, assignee *int64, tags ...string) int64 {
			c, _, err := core.Conversations.Create(ctx, audit.System, conversation.CreateInput{InboxID: box.ID, Subject: "s", Status: status,
				TeamID: team, AssigneeID: assignee, Tags: tags, Requester: conversation.RequesterInput{Email: "c@example.com"},
				Message: &conversation.MessageInput{Direction: "outbound", Body: "hi"}})
			if err != nil {
				t.Fatal(err)
			}
			return c.ID
		}
		mineVIP := mk("open", &t1.ID, &me.ID, "vip") // mine, team 1
		mk("pending", &t1.ID, nil)                   // unassigned, team 1
		mk("open", nil, nil, "vip")                  // unassigned, no team
		hidden := mk("open", &t2.ID, nil)            // invisible to me
		mk("on_hold", &t2.ID, &me.ID)                // mine in another team
		solved := mk("open", &t1.ID, &me.ID)
		if _, err := core.Conversations.Update(ctx, audit.System, solved, conversation.Patch{Status: patch.Of("solved")}); err != nil {
			t.Fatal(err)
		}
		// SLA states as the SLA engine leaves them: the At risk count takes
		// at risk and breached among the unsolved conversations one sees.
		for id, state := range map[int64]string{mineVIP: "breached", hidden: "at_risk", solved: "breached"} {
			if err := d.WriteTx(ctx, func(tx *db.Tx) error {
				_, err := tx.Exec(ctx, `UPDATE conversations SET sla_state = ? WHERE id = ?`, state, id)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		vip, _ := core.Views.Create(ctx, me.ID, view.Input{Name: "VIP", Filters: conversation.Filters{Tag: "vip"}})
		closedOnly, _ := core.Views.Create(ctx, me.ID, view.Input{Name: "Done", Filters: conversation.Filters{Statuses: []string{"solved"}}})
		myPending, _ := core.Views.Create(ctx, me.ID, view.Input{Name: "Mine", Filters: conversation.Filters{Assignee: "me", Statuses: []string{"pending", "on_hold", "closed"}}})

		clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		core.Views.Now = func() time.Time { return clock }
		agentVis := conversation.Visibility{AgentID: me.ID, TeamIDs: []int64{t1.ID}}
		got, err := core.Views.Counts(ctx, agentVis)
		if err != nil {
			t.Fatal(err)
		}
		want := view.Counts{Mine: 2, Unassigned: 2, Open: 4, AtRisk: 1,
			Statuses: map[string]int{"new": 0, "open": 2, "pending": 1, "on_hold": 1, "solved": 1, "closed": 0},
			Teams:    map[int64]int{t1.ID: 2},
			Views:    map[int64]int{vip.ID: 2, closedOnly.ID: 0, myPending.ID: 1}}
		if !equal(got, want) {
			t.Fatalf("agent counts:\n got %+v\nwant %+v", got, want)
		}
		admin, err := core.Views.Counts(ctx, conversation.Visibility{All: true, AgentID: 999})
		if err != nil {
			t.Fatal(err)
		}
		if admin.Open != 5 || admin.Unassigned != 3 || admin.AtRisk != 2 || admin.Mine != 0 || admin.Teams[t1.ID] != 2 || admin.Teams[t2.ID] != 2 || len(admin.Views) != 0 {
			t.Fatalf("admin counts: %+v", admin)
		}

		// Within the TTL a new conversation is not counted yet; a new view
		// is seen at once; after the TTL everything is fresh.
		mk("new", nil, nil)
		if again, _ := core.Views.Counts(ctx, agentVis); again.Open != 4 {
			t.Fatalf("within the TTL: open = %d, want the cached 4", again.Open)
		}
		all, _ := core.Views.Create(ctx, me.ID, view.Input{Name: "All"})
		again, _ := core.Views.Counts(ctx, agentVis)
		if again.Views[all.ID] != 5 || again.Open != 5 {
			t.Fatalf("after a view change: %+v", again)
		}
		mk("new", nil, nil)
		clock = clock.Add(core.Views.CountsTTL + time.Second)
		if later, _ := core.Views.Counts(ctx, agentVis); later.Open != 6 || later.Unassigned != 4 {
			t.Fatalf("after the TTL: %+v", later)
		}
	})
}

func equal(a, b view.Counts) bool {
	if a.Mine != b.Mine || a.Unassigned != b.Unassigned || a.Open != b.Open || len(a.Statuses) != len(b.Statuses) ||
		len(a.Teams) != len(b.Teams) || len(a.Views) != len(b.Views) {
		return false
	}
	for k, v := range b.Statuses {
		if a.Statuses[k] != v {
			return false
		}
	}
	for k, v := range b.Teams {
		if a.Teams[k] != v {
			return false
		}
	}
	for k, v := range b.Views {
		if a.Views[k] != v {
			return false
		}
	}
	return true
}
