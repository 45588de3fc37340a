package automation

import (
	"cmp"
	"slices"
	"strings"

	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/tag"
)

// MaxChain is the longest chain of rules that may cause one another: an
// event whose origin already holds MaxChain rule ids runs no rules. Together
// with "a rule never runs for an event it caused, directly or through other
// rules" this ends every cascade after at most MaxChain rule applications.
const MaxChain = 5

// Facts is what rules see: a snapshot of the conversation plus what the
// caller computed for this event. Team and assignee ids are 0 when unset.
type Facts struct {
	ConversationID int64
	Status         string
	Priority       string
	Channel        string
	InboxID        int64
	TeamID         int64
	AssigneeID     int64
	Tags           []string // normalized tag names
	Subject        string
	MessageCount   int
	Language       string
	// MessageText is the plain text of the triggering message ("" when the
	// event has none).
	MessageText string
	// ContactTier is the requester's tier (e.g. "vip"), "" when none.
	ContactTier string
	// InsideBusinessHours says whether the event happened inside the
	// inbox's business hours.
	InsideBusinessHours bool
	// StatusMinutes and StatusBusinessMinutes are how long the conversation
	// has had its status, in calendar and business-hours minutes; time rules
	// compare them with TimeCondition.Minutes.
	StatusMinutes         int64
	StatusBusinessMinutes int64
}

// FactsFrom returns the conversation part of Facts for c; the caller adds the
// message text, contact tier, business hours and status durations.
func FactsFrom(c conversation.Conversation) Facts {
	return Facts{ConversationID: c.ID, Status: c.Status, Priority: c.Priority, Channel: c.Channel, InboxID: c.InboxID,
		TeamID: c.TeamIDOr0(), AssigneeID: c.AssigneeIDOr0(), Tags: slices.Clone(c.Tags), Subject: c.Subject,
		MessageCount: c.MessageCount, Language: c.Language}
}

// Plan is what Evaluate decided. The caller applies Changes with one
// conversation.Update, carries out Effects, writes one audit entry per
// Applied item, and tags the events this causes with Origin.
type Plan struct {
	// Changes is the net change to the conversation (empty when none);
	// tags are expressed as AddTags and RemoveTags.
	Changes conversation.Patch
	// Effects are the side effects in the order rules produced them.
	Effects []Effect
	// Applied lists every action that did something, with its rule.
	Applied []Applied
	// Matched lists the rules whose trigger and conditions held, in run
	// order; Rules lists those among them that did something.
	Matched []int64
	Rules   []int64
	// Origin is the chain for events caused by this plan: the evaluated
	// origin followed by Rules.
	Origin []int64
	// ChainFull is true when nothing ran because origin reached MaxChain.
	ChainFull bool
	// Facts is the working copy after all rules ran.
	Facts Facts
}

// Empty reports whether the plan changes nothing and has no side effects.
func (p Plan) Empty() bool { return len(p.Applied) == 0 }

// Effect is a side effect for the caller to carry out.
type Effect struct {
	RuleID int64  `json:"rule_id"`
	Type   string `json:"type"` // add_note, send_canned, notify, webhook
	// Text is the note text (add_note).
	Text string `json:"text,omitempty"`
	// CannedID is the canned response to send (send_canned).
	CannedID int64 `json:"canned_id,omitempty"`
	// To is the notify recipient: "assignee", "team" or "agent:<id>".
	To string `json:"to,omitempty"`
	// URL is the webhook to call.
	URL string `json:"url,omitempty"`
}

// Applied is one action that did something, for the audit log. Field, From
// and To are set for conversation changes; Effect indexes Plan.Effects for
// side effects (-1 otherwise).
type Applied struct {
	RuleID int64  `json:"rule_id"`
	Action string `json:"action"`
	Field  string `json:"field,omitempty"`
	From   any    `json:"from,omitempty"`
	To     any    `json:"to,omitempty"`
	Effect int    `json:"effect"`
}

