// Package automation evaluates automation rules: "when this happens to a
// conversation and these conditions hold, do these actions". It is pure
// logic — no database, no goroutines. The caller loads the rules and a
// snapshot of the conversation (Facts), calls Evaluate, and carries out the
// returned Plan: one conversation.Update with Plan.Changes, then the side
// effects, each audited with the rule that caused it.
package automation

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/tag"
)

// Triggers: the event a rule runs on. The event names match internal/events
// where an event exists; TriggerTime is fired by a periodic worker.
const (
	TriggerConversationCreated = "conversation.created"
	TriggerMessageReceived     = "message.received"
	TriggerConversationUpdated = "conversation.updated"
	TriggerTime                = "time"
)

// Triggers lists the valid triggers.
var Triggers = []string{TriggerConversationCreated, TriggerMessageReceived, TriggerConversationUpdated, TriggerTime}

// Condition fields.
const (
	FieldStatus              = "status"
	FieldPriority            = "priority"
	FieldChannel             = "channel"
	FieldInboxID             = "inbox_id"
	FieldTeamID              = "team_id"
	FieldAssigneeID          = "assignee_id"
	FieldTags                = "tags"
	FieldSubject             = "subject"
	FieldMessageText         = "message_text"
	FieldContactTier         = "contact_tier"
	FieldLanguage            = "language"
	FieldInsideBusinessHours = "inside_business_hours"
	FieldMessageCount        = "message_count"
)

// Condition operators. Text comparisons are case-insensitive after trimming
// the rule's value; Hebrew and other caseless scripts thus compare as exact
// substrings.
const (
	OpIs          = "is"
	OpIsNot       = "is_not"
	OpIn          = "in"
	OpNotIn       = "not_in"
	OpContains    = "contains"
	OpNotContains = "not_contains"
	OpIsSet       = "is_set"
	OpIsNotSet    = "is_not_set"
	OpGreater     = "greater"
	OpLess        = "less"
)

// Action types.
const (
	ActionSetStatus   = "set_status"
	ActionSetPriority = "set_priority"
	ActionSetTeam     = "set_team"
	ActionAssign      = "assign"
	ActionAddTags     = "add_tags"
	ActionRemoveTags  = "remove_tags"
	ActionAddNote     = "add_note"
	ActionSendCanned  = "send_canned"
	ActionNotify      = "notify"
	ActionWebhook     = "webhook"
	ActionClose       = "close"
)

// Limits on a rule.
const (
	MaxNameLength  = 100
	MaxConditions  = 50 // per list (all, any)
	MaxActions     = 20
	MaxTextValue   = 1000  // characters of a text condition value
	MaxNoteLength  = 10000 // characters of an add_note text
	MaxTimeMinutes = 365 * 24 * 60
)

// TimeFieldStatusFor is the only time condition so far: the conversation has
// had Status for at least Minutes.
const TimeFieldStatusFor = "status_for"

// Rule is one automation rule. Rules of a trigger run in Position order
// (then ID). Value fields are JSON-shaped (string, number, bool, list).
type Rule struct {
	ID       int64          `json:"id"`
	Name     string         `json:"name"`
	Enabled  bool           `json:"enabled"`
	Position int            `json:"position"`
	Trigger  string         `json:"trigger"`
	Time     *TimeCondition `json:"time"`
	// Conditions: every All condition and at least one Any condition must
	// hold; an empty list holds.
	Conditions Conditions `json:"conditions"`
	Actions    []Action   `json:"actions"`
}

// TimeCondition is the "when" of a time rule, e.g. {status_for, pending,
// 4320, true}: pending for 72 business hours. Business means Minutes count
// business-hours minutes only (Facts.StatusBusinessMinutes).
type TimeCondition struct {
	Field    string `json:"field"`
	Status   string `json:"status"`
	Minutes  int64  `json:"minutes"`
	Business bool   `json:"business"`
}

// Conditions combines conditions: all of All and, when Any is not empty, at
// least one of Any.
type Conditions struct {
	All []Condition `json:"all"`
	Any []Condition `json:"any"`
}

// Condition compares one field of Facts with Value.
//
// Field kinds and their operators:
//   - status, priority, channel, contact_tier, language (words): is, is_not
//     (Value a string), in, not_in (a list of strings), is_set, is_not_set;
//     priority also greater, less by rank (low < normal < high < urgent).
//   - inbox_id, team_id, assignee_id (ids): is, is_not (a number), in,
//     not_in (a list of numbers), is_set, is_not_set.
//   - tags: contains, not_contains (one tag), in (has any of the listed
//     tags), not_in (has none of them), is_set (has any tag), is_not_set.
//   - subject, message_text (text): is, is_not, contains, not_contains (a
//     string, case-insensitive, trimmed), is_set, is_not_set.
//   - inside_business_hours: is, is_not (a bool).
//   - message_count: is, is_not, greater, less (a number).
type Condition struct {
	Field string `json:"field"`
	Op    string `json:"op"`
	Value any    `json:"value,omitempty"`
}

