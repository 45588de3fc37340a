// Package bot is the answer bot (docs/knowledge.md "Answer bot"): per
// inbox (chat, and email when enabled there), it answers a customer's
// question with up to three published, public knowledge-base articles when
// the search is confident enough, asks whether that solved it, and hands
// the conversation over to a person at once on "no", on a request for a
// person or when it is not confident — with an internal note of what was
// said and the articles offered.
//
// It acts on message.created events of inbound customer replies, never on
// an auto-reply or bulk mail, never twice on the same question (by the hash
// of its normalized words), never after a handover and never once an agent
// has replied. Its state lives in bot_conversations (one row per
// conversation) and bot_interactions (one row per question considered);
// migration 00024_answer_bot.
package bot

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/notification"
	"github.com/kesherdesk/kesher/internal/patch"
)

// Outcomes of an interaction (bot_interactions.outcome).
const (
	OutcomeOffered               = "offered"                 // articles offered, no answer yet
	OutcomeDeflected             = "deflected"               // "yes": solved by the bot
	OutcomeHandoverNo            = "handover_no"             // "no": handed over
	OutcomeHandoverRequested     = "handover_requested"      // the customer asked for a person
	OutcomeHandoverLowConfidence = "handover_low_confidence" // no article was confident enough
	OutcomeSkipped               = "skipped"                 // silent: no meaningful words, or a repeated question
)

// Handover reasons (bot_conversations.reason).
const (
	ReasonNo            = "no"
	ReasonRequested     = "requested"
	ReasonLowConfidence = "low_confidence"
)

// States of the bot in a conversation (bot_conversations.state).
const (
	StateActive     = "active"
	StateSolved     = "solved"
	StateHandedOver = "handed_over"
)

// Actor is who the bot's messages, events and changes are by.
var Actor = audit.Actor{Type: "bot", Name: "Kesher bot"}

// NotificationKind is the agents' notification of a handover (Data:
// number, subject, reason); sent to the active members of the team the
// conversation is handed to.
const NotificationKind = "bot.handover"

// Candidate is an article the finder found for a question. Snippet is
// plain text; Confidence (0..1) is search.Hit.Confidence.
type Candidate struct {
	ID         int64
	Title      string
	Snippet    string
	Language   string
	Confidence float64
}

// Finder finds published, public articles in language lang ("he", "en")
// answering question, best first, at most limit. SearchFinder is the
// production one (internal/search).
type Finder interface {
	Find(ctx context.Context, question, lang string, limit int) ([]Candidate, error)
}

// Article is one article offered, as stored in bot_interactions.articles
// and in the bot message's channel_meta.bot.articles. URL is the help
// center page /help/{lang}/a/{id} under Options.BaseURL.
type Article struct {
	ID      int64  `json:"id"`
	Title   string `json:"title"`
	URL     string `json:"url"`
	Snippet string `json:"snippet"`
}

// Options configure the service.
type Options struct {
	// BaseURL is where customers reach Kesher ("https://desk.example"),
	// for the article links; "" makes them relative (/help/…).
	BaseURL string
}

// Service is the answer bot. It holds no mutable state besides its clock.
type Service struct {
	db      *db.DB
	outbox  *events.Outbox
	convs   *conversation.Service
	inboxes *inbox.Service
	finder  Finder
	log     *slog.Logger
	baseURL string
	// Now is the clock (UTC); tests may replace it.
	Now func() time.Time
}

// New returns the bot on d, answering through convs with articles from
// finder.
func New(d *db.DB, outbox *events.Outbox, convs *conversation.Service, inboxes *inbox.Service, finder Finder, log *slog.Logger,
	o Options) *Service {
	return &Service{db: d, outbox: outbox, convs: convs, inboxes: inboxes, finder: finder, log: log,
		baseURL: strings.TrimRight(o.BaseURL, "/"), Now: func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }}
}

