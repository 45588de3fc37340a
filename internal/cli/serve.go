package cli

import (
	"context"
	"fmt"
	"net"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/channel/email"
	"github.com/kesherdesk/kesher/internal/demo"
	"github.com/kesherdesk/kesher/internal/httpapi"
	"github.com/kesherdesk/kesher/web"
)

// ServeCmd runs the server.
type ServeCmd struct {
	Addr              string   `env:"KESHER_ADDR" default:"127.0.0.1:8080" help:"Address to listen on (host:port)."`
	Demo              bool     `env:"KESHER_DEMO" help:"Seed a realistic demo desk into an empty store, and print the login."`
	AdminEmail        string   `env:"KESHER_ADMIN_EMAIL" help:"Email of the admin created on first start."`
	AdminPassword     string   `env:"KESHER_ADMIN_PASSWORD" help:"Password of the admin created on first start (generated and printed once if empty)."`
	BootstrapAPIToken string   `name:"bootstrap-api-token" env:"KESHER_BOOTSTRAP_API_TOKEN" help:"Ensure an admin API token with exactly this value (for automation and tests)."`
	SecureCookies     bool     `env:"KESHER_SECURE_COOKIES" help:"Mark session cookies Secure (when served over HTTPS)."`
	TrustedOrigins    []string `name:"trusted-origin" env:"KESHER_TRUSTED_ORIGINS" help:"Extra origins allowed to make cookie-authenticated writes (e.g. a dev server)."`
	TrustProxy        bool     `env:"KESHER_TRUST_PROXY" help:"Behind a reverse proxy: rate-limit sign-ins, the help center and the chat widget by the X-Forwarded-For address the proxy appends."`
	DebugAddr         string   `env:"KESHER_DEBUG_ADDR" help:"Serve Go profiling (net/http/pprof) on this separate address, e.g. 127.0.0.1:6060; off when empty."`

	// Outgoing system mail and stored secrets (see serve_mail.go).
	SMTPURL   string `name:"smtp-url" env:"KESHER_SMTP_URL" help:"SMTP server for system mail such as password reset links: smtp://user:pass@host:port (STARTTLS when offered; ?tls=starttls requires it, ?tls=none never uses it) or smtps://user:pass@host:port (TLS). Off when empty."`
	SMTPFrom  string `name:"smtp-from" env:"KESHER_SMTP_FROM" help:"From address of system mail, e.g. 'Kesher <desk@example.com>'."`
	BaseURL   string `name:"base-url" env:"KESHER_BASE_URL" help:"URL agents open Kesher at, for links in mail (default http://<addr>)."`
	SecretKey string `name:"secret-key" env:"KESHER_SECRET_KEY" help:"Key that encrypts stored mail server passwords (at least 16 characters; prefer the environment variable). Default: a random key kept in <data>/secret.key."`

	// Inbound mail (issue 3).
	SMTPAddr     string `name:"smtp-addr" env:"KESHER_SMTP_ADDR" help:"Receive mail with the built-in SMTP server on this address (e.g. 127.0.0.1:2525): it accepts mail for the addresses of enabled email inboxes (support+anything@ too) and refuses other recipients with 550. Off when empty."`
	SMTPDomain   string `name:"smtp-domain" env:"KESHER_SMTP_DOMAIN" default:"localhost" help:"Host name the SMTP receiver greets with."`
	SMTPLMTP     bool   `name:"lmtp" env:"KESHER_LMTP" help:"Speak LMTP instead of SMTP on --smtp-addr (delivery from a local MTA such as Postfix)."`
	SMTPMaxBytes int64  `name:"smtp-max-bytes" env:"KESHER_SMTP_MAX_BYTES" default:"26214400" help:"Largest mail the SMTP receiver accepts, in bytes."`
	IMAPPoll     bool   `name:"imap-poll" env:"KESHER_IMAP_POLL" default:"true" negatable:"" help:"Fetch mail from the IMAP server of each enabled email inbox whose settings name one (--no-imap-poll turns it off)."`

	WebhookSecret       string `name:"webhook-secret" env:"KESHER_WEBHOOK_SECRET" help:"Signs automation webhooks: header X-Kesher-Signature: sha256=<hex HMAC-SHA256 of the body> (prefer the environment variable). Unsigned when empty."`
	WebhookAllowPrivate bool   `name:"webhook-allow-private" env:"KESHER_WEBHOOK_ALLOW_PRIVATE" help:"Lets automation webhooks reach localhost and loopback, link-local and private (RFC 1918, fc00::/7) addresses, for on-premises receivers. Off by default."`
}

// Run starts Kesher and blocks until SIGINT or SIGTERM.
func (s *ServeCmd) Run(g *Globals) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	log := g.Logger(g.Stderr)
	secrets, mail, baseURL, err := s.mailOptions(g, log)
	if err != nil {
		return err
	}
	core, err := app.NewCore(ctx, app.CoreOptions{Store: g.DBOptions(), Secrets: secrets, Mailer: mail, BaseURL: baseURL,
		WebhookSecret: s.WebhookSecret, WebhookAllowPrivate: s.WebhookAllowPrivate}, log)
	if err != nil {
		return err
	}
	defer core.DB.Close()
	if s.Demo && s.AdminPassword == "" {
		s.AdminPassword = demo.AdminPassword
	}
	if _, err := core.Bootstrap(ctx, app.BootstrapOptions{AdminEmail: s.AdminEmail, AdminPassword: s.AdminPassword,
		APIToken: s.BootstrapAPIToken, Out: g.Stdout}); err != nil {
		return err
	}
	if s.Demo {
		if _, err := demo.Seed(ctx, core, demo.Options{Log: log}); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		// Hand the seed's scratch memory back before serving.
		debug.FreeOSMemory()
	}
	if s.DebugAddr != "" {
		if err := app.ServeDebug(ctx, s.DebugAddr, log); err != nil {
			return err
		}
	}
	return core.Serve(ctx, app.ServerOptions{
		Addr:     s.Addr,
		API:      httpapi.Options{SecureCookies: s.SecureCookies, TrustedOrigins: s.TrustedOrigins, TrustProxy: s.TrustProxy},
		Web:      web.Handler(),
		SMTPAddr: s.SMTPAddr,
		SMTP:     email.SMTPOptions{Domain: s.SMTPDomain, MaxBytes: s.SMTPMaxBytes, LMTP: s.SMTPLMTP},
		IMAP:     s.IMAPPoll,
		Ready: func(addr net.Addr) {
			if !s.Demo {
				fmt.Fprintf(g.Stdout, "Kesher is running at http://%s/\n", addr)
				return
			}
			email := s.AdminEmail
			if email == "" {
				email = app.DefaultAdminEmail
			}
			fmt.Fprintf(g.Stdout, "\nKesher demo desk is running at http://%s/\n  sign in: %s / %s\n", addr, email, s.AdminPassword)
			fmt.Fprintf(g.Stdout, "  help center (with the chat widget): http://%s/help/he  ·  http://%s/help/en\n", addr, addr)
			if s.BootstrapAPIToken != "" {
				fmt.Fprintf(g.Stdout, "  API:     curl -H \"Authorization: Bearer %s\" \"http://%s/api/v1/conversations?status=open\"\n", s.BootstrapAPIToken, addr)
			}
			fmt.Fprintln(g.Stdout, "Press Ctrl+C to stop.")
		},
	})
}