// Action is one thing a rule does. Value by type:
//   - set_status: a status other than closed (use close); set_priority: a
//     priority.
//   - set_team, assign: a team or agent id, or null to clear.
//   - add_tags, remove_tags: a list of tag names (or one name).
//   - add_note: the internal note's text.
//   - send_canned: a canned response id.
//   - notify: the recipient, "assignee", "team" or "agent:<id>".
//   - webhook: an absolute http(s) URL.
//   - close: no value; closes a solved conversation and solves any other
//     (only a solved conversation can be closed — conversation.CheckStatusChange).
type Action struct {
	Type  string `json:"type"`
	Value any    `json:"value,omitempty"`
}

type fieldKind int

const (
	kindWord fieldKind = iota
	kindID
	kindTags
	kindText
	kindBool
	kindNumber
)

var fieldKinds = map[string]fieldKind{
	FieldStatus: kindWord, FieldPriority: kindWord, FieldChannel: kindWord, FieldContactTier: kindWord, FieldLanguage: kindWord,
	FieldInboxID: kindID, FieldTeamID: kindID, FieldAssigneeID: kindID,
	FieldTags:    kindTags,
	FieldSubject: kindText, FieldMessageText: kindText,
	FieldInsideBusinessHours: kindBool,
	FieldMessageCount:        kindNumber,
}

var kindOps = map[fieldKind][]string{
	kindWord:   {OpIs, OpIsNot, OpIn, OpNotIn, OpIsSet, OpIsNotSet},
	kindID:     {OpIs, OpIsNot, OpIn, OpNotIn, OpIsSet, OpIsNotSet},
	kindTags:   {OpContains, OpNotContains, OpIn, OpNotIn, OpIsSet, OpIsNotSet},
	kindText:   {OpIs, OpIsNot, OpContains, OpNotContains, OpIsSet, OpIsNotSet},
	kindBool:   {OpIs, OpIsNot},
	kindNumber: {OpIs, OpIsNot, OpGreater, OpLess},
}

func opsFor(field string) []string {
	ops := kindOps[fieldKinds[field]]
	if field == FieldPriority {
		ops = append(append([]string{}, ops...), OpGreater, OpLess)
	}
	return ops
}

// Validate checks a rule. Errors: *errs.ValidationError naming each bad field
// by its JSON path, e.g. "conditions.all[2].op" or "actions[0].value".
func Validate(r Rule) error {
	var c errs.Checker
	name := strings.TrimSpace(r.Name)
	c.Check(name != "", "name", "required", "a rule needs a name")
	c.MaxLen("name", name, MaxNameLength)
	c.OneOf("trigger", r.Trigger, Triggers...)
	switch {
	case r.Trigger == TriggerTime && r.Time == nil:
		c.Add("time", "required", "a time rule needs a time condition")
	case r.Trigger != TriggerTime && r.Time != nil:
		c.Add("time", "invalid", "only time rules take a time condition")
	case r.Time != nil:
		c.OneOf("time.field", r.Time.Field, TimeFieldStatusFor)
		c.OneOf("time.status", r.Time.Status, conversation.Statuses...)
		c.Check(r.Time.Minutes > 0 && r.Time.Minutes <= MaxTimeMinutes, "time.minutes", "out_of_range",
			"must be between 1 and %d minutes", MaxTimeMinutes)
	}
	for _, l := range []struct {
		name  string
		conds []Condition
	}{{"all", r.Conditions.All}, {"any", r.Conditions.Any}} {
		path, conds := "conditions."+l.name, l.conds
		c.Check(len(conds) <= MaxConditions, path, "too_many", "at most %d conditions", MaxConditions)
		for i, cond := range conds {
			validateCondition(&c, fmt.Sprintf("%s[%d]", path, i), cond)
		}
	}
	c.Check(len(r.Actions) > 0, "actions", "required", "a rule needs at least one action")
	c.Check(len(r.Actions) <= MaxActions, "actions", "too_many", "at most %d actions", MaxActions)
	for i, a := range r.Actions {
		ValidateAction(&c, fmt.Sprintf("actions[%d]", i), a)
	}
	return c.Err()
}

