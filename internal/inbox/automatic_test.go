package inbox_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/testkit"
)

func TestAckSettingsValidation(t *testing.T) {
	s := inbox.NewService(testkit.SQLite(t), nil)
	ctx := context.Background()
	ok := map[string]any{"automatic_limit_per_hour": float64(3), "ack": map[string]any{"enabled": true,
		"templates": map[string]any{"he": map[string]any{"subject": "קיבלנו", "body": "שלום {{contact.first_name}}"}}}}
	b, err := s.Create(ctx, audit.System, inbox.Input{Name: "Mail", Channel: "email", Address: "a@kesher.test", Settings: ok})
	if err != nil {
		t.Fatal(err)
	}
	if ack := b.Settings["ack"].(map[string]any); ack["enabled"] != true {
		t.Errorf("stored ack %v", ack)
	}
	for field, settings := range map[string]map[string]any{
		"settings.automatic_limit_per_hour": {"automatic_limit_per_hour": 2.5},
		"settings.ack":                      {"ack": "yes"},
		"settings.ack.enabled":              {"ack": map[string]any{"enabled": "yes"}},
		"settings.ack.templates.fr":         {"ack": map[string]any{"templates": map[string]any{"fr": map[string]any{}}}},
		"settings.ack.templates.en.subject": {"ack": map[string]any{"templates": map[string]any{"en": map[string]any{"subject": strings.Repeat("x", 201)}}}},
		"settings.ack.templates.he.body":    {"ack": map[string]any{"templates": map[string]any{"he": map[string]any{"body": 7.0}}}},
	} {
		_, err := s.Create(ctx, audit.System, inbox.Input{Name: "Bad", Channel: "email", Settings: settings})
		var ve *errs.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: got %v", field, err)
		}
	}
}
