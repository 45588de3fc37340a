// Package chat is the live-chat channel: the embeddable widget's public
// HTTP API under /widget/v1/ and its WebSocket, visitors with a persistent
// identity, typing both ways, uploads, offline messages and transcripts.
// docs/knowledge.md ("Live chat") is the protocol; this comment is the
// implementation's summary.
//
// A visitor is one browser on one chat inbox: POST /widget/v1/sessions
// returns a random token (32 bytes, base64url) that the widget keeps in
// localStorage; only its SHA-256 is stored (chat_visitors.token_hash). The
// visitor gets a contact when it first writes: the contact its email
// belongs to (contact.FindOrCreateTx, as email senders are matched), else an
// anonymous contact identified by external id chat:<uid>.
//
// Visitor messages become inbound replies of the visitor's current
// conversation (a new one when there is none or it is closed). Agents
// answer with the normal reply box: Service subscribes to message.created
// and pushes every public reply (kind "reply" — never notes nor events) of
// a conversation to the sockets of that conversation's visitor. The agent
// app's typing reaches the visitor through realtime.Hub.ObserveTyping and
// the visitor's typing reaches the agents as presence frames'
// visitor_typing (Presence.SetVisitorTyping).
//
// One node: sockets live in this process. With several nodes the domain
// events (message.created) reach every node through a shared events.Bus
// (NATS), so replies are delivered wherever the visitor is connected;
// typing would need the same fan-out on a presence subject.
package chat

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/kesherdesk/kesher/internal/attachment"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/mailer"
	"github.com/kesherdesk/kesher/internal/sla/calendar"
)

// Bot is the answer bot as the chat channel sees it (internal/bot
// implements it). Answer records the visitor's reply to the bot's "did this
// solve it?" (interaction interactionID of conversation conversationID);
// Handover is the visitor asking for a person; Pending reports whether the
// offer interactionID still waits for the visitor's answer (else the
// widget gets the bot message without its question). Errors: a
// *errs.ValidationError or errs.ErrNotFound for a bad interaction are shown
// to the visitor as an error frame; other errors are logged.
type Bot interface {
	Answer(ctx context.Context, conversationID, interactionID int64, solved bool) error
	Handover(ctx context.Context, conversationID int64) error
	Pending(ctx context.Context, conversationID, interactionID int64) (bool, error)
}

// Presence is what the channel needs from the agents' realtime hub
// (realtime.Hub implements it): how many agents are online on this node,
// and the visitor's typing shown to agents viewing the conversation.
type Presence interface {
	AgentsOnline() int
	SetVisitorTyping(conversationID int64, on bool)
}

// Calendars resolves a business-hours calendar by name (sla.Service).
type Calendars interface {
	BusinessCalendar(ctx context.Context, name string) (*calendar.Calendar, error)
}

// Services are the channel's dependencies; internal/app builds them.
// Calendars, Mailer and Bot may be nil (and Presence, see SetPresence): without Presence the
// widget counts agents as online, without Calendars it ignores business
// hours, without Mailer transcripts are refused (503), without Bot the
// bot frames are refused.
type Services struct {
	DB            *db.DB
	Conversations *conversation.Service
	Inboxes       *inbox.Service
	Files         *attachment.Store
	Calendars     Calendars
	Mailer        mailer.Sender
	Bot           Bot
}

