package chat

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kesherdesk/kesher/internal/attachment"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/httpapi"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/mailer"
)

// maxJSONBody bounds the widget's JSON request bodies.
const maxJSONBody = 32 << 10

// UploadTypes are the content types (sniffed from the bytes) a visitor may
// upload.
var UploadTypes = []string{"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"}

type limiters struct {
	ip, messages, uploads *httpapi.RateLimiter
}

func newLimiters(o Options) limiters {
	return limiters{ip: httpapi.NewRateLimiter(o.SessionsPerMinute), messages: httpapi.NewRateLimiter(o.MessagesPerMinute),
		uploads: httpapi.NewRateLimiter(o.UploadsPerMinute)}
}

func keyOf(kind string, id int64) string { return kind + ":" + strconv.FormatInt(id, 10) }

func widgetOf(b inbox.Inbox) (inbox.Widget, bool) { return inbox.WidgetOf(b.Settings) }

// errRateLimited is answered with 429.
var errRateLimited = errors.New("rate limited")

// Handler serves the widget's public API under /widget/v1/ (mount it at
// that prefix): sessions, ws, uploads, files/{id}, offline, transcript.
// Cross-origin requests are answered with CORS headers for the widget's
// allowed origins; no cookies are involved (the visitor token
// authenticates).
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("OPTIONS /widget/v1/", s.preflight)
	mux.HandleFunc("POST /widget/v1/sessions", s.handleSession)
	mux.HandleFunc("GET /widget/v1/ws", s.serveWS)
	mux.HandleFunc("POST /widget/v1/uploads", s.handleUpload)
	mux.HandleFunc("GET /widget/v1/files/{id}", s.handleFile)
	mux.HandleFunc("POST /widget/v1/offline", s.handleOffline)
	mux.HandleFunc("POST /widget/v1/transcript", s.handleTranscript)
	return mux
}

func (s *Service) preflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	if o := r.Header.Get("Origin"); o != "" {
		h.Set("Access-Control-Allow-Origin", o)
		h.Set("Vary", "Origin")
	}
	h.Set("Access-Control-Allow-Methods", "GET, POST")
	h.Set("Access-Control-Allow-Headers", "Content-Type")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

// OriginAllowed reports whether a page at origin ("scheme://host[:port]")
// may use a widget allowing patterns: every origin when patterns is empty,
// the server's own host, an exact "scheme://host[:port]" pattern, or a
// host pattern matched with path.Match ("*.example.com", "localhost:*").
func OriginAllowed(origin, serverHost string, patterns []string) bool {
	if origin == "" || len(patterns) == 0 {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, serverHost) {
		return true
	}
	for _, p := range patterns {
		p = strings.ToLower(strings.TrimRight(p, "/"))
		target := strings.ToLower(u.Host)
		if strings.Contains(p, "://") {
			target = strings.ToLower(u.Scheme + "://" + u.Host)
		}
		if ok, _ := path.Match(p, target); ok {
			return true
		}
	}
	return false
}

// cors checks the request's Origin against the widget and sets the CORS
// headers; false (after a 403) when the origin is not allowed.
func (s *Service) cors(w http.ResponseWriter, r *http.Request, wd inbox.Widget) bool {
	o := r.Header.Get("Origin")
	if !OriginAllowed(o, r.Host, wd.AllowedOrigins) {
		httpapi.WriteProblem(w, r, http.StatusForbidden, "forbidden", "Origin not allowed",
			"this widget may not be embedded on "+o+"; add it to the inbox's widget.allowed_origins")
		return false
	}
	if o != "" {
		w.Header().Set("Access-Control-Allow-Origin", o)
		w.Header().Add("Vary", "Origin")
	}
	return true
}

func (s *Service) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errRateLimited) {
		w.Header().Set("Retry-After", "60")
		httpapi.WriteProblem(w, r, http.StatusTooManyRequests, "rate-limited", "Too many requests", "wait a minute and try again")
		return
	}
	httpapi.WriteError(w, r, s.log, err)
}

func (s *Service) ipAllowed(r *http.Request, kind string) bool {
	return s.lim.ip.Allow(kind + ":" + httpapi.ClientIP(r, s.trustProxy.Load()))
}