// Evaluate runs the enabled rules of trigger on facts, in Position (then ID)
// order. Each matching rule's actions change a working copy, so later rules
// see earlier changes. origin is the chain of rule ids that caused the event
// (nil for an event from a person or channel): rules in origin are skipped,
// and when len(origin) >= MaxChain nothing runs. Rules are assumed valid
// (Validate); a value of the wrong type makes its condition false and its
// action a no-op.
func Evaluate(rules []Rule, trigger string, facts Facts, origin []int64) Plan {
	start := cloneFacts(facts)
	plan := Plan{Origin: slices.Clone(origin), Facts: cloneFacts(facts)}
	if len(origin) >= MaxChain {
		plan.ChainFull = true
		return plan
	}
	for _, r := range ordered(rules) {
		if !r.Enabled || r.Trigger != trigger || slices.Contains(origin, r.ID) {
			continue
		}
		if !Matches(r, plan.Facts) {
			continue
		}
		plan.Matched = append(plan.Matched, r.ID)
		before := len(plan.Applied)
		for _, a := range r.Actions {
			apply(&plan, r.ID, a)
		}
		if len(plan.Applied) > before {
			plan.Rules = append(plan.Rules, r.ID)
			plan.Origin = append(plan.Origin, r.ID)
			if len(plan.Origin) >= MaxChain {
				break // the chain is full; later rules would exceed it
			}
		}
	}
	plan.Changes = diff(start, plan.Facts)
	return plan
}

// DryRun returns the ids of the conversations in snapshots that rule would
// match now, whether or not it is enabled, using the matching of Evaluate.
func DryRun(rule Rule, snapshots []Facts) []int64 {
	ids := []int64{}
	for _, f := range snapshots {
		if Matches(rule, f) {
			ids = append(ids, f.ConversationID)
		}
	}
	return ids
}

// Matches reports whether the rule's time condition (for time rules) and
// conditions hold for f. It ignores Enabled and the trigger.
func Matches(r Rule, f Facts) bool {
	if r.Time != nil && !timeHolds(*r.Time, f) {
		return false
	}
	for _, c := range r.Conditions.All {
		if !holds(c, f) {
			return false
		}
	}
	if len(r.Conditions.Any) == 0 {
		return true
	}
	for _, c := range r.Conditions.Any {
		if holds(c, f) {
			return true
		}
	}
	return false
}

func timeHolds(t TimeCondition, f Facts) bool {
	if t.Field != TimeFieldStatusFor || f.Status != t.Status {
		return false
	}
	mins := f.StatusMinutes
	if t.Business {
		mins = f.StatusBusinessMinutes
	}
	return mins >= t.Minutes
}

func ordered(rules []Rule) []Rule {
	out := slices.Clone(rules)
	slices.SortStableFunc(out, func(a, b Rule) int {
		return cmp.Or(cmp.Compare(a.Position, b.Position), cmp.Compare(a.ID, b.ID))
	})
	return out
}

func holds(c Condition, f Facts) bool {
	kind, ok := fieldKinds[c.Field]
	if !ok {
		return false
	}
	switch kind {
	case kindWord:
		return wordHolds(c, wordValue(c.Field, f))
	case kindID:
		return idHolds(c, idValue(c.Field, f))
	case kindTags:
		return tagsHold(c, f.Tags)
	case kindText:
		v := f.Subject
		if c.Field == FieldMessageText {
			v = f.MessageText
		}
		return textHolds(c, v)
	case kindBool:
		want, ok := c.Value.(bool)
		if !ok {
			return false
		}
		return (f.InsideBusinessHours == want) == (c.Op == OpIs)
	case kindNumber:
		want, ok := toInt(c.Value)
		if !ok {
			return false
		}
		return compareOp(c.Op, cmp.Compare(int64(f.MessageCount), want))
	}
	return false
}

