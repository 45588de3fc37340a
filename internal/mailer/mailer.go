// Package mailer sends Kesher's own mail (password reset links and other
// system notices) through an SMTP server, and checks that an SMTP server
// accepts a set of credentials. MIME building, STARTTLS, implicit TLS and
// SMTP AUTH come from github.com/wneessen/go-mail.
package mailer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"
)

// TLS modes of an SMTP (or IMAP) server connection.
const (
	// TLSOpportunistic upgrades with STARTTLS when the server offers it and
	// goes on in plain text otherwise (smtp:// URLs).
	TLSOpportunistic = ""
	// TLSNone never encrypts.
	TLSNone = "none"
	// TLSStartTLS requires STARTTLS and fails when the server lacks it.
	TLSStartTLS = "starttls"
	// TLSImplicit speaks TLS from the first byte (smtps://, port 465).
	TLSImplicit = "tls"
)

// TLSModes lists the modes an inbox setting may name.
var TLSModes = []string{TLSNone, TLSStartTLS, TLSImplicit}

// CheckTimeout bounds a connection check: dialing, TLS, authentication.
const CheckTimeout = 10 * time.Second

// sendTimeout bounds one delivery.
const sendTimeout = 30 * time.Second

// Server says how to reach and log in to an SMTP server.
type Server struct {
	Host     string
	Port     int
	TLS      string // one of the TLS* modes
	Username string // empty: no SMTP AUTH
	Password string
	// RootCAs verifies the server certificate; nil means the system roots.
	RootCAs *x509.CertPool
}

// ParseURL reads an SMTP URL: smtp://user:pass@host:port (STARTTLS when
// offered, port 587 by default) or smtps://user:pass@host:port (implicit
// TLS, port 465 by default). The query parameter tls=none|starttls|tls
// overrides the mode. User and password are URL-encoded.
func ParseURL(raw string) (Server, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Server{}, errors.New("mailer: the SMTP URL does not parse")
	}
	var s Server
	switch u.Scheme {
	case "smtp":
		s.TLS, s.Port = TLSOpportunistic, 587
	case "smtps":
		s.TLS, s.Port = TLSImplicit, 465
	default:
		return Server{}, fmt.Errorf("mailer: the SMTP URL must start with smtp:// or smtps:// (got %q)", u.Scheme)
	}
	s.Host = u.Hostname()
	if s.Host == "" {
		return Server{}, errors.New("mailer: the SMTP URL names no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return Server{}, fmt.Errorf("mailer: bad SMTP port %q", p)
		}
		s.Port = n
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	for k, v := range u.Query() {
		if k != "tls" || len(v) != 1 || !oneOf(v[0], TLSModes) {
			return Server{}, errors.New("mailer: the only SMTP URL option is tls=none|starttls|tls")
		}
		s.TLS = v[0]
	}
	return s, nil
}

func oneOf(s string, xs []string) bool {
	for _, x := range xs {
		if s == x {
			return true
		}
	}
	return false
}

// client builds a go-mail client for s with a connection timeout.
func (s Server) client(timeout time.Duration) (*mail.Client, error) {
	opts := []mail.Option{
		mail.WithPort(s.Port),
		mail.WithTimeout(timeout),
		mail.WithTLSConfig(&tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12, RootCAs: s.RootCAs}),
	}
	switch s.TLS {
	case TLSNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case TLSStartTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case TLSImplicit:
		opts = append(opts, mail.WithSSL())
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	}
	if s.Username != "" {
		// Challenge-response mechanisms first; PLAIN and LOGIN only where
		// go-mail allows them: over TLS or to localhost.
		opts = append(opts, mail.WithUsername(s.Username), mail.WithPassword(s.Password),
			mail.WithOpportunisticSMTPAuth(mail.SMTPAuthSCRAMSHA256, mail.SMTPAuthSCRAMSHA1, mail.SMTPAuthCramMD5,
				mail.SMTPAuthPlain, mail.SMTPAuthLogin))
	}
	return mail.NewClient(s.Host, opts...)
}

// Check connects to the server, does TLS as configured, authenticates when
// a username is set, and quits, all within CheckTimeout. The error, if any,
// is meant for the admin who typed the settings.
func Check(ctx context.Context, s Server) error {
	c, err := s.client(CheckTimeout)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, CheckTimeout)
	defer cancel()
	sc, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return err
	}
	return c.CloseWithSMTPClient(sc)
}

// Message is one mail to one recipient. HTML, when set, is sent as an
// alternative to Text.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SMTP delivers through one SMTP server, one connection per message (system
// mail is rare).
type SMTP struct {
	server Server
	from   string
}

// NewSMTP returns a Sender that submits to server with the given From
// address ("Kesher <desk@example.com>").
func NewSMTP(server Server, from string) (*SMTP, error) {
	if strings.TrimSpace(from) == "" {
		return nil, errors.New("mailer: a From address is needed (--smtp-from / KESHER_SMTP_FROM)")
	}
	if err := mail.NewMsg().From(from); err != nil {
		return nil, fmt.Errorf("mailer: bad From address %q: %w", from, err)
	}
	return &SMTP{server: server, from: from}, nil
}

// Send delivers m.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg := mail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return fmt.Errorf("mailer: from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("mailer: to: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	// RFC 3834: an automatic message; auto-responders should stay quiet.
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	c, err := s.server.client(sendTimeout)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("mailer: send to %s:%d: %w", s.server.Host, s.server.Port, err)
	}
	return nil
}

// Deliver submits the prepared message m to server s in one connection,
// within the send timeout (30 s) or ctx. Errors from the server are
// *mail.SendError values: use errors.As and its ErrorCode (4xx temporary,
// 5xx permanent) or IsTemp; dial and TLS errors are returned as they come.
func Deliver(ctx context.Context, s Server, m *mail.Msg) error {
	c, err := s.client(sendTimeout)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	return c.DialAndSendWithContext(ctx, m)
}
