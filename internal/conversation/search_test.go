package conversation_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/kesherdesk/kesher/internal/agent"
	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/loadgen"
	"github.com/kesherdesk/kesher/internal/testkit"
)

func newCore(t *testing.T, d *db.DB) *app.Core {
	t.Helper()
	return app.NewCoreFromDB(d, app.CoreOptions{Password: auth.FastPasswordParams, Store: db.Options{DataDir: t.TempDir()}}, testkit.Logger())
}

// TestSearch checks the q filter: subject, requester name and email
// substrings in any case, and conversation numbers.
func TestSearch(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		core := newCore(t, d)
		ctx := context.Background()
		box, err := core.Inboxes.Create(ctx, audit.System, inbox.Input{Name: "Mail", Channel: "email"})
		if err != nil {
			t.Fatal(err)
		}
		mk := func(subject, name, email, status string) int64 {
			c, _, err := core.Conversations.Create(ctx, audit.System, conversation.CreateInput{InboxID: box.ID, Subject: subject, Status: status,
				Requester: conversation.RequesterInput{Name: name, Email: email},
				Message:   &conversation.MessageInput{Direction: "inbound", Body: "hi"}})
			if err != nil {
				t.Fatal(err)
			}
			return c.ID
		}
		c1 := mk("Order 5678 is late", "Dana Cohen", "dana@example.co.il", "new")
		c2 := mk("החזר כספי על הזמנה", "יוסי לוי", "yossi@Shop.com", "open")
		c3 := mk("Hello there", "יוסי לוי", "yossi@shop.com", "pending")
		c4 := mk("100% off_sale", "Avi", "avi@example.com", "new")
		all := conversation.Visibility{All: true}
		cases := []struct {
			q        string
			statuses []string
			want     []int64
		}{
			{"dana", nil, []int64{c1}},
			{"DANA COHEN", nil, []int64{c1}},
			{"SHOP.COM", nil, []int64{c3, c2}},
			{"יוסי", nil, []int64{c3, c2}},
			{"החזר", nil, []int64{c2}},
			{"order 5678", nil, []int64{c1}},
			{"5678", nil, []int64{c1}},
			{fmt.Sprint(c3), nil, []int64{c3}},
			{fmt.Sprintf("#%d", c2), nil, []int64{c2}},
			{"#5678", nil, nil},
			{"%", nil, []int64{c4}},
			{"f_s", nil, []int64{c4}},
			{"o_d", nil, nil}, // _ is no wildcard
			{"  dana  ", nil, []int64{c1}},
			{"yossi", []string{"open", "pending"}, []int64{c3, c2}},
			{"yossi", []string{"new"}, nil},
			{"dana", []string{"new", "pending"}, []int64{c1}},
			{"nobody", nil, nil},
		}
		for _, tc := range cases {
			res, err := core.Conversations.List(ctx, conversation.ListParams{Query: tc.q, Statuses: tc.statuses, Visibility: all})
			if err != nil {
				t.Fatalf("q=%q: %v", tc.q, err)
			}
			var got []int64
			for _, c := range res.Data {
				got = append(got, c.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("q=%q statuses=%v: got %v, want %v", tc.q, tc.statuses, got, tc.want)
			}
		}
	})
}

// TestCountsMatchList seeds a desk with teams and assignees at random and
// checks that CountByStatus and CountByTeam agree with walking the list for
// admins and for agents, under several filters.
func TestCountsMatchList(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		core := newCore(t, d)
		ctx := context.Background()
		if _, err := loadgen.Seed(ctx, d, 240, nil); err != nil {
			t.Fatal(err)
		}
		var teams []int64
		for i := range 3 {
			tm, err := core.Agents.CreateTeam(ctx, audit.System, agent.TeamInput{Name: fmt.Sprint("T", i)})
			if err != nil {
				t.Fatal(err)
			}
			teams = append(teams, tm.ID)
		}
		var agents []int64
		for i := range 3 {
			a, err := core.Agents.Create(ctx, audit.System, agent.Input{Name: fmt.Sprint("A", i), Email: fmt.Sprintf("a%d@kesher.test", i),
				TeamIDs: teams[i : i+1]})
			if err != nil {
				t.Fatal(err)
			}
			agents = append(agents, a.ID)
		}
		rng := rand.New(rand.NewPCG(7, 7))
		err := d.WriteTx(ctx, func(tx *db.Tx) error {
			for id := int64(1); id <= 240; id++ {
				var team, assignee any
				if k := rng.IntN(4); k < 3 {
					team = teams[k]
				}
				if k := rng.IntN(4); k < 3 {
					assignee = agents[k]
				}
				if _, err := tx.Exec(ctx, `UPDATE conversations SET team_id = ?, assignee_id = ? WHERE id = ?`, team, assignee, id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		visibilities := map[string]conversation.Visibility{
			"admin":  {All: true, AgentID: agents[0]},
			"agent0": {AgentID: agents[0], TeamIDs: teams[0:1]},
			"agent1": {AgentID: agents[1], TeamIDs: teams[1:3]},
			"noteam": {AgentID: agents[2]},
		}
		tagID, err := core.Tags.IDByName(ctx, "bench")
		if err != nil {
			t.Fatal(err)
		}
		filters := map[string]conversation.ListParams{
			"all":        {},
			"unsolved":   {Statuses: conversation.Unsolved},
			"unassigned": {Unassigned: true, Statuses: conversation.Unsolved},
			"mine":       {AssigneeID: agents[0]},
			"team1":      {TeamID: teams[1]},
			"noteam":     {NoTeam: true, Statuses: []string{"open"}},
			"tag":        {TagID: tagID, Statuses: []string{"closed", "new"}},
			"search":     {Query: "Order 1000"},
		}
		for vn, v := range visibilities {
			for fn, f := range filters {
				f.Visibility = v
				counts, err := core.Conversations.CountByStatus(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				want := map[string]int{}
				for _, st := range f.Statuses {
					want[st] = 0
				}
				if len(f.Statuses) == 0 {
					for _, st := range conversation.Statuses {
						want[st] = 0
					}
				}
				byTeam := map[int64]int{}
				f.Limit = 100
				for {
					res, err := core.Conversations.List(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					for _, c := range res.Data {
						want[c.Status]++
						if c.TeamID != nil {
							byTeam[*c.TeamID]++
						}
					}
					if res.NextCursor == nil {
						break
					}
					f.Cursor = *res.NextCursor
				}
				if fmt.Sprint(counts) != fmt.Sprint(want) {
					t.Errorf("%s/%s: CountByStatus = %v, list has %v", vn, fn, counts, want)
				}
				if fn == "unsolved" {
					got, err := core.Conversations.CountByTeam(ctx, v, conversation.Unsolved)
					if err != nil {
						t.Fatal(err)
					}
					for _, tm := range teams {
						if (v.All || slices.Contains(v.TeamIDs, tm)) && got[tm] != byTeam[tm] {
							t.Errorf("%s: CountByTeam[%d] = %d, list has %d", vn, tm, got[tm], byTeam[tm])
						}
					}
					if !v.All && len(got) != len(v.TeamIDs) {
						t.Errorf("%s: CountByTeam covers %v, want only the agent's teams %v", vn, got, v.TeamIDs)
					}
				}
			}
		}
	})
}
