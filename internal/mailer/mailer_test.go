package mailer_test

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/mailer"
	"github.com/kesherdesk/kesher/internal/testkit"
)

func TestParseURL(t *testing.T) {
	cases := []struct {
		in   string
		want mailer.Server
		bad  bool
	}{
		{in: "smtp://mail.example.com", want: mailer.Server{Host: "mail.example.com", Port: 587, TLS: mailer.TLSOpportunistic}},
		{in: "smtps://desk%40example.com:p%3Ass@mail.example.com", want: mailer.Server{Host: "mail.example.com", Port: 465,
			TLS: mailer.TLSImplicit, Username: "desk@example.com", Password: "p:ss"}},
		{in: "smtp://u:p@127.0.0.1:2525?tls=none", want: mailer.Server{Host: "127.0.0.1", Port: 2525, TLS: mailer.TLSNone, Username: "u", Password: "p"}},
		{in: "smtp://relay:25?tls=starttls", want: mailer.Server{Host: "relay", Port: 25, TLS: mailer.TLSStartTLS}},
		{in: "http://mail.example.com", bad: true},
		{in: "smtp://", bad: true},
		{in: "smtp://host:99999", bad: true},
		{in: "smtp://host?tls=maybe", bad: true},
		{in: "smtp://host?timeout=5", bad: true},
	}
	for _, tc := range cases {
		got, err := mailer.ParseURL(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("ParseURL(%q) = %+v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

// TestSendThroughSink delivers a Hebrew text+HTML message through a real
// SMTP server that requires AUTH and reads it back.
func TestSendThroughSink(t *testing.T) {
	sink := testkit.NewSMTPSinkAuth(t, "desk", "s3cret-pass")
	srv := mailer.Server{Host: sink.Host, Port: sink.Port, TLS: mailer.TLSNone, Username: "desk", Password: "s3cret-pass"}
	m, err := mailer.NewSMTP(srv, "Kesher <desk@kesher.test>")
	if err != nil {
		t.Fatal(err)
	}
	err = m.Send(context.Background(), mailer.Message{To: "noa@example.com", Subject: "איפוס סיסמה",
		Text: "שלום נועה,\nהקישור: https://desk.example/reset", HTML: `<p dir="rtl">שלום נועה</p>`})
	if err != nil {
		t.Fatal(err)
	}
	got := sink.Wait(t, 1, 5*time.Second)
	if got.From != "desk@kesher.test" || len(got.To) != 1 || got.To[0] != "noa@example.com" {
		t.Fatalf("envelope: from %q to %v", got.From, got.To)
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(got.Data)))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != "איפוס סיסמה" {
		t.Fatalf("subject %q, %v", subject, err)
	}
	if msg.Header.Get("Auto-Submitted") != "auto-generated" {
		t.Fatalf("Auto-Submitted = %q", msg.Header.Get("Auto-Submitted"))
	}
	text, html := Bodies(t, msg)
	if !strings.Contains(text, "שלום נועה,") || !strings.Contains(text, "https://desk.example/reset") {
		t.Fatalf("text part: %q", text)
	}
	if !strings.Contains(html, `dir="rtl"`) {
		t.Fatalf("html part: %q", html)
	}
}

// Bodies returns the decoded text/plain and text/html parts of a message.
func Bodies(t *testing.T, msg *mail.Message) (text, html string) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		b, _ := io.ReadAll(msg.Body)
		return string(b), ""
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart() // decodes quoted-printable itself
		if err == io.EOF {
			return text, html
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		switch ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct {
		case "text/plain":
			text = string(b)
		case "text/html":
			html = string(b)
		}
	}
}

func TestCheck(t *testing.T) {
	sink := testkit.NewSMTPSinkAuth(t, "desk", "right-password")
	ctx := context.Background()
	ok := mailer.Server{Host: sink.Host, Port: sink.Port, TLS: mailer.TLSNone, Username: "desk", Password: "right-password"}
	if err := mailer.Check(ctx, ok); err != nil {
		t.Fatalf("good credentials: %v", err)
	}
	wrong := ok
	wrong.Password = "wrong-password"
	if err := mailer.Check(ctx, wrong); err == nil || !strings.Contains(err.Error(), "535") {
		t.Fatalf("wrong password: %v, want an SMTP 535 error", err)
	}
	starttls := ok
	starttls.TLS = mailer.TLSStartTLS
	if err := mailer.Check(ctx, starttls); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("required STARTTLS against a plain server: %v, want a STARTTLS error", err)
	}
	closed := ok
	closed.Port = 1
	if err := mailer.Check(ctx, closed); err == nil {
		t.Fatal("a closed port passed the check")
	}
}
