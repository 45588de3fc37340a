package lateness

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/channel/email/outbound"
	"github.com/kesherdesk/kesher/internal/channel/email/parse"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/sla/calendar"
)

// order is the stored state of an order the detector reads.
type order struct {
	id, contactID int64
	number        string // the order number, else its external_id (notices, subjects)
	facts         Facts
	lateness      string
	daysLate      int
	lateSince     sql.NullInt64
	seq           int64
	convID        sql.NullInt64
	name, email   string
	language      string
}

// loadOrder reads order id locked for update (FOR UPDATE on PostgreSQL;
// SQLite's single writer serialises evaluations). ok is false when there is
// no such order.
func loadOrder(ctx context.Context, tx *db.Tx, id int64) (order, bool, error) {
	q := `SELECT o.id, o.contact_id, o.number, o.external_id, o.status, o.carrier_status, o.promised_by, o.shipped_at, o.delivered_at,
		o.carrier_eta, o.lateness, o.days_late, o.late_since, o.lateness_seq, o.conversation_id, c.name, c.email, c.language
		FROM orders o JOIN contacts c ON c.id = o.contact_id WHERE o.id = ?`
	if tx.Dialect() == db.Postgres {
		q += ` FOR UPDATE OF o`
	}
	var o order
	var external string
	var promised, shipped, delivered, eta sql.NullInt64
	err := tx.QueryRow(ctx, q, id).Scan(&o.id, &o.contactID, &o.number, &external, &o.facts.Status, &o.facts.CarrierStatus, &promised,
		&shipped, &delivered, &eta, &o.lateness, &o.daysLate, &o.lateSince, &o.seq, &o.convID, &o.name, &o.email, &o.language)
	if errors.Is(err, sql.ErrNoRows) {
		return order{}, false, nil
	}
	if err != nil {
		return order{}, false, fmt.Errorf("lateness: load order %d: %w", id, err)
	}
	o.facts.PromisedBy, o.facts.ShippedAt = db.TimePtr(promised), db.TimePtr(shipped)
	o.facts.DeliveredAt, o.facts.CarrierETA = db.TimePtr(delivered), db.TimePtr(eta)
	if o.number == "" {
		// The customer knows the shop's references, never Kesher's internal
		// id: without a number, the external_id as stored (API and CSV
		// orders carry the merchant's own id there; shop webhooks always
		// give a number).
		o.number = external
	}
	return o, true, nil
}

// EvaluateTx evaluates order id at now under st and cal inside tx and
// applies a changed verdict:
//
//   - the order's lateness, days_late and late_since are stored (late_since:
//     promised_by when late, the instant it became at risk when at risk,
//     null when on time); lateness_seq grows by one when the verdict (not
//     only the days) changed, and TopicLatenessChanged is published;
//   - an order that became late or at risk gets its late-delivery
//     conversation unless orders.conversation_id names one that is not
//     closed: exactly one, created in this transaction with the order row
//     locked, requester the order's contact, tag "late-delivery",
//     order_id set, subject in the contact's language, opened by an
//     internal note for agents;
//   - then, once per change (order_notices (order_id, seq)), the proactive
//     notice when the settings notify, the conversation's inbox is an email
//     inbox, the contact has an address that has not bounced, and the
//     automatic-mail limit allows it: an outbound reply by the system with
//     the offer's explanation when the Offerer grants one;
//   - an order back on time (delivered, cancelled, returned, new promise)
//     gets an internal note in its open conversation, no notice.
//
// Days-late changes alone (late 2 → late 3) store the days and do nothing
// else. A second evaluation with nothing new changes nothing.
func (s *Service) EvaluateTx(ctx context.Context, tx *db.Tx, id int64, st Settings, cal *calendar.Calendar, now time.Time) (Result, error) {
	o, ok, err := loadOrder(ctx, tx, id)
	if err != nil || !ok {
		return Result{}, err
	}
	v := Evaluate(o.facts, cal, st.rules(), now)
	r := Result{OrderID: id, Verdict: v, Previous: o.lateness}
	if o.convID.Valid {
		r.ConversationID = o.convID.Int64
	}
	if v.Lateness == o.lateness && v.DaysLate == o.daysLate {
		return r, nil
	}
	r.Changed = true
	changed := v.Lateness != o.lateness
	var since any
	switch v.Lateness {
	case Late:
		since = db.Ms(v.Since)
	case AtRisk:
		since = db.Ms(now)
		if !changed && o.lateSince.Valid {
			since = o.lateSince.Int64
		}
	}
	seq := o.seq
	if changed {
		seq++
	}
	if _, err := tx.Exec(ctx, `UPDATE orders SET lateness = ?, days_late = ?, late_since = ?, lateness_seq = ? WHERE id = ?`,
		v.Lateness, v.DaysLate, since, seq, id); err != nil {
		return r, fmt.Errorf("lateness: store verdict of order %d: %w", id, err)
	}
	if changed {
		lang := language(o.language)
		f := noticeFacts{Lateness: v.Lateness, Number: o.number, Name: o.name, ETA: o.facts.CarrierETA, DaysLate: v.DaysLate}
		if o.facts.PromisedBy != nil {
			f.Promised = *o.facts.PromisedBy
		}
		if v.Lateness == OnTime {
			err = s.closeNote(ctx, tx, o, f, cal.Location(), lang, v)
		} else {
			err = s.open(ctx, tx, o, seq, st, f, cal.Location(), lang, now, &r)
		}
		if err != nil {
			return r, err
		}
	}
	var conv any
	if r.ConversationID != 0 {
		conv = r.ConversationID
	}
	return r, s.outbox.Publish(ctx, tx, TopicLatenessChanged, map[string]any{"order_id": id, "lateness": v.Lateness,
		"previous_lateness": o.lateness, "days_late": v.DaysLate, "conversation_id": conv})
}

