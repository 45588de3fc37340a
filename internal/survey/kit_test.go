package survey_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http/httptest"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/channel/email/outbound"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/jobs"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/secret"
	"github.com/kesherdesk/kesher/internal/survey"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// kit is one store with a core, the survey service, an outbound service
// on its own runner (started only when run is set), an email inbox whose
// SMTP server is a loopback sink, and a dispatcher the test drives.
type kit struct {
	t      *testing.T
	ctx    context.Context
	d      *db.DB
	core   *app.Core
	svc    *survey.Service
	out    *outbound.Service
	runner *jobs.Runner
	disp   *events.Dispatcher
	sink   *testkit.SMTPSink
	inbox  inbox.Inbox
	now    time.Time
}

func newKit(t *testing.T, d *db.DB, run bool) *kit {
	t.Helper()
	k := &kit{t: t, ctx: context.Background(), d: d, sink: testkit.NewSMTPSink(t), now: time.Now().UTC().Truncate(time.Millisecond)}
	log := testkit.Logger()
	// One secret key for the core (its survey pages) and the kit's service.
	box := secret.Ephemeral()
	k.core = app.NewCoreFromDB(d, app.CoreOptions{Password: auth.FastPasswordParams, Store: db.Options{DataDir: t.TempDir()},
		Secrets: box}, log)
	k.runner = jobs.NewRunner(d, jobs.Options{PollInterval: 10 * time.Millisecond, BackoffBase: 20 * time.Millisecond,
		BackoffMax: 100 * time.Millisecond, Concurrency: 2, Log: log})
	k.out = outbound.New(d, k.core.Outbox, k.core.Conversations, k.core.Inboxes, k.core.Files, k.runner, log,
		outbound.Options{MaxAttempts: 3})
	k.out.RegisterJobs(k.runner)
	t.Cleanup(k.out.Subscribe(k.core.Bus))
	k.svc = survey.New(d, k.core.Outbox, k.core.Conversations, k.runner, log, survey.Options{BaseURL: "https://desk.example/",
		Mail: k.out, Secrets: box})
	k.svc.Now = func() time.Time { return k.now }
	k.core.Surveys.Now = k.svc.Now // the core's service answers the pages
	k.svc.RegisterJobs(k.runner)
	t.Cleanup(k.svc.Subscribe(k.core.Bus))
	k.disp = events.NewDispatcher(d, k.core.Outbox, k.core.Bus, log)
	if run {
		ctx, cancel := context.WithCancel(k.ctx)
		done := make(chan struct{})
		go func() { _ = k.runner.Run(ctx); close(done) }()
		t.Cleanup(func() { cancel(); <-done })
	}
	var err error
	k.inbox, err = k.core.Inboxes.Create(k.ctx, audit.System, inbox.Input{Name: "חנות הדוגמה", Channel: "email",
		Address: "support@kesher.test", Settings: map[string]any{"smtp": map[string]any{"host": k.sink.Host,
			"port": float64(k.sink.Port), "tls": "none"}}})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// enable turns CSAT (and CES when ces) on for the kit's inbox.
func (k *kit) enable(ces bool, delay int) {
	k.t.Helper()
	if _, err := k.svc.UpdateSettings(k.ctx, audit.System, k.inbox.ID, survey.SettingsInput{CSATEnabled: true, CESEnabled: ces,
		DelayMinutes: &delay}); err != nil {
		k.t.Fatal(err)
	}
}

// deliver hands every committed event to the bus.
func (k *kit) deliver() {
	k.t.Helper()
	for {
		n, err := k.disp.DeliverOnce(k.ctx)
		if err != nil {
			k.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// mail ingests an inbound email from addr (extra headers first) and
// returns its conversation.
func (k *kit) mail(from, subject, body string, headers ...string) int64 {
	k.t.Helper()
	raw := strings.Join(append(headers, "From: "+from, "To: support@kesher.test", "Subject: "+subject,
		fmt.Sprintf("Message-ID: <%d.%d@example.com>", time.Now().UnixNano(), len(body)), "Content-Type: text/plain; charset=utf-8", "", body, ""),
		"\r\n")
	res, err := k.core.Email.Ingest(k.ctx, k.inbox.ID, []byte(raw), "smtp")
	if err != nil || res.ConversationID == 0 {
		k.t.Fatalf("ingest: %+v %v", res, err)
	}
	return res.ConversationID
}

// status sets a conversation's status as an agent would.
func (k *kit) status(id int64, status string) {
	k.t.Helper()
	if _, err := k.core.Conversations.Update(k.ctx, audit.System, id, conversation.Patch{Status: patch.Of(status)}); err != nil {
		k.t.Fatal(err)
	}
	k.deliver()
}

func (k *kit) count(q string, args ...any) int {
	k.t.Helper()
	var n int
	if err := k.d.R().QueryRow(k.ctx, q, args...).Scan(&n); err != nil {
		k.t.Fatal(err)
	}
	return n
}

// invitation returns the kind's invitation of a conversation: id, status
// and skip reason.
func (k *kit) invitation(convID int64, kind string) (int64, string, string) {
	k.t.Helper()
	var id int64
	var status, why string
	if err := k.d.R().QueryRow(k.ctx, `SELECT id, status, skip_reason FROM survey_invitations WHERE conversation_id = ? AND kind = ?`,
		convID, kind).Scan(&id, &status, &why); err != nil {
		k.t.Fatal(err)
	}
	return id, status, why
}

// send runs SendTx for an invitation (the job's work) at the kit's clock.
func (k *kit) send(id int64) int64 {
	k.t.Helper()
	var msg int64
	err := k.d.WriteTx(k.ctx, func(tx *db.Tx) error {
		var err error
		msg, err = k.svc.SendTx(k.ctx, tx, id)
		return err
	})
	if err != nil {
		k.t.Fatal(err)
	}
	return msg
}

var linkRe = regexp.MustCompile(`https://desk\.example/s/([A-Za-z0-9_-]+)`)

// token is the signed token in the body of message id.
func (k *kit) token(msgID int64) string {
	k.t.Helper()
	var body string
	if err := k.d.R().QueryRow(k.ctx, `SELECT body_text FROM messages WHERE id = ?`, msgID).Scan(&body); err != nil {
		k.t.Fatal(err)
	}
	m := linkRe.FindStringSubmatch(body)
	if m == nil {
		k.t.Fatalf("no survey link in %q", body)
	}
	return m[1]
}

// pages serves the app's handler (the survey pages at /s/).
func (k *kit) pages() *httptest.Server {
	k.t.Helper()
	h, err := k.core.Handler(app.ServerOptions{})
	if err != nil {
		k.t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	k.t.Cleanup(srv.Close)
	return srv
}

// solvedWithLink makes a solved conversation of a Hebrew customer and
// sends its CSAT invitation; it returns the conversation and the token.
func (k *kit) solvedWithLink(from string) (int64, string) {
	k.t.Helper()
	conv := k.mail(from, "שאלה על הזמנה", "שלום, מתי תגיע ההזמנה שלי?")
	k.status(conv, conversation.StatusSolved)
	inv, status, _ := k.invitation(conv, survey.KindCSAT)
	if status != survey.StatusScheduled {
		k.t.Fatalf("invitation status %q, want scheduled", status)
	}
	msg := k.send(inv)
	if msg == 0 {
		_, status, why := k.invitation(conv, survey.KindCSAT)
		k.t.Fatalf("not sent: %s %s", status, why)
	}
	return conv, k.token(msg)
}

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

func parseMail(t *testing.T, raw []byte) *mail.Message {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func itoa(n int64) string { return fmt.Sprint(n) }
