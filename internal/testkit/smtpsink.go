package testkit

import (
	"bytes"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mail is one message an SMTPSink received.
type Mail struct {
	From string
	To   []string
	Data []byte // the raw RFC 5322 message
}

// SMTPSink is a real SMTP server on 127.0.0.1 that keeps what it receives.
// With a username set it offers AUTH PLAIN (without TLS, as the server only
// listens on loopback) and refuses mail from unauthenticated sessions.
type SMTPSink struct {
	Host string
	Port int

	username, password string
	mu                 sync.Mutex
	mails              []Mail
	arrived            chan struct{}
	replies            []int
	onMail             func(Mail)
}

// Reply makes the sink answer the next DATA commands with these SMTP reply
// codes, one per message, in order: 0 accepts the message, 4xx and 5xx
// refuse it with that code (a refused message is not kept). After the
// list the sink accepts again.
func (s *SMTPSink) Reply(codes ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replies = append(s.replies, codes...)
}

// OnMail calls f (in the SMTP session's goroutine) with each message the
// sink keeps, after it is kept.
func (s *SMTPSink) OnMail(f func(Mail)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onMail = f
}

// NewSMTPSink starts a sink that accepts any sender; it stops when the test
// ends.
func NewSMTPSink(t testing.TB) *SMTPSink { return NewSMTPSinkAuth(t, "", "") }

// NewSMTPSinkAuth starts a sink that requires AUTH PLAIN with these
// credentials (none when username is "").
func NewSMTPSinkAuth(t testing.TB, username, password string) *SMTPSink {
	t.Helper()
	s := &SMTPSink{username: username, password: password, arrived: make(chan struct{}, 100)}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: s}, nil }))
	srv.Domain = "sink.kesher.test"
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = 10 << 20
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.EnableSMTPUTF8 = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtp sink: %v", err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	addr := ln.Addr().(*net.TCPAddr)
	s.Host, s.Port = "127.0.0.1", addr.Port
	return s
}

// Addr is host:port.
func (s *SMTPSink) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// Mails returns what arrived so far.
func (s *SMTPSink) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// Wait returns the n-th message (1-based) once it arrived, failing the test
// after timeout.
func (s *SMTPSink) Wait(t testing.TB, n int, timeout time.Duration) Mail {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if ms := s.Mails(); len(ms) >= n {
			return ms[n-1]
		}
		select {
		case <-s.arrived:
		case <-deadline:
			t.Fatalf("smtp sink: message %d did not arrive within %v (have %d)", n, timeout, len(s.Mails()))
		}
	}
}

type sinkSession struct {
	sink   *SMTPSink
	authed bool
	cur    Mail
}

var _ smtp.AuthSession = (*sinkSession)(nil)

func (ss *sinkSession) AuthMechanisms() []string {
	if ss.sink.username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *sinkSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != ss.sink.username || password != ss.sink.password {
			return smtp.ErrAuthFailed
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	if ss.sink.username != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.cur = Mail{From: from}
	return nil
}

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.cur.To = append(ss.cur.To, to)
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	var b bytes.Buffer
	if _, err := io.Copy(&b, r); err != nil {
		return err
	}
	ss.cur.Data = b.Bytes()
	ss.sink.mu.Lock()
	code := 0
	if len(ss.sink.replies) > 0 {
		code, ss.sink.replies = ss.sink.replies[0], ss.sink.replies[1:]
	}
	if code != 0 {
		ss.sink.mu.Unlock()
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 0, 0}, Message: "sink refuses this message"}
	}
	ss.sink.mails = append(ss.sink.mails, ss.cur)
	onMail := ss.sink.onMail
	ss.sink.mu.Unlock()
	if onMail != nil {
		onMail(ss.cur)
	}
	select {
	case ss.sink.arrived <- struct{}{}:
	default:
	}
	return nil
}

func (ss *sinkSession) Reset()        { ss.cur = Mail{} }
func (ss *sinkSession) Logout() error { return nil }