// openConversation returns the order's late-delivery conversation that is
// not closed, 0 when there is none.
func openConversation(ctx context.Context, tx *db.Tx, o order) (int64, error) {
	if !o.convID.Valid {
		return 0, nil
	}
	var status string
	err := tx.QueryRow(ctx, `SELECT status FROM conversations WHERE id = ?`, o.convID.Int64).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && status == conversation.StatusClosed) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return o.convID.Int64, nil
}

// closeNote adds the "delivered" (or "no longer late") note to the order's
// open conversation.
func (s *Service) closeNote(ctx context.Context, tx *db.Tx, o order, f noticeFacts, loc *time.Location, lang string, v Verdict) error {
	convID, err := openConversation(ctx, tx, o)
	if err != nil || convID == 0 {
		return err
	}
	reason := ""
	if len(v.Reasons) > 0 {
		reason = v.Reasons[0]
	}
	_, err = s.conversations.AddMessageTx(ctx, tx, Actor, convID, conversation.MessageInput{Kind: conversation.KindNote,
		Body: note(f, loc, lang, reason), ChannelMeta: map[string]any{"auto": "late_delivery", "order_id": o.id, "lateness": OnTime}})
	return err
}

// noticeInbox picks the inbox of a new late-delivery conversation: the
// configured one when it exists and is enabled, else the first enabled
// email inbox, else the first enabled inbox; 0 when the desk has none.
func noticeInbox(ctx context.Context, tx *db.Tx, st Settings) (int64, error) {
	var id int64
	if st.NoticeInboxID > 0 {
		err := tx.QueryRow(ctx, `SELECT id FROM inboxes WHERE id = ? AND enabled = ?`, st.NoticeInboxID, true).Scan(&id)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
	}
	for _, q := range []string{
		`SELECT id FROM inboxes WHERE enabled = ? AND channel = 'email' ORDER BY id LIMIT 1`,
		`SELECT id FROM inboxes WHERE enabled = ? ORDER BY id LIMIT 1`,
	} {
		err := tx.QueryRow(ctx, q, true).Scan(&id)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
	}
	return 0, nil
}

