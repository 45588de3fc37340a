package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/mailer"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestPasswordReset: request a reset, the mail arrives with the link, the
// token sets a new password once, old sessions end, and the answer never
// tells whether an address belongs to an agent.
func TestPasswordReset(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		sink := testkit.NewSMTPSink(t)
		m, err := mailer.NewSMTP(mailer.Server{Host: sink.Host, Port: sink.Port, TLS: mailer.TLSNone}, "Kesher <desk@kesher.test>")
		if err != nil {
			t.Fatal(err)
		}
		k := newDeskWith(t, d, app.CoreOptions{Mailer: m, BaseURL: "https://desk.example.com/"})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { _ = k.core.PasswordResets.Run(ctx); close(done) }()
		t.Cleanup(func() { cancel(); <-done })

		id, _ := k.agentWithToken("Noa", "agent")
		k.must(200, "PATCH", fmt.Sprintf("/api/v1/agents/%d", id), k.admin, map[string]any{"password": "old-password-1", "locale": "en"})
		jar, _ := cookiejar.New(nil)
		browser := &desk{t: t, core: k.core, srv: k.srv, client: &http.Client{Jar: jar}}
		browser.must(200, "POST", "/api/v1/auth/login", "", map[string]any{"email": "noa@kesher.test", "password": "old-password-1"})
		browser.must(200, "GET", "/api/v1/me", "", nil)

		// Unknown and known addresses get the same answer; only one mail goes out.
		k.must(204, "POST", "/api/v1/auth/password-reset", "", map[string]any{"email": "nobody@kesher.test"})
		k.must(204, "POST", "/api/v1/auth/password-reset", "", map[string]any{"email": " NOA@kesher.test "})
		got := sink.Wait(t, 1, 10*time.Second)
		if len(got.To) != 1 || got.To[0] != "noa@kesher.test" {
			t.Fatalf("mail to %v", got.To)
		}
		msg, err := mail.ReadMessage(strings.NewReader(string(got.Data)))
		if err != nil {
			t.Fatal(err)
		}
		if s := msg.Header.Get("Subject"); s != "Reset your Kesher password" {
			t.Fatalf("subject %q (the agent's locale is en)", s)
		}
		text := textPart(t, msg)
		link := regexp.MustCompile(`https://desk\.example\.com/reset-password\?token=(\S+)`).FindStringSubmatch(text)
		if link == nil {
			t.Fatalf("no reset link in:\n%s", text)
		}
		token := link[1]
		// Requests are handled in order, so the unknown address was handled
		// before this mail was sent: it produced none.
		if n := len(sink.Mails()); n != 1 {
			t.Fatalf("%d mails, want 1", n)
		}

		if f := fieldOf(t, k.do("POST", "/api/v1/auth/password-reset/confirm", "", map[string]any{"token": token, "password": "short"})); f != "password" {
			t.Fatalf("short password names %q", f)
		}
		if f := fieldOf(t, k.do("POST", "/api/v1/auth/password-reset/confirm", "", map[string]any{"token": "ksp_forged", "password": "new-password-22"})); f != "token" {
			t.Fatalf("forged token names %q", f)
		}
		k.must(204, "POST", "/api/v1/auth/password-reset/confirm", "", map[string]any{"token": token, "password": "new-password-22"})
		if r := browser.do("GET", "/api/v1/me", "", nil); r.status != 401 {
			t.Fatalf("old session after reset: %d, want 401", r.status)
		}
		if r := k.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "noa@kesher.test", "password": "old-password-1"}); r.status != 401 {
			t.Fatalf("old password: %d, want 401", r.status)
		}
		k.must(200, "POST", "/api/v1/auth/login", "", map[string]any{"email": "noa@kesher.test", "password": "new-password-22"})
		if f := fieldOf(t, k.do("POST", "/api/v1/auth/password-reset/confirm", "", map[string]any{"token": token, "password": "third-password-3"})); f != "token" {
			t.Fatalf("second use names %q", f)
		}

		// Hebrew for the default locale.
		k.must(204, "POST", "/api/v1/auth/password-reset", "", map[string]any{"email": "admin@kesher.test"})
		he, _ := mail.ReadMessage(strings.NewReader(string(sink.Wait(t, 2, 10*time.Second).Data)))
		subject, _ := new(mime.WordDecoder).DecodeHeader(he.Header.Get("Subject"))
		if subject != "איפוס הסיסמה שלך ב-Kesher" || !strings.Contains(textPart(t, he), "שלום Admin") {
			t.Fatalf("Hebrew mail: %q", subject)
		}

		if f := fieldOf(t, k.do("POST", "/api/v1/auth/password-reset", "", map[string]any{"email": ""})); f != "email" {
			t.Fatalf("empty email names %q", f)
		}
		limited := false
		for range 15 {
			if r := k.do("POST", "/api/v1/auth/password-reset", "", map[string]any{"email": "someone@kesher.test"}); r.status == 429 {
				limited = true
				break
			}
		}
		if !limited {
			t.Fatal("password reset requests are not rate-limited")
		}
	})
}

