package cli

import (
	"log/slog"
	"net"
	"strings"

	"github.com/kesherdesk/kesher/internal/mailer"
	"github.com/kesherdesk/kesher/internal/secret"
)

// mailOptions turns the serve flags into the secret box for stored
// passwords, the system mail sender (nil without --smtp-url) and the base
// URL of links in mail. Bad flags are usage errors.
func (s *ServeCmd) mailOptions(g *Globals, log *slog.Logger) (*secret.Box, mailer.Sender, string, error) {
	box, err := secret.Load(s.SecretKey, g.DataDir, log)
	if err != nil {
		return nil, nil, "", usagef("--secret-key / KESHER_SECRET_KEY: %v", err)
	}
	base := strings.TrimRight(s.BaseURL, "/")
	if base == "" {
		base = "http://" + s.Addr
		if host, port, err := net.SplitHostPort(s.Addr); err == nil && (host == "" || host == "0.0.0.0" || host == "::") {
			base = "http://" + net.JoinHostPort("localhost", port)
		}
	} else if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		return nil, nil, "", usagef("--base-url / KESHER_BASE_URL must start with http:// or https://")
	}
	if s.SMTPURL == "" {
		log.Info("no SMTP server configured (--smtp-url): password reset mail cannot be sent")
		return box, nil, base, nil
	}
	srv, err := mailer.ParseURL(s.SMTPURL)
	if err != nil {
		return nil, nil, "", usagef("--smtp-url / KESHER_SMTP_URL: %v", err)
	}
	m, err := mailer.NewSMTP(srv, s.SMTPFrom)
	if err != nil {
		return nil, nil, "", usagef("--smtp-from / KESHER_SMTP_FROM: %v", err)
	}
	log.Info("system mail goes through SMTP", "host", srv.Host, "port", srv.Port)
	return box, m, base, nil
}
