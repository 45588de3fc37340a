package lateness_test

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/commerce/lateness"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// plainText returns the text/plain part of a parsed mail, decoded.
func plainText(t *testing.T, m *mail.Message) string {
	t.Helper()
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(r io.Reader, mt string, params map[string]string, enc string) string
	walk = func(r io.Reader, mt string, params map[string]string, enc string) string {
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(r, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err != nil {
					return ""
				}
				pmt, pparams, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
				if s := walk(p, pmt, pparams, p.Header.Get("Content-Transfer-Encoding")); s != "" {
					return s
				}
			}
		}
		if mt != "text/plain" {
			return ""
		}
		if strings.EqualFold(enc, "quoted-printable") {
			r = quotedprintable.NewReader(r)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	return walk(m.Body, mt, params, m.Header.Get("Content-Transfer-Encoding"))
}

// TestEndToEndNoticeAndReply: an order promised by last Thursday → the
// scan job (on the runner) → the Hebrew notice reaches a real SMTP server
// on loopback with the customer's address, the Hebrew subject and the
// Message-ID Kesher recorded → the customer's reply, threaded only by
// In-Reply-To (no [#N] in its subject), goes through the email ingest and
// lands in the same conversation.
func TestEndToEndNoticeAndReply(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newKit(t, d, lateness.Options{Offerer: &offerer{}})
		// The runner's clock is the wall clock: the scan rounds follow it.
		k.now = time.Now().UTC().Truncate(time.Millisecond)
		promised := k.now.Add(-50 * time.Hour)
		dana := k.contact("דנה כהן", "dana@example.com", "he")
		id := k.order(orderRow{number: "1001", contactID: dana, promisedBy: &promised, shippedAt: ptr(promised.Add(-48 * time.Hour))})

		if err := k.svc.StartScan(k.ctx); err != nil {
			t.Fatal(err)
		}
		if err := k.svc.StartScan(k.ctx); err != nil { // a second process starting
			t.Fatal(err)
		}
		if n := k.count(`SELECT COUNT(*) FROM jobs WHERE kind = ?`, lateness.JobScan); n != 1 {
			t.Errorf("%d scan jobs after two starts, want 1", n)
		}
		got := k.sink.Wait(t, 1, 20*time.Second)
		k.settle()
		s := k.stored(id)
		if s.lateness != lateness.Late || s.convID == nil {
			t.Fatalf("order after the scan job: %+v", s)
		}
		convID := *s.convID
		// The round re-scheduled itself for the next interval.
		var next int64
		if err := d.R().QueryRow(k.ctx, `SELECT run_at FROM jobs WHERE kind = ? AND done_at IS NULL`, lateness.JobScan).Scan(&next); err != nil {
			t.Fatal(err)
		}
		if at := db.Time(next); at.Before(k.now) || at.After(time.Now().Add(15*time.Minute)) || at.Minute()%15 != 0 || at.Second() != 0 {
			t.Errorf("next round at %s, want the next quarter hour", at)
		}

		m, err := mail.ReadMessage(bytes.NewReader(got.Data))
		if err != nil {
			t.Fatal(err)
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		if err != nil {
			t.Fatal(err)
		}
		wantSubject := fmt.Sprintf("עדכון על הזמנה 1001: המשלוח מתעכב [#%d]", convID)
		if subject != wantSubject {
			t.Errorf("Subject %q, want %q", subject, wantSubject)
		}
		if len(got.To) != 1 || got.To[0] != "dana@example.com" {
			t.Errorf("RCPT TO %v", got.To)
		}
		to, err := mail.ParseAddress(m.Header.Get("To"))
		if err != nil || to.Address != "dana@example.com" || to.Name != "דנה כהן" {
			t.Errorf("To %v (%v)", to, err)
		}
		if m.Header.Get("Auto-Submitted") != "auto-replied" {
			t.Errorf("Auto-Submitted %q", m.Header.Get("Auto-Submitted"))
		}
		msgID := strings.Trim(m.Header.Get("Message-ID"), "<>")
		var recordedConv int64
		if err := d.R().QueryRow(k.ctx, `SELECT conversation_id FROM email_message_ids WHERE inbox_id = ? AND message_id = ?`,
			k.inbox.ID, msgID).Scan(&recordedConv); err != nil || recordedConv != convID {
			t.Fatalf("Message-ID %q recorded for conversation %d (%v), want %d", msgID, recordedConv, err, convID)
		}
		text := plainText(t, m)
		for _, want := range []string{"שלום דנה כהן,", "ההזמנה שלך מספר 1001 הייתה אמורה להגיע עד " + promised.In(jerusalem(t)).Format("02/01/2006"),
			"כהתנצלות הוספנו לחשבונך זיכוי של 20 ₪.", "אפשר להשיב למייל זה"} {
			if !strings.Contains(text, want) {
				t.Errorf("mail text lacks %q:\n%s", want, text)
			}
		}

		reply := strings.ReplaceAll(fmt.Sprintf(`From: =?UTF-8?B?15PXoNeUINeb15TXnw==?= <dana@example.com>
To: support@kesher.test
Subject: =?UTF-8?B?157XqteZINeW15Qg15nXkteZ16I/?=
Message-ID: <dana-reply-1@example.com>
In-Reply-To: <%s>
References: <%s>
Content-Type: text/plain; charset=utf-8

מתי זה יגיע? אני צריכה את זה עד שישי.
`, msgID, msgID), "\n", "\r\n")
		res, err := k.core.Email.Ingest(k.ctx, k.inbox.ID, []byte(reply), "smtp")
		if err != nil {
			t.Fatal(err)
		}
		if res.ConversationID != convID || res.Created {
			t.Errorf("reply went to conversation %d (created %v), want %d", res.ConversationID, res.Created, convID)
		}
		var body, dir string
		if err := d.R().QueryRow(k.ctx, `SELECT body_text, direction FROM messages WHERE id = ?`, res.MessageID).Scan(&body, &dir); err != nil ||
			dir != "inbound" || !strings.Contains(body, "מתי זה יגיע?") {
			t.Errorf("reply stored as %s %q (%v)", dir, body, err)
		}
		if n := k.count(`SELECT COUNT(*) FROM conversations WHERE order_id = ?`, id); n != 1 {
			t.Errorf("%d conversations about the order, want 1", n)
		}
	})
}

func jerusalem(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Jerusalem")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
