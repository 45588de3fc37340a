package survey

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
)

// MaxComment is the longest comment, in characters.
const MaxComment = 2000

// ScoreRange returns the lowest and highest score of kind: csat 1–5,
// ces 1–7, nps 0–10.
func ScoreRange(kind string) (int, int) {
	switch kind {
	case KindCES:
		return 1, 7
	case KindNPS:
		return 0, 10
	}
	return 1, 5
}

// AnswerInput is what the public form posts: the invitation's score, the
// CES score when the page asks CES too (nil when not answered), and an
// optional comment (≤ MaxComment characters).
type AnswerInput struct {
	Score   *int
	CES     *int
	Comment string
}

// Answer is a stored answer to an invitation.
type Answer struct {
	Score   int
	CES     *int
	Comment string
}

// Current returns inv's stored answer, nil when none.
func (s *Service) Current(ctx context.Context, inv Invitation) (*Answer, error) {
	var a Answer
	err := s.db.R().QueryRow(ctx, `SELECT score, comment FROM survey_responses WHERE invitation_id = ?`, inv.ID).Scan(&a.Score, &a.Comment)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if inv.CES != 0 {
		var c int
		err := s.db.R().QueryRow(ctx, `SELECT score FROM survey_responses WHERE invitation_id = ?`, inv.CES).Scan(&c)
		if err == nil {
			a.CES = &c
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	return &a, nil
}

// Record stores the answer of token's invitation: a new survey_responses
// row (source "survey"), or — answering again within AnswerWindow — the
// same row with the new score and comment and a new updated_at. The row
// copies the conversation's inbox, team, channel and assignee (NPS: the
// campaign's inbox). A CES score goes to the conversation's CES
// invitation. Errors: errs.ErrNotFound (bad token), ErrClosed (window
// over), *errs.ValidationError on score, ces or comment.
func (s *Service) Record(ctx context.Context, token string, in AnswerInput) (Invitation, error) {
	in.Comment = strings.TrimSpace(in.Comment)
	var inv Invitation
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		var err error
		inv, err = s.resolve(ctx, tx, token)
		if err != nil {
			return err
		}
		var c errs.Checker
		lo, hi := ScoreRange(inv.Kind)
		c.Check(in.Score != nil, "score", "required", "choose a score")
		if in.Score != nil {
			c.Check(*in.Score >= lo && *in.Score <= hi, "score", "out_of_range", "score must be between %d and %d", lo, hi)
		}
		if in.CES != nil {
			c.Check(inv.CES != 0, "ces", "unexpected", "this survey asks no CES question")
			c.Check(*in.CES >= 1 && *in.CES <= 7, "ces", "out_of_range", "ces must be between 1 and 7")
		}
		// PostgreSQL text cannot hold NUL: refused like invalid UTF-8 on
		// both databases.
		c.Check(utf8.ValidString(in.Comment) && !strings.ContainsRune(in.Comment, 0), "comment", "invalid_utf8",
			"comment is not valid UTF-8 text (or holds a NUL character)")
		c.Check(utf8.RuneCountInString(in.Comment) <= MaxComment, "comment", "too_long", "comment must be at most %d characters", MaxComment)
		if err := c.Err(); err != nil {
			return err
		}
		if err := s.upsertAnswer(ctx, tx, inv.ID, inv.Kind, *in.Score, in.Comment); err != nil {
			return err
		}
		if in.CES != nil {
			return s.upsertAnswer(ctx, tx, inv.CES, KindCES, *in.CES, "")
		}
		return nil
	})
	return inv, err
}

// upsertAnswer writes invitation id's response and marks it answered.
func (s *Service) upsertAnswer(ctx context.Context, tx *db.Tx, id int64, kind string, score int, comment string) error {
	now := db.Ms(s.Now())
	res, err := tx.Exec(ctx, `UPDATE survey_responses SET score = ?, comment = ?, updated_at = ? WHERE invitation_id = ?`,
		score, comment, now, id)
	if err != nil {
		return fmt.Errorf("survey: answer invitation %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO survey_responses (kind, source, invitation_id, score, comment, conversation_id, contact_id,
		inbox_id, team_id, agent_id, channel, responded_at, updated_at)
		SELECT i.kind, 'survey', i.id, ?, ?, i.conversation_id, i.contact_id, COALESCE(c.inbox_id, n.inbox_id), c.team_id,
		c.assignee_id, COALESCE(c.channel, 'email'), ?, ? FROM survey_invitations i
		LEFT JOIN conversations c ON c.id = i.conversation_id LEFT JOIN nps_campaigns n ON n.id = i.campaign_id WHERE i.id = ?`,
		score, comment, now, now, id)
	if err != nil {
		return fmt.Errorf("survey: answer invitation %d: %w", id, err)
	}
	_, err = tx.Exec(ctx, `UPDATE survey_invitations SET status = ? WHERE id = ?`, StatusAnswered, id)
	return err
}
