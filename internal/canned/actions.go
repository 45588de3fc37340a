package canned

import (
	"context"
	"fmt"
	"slices"

	"github.com/kesherdesk/kesher/internal/automation"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/tag"
)

// Macro action types: the subset of automation actions a canned response
// may carry. Applying a response with actions is a macro.
const (
	ActionSetStatus   = automation.ActionSetStatus
	ActionSetPriority = automation.ActionSetPriority
	ActionSetTeam     = automation.ActionSetTeam
	ActionAssign      = automation.ActionAssign
	ActionAddTags     = automation.ActionAddTags
	ActionRemoveTags  = automation.ActionRemoveTags
)

// ActionTypes lists the valid macro action types.
var ActionTypes = []string{ActionSetStatus, ActionSetPriority, ActionSetTeam, ActionAssign, ActionAddTags, ActionRemoveTags}

// MaxActions is the most actions one canned response carries.
const MaxActions = 20

// Action is one change a macro makes to the conversation, shaped like
// automation.Action. Value by type:
//   - set_status: new, open, pending, on_hold or solved (closing is not a
//     macro's job);
//   - set_priority: a priority (low, normal, high, urgent);
//   - set_team, assign: a team or agent id, or null to clear;
//   - add_tags, remove_tags: a list of tag names (or one name).
type Action struct {
	Type  string `json:"type"`
	Value any    `json:"value"`
}

// checkActions validates actions with the rules of automation actions
// (automation.ValidateAction), naming each bad field by its path, e.g.
// "actions[1].value"; only the field-setting types are macro actions.
func checkActions(c *errs.Checker, actions []Action) {
	c.Check(len(actions) <= MaxActions, "actions", "too_many", "at most %d actions", MaxActions)
	for i, a := range actions {
		path := fmt.Sprintf("actions[%d]", i)
		if !slices.Contains(ActionTypes, a.Type) {
			c.Add(path+".type", "invalid", "unknown action %q; one of set_status, set_priority, set_team, assign, add_tags, remove_tags", a.Type)
			continue
		}
		automation.ValidateAction(c, path, automation.Action(a))
	}
}

// normalizeActions stores ids as numbers and tag lists as lists, so the
// stored JSON has one shape per type.
func normalizeActions(actions []Action) []Action {
	out := make([]Action, 0, len(actions))
	for _, a := range actions {
		switch a.Type {
		case ActionSetTeam, ActionAssign:
			if a.Value != nil {
				id, _ := toInt(a.Value)
				a.Value = id
			}
		case ActionAddTags, ActionRemoveTags:
			tags, _ := toStrings(a.Value)
			norm := make([]string, 0, len(tags))
			for _, t := range tags {
				norm = append(norm, tag.Normalize(t))
			}
			a.Value = norm
		}
		out = append(out, a)
	}
	return out
}

// PatchFor returns the conversation change actions make, in order (a later
// action on the same field wins; tag actions accumulate). The actions must
// have been validated (they are, once stored).
func PatchFor(actions []Action) conversation.Patch {
	var p conversation.Patch
	for _, a := range actions {
		switch a.Type {
		case ActionSetStatus:
			s, _ := a.Value.(string)
			p.Status = patch.Of(s)
		case ActionSetPriority:
			s, _ := a.Value.(string)
			p.Priority = patch.Of(s)
		case ActionSetTeam:
			p.TeamID = idField(a.Value)
		case ActionAssign:
			p.AssigneeID = idField(a.Value)
		case ActionAddTags:
			tags, _ := toStrings(a.Value)
			p.AddTags = append(p.AddTags, tags...)
		case ActionRemoveTags:
			tags, _ := toStrings(a.Value)
			p.RemoveTags = append(p.RemoveTags, tags...)
		}
	}
	return p
}

func idField(v any) patch.Field[int64] {
	if v == nil {
		return patch.Field[int64]{Set: true, Null: true}
	}
	id, _ := toInt(v)
	return patch.Of(id)
}

func toInt(v any) (int64, bool) { return automation.IntValue(v) }

func toStrings(v any) ([]string, bool) { return automation.StringsValue(v) }

// checkActionRefs checks that the teams and agents set_team and assign
// actions name exist, as automation rules do. Errors:
// *errs.ValidationError ("actions[i].value", "not_found").
func checkActionRefs(ctx context.Context, q db.Querier, actions []Action) error {
	var c errs.Checker
	exists := func(query string, id int64) bool {
		var one int
		return q.QueryRow(ctx, query, id).Scan(&one) == nil
	}
	for i, a := range actions {
		if a.Value == nil {
			continue
		}
		id, _ := toInt(a.Value)
		path := fmt.Sprintf("actions[%d].value", i)
		switch a.Type {
		case ActionSetTeam:
			c.Check(exists(`SELECT 1 FROM teams WHERE id = ?`, id), path, "not_found", "no team %v", a.Value)
		case ActionAssign:
			c.Check(exists(`SELECT 1 FROM agents WHERE id = ?`, id), path, "not_found", "no agent %v", a.Value)
		}
	}
	return c.Err()
}