// Options tune the channel. Zero values take the defaults given per field.
type Options struct {
	// MaxMessageRunes is the longest visitor message (default 5000).
	MaxMessageRunes int
	// MaxFrameBytes is the largest visitor frame; larger closes the socket
	// with 1009 (default 16 KiB).
	MaxFrameBytes int64
	// FrameRate is the sustained visitor frames a second per socket, with
	// bursts of twice as many; faster closes with 1008 (default 5).
	FrameRate float64
	// MessagesPerMinute bounds a visitor's messages over all its sockets;
	// more are answered with an error frame "rate_limited" (default 20).
	MessagesPerMinute int
	// SessionsPerMinute bounds session, offline and transcript requests per
	// client IP (default 30).
	SessionsPerMinute int
	// UploadsPerMinute bounds the uploads of a visitor and of an IP address
	// (default 10 each).
	UploadsPerMinute int
	// MaxUploadBytes is the largest visitor file (default 10 MiB).
	MaxUploadBytes int64
	// TrustProxy takes client IPs for the per-IP limits from
	// X-Forwarded-For (see httpapi.ClientIP). app.Core.Handler also turns it
	// on when the API trusts its proxy (httpapi.Options.TrustProxy), so both
	// see the same client address.
	TrustProxy bool
	// PingInterval is how often the server pings a visitor socket (default
	// 25 s).
	PingInterval time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.MaxMessageRunes <= 0 {
		o.MaxMessageRunes = 5000
	}
	if o.MaxFrameBytes <= 0 {
		o.MaxFrameBytes = 16 << 10
	}
	if o.FrameRate <= 0 {
		o.FrameRate = 5
	}
	if o.MessagesPerMinute <= 0 {
		o.MessagesPerMinute = 20
	}
	if o.SessionsPerMinute <= 0 {
		o.SessionsPerMinute = 30
	}
	if o.UploadsPerMinute <= 0 {
		o.UploadsPerMinute = 10
	}
	if o.MaxUploadBytes <= 0 {
		o.MaxUploadBytes = 10 << 20
	}
	if o.PingInterval <= 0 {
		o.PingInterval = 25 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// actor is who the channel acts as in the audit log.
var actor = audit.Actor{Type: "system", Name: "chat"}

// Service is the live-chat channel of one Kesher process. Build it with
// New, subscribe it to the bus with Subscribe, serve Handler under
// /widget/v1/. It holds no global state.
type Service struct {
	svc Services
	o   Options
	log *slog.Logger
	lim limiters
	// presence is the agents' hub (SetPresence); nil until set.
	presence atomic.Pointer[Presence]
	// trustProxy is Options.TrustProxy or what SetTrustProxy set.
	trustProxy atomic.Bool
	mu         sync.Mutex
	conv       map[int64]map[*vconn]struct{} // conversation id → its visitor's sockets
	vis        map[int64]map[*vconn]struct{} // visitor id → sockets
}

// New returns the channel; nothing is delivered until Subscribe.
func New(svc Services, o Options, log *slog.Logger) *Service {
	o = o.withDefaults()
	s := &Service{svc: svc, o: o, log: log, lim: newLimiters(o),
		conv: map[int64]map[*vconn]struct{}{}, vis: map[int64]map[*vconn]struct{}{}}
	s.trustProxy.Store(o.TrustProxy)
	return s
}

// SetTrustProxy makes the per-IP limits take the client address from
// X-Forwarded-For (on) or the connection only (off), as the API does with
// httpapi.Options.TrustProxy. Call it before serving (the server's options
// are known after the channel is built).
func (s *Service) SetTrustProxy(on bool) { s.trustProxy.Store(on) }

// SetPresence connects the channel to the agents' realtime hub (built
// after the channel: the hub is per server). Call it before serving.
func (s *Service) SetPresence(p Presence) { s.presence.Store(&p) }

// visitorTyping forwards the visitor's typing in conversation id to the
// agents, when a hub is connected.
func (s *Service) visitorTyping(id int64, on bool) {
	if p := s.presence.Load(); p != nil && id != 0 {
		(*p).SetVisitorTyping(id, on)
	}
}

// Visitor is one widget identity on one chat inbox.
type Visitor struct {
	ID             int64
	InboxID        int64
	UID            string // public random id (contact external id chat:<uid>)
	ContactID      int64  // 0 until the visitor first writes or gives an email
	Name           string
	Email          string
	Language       string // "he" or "en"
	ConversationID int64  // the current conversation, 0 for none
}

// SessionInput opens or resumes a visitor session (POST /widget/v1/sessions).
// Inbox is the widget token; VisitorToken the token a previous session
// returned (empty or unknown: a new visitor). Name, Email and Language,
// when given, update the visitor.
type SessionInput struct {
	Inbox        string `json:"inbox"`
	VisitorToken string `json:"visitor_token"`
	Name         string `json:"name"`
	Email        string `json:"email"`
	Language     string `json:"language"`
}

// Session is the answer to SessionInput: the visitor's token (the one
// given, or a new one), its current conversation (0: none yet), whether an
// agent is available now, the widget's look and pre-chat fields, and the
// public messages of the current conversation, oldest first.
type Session struct {
	VisitorToken   string           `json:"visitor_token"`
	ConversationID int64            `json:"conversation_id,omitempty"`
	Online         bool             `json:"online"`
	Prechat        inbox.Prechat    `json:"prechat"`
	Greeting       string           `json:"greeting"`
	Color          string           `json:"color"`
	Name           string           `json:"name"`
	Email          string           `json:"email"`
	Language       string           `json:"language"`
	Messages       []VisitorMessage `json:"messages"`
}

// VisitorMessage is a message as the visitor sees it. AuthorType is
// "contact" (the visitor), "agent", "bot" or "system"; Bot is the bot's
// channel_meta.bot ({interaction_id, articles, question}) on bot messages.
type VisitorMessage struct {
	ID          int64          `json:"id"`
	Direction   string         `json:"direction"`
	AuthorType  string         `json:"author_type"`
	AuthorName  string         `json:"author_name"`
	Text        string         `json:"text"`
	HTML        string         `json:"html"`
	Attachments []VisitorFile  `json:"attachments"`
	CreatedAt   time.Time      `json:"created_at"`
	Bot         map[string]any `json:"bot,omitempty"`
}

// VisitorFile is an attachment as the visitor sees it; URL downloads it
// with the visitor token appended (&token=…).
type VisitorFile struct {
	ID          int64  `json:"id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	URL         string `json:"url"`
}

// errBadToken is an unknown or malformed visitor token.
var errBadToken = fmt.Errorf("%w: unknown visitor token", errs.ErrUnauthenticated)

// hashToken is the stored form of a visitor token: hex SHA-256.
func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// randomHex returns n random bytes as hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// randomString returns n random bytes as unpadded base64url.
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// widgetInbox finds the enabled chat inbox whose widget token is token.
// Errors: errs.ErrNotFound.
func (s *Service) widgetInbox(ctx context.Context, token string) (inbox.Inbox, inbox.Widget, error) {
	if token == "" {
		return inbox.Inbox{}, inbox.Widget{}, errs.Invalid("inbox", "required", "name the widget's inbox token")
	}
	boxes, err := s.svc.Inboxes.List(ctx)
	if err != nil {
		return inbox.Inbox{}, inbox.Widget{}, err
	}
	for _, b := range boxes {
		if b.Channel != inbox.ChannelChat || !b.Enabled {
			continue
		}
		w, ok := inbox.WidgetOf(b.Settings)
		if ok && subtle.ConstantTimeCompare([]byte(w.Token), []byte(token)) == 1 {
			return b, w, nil
		}
	}
	return inbox.Inbox{}, inbox.Widget{}, fmt.Errorf("%w: no chat widget %q", errs.ErrNotFound, token)
}

const visitorCols = `id, inbox_id, uid, COALESCE(contact_id, 0), name, email, language, COALESCE(conversation_id, 0)`

func scanVisitor(r interface{ Scan(...any) error }) (Visitor, error) {
	var v Visitor
	err := r.Scan(&v.ID, &v.InboxID, &v.UID, &v.ContactID, &v.Name, &v.Email, &v.Language, &v.ConversationID)
	return v, err
}

// visitorByToken returns the visitor whose token is token. Errors:
// errBadToken.
func (s *Service) visitorByToken(ctx context.Context, q db.Querier, token string) (Visitor, error) {
	if token == "" || len(token) > 200 {
		return Visitor{}, errBadToken
	}
	v, err := scanVisitor(q.QueryRow(ctx, `SELECT `+visitorCols+` FROM chat_visitors WHERE token_hash = ?`, hashToken(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return Visitor{}, errBadToken
	}
	return v, err
}

func normLanguage(l string) string {
	l = strings.ToLower(strings.TrimSpace(l))
	if strings.HasPrefix(l, "en") {
		return "en"
	}
	return "he"
}

// checkIdentity validates a visitor's name and email; the email comes back
// normalized ("" when none given).
func checkIdentity(c *errs.Checker, name, email string) (string, string) {
	name = strings.TrimSpace(name)
	c.Check(utf8.RuneCountInString(name) <= contact.MaxNameLength, "name", "too_long", "a name is at most %d characters", contact.MaxNameLength)
	email = strings.TrimSpace(email)
	if email != "" {
		e, ok := contact.NormalizeEmail(email)
		c.Check(ok, "email", "invalid", "not an email address")
		email = e
	}
	return name, email
}

// OpenSession creates or resumes a visitor of the widget named in.Inbox
// and returns its session. Errors: *errs.ValidationError (field inbox,
// name, email), errs.ErrNotFound for an unknown widget.
func (s *Service) OpenSession(ctx context.Context, in SessionInput) (Session, Visitor, inbox.Widget, error) {
	box, w, err := s.widgetInbox(ctx, in.Inbox)
	if err != nil {
		return Session{}, Visitor{}, w, err
	}
	var c errs.Checker
	name, email := checkIdentity(&c, in.Name, in.Email)
	if err := c.Err(); err != nil {
		return Session{}, Visitor{}, w, err
	}
	now := db.Ms(s.o.Now())
	token := in.VisitorToken
	var v Visitor
	err = s.svc.DB.WriteTx(ctx, func(tx *db.Tx) error {
		var err error
		v, err = s.visitorByToken(ctx, tx, token)
		if err == nil && v.InboxID != box.ID {
			err = errBadToken // a token is good for its own widget only
		}
		if errors.Is(err, errBadToken) {
			token = randomString(32)
			v = Visitor{InboxID: box.ID, UID: randomHex(8), Language: normLanguage(in.Language)}
			v.ID, err = tx.InsertID(ctx, `INSERT INTO chat_visitors (inbox_id, token_hash, uid, language, created_at, last_seen_at)
				VALUES (?, ?, ?, ?, ?, ?)`, box.ID, hashToken(token), v.UID, v.Language, now, now)
		}
		if err != nil {
			return err
		}
		if in.Language != "" {
			v.Language = normLanguage(in.Language)
		}
		if name != "" {
			v.Name = name
		}
		if email != "" && email != v.Email {
			v.Email = email
			// A visitor who gives an email becomes that email's contact.
			id, err := contact.FindByEmailTx(ctx, tx, email)
			if err != nil {
				return err
			}
			if id != 0 {
				v.ContactID = id
			} else if v.ContactID != 0 {
				v.ContactID = 0 // the anonymous contact stays with the old conversations
			}
		}
		_, err = tx.Exec(ctx, `UPDATE chat_visitors SET name = ?, email = ?, language = ?, contact_id = ?, last_seen_at = ? WHERE id = ?`,
			v.Name, v.Email, v.Language, db.IDArg(v.ContactID), now, v.ID)
		return err
	})
	if err != nil {
		return Session{}, Visitor{}, w, err
	}
	sess := Session{VisitorToken: token, ConversationID: v.ConversationID, Online: s.online(ctx, w), Prechat: w.Prechat,
		Greeting: w.Greeting[v.Language], Color: w.Color, Name: v.Name, Email: v.Email, Language: v.Language, Messages: []VisitorMessage{}}
	if v.ConversationID != 0 {
		if sess.Messages, err = s.history(ctx, v); err != nil {
			return Session{}, Visitor{}, w, err
		}
	}
	return sess, v, w, nil
}

// online reports whether the widget should offer live chat now: an agent
// is online and the inbox's business hours (if any) are open.
func (s *Service) online(ctx context.Context, w inbox.Widget) bool {
	if p := s.presence.Load(); p != nil && (*p).AgentsOnline() == 0 {
		return false
	}
	if w.BusinessHours == "" || s.svc.Calendars == nil {
		return true
	}
	cal, err := s.svc.Calendars.BusinessCalendar(ctx, w.BusinessHours)
	if err != nil {
		s.log.Warn("chat widget business hours", "calendar", w.BusinessHours, "err", err)
		return true
	}
	now := s.o.Now()
	return cal.Between(now, now.Add(time.Minute)) > 0
}

// history returns the public messages of the visitor's current
// conversation (at most the last 200), oldest first.
func (s *Service) history(ctx context.Context, v Visitor) ([]VisitorMessage, error) {
	msgs, err := s.svc.Conversations.ListMessages(ctx, v.ConversationID, 0, 1000)
	if err != nil {
		return nil, err
	}
	out := []VisitorMessage{}
	for _, m := range msgs {
		if m.Kind != conversation.KindReply {
			continue
		}
		vm, err := s.visitorMessage(ctx, v, m)
		if err != nil {
			return nil, err
		}
		out = append(out, vm)
	}
	if len(out) > 200 {
		out = out[len(out)-200:]
	}
	return out, nil
}

// visitorMessage shapes a stored public message for the visitor.
func (s *Service) visitorMessage(ctx context.Context, v Visitor, m conversation.Message) (VisitorMessage, error) {
	vm := VisitorMessage{ID: m.ID, Direction: m.Direction, AuthorType: m.AuthorType, Text: m.BodyText, HTML: m.BodyHTML,
		CreatedAt: m.CreatedAt, Attachments: []VisitorFile{}}
	switch m.AuthorType {
	case "contact":
		vm.AuthorName = v.Name
	case "agent":
		if m.AuthorID != nil {
			err := s.svc.DB.R().QueryRow(ctx, `SELECT name FROM agents WHERE id = ?`, *m.AuthorID).Scan(&vm.AuthorName)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return vm, err
			}
		}
	}
	if b, ok := m.ChannelMeta["bot"].(map[string]any); ok {
		bm, err := s.botMeta(ctx, m.ConversationID, b)
		if err != nil {
			return vm, err
		}
		vm.Bot = bm
	}
	for _, a := range m.Attachments {
		vm.Attachments = append(vm.Attachments, VisitorFile{ID: a.ID, Filename: a.Filename, ContentType: a.ContentType,
			Size: a.Size, URL: fmt.Sprintf("/widget/v1/files/%d", a.ID)})
	}
	return vm, nil
}

// botMeta is a bot message's channel_meta.bot as the widget gets it:
// without "question" (so without the yes/no buttons) once the offer is
// decided — answered with the buttons or in words, or handed over — so a
// reloaded widget does not offer an answer the bot would refuse (409).
func (s *Service) botMeta(ctx context.Context, convID int64, b map[string]any) (map[string]any, error) {
	var id int64
	switch v := b["interaction_id"].(type) {
	case float64: // decoded from the stored JSON
		id = int64(v)
	case int64:
		id = v
	}
	if b["question"] == nil || s.svc.Bot == nil || id == 0 {
		return b, nil
	}
	pending, err := s.svc.Bot.Pending(ctx, convID, id)
	if err != nil || pending {
		return b, err
	}
	out := make(map[string]any, len(b))
	for k, v := range b {
		if k != "question" {
			out[k] = v
		}
	}
	return out, nil
}

// MessageInput is a visitor's message: text (1–MaxMessageRunes runes
// unless files are attached) and up to 10 of the visitor's own uploads.
type MessageInput struct {
	Text          string  `json:"text"`
	AttachmentIDs []int64 `json:"attachment_ids"`
}

// Send stores a visitor message as an inbound reply in the visitor's
// current conversation, opening one (subject: the message's first 80
// characters) when there is none or it is closed, and the visitor's
// contact when it has none. It returns the message and the visitor (with
// its current conversation). Errors: *errs.ValidationError (text,
// attachment_ids[i]); text "invalid" when it is not UTF-8 or holds a NUL.
func (s *Service) Send(ctx context.Context, visitorID int64, in MessageInput) (conversation.Message, Visitor, error) {
	in.Text = strings.TrimSpace(in.Text)
	var c errs.Checker
	c.Check(in.Text != "" || len(in.AttachmentIDs) > 0, "text", "required", "write a message or attach a file")
	c.Check(utf8.RuneCountInString(in.Text) <= s.o.MaxMessageRunes, "text", "too_long", "a message is at most %d characters", s.o.MaxMessageRunes)
	// PostgreSQL text cannot hold NUL (SQLite would store it): refused on both.
	c.Check(utf8.ValidString(in.Text) && !strings.ContainsRune(in.Text, 0), "text", "invalid", "a message must be UTF-8 text without NUL characters")
	c.Check(len(in.AttachmentIDs) <= 10, "attachment_ids", "too_many", "at most 10 files a message")
	if err := c.Err(); err != nil {
		return conversation.Message{}, Visitor{}, err
	}
	var msg conversation.Message
	var v Visitor
	err := s.svc.DB.WriteTx(ctx, func(tx *db.Tx) error {
		var err error
		v, err = scanVisitor(tx.QueryRow(ctx, `SELECT `+visitorCols+` FROM chat_visitors WHERE id = ?`, visitorID))
		if err != nil {
			return err
		}
		for i, id := range in.AttachmentIDs {
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM chat_uploads WHERE attachment_id = ? AND visitor_id = ?`, id, v.ID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return errs.Invalid(fmt.Sprintf("attachment_ids[%d]", i), "not_found", "no upload %d of yours", id)
			}
		}
		if err := s.ensureContactTx(ctx, tx, &v); err != nil {
			return err
		}
		mi := conversation.MessageInput{Direction: conversation.DirectionInbound, Body: in.Text, AttachmentIDs: in.AttachmentIDs,
			ChannelMeta: map[string]any{"chat_visitor": v.UID}}
		open := false
		if v.ConversationID != 0 {
			var status string
			var requester int64
			err := tx.QueryRow(ctx, `SELECT status, requester_id FROM conversations WHERE id = ?`, v.ConversationID).Scan(&status, &requester)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			open = err == nil && status != conversation.StatusClosed && requester == v.ContactID
		}
		if open {
			msg, err = s.svc.Conversations.AddMessageTx(ctx, tx, actor, v.ConversationID, mi)
		} else {
			subject := in.Text
			if subject == "" {
				subject = "Chat"
			}
			if r := []rune(subject); len(r) > 80 {
				subject = string(r[:80]) + "…"
			}
			var conv conversation.Conversation
			conv, msg, err = s.svc.Conversations.CreateTx(ctx, tx, actor, conversation.CreateInput{InboxID: v.InboxID,
				Subject: strings.Join(strings.Fields(subject), " "), Requester: conversation.RequesterInput{ID: v.ContactID},
				Message: &mi, Language: v.Language})
			v.ConversationID = conv.ID
		}
		if err != nil {
			return err
		}
		if len(in.AttachmentIDs) > 0 {
			for _, id := range in.AttachmentIDs {
				if _, err := tx.Exec(ctx, `DELETE FROM chat_uploads WHERE attachment_id = ?`, id); err != nil {
					return err
				}
			}
		}
		_, err = tx.Exec(ctx, `UPDATE chat_visitors SET conversation_id = ?, contact_id = ?, last_seen_at = ? WHERE id = ?`,
			v.ConversationID, v.ContactID, db.Ms(s.o.Now()), v.ID)
		return err
	})
	if err != nil {
		return conversation.Message{}, Visitor{}, err
	}
	s.bind(v.ID, v.ConversationID)
	if len(in.AttachmentIDs) > 0 {
		atts, err := s.svc.Files.ForMessages(ctx, []int64{msg.ID})
		if err != nil {
			return msg, v, err
		}
		msg.Attachments = atts[msg.ID]
	}
	return msg, v, nil
}

// ensureContactTx gives v a contact: the one its email belongs to, a new
// one with that email, or an anonymous one (external id chat:<uid>).
func (s *Service) ensureContactTx(ctx context.Context, tx *db.Tx, v *Visitor) error {
	if v.ContactID != 0 {
		return nil
	}
	var err error
	if v.Email != "" {
		v.ContactID, _, err = contact.FindOrCreateTx(ctx, tx, 0, contact.Input{Name: v.Name, Emails: []string{v.Email},
			Language: v.Language}, "email")
		return err
	}
	name := v.Name
	if name == "" {
		name = "Visitor " + v.UID[:6]
	}
	v.ContactID, err = contact.CreateTx(ctx, tx, contact.Input{Name: name, Language: v.Language, Tier: contact.DefaultTier,
		ExternalIDs: map[string]string{"chat": v.UID}})
	return err
}
