// Package email is the inbound email channel: every received mail is
// stored raw (content-addressed) before it is parsed, then deduplicated,
// threaded into a conversation (In-Reply-To/References, the "[#N]" subject
// tag, then same sender and subject), and added with its attachments and
// inline images. Auto-replies and bulk mail never change a conversation's
// status; bounces mark the returned outbound message failed. Receivers: a
// built-in SMTP/LMTP server (smtp.go), an IMAP poller (imap.go) and the
// file importer (import.go).
package email

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kesherdesk/kesher/internal/attachment"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/channel/email/parse"
	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/patch"
)

// Sources of a raw mail.
const (
	SourceIMAP   = "imap"
	SourceSMTP   = "smtp"
	SourceImport = "import"
	SourceAPI    = "api"
)

// Statuses of a raw mail (inbound_mails.status).
const (
	StatusReceived  = "received"  // stored, not processed yet (a crash in between: ingesting it again resumes)
	StatusParsed    = "parsed"    // added to a conversation
	StatusFailed    = "failed"    // could not be read; kept and shown to agents as unparseable
	StatusDuplicate = "duplicate" // the same bytes or Message-ID were ingested before
	StatusIgnored   = "ignored"   // kept but not shown (a bounce for unknown mail, an auto-reply to a closed conversation)
)

// DefaultSubjectWindow is how long after its last activity a conversation
// still takes a mail from its requester by subject alone.
const DefaultSubjectWindow = 7 * 24 * time.Hour

// MaxRawBytes is the largest mail accepted (bytes).
const MaxRawBytes = 50 << 20

// Result is the outcome of Ingest. RawID is the inbound_mails row;
// ConversationID and MessageID are the conversation and message row the
// mail landed in (0 when none); Created tells a new conversation was
// started (also a follow-up of a closed one).
type Result struct {
	RawID          int64  `json:"raw_id"`
	Status         string `json:"status"`
	ConversationID int64  `json:"conversation_id"`
	MessageID      int64  `json:"message_id"`
	Created        bool   `json:"created"`
	Error          string `json:"error,omitempty"`
}

// Service ingests inbound mail.
type Service struct {
	db      *db.DB
	convs   *conversation.Service
	inboxes *inbox.Service
	files   *attachment.Store
	log     *slog.Logger

	// Now is the clock (UTC); tests may replace it.
	Now func() time.Time
	// Parse parses a raw mail (parse.Parse; tests may replace it).
	Parse func(raw []byte) (*parse.Message, error)
	// SubjectWindow bounds subject threading (DefaultSubjectWindow).
	SubjectWindow time.Duration
}

// NewService returns the inbound email service.
func NewService(d *db.DB, convs *conversation.Service, inboxes *inbox.Service, files *attachment.Store, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: d, convs: convs, inboxes: inboxes, files: files, log: log,
		Now:   func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) },
		Parse: parse.Parse, SubjectWindow: DefaultSubjectWindow}
}

// actor is who inbound mail processing acts as in the audit log.
var actor = audit.Actor{Type: "system", Name: "email"}

// Ingest stores raw mail for email inbox inboxID, then parses it and adds it
// to a conversation. The raw bytes are committed first in their own
// transaction, so whatever happens next the mail is kept. A mail that
// cannot be parsed or added is kept with status "failed" and shown to
// agents as an unparseable message (Result.Status "failed", nil error).
// The same bytes, or the same Message-ID, in the same inbox give status
// "duplicate" and add nothing. Errors: *errs.ValidationError (unknown or
// disabled inbox, not an email inbox, bad source, empty or too large mail)
// and database errors (the raw mail, if stored, stays "received" and
// ingesting it again resumes).
func (s *Service) Ingest(ctx context.Context, inboxID int64, raw []byte, source string) (Result, error) {
	return s.complete(ctx, s.receive(ctx, inboxID, raw, source))
}