// textPart returns the decoded text/plain part of a message.
func textPart(t *testing.T, msg *mail.Message) string {
	t.Helper()
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatalf("no text/plain part: %v", err)
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			b, _ := io.ReadAll(p)
			return string(b)
		}
	}
}

// newIMAPServer starts an in-memory IMAP server on 127.0.0.1 with one user
// and an INBOX.
func newIMAPServer(t *testing.T, user, password string) int {
	t.Helper()
	mem := imapmemserver.New()
	u := imapmemserver.NewUser(user, password)
	if err := u.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		Logger:       discardLogger{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}

// TestInboxConnection: passwords are stored encrypted and never returned,
// and the connection test logs in to real SMTP and IMAP servers.
func TestInboxConnection(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		sink := testkit.NewSMTPSinkAuth(t, "desk@example.com", "smtp-secret-1")
		imapPort := newIMAPServer(t, "desk@example.com", "imap-secret-2")
		settings := map[string]any{
			"smtp": map[string]any{"host": "127.0.0.1", "port": sink.Port, "tls": "none", "username": "desk@example.com", "password": "smtp-secret-1"},
			"imap": map[string]any{"host": "127.0.0.1", "port": imapPort, "tls": "none", "username": "desk@example.com", "password": "imap-secret-2", "folder": "INBOX"},
		}
		box := k.must(201, "POST", "/api/v1/inboxes", k.admin, map[string]any{"name": "Support", "channel": "email", "settings": settings})
		id := num(box["id"])
		for _, b := range []map[string]any{box, k.must(200, "GET", fmt.Sprintf("/api/v1/inboxes/%d", id), k.admin, nil)} {
			smtp := b["settings"].(map[string]any)["smtp"].(map[string]any)
			if _, has := smtp["password"]; has || smtp["password_set"] != true || smtp["username"] != "desk@example.com" {
				t.Fatalf("smtp settings shown: %v", smtp)
			}
		}
		var stored string
		if err := d.R().QueryRow(context.Background(), `SELECT settings FROM inboxes WHERE id = ?`, id).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(stored, "smtp-secret-1") || strings.Contains(stored, "imap-secret-2") || !strings.Contains(stored, "enc:v1:") {
			t.Fatalf("passwords not encrypted at rest: %s", stored)
		}

		rep := k.must(200, "POST", fmt.Sprintf("/api/v1/inboxes/%d/test", id), k.admin, nil)
		for _, sec := range []string{"smtp", "imap"} {
			if r := rep[sec].(map[string]any); r["ok"] != true || r["error"] != "" {
				t.Fatalf("%s check: %v", sec, rep)
			}
		}

		// Changing other settings keeps the stored passwords; a new wrong one fails.
		settings["smtp"] = map[string]any{"host": "127.0.0.1", "port": sink.Port, "tls": "none", "username": "desk@example.com"}
		settings["imap"] = map[string]any{"host": "127.0.0.1", "port": imapPort, "tls": "none", "username": "desk@example.com", "password": "wrong", "password_set": true}
		k.must(200, "PATCH", fmt.Sprintf("/api/v1/inboxes/%d", id), k.admin, map[string]any{"settings": settings})
		rep = k.must(200, "POST", fmt.Sprintf("/api/v1/inboxes/%d/test", id), k.admin, nil)
		if s := rep["smtp"].(map[string]any); s["ok"] != true {
			t.Fatalf("smtp after a patch without password: %v", s)
		}
		if i := rep["imap"].(map[string]any); i["ok"] != false || !strings.Contains(i["error"].(string), "login") {
			t.Fatalf("imap with a wrong password: %v", i)
		}
		settings["smtp"].(map[string]any)["password"] = "wrong"
		settings["imap"] = nil
		k.must(200, "PATCH", fmt.Sprintf("/api/v1/inboxes/%d", id), k.admin, map[string]any{"settings": settings})
		rep = k.must(200, "POST", fmt.Sprintf("/api/v1/inboxes/%d/test", id), k.admin, nil)
		if s := rep["smtp"].(map[string]any); s["ok"] != false || !strings.Contains(s["error"].(string), "535") || rep["imap"] != nil {
			t.Fatalf("smtp with a wrong password: %v", rep)
		}

		// Bad settings, other channels and non-admins.
		bad := map[string]any{"smtp": map[string]any{"host": "", "port": 70000, "tls": "ssl"}}
		if f := fieldOf(t, k.do("POST", "/api/v1/inboxes", k.admin, map[string]any{"name": "x", "channel": "email", "settings": bad})); !strings.HasPrefix(f, "settings.smtp.") {
			t.Fatalf("bad settings name %q", f)
		}
		api := num(k.must(201, "POST", "/api/v1/inboxes", k.admin, map[string]any{"name": "API", "channel": "api"})["id"])
		if f := fieldOf(t, k.do("POST", fmt.Sprintf("/api/v1/inboxes/%d/test", api), k.admin, nil)); f != "channel" {
			t.Fatalf("testing an API inbox names %q", f)
		}
		_, supTok := k.agentWithToken("Sup", "supervisor")
		if r := k.do("POST", fmt.Sprintf("/api/v1/inboxes/%d/test", id), supTok, nil); r.status != 403 {
			t.Fatalf("supervisor tests an inbox: %d, want 403", r.status)
		}
	})
}
