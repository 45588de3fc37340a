package inbox

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
	"sync"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/mailer"
)

// An email inbox's settings may hold its mail servers:
//
//	"smtp": {"host", "port", "tls": "none"|"starttls"|"tls", "username", "password"}
//	"imap": {"host", "port", "tls", "username", "password", "folder", "processed"}
//
// "security" is accepted as another name of "tls". tls defaults to
// "starttls" for SMTP and "tls" for IMAP; port defaults to the usual one
// for the mode (SMTP 587, 465 with tls, 25 with none; IMAP
// 993, 143 without tls). Passwords are sealed with the service's secret box
// before they are stored and are never returned.
const (
	settingsSMTP = "smtp"
	settingsIMAP = "imap"
)

// mailSections lists the settings objects that hold a server password.
var mailSections = []string{settingsSMTP, settingsIMAP}

func checkMailServers(c *errs.Checker, settings map[string]any) {
	for _, sec := range mailSections {
		v, ok := settings[sec]
		if !ok || v == nil {
			continue
		}
		field := "settings." + sec
		m, ok := v.(map[string]any)
		if !ok {
			c.Add(field, "wrong_type", "%s must be an object", sec)
			continue
		}
		host, _ := m["host"].(string)
		c.Check(host != "" && len(host) <= 253, field+".host", "required", "the %s server's host name is required", sec)
		if p, ok := m["port"]; ok && p != nil {
			f, isNum := p.(float64)
			c.Check(isNum && f == math.Trunc(f) && f >= 1 && f <= 65535, field+".port", "invalid", "port must be a whole number from 1 to 65535")
		}
		for _, k := range []string{"tls", "security"} {
			if t, ok := m[k]; ok && t != nil {
				ts, _ := t.(string)
				c.OneOf(field+"."+k, ts, mailer.TLSModes...)
			}
		}
		for _, k := range []string{"username", "password", "folder", "processed"} {
			if x, ok := m[k]; ok && x != nil {
				s, isStr := x.(string)
				c.Check(isStr && len(s) <= 1024, field+"."+k, "wrong_type", "%s must be a string", k)
			}
		}
		// What the IMAP poller does with a fetched mail: mark it seen (the
		// default), flag it, move it to a folder, or leave it as it is.
		if p, ok := m["processed"].(string); ok && p != "" {
			folder, isMove := strings.CutPrefix(p, "move:")
			c.Check(p == "seen" || p == "flag" || p == "none" || isMove && strings.TrimSpace(folder) != "", field+".processed", "invalid",
				`must be "seen", "flag", "none" or "move:<folder>"`)
		}
	}
}

// sealPasswords encrypts the plaintext passwords in settings, in place. A
// section without a "password" key keeps old's sealed one; "" or null
// removes it. The output-only "password_set" is dropped.
func (s *Service) sealPasswords(settings, old map[string]any) {
	for _, sec := range mailSections {
		m, ok := settings[sec].(map[string]any)
		if !ok {
			continue
		}
		delete(m, "password_set")
		pw, given := m["password"]
		switch p, _ := pw.(string); {
		case !given:
			if om, ok := old[sec].(map[string]any); ok {
				if sealed, ok := om["password"].(string); ok && sealed != "" {
					m["password"] = sealed
				}
			}
		case p == "":
			delete(m, "password")
		default:
			m["password"] = s.secrets.Seal(p)
		}
	}
}

// redact replaces each mail server password by "password_set", in place.
func redact(settings map[string]any) {
	for _, sec := range mailSections {
		if m, ok := settings[sec].(map[string]any); ok {
			pw, _ := m["password"].(string)
			delete(m, "password")
			m["password_set"] = pw != ""
		}
	}
}

// ServerCheck is the outcome of connecting to one mail server. Error is a
// human-readable reason when OK is false.
type ServerCheck struct {
	OK    bool   `json:"ok"`
	Error string `json:"error"`
}

// ConnectionReport is the outcome of TestConnection; a server the settings
// do not name is nil.
type ConnectionReport struct {
	SMTP *ServerCheck `json:"smtp"`
	IMAP *ServerCheck `json:"imap"`
}

// mailServer is one section of the settings, password decrypted.
type mailServer struct {
	host, tls, username, password, folder string
	port                                  int
}

// TestConnection connects to the SMTP and IMAP servers of email inbox id at
// once, each within mailer.CheckTimeout: TCP, TLS as configured, then
// SMTP AUTH or IMAP LOGIN (and SELECT of the folder when one is set).
// Errors: errs.ErrNotFound, *errs.ValidationError when the inbox is not an
// email inbox or names no server; a failing server is not an error but a
// report with OK false.
func (s *Service) TestConnection(ctx context.Context, id int64) (ConnectionReport, error) {
	b, err := s.getRaw(ctx, s.db.R(), id)
	if err != nil {
		return ConnectionReport{}, err
	}
	if b.Channel != ChannelEmail {
		return ConnectionReport{}, errs.Invalid("channel", "unsupported", "only email inboxes have mail servers to test")
	}
	servers := map[string]mailServer{}
	for _, sec := range mailSections {
		m, ok := b.Settings[sec].(map[string]any)
		if !ok {
			continue
		}
		srv, err := s.mailServer(sec, m)
		if err != nil {
			return ConnectionReport{}, err
		}
		servers[sec] = srv
	}
	if len(servers) == 0 {
		return ConnectionReport{}, errs.Invalid("settings", "required", "the inbox settings name no smtp or imap server")
	}
	var rep ConnectionReport
	var wg sync.WaitGroup
	run := func(dst **ServerCheck, check func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := &ServerCheck{OK: true}
			if err := check(); err != nil {
				res = &ServerCheck{Error: err.Error()}
			}
			*dst = res
		}()
	}
	if srv, ok := servers[settingsSMTP]; ok {
		run(&rep.SMTP, func() error {
			return mailer.Check(ctx, mailer.Server{Host: srv.host, Port: srv.port, TLS: srv.tls, Username: srv.username, Password: srv.password})
		})
	}
	if srv, ok := servers[settingsIMAP]; ok {
		run(&rep.IMAP, func() error { return checkIMAP(ctx, srv) })
	}
	wg.Wait()
	return rep, nil
}