// open makes sure the late or at-risk order has its open conversation and
// sends the change's notice.
func (s *Service) open(ctx context.Context, tx *db.Tx, o order, seq int64, st Settings, f noticeFacts, loc *time.Location,
	lang string, now time.Time, r *Result) error {
	convID, err := openConversation(ctx, tx, o)
	if err != nil {
		return err
	}
	opening := note(f, loc, lang, "")
	if convID == 0 {
		inboxID, err := noticeInbox(ctx, tx, st)
		if err != nil {
			return err
		}
		if inboxID == 0 {
			s.log.Warn("late-delivery conversation not opened: the desk has no enabled inbox", "order_id", o.id)
			return nil
		}
		orderID := o.id
		conv, _, err := s.conversations.CreateTx(ctx, tx, Actor, conversation.CreateInput{InboxID: inboxID,
			Subject: subject(f, loc, lang), Requester: conversation.RequesterInput{ID: o.contactID}, Tags: []string{Tag},
			Language: lang, OrderID: &orderID, Message: &conversation.MessageInput{Kind: conversation.KindNote, Body: opening,
				ChannelMeta: map[string]any{"auto": "late_delivery", "order_id": o.id, "lateness": f.Lateness}}})
		if err != nil {
			return fmt.Errorf("lateness: open conversation of order %d: %w", o.id, err)
		}
		convID = conv.ID
		if _, err := tx.Exec(ctx, `UPDATE orders SET conversation_id = ? WHERE id = ?`, convID, o.id); err != nil {
			return err
		}
	} else if _, err := s.conversations.AddMessageTx(ctx, tx, Actor, convID, conversation.MessageInput{Kind: conversation.KindNote,
		Body: opening, ChannelMeta: map[string]any{"auto": "late_delivery", "order_id": o.id, "lateness": f.Lateness}}); err != nil {
		return err
	}
	r.ConversationID = convID
	if !st.Notify {
		return nil
	}
	// One notice per change: the row is the claim.
	res, err := tx.Exec(ctx, `INSERT INTO order_notices (order_id, seq, lateness, conversation_id, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (order_id, seq) DO NOTHING`, o.id, seq, f.Lateness, convID, db.Ms(now))
	if err != nil {
		return fmt.Errorf("lateness: notice of order %d: %w", o.id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	why, err := s.withheld(ctx, tx, o, convID, now)
	if err != nil {
		return err
	}
	if why != "" {
		s.log.Info("late-delivery notice withheld", "order_id", o.id, "why", why)
		_, err := s.conversations.AddMessageTx(ctx, tx, Actor, convID, conversation.MessageInput{Kind: conversation.KindNote,
			Body: fill(catalog[lang].NoteNoNotice, map[string]string{"why": catalog[lang].Why[why]}), ChannelMeta: map[string]any{"auto": "late_delivery",
				"order_id": o.id, "withheld": why}})
		return err
	}
	if s.o.Offerer != nil {
		offer, ok, err := s.o.Offerer.OfferTx(ctx, tx, o.id, lang)
		if err != nil {
			return fmt.Errorf("lateness: offer for order %d: %w", o.id, err)
		}
		if ok {
			f.Offer = strings.TrimSpace(offer.Explanation)
		}
	}
	n := renderNotice(f, loc, lang)
	msg, err := s.conversations.AddMessageTx(ctx, tx, Actor, convID, conversation.MessageInput{Kind: conversation.KindReply,
		Direction: conversation.DirectionOutbound, Body: n.Body, ChannelMeta: map[string]any{"automatic": true,
			"auto": "late_notice", "subject": n.Subject + " " + parse.FormatSubjectTag(convID), "language": lang,
			"order_id": o.id, "lateness": f.Lateness}})
	if err != nil {
		return fmt.Errorf("lateness: notice of order %d: %w", o.id, err)
	}
	r.NoticeID = msg.ID
	if _, err := tx.Exec(ctx, `UPDATE order_notices SET message_id = ? WHERE order_id = ? AND seq = ?`, msg.ID, o.id, seq); err != nil {
		return err
	}
	if s.o.Mail != nil {
		if _, err := s.o.Mail.ScheduleTx(ctx, tx, msg.ID); err != nil {
			return err
		}
	}
	return nil
}

// Reasons a notice is withheld (channel_meta "withheld" of the note).
const (
	whyNoInbox   = "no_email_inbox"
	whyNoAddress = outbound.WithheldNoAddress
	whyBounced   = outbound.WithheldBounced
	whyLimit     = outbound.WithheldLimit
)

// withheld says why no notice may go to o's contact in conversation
// convID ("" when it may): the conversation's inbox is not an email inbox,
// the contact has no address, the address bounced, or the automatic-mail
// limit of the inbox is reached (which AllowAutomaticN records when it
// allows).
func (s *Service) withheld(ctx context.Context, tx *db.Tx, o order, convID int64, now time.Time) (string, error) {
	var channel, raw string
	if err := tx.QueryRow(ctx, `SELECT i.channel, i.settings FROM conversations c JOIN inboxes i ON i.id = c.inbox_id WHERE c.id = ?`,
		convID).Scan(&channel, &raw); err != nil {
		return "", err
	}
	if channel != inbox.ChannelEmail {
		return whyNoInbox, nil
	}
	return outbound.WithholdAutomatic(ctx, tx, o.email, raw, now)
}
