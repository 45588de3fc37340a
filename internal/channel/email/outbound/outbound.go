// Package outbound sends a conversation's outbound email: agents' replies
// and Kesher's automatic messages (acknowledgements), built as MIME with
// threading headers and submitted by SMTP through the inbox's server.
//
// Flow: conversation.Service stores an outbound reply with delivery_status
// "queued" and publishes message.created. Subscribe's handler, for a
// conversation whose inbox is an email inbox, schedules one durable job
// (kind JobSend, unique key "email.send:<message id>") in a transaction.
// The job runs outside any transaction (jobs.Runner.RegisterOutsideTx): it
// reads the message, builds the mail, submits it, then records the outcome
// in a short transaction — delivery_status "sent" with channel_meta
// "message_id" and an email_message_ids row, or "failed" with
// channel_meta "delivery_error" — and publishes message.updated so the web
// app shows the new status. Temporary failures (SMTP 4xx, network, TLS)
// are retried with the runner's exponential backoff until the job's last
// attempt; SMTP 5xx replies and unusable addresses fail at once.
//
// Headers: From is "<agent name> via <inbox name> <inbox address>" for an
// agent's reply and "<inbox name> <inbox address>" for the system's
// (automation, acknowledgements); Reply-To is the inbox address; To the
// requester; Cc the conversation's ccs (not on automatic mail); Subject
// "Re: <subject> [#<number>]" (or the acknowledgement's own subject with
// the tag); In-Reply-To the last customer mail of the conversation (else
// the last mail Kesher sent in it) and References that mail's references
// followed by it (at most 20, the first kept); Auto-Submitted:
// auto-replied and X-Auto-Response-Suppress: All on automatic mail only
// (channel_meta "automatic": true); Content-Language: he when the subject
// or text is Hebrew. The body is multipart/alternative: the text and the
// HTML (body_html, or the text escaped into paragraphs), then the
// message's attachments. go-mail encodes Hebrew subjects, display names
// and file names as RFC 2047 words.
//
// The Message-ID of every mail is
// <kesher.{conversation id}.{message id}.{random}@{inbox domain}>; it is
// chosen when the job is scheduled, so a repeat delivery (the job runs at
// least once) carries the same Message-ID and the receiver can drop it.
package outbound

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/attachment"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/jobs"
)

// JobSend is the job kind that sends one outbound message.
const JobSend = "email.send"

// DefaultMaxAttempts is the number of delivery attempts of a message
// before it is marked failed (with the runner's default backoff of 1 s
// doubling, the last attempt comes about 8.5 minutes after the first;
// Options.MaxAttempts changes it).
const DefaultMaxAttempts = 10

// Delivery statuses of outbound messages (messages.delivery_status).
const (
	StatusQueued = "queued"
	StatusSent   = "sent"
	StatusFailed = "failed"
)

// Options configure a Service. Zero values take the defaults named.
type Options struct {
	// MaxAttempts bounds delivery attempts per message (default
	// DefaultMaxAttempts).
	MaxAttempts int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Service sends outbound email. Create it with New, register its job with
// RegisterJobs and its event handlers with Subscribe.
type Service struct {
	db            *db.DB
	outbox        *events.Outbox
	conversations *conversation.Service
	inboxes       *inbox.Service
	files         *attachment.Store
	jobs          *jobs.Runner
	log           *slog.Logger
	o             Options
}

// New returns an outbound email service that schedules its jobs on
// runner.
func New(d *db.DB, outbox *events.Outbox, conversations *conversation.Service, inboxes *inbox.Service,
	files *attachment.Store, runner *jobs.Runner, log *slog.Logger, o Options) *Service {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: d, outbox: outbox, conversations: conversations, inboxes: inboxes, files: files,
		jobs: runner, log: log, o: o}
}

// RegisterJobs registers the JobSend handler on r (outside transactions:
// SMTP must not hold the database writer).
func (s *Service) RegisterJobs(r *jobs.Runner) { r.RegisterOutsideTx(JobSend, s.runSend) }