func (s *Service) mailServer(sec string, m map[string]any) (mailServer, error) {
	str := func(k string) string { v, _ := m[k].(string); return v }
	srv := mailServer{host: str("host"), tls: str("tls"), username: str("username"), folder: str("folder")}
	if f, ok := m["port"].(float64); ok {
		srv.port = int(f)
	}
	if sealed := str("password"); sealed != "" {
		pw, err := s.secrets.Open(sealed)
		if err != nil {
			return mailServer{}, errs.Invalid("settings."+sec+".password", "undecryptable",
				"the stored password cannot be decrypted (the secret key changed?); enter it again")
		}
		srv.password = pw
	}
	if srv.tls == "" {
		srv.tls = str("security") // the name for the same setting
	}
	if srv.tls == "" {
		srv.tls = map[string]string{settingsSMTP: mailer.TLSStartTLS, settingsIMAP: mailer.TLSImplicit}[sec]
	}
	if srv.port == 0 {
		srv.port = defaultPort(sec, srv.tls)
	}
	return srv, nil
}

func defaultPort(sec, mode string) int {
	switch {
	case sec == settingsSMTP && mode == mailer.TLSImplicit:
		return 465
	case sec == settingsSMTP && mode == mailer.TLSNone:
		return 25
	case sec == settingsSMTP:
		return 587
	case mode == mailer.TLSImplicit:
		return 993
	}
	return 143
}

// checkIMAP dials srv, does TLS as configured, logs in and opens the
// folder read-only, all before the deadline.
func checkIMAP(ctx context.Context, srv mailServer) error {
	ctx, cancel := context.WithTimeout(ctx, mailer.CheckTimeout)
	defer cancel()
	addr := net.JoinHostPort(srv.host, strconv.Itoa(srv.port))
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", addr, err)
	}
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline) // every read and write below ends by then
	tlsConfig := &tls.Config{ServerName: srv.host, MinVersion: tls.VersionTLS12}
	var c *imapclient.Client
	switch srv.tls {
	case mailer.TLSImplicit:
		tc := tls.Client(conn, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return fmt.Errorf("TLS with %s: %w", addr, err)
		}
		c = imapclient.New(tc, nil)
	case mailer.TLSStartTLS:
		if c, err = imapclient.NewStartTLS(conn, &imapclient.Options{TLSConfig: tlsConfig}); err != nil {
			return fmt.Errorf("STARTTLS with %s: %w", addr, err)
		}
	default:
		c = imapclient.New(conn, nil)
	}
	defer c.Close()
	if err := c.WaitGreeting(); err != nil {
		return fmt.Errorf("greeting from %s: %w", addr, err)
	}
	if err := c.Login(srv.username, srv.password).Wait(); err != nil {
		var ie *imap.Error
		if errors.As(err, &ie) && ie.Text != "" {
			return fmt.Errorf("login as %q refused: %s", srv.username, ie.Text)
		}
		return fmt.Errorf("login as %q: %w", srv.username, err)
	}
	if srv.folder != "" {
		if _, err := c.Select(srv.folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
			return fmt.Errorf("open folder %q: %w", srv.folder, err)
		}
	}
	return c.Logout().Wait()
}

// SMTPServer returns the outgoing mail server of email inbox id with its
// password decrypted, and the inbox (settings redacted), read through q.
// Errors: errs.ErrNotFound; *errs.ValidationError when the inbox is not an
// email inbox, names no SMTP server, or its password cannot be decrypted.
func (s *Service) SMTPServer(ctx context.Context, q db.Querier, id int64) (mailer.Server, Inbox, error) {
	b, err := s.getRaw(ctx, q, id)
	if err != nil {
		return mailer.Server{}, Inbox{}, err
	}
	m, ok := b.Settings[settingsSMTP].(map[string]any)
	if b.Channel != ChannelEmail || !ok {
		redact(b.Settings)
		return mailer.Server{}, b, errs.Invalid("settings.smtp", "required", "inbox %d has no SMTP server", id)
	}
	srv, err := s.mailServer(settingsSMTP, m)
	redact(b.Settings)
	if err != nil {
		return mailer.Server{}, b, err
	}
	return mailer.Server{Host: srv.host, Port: srv.port, TLS: srv.tls, Username: srv.username, Password: srv.password}, b, nil
}