// widgetJSON applies the per-IP limit of kind, decodes the JSON body into
// dst and checks the request's origin against the widget *token names
// (a field of dst); false after answering with the problem.
func (s *Service) widgetJSON(w http.ResponseWriter, r *http.Request, kind string, dst any, token *string) bool {
	if !s.ipAllowed(r, kind) {
		s.fail(w, r, errRateLimited)
		return false
	}
	if err := httpapi.DecodeJSON(w, r, dst, maxJSONBody); err != nil {
		s.fail(w, r, err)
		return false
	}
	_, wd, err := s.widgetInbox(r.Context(), *token)
	if err != nil {
		s.fail(w, r, err)
		return false
	}
	return s.cors(w, r, wd)
}

func (s *Service) handleSession(w http.ResponseWriter, r *http.Request) {
	var in SessionInput
	if !s.widgetJSON(w, r, "session", &in, &in.Inbox) {
		return
	}
	sess, _, _, err := s.OpenSession(r.Context(), in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, sess)
}

// visitorRequest resolves the visitor token of a request and checks its
// origin; false after answering with the problem.
func (s *Service) visitorRequest(w http.ResponseWriter, r *http.Request, token string) (Visitor, inbox.Inbox, bool) {
	v, err := s.visitorByToken(r.Context(), s.svc.DB.R(), token)
	if err != nil {
		s.fail(w, r, err)
		return Visitor{}, inbox.Inbox{}, false
	}
	box, err := s.svc.Inboxes.Get(r.Context(), v.InboxID)
	if err != nil {
		s.fail(w, r, err)
		return Visitor{}, inbox.Inbox{}, false
	}
	wd, _ := widgetOf(box)
	if !s.cors(w, r, wd) {
		return Visitor{}, inbox.Inbox{}, false
	}
	return v, box, true
}

// handleUpload stores one visitor file: multipart with the field "token"
// first, then "file". Errors: 400 naming file (type, size), 401, 429.
func (s *Service) handleUpload(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, s.o.MaxUploadBytes+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		s.fail(w, r, errs.Invalid("body", "malformed", "send multipart/form-data with token and file"))
		return
	}
	var v Visitor
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			s.fail(w, r, errs.Invalid("file", "required", "attach a file"))
			return
		}
		if err != nil {
			s.fail(w, r, errs.Invalid("body", "malformed", "the multipart body is cut short or too large"))
			return
		}
		switch part.FormName() {
		case "token":
			b, _ := io.ReadAll(io.LimitReader(part, 200))
			var ok bool
			if v, _, ok = s.visitorRequest(w, r, string(b)); !ok {
				return
			}
			// Per visitor and per address: new visitors are cheap (SessionsPerMinute
			// an address), and an upload never attached is kept.
			if !s.lim.uploads.Allow(keyOf("u", v.ID), "ip:"+httpapi.ClientIP(r, s.trustProxy.Load())) {
				s.fail(w, r, errRateLimited)
				return
			}
		case "file":
			if v.ID == 0 {
				s.fail(w, r, errs.Invalid("token", "required", "send the token field before the file"))
				return
			}
			a, err := s.saveUpload(r.Context(), v, part.FileName(), part)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			httpapi.WriteJSON(w, http.StatusCreated, a)
			return
		}
	}
}

