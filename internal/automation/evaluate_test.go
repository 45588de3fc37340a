package automation

import (
	"reflect"
	"slices"
	"testing"

	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/patch"
)

// base is an open email conversation in inbox 3, team 7, unassigned.
func base() Facts {
	return Facts{ConversationID: 101, Status: "open", Priority: "normal", Channel: "email", InboxID: 3, TeamID: 7,
		Tags: []string{"billing", "vip-customer"}, Subject: "Refund for order #4411", MessageCount: 4, Language: "en",
		MessageText: "Hi, I want a REFUND please", ContactTier: "gold", InsideBusinessHours: true}
}

func TestConditionOps(t *testing.T) {
	he := base()
	he.Language = "he"
	he.Subject = "  "
	he.MessageText = "שלום, המשלוח שלי לא הגיע עדיין"
	tests := []struct {
		name string
		c    Condition
		f    Facts
		want bool
	}{
		{"status is", Condition{"status", "is", "open"}, base(), true},
		{"status is other", Condition{"status", "is", "pending"}, base(), false},
		{"status is_not", Condition{"status", "is_not", "pending"}, base(), true},
		{"priority in", Condition{"priority", "in", []any{"high", "normal"}}, base(), true},
		{"priority not_in", Condition{"priority", "not_in", []string{"high", "urgent"}}, base(), true},
		{"priority not_in listed", Condition{"priority", "not_in", []string{"normal"}}, base(), false},
		{"priority greater low", Condition{"priority", "greater", "low"}, base(), true},
		{"priority greater normal", Condition{"priority", "greater", "normal"}, base(), false},
		{"priority less urgent", Condition{"priority", "less", "urgent"}, base(), true},
		{"channel is, any case", Condition{"channel", "is", "Email"}, base(), true},
		{"contact_tier is_set", Condition{"contact_tier", "is_set", nil}, base(), true},
		{"contact_tier is_not_set", Condition{"contact_tier", "is_not_set", nil}, base(), false},
		{"language is he", Condition{"language", "is", "he"}, he, true},
		{"inbox_id is (JSON number)", Condition{"inbox_id", "is", float64(3)}, base(), true},
		{"inbox_id is_not", Condition{"inbox_id", "is_not", 3}, base(), false},
		{"team_id in", Condition{"team_id", "in", []any{float64(5), float64(7)}}, base(), true},
		{"team_id not_in", Condition{"team_id", "not_in", []int64{5, 7}}, base(), false},
		{"assignee_id is_not_set", Condition{"assignee_id", "is_not_set", nil}, base(), true},
		{"assignee_id is_set", Condition{"assignee_id", "is_set", nil}, base(), false},
		{"tags contains", Condition{"tags", "contains", "Billing"}, base(), true},
		{"tags contains other", Condition{"tags", "contains", "shipping"}, base(), false},
		{"tags not_contains", Condition{"tags", "not_contains", "shipping"}, base(), true},
		{"tags in any of", Condition{"tags", "in", []any{"shipping", "VIP customer"}}, base(), true},
		{"tags not_in", Condition{"tags", "not_in", []any{"shipping", "returns"}}, base(), true},
		{"tags is_set", Condition{"tags", "is_set", nil}, base(), true},
		{"subject contains, case-insensitive", Condition{"subject", "contains", " refund "}, base(), true},
		{"subject not_contains", Condition{"subject", "not_contains", "invoice"}, base(), true},
		{"subject is whole", Condition{"subject", "is", "refund for ORDER #4411"}, base(), true},
		{"subject is_not", Condition{"subject", "is_not", "Refund"}, base(), true},
		{"blank subject is_not_set", Condition{"subject", "is_not_set", nil}, he, true},
		{"message_text contains", Condition{"message_text", "contains", "refund"}, base(), true},
		{"Hebrew contains", Condition{"message_text", "contains", " משלוח "}, he, true},
		{"Hebrew contains other word", Condition{"message_text", "contains", "החזר"}, he, false},
		{"Hebrew not_contains", Condition{"message_text", "not_contains", "החזר"}, he, true},
		{"inside_business_hours is true", Condition{"inside_business_hours", "is", true}, base(), true},
		{"inside_business_hours is_not true", Condition{"inside_business_hours", "is_not", true}, base(), false},
		{"message_count greater 3", Condition{"message_count", "greater", 3}, base(), true},
		{"message_count less 4", Condition{"message_count", "less", 4}, base(), false},
		{"message_count is 4", Condition{"message_count", "is", "4"}, base(), true},
		{"unknown field", Condition{"mood", "is_not_set", nil}, base(), false},
		{"wrong value type", Condition{"status", "is", 3}, base(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := holds(tt.c, tt.f); got != tt.want {
				t.Errorf("holds(%+v) = %v, want %v", tt.c, got, tt.want)
			}
		})
	}
}

