package canned_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/canned"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/testkit"
)

func TestRender(t *testing.T) {
	v := canned.Values{ContactName: "דנה  כהן", ContactEmail: "dana@example.co.il", ConversationNumber: 1042,
		ConversationSubject: "ההזמנה לא הגיעה", AgentName: "Noa Levi"}
	cases := []struct{ body, want string }{
		{"שלום {{contact.first_name}},", "שלום דנה,"},
		{"Hi {{ contact.name }} <{{contact.email}}>", "Hi דנה  כהן <dana@example.co.il>"},
		{"Re #{{conversation.number}}: {{conversation.subject}}", "Re #1042: ההזמנה לא הגיעה"},
		{"— {{agent.first_name}} ({{agent.name}})", "— Noa (Noa Levi)"},
		{"{{contact.phone}} and {{ unknown }} and {{contact.name", "{{contact.phone}} and {{ unknown }} and {{contact.name"},
		{"{{{contact.first_name}}}", "{דנה}"},
		{"", ""},
	}
	for _, tc := range cases {
		if got := canned.Render(tc.body, v); got != tc.want {
			t.Errorf("Render(%q) = %q, want %q", tc.body, got, tc.want)
		}
	}
	if got := canned.Render("Hi {{contact.first_name}}!", canned.Values{}); got != "Hi !" {
		t.Errorf("empty name: %q", got)
	}
}

func fieldOf(err error) string {
	var ve *errs.ValidationError
	if errors.As(err, &ve) && len(ve.Fields) > 0 {
		return ve.Fields[0].Field
	}
	return ""
}

func TestCannedResponses(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := canned.NewService(d)
		var teams [2]int64
		err := d.WriteTx(ctx, func(tx *db.Tx) error {
			for i := range teams {
				id, err := tx.InsertID(ctx, `INSERT INTO teams (name, created_at, updated_at) VALUES (?, 1, 1)`, []string{"T1", "T2"}[i])
				if err != nil {
					return err
				}
				teams[i] = id
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		admin := canned.Scope{All: true}
		team1 := canned.Scope{TeamIDs: teams[:1]}
		actor := audit.Actor{Type: "system"}
		refund, err := s.Create(ctx, actor, admin, canned.Input{Title: "החזר כספי", Body: "שלום {{contact.first_name}}, ההחזר בדרך.", Language: "he", Shortcut: "החזר"})
		if err != nil {
			t.Fatal(err)
		}
		thanks, err := s.Create(ctx, actor, team1, canned.Input{Title: "Thanks", Body: "Thank you, {{contact.name}}!", Language: "en", TeamID: &teams[0]})
		if err != nil || thanks.TeamID == nil || *thanks.TeamID != teams[0] {
			t.Fatalf("create for own team: %+v, %v", thanks, err)
		}
		secret, err := s.Create(ctx, actor, admin, canned.Input{Title: "Escalation", Body: "Internal", TeamID: &teams[1]})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			in    canned.Input
			field string
		}{
			{canned.Input{Body: "x"}, "title"},
			{canned.Input{Title: "x", Body: "  "}, "body"},
			{canned.Input{Title: "x", Body: "x", Language: "fr"}, "language"},
			{canned.Input{Title: "x", Body: "x", Shortcut: "two words"}, "shortcut"},
			{canned.Input{Title: "x", Body: "x", TeamID: &teams[1]}, "team_id"},
		} {
			if _, err := s.Create(ctx, actor, team1, tc.in); fieldOf(err) != tc.field {
				t.Errorf("create %+v: %v, want an error on %s", tc.in, err, tc.field)
			}
		}
		missing := int64(9999)
		if _, err := s.Create(ctx, actor, admin, canned.Input{Title: "x", Body: "x", TeamID: &missing}); fieldOf(err) != "team_id" {
			t.Errorf("unknown team: %v", err)
		}

		list := func(sc canned.Scope, p canned.ListParams) []int64 {
			rs, err := s.List(ctx, sc, p)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, r := range rs {
				ids = append(ids, r.ID)
			}
			return ids
		}
		for _, tc := range []struct {
			sc   canned.Scope
			p    canned.ListParams
			want []int64
		}{
			{admin, canned.ListParams{}, []int64{secret.ID, thanks.ID, refund.ID}},
			{team1, canned.ListParams{}, []int64{thanks.ID, refund.ID}},
			{canned.Scope{}, canned.ListParams{}, []int64{refund.ID}},
			{admin, canned.ListParams{Language: "en"}, []int64{secret.ID, thanks.ID}},
			{admin, canned.ListParams{Query: "THANK"}, []int64{thanks.ID}},
			{admin, canned.ListParams{Query: "בדרך"}, []int64{refund.ID}},
			{admin, canned.ListParams{Query: "החזר", Language: "en"}, nil},
		} {
			if got := list(tc.sc, tc.p); !slices.Equal(got, tc.want) {
				t.Errorf("list %+v %+v: %v, want %v", tc.sc, tc.p, got, tc.want)
			}
		}
		if _, err := s.List(ctx, admin, canned.ListParams{Language: "de"}); fieldOf(err) != "language" {
			t.Errorf("bad language filter: %v", err)
		}

		if _, err := s.Get(ctx, team1, secret.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("another team's response: %v", err)
		}
		if _, err := s.Update(ctx, actor, team1, secret.ID, canned.Patch{Title: patch.Of("mine")}); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("update another team's response: %v", err)
		}
		up, err := s.Update(ctx, actor, team1, thanks.ID, canned.Patch{Body: patch.Of("Thanks {{agent.first_name}}"), TeamID: patch.Clear[int64]()})
		if err != nil || up.TeamID != nil || up.Body != "Thanks {{agent.first_name}}" || up.Title != "Thanks" {
			t.Fatalf("update: %+v, %v", up, err)
		}
		body, err := s.Render(ctx, canned.Scope{}, refund.ID, canned.Values{ContactName: "יוסי לוי"})
		if err != nil || body != "שלום יוסי, ההחזר בדרך." {
			t.Fatalf("render: %q, %v", body, err)
		}
		if err := s.Delete(ctx, actor, team1, secret.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("delete another team's response: %v", err)
		}
		if err := s.Delete(ctx, actor, admin, secret.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, admin, secret.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("get a deleted response: %v", err)
		}
	})
}
