package email_test

import (
	"context"
	"net"
	"net/smtp"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/kesherdesk/kesher/internal/channel/email"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestSMTPReceiver sends mail over loopback: the inbox address (and a
// plus-address of it) is accepted and ingested, an unknown one gets 550.
func TestSMTPReceiver(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- f.svc.ServeSMTP(ctx, ln, email.SMTPOptions{Domain: "mx.kesher.example", MaxBytes: 1 << 20, Timeout: 5 * time.Second})
		}()
		defer func() {
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
		}()
		addr := ln.Addr().String()
		raw := first("Dana <dana@example.co.il>", "smtp-1@x", "Sent by SMTP")
		if err := smtp.SendMail(addr, nil, "dana@example.co.il", []string{"support+orders@kesher.example"}, raw); err != nil {
			t.Fatal(err)
		}
		var n int
		var status string
		if err := d.R().QueryRow(context.Background(), `SELECT COUNT(*), MIN(status) FROM inbound_mails WHERE source = 'smtp'`).Scan(&n, &status); err != nil ||
			n != 1 || status != email.StatusParsed {
			t.Fatalf("inbound_mails: %d %s %v", n, status, err)
		}
		err = smtp.SendMail(addr, nil, "dana@example.co.il", []string{"nobody@kesher.example"}, raw)
		if err == nil || !strings.Contains(err.Error(), "550") {
			t.Fatalf("unknown recipient: %v, want 550", err)
		}
		// Too large.
		big := append(first("dana@example.co.il", "big@x", "Big"), []byte(strings.Repeat("x", 2<<20))...)
		// (go-smtp answers 552 and may drop the connection while the client
		// still writes.)
		if err := smtp.SendMail(addr, nil, "dana@example.co.il", []string{"support@kesher.example"}, big); err == nil {
			t.Fatal("too large mail accepted")
		}
		if err := d.R().QueryRow(context.Background(), `SELECT COUNT(*) FROM inbound_mails`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("inbound_mails after a refused mail: %d %v", n, err)
		}
	})
}

// TestLMTPReceiver delivers one mail over LMTP.
func TestLMTPReceiver(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- f.svc.ServeSMTP(ctx, ln, email.SMTPOptions{LMTP: true}) }()
		defer func() {
			cancel()
			<-done
		}()
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c := gosmtp.NewClientLMTP(conn)
		defer c.Close()
		if err := c.Hello("mta.example"); err != nil {
			t.Fatal(err)
		}
		if err := c.Mail("dana@example.co.il", nil); err != nil {
			t.Fatal(err)
		}
		if err := c.Rcpt("nobody@kesher.example", nil); err == nil || !strings.Contains(err.Error(), "550") {
			t.Fatalf("unknown recipient: %v", err)
		}
		if err := c.Rcpt("support@kesher.example", nil); err != nil {
			t.Fatal(err)
		}
		w, err := c.Data()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(first("dana@example.co.il", "lmtp-1@x", "By LMTP")); err != nil {
			t.Fatal(err)
		}
		resp, err := w.CloseWithLMTPResponse()
		if err != nil || len(resp) != 1 {
			t.Fatalf("LMTP data: %v %v", resp, err)
		}
		if got := f.count(t, `SELECT COUNT(*) FROM inbound_mails WHERE status = 'parsed'`); got != 1 {
			t.Fatalf("%d parsed mails, want 1", got)
		}
	})
}
