package automation

import (
	"errors"
	"slices"
	"testing"

	"github.com/kesherdesk/kesher/internal/errs"
)

func validRule() Rule {
	return Rule{ID: 1, Name: "Shipping questions", Enabled: true, Trigger: TriggerMessageReceived,
		Conditions: Conditions{
			All: []Condition{{"channel", "in", []any{"email", "whatsapp"}}, {"message_text", "contains", "משלוח"}},
			Any: []Condition{{"contact_tier", "is", "gold"}, {"inside_business_hours", "is", false}}},
		Actions: []Action{{Type: ActionSetTeam, Value: float64(4)}, {Type: ActionAddTags, Value: []any{"shipping"}},
			{Type: ActionWebhook, Value: "https://hooks.example.com/kesher"}}}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(r *Rule)
		fields []string
	}{
		{"valid", func(r *Rule) {}, nil},
		{"valid time rule", func(r *Rule) {
			r.Trigger = TriggerTime
			r.Time = &TimeCondition{Field: "status_for", Status: "pending", Minutes: 72 * 60, Business: true}
		}, nil},
		{"name and trigger", func(r *Rule) { r.Name, r.Trigger = " ", "ticket.created" }, []string{"name", "trigger"}},
		{"time rule without time", func(r *Rule) { r.Trigger = TriggerTime }, []string{"time"}},
		{"time on event rule", func(r *Rule) { r.Time = &TimeCondition{Field: "status_for", Status: "open", Minutes: 5} }, []string{"time"}},
		{"bad time condition", func(r *Rule) {
			r.Trigger = TriggerTime
			r.Time = &TimeCondition{Field: "age", Status: "waiting", Minutes: 0}
		}, []string{"time.field", "time.status", "time.minutes"}},
		{"known language values", func(r *Rule) {
			r.Conditions.All = append(r.Conditions.All, Condition{"language", "is", "he"}, Condition{"language", "in", []any{"en", "ar", "fil"}})
		}, nil},
		{"bad language values", func(r *Rule) {
			r.Conditions.All = append(r.Conditions.All, Condition{"language", "is", "klingon"},
				Condition{"language", "in", []any{"en", "He", "e1"}}, Condition{"language", "is_not", "עב"})
		}, []string{"conditions.all[2].value", "conditions.all[3].value[1]", "conditions.all[3].value[2]", "conditions.all[4].value"}},
		{"bad op at all[2]", func(r *Rule) {
			r.Conditions.All = append(r.Conditions.All, Condition{"status", "contains", "op"})
		}, []string{"conditions.all[2].op"}},
		{"unknown field", func(r *Rule) { r.Conditions.Any[1].Field = "mood" }, []string{"conditions.any[1].field"}},
		{"bad values", func(r *Rule) {
			r.Conditions.All = []Condition{
				{"status", "is", "waiting"},
				{"team_id", "in", []any{}},
				{"inside_business_hours", "is", "yes"},
				{"subject", "contains", "  "},
				{"priority", "greater", "huge"},
				{"assignee_id", "is_set", 5},
				{"status", "in", []any{"open", "later"}},
			}
		}, []string{"conditions.all[0].value", "conditions.all[1].value", "conditions.all[2].value",
			"conditions.all[3].value", "conditions.all[4].value", "conditions.all[5].value", "conditions.all[6].value[1]"}},
		{"no actions", func(r *Rule) { r.Actions = nil }, []string{"actions"}},
		{"bad actions", func(r *Rule) {
			r.Actions = []Action{
				{Type: ActionSetStatus, Value: "closed"},
				{Type: ActionSetPriority, Value: "asap"},
				{Type: ActionAssign, Value: -3},
				{Type: ActionAddTags, Value: []any{"ok", "a,b"}},
				{Type: ActionAddNote, Value: ""},
				{Type: ActionSendCanned, Value: "hello"},
				{Type: ActionNotify, Value: "agent:x"},
				{Type: ActionWebhook, Value: "ftp://example.com"},
				{Type: ActionClose, Value: "now"},
				{Type: "delete"},
			}
		}, []string{"actions[0].value", "actions[1].value", "actions[2].value", "actions[3].value[1]",
			"actions[4].value", "actions[5].value", "actions[6].value", "actions[7].value", "actions[8].value",
			"actions[9].type"}},
		{"valid clears and notify", func(r *Rule) {
			r.Actions = []Action{{Type: ActionAssign}, {Type: ActionSetTeam, Value: nil}, {Type: ActionNotify, Value: "agent:42"},
				{Type: ActionClose}, {Type: ActionSendCanned, Value: 8}, {Type: ActionRemoveTags, Value: "vip"}}
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validRule()
			tt.edit(&r)
			err := Validate(r)
			if tt.fields == nil {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			var ve *errs.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate = %v, want *errs.ValidationError", err)
			}
			var got []string
			for _, f := range ve.Fields {
				got = append(got, f.Field)
			}
			if !slices.Equal(got, tt.fields) {
				t.Errorf("fields = %v, want %v (%v)", got, tt.fields, err)
			}
		})
	}
}