// Subscribe registers the handlers of message.created (schedule the
// delivery of outbound email replies) and conversation.created (the
// acknowledgement auto-reply) on bus and returns a func that removes them.
func (s *Service) Subscribe(bus events.Bus) (unsubscribe func()) {
	u1 := bus.Subscribe(events.MessageCreated, s.onMessageCreated)
	u2 := bus.Subscribe(events.ConversationCreated, s.onConversationCreated)
	return func() { u1(); u2() }
}

// sendPayload is a JobSend job's payload. MailID is the Message-ID chosen
// at scheduling (without angle brackets).
type sendPayload struct {
	MessageID int64  `json:"message_id"`
	MailID    string `json:"mail_id"`
}

func (s *Service) onMessageCreated(ctx context.Context, e events.Event) error {
	p, err := conversation.DecodeMessageCreated(e)
	if err != nil {
		return fmt.Errorf("outbound: %w", err)
	}
	if p.Kind != conversation.KindReply || p.Direction != conversation.DirectionOutbound {
		return nil
	}
	// A read first: most desks' outbound replies on other channels need no
	// write transaction (on SQLite it would hold the single writer).
	var channel, status string
	err = s.db.R().QueryRow(ctx, `SELECT i.channel, m.delivery_status FROM messages m JOIN conversations c ON c.id = m.conversation_id
		JOIN inboxes i ON i.id = c.inbox_id WHERE m.id = ?`, p.MessageID).Scan(&channel, &status)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (channel != inbox.ChannelEmail || status != StatusQueued)) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("outbound: message %d: %w", p.MessageID, err)
	}
	return s.db.WriteTx(ctx, func(tx *db.Tx) error {
		_, err := s.ScheduleTx(ctx, tx, p.MessageID)
		return err
	})
}

// ScheduleTx schedules the delivery of message id in tx when it is a
// queued outbound reply of a conversation in an email inbox, and reports
// whether a job now exists for it (a second call finds the first job).
// Errors: a database error.
func (s *Service) ScheduleTx(ctx context.Context, tx *db.Tx, id int64) (bool, error) {
	var convID int64
	var kind, direction, status, channel, address string
	err := tx.QueryRow(ctx, `SELECT m.conversation_id, m.kind, m.direction, m.delivery_status, i.channel, i.address
		FROM messages m JOIN conversations c ON c.id = m.conversation_id JOIN inboxes i ON i.id = c.inbox_id
		WHERE m.id = ?`, id).Scan(&convID, &kind, &direction, &status, &channel, &address)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("outbound: message %d: %w", id, err)
	}
	if kind != conversation.KindReply || direction != conversation.DirectionOutbound || status != StatusQueued ||
		channel != inbox.ChannelEmail {
		return false, nil
	}
	_, _, err = s.jobs.Schedule(ctx, tx, jobs.Job{Kind: JobSend, UniqueKey: JobSend + ":" + strconv.FormatInt(id, 10),
		MaxAttempts: s.o.MaxAttempts, Payload: sendPayload{MessageID: id, MailID: NewMessageID(convID, id, address)}})
	if err != nil {
		return false, fmt.Errorf("outbound: schedule message %d: %w", id, err)
	}
	return true, nil
}

// NewMessageID returns a fresh Message-ID (without angle brackets) for
// message msgID of conversation convID sent from an inbox whose address is
// inboxAddress: kesher.{convID}.{msgID}.{16 hex random}@{domain}, the
// domain being the address's ("kesher.invalid" when it has none).
func NewMessageID(convID, msgID int64, inboxAddress string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	domain := "kesher.invalid"
	if at := strings.LastIndexByte(inboxAddress, '@'); at >= 0 && at < len(inboxAddress)-1 {
		domain = strings.ToLower(strings.Trim(inboxAddress[at+1:], "<> "))
	}
	return fmt.Sprintf("kesher.%d.%d.%s@%s", convID, msgID, hex.EncodeToString(b[:]), domain)
}