func (s *Service) saveUpload(ctx context.Context, v Visitor, filename string, body io.Reader) (attachment.Attachment, error) {
	head := make([]byte, 512)
	n, err := io.ReadFull(body, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return attachment.Attachment{}, errs.Invalid("file", "malformed", "the file could not be read")
	}
	head = head[:n]
	ctype, _, _ := mime.ParseMediaType(http.DetectContentType(head))
	allowed := false
	for _, t := range UploadTypes {
		allowed = allowed || t == ctype
	}
	if !allowed {
		return attachment.Attachment{}, errs.Invalid("file", "unsupported", "files may be images, PDF or plain text (got %s)", ctype)
	}
	lr := &io.LimitedReader{R: io.MultiReader(bytes.NewReader(head), body), N: s.o.MaxUploadBytes + 1}
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, lr); err != nil {
		return attachment.Attachment{}, errs.Invalid("file", "too_large", "files may be at most %d bytes", s.o.MaxUploadBytes)
	}
	if int64(buf.Len()) > s.o.MaxUploadBytes {
		return attachment.Attachment{}, errs.Invalid("file", "too_large", "files may be at most %d bytes", s.o.MaxUploadBytes)
	}
	a, err := s.svc.Files.Save(ctx, 0, filename, &buf)
	if err != nil {
		return a, err
	}
	err = s.svc.DB.WriteTx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO chat_uploads (attachment_id, visitor_id) VALUES (?, ?)`, a.ID, v.ID)
		return err
	})
	return a, err
}

// handleFile downloads an attachment of a public message in the visitor's
// current conversation (?token=VISITOR_TOKEN). Not any conversation of the
// visitor's contact: a visitor becomes a contact by giving an unverified
// email, so the contact's other chats are not the visitor's to read.
func (s *Service) handleFile(w http.ResponseWriter, r *http.Request) {
	v, _, ok := s.visitorRequest(w, r, r.URL.Query().Get("token"))
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	a, err := s.svc.Files.Get(r.Context(), id)
	if err == nil && a.MessageID == nil {
		err = errs.ErrNotFound
	}
	if err == nil {
		var n int
		err = s.svc.DB.R().QueryRow(r.Context(), `SELECT COUNT(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id
			WHERE m.id = ? AND m.kind = 'reply' AND c.id = ? AND c.requester_id = ? AND c.inbox_id = ?`,
			*a.MessageID, v.ConversationID, v.ContactID, v.InboxID).Scan(&n)
		if err == nil && (n == 0 || v.ContactID == 0 || v.ConversationID == 0) {
			err = errs.ErrNotFound
		}
	}
	if err != nil {
		s.fail(w, r, fmt.Errorf("no file %d: %w", id, errs.ErrNotFound))
		return
	}
	f, err := s.svc.Files.Open(r.Context(), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename}))
	w.Header().Set("Cache-Control", "private, no-store")
	http.ServeContent(w, r, "", a.CreatedAt, f)
}

// OfflineInput is a message left while no agent is available
// (POST /widget/v1/offline).
type OfflineInput struct {
	Inbox        string `json:"inbox"`
	VisitorToken string `json:"visitor_token"`
	Name         string `json:"name"`
	Email        string `json:"email"`
	Message      string `json:"message"`
	Language     string `json:"language"`
}

// LeaveMessage opens a conversation for an offline message in the widget's
// offline email inbox (Widget.OfflineInboxID, else the first enabled email
// inbox), with the visitor's email as requester, so agents answer it by
// email. It returns the conversation id. Errors: *errs.ValidationError
// (inbox, name, email, message), errs.ErrNotFound for an unknown widget,
// errs.ErrConflict when there is no email inbox to answer from.
func (s *Service) LeaveMessage(ctx context.Context, in OfflineInput) (int64, error) {
	box, wd, err := s.widgetInbox(ctx, in.Inbox)
	if err != nil {
		return 0, err
	}
	var c errs.Checker
	name, email := checkIdentity(&c, in.Name, in.Email)
	c.Check(email != "", "email", "required", "give an email address to be answered at")
	text := strings.TrimSpace(in.Message)
	c.Check(text != "", "message", "required", "write a message")
	c.Check(utf8.RuneCountInString(text) <= s.o.MaxMessageRunes, "message", "too_long", "a message is at most %d characters", s.o.MaxMessageRunes)
	if err := c.Err(); err != nil {
		return 0, err
	}
	target, err := s.offlineInbox(ctx, wd)
	if err != nil {
		return 0, err
	}
	subject := text
	if r := []rune(subject); len(r) > 80 {
		subject = string(r[:80]) + "…"
	}
	lang := normLanguage(in.Language)
	var convID int64
	err = s.svc.DB.WriteTx(ctx, func(tx *db.Tx) error {
		conv, _, err := s.svc.Conversations.CreateTx(ctx, tx, actor, conversation.CreateInput{InboxID: target,
			Subject: strings.Join(strings.Fields(subject), " "), Requester: conversation.RequesterInput{Name: name, Email: email, Language: lang},
			Message: &conversation.MessageInput{Direction: conversation.DirectionInbound, Body: text,
				ChannelMeta: map[string]any{"chat_offline": true, "chat_inbox_id": box.ID}}, Language: lang})
		if err != nil {
			return err
		}
		convID = conv.ID
		if in.VisitorToken != "" {
			_, err = tx.Exec(ctx, `UPDATE chat_visitors SET name = CASE WHEN ? = '' THEN name ELSE ? END, email = ?, contact_id = ?
				WHERE token_hash = ? AND inbox_id = ?`, name, name, email, conv.RequesterID, hashToken(in.VisitorToken), box.ID)
		}
		return err
	})
	return convID, err
}

func (s *Service) offlineInbox(ctx context.Context, wd inbox.Widget) (int64, error) {
	boxes, err := s.svc.Inboxes.List(ctx)
	if err != nil {
		return 0, err
	}
	for _, b := range boxes {
		if b.Channel == inbox.ChannelEmail && b.Enabled && (wd.OfflineInboxID == 0 || b.ID == wd.OfflineInboxID) {
			return b.ID, nil
		}
	}
	return 0, fmt.Errorf("%w: no email inbox answers this widget's offline messages (set widget.offline_inbox_id)", errs.ErrConflict)
}

func (s *Service) handleOffline(w http.ResponseWriter, r *http.Request) {
	var in OfflineInput
	if !s.widgetJSON(w, r, "offline", &in, &in.Inbox) {
		return
	}
	if _, err := s.LeaveMessage(r.Context(), in); err != nil {
		s.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusAccepted, map[string]bool{"ok": true})
}

// TranscriptInput asks for the current conversation's transcript by email
// (POST /widget/v1/transcript); Email defaults to the visitor's.
type TranscriptInput struct {
	VisitorToken string `json:"visitor_token"`
	Email        string `json:"email"`
}

// transcriptTexts are the transcript mail's strings per language.
var transcriptTexts = map[string][3]string{
	"he": {"תמליל השיחה שלך", "את/ה", "נציג/ה"},
	"en": {"Your chat transcript", "You", "Agent"},
}

// SendTranscript emails the public messages of the visitor's current
// conversation to email (the visitor's own when empty) through the system
// mailer. Errors: *errs.ValidationError (email; visitor_token when there
// is no conversation yet), errs.ErrConflict without a mailer, the
// mailer's error.
func (s *Service) SendTranscript(ctx context.Context, v Visitor, email string) error {
	var c errs.Checker
	_, email = checkIdentity(&c, "", email)
	if email == "" {
		email = v.Email
	}
	c.Check(email != "", "email", "required", "give an email address for the transcript")
	c.Check(v.ConversationID != 0, "visitor_token", "no_conversation", "there is no conversation yet")
	if err := c.Err(); err != nil {
		return err
	}
	if s.svc.Mailer == nil {
		return fmt.Errorf("%w: transcripts need system mail (--smtp-url)", errs.ErrConflict)
	}
	msgs, err := s.history(ctx, v)
	if err != nil {
		return err
	}
	t := transcriptTexts[normLanguage(v.Language)]
	var text, htm strings.Builder
	dir := "rtl"
	if normLanguage(v.Language) == "en" {
		dir = "ltr"
	}
	fmt.Fprintf(&htm, `<div dir="%s">`, dir)
	for _, m := range msgs {
		who := m.AuthorName
		if m.AuthorType == "contact" {
			who = t[1]
		} else if who == "" {
			who = t[2]
		}
		at := m.CreatedAt.UTC().Format("2006-01-02 15:04 UTC")
		fmt.Fprintf(&text, "[%s] %s:\n%s\n\n", at, who, m.Text)
		fmt.Fprintf(&htm, "<p><small>%s</small> <b>%s</b><br>%s</p>", at, html.EscapeString(who),
			strings.ReplaceAll(html.EscapeString(m.Text), "\n", "<br>"))
	}
	htm.WriteString("</div>")
	return s.svc.Mailer.Send(ctx, mailer.Message{To: email, Subject: t[0], Text: text.String(), HTML: htm.String()})
}

func (s *Service) handleTranscript(w http.ResponseWriter, r *http.Request) {
	if !s.ipAllowed(r, "transcript") {
		s.fail(w, r, errRateLimited)
		return
	}
	var in TranscriptInput
	if err := httpapi.DecodeJSON(w, r, &in, maxJSONBody); err != nil {
		s.fail(w, r, err)
		return
	}
	v, _, ok := s.visitorRequest(w, r, in.VisitorToken)
	if !ok {
		return
	}
	if !s.lim.uploads.Allow(keyOf("t", v.ID)) {
		s.fail(w, r, errRateLimited)
		return
	}
	if err := s.SendTranscript(r.Context(), v, in.Email); err != nil {
		s.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusAccepted, map[string]bool{"ok": true})
}