// received is a mail after the first half of Ingest (receive): checked,
// stored raw, parsed, its attachments saved and its message prepared. The
// second half (complete) adds it to a conversation in one write
// transaction. The halves of consecutive mails may overlap (Sequence);
// only complete must run in the mails' order.
type received struct {
	box    inbox.Inbox
	raw    []byte
	source string
	res    Result
	// final is true when receive already has the outcome (res, err): a
	// refused mail, a database error, or the same bytes stored before.
	final bool
	err   error
	// reason, when not empty, makes the mail unparseable with this reason.
	reason string
	m      *parse.Message
	// dup is true when the Message-ID was already known to receive.
	dup bool
	// from, ccs, cids and in are the prepared message (prepareMail).
	from string
	ccs  []string
	atts []int64
	cids map[int64]string
	in   conversation.MessageInput
}

// receive is the first half of Ingest: everything that may run ahead of the
// previous mail's transaction.
func (s *Service) receive(ctx context.Context, inboxID int64, raw []byte, source string) *received {
	return s.prepare(ctx, s.store(ctx, inboxID, raw, source))
}

// store checks a mail and stores it raw (the first step of receive).
func (s *Service) store(ctx context.Context, inboxID int64, raw []byte, source string) *received {
	box, err := s.emailInbox(ctx, inboxID)
	return s.storeIn(ctx, box, err, raw, source)
}

// emailInbox returns inbox id if it is an enabled email inbox. Errors:
// *errs.ValidationError naming inbox_id.
func (s *Service) emailInbox(ctx context.Context, id int64) (inbox.Inbox, error) {
	box, err := s.inboxes.Get(ctx, id)
	switch {
	case err != nil:
		err = errs.Invalid("inbox_id", "not_found", "no inbox %d", id)
	case box.Channel != inbox.ChannelEmail:
		err = errs.Invalid("inbox_id", "not_email", "inbox %d is not an email inbox", id)
	case !box.Enabled:
		err = errs.Invalid("inbox_id", "disabled", "inbox %d is disabled", id)
	}
	return box, err
}

// storeIn is store with the inbox already looked up (boxErr: why it cannot
// take mail).
func (s *Service) storeIn(ctx context.Context, box inbox.Inbox, boxErr error, raw []byte, source string) *received {
	r := &received{raw: raw, source: source}
	var c errs.Checker
	c.OneOf("source", source, SourceIMAP, SourceSMTP, SourceImport, SourceAPI)
	c.Check(len(raw) > 0, "raw", "required", "the mail is empty")
	c.Check(len(raw) <= MaxRawBytes, "raw", "too_large", "mail may be at most %d bytes", MaxRawBytes)
	if err := c.Err(); err != nil {
		r.final, r.err = true, err
		return r
	}
	if boxErr != nil {
		r.final, r.err = true, boxErr
		return r
	}
	r.box = box
	res, resume, err := s.storeRaw(ctx, box.ID, raw, source)
	r.res = res
	if err != nil || !resume {
		r.final, r.err = true, err
	}
	return r
}

// prepare parses a stored mail and prepares its message (the second step
// of receive); it runs only once the raw bytes are committed.
func (s *Service) prepare(ctx context.Context, r *received) *received {
	if r.final {
		return r
	}
	m, perr := s.Parse(r.raw)
	if perr != nil {
		r.reason = perr.Error()
		return r
	}
	r.m = m
	if err := s.prepareMail(ctx, r, r.source); err != nil {
		if isMailFault(err) {
			r.reason = err.Error()
			return r
		}
		r.final, r.err = true, err
		r.res = Result{RawID: r.res.RawID, Status: StatusReceived}
	}
	return r
}

// complete is the second half of Ingest: it adds a received mail to its
// conversation, or keeps it as unparseable.
func (s *Service) complete(ctx context.Context, r *received) (Result, error) {
	if r.final {
		return r.res, r.err
	}
	if r.reason != "" {
		return s.unparseable(ctx, r.box, r.res.RawID, r.raw, r.reason)
	}
	out, err := s.process(ctx, r)
	if err == nil {
		return out, nil
	}
	if isMailFault(err) {
		return s.unparseable(ctx, r.box, r.res.RawID, r.raw, err.Error())
	}
	return Result{RawID: r.res.RawID, Status: StatusReceived}, err
}

