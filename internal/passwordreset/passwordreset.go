// Package passwordreset lets an agent who forgot their password choose a
// new one through a single-use link sent to their email address.
package passwordreset

import (
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/url"
	"strings"

	"github.com/kesherdesk/kesher/internal/agent"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/mailer"
	"github.com/kesherdesk/kesher/internal/patch"
)

// queueSize bounds the requests waiting for Run; more are dropped (the
// endpoint is rate-limited, so a full queue means abuse).
const queueSize = 100

// Service runs password resets.
type Service struct {
	auth    *auth.Service
	agents  *agent.Service
	mail    mailer.Sender // nil when no SMTP server is configured
	baseURL string
	log     *slog.Logger
	queue   chan string
}

// NewService returns the password reset service. Links point at
// baseURL + "/reset-password?token=…"; mail is nil when no SMTP server is
// configured, in which case requests are only logged.
func NewService(a *auth.Service, agents *agent.Service, mail mailer.Sender, baseURL string, log *slog.Logger) *Service {
	return &Service{auth: a, agents: agents, mail: mail, baseURL: strings.TrimRight(baseURL, "/"), log: log,
		queue: make(chan string, queueSize)}
}

// Request asks for a reset link for the agent with this email address. It
// returns at once and tells nothing: the lookup, the token and the mail all
// happen in Run, so neither the answer nor its timing shows which addresses
// belong to agents.
func (s *Service) Request(email string) {
	select {
	case s.queue <- email:
	default:
		s.log.Warn("password reset dropped: too many waiting")
	}
}

// Run handles requests until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case email := <-s.queue:
			if err := s.send(ctx, email); err != nil {
				s.log.Error("password reset email failed", "err", err)
			}
		}
	}
}

// send issues a token for email's agent and mails the link.
func (s *Service) send(ctx context.Context, email string) error {
	if s.mail == nil {
		s.log.Warn("password reset requested, but the email cannot be sent: no SMTP server is configured (--smtp-url)")
		return nil
	}
	secret, who, err := s.auth.IssueReset(ctx, email)
	if errors.Is(err, errs.ErrNotFound) {
		s.log.Info("password reset requested for an address of no active agent")
		return nil
	}
	if err != nil {
		return err
	}
	link := s.baseURL + "/reset-password?token=" + url.QueryEscape(secret)
	if err := s.mail.Send(ctx, compose(who, link)); err != nil {
		return fmt.Errorf("agent %d: %w", who.AgentID, err)
	}
	s.log.Info("password reset email sent", "agent_id", who.AgentID)
	return nil
}

// Confirm sets a new password with the secret from a reset link: the link
// stops working and every session of the agent ends. The password is
// checked first, so a too-short one does not use up the link. Errors:
// *errs.ValidationError on "password" or "token".
func (s *Service) Confirm(ctx context.Context, token, password string) error {
	if !auth.ValidPassword(password) {
		return errs.Invalid("password", "too_short", "password must have %d to 1024 characters", auth.MinPasswordLength)
	}
	id, err := s.auth.RedeemReset(ctx, strings.TrimSpace(token))
	if err != nil {
		return err
	}
	_, err = s.agents.Update(ctx, audit.Actor{Type: "agent", ID: id}, id, agent.Patch{Password: patch.Of(password)})
	return err
}

// compose writes the reset mail in the agent's language.
func compose(who auth.ResetTarget, link string) mailer.Message {
	name := html.EscapeString(who.Name)
	a := `<a href="` + html.EscapeString(link) + `">`
	if who.Locale == "en" {
		return mailer.Message{To: who.Email, Subject: "Reset your Kesher password",
			Text: "Hello " + who.Name + ",\n\n" +
				"Someone asked to reset the password of your Kesher account. To choose a new password, open this link (it works once, for one hour):\n\n" +
				link + "\n\n" +
				"If you did not ask for this, ignore this message: your password stays as it is.\n",
			HTML: `<p>Hello ` + name + `,</p>` +
				`<p>Someone asked to reset the password of your Kesher account. ` + a + `Choose a new password</a> (the link works once, for one hour).</p>` +
				`<p>If you did not ask for this, ignore this message: your password stays as it is.</p>`}
	}
	return mailer.Message{To: who.Email, Subject: "איפוס הסיסמה שלך ב-Kesher",
		Text: "שלום " + who.Name + ",\n\n" +
			"התקבלה בקשה לאפס את הסיסמה של החשבון שלך ב-Kesher. לבחירת סיסמה חדשה יש לפתוח את הקישור (הוא פועל פעם אחת, במשך שעה):\n\n" +
			link + "\n\n" +
			"אם לא ביקשת לאפס את הסיסמה, אפשר להתעלם מההודעה: הסיסמה שלך לא תשתנה.\n",
		HTML: `<div dir="rtl" lang="he"><p>שלום ` + name + `,</p>` +
			`<p>התקבלה בקשה לאפס את הסיסמה של החשבון שלך ב-Kesher. ` + a + `לבחירת סיסמה חדשה</a> (הקישור פועל פעם אחת, במשך שעה).</p>` +
			`<p>אם לא ביקשת לאפס את הסיסמה, אפשר להתעלם מההודעה: הסיסמה שלך לא תשתנה.</p></div>`}
}