func wordValue(field string, f Facts) string {
	switch field {
	case FieldStatus:
		return f.Status
	case FieldPriority:
		return f.Priority
	case FieldChannel:
		return f.Channel
	case FieldContactTier:
		return f.ContactTier
	case FieldLanguage:
		return f.Language
	}
	return ""
}

func idValue(field string, f Facts) int64 {
	switch field {
	case FieldInboxID:
		return f.InboxID
	case FieldTeamID:
		return f.TeamID
	case FieldAssigneeID:
		return f.AssigneeID
	}
	return 0
}

func compareOp(op string, c int) bool {
	switch op {
	case OpIs:
		return c == 0
	case OpIsNot:
		return c != 0
	case OpGreater:
		return c > 0
	case OpLess:
		return c < 0
	}
	return false
}

func wordHolds(c Condition, v string) bool {
	switch c.Op {
	case OpIsSet:
		return v != ""
	case OpIsNotSet:
		return v == ""
	case OpIn, OpNotIn:
		list, ok := toStrings(c.Value)
		if !ok {
			return false
		}
		in := slices.ContainsFunc(list, func(s string) bool { return strings.EqualFold(strings.TrimSpace(s), v) })
		return in == (c.Op == OpIn)
	}
	want, ok := c.Value.(string)
	if !ok {
		return false
	}
	want = strings.TrimSpace(want)
	if c.Op == OpGreater || c.Op == OpLess {
		// Only priority takes these: compare ranks; an unknown priority never matches.
		rv, rw := slices.Index(conversation.Priorities, v), slices.Index(conversation.Priorities, want)
		return rv >= 0 && rw >= 0 && compareOp(c.Op, cmp.Compare(rv, rw))
	}
	return compareOp(c.Op, b2i(!strings.EqualFold(v, want)))
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func idHolds(c Condition, v int64) bool {
	switch c.Op {
	case OpIsSet:
		return v != 0
	case OpIsNotSet:
		return v == 0
	case OpIn, OpNotIn:
		ids, ok := toInts(c.Value)
		return ok && slices.Contains(ids, v) == (c.Op == OpIn)
	}
	want, ok := toInt(c.Value)
	return ok && compareOp(c.Op, b2i(v != want))
}

func tagsHold(c Condition, tags []string) bool {
	switch c.Op {
	case OpIsSet:
		return len(tags) > 0
	case OpIsNotSet:
		return len(tags) == 0
	}
	list, ok := toStrings(c.Value)
	if !ok {
		return false
	}
	has := slices.ContainsFunc(list, func(t string) bool { return slices.Contains(tags, tag.Normalize(t)) })
	switch c.Op {
	case OpContains, OpIn:
		return has
	case OpNotContains, OpNotIn:
		return !has
	}
	return false
}

// textHolds compares text case-insensitively (Unicode simple folding via
// ToLower) after trimming the rule's value; scripts without case, such as
// Hebrew, compare as exact substrings.
func textHolds(c Condition, v string) bool {
	switch c.Op {
	case OpIsSet:
		return strings.TrimSpace(v) != ""
	case OpIsNotSet:
		return strings.TrimSpace(v) == ""
	}
	want, ok := c.Value.(string)
	if !ok {
		return false
	}
	want = strings.ToLower(strings.TrimSpace(want))
	hay := strings.ToLower(v)
	switch c.Op {
	case OpIs:
		return strings.TrimSpace(hay) == want
	case OpIsNot:
		return strings.TrimSpace(hay) != want
	case OpContains:
		return want != "" && strings.Contains(hay, want)
	case OpNotContains:
		return want == "" || !strings.Contains(hay, want)
	}
	return false
}

// apply runs one action on the plan's working facts, recording it when it
// did something. A closed conversation takes no further changes (as in
// conversation.Update), but side effects still run.
func apply(p *Plan, ruleID int64, a Action) {
	f := &p.Facts
	closed := f.Status == conversation.StatusClosed
	change := func(field string, from, to any) {
		p.Applied = append(p.Applied, Applied{RuleID: ruleID, Action: a.Type, Field: field, From: from, To: to, Effect: -1})
	}
	effect := func(e Effect) {
		e.RuleID, e.Type = ruleID, a.Type
		p.Effects = append(p.Effects, e)
		p.Applied = append(p.Applied, Applied{RuleID: ruleID, Action: a.Type, Effect: len(p.Effects) - 1})
	}
	switch a.Type {
	case ActionSetStatus, ActionSetPriority:
		v, ok := a.Value.(string)
		target := &f.Status
		field := "status"
		if a.Type == ActionSetPriority {
			target, field = &f.Priority, "priority"
		}
		if ok && v != "" && v != conversation.StatusClosed && !closed && *target != v {
			change(field, *target, v)
			*target = v
		}
	case ActionClose:
		to := conversation.StatusSolved
		if f.Status == conversation.StatusSolved {
			to = conversation.StatusClosed
		}
		if !closed {
			change("status", f.Status, to)
			f.Status = to
		}
	case ActionSetTeam, ActionAssign:
		var id int64
		if a.Value != nil {
			n, ok := toInt(a.Value)
			if !ok || n <= 0 {
				return
			}
			id = n
		}
		target, field := &f.TeamID, "team_id"
		if a.Type == ActionAssign {
			target, field = &f.AssigneeID, "assignee_id"
		}
		if !closed && *target != id {
			change(field, idOrNil(*target), idOrNil(id))
			*target = id
		}
	case ActionAddTags, ActionRemoveTags:
		names, ok := toStrings(a.Value)
		if !ok || closed {
			return
		}
		old := slices.Clone(f.Tags)
		for _, n := range names {
			n = tag.Normalize(n)
			has := slices.Contains(f.Tags, n)
			switch {
			case a.Type == ActionAddTags && !has && n != "":
				f.Tags = append(f.Tags, n)
			case a.Type == ActionRemoveTags && has:
				f.Tags = slices.DeleteFunc(f.Tags, func(t string) bool { return t == n })
			}
		}
		if !slices.Equal(old, f.Tags) {
			change("tags", old, slices.Clone(f.Tags))
		}
	case ActionAddNote:
		if s, ok := a.Value.(string); ok && strings.TrimSpace(s) != "" {
			effect(Effect{Text: s})
		}
	case ActionSendCanned:
		if id, ok := toInt(a.Value); ok && id > 0 {
			effect(Effect{CannedID: id})
		}
	case ActionNotify:
		if s, ok := a.Value.(string); ok && s != "" {
			effect(Effect{To: s})
		}
	case ActionWebhook:
		if s, ok := a.Value.(string); ok && s != "" {
			effect(Effect{URL: s})
		}
	}
}

func idOrNil(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// diff returns the net change from a to b as a conversation patch.
func diff(a, b Facts) conversation.Patch {
	var p conversation.Patch
	if a.Status != b.Status {
		p.Status = patch.Of(b.Status)
	}
	if a.Priority != b.Priority {
		p.Priority = patch.Of(b.Priority)
	}
	p.TeamID = idPatch(a.TeamID, b.TeamID)
	p.AssigneeID = idPatch(a.AssigneeID, b.AssigneeID)
	for _, t := range b.Tags {
		if !slices.Contains(a.Tags, t) {
			p.AddTags = append(p.AddTags, t)
		}
	}
	for _, t := range a.Tags {
		if !slices.Contains(b.Tags, t) {
			p.RemoveTags = append(p.RemoveTags, t)
		}
	}
	slices.Sort(p.AddTags)
	slices.Sort(p.RemoveTags)
	return p
}

func idPatch(a, b int64) patch.Field[int64] {
	switch {
	case a == b:
		return patch.Field[int64]{}
	case b == 0:
		return patch.Clear[int64]()
	}
	return patch.Of(b)
}

func cloneFacts(f Facts) Facts {
	f.Tags = slices.Clone(f.Tags)
	return f
}
