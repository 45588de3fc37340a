package survey

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/page"
)

// Response is one survey answer or external feedback item
// (survey_responses). Score: csat 1–5, ces 1–7, nps 0–10.
type Response struct {
	ID             int64     `json:"id"`
	Kind           string    `json:"kind"`
	Source         string    `json:"source"`
	InvitationID   *int64    `json:"invitation_id"`
	ExternalID     *string   `json:"external_id"`
	Score          int       `json:"score"`
	Comment        string    `json:"comment"`
	ConversationID *int64    `json:"conversation_id"`
	ContactID      *int64    `json:"contact_id"`
	InboxID        *int64    `json:"inbox_id"`
	TeamID         *int64    `json:"team_id"`
	AgentID        *int64    `json:"agent_id"`
	Channel        string    `json:"channel"`
	RespondedAt    time.Time `json:"responded_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// ListParams filter GET /survey-responses: kind, source, responded_at in
// [From, To), newest first, keyset paged.
type ListParams struct {
	Kind, Source string
	From, To     *time.Time
	Cursor       string
	Limit        int
}

func ptr64(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	n := v.Int64
	return &n
}

// Responses lists responses newest first. Errors: *errs.ValidationError on
// kind, to (not after from), cursor or limit.
func (s *Service) Responses(ctx context.Context, p ListParams) (page.Result[Response], error) {
	if p.Kind != "" && p.Kind != KindCSAT && p.Kind != KindCES && p.Kind != KindNPS {
		return page.Result[Response]{}, errs.Invalid("kind", "invalid", "kind must be csat, ces or nps")
	}
	if p.From != nil && p.To != nil && !p.To.After(*p.From) {
		// An empty list here would read as "no answers".
		return page.Result[Response]{}, errs.Invalid("to", "invalid", "to must be after from")
	}
	limit, err := page.Limit(p.Limit)
	if err != nil {
		return page.Result[Response]{}, err
	}
	cur, err := page.Decode(p.Cursor, "survey_responses")
	if err != nil {
		return page.Result[Response]{}, err
	}
	where, args := []string{"1 = 1"}, []any{}
	if p.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, p.Kind)
	}
	if p.Source != "" {
		where, args = append(where, "source = ?"), append(args, p.Source)
	}
	if p.From != nil {
		where, args = append(where, "responded_at >= ?"), append(args, db.Ms(*p.From))
	}
	if p.To != nil {
		where, args = append(where, "responded_at < ?"), append(args, db.Ms(*p.To))
	}
	if cur != nil {
		where = append(where, "(responded_at < ? OR (responded_at = ? AND id < ?))")
		args = append(args, cur.Key, cur.Key, cur.ID)
	}
	rows, err := s.db.R().Query(ctx, `SELECT id, kind, source, invitation_id, external_id, score, comment, conversation_id, contact_id,
		inbox_id, team_id, agent_id, channel, responded_at, updated_at FROM survey_responses WHERE `+strings.Join(where, " AND ")+
		` ORDER BY responded_at DESC, id DESC LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return page.Result[Response]{}, fmt.Errorf("survey: list responses: %w", err)
	}
	defer rows.Close()
	out := []Response{}
	for rows.Next() {
		var r Response
		var inv, conv, ct, ib, team, agent sql.NullInt64
		var ext sql.NullString
		var at, upd int64
		if err := rows.Scan(&r.ID, &r.Kind, &r.Source, &inv, &ext, &r.Score, &r.Comment, &conv, &ct, &ib, &team, &agent, &r.Channel,
			&at, &upd); err != nil {
			return page.Result[Response]{}, err
		}
		r.InvitationID, r.ConversationID, r.ContactID = ptr64(inv), ptr64(conv), ptr64(ct)
		r.InboxID, r.TeamID, r.AgentID = ptr64(ib), ptr64(team), ptr64(agent)
		if ext.Valid {
			e := ext.String
			r.ExternalID = &e
		}
		r.RespondedAt, r.UpdatedAt = db.Time(at), db.Time(upd)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return page.Result[Response]{}, err
	}
	return page.Of(out, limit, func(last Response) page.Cursor {
		return page.Cursor{Sort: "survey_responses", Key: last.RespondedAt.UnixMilli(), ID: last.ID}
	}), nil
}