func TestAllAny(t *testing.T) {
	yes := Condition{"status", "is", "open"}
	yes2 := Condition{"channel", "is", "email"}
	no := Condition{"priority", "is", "urgent"}
	no2 := Condition{"tags", "contains", "spam"}
	tests := []struct {
		name string
		cs   Conditions
		want bool
	}{
		{"no conditions", Conditions{}, true},
		{"all hold", Conditions{All: []Condition{yes, yes2}}, true},
		{"one of all fails", Conditions{All: []Condition{yes, no}}, false},
		{"one of any holds", Conditions{Any: []Condition{no, yes}}, true},
		{"none of any holds", Conditions{Any: []Condition{no, no2}}, false},
		{"all hold and any holds", Conditions{All: []Condition{yes}, Any: []Condition{no, yes2}}, true},
		{"all hold, any fails", Conditions{All: []Condition{yes, yes2}, Any: []Condition{no, no2}}, false},
		{"all fails, any holds", Conditions{All: []Condition{no}, Any: []Condition{yes}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Rule{ID: 1, Enabled: true, Trigger: TriggerMessageReceived, Conditions: tt.cs}
			if got := Matches(r, base()); got != tt.want {
				t.Errorf("Matches = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTimeCondition(t *testing.T) {
	pending72 := &TimeCondition{Field: "status_for", Status: "pending", Minutes: 72 * 60, Business: true}
	tests := []struct {
		name          string
		status        string
		mins, busMins int64
		tc            *TimeCondition
		want          bool
	}{
		{"72 business hours reached", "pending", 200 * 60, 72 * 60, pending72, true},
		{"calendar hours do not count", "pending", 200 * 60, 71*60 + 59, pending72, false},
		{"other status", "open", 200 * 60, 100 * 60, pending72, false},
		{"calendar minutes", "solved", 96 * 60, 10, &TimeCondition{Field: "status_for", Status: "solved", Minutes: 96 * 60}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := base()
			f.Status, f.StatusMinutes, f.StatusBusinessMinutes = tt.status, tt.mins, tt.busMins
			r := Rule{ID: 9, Name: "idle", Enabled: true, Trigger: TriggerTime, Time: tt.tc,
				Actions: []Action{{Type: ActionSetStatus, Value: "solved"}}}
			if got := Matches(r, f); got != tt.want {
				t.Errorf("Matches = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEvaluateOrderAndPlan(t *testing.T) {
	rules := []Rule{
		// Listed out of order: Position decides.
		{ID: 2, Name: "urgent vip to tier-2", Enabled: true, Position: 20, Trigger: TriggerMessageReceived,
			Conditions: Conditions{All: []Condition{{"priority", "is", "urgent"}}},
			Actions: []Action{{Type: ActionSetTeam, Value: float64(12)}, {Type: ActionNotify, Value: "team"},
				{Type: ActionRemoveTags, Value: []any{"billing"}}}},
		{ID: 1, Name: "refunds are urgent", Enabled: true, Position: 10, Trigger: TriggerMessageReceived,
			Conditions: Conditions{All: []Condition{{"message_text", "contains", "refund"}}},
			Actions: []Action{{Type: ActionSetPriority, Value: "urgent"}, {Type: ActionAddTags, Value: []any{"Refund"}},
				{Type: ActionAddNote, Value: "Refund request"}}},
		{ID: 3, Name: "disabled", Enabled: false, Position: 1, Trigger: TriggerMessageReceived,
			Actions: []Action{{Type: ActionClose}}},
		{ID: 4, Name: "other trigger", Enabled: true, Position: 2, Trigger: TriggerConversationCreated,
			Actions: []Action{{Type: ActionAssign, Value: 5}}},
		{ID: 5, Name: "changes nothing", Enabled: true, Position: 30, Trigger: TriggerMessageReceived,
			Actions: []Action{{Type: ActionSetTeam, Value: 12}, {Type: ActionAddTags, Value: "refund"}}},
	}
	p := Evaluate(rules, TriggerMessageReceived, base(), nil)

	wantChanges := conversation.Patch{Priority: patch.Of("urgent"), TeamID: patch.Of[int64](12),
		AddTags: []string{"refund"}, RemoveTags: []string{"billing"}}
	if !reflect.DeepEqual(p.Changes, wantChanges) {
		t.Errorf("Changes = %+v, want %+v", p.Changes, wantChanges)
	}
	if want := []int64{1, 2, 5}; !slices.Equal(p.Matched, want) {
		t.Errorf("Matched = %v, want %v", p.Matched, want)
	}
	if want := []int64{1, 2}; !slices.Equal(p.Rules, want) {
		t.Errorf("Rules = %v, want %v (rule 5 changes nothing)", p.Rules, want)
	}
	if want := []int64{1, 2}; !slices.Equal(p.Origin, want) {
		t.Errorf("Origin = %v, want %v", p.Origin, want)
	}
	wantEffects := []Effect{{RuleID: 1, Type: ActionAddNote, Text: "Refund request"}, {RuleID: 2, Type: ActionNotify, To: "team"}}
	if !reflect.DeepEqual(p.Effects, wantEffects) {
		t.Errorf("Effects = %+v, want %+v", p.Effects, wantEffects)
	}
	wantApplied := []Applied{
		{RuleID: 1, Action: ActionSetPriority, Field: "priority", From: "normal", To: "urgent", Effect: -1},
		{RuleID: 1, Action: ActionAddTags, Field: "tags", From: []string{"billing", "vip-customer"},
			To: []string{"billing", "vip-customer", "refund"}, Effect: -1},
		{RuleID: 1, Action: ActionAddNote, Effect: 0},
		{RuleID: 2, Action: ActionSetTeam, Field: "team_id", From: int64(7), To: int64(12), Effect: -1},
		{RuleID: 2, Action: ActionNotify, Effect: 1},
		{RuleID: 2, Action: ActionRemoveTags, Field: "tags", From: []string{"billing", "vip-customer", "refund"},
			To: []string{"vip-customer", "refund"}, Effect: -1},
	}
	if !reflect.DeepEqual(p.Applied, wantApplied) {
		t.Errorf("Applied =\n%+v\nwant\n%+v", p.Applied, wantApplied)
	}
}

func TestEvaluateActions(t *testing.T) {
	solved := base()
	solved.Status = "solved"
	closed := base()
	closed.Status = "closed"
	assigned := base()
	assigned.AssigneeID = 42
	tests := []struct {
		name    string
		f       Facts
		actions []Action
		changes conversation.Patch
		effects []Effect
	}{
		{"set status", base(), []Action{{Type: ActionSetStatus, Value: "pending"}},
			conversation.Patch{Status: patch.Of("pending")}, nil},
		{"close an open conversation solves it", base(), []Action{{Type: ActionClose}},
			conversation.Patch{Status: patch.Of("solved")}, nil},
		{"close a solved conversation", solved, []Action{{Type: ActionClose}},
			conversation.Patch{Status: patch.Of("closed")}, nil},
		{"closed takes no changes but effects run", closed,
			[]Action{{Type: ActionSetPriority, Value: "high"}, {Type: ActionWebhook, Value: "https://hooks.example.com/k"}},
			conversation.Patch{}, []Effect{{RuleID: 1, Type: ActionWebhook, URL: "https://hooks.example.com/k"}}},
		{"assign", base(), []Action{{Type: ActionAssign, Value: float64(42)}},
			conversation.Patch{AssigneeID: patch.Of[int64](42)}, nil},
		{"unassign", assigned, []Action{{Type: ActionAssign, Value: nil}},
			conversation.Patch{AssigneeID: patch.Clear[int64]()}, nil},
		{"clear team", base(), []Action{{Type: ActionSetTeam}}, conversation.Patch{TeamID: patch.Clear[int64]()}, nil},
		{"add then remove cancels out", base(),
			[]Action{{Type: ActionAddTags, Value: "x"}, {Type: ActionRemoveTags, Value: "x"}}, conversation.Patch{}, nil},
		{"canned reply", base(), []Action{{Type: ActionSendCanned, Value: float64(8)}}, conversation.Patch{},
			[]Effect{{RuleID: 1, Type: ActionSendCanned, CannedID: 8}}},
		{"notify agent", base(), []Action{{Type: ActionNotify, Value: "agent:42"}}, conversation.Patch{},
			[]Effect{{RuleID: 1, Type: ActionNotify, To: "agent:42"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Rule{ID: 1, Name: "r", Enabled: true, Trigger: TriggerConversationUpdated, Actions: tt.actions}
			p := Evaluate([]Rule{r}, TriggerConversationUpdated, tt.f, nil)
			if !reflect.DeepEqual(p.Changes, tt.changes) {
				t.Errorf("Changes = %+v, want %+v", p.Changes, tt.changes)
			}
			if !reflect.DeepEqual(p.Effects, tt.effects) {
				t.Errorf("Effects = %+v, want %+v", p.Effects, tt.effects)
			}
		})
	}
}

// cascade drives events the way the event subscriber will: each plan that
// did something causes a conversation.updated event carrying p.Origin.
// It returns every rule application in order and the final facts.
func cascade(t *testing.T, rules []Rule, trigger string, f Facts) ([]int64, Facts) {
	t.Helper()
	var runs []int64
	var origin []int64
	for i := 0; ; i++ {
		if i > 2*MaxChain {
			t.Fatalf("cascade did not stop; runs %v", runs)
		}
		p := Evaluate(rules, trigger, f, origin)
		if p.Empty() {
			return runs, f
		}
		runs = append(runs, p.Rules...)
		f = p.Facts // what conversation.Update would store
		origin = p.Origin
		trigger = TriggerConversationUpdated
		if len(origin) > MaxChain {
			t.Fatalf("origin %v longer than MaxChain", origin)
		}
	}
}

func TestLoopProtection(t *testing.T) {
	// A: tag x → priority high. B: priority high → add tag x.
	a := Rule{ID: 10, Name: "A", Enabled: true, Position: 1, Trigger: TriggerConversationUpdated,
		Conditions: Conditions{All: []Condition{{"tags", "contains", "x"}}},
		Actions:    []Action{{Type: ActionSetPriority, Value: "high"}}}
	b := Rule{ID: 11, Name: "B", Enabled: true, Position: 2, Trigger: TriggerConversationUpdated,
		Conditions: Conditions{All: []Condition{{"priority", "is", "high"}}},
		Actions:    []Action{{Type: ActionAddTags, Value: "x"}}}
	// Ping-pong that would never settle: low → normal → low …
	up := Rule{ID: 20, Name: "up", Enabled: true, Position: 1, Trigger: TriggerConversationUpdated,
		Conditions: Conditions{All: []Condition{{"priority", "is", "low"}}},
		Actions:    []Action{{Type: ActionSetPriority, Value: "normal"}}}
	down := Rule{ID: 21, Name: "down", Enabled: true, Position: 2, Trigger: TriggerConversationUpdated,
		Conditions: Conditions{All: []Condition{{"priority", "is", "normal"}}},
		Actions:    []Action{{Type: ActionSetPriority, Value: "low"}}}
	// A chain of six rules, each tagging for the next: t0 → t1 → … → t6.
	var chain []Rule
	for i := range 6 {
		chain = append(chain, Rule{ID: int64(30 + i), Name: "step", Enabled: true, Position: 6 - i,
			Trigger:    TriggerConversationUpdated,
			Conditions: Conditions{All: []Condition{{"tags", "contains", "t" + string(rune('0'+i))}}},
			Actions:    []Action{{Type: ActionAddTags, Value: "t" + string(rune('0'+i+1))}}})
	}

	highNoTag, tagNormal, low, t0 := base(), base(), base(), base()
	highNoTag.Priority, highNoTag.Tags = "high", nil
	tagNormal.Tags = []string{"x"}
	low.Priority = "low"
	t0.Tags = []string{"t0"}
	tests := []struct {
		name     string
		rules    []Rule
		f        Facts
		wantRuns []int64
		wantPrio string
		wantTags []string
	}{
		{"B then A sees the tag but changes nothing", []Rule{a, b}, highNoTag, []int64{11}, "high", []string{"x"}},
		{"A applies, B finds the tag already there", []Rule{a, b}, tagNormal, []int64{10}, "high", []string{"x"}},
		{"ping-pong runs each rule once", []Rule{up, down}, low, []int64{20, 21}, "low", []string{"billing", "vip-customer"}},
		// Positions run t5→t0 so each step needs a new event; the chain
		// stops after MaxChain rules: t6 is never added.
		{"chain capped at MaxChain", chain, t0, []int64{30, 31, 32, 33, 34}, "normal",
			[]string{"t0", "t1", "t2", "t3", "t4", "t5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs, f := cascade(t, tt.rules, TriggerConversationUpdated, tt.f)
			if !slices.Equal(runs, tt.wantRuns) {
				t.Errorf("runs = %v, want %v", runs, tt.wantRuns)
			}
			seen := map[int64]bool{}
			for _, id := range runs {
				if seen[id] {
					t.Errorf("rule %d applied twice in one chain: %v", id, runs)
				}
				seen[id] = true
			}
			if f.Priority != tt.wantPrio || !slices.Equal(f.Tags, tt.wantTags) {
				t.Errorf("final priority %q tags %v, want %q %v", f.Priority, f.Tags, tt.wantPrio, tt.wantTags)
			}
		})
	}
}

func TestChainFull(t *testing.T) {
	r := Rule{ID: 1, Name: "r", Enabled: true, Trigger: TriggerConversationUpdated,
		Actions: []Action{{Type: ActionSetPriority, Value: "high"}}}
	p := Evaluate([]Rule{r}, TriggerConversationUpdated, base(), []int64{2, 3, 4, 5, 6})
	if !p.ChainFull || !p.Empty() || len(p.Matched) != 0 {
		t.Errorf("plan at full chain = %+v, want ChainFull and nothing run", p)
	}
	p = Evaluate([]Rule{r}, TriggerConversationUpdated, base(), []int64{2, 3, 4, 5})
	if p.ChainFull || !slices.Equal(p.Origin, []int64{2, 3, 4, 5, 1}) {
		t.Errorf("origin = %v, want [2 3 4 5 1]", p.Origin)
	}
}

func TestDryRunAgreesWithEvaluate(t *testing.T) {
	var snaps []Facts
	mk := func(id int64, status, prio, channel, text string, tags ...string) {
		f := base()
		f.ConversationID, f.Status, f.Priority, f.Channel, f.MessageText, f.Tags = id, status, prio, channel, text, tags
		snaps = append(snaps, f)
	}
	mk(1, "open", "normal", "email", "where is my משלוח?")
	mk(2, "open", "high", "whatsapp", "hello")
	mk(3, "pending", "urgent", "email", "refund now", "vip")
	mk(4, "new", "low", "web", "המשלוח לא הגיע")
	mk(5, "solved", "normal", "email", "thanks")
	mk(6, "open", "low", "email", "nothing", "vip")
	rules := []Rule{
		{ID: 1, Name: "shipping", Enabled: true, Trigger: TriggerMessageReceived,
			Conditions: Conditions{All: []Condition{{"message_text", "contains", "משלוח"}}},
			Actions:    []Action{{Type: ActionAddTags, Value: "shipping"}}},
		{ID: 2, Name: "vip or hot", Enabled: true, Trigger: TriggerMessageReceived,
			Conditions: Conditions{All: []Condition{{"status", "not_in", []any{"solved", "closed"}}},
				Any: []Condition{{"tags", "contains", "vip"}, {"priority", "greater", "normal"}}},
			Actions: []Action{{Type: ActionAddNote, Value: "look"}}},
		{ID: 3, Name: "email only, none left", Enabled: true, Trigger: TriggerMessageReceived,
			Conditions: Conditions{All: []Condition{{"channel", "is", "fax"}}},
			Actions:    []Action{{Type: ActionAddNote, Value: "fax"}}},
	}
	want := map[int64][]int64{1: {1, 4}, 2: {2, 3, 6}, 3: {}}
	for _, r := range rules {
		got := DryRun(r, snaps)
		if !slices.Equal(got, want[r.ID]) {
			t.Errorf("DryRun(rule %d) = %v, want %v", r.ID, got, want[r.ID])
		}
		acted := []int64{}
		for _, f := range snaps {
			if p := Evaluate([]Rule{r}, r.Trigger, f, nil); slices.Contains(p.Rules, r.ID) {
				acted = append(acted, f.ConversationID)
			}
		}
		if !slices.Equal(got, acted) {
			t.Errorf("rule %d: DryRun %v, Evaluate acted on %v", r.ID, got, acted)
		}
	}
}