// isMailFault tells an error caused by the mail itself (kept as
// unparseable) from a database or context error (the mail stays
// "received" and is ingested again later).
func isMailFault(err error) bool {
	var verr *errs.ValidationError
	return errors.As(err, &verr) || errors.Is(err, errs.ErrConflict) || errors.Is(err, errs.ErrNotFound)
}

// storeRaw keeps raw in its own transaction. It returns resume=false with
// the earlier row's result when the same bytes were already processed.
func (s *Service) storeRaw(ctx context.Context, inboxID int64, raw []byte, source string) (Result, bool, error) {
	res, resume, err := s.storeRawOnce(ctx, inboxID, raw, source)
	if db.IsUniqueViolation(err) {
		// The same mail arrived twice at once (IMAP and SMTP): the other
		// copy's row is committed now.
		res, resume, err = s.storeRawOnce(ctx, inboxID, raw, source)
	}
	if err != nil {
		return Result{}, false, fmt.Errorf("email: store raw mail: %w", err)
	}
	return res, resume, nil
}

func (s *Service) storeRawOnce(ctx context.Context, inboxID int64, raw []byte, source string) (Result, bool, error) {
	var res Result
	resume := true
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		sum, err := s.files.PutBlobTx(ctx, tx, raw)
		if err != nil {
			return err
		}
		var status string
		var conv, msg sql.NullInt64
		err = tx.QueryRow(ctx, `SELECT id, status, conversation_id, message_row_id FROM inbound_mails WHERE inbox_id = ? AND sha256 = ?`,
			inboxID, sum).Scan(&res.RawID, &status, &conv, &msg)
		switch {
		case err == nil:
			res.Status = status
			if status != StatusReceived {
				resume = false
				res.Status, res.ConversationID, res.MessageID = StatusDuplicate, conv.Int64, msg.Int64
			}
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		res.Status = StatusReceived
		res.RawID, err = tx.InsertID(ctx, `INSERT INTO inbound_mails (inbox_id, sha256, size, source, status, received_at)
			VALUES (?, ?, ?, ?, ?, ?)`, inboxID, sum, len(raw), source, StatusReceived, db.Ms(s.Now()))
		return err
	})
	return res, resume, err
}

// markTx records a raw mail's outcome.
func (s *Service) markTx(ctx context.Context, tx *db.Tx, res Result, messageID string) error {
	_, err := tx.Exec(ctx, `UPDATE inbound_mails SET status = ?, error = ?, message_id = ?, conversation_id = ?, message_row_id = ?,
		parsed_at = ? WHERE id = ?`, res.Status, truncate(res.Error, 2000), truncate(messageID, 998), db.IDArg(res.ConversationID),
		db.IDArg(res.MessageID), db.Ms(s.Now()), res.RawID)
	return err
}

// knownMessageID returns the conversation and message row of a Message-ID
// already seen (sent or received) in the inbox.
func knownMessageID(ctx context.Context, q db.Querier, inboxID int64, id string) (conv, msg int64, ok bool, err error) {
	if id == "" {
		return 0, 0, false, nil
	}
	var m sql.NullInt64
	err = q.QueryRow(ctx, `SELECT conversation_id, message_row_id FROM email_message_ids WHERE inbox_id = ? AND message_id = ?`,
		inboxID, id).Scan(&conv, &m)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, false, nil
	}
	return conv, m.Int64, err == nil, err
}

// RecordMessageIDTx remembers that Message-ID id (without angle brackets)
// of inbox inboxID belongs to conversation convID and message row msgID
// (0: none), for threading replies. A known id is left as it is.
func RecordMessageIDTx(ctx context.Context, tx *db.Tx, inboxID int64, id string, convID, msgID int64) error {
	if id == "" {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO email_message_ids (inbox_id, message_id, conversation_id, message_row_id) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, inboxID, truncate(id, 998), convID, db.IDArg(msgID))
	return err
}

