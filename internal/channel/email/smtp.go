package email

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/inbox"
)

// SMTPOptions configure the built-in receiver. MaxBytes bounds a message
// (default 25 MiB); Timeout bounds each read and write on a connection
// (default 2 minutes); LMTP speaks LMTP (RFC 2033) instead of SMTP, for
// delivery from a local MTA such as Postfix.
type SMTPOptions struct {
	Domain   string
	MaxBytes int64
	Timeout  time.Duration
	LMTP     bool
}

// NewSMTPServer returns a go-smtp server that accepts mail for the
// addresses of enabled email inboxes (plus-addressing included:
// support+x@ reaches support@), refuses other recipients with 550 5.1.1,
// and ingests each accepted message into every inbox it was addressed to.
// Serve it with Serve(listener); stop it with Shutdown or Close.
func (s *Service) NewSMTPServer(opts SMTPOptions) *smtp.Server {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 25 << 20
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 2 * time.Minute
	}
	if opts.Domain == "" {
		opts.Domain = "localhost"
	}
	srv := smtp.NewServer(&backend{s: s})
	srv.Domain = opts.Domain
	srv.MaxMessageBytes = opts.MaxBytes
	srv.MaxRecipients = 50
	srv.ReadTimeout, srv.WriteTimeout = opts.Timeout, opts.Timeout
	srv.LMTP = opts.LMTP
	return srv
}

// ServeSMTP runs the receiver on ln until ctx ends.
func (s *Service) ServeSMTP(ctx context.Context, ln net.Listener, opts SMTPOptions) error {
	srv := s.NewSMTPServer(opts)
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = srv.Shutdown(sctx)
		case <-done:
		}
	}()
	err := srv.Serve(ln)
	close(done)
	if errors.Is(err, smtp.ErrServerClosed) || ctx.Err() != nil {
		return nil
	}
	return err
}

type backend struct{ s *Service }

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s}, nil
}

type session struct {
	s     *Service
	boxes []int64
}

func (ss *session) Mail(string, *smtp.MailOptions) error { return nil }

var errNoMailbox = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox here"}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	box, err := ss.s.inboxFor(context.Background(), to)
	if err != nil {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure, try again"}
	}
	if box == 0 {
		return errNoMailbox
	}
	for _, id := range ss.boxes {
		if id == box {
			return nil
		}
	}
	ss.boxes = append(ss.boxes, box)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, box := range ss.boxes {
		res, err := ss.s.Ingest(ctx, box, raw, SourceSMTP)
		var verr *errs.ValidationError
		if errors.As(err, &verr) {
			return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Message refused"}
		}
		if err != nil {
			ss.s.log.Error("email: smtp ingest", "inbox_id", box, "error", err)
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure, try again"}
		}
		ss.s.log.Info("email: received by smtp", "inbox_id", box, "raw_id", res.RawID, "status", res.Status,
			"conversation_id", res.ConversationID)
	}
	return nil
}

func (ss *session) Reset()        { ss.boxes = nil }
func (ss *session) Logout() error { return nil }

// inboxFor returns the enabled email inbox that address reaches (0: none).
func (s *Service) inboxFor(ctx context.Context, address string) (int64, error) {
	boxes, err := s.inboxes.List(ctx)
	if err != nil {
		return 0, err
	}
	var plus int64
	for _, b := range boxes {
		if b.Channel != inbox.ChannelEmail || !b.Enabled || !AddressMatches(b.Address, address) {
			continue
		}
		if strings.EqualFold(strings.TrimSpace(b.Address), strings.Trim(strings.TrimSpace(address), "<>")) {
			return b.ID, nil // an exact address wins over a plus-address match
		}
		if plus == 0 {
			plus = b.ID
		}
	}
	return plus, nil
}
