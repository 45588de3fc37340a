package survey

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/channel/email/outbound"
	"github.com/kesherdesk/kesher/internal/channel/email/parse"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/jobs"
)

// Reasons an invitation is skipped (survey_invitations.skip_reason).
const (
	SkipNotSolved  = "not_solved"               // reopened before the send time
	SkipNoInbox    = "no_email_inbox"           // the inbox is not an email inbox
	SkipNoAddress  = outbound.WithheldNoAddress // the requester has no address
	SkipAutoSubmit = "auto_submitted"           // the last customer message was an auto-reply or bulk mail
	SkipBounced    = outbound.WithheldBounced   // mail to the address bounces
	SkipLimit      = outbound.WithheldLimit     // the hourly automatic-mail limit is reached
)

// runSend sends a scheduled CSAT invitation (in the job's transaction).
func (s *Service) runSend(ctx context.Context, tx *db.Tx, j jobs.Job) error {
	var p struct {
		InvitationID int64 `json:"invitation_id"`
	}
	if err := j.Decode(&p); err != nil {
		return nil // unreadable: nothing a retry can fix
	}
	_, err := s.SendTx(ctx, tx, p.InvitationID)
	return err
}

// SendTx sends scheduled invitation id now: it checks again that the
// conversation is still solved or closed, that its inbox is an email
// inbox, that the requester has an address that has not bounced, that the
// last customer message was written by a person (not an auto-reply or
// bulk mail), and that the inbox's automatic-mail limit allows one more;
// then it adds the survey email as an automatic outbound reply of the
// conversation (channel_meta automatic:true, auto:"csat"; the status is
// kept) and schedules its delivery. Otherwise the invitation is marked
// skipped with the reason. It returns the message id, 0 when nothing was
// sent (also for an invitation already sent or skipped).
func (s *Service) SendTx(ctx context.Context, tx *db.Tx, id int64) (int64, error) {
	var kind, status, lang, convStatus, channel, settings, addr, name string
	var convID int64
	var lastInbound sql.NullString
	err := tx.QueryRow(ctx, `SELECT i.kind, i.status, i.language, i.conversation_id, c.status, ib.channel, ib.settings, p.email, p.name,
		(SELECT m.channel_meta FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'inbound' AND m.kind = 'reply'
		 ORDER BY m.created_at DESC, m.id DESC LIMIT 1)
		FROM survey_invitations i JOIN conversations c ON c.id = i.conversation_id JOIN inboxes ib ON ib.id = c.inbox_id
		JOIN contacts p ON p.id = i.contact_id WHERE i.id = ?`, id).Scan(&kind, &status, &lang, &convID, &convStatus, &channel,
		&settings, &addr, &name, &lastInbound)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("survey: invitation %d: %w", id, err)
	}
	if status != StatusScheduled {
		return 0, nil
	}
	now := s.Now()
	why, err := s.withheld(ctx, tx, convStatus, channel, settings, addr, lastInbound.String, now)
	if err != nil {
		return 0, err
	}
	if why != "" {
		s.log.Info("survey invitation skipped", "invitation_id", id, "why", why)
		_, err := tx.Exec(ctx, `UPDATE survey_invitations SET status = ?, skip_reason = ? WHERE conversation_id = ? AND status = ?`,
			StatusSkipped, why, convID, StatusScheduled)
		return 0, err
	}
	token, err := s.NewLinkTx(ctx, tx, id)
	if err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `UPDATE survey_invitations SET status = ?, sent_at = ?, expires_at = ? WHERE conversation_id = ?
		AND status = ?`, StatusSent, db.Ms(now), db.Ms(now.Add(AnswerWindow)), convID, StatusScheduled); err != nil {
		return 0, err
	}
	m := renderCSAT(Language(lang), name, s.Link(token))
	msg, err := s.conversations.AddMessageTx(ctx, tx, Actor, convID, conversation.MessageInput{Kind: conversation.KindReply,
		Direction: conversation.DirectionOutbound, Body: m.Body, KeepStatus: true, OnClosed: true, ChannelMeta: map[string]any{"automatic": true,
			"auto": "csat", "subject": m.Subject + " " + parse.FormatSubjectTag(convID), "language": Language(lang),
			"survey_invitation_id": id}})
	if err != nil {
		return 0, fmt.Errorf("survey: email of invitation %d: %w", id, err)
	}
	if s.o.Mail != nil {
		if _, err := s.o.Mail.ScheduleTx(ctx, tx, msg.ID); err != nil {
			return 0, err
		}
	}
	return msg.ID, nil
}

// Link is the public address of token's page.
func (s *Service) Link(token string) string {
	return strings.TrimRight(s.o.BaseURL, "/") + "/s/" + token
}

// withheld says why no survey may go out now ("" when it may); when it
// may, the automatic-mail limit has recorded the mail.
func (s *Service) withheld(ctx context.Context, tx *db.Tx, convStatus, channel, settings, addr, lastInbound string,
	now time.Time) (string, error) {
	if convStatus != conversation.StatusSolved && convStatus != conversation.StatusClosed {
		return SkipNotSolved, nil
	}
	if channel != inbox.ChannelEmail {
		return SkipNoInbox, nil
	}
	if lastInbound != "" {
		var meta map[string]any
		if json.Unmarshal([]byte(lastInbound), &meta) == nil {
			if k, _ := meta["kind"].(string); k == parse.KindAutoReply || k == parse.KindBulk {
				return SkipAutoSubmit, nil
			}
		}
	}
	return s.mayMail(ctx, tx, settings, addr, now)
}

// mayMail checks an address for an automatic survey email: present, not
// bounced, under the inbox's automatic-mail limit (inbox settings JSON);
// see outbound.WithholdAutomatic.
func (s *Service) mayMail(ctx context.Context, tx *db.Tx, settings, addr string, now time.Time) (string, error) {
	return outbound.WithholdAutomatic(ctx, tx, addr, settings, now)
}