// Subscribe registers the bot on message.created and returns the func
// that unsubscribes.
func (s *Service) Subscribe(bus events.Bus) (unsubscribe func()) {
	return bus.Subscribe(events.MessageCreated, s.onMessageCreated)
}

func (s *Service) onMessageCreated(ctx context.Context, e events.Event) error {
	p, err := conversation.DecodeMessageCreated(e)
	if err != nil {
		return fmt.Errorf("bot: %w", err)
	}
	if p.Kind != conversation.KindReply || p.Direction != conversation.DirectionInbound || p.AuthorType != "contact" {
		return nil
	}
	return s.HandleMessage(ctx, p.ConversationID, p.MessageID)
}

// message is what the bot reads of a customer message.
type message struct {
	text string
	meta map[string]any
}

// automatic reports whether channel_meta marks a message as written by a
// machine: an email auto-reply, bulk mail or bounce (channel_meta.kind, see
// internal/channel/email/parse) or an automatic message
// (channel_meta.automatic).
func automatic(meta map[string]any) bool {
	if k, _ := meta["kind"].(string); k != "" {
		return true
	}
	a, _ := meta["automatic"].(bool)
	return a
}

// HandleMessage lets the bot act on customer message messageID of
// conversation convID (what the message.created subscriber does): nothing
// unless the inbox's bot is enabled, the message is a customer's reply
// written by a person, the bot is still in charge and no agent has
// replied. Then: a request for a person hands over; with an offer
// pending, "yes" solves and "no" hands over; else the question is searched
// once (a repeat or a message without meaningful words is skipped
// silently): confident hits are offered, none hands over.
// Errors: database and search errors.
func (s *Service) HandleMessage(ctx context.Context, convID, messageID int64) error {
	conv, err := s.convs.Get(ctx, convID)
	if errors.Is(err, errs.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	ib, err := s.inboxes.Get(ctx, conv.InboxID)
	if err != nil {
		return err
	}
	set := ib.Bot()
	if !set.Enabled {
		return nil
	}
	m, err := s.readMessage(ctx, messageID)
	if err != nil || automatic(m.meta) {
		return err
	}
	st, err := s.state(ctx, s.db.R(), convID)
	if err != nil || (st.exists && st.state != StateActive) {
		return err
	}
	pending := st.pendingID != 0
	intent := Classify(m.text, pending)
	switch intent {
	case IntentPerson:
		return s.handover(ctx, convID, messageID, ReasonRequested, nil)
	case IntentYes:
		err := s.Answer(ctx, convID, st.pendingID, true)
		return ignoreDecided(err)
	case IntentNo:
		err := s.Answer(ctx, convID, st.pendingID, false)
		return ignoreDecided(err)
	}
	question := m.text
	if conv.MessageCount <= 1 && conv.Channel == inbox.ChannelEmail && conv.Subject != "" {
		question = conv.Subject + "\n" + question
	}
	hash := QuestionHash(question)
	lang := conv.Language
	if lang != "he" && lang != "en" {
		lang = "he"
	}
	var found []Candidate
	if hash != "" {
		if dup, err := s.asked(ctx, s.db.R(), convID, hash); err != nil || dup {
			if err == nil {
				err = s.skip(ctx, conv, messageID, hash)
			}
			return err
		}
		found, err = s.finder.Find(ctx, question, lang, set.MaxArticles)
		if err != nil {
			return fmt.Errorf("bot: search: %w", err)
		}
	} else {
		return s.skip(ctx, conv, messageID, "")
	}
	var offer []Candidate
	best := 0.0
	for _, c := range found {
		best = max(best, c.Confidence)
		if c.Confidence >= set.Threshold && len(offer) < set.MaxArticles {
			offer = append(offer, c)
		}
	}
	if len(offer) == 0 {
		return s.handover(ctx, convID, messageID, ReasonLowConfidence, &lowConfidence{hash: hash, confidence: best})
	}
	return s.offer(ctx, conv, messageID, hash, lang, offer, best)
}

// ignoreDecided drops the conflict of answering an offer already decided
// (a duplicate event, or the widget's button and a typed answer both).
func ignoreDecided(err error) error {
	if errors.Is(err, errs.ErrConflict) {
		return nil
	}
	return err
}

func (s *Service) readMessage(ctx context.Context, id int64) (message, error) {
	var m message
	var meta string
	err := s.db.R().QueryRow(ctx, `SELECT body_text, channel_meta FROM messages WHERE id = ?`, id).Scan(&m.text, &meta)
	if errors.Is(err, sql.ErrNoRows) {
		return message{meta: map[string]any{"kind": "missing"}}, nil
	}
	if err != nil {
		return message{}, fmt.Errorf("bot: read message %d: %w", id, err)
	}
	_ = json.Unmarshal([]byte(meta), &m.meta)
	return m, nil
}

// convState is the bot's row of a conversation and its pending offer.
type convState struct {
	exists    bool
	state     string
	takenAt   sql.NullInt64
	pendingID int64 // the latest interaction still "offered", 0 if none
}

func (s *Service) state(ctx context.Context, q db.Querier, convID int64) (convState, error) {
	var st convState
	err := q.QueryRow(ctx, `SELECT state, taken_at FROM bot_conversations WHERE conversation_id = ?`, convID).Scan(&st.state, &st.takenAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		st.state = StateActive
	case err != nil:
		return st, fmt.Errorf("bot: read state: %w", err)
	default:
		st.exists = true
	}
	err = q.QueryRow(ctx, `SELECT id FROM bot_interactions WHERE conversation_id = ? AND outcome = ? ORDER BY id DESC LIMIT 1`,
		convID, OutcomeOffered).Scan(&st.pendingID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("bot: read pending offer: %w", err)
	}
	return st, nil
}

// asked reports whether the bot already considered the question with hash
// in the conversation (skipped repeats aside).
func (s *Service) asked(ctx context.Context, q db.Querier, convID int64, hash string) (bool, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM bot_interactions WHERE conversation_id = ? AND question_hash = ? AND outcome <> ?`,
		convID, hash, OutcomeSkipped).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("bot: find question: %w", err)
	}
	return n > 0, nil
}

// agentReplied reports whether an agent wrote a public reply in the
// conversation.
func agentReplied(ctx context.Context, q db.Querier, convID int64) (bool, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND author_type = 'agent' AND kind = ?`,
		convID, conversation.KindReply).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("bot: check agent replies: %w", err)
	}
	return n > 0, nil
}

