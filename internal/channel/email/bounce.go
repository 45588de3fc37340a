package email

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kesherdesk/kesher/internal/channel/email/parse"
	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/inbox"
)

// bounce handles a delivery failure report: it finds the returned message
// by its Message-ID (or the report's In-Reply-To/References), adds the
// report to that conversation as an internal note (no status change), a
// "delivery_failed" event naming the recipients, marks the outbound
// message's delivery_status failed with the diagnostic in channel_meta
// "delivery_error", and records the addresses as bouncing (permanent
// failures only). A report for unknown mail is kept with status ignored.
func (s *Service) bounce(ctx context.Context, box inbox.Inbox, rawID int64, m *parse.Message) (Result, error) {
	b := m.Bounce
	if b == nil {
		b = &parse.Bounce{Permanent: true}
	}
	res := Result{RawID: rawID}
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		res = Result{RawID: rawID}
		ids := append([]string{b.OriginalMessageID}, m.InReplyTo...)
		ids = append(ids, m.References...)
		var convID, msgID int64
		for _, id := range ids {
			c, mr, ok, err := knownMessageID(ctx, tx, box.ID, id)
			if err != nil {
				return err
			}
			if ok {
				convID, msgID = c, mr
				break
			}
		}
		if convID == 0 {
			res.Status, res.Error = StatusIgnored, "bounce for a message this inbox does not know"
			return s.markTx(ctx, tx, res, m.MessageID)
		}
		diag := strings.TrimSpace(strings.Join(nonEmpty(b.Status, b.Diagnostic), " "))
		recipients := []string{}
		for _, r := range b.Recipients {
			if e, ok := contact.NormalizeEmail(r); ok {
				recipients = append(recipients, e)
			}
		}
		if msgID != 0 && b.Permanent {
			if err := markFailedTx(ctx, tx, msgID, diag); err != nil {
				return err
			}
		}
		if b.Permanent {
			for _, r := range recipients {
				if _, err := tx.Exec(ctx, `INSERT INTO email_bounces (address, status, diagnostic, bounced_at) VALUES (?, ?, ?, ?)
					ON CONFLICT (address) DO UPDATE SET status = excluded.status, diagnostic = excluded.diagnostic, bounced_at = excluded.bounced_at`,
					r, truncate(b.Status, 20), truncate(b.Diagnostic, 1000), db.Ms(s.Now())); err != nil {
					return err
				}
			}
		}
		conv, err := s.convs.GetTx(ctx, tx, convID)
		if err != nil {
			return err
		}
		body := truncate(strings.TrimSpace(m.Text), conversation.MaxBodyTextBytes)
		if body == "" {
			body = "Delivery failure report"
		}
		meta := map[string]any{"message_id": m.MessageID, "from": m.From, "subject": m.Subject, "raw_id": rawID,
			"kind": parse.KindBounce, "auto_reason": m.KindReason, "bounce": b, "bounced_message_id": msgID}
		if conv.Status != conversation.StatusClosed {
			note, err := s.convs.AddMessageTx(ctx, tx, actor, convID, conversation.MessageInput{Kind: conversation.KindNote, Body: body,
				ChannelMeta: meta})
			if err != nil {
				return err
			}
			res.MessageID = note.ID
		}
		to := strings.Join(recipients, ", ")
		if to == "" {
			to = conv.Requester.Email
		}
		if err := s.convs.AddEventTx(ctx, tx, actor, convID, "delivery_failed", map[string]any{"to": to, "diagnostic": diag,
			"message_id": msgID}); err != nil {
			return err
		}
		res.Status, res.ConversationID = StatusParsed, convID
		if err := RecordMessageIDTx(ctx, tx, box.ID, m.MessageID, convID, res.MessageID); err != nil {
			return err
		}
		return s.markTx(ctx, tx, res, m.MessageID)
	})
	return res, err
}

func nonEmpty(xs ...string) []string {
	out := []string{}
	for _, x := range xs {
		if strings.TrimSpace(x) != "" {
			out = append(out, strings.TrimSpace(x))
		}
	}
	return out
}

// markFailedTx sets an outbound message's delivery_status to failed with
// the reason in channel_meta "delivery_error".
func markFailedTx(ctx context.Context, tx *db.Tx, msgID int64, reason string) error {
	var metaJSON, direction string
	err := tx.QueryRow(ctx, `SELECT channel_meta, direction FROM messages WHERE id = ?`, msgID).Scan(&metaJSON, &direction)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && direction != conversation.DirectionOutbound) {
		return nil
	}
	if err != nil {
		return err
	}
	meta := map[string]any{}
	_ = json.Unmarshal([]byte(metaJSON), &meta)
	if reason == "" {
		reason = "bounced"
	}
	meta["delivery_error"] = truncate(reason, 1000)
	_, err = tx.Exec(ctx, `UPDATE messages SET delivery_status = 'failed', channel_meta = ? WHERE id = ?`, db.JSON(meta), msgID)
	return err
}

// Bouncing tells whether mail to address last failed permanently, and
// the diagnostic.
func Bouncing(ctx context.Context, q db.Querier, address string) (bool, string, error) {
	a, ok := contact.NormalizeEmail(address)
	if !ok {
		return false, "", nil
	}
	var diag string
	err := q.QueryRow(ctx, `SELECT diagnostic FROM email_bounces WHERE address = ?`, a).Scan(&diag)
	if errors.Is(err, sql.ErrNoRows) {
		return false, "", nil
	}
	return err == nil, diag, err
}

// Raw returns the raw source of the mail message row messageID came from,
// and its size in bytes; the caller closes the reader.
// Errors: errs.ErrNotFound when the message did not come by email.
func (s *Service) Raw(ctx context.Context, messageID int64) (io.ReadSeekCloser, int64, error) {
	var sum string
	var size int64
	err := s.db.R().QueryRow(ctx, `SELECT sha256, size FROM inbound_mails WHERE message_row_id = ? ORDER BY id LIMIT 1`, messageID).
		Scan(&sum, &size)
	if errors.Is(err, sql.ErrNoRows) {
		// A bounce note or a message whose raw_id is in channel_meta.
		var metaJSON string
		if err := s.db.R().QueryRow(ctx, `SELECT channel_meta FROM messages WHERE id = ?`, messageID).Scan(&metaJSON); err != nil {
			return nil, 0, fmt.Errorf("message %d: %w", messageID, errs.ErrNotFound)
		}
		var meta struct {
			RawID int64 `json:"raw_id"`
		}
		_ = json.Unmarshal([]byte(metaJSON), &meta)
		err = s.db.R().QueryRow(ctx, `SELECT sha256, size FROM inbound_mails WHERE id = ?`, meta.RawID).Scan(&sum, &size)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, 0, fmt.Errorf("raw source of message %d: %w", messageID, errs.ErrNotFound)
		}
	}
	if err != nil {
		return nil, 0, err
	}
	r, err := s.files.OpenBlob(ctx, sum)
	return r, size, err
}
