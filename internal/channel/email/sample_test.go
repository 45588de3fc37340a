package email_test

import (
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/channel/email"
	"github.com/kesherdesk/kesher/internal/channel/email/parse"
)

// TestSampleMail checks the benchmark's typical mail: 5–20 KB, Hebrew,
// multipart/alternative, with the quoted history separated.
func TestSampleMail(t *testing.T) {
	raw := email.SampleMail(7)
	if len(raw) < 5<<10 || len(raw) > 20<<10 {
		t.Errorf("size %d bytes", len(raw))
	}
	m, err := parse.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "השב: הזמנה 10007 לא הגיעה" || m.From.Name != "דנה כהן" || m.From.Email != "customer7@example.co.il" || m.HTML == "" {
		t.Errorf("subject %q from %+v html %d", m.Subject, m.From, len(m.HTML))
	}
	if !strings.Contains(m.NewText, "עדיין לא קיבלתי את ההזמנה 10007") || strings.Contains(m.NewText, "בדקנו את ההזמנה שלך") {
		t.Errorf("new text %q", m.NewText)
	}
	t.Logf("typical mail: %d bytes", len(raw))
}