// lockTx makes sure the conversation's bot row exists, takes its row lock
// (PostgreSQL; SQLite has one writer) and returns the state read under
// it. ok is false when the bot must stay silent: it is no longer in charge
// or an agent has replied.
func (s *Service) lockTx(ctx context.Context, tx *db.Tx, convID, inboxID int64) (convState, bool, error) {
	now := db.Ms(s.Now())
	if _, err := tx.Exec(ctx, `INSERT INTO bot_conversations (conversation_id, inbox_id, created_at, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (conversation_id) DO NOTHING`, convID, inboxID, now, now); err != nil {
		return convState{}, false, fmt.Errorf("bot: start state: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE bot_conversations SET updated_at = ? WHERE conversation_id = ?`, now, convID); err != nil {
		return convState{}, false, fmt.Errorf("bot: lock state: %w", err)
	}
	st, err := s.state(ctx, tx, convID)
	if err != nil {
		return st, false, err
	}
	if st.state != StateActive {
		return st, false, nil
	}
	replied, err := agentReplied(ctx, tx, convID)
	return st, err == nil && !replied, err
}

// take marks the conversation taken by the bot (its first action) inside tx.
func (s *Service) take(ctx context.Context, tx *db.Tx, convID int64, st convState) error {
	if st.takenAt.Valid {
		return nil
	}
	_, err := tx.Exec(ctx, `UPDATE bot_conversations SET taken_at = ? WHERE conversation_id = ?`, db.Ms(s.Now()), convID)
	return err
}

// skip records a question the bot stays silent on.
func (s *Service) skip(ctx context.Context, conv conversation.Conversation, messageID int64, hash string) error {
	return s.db.WriteTx(ctx, func(tx *db.Tx) error {
		if _, ok, err := s.lockTx(ctx, tx, conv.ID, conv.InboxID); err != nil || !ok {
			return err
		}
		_, err := tx.InsertID(ctx, `INSERT INTO bot_interactions (conversation_id, inbox_id, question_message_id, question_hash, outcome, created_at, decided_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, conv.ID, conv.InboxID, messageID, hash, OutcomeSkipped, db.Ms(s.Now()), db.Ms(s.Now()))
		return err
	})
}

// articleURL is the help center page of article id in lang.
func (s *Service) articleURL(lang string, id int64) string {
	return fmt.Sprintf("%s/help/%s/a/%d", s.baseURL, lang, id)
}

// offer stores the interaction and the bot's reply offering cands.
func (s *Service) offer(ctx context.Context, conv conversation.Conversation, messageID int64, hash, lang string, cands []Candidate,
	best float64) error {
	arts := make([]Article, len(cands))
	for i, c := range cands {
		arts[i] = Article{ID: c.ID, Title: c.Title, URL: s.articleURL(lang, c.ID), Snippet: c.Snippet}
	}
	return s.db.WriteTx(ctx, func(tx *db.Tx) error {
		st, ok, err := s.lockTx(ctx, tx, conv.ID, conv.InboxID)
		if err != nil || !ok {
			return err
		}
		if dup, err := s.asked(ctx, tx, conv.ID, hash); err != nil || dup {
			return err
		}
		now := db.Ms(s.Now())
		id, err := tx.InsertID(ctx, `INSERT INTO bot_interactions (conversation_id, inbox_id, question_message_id, question_hash, articles,
			confidence, outcome, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, conv.ID, conv.InboxID, messageID, hash, db.JSON(arts), best,
			OutcomeOffered, now)
		if err != nil {
			return fmt.Errorf("bot: store interaction: %w", err)
		}
		text, htm := offerText(lang, arts)
		msg, err := s.convs.AddMessageTx(ctx, tx, Actor, conv.ID, conversation.MessageInput{Body: text, HTML: htm, AuthorType: "bot",
			ChannelMeta: map[string]any{"bot": map[string]any{"interaction_id": id, "articles": arts, "question": "solved"}}})
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE bot_interactions SET answer_message_id = ? WHERE id = ?`, msg.ID, id); err != nil {
			return err
		}
		return s.take(ctx, tx, conv.ID, st)
	})
}

// texts are the bot's sentences per language.
var texts = map[string]struct{ intro, ask string }{
	"he": {intro: "מצאתי מאמרים שאולי עונים על השאלה:", ask: "האם זה פתר את השאלה? השיבו „כן” או „לא” (אפשר גם לבקש נציג)."},
	"en": {intro: "These articles may answer your question:", ask: `Did this solve your question? Reply "yes" or "no" (or ask for an agent).`},
}

// offerText is the bot's reply: plain text and HTML (escaped titles, links
// to the help center), in lang.
func offerText(lang string, arts []Article) (string, string) {
	t := texts[lang]
	var b, h strings.Builder
	b.WriteString(t.intro + "\n\n")
	h.WriteString("<p>" + html.EscapeString(t.intro) + "</p><ol>")
	for i, a := range arts {
		fmt.Fprintf(&b, "%d. %s\n   %s\n", i+1, a.Title, a.URL)
		fmt.Fprintf(&h, `<li><a href="%s">%s</a></li>`, html.EscapeString(a.URL), html.EscapeString(a.Title))
	}
	b.WriteString("\n" + t.ask)
	h.WriteString("</ol><p>" + html.EscapeString(t.ask) + "</p>")
	return b.String(), h.String()
}

// Answer records the customer's answer to interaction interactionID of
// conversation convID (the widget's "yes"/"no" buttons, or a typed
// answer): solved closes the conversation as solved by the bot (status
// solved, counted as a deflection); not solved hands it over (reason
// "no"). Errors: errs.ErrNotFound (no such interaction in the
// conversation), errs.ErrConflict (the interaction is already decided or
// the bot is no longer in charge), database errors.
func (s *Service) Answer(ctx context.Context, convID, interactionID int64, solved bool) error {
	if !solved {
		var outcome string
		err := s.db.R().QueryRow(ctx, `SELECT outcome FROM bot_interactions WHERE id = ? AND conversation_id = ?`, interactionID,
			convID).Scan(&outcome)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("bot interaction %d: %w", interactionID, errs.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if outcome != OutcomeOffered {
			return fmt.Errorf("bot interaction %d is already %s: %w", interactionID, outcome, errs.ErrConflict)
		}
		return s.handover(ctx, convID, 0, ReasonNo, nil)
	}
	return s.db.WriteTx(ctx, func(tx *db.Tx) error {
		conv, err := s.convs.GetTx(ctx, tx, convID)
		if err != nil {
			return err
		}
		var outcome string
		err = tx.QueryRow(ctx, `SELECT outcome FROM bot_interactions WHERE id = ? AND conversation_id = ?`, interactionID, convID).Scan(&outcome)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("bot interaction %d: %w", interactionID, errs.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if outcome != OutcomeOffered {
			return fmt.Errorf("bot interaction %d is already %s: %w", interactionID, outcome, errs.ErrConflict)
		}
		st, ok, err := s.lockTx(ctx, tx, convID, conv.InboxID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("the bot is no longer in charge of conversation %d: %w", convID, errs.ErrConflict)
		}
		now := db.Ms(s.Now())
		if _, err := tx.Exec(ctx, `UPDATE bot_interactions SET outcome = ?, decided_at = ? WHERE id = ?`, OutcomeDeflected, now,
			interactionID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE bot_conversations SET state = ?, decided_at = ? WHERE conversation_id = ?`, StateSolved, now,
			convID); err != nil {
			return err
		}
		if err := s.take(ctx, tx, convID, st); err != nil {
			return err
		}
		if conv.Status != conversation.StatusSolved {
			if _, err := s.convs.UpdateTx(ctx, tx, Actor, convID, conversation.Patch{Status: patch.Of(conversation.StatusSolved)}); err != nil {
				return err
			}
		}
		return s.convs.AddEventTx(ctx, tx, Actor, convID, "bot_solved", map[string]any{"interaction_id": interactionID})
	})
}

// Pending reports whether interaction interactionID of conversation convID
// is an offer still waiting for the customer's answer (outcome "offered"):
// the widget shows its yes/no buttons only then, so a visitor who answered
// and reloads the page does not get them again (an answer to a decided
// offer is a conflict). False, nil for an interaction not in the
// conversation.
func (s *Service) Pending(ctx context.Context, convID, interactionID int64) (bool, error) {
	var outcome string
	err := s.db.R().QueryRow(ctx, `SELECT outcome FROM bot_interactions WHERE id = ? AND conversation_id = ?`, interactionID,
		convID).Scan(&outcome)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return outcome == OutcomeOffered, nil
}

// Handover hands conversation convID over to a person at the customer's
// request (the widget's "talk to a person"): see handover. Calling it again,
// or after any other handover, changes nothing. Errors: errs.ErrNotFound,
// database errors.
func (s *Service) Handover(ctx context.Context, convID int64) error {
	return s.handover(ctx, convID, 0, ReasonRequested, nil)
}

// lowConfidence is the question that found no confident article.
type lowConfidence struct {
	hash       string
	confidence float64
}

// handover makes the bot step out of conversation convID for reason: the
// pending offers are decided as handover_<reason> (a low-confidence question
// or a request without a pending offer gets its own interaction row), an internal note
// lists what the customer and the bot said and the articles offered, the
// conversation goes to the handover team's queue (status open, no
// assignee; the team is the inbox's bot handover_team_id when set), a
// "bot_handover" event goes in the timeline and the team's active members
// are notified (the realtime hub pushes the conversation, message and
// notification events to agents). Nothing happens when the inbox's bot is
// disabled, the bot is no longer in charge (already handed over or solved)
// or an agent has replied.
func (s *Service) handover(ctx context.Context, convID, messageID int64, reason string, low *lowConfidence) error {
	return s.db.WriteTx(ctx, func(tx *db.Tx) error {
		conv, err := s.convs.GetTx(ctx, tx, convID)
		if err != nil {
			return err
		}
		ib, err := s.inboxes.Get(ctx, conv.InboxID)
		if err != nil {
			return err
		}
		if !ib.Bot().Enabled {
			return nil
		}
		if _, ok, err := s.lockTx(ctx, tx, convID, conv.InboxID); err != nil || !ok {
			return err
		}
		now := db.Ms(s.Now())
		outcome := "handover_" + reason
		res, err := tx.Exec(ctx, `UPDATE bot_interactions SET outcome = ?, decided_at = ? WHERE conversation_id = ? AND outcome = ?`,
			outcome, now, convID, OutcomeOffered)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 || low != nil {
			hash, conf := "", 0.0
			if low != nil {
				hash, conf = low.hash, low.confidence
			}
			if _, err := tx.InsertID(ctx, `INSERT INTO bot_interactions (conversation_id, inbox_id, question_message_id, question_hash,
				confidence, outcome, created_at, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, convID, conv.InboxID, db.IDArg(messageID),
				hash, conf, outcome, now, now); err != nil {
				return fmt.Errorf("bot: store interaction: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE bot_conversations SET state = ?, reason = ?, decided_at = ?, taken_at = COALESCE(taken_at, ?)
			WHERE conversation_id = ?`, StateHandedOver, reason, now, now, convID); err != nil {
			return err
		}
		note, err := s.noteText(ctx, tx, conv, reason)
		if err != nil {
			return err
		}
		if _, err := s.convs.AddMessageTx(ctx, tx, Actor, convID, conversation.MessageInput{Kind: conversation.KindNote, Body: note,
			AuthorType: "bot", ChannelMeta: map[string]any{"bot": map[string]any{"handover": reason}}}); err != nil {
			return err
		}
		p := conversation.Patch{AssigneeID: patch.Clear[int64]()}
		if conv.Status != conversation.StatusOpen {
			p.Status = patch.Of(conversation.StatusOpen)
		}
		team := ib.Bot().HandoverTeamID
		if team != 0 {
			p.TeamID = patch.Of(team)
		} else {
			team = conv.TeamIDOr0()
		}
		if _, err := s.convs.UpdateTx(ctx, tx, Actor, convID, p); err != nil {
			return err
		}
		if err := s.convs.AddEventTx(ctx, tx, Actor, convID, "bot_handover", map[string]any{"reason": reason}); err != nil {
			return err
		}
		return s.notifyTeam(ctx, tx, team, conv, reason)
	})
}

// notifyTeam notifies the active members of team (none when 0) of the
// handover of conv.
func (s *Service) notifyTeam(ctx context.Context, tx *db.Tx, team int64, conv conversation.Conversation, reason string) error {
	if team == 0 {
		return nil
	}
	ids, err := db.QueryIDs(ctx, tx, `SELECT a.id FROM team_members m JOIN agents a ON a.id = m.agent_id WHERE m.team_id = ?
		AND a.active = ? ORDER BY a.id`, team, true)
	if err != nil {
		return fmt.Errorf("bot: team members: %w", err)
	}
	cid := conv.ID
	for _, id := range ids {
		if _, err := notification.CreateTx(ctx, tx, s.outbox, notification.Notification{AgentID: id, Kind: NotificationKind,
			ConversationID: &cid, Data: map[string]any{"number": conv.Number, "subject": conv.Subject, "reason": reason}}); err != nil {
			return err
		}
	}
	return nil
}

// noteLabels are the handover note's words per language.
var noteLabels = map[string]struct{ title, customer, bot, articles, none string }{
	"he": {title: "הבוט העביר את השיחה לנציג", customer: "לקוח", bot: "בוט", articles: "מאמרים שהוצעו:", none: "לא הוצעו מאמרים."},
	"en": {title: "The bot handed this conversation over", customer: "Customer", bot: "Bot", articles: "Articles offered:", none: "No articles were offered."},
}

// reasonLabels explain a handover reason per language.
var reasonLabels = map[string]map[string]string{
	"he": {ReasonNo: "הלקוח השיב שהמאמרים לא פתרו את השאלה", ReasonRequested: "הלקוח ביקש לדבר עם נציג",
		ReasonLowConfidence: "לא נמצא מאמר מתאים מספיק"},
	"en": {ReasonNo: "the customer said the articles did not solve it", ReasonRequested: "the customer asked for a person",
		ReasonLowConfidence: "no article matched well enough"},
}

// maxNoteMessages is how many of the latest customer and bot messages the
// handover note quotes.
const maxNoteMessages = 20

// noteText is the handover note: the reason, the latest customer and bot
// messages (oldest first) and every article offered, in the conversation's
// language (Hebrew unless English).
func (s *Service) noteText(ctx context.Context, tx *db.Tx, conv conversation.Conversation, reason string) (string, error) {
	lang := conv.Language
	if lang != "en" {
		lang = "he"
	}
	l := noteLabels[lang]
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s.\n\n", l.title, reasonLabels[lang][reason])
	rows, err := tx.Query(ctx, `SELECT author_type, body_text FROM messages WHERE conversation_id = ? AND kind = ?
		AND author_type IN ('contact', 'bot') ORDER BY id DESC LIMIT ?`, conv.ID, conversation.KindReply, maxNoteMessages)
	if err != nil {
		return "", fmt.Errorf("bot: read thread: %w", err)
	}
	var lines []string
	for rows.Next() {
		var who, text string
		if err := rows.Scan(&who, &text); err != nil {
			rows.Close()
			return "", err
		}
		name := l.customer
		if who == "bot" {
			name = l.bot
		}
		lines = append(lines, name+": "+strings.ReplaceAll(strings.TrimSpace(text), "\n", " "))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", err
	}
	for i := len(lines) - 1; i >= 0; i-- {
		b.WriteString(lines[i] + "\n")
	}
	arts, err := offered(ctx, tx, conv.ID)
	if err != nil {
		return "", err
	}
	if len(arts) == 0 {
		b.WriteString("\n" + l.none)
		return b.String(), nil
	}
	b.WriteString("\n" + l.articles + "\n")
	for _, a := range arts {
		fmt.Fprintf(&b, "- %s (%s)\n", a.Title, a.URL)
	}
	return strings.TrimRight(b.String(), "\n"), nil
}

// offered returns every article offered in conversation convID, in order,
// each once.
func offered(ctx context.Context, q db.Querier, convID int64) ([]Article, error) {
	rows, err := q.Query(ctx, `SELECT articles FROM bot_interactions WHERE conversation_id = ? ORDER BY id`, convID)
	if err != nil {
		return nil, fmt.Errorf("bot: read offers: %w", err)
	}
	defer rows.Close()
	seen := map[int64]bool{}
	var out []Article
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		var arts []Article
		_ = json.Unmarshal([]byte(raw), &arts)
		for _, a := range arts {
			if !seen[a.ID] {
				seen[a.ID] = true
				out = append(out, a)
			}
		}
	}
	return out, rows.Err()
}
