package inbox_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestWidgetTokenAndRefs: a chat inbox gets a widget token on create, keeps
// it across updates that leave the widget out, gets a fresh one for an
// empty token, and the widget's references and origins are validated.
func TestWidgetTokenAndRefs(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		s := inbox.NewService(d, nil)
		ctx := context.Background()
		chat, err := s.Create(ctx, audit.System, inbox.Input{Name: "Chat", Channel: inbox.ChannelChat})
		if err != nil {
			t.Fatal(err)
		}
		w, ok := inbox.WidgetOf(chat.Settings)
		if !ok || len(w.Token) != 26 {
			t.Fatalf("new chat inbox widget %+v (%v)", w, ok)
		}
		mail, err := s.Create(ctx, audit.System, inbox.Input{Name: "Mail", Channel: inbox.ChannelEmail, Address: "m@kesher.test"})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := mail.Settings["widget"]; ok {
			t.Errorf("an email inbox got a widget: %v", mail.Settings)
		}
		// An update without the widget keeps the token; an empty token regenerates it.
		up, err := s.Update(ctx, audit.System, chat.ID, inbox.Patch{Settings: patch.Of(map[string]any{"other": 1.0})})
		if err != nil {
			t.Fatal(err)
		}
		if w2, _ := inbox.WidgetOf(up.Settings); w2.Token != w.Token {
			t.Errorf("token changed to %q on an update leaving the widget out", w2.Token)
		}
		up, err = s.Update(ctx, audit.System, chat.ID, inbox.Patch{Settings: patch.Of(map[string]any{"widget": map[string]any{
			"token": "", "allowed_origins": []any{"https://shop.example", "*.example.com", "localhost:*"},
			"business_hours": "il", "offline_inbox_id": float64(mail.ID)}})})
		if err != nil {
			t.Fatal(err)
		}
		w3, _ := inbox.WidgetOf(up.Settings)
		if w3.Token == w.Token || len(w3.Token) != 26 || w3.OfflineInboxID != mail.ID || len(w3.AllowedOrigins) != 3 {
			t.Errorf("regenerated widget %+v (old token %s)", w3, w.Token)
		}
		other, err := s.Create(ctx, audit.System, inbox.Input{Name: "Chat 2", Channel: inbox.ChannelChat})
		if err != nil {
			t.Fatal(err)
		}
		for field, widget := range map[string]map[string]any{
			"settings.widget.business_hours":   {"token": "tok_0123456789abcdef", "business_hours": "nowhere"},
			"settings.widget.offline_inbox_id": {"token": "tok_0123456789abcdef", "offline_inbox_id": float64(chat.ID)},
			"settings.widget.token":            {"token": w3.Token},
			"settings.widget.allowed_origins":  {"token": "tok_0123456789abcdef", "allowed_origins": []any{"ftp://x.example"}},
			"settings.widget.color":            {"token": "tok_0123456789abcdef", "color": "red"},
			"settings.widget.prechat.email":    {"token": "tok_0123456789abcdef", "prechat": map[string]any{"email": "maybe"}},
		} {
			_, err := s.Update(ctx, audit.System, other.ID, inbox.Patch{Settings: patch.Of(map[string]any{"widget": widget})})
			var ve *errs.ValidationError
			if !errors.As(err, &ve) || !strings.Contains(err.Error(), field) {
				t.Errorf("%s: got %v", field, err)
			}
		}
	})
}
