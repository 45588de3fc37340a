package canned_test

import (
	"slices"
	"testing"

	"github.com/kesherdesk/kesher/internal/canned"
)

func TestPatchFor(t *testing.T) {
	p := canned.PatchFor([]canned.Action{
		{Type: canned.ActionSetStatus, Value: "open"},
		{Type: canned.ActionSetStatus, Value: "pending"},
		{Type: canned.ActionSetPriority, Value: "urgent"},
		{Type: canned.ActionSetTeam, Value: float64(7)},
		{Type: canned.ActionAssign, Value: nil},
		{Type: canned.ActionAddTags, Value: []any{"a", "b"}},
		{Type: canned.ActionAddTags, Value: "c"},
		{Type: canned.ActionRemoveTags, Value: []string{"d"}},
	})
	if !p.Status.Set || p.Status.V != "pending" || p.Priority.V != "urgent" || p.TeamID.V != 7 || p.TeamID.Null {
		t.Fatalf("patch: %+v", p)
	}
	if !p.AssigneeID.Set || !p.AssigneeID.Null {
		t.Fatalf("assign null should clear: %+v", p.AssigneeID)
	}
	if !slices.Equal(p.AddTags, []string{"a", "b", "c"}) || !slices.Equal(p.RemoveTags, []string{"d"}) {
		t.Fatalf("tags: %v %v", p.AddTags, p.RemoveTags)
	}
	if p := canned.PatchFor(nil); p.Status.Set || p.TeamID.Set || len(p.AddTags) != 0 {
		t.Fatalf("no actions: %+v", p)
	}
}

func TestRenderTeamName(t *testing.T) {
	got := canned.Render("צוות {{team.name}} · {{ agent.first_name }}", canned.Values{TeamName: "חיובים", AgentName: "נועה לוי"})
	if got != "צוות חיובים · נועה" {
		t.Fatalf("got %q", got)
	}
}