// prepareMail does the work of adding a parsed mail that needs no write
// transaction: the Message-ID lookup, the sender address, the attachments
// (each stored in its own transaction, so cid: references can be rewritten
// to their URLs), the bodies and the prepared message.
func (s *Service) prepareMail(ctx context.Context, r *received, source string) error {
	m, box := r.m, r.box
	if _, _, ok, err := knownMessageID(ctx, s.db.R(), box.ID, m.MessageID); err != nil {
		return err
	} else if ok {
		r.dup = true
		return nil
	}
	if m.Kind == parse.KindBounce {
		return nil
	}
	from, ok := contact.NormalizeEmail(m.From.Email)
	if !ok {
		return errs.Invalid("from", "invalid", "the sender address %q is not readable", m.From.Email)
	}
	atts, cids, err := s.saveParts(ctx, m.Attachments)
	if err != nil {
		return err
	}
	text, html, meta := s.bodies(m, r.res.RawID, from, cids)
	keep := m.Kind == parse.KindAutoReply || m.Kind == parse.KindBulk
	var at *time.Time
	if source == SourceImport && !m.Date.IsZero() && m.Date.Before(s.Now()) {
		d := m.Date.UTC().Truncate(time.Millisecond)
		at = &d
	}
	r.from, r.atts, r.cids, r.ccs = from, atts, cids, s.ccs(box, from, m)
	r.in = conversation.MessageInput{Kind: conversation.KindReply, Direction: conversation.DirectionInbound, Body: text, HTML: html,
		AttachmentIDs: atts, ChannelMeta: meta, CreatedAt: at, KeepStatus: keep}
	// Sanitizing and language detection run here, in parallel across
	// receivers, not in the single writer.
	s.convs.PrepareMessage(&r.in)
	return nil
}

// process adds a prepared mail to its conversation in one write
// transaction (the Message-ID is checked again inside it: another copy of
// the mail may have been added since prepareMail).
func (s *Service) process(ctx context.Context, r *received) (Result, error) {
	m, box, rawID := r.m, r.box, r.res.RawID
	res := Result{RawID: rawID}
	if r.dup {
		if conv, msg, ok, err := knownMessageID(ctx, s.db.R(), box.ID, m.MessageID); err != nil {
			return res, err
		} else if ok {
			res.Status, res.ConversationID, res.MessageID = StatusDuplicate, conv, msg
			return res, s.db.WriteTx(ctx, func(tx *db.Tx) error { return s.markTx(ctx, tx, res, m.MessageID) })
		}
		// The conversation of the earlier copy was deleted since: add the
		// mail after all.
		r.dup = false
		if err := s.prepareMail(ctx, r, r.source); err != nil {
			return res, err
		}
	}
	if m.Kind == parse.KindBounce {
		return s.bounce(ctx, box, rawID, m)
	}
	from, atts, cids, ccs, keep := r.from, r.atts, r.cids, r.ccs, r.in.KeepStatus
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		res = Result{RawID: rawID}
		in := r.in
		if conv, msg, ok, err := knownMessageID(ctx, tx, box.ID, m.MessageID); err != nil {
			return err
		} else if ok {
			res.Status, res.ConversationID, res.MessageID = StatusDuplicate, conv, msg
			return s.markTx(ctx, tx, res, m.MessageID)
		}
		sender, err := findSender(ctx, tx, from)
		if err != nil {
			return err
		}
		convID, err := s.thread(ctx, tx, box, m, sender)
		if err != nil {
			return err
		}
		if convID != 0 {
			conv, err := s.convs.GetTx(ctx, tx, convID)
			if err != nil {
				return err
			}
			if conv.Status == conversation.StatusClosed {
				if keep {
					res.Status, res.ConversationID, res.Error = StatusIgnored, conv.ID, "automatic mail to a closed conversation"
					return s.markTx(ctx, tx, res, m.MessageID)
				}
				if conv, err = s.convs.FollowUpTx(ctx, tx, actor, conv.ID); err != nil {
					return err
				}
				res.Created = true
			}
			// Someone other than the requester writing on the thread (a
			// colleague, or anyone who knows the subject tag) is shown as
			// themselves, never as the customer.
			if sender != conv.RequesterID {
				if sender == 0 {
					if sender, _, err = contact.FindOrCreateTx(ctx, tx, 0, contact.Input{Name: strings.TrimSpace(m.From.Name),
						Emails: []string{from}}, "from"); err != nil {
						return err
					}
				}
				if sender != conv.RequesterID {
					in.AuthorContactID = sender
				}
			}
			msg, err := s.convs.AddMessageTx(ctx, tx, actor, conv.ID, in)
			if err != nil {
				return err
			}
			res.ConversationID, res.MessageID = conv.ID, msg.ID
			if err := s.addCCsTx(ctx, tx, conv, ccs); err != nil {
				return err
			}
		} else {
			name := strings.TrimSpace(m.From.Name)
			if utf8.RuneCountInString(name) > contact.MaxNameLength {
				name = string([]rune(name)[:contact.MaxNameLength])
			}
			req := conversation.RequesterInput{ID: sender, Name: name, Email: from}
			if sender != 0 {
				req = conversation.RequesterInput{ID: sender}
			}
			subject := strings.TrimSpace(m.Subject)
			if utf8.RuneCountInString(subject) > conversation.MaxSubjectLength {
				subject = string([]rune(subject)[:conversation.MaxSubjectLength])
			}
			conv, msg, err := s.convs.CreateTx(ctx, tx, actor, conversation.CreateInput{InboxID: box.ID, Subject: subject,
				Requester: req, Message: &in, CCs: ccs, CreatedAt: in.CreatedAt})
			if err != nil {
				return err
			}
			res.ConversationID, res.MessageID, res.Created = conv.ID, msg.ID, true
		}
		if err := setContentIDsTx(ctx, tx, atts, cids); err != nil {
			return err
		}
		if err := RecordMessageIDTx(ctx, tx, box.ID, m.MessageID, res.ConversationID, res.MessageID); err != nil {
			return err
		}
		res.Status = StatusParsed
		return s.markTx(ctx, tx, res, m.MessageID)
	})
	return res, err
}