// ImportColumns are the columns of a feedback CSV file (header line, any
// order; external_id, kind, score and responded_at are required).
var ImportColumns = []string{"external_id", "source", "kind", "score", "comment", "responded_at", "contact_email"}

// ImportResult counts what an import did.
type ImportResult struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

func lineErr(line int, column, code, format string, args ...any) *errs.ValidationError {
	msg := fmt.Sprintf(format, args...)
	if column == "" {
		return errs.Invalid(fmt.Sprintf("line[%d]", line), code, "line %d: %s", line, msg)
	}
	return errs.Invalid(fmt.Sprintf("line[%d].%s", line, column), code, "line %d, column %q: %s", line, column, msg)
}

// feedbackRow is one parsed CSV line.
type feedbackRow struct {
	line                                    int
	externalID, source, kind, comment, mail string
	score                                   int
	at                                      time.Time
}

// parseTime accepts RFC 3339 or a date (YYYY-MM-DD, midnight UTC) with a
// year from 1970 to 2200 (a year 9999 answer would top every list).
func parseTime(v string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		t, err = time.Parse("2006-01-02", v)
	}
	if err != nil || t.Year() < 1970 || t.Year() > 2200 {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// parseFeedback reads and validates the whole file; responded_at may not be
// more than a day after now (a time zone's slack: an answer from the
// future would count in a period still to come).
func parseFeedback(r io.Reader, now time.Time) ([]feedbackRow, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(b) {
		return nil, errs.Invalid("body", "encoding", "the file must be UTF-8")
	}
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, errs.Invalid("line[1]", "header", "line 1: the file needs a header line naming the columns %s", strings.Join(ImportColumns, ", "))
	}
	col := map[string]int{}
	names := make([]string, len(header))
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		names[i] = h
		if _, dup := col[h]; dup {
			return nil, lineErr(1, h, "duplicate_column", "the column is named twice")
		}
		known := false
		for _, c := range ImportColumns {
			known = known || c == h
		}
		if !known {
			return nil, lineErr(1, h, "unknown_column", "unknown column; the columns are %s", strings.Join(ImportColumns, ", "))
		}
		col[h] = i
	}
	for _, req := range []string{"external_id", "kind", "score", "responded_at"} {
		if _, ok := col[req]; !ok {
			return nil, lineErr(1, req, "required", "the column is missing")
		}
	}
	var out []feedbackRow
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// FieldPos panics after a failed Read: the line is the error's.
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			return nil, lineErr(line, "", "malformed", "%v", err)
		}
		line, _ := cr.FieldPos(0)
		for i, v := range rec {
			if strings.ContainsRune(v, 0) {
				name := ""
				if i < len(names) {
					name = names[i]
				}
				return nil, lineErr(line, name, "invalid", "NUL characters are not allowed")
			}
		}
		get := func(c string) string {
			if i, ok := col[c]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		f := feedbackRow{line: line, externalID: get("external_id"), source: get("source"), kind: strings.ToLower(get("kind")),
			comment: get("comment"), mail: get("contact_email")}
		switch {
		case f.externalID == "":
			return nil, lineErr(line, "external_id", "required", "external_id is required")
		case len(f.externalID) > 200:
			return nil, lineErr(line, "external_id", "too_long", "external_id must be at most 200 characters")
		case seen[f.externalID] != 0:
			return nil, lineErr(line, "external_id", "duplicate", "external_id %q is also on line %d", f.externalID, seen[f.externalID])
		case f.kind != KindCSAT && f.kind != KindCES && f.kind != KindNPS:
			return nil, lineErr(line, "kind", "invalid", "kind must be csat, ces or nps")
		}
		seen[f.externalID] = line
		if f.source == "" {
			f.source = "import"
		}
		if utf8.RuneCountInString(f.source) > 100 {
			return nil, lineErr(line, "source", "too_long", "source must be at most 100 characters")
		}
		lo, hi := ScoreRange(f.kind)
		n, err := strconv.Atoi(get("score"))
		if err != nil || n < lo || n > hi {
			return nil, lineErr(line, "score", "out_of_range", "score must be a whole number between %d and %d for %s", lo, hi, f.kind)
		}
		f.score = n
		if utf8.RuneCountInString(f.comment) > 10000 {
			return nil, lineErr(line, "comment", "too_long", "comment must be at most 10000 characters")
		}
		var ok bool
		if f.at, ok = parseTime(get("responded_at")); !ok {
			return nil, lineErr(line, "responded_at", "wrong_type", "responded_at must be an RFC 3339 time or a date (2026-01-31)")
		}
		if f.at.After(now.Add(24 * time.Hour)) {
			return nil, lineErr(line, "responded_at", "future", "responded_at is in the future")
		}
		if f.mail != "" {
			m, ok := contact.NormalizeEmail(f.mail)
			if !ok {
				return nil, lineErr(line, "contact_email", "invalid", "contact_email is not an email address")
			}
			f.mail = m
		}
		out = append(out, f)
	}
	return out, nil
}

