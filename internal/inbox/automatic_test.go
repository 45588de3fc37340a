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

func TestSMTPServer(t *testing.T) {
	d := testkit.SQLite(t)
	s := inbox.NewService(d, nil)
	ctx := context.Background()
	b, err := s.Create(ctx, audit.System, inbox.Input{Name: "Mail", Channel: "email", Address: "a@kesher.test",
		Settings: map[string]any{"smtp": map[string]any{"host": "smtp.kesher.test", "security": "none", "username": "u", "password": "pw"}}})
	if err != nil {
		t.Fatal(err)
	}
	srv, got, err := s.SMTPServer(ctx, d.R(), b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if srv.Host != "smtp.kesher.test" || srv.Port != 25 || srv.TLS != "none" || srv.Username != "u" || srv.Password != "pw" {
		t.Errorf("server %+v", srv)
	}
	if smtp := got.Settings["smtp"].(map[string]any); smtp["password"] != nil || smtp["password_set"] != true {
		t.Errorf("settings not redacted: %v", smtp)
	}
	api, err := s.Create(ctx, audit.System, inbox.Input{Name: "API", Channel: "api"})
	if err != nil {
		t.Fatal(err)
	}
	var ve *errs.ValidationError
	if _, _, err := s.SMTPServer(ctx, d.R(), api.ID); !errors.As(err, &ve) {
		t.Errorf("SMTPServer of an API inbox: %v", err)
	}
	if _, err := s.Create(ctx, audit.System, inbox.Input{Name: "Bad", Channel: "email",
		Settings: map[string]any{"smtp": map[string]any{"host": "h", "security": "ssl"}}}); err == nil || !strings.Contains(err.Error(), "settings.smtp.security") {
		t.Errorf("bad security: %v", err)
	}
}

// TestIMAPProcessedValidation: the IMAP "processed" setting takes seen,
// flag, none or move:<folder>, and anything else names the field.
func TestIMAPProcessedValidation(t *testing.T) {
	s := inbox.NewService(testkit.SQLite(t), nil)
	ctx := context.Background()
	imap := func(p string) map[string]any {
		return map[string]any{"imap": map[string]any{"host": "imap.example.com", "processed": p}}
	}
	for _, p := range []string{"seen", "flag", "none", "move:Done/Kesher"} {
		b, err := s.Create(ctx, audit.System, inbox.Input{Name: "Mail " + p, Channel: "email", Settings: imap(p)})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if got := b.Settings["imap"].(map[string]any)["processed"]; got != p {
			t.Errorf("%s stored as %v", p, got)
		}
	}
	for _, p := range []string{"delete", "move:", "move:  ", "SEEN"} {
		_, err := s.Create(ctx, audit.System, inbox.Input{Name: "Bad", Channel: "email", Settings: imap(p)})
		var ve *errs.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(err.Error(), "settings.imap.processed") {
			t.Errorf("%q: got %v", p, err)
		}
	}
}
