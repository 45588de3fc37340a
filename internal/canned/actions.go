package canned

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/tag"
)

// Macro action types: the subset of automation actions a canned response
// may carry. Applying a response with actions is a macro.
const (
	ActionSetStatus   = "set_status"
	ActionSetPriority = "set_priority"
	ActionSetTeam     = "set_team"
	ActionAssign      = "assign"
	ActionAddTags     = "add_tags"
	ActionRemoveTags  = "remove_tags"
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

// checkActions validates actions with the rules of automation actions,
// naming each bad field by its path, e.g. "actions[1].value".
func checkActions(c *errs.Checker, actions []Action) {
	c.Check(len(actions) <= MaxActions, "actions", "too_many", "at most %d actions", MaxActions)
	for i, a := range actions {
		path := fmt.Sprintf("actions[%d]", i)
		vp := path + ".value"
		switch a.Type {
		case ActionSetStatus:
			s, _ := a.Value.(string)
			if s == conversation.StatusClosed {
				c.Add(vp, "invalid", "a macro cannot close a conversation; solve it")
				continue
			}
			c.OneOf(vp, s, conversation.StatusNew, conversation.StatusOpen, conversation.StatusPending,
				conversation.StatusOnHold, conversation.StatusSolved)
		case ActionSetPriority:
			s, _ := a.Value.(string)
			c.OneOf(vp, s, conversation.Priorities...)
		case ActionSetTeam, ActionAssign:
			if a.Value != nil {
				id, ok := toInt(a.Value)
				c.Check(ok && id > 0, vp, "wrong_type", "must be an id or null")
			}
		case ActionAddTags, ActionRemoveTags:
			tags, ok := toStrings(a.Value)
			if !ok || len(tags) == 0 {
				c.Add(vp, "wrong_type", "must be a non-empty list of tag names")
				continue
			}
			c.Check(len(tags) <= conversation.MaxTags, vp, "too_many", "at most %d tags", conversation.MaxTags)
			for j, t := range tags {
				tag.CheckName(c, fmt.Sprintf("%s[%d]", vp, j), tag.Normalize(t))
			}
		default:
			c.Add(path+".type", "invalid", "unknown action %q; one of set_status, set_priority, set_team, assign, add_tags, remove_tags", a.Type)
		}
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

// toInt reads a whole number from a Go integer, a JSON number or a decimal
// string.
func toInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		if n != math.Trunc(n) || math.Abs(n) > 1<<53 {
			return 0, false
		}
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case string:
		i, err := strconv.ParseInt(n, 10, 64)
		return i, err == nil
	}
	return 0, false
}

// toStrings reads a list of strings; a single string is a list of one.
func toStrings(v any) ([]string, bool) {
	switch l := v.(type) {
	case string:
		return []string{l}, true
	case []string:
		return l, true
	case []any:
		out := make([]string, 0, len(l))
		for _, e := range l {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}