func validateCondition(c *errs.Checker, path string, cond Condition) {
	kind, ok := fieldKinds[cond.Field]
	if !ok {
		c.Add(path+".field", "invalid", "unknown field %q", cond.Field)
		return
	}
	ops := opsFor(cond.Field)
	if !contains(ops, cond.Op) {
		c.Add(path+".op", "invalid", "field %s takes one of %s", cond.Field, strings.Join(ops, ", "))
		return
	}
	vp := path + ".value"
	if cond.Op == OpIsSet || cond.Op == OpIsNotSet {
		c.Check(cond.Value == nil, vp, "invalid", "%s takes no value", cond.Op)
		return
	}
	list := cond.Op == OpIn || cond.Op == OpNotIn
	switch {
	case kind == kindID && list:
		ids, ok := toInts(cond.Value)
		c.Check(ok && len(ids) > 0, vp, "wrong_type", "must be a non-empty list of ids")
	case kind == kindID:
		_, ok := toInt(cond.Value)
		c.Check(ok, vp, "wrong_type", "must be an id")
	case kind == kindNumber:
		_, ok := toInt(cond.Value)
		c.Check(ok, vp, "wrong_type", "must be a whole number")
	case kind == kindBool:
		_, ok := cond.Value.(bool)
		c.Check(ok, vp, "wrong_type", "must be true or false")
	case list:
		vs, ok := toStrings(cond.Value)
		c.Check(ok && len(vs) > 0, vp, "wrong_type", "must be a non-empty list of strings")
		for i, v := range vs {
			checkWord(c, fmt.Sprintf("%s[%d]", vp, i), cond.Field, v)
		}
	default:
		s, ok := cond.Value.(string)
		if !ok {
			c.Add(vp, "wrong_type", "must be a string")
			return
		}
		if cond.Field == FieldPriority && (cond.Op == OpGreater || cond.Op == OpLess) {
			c.OneOf(vp, s, conversation.Priorities...)
			return
		}
		if kind == kindWord {
			checkWord(c, vp, cond.Field, s)
			return
		}
		c.Check(strings.TrimSpace(s) != "", vp, "required", "must not be empty")
		c.MaxLen(vp, s, MaxTextValue)
	}
}

// languageRE is the shape of a language value: a lowercase two- or
// three-letter ISO 639 code, as routing.DetectLanguage produces ("he",
// "ar", "ru", "uk", "en", "es", "fr", "de").
var languageRE = regexp.MustCompile(`^[a-z]{2,3}$`)

func checkWord(c *errs.Checker, path, field, v string) {
	switch field {
	case FieldStatus:
		c.OneOf(path, v, conversation.Statuses...)
	case FieldPriority:
		c.OneOf(path, v, conversation.Priorities...)
	case FieldTags:
		tag.CheckName(c, path, tag.Normalize(v))
	case FieldLanguage:
		c.Check(languageRE.MatchString(v), path, "invalid",
			"must be a lowercase ISO 639 language code such as he, en, ar or ru")
	default:
		c.Check(strings.TrimSpace(v) != "", path, "required", "must not be empty")
		c.MaxLen(path, v, MaxTextValue)
	}
}

// ValidateAction checks one action, adding errors to c under path (e.g.
// "actions[2]"): an unknown type names path+".type", a bad value
// path+".value". Macros (internal/canned) use it for their field-setting
// subset.
func ValidateAction(c *errs.Checker, path string, a Action) {
	vp := path + ".value"
	switch a.Type {
	case ActionSetStatus:
		s, _ := a.Value.(string)
		if s == conversation.StatusClosed {
			c.Add(vp, "invalid", "closing is its own action (close), after the conversation is solved")
			return
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
			return
		}
		c.Check(len(tags) <= conversation.MaxTags, vp, "too_many", "at most %d tags", conversation.MaxTags)
		for i, t := range tags {
			tag.CheckName(c, fmt.Sprintf("%s[%d]", vp, i), tag.Normalize(t))
		}
	case ActionAddNote:
		s, _ := a.Value.(string)
		c.Check(strings.TrimSpace(s) != "", vp, "required", "a note needs text")
		c.MaxLen(vp, s, MaxNoteLength)
	case ActionSendCanned:
		id, ok := toInt(a.Value)
		c.Check(ok && id > 0, vp, "wrong_type", "must be a canned response id")
	case ActionNotify:
		s, _ := a.Value.(string)
		_, ok := notifyAgent(s)
		c.Check(s == "assignee" || s == "team" || ok, vp, "invalid", `must be "assignee", "team" or "agent:<id>"`)
	case ActionWebhook:
		s, _ := a.Value.(string)
		u, err := url.Parse(s)
		c.Check(err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "", vp, "invalid",
			"must be an absolute http or https URL")
	case ActionClose:
		c.Check(a.Value == nil, vp, "invalid", "close takes no value")
	default:
		c.Add(path+".type", "invalid", "unknown action %q", a.Type)
	}
}

// IntValue reads a whole number from a JSON-shaped action value: a Go
// integer, a JSON number (float64 without fraction, json.Number) or a
// decimal string.
func IntValue(v any) (int64, bool) { return toInt(v) }

// StringsValue reads a list of strings from a JSON-shaped action value; a
// single string is a list of one.
func StringsValue(v any) ([]string, bool) { return toStrings(v) }

func notifyAgent(s string) (int64, bool) {
	rest, ok := strings.CutPrefix(s, "agent:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil && id > 0
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// toInt reads a whole number from a Go integer, a JSON number (float64 or
// json.Number) or a decimal string.
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

func toInts(v any) ([]int64, bool) {
	var out []int64
	switch l := v.(type) {
	case []int64:
		return l, true
	case []int:
		for _, n := range l {
			out = append(out, int64(n))
		}
		return out, true
	case []any:
		for _, e := range l {
			n, ok := toInt(e)
			if !ok {
				return nil, false
			}
			out = append(out, n)
		}
		return out, true
	}
	return nil, false
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