// findSender resolves a sender address to a contact like every other
// ingestion path (contact.FindByEmailTx): the address itself, else the bare
// address without a "+tag"; 0 when unknown.
func findSender(ctx context.Context, tx *db.Tx, addr string) (int64, error) {
	return contact.FindByEmailTx(ctx, tx, addr)
}

// stripPlus removes a "+tag" from an address's local part.
func stripPlus(addr string) string { return contact.StripPlus(addr) }

// AddressMatches tells whether recipient rcpt reaches an inbox whose
// address is inboxAddr: equal ignoring case, or inboxAddr with a "+tag"
// (support+billing@x reaches support@x).
func AddressMatches(inboxAddr, rcpt string) bool {
	a, ok1 := contact.NormalizeEmail(inboxAddr)
	r, ok2 := contact.NormalizeEmail(rcpt)
	if !ok1 || !ok2 {
		return false
	}
	return a == r || stripPlus(r) == a
}

// thread finds the conversation of inbox box a mail belongs to (0: a new
// one): a known Message-ID among In-Reply-To and References (newest
// first), the "[#N]" subject tag, then — unless the inbox setting
// "thread_by_subject" is false — the sender's latest conversation that is
// not closed, active within SubjectWindow, with the same normalized
// subject.
func (s *Service) thread(ctx context.Context, tx *db.Tx, box inbox.Inbox, m *parse.Message, sender int64) (int64, error) {
	refs := append([]string{}, m.InReplyTo...)
	for i := len(m.References) - 1; i >= 0; i-- {
		refs = append(refs, m.References[i])
	}
	for _, id := range refs {
		conv, _, ok, err := knownMessageID(ctx, tx, box.ID, id)
		if err != nil || ok {
			return conv, err
		}
	}
	if n, ok := subjectTag(m.Subject); ok {
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM conversations WHERE id = ? AND inbox_id = ?`, n, box.ID).Scan(&id)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
	}
	if sender == 0 || box.Settings["thread_by_subject"] == false {
		return 0, nil
	}
	subject := normalizeSubject(m.Subject)
	if subject == "" {
		return 0, nil
	}
	rows, err := tx.Query(ctx, `SELECT id, subject FROM conversations WHERE inbox_id = ? AND requester_id = ? AND status <> 'closed'
		AND updated_at >= ? ORDER BY updated_at DESC, id DESC LIMIT 50`, box.ID, sender, db.Ms(s.Now().Add(-s.SubjectWindow)))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var subj string
		if err := rows.Scan(&id, &subj); err != nil {
			return 0, err
		}
		if normalizeSubject(subj) == subject {
			return id, nil
		}
	}
	return 0, rows.Err()
}

// ccs returns the mail's To and Cc addresses other than the sender and the
// inbox, normalized, for the conversation's CC list.
func (s *Service) ccs(box inbox.Inbox, from string, m *parse.Message) []string {
	out := []string{}
	seen := map[string]bool{from: true}
	for _, a := range append(append([]parse.Address{}, m.To...), m.Cc...) {
		e, ok := contact.NormalizeEmail(a.Email)
		if !ok || seen[e] || AddressMatches(box.Address, e) || len(out) >= conversation.MaxCCs {
			continue
		}
		seen[e] = true
		out = append(out, e)
	}
	return out
}

// addCCsTx adds CC addresses a reply brings to conversation conv.
func (s *Service) addCCsTx(ctx context.Context, tx *db.Tx, conv conversation.Conversation, ccs []string) error {
	merged := append([]string{}, conv.CCs...)
	have := map[string]bool{}
	for _, c := range merged {
		have[c] = true
	}
	for _, c := range ccs {
		if !have[c] && len(merged) < conversation.MaxCCs && !strings.EqualFold(c, conv.Requester.Email) {
			have[c] = true
			merged = append(merged, c)
		}
	}
	if len(merged) == len(conv.CCs) {
		return nil
	}
	_, err := s.convs.UpdateTx(ctx, tx, actor, conv.ID, conversation.Patch{CCs: patch.Of(merged)})
	return err
}

// saveParts stores a mail's attachments and inline parts; cids maps each
// attachment id to its Content-ID ("" when none).
func (s *Service) saveParts(ctx context.Context, parts []parse.Part) ([]int64, map[int64]string, error) {
	ids := []int64{}
	cids := map[int64]string{}
	for i, p := range parts {
		if len(p.Data) == 0 || len(ids) >= conversation.MaxAttachments {
			continue
		}
		name := p.Filename
		if name == "" {
			name = fmt.Sprintf("part-%d", i+1)
		}
		a, err := s.files.Save(ctx, 0, name, bytes.NewReader(p.Data))
		var verr *errs.ValidationError
		if errors.As(err, &verr) {
			s.log.Warn("email: attachment skipped", "filename", name, "error", err)
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		ids = append(ids, a.ID)
		cids[a.ID] = p.ContentID
	}
	return ids, cids, nil
}

func setContentIDsTx(ctx context.Context, tx *db.Tx, ids []int64, cids map[int64]string) error {
	for _, id := range ids {
		if cids[id] == "" {
			continue
		}
		if _, err := tx.Exec(ctx, `UPDATE attachments SET content_id = ? WHERE id = ?`, truncate(cids[id], 500), id); err != nil {
			return err
		}
	}
	return nil
}

var cidRE = regexp.MustCompile(`(?i)(src\s*=\s*["']?)cid:([^"'\s>]+)`)

// bodies returns the message text, the HTML with cid: images pointing at
// their attachments, and the channel_meta of a parsed mail.
func (s *Service) bodies(m *parse.Message, rawID int64, from string, cids map[int64]string) (string, string, map[string]any) {
	text := m.NewText
	if strings.TrimSpace(text) == "" {
		text = m.Text
	}
	text = truncate(strings.TrimSpace(text), conversation.MaxBodyTextBytes)
	html := m.HTML
	if html != "" && len(cids) > 0 {
		byCID := map[string]int64{}
		for id, cid := range cids {
			if cid != "" {
				byCID[strings.ToLower(cid)] = id
			}
		}
		html = cidRE.ReplaceAllStringFunc(html, func(x string) string {
			sub := cidRE.FindStringSubmatch(x)
			if id, ok := byCID[strings.ToLower(strings.Trim(sub[2], "<>"))]; ok {
				return fmt.Sprintf("%s/api/v1/attachments/%d?inline=1", sub[1], id)
			}
			return x
		})
	}
	meta := map[string]any{"message_id": m.MessageID, "in_reply_to": m.InReplyTo, "references": m.References,
		"from": m.From, "to": m.To, "cc": m.Cc, "subject": m.Subject, "raw_id": rawID, "kind": m.Kind, "auto_reason": m.KindReason}
	if len(html) > conversation.MaxBodyHTMLBytes {
		html = ""
		meta["html_dropped"] = true
	}
	if text == "" && strings.TrimSpace(html) == "" && len(cids) == 0 {
		text = "(empty message)"
	}
	return text, html, meta
}

// truncate cuts s to at most n bytes on a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

var (
	fromHeaderRE    = regexp.MustCompile(`(?im)^From:[ \t]*(.*)$`)
	subjectHeaderRE = regexp.MustCompile(`(?im)^Subject:[ \t]*(.*)$`)
)

// UnparseableNote is the body of the message an unparseable mail shows as.
const UnparseableNote = "This message could not be read; download the original to see it."

// unparseable keeps a mail that could not be read or added: it is marked
// failed and shown to agents as a message flagged unparseable (in a new
// conversation from the sender when one can be made out) with the raw
// source downloadable.
func (s *Service) unparseable(ctx context.Context, box inbox.Inbox, rawID int64, raw []byte, reason string) (Result, error) {
	head := raw[:min(len(raw), 16<<10)]
	from := "unknown-sender@invalid"
	if m := fromHeaderRE.FindSubmatch(head); m != nil {
		if e, ok := contact.NormalizeEmail(strings.TrimSpace(string(m[1]))); ok {
			from = e
		}
	}
	subject := "(unreadable email)"
	if m := subjectHeaderRE.FindSubmatch(head); m != nil && utf8.Valid(m[1]) && strings.TrimSpace(string(m[1])) != "" {
		subject = truncate(strings.TrimSpace(string(m[1])), 400)
	}
	res := Result{RawID: rawID, Status: StatusFailed, Error: reason}
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		in := conversation.MessageInput{Kind: conversation.KindReply, Direction: conversation.DirectionInbound, Body: UnparseableNote,
			ChannelMeta: map[string]any{"unparseable": true, "raw_id": rawID, "parse_error": truncate(reason, 500)}}
		sender, err := findSender(ctx, tx, from)
		if err != nil {
			return err
		}
		req := conversation.RequesterInput{ID: sender, Email: from}
		if sender != 0 {
			req = conversation.RequesterInput{ID: sender}
		}
		conv, msg, err := s.convs.CreateTx(ctx, tx, actor, conversation.CreateInput{InboxID: box.ID, Subject: subject,
			Requester: req, Message: &in})
		if err != nil {
			return err
		}
		res.ConversationID, res.MessageID, res.Created = conv.ID, msg.ID, true
		return s.markTx(ctx, tx, res, "")
	})
	if err != nil {
		// Not even a flagged message could be made: the raw mail stays.
		_ = s.db.WriteTx(ctx, func(tx *db.Tx) error {
			return s.markTx(ctx, tx, Result{RawID: rawID, Status: StatusFailed, Error: reason + "; " + err.Error()}, "")
		})
		return Result{RawID: rawID, Status: StatusFailed, Error: reason}, nil
	}
	s.log.Warn("email: unparseable mail kept", "inbox_id", box.ID, "raw_id", rawID, "error", reason)
	return res, nil
}