// Import stores every feedback item of a CSV file (ImportColumns) in one
// transaction: all or nothing, the first bad line named with its column
// (field "line[N].column"). external_id is the idempotency key: a second
// import of the same file changes nothing (all unchanged); a changed line
// updates its row, but never its kind (a CSAT answer does not become an
// NPS one: field "line[N].kind"). Contacts are matched by email, or created. Errors:
// *errs.ValidationError; nothing is imported then.
func (s *Service) Import(ctx context.Context, actor audit.Actor, r io.Reader) (ImportResult, error) {
	rows, err := parseFeedback(r, s.Now())
	if err != nil {
		return ImportResult{}, err
	}
	var res ImportResult
	err = s.db.WriteTx(ctx, func(tx *db.Tx) error {
		res = ImportResult{}
		now := db.Ms(s.Now())
		for _, f := range rows {
			var contactID any
			if f.mail != "" {
				id, err := contact.FindByEmailTx(ctx, tx, f.mail)
				if err != nil {
					return err
				}
				if id == 0 {
					if id, err = contact.CreateTx(ctx, tx, contact.Input{Emails: []string{f.mail}, Tier: "standard"}); err != nil {
						return lineErr(f.line, "contact_email", "invalid", "%v", err)
					}
					if err := s.outbox.Publish(ctx, tx, events.ContactCreated, map[string]int64{"contact_id": id}); err != nil {
						return err
					}
				}
				contactID = id
			}
			var id int64
			var kind, source, comment string
			var score int
			var at int64
			var ct sql.NullInt64
			err := tx.QueryRow(ctx, `SELECT id, kind, source, score, comment, responded_at, contact_id FROM survey_responses
				WHERE external_id = ?`, f.externalID).Scan(&id, &kind, &source, &score, &comment, &at, &ct)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if _, err := tx.Exec(ctx, `INSERT INTO survey_responses (kind, source, external_id, score, comment, contact_id,
					responded_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, f.kind, f.source, f.externalID, f.score, f.comment,
					contactID, db.Ms(f.at), now); err != nil {
					return fmt.Errorf("survey: import line %d: %w", f.line, err)
				}
				res.Created++
			case err != nil:
				return err
			case kind != f.kind:
				return lineErr(f.line, "kind", "immutable", "an imported answer's kind cannot change (external_id %q is %s)",
					f.externalID, kind)
			case kind == f.kind && source == f.source && score == f.score && comment == f.comment && at == db.Ms(f.at) &&
				((contactID == nil && !ct.Valid) || (contactID != nil && ct.Valid && ct.Int64 == contactID.(int64))):
				res.Unchanged++
			default:
				if _, err := tx.Exec(ctx, `UPDATE survey_responses SET source = ?, score = ?, comment = ?, contact_id = ?,
					responded_at = ?, updated_at = ? WHERE id = ?`, f.source, f.score, f.comment, contactID, db.Ms(f.at),
					now, id); err != nil {
					return fmt.Errorf("survey: import line %d: %w", f.line, err)
				}
				res.Updated++
			}
		}
		if res.Created+res.Updated == 0 {
			return nil
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "feedback.imported", EntityType: "survey_responses",
			Changes: map[string]audit.Change{"created": {To: res.Created}, "updated": {To: res.Updated}}})
	})
	return res, err
}
