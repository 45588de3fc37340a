// Package importer imports historical conversations from JSON Lines (one
// conversation per line, format in docs/reports.md "Historical import")
// with their original timestamps, so reports over history are right.
//
// Each line is one transaction: a bad line imports nothing of itself and
// the run goes on with the next line; the result counts created, unchanged
// and failed lines and names each failure by line and field. Lines are
// idempotent by external_id: a conversation whose external_id exists is
// left as it is ("unchanged"), so importing a file again changes nothing.
//
// History is written directly into the conversation tables and no live
// event is published (no conversation.created or message.created in the
// outbox): imported conversations start no SLA timers, no assignment, no
// automation rules, no notifications and no outbound mail. status_changed_at
// is left NULL, so time-based automation rules (which scan
// status_changed_at) never act on imported history; a live status change
// later sets it and the conversation joins the live flow. An audit entry
// "conversation.imported" records each import.
package importer

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/search"
	"github.com/kesherdesk/kesher/internal/tag"
)

// MaxLineBytes is the longest line accepted (bytes); a longer line stops
// the import with an error naming it.
const MaxLineBytes = 16 << 20

// ErrLineTooLong stops an import at a line longer than MaxLineBytes.
var ErrLineTooLong = fmt.Errorf("longer than %d bytes", MaxLineBytes)

// MaxReportedErrors bounds Result.Errors; Failed counts every failure.
const MaxReportedErrors = 100

// Result is what an import did: lines created, unchanged (their
// external_id already existed) and failed, with the first MaxReportedErrors
// failures.
type Result struct {
	Created   int         `json:"created"`
	Unchanged int         `json:"unchanged"`
	Failed    int         `json:"failed"`
	Errors    []LineError `json:"errors"`
	// FirstCreated and LastCreated bound the creation times of the
	// conversations this run created (zero when none), so the caller can
	// mark those report days stale (the import publishes no events).
	FirstCreated, LastCreated time.Time `json:"-"`
}

// Service imports conversations.
type Service struct {
	db *db.DB
	// Now is the clock for audit entries; tests may replace it.
	Now func() time.Time
}

// New returns the importer over d.
func New(d *db.DB) *Service {
	return &Service{db: d, Now: func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }}
}

// Import reads JSON Lines from r and imports each non-blank line in its
// own transaction. It returns an error (with the counts so far) only when
// r cannot be read, a line exceeds MaxLineBytes (ErrLineTooLong), the
// database fails or the context ends; bad lines are reported in the Result
// and the lines before and after them are imported.
func (s *Service) Import(ctx context.Context, actor audit.Actor, r io.Reader) (Result, error) {
	res := Result{Errors: []LineError{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLineBytes)
	n := 0
	for sc.Scan() {
		n++
		if err := ctx.Err(); err != nil {
			return res, err
		}
		raw := strings.TrimSpace(sc.Text())
		if raw == "" {
			continue
		}
		created, at, err := s.importLine(ctx, actor, []byte(raw))
		switch {
		case err == nil && created:
			res.Created++
			if res.FirstCreated.IsZero() || at.Before(res.FirstCreated) {
				res.FirstCreated = at
			}
			if at.After(res.LastCreated) {
				res.LastCreated = at
			}
		case err == nil:
			res.Unchanged++
		default:
			le := LineError{Line: n, Message: err.Error()}
			var fe *fieldErr
			if errors.As(err, &fe) {
				le.Field, le.Message = fe.field, fe.msg
			} else if !isInputError(err) {
				return res, fmt.Errorf("line %d: %w", n, err)
			}
			res.Failed++
			if len(res.Errors) < MaxReportedErrors {
				res.Errors = append(res.Errors, le)
			}
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return res, fmt.Errorf("line %d: %w", n+1, ErrLineTooLong)
		}
		return res, err
	}
	return res, nil
}

// isInputError tells bad data (reported per line) from failures of the
// database (which stop the import).
func isInputError(err error) bool {
	var ve *errs.ValidationError
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	return errors.As(err, &ve) || errors.As(err, &se) || errors.As(err, &te) || errors.Is(err, errBadJSON)
}

var errBadJSON = errors.New("not a JSON object")

func decodeLine(raw []byte) (Line, error) {
	var l Line
	// encoding/json would replace invalid UTF-8 with U+FFFD, silently
	// merging different external ids into one idempotency key.
	if !utf8.Valid(raw) {
		return l, bad("line", "is not valid UTF-8")
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return l, bad(te.Field, "must be a %s", jsonKind(te.Type.Kind().String()))
		}
		if strings.HasPrefix(err.Error(), "json: unknown field ") {
			return l, bad(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "unknown field")
		}
		return l, fmt.Errorf("%w: %v", errBadJSON, err)
	}
	if dec.More() {
		return l, fmt.Errorf("%w: data after the object", errBadJSON)
	}
	if f := nulField(l); f != "" {
		// PostgreSQL text cannot hold NUL: on PostgreSQL it failed the
		// database (stopping the import), on SQLite it was stored.
		return l, bad(f, "contains a NUL character")
	}
	return l, nil
}

// nulField is the path of the first text of l holding a NUL character
// ("messages[2].body"), "" when none does.
func nulField(l Line) string {
	has := func(s string) bool { return strings.ContainsRune(s, 0) }
	for _, f := range []struct {
		name string
		v    string
	}{{"external_id", l.ExternalID}, {"inbox", string(l.Inbox)}, {"channel", l.Channel}, {"subject", l.Subject},
		{"requester.email", l.Requester.Email}, {"requester.name", l.Requester.Name}, {"requester.phone", l.Requester.Phone},
		{"assignee", l.Assignee}, {"team", string(l.Team)}, {"status", l.Status}, {"priority", l.Priority},
		{"created_at", l.CreatedAt}, {"solved_at", l.SolvedAt}, {"closed_at", l.ClosedAt}} {
		if has(f.v) || (f.name == "inbox" || f.name == "team") && strings.Contains(f.v, `\u0000`) {
			return f.name
		}
	}
	for i, t := range l.Tags {
		if has(t) {
			return fmt.Sprintf("tags[%d]", i)
		}
	}
	for i, m := range l.Messages {
		for _, f := range []struct{ name, v string }{{"direction", m.Direction}, {"kind", m.Kind}, {"author_type", m.AuthorType},
			{"author", m.Author}, {"body", m.Body}, {"created_at", m.CreatedAt}} {
			if has(f.v) {
				return fmt.Sprintf("messages[%d].%s", i, f.name)
			}
		}
	}
	for i, v := range l.Surveys {
		for _, f := range []struct{ name, v string }{{"kind", v.Kind}, {"comment", v.Comment}, {"responded_at", v.RespondedAt}} {
			if has(f.v) {
				return fmt.Sprintf("surveys[%d].%s", i, f.name)
			}
		}
	}
	return ""
}

func jsonKind(k string) string {
	switch k {
	case "slice":
		return "list"
	case "struct", "map":
		return "object"
	case "int", "int64":
		return "number"
	}
	return k
}

// importLine imports one line; created is false when its external_id was
// already there.
func (s *Service) importLine(ctx context.Context, actor audit.Actor, raw []byte) (created bool, at time.Time, err error) {
	l, err := decodeLine(raw)
	if err != nil {
		return false, at, err
	}
	c, err := check(l)
	if err != nil {
		return false, at, err
	}
	err = s.db.WriteTx(ctx, func(tx *db.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM conversations WHERE external_id = ?`, c.ExternalID).Scan(&id)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := s.writeTx(ctx, tx, actor, c); err != nil {
			return err
		}
		created = true
		return nil
	})
	if db.IsUniqueViolation(err) {
		return false, at, nil // imported concurrently by another run
	}
	return created, c.created, err
}

// writeTx writes conversation c with its messages, tags and survey
// responses inside tx.
func (s *Service) writeTx(ctx context.Context, tx *db.Tx, actor audit.Actor, c *checked) error {
	var inboxID int64
	var channel string
	var inboxTeam *int64
	q := `SELECT id, channel, team_id FROM inboxes WHERE id = ?`
	arg := any(c.inbox.id)
	if c.inbox.id == 0 {
		q, arg = `SELECT id, channel, team_id FROM inboxes WHERE name = ? ORDER BY id LIMIT 1`, c.inbox.name
	}
	if err := tx.QueryRow(ctx, q, arg).Scan(&inboxID, &channel, &inboxTeam); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return bad("inbox", "no such inbox")
		}
		return err
	}
	if c.Channel != "" {
		channel = c.Channel
	}
	teamID := inboxTeam
	if c.team != nil {
		q, arg := `SELECT id FROM teams WHERE id = ?`, any(c.team.id)
		if c.team.id == 0 {
			q, arg = `SELECT id FROM teams WHERE name = ?`, c.team.name
		}
		var id int64
		if err := tx.QueryRow(ctx, q, arg).Scan(&id); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return bad("team", "no such team")
			}
			return err
		}
		teamID = &id
	}
	var assignee *int64
	if c.Assignee != "" {
		id, ok, err := agentByEmail(ctx, tx, c.Assignee)
		if err != nil {
			return err
		}
		if !ok {
			return bad("assignee", "no agent with this email")
		}
		assignee = &id
	}
	cin := contact.Input{Name: c.Requester.Name}
	if c.email != "" {
		cin.Emails = []string{c.email}
	}
	if c.Requester.Phone != "" {
		cin.Phones = []string{c.Requester.Phone}
	}
	requesterID, _, err := contact.FindOrCreateTx(ctx, tx, 0, cin, "requester")
	if err != nil {
		return requesterErr(err)
	}

	// The conversation's derived times, as the live message flow would have
	// set them.
	var firstResponse, lastCustomer, lastAgent *time.Time
	updated := c.created
	for i, m := range c.Messages {
		at := c.msgTimes[i]
		switch m.Direction {
		case "inbound":
			lastCustomer = &c.msgTimes[i]
		case "outbound":
			lastAgent = &c.msgTimes[i]
			if firstResponse == nil && m.Kind == "reply" && m.AuthorType == "agent" {
				firstResponse = &c.msgTimes[i]
			}
		}
		if at.After(updated) {
			updated = at
		}
	}
	for _, t := range []*time.Time{c.solved, c.closed, c.reopened} {
		if t != nil && t.After(updated) {
			updated = *t
		}
	}
	reopens := 0
	if c.reopened != nil {
		reopens = 1
	}
	id, err := tx.InsertID(ctx, `INSERT INTO conversations (inbox_id, channel, subject, status, priority, requester_id, assignee_id,
		team_id, ccs, custom_fields, language, external_id, solved_at, closed_at, message_count, reopen_count, first_response_at,
		last_customer_message_at, last_agent_message_at, created_at, updated_at, status_changed_at, first_solved_at, first_reopened_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, '[]', '{}', '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)`, inboxID, channel, c.Subject, c.Status,
		c.Priority, requesterID, ptr(assignee), ptr(teamID), c.ExternalID, db.MsArg(c.solved), db.MsArg(c.closed), len(c.Messages), reopens,
		db.MsArg(firstResponse), db.MsArg(lastCustomer), db.MsArg(lastAgent), db.Ms(c.created), db.Ms(updated), db.MsArg(c.firstSolved),
		db.MsArg(c.reopened))
	if err != nil {
		return fmt.Errorf("importer: insert conversation: %w", err)
	}
	for i, m := range c.Messages {
		var author any
		meta := map[string]any{"imported": true}
		switch m.AuthorType {
		case "contact":
			author = requesterID
		case "agent":
			if m.Author != "" {
				aid, ok, err := agentByEmail(ctx, tx, m.Author)
				if err != nil {
					return err
				}
				if ok {
					author = aid
				} else {
					meta["author_email"] = m.Author // a former agent no longer in the desk
				}
			}
		}
		delivery := ""
		if m.Direction == "outbound" {
			delivery = "sent"
		}
		if _, err := tx.Exec(ctx, `INSERT INTO messages (conversation_id, direction, kind, author_type, author_id, body_text, body_html,
			channel_meta, delivery_status, created_at) VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?)`, id, m.Direction, m.Kind, m.AuthorType,
			author, m.Body, db.JSON(meta), delivery, db.Ms(c.msgTimes[i])); err != nil {
			return fmt.Errorf("importer: insert message: %w", err)
		}
	}
	// Imported history is searchable like live conversations.
	if err := search.New(nil).IndexConversationsTx(ctx, tx, id); err != nil {
		return err
	}
	if len(c.tags) > 0 {
		ids, err := tag.EnsureTx(ctx, tx, c.tags)
		if err != nil {
			return err
		}
		for _, tid := range ids {
			if _, err := tx.Exec(ctx, `INSERT INTO conversation_tags (conversation_id, tag_id) VALUES (?, ?)`, id, tid); err != nil {
				return err
			}
		}
	}
	for i, sv := range c.Surveys {
		ext := fmt.Sprintf("%s#%s#%d", c.ExternalID, sv.Kind, i)
		_, err := tx.Exec(ctx, `INSERT INTO survey_responses (kind, source, external_id, score, comment, conversation_id, contact_id,
			inbox_id, team_id, agent_id, channel, responded_at, updated_at) VALUES (?, 'import', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			sv.Kind, ext, *sv.Score, sv.Comment, id, requesterID, inboxID, ptr(teamID), ptr(assignee), channel,
			db.Ms(c.surveyTime[i]), db.Ms(c.surveyTime[i]))
		if db.IsUniqueViolation(err) {
			return bad(fmt.Sprintf("surveys[%d]", i), "a survey response with external id %q exists", ext)
		}
		if err != nil {
			return fmt.Errorf("importer: insert survey response: %w", err)
		}
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "conversation.imported", EntityType: "conversation",
		EntityID: id, CreatedAt: s.Now(), Changes: map[string]audit.Change{"external_id": {To: c.ExternalID}}})
}

func agentByEmail(ctx context.Context, tx *db.Tx, email string) (int64, bool, error) {
	e, _ := contact.NormalizeEmail(email)
	if e == "" {
		e = strings.ToLower(strings.TrimSpace(email))
	}
	var id int64
	err := tx.QueryRow(ctx, `SELECT id FROM agents WHERE lower(email) = ?`, e).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

// requesterErr names the requester's field in a contact validation error.
func requesterErr(err error) error {
	var ve *errs.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) == 0 {
		return err
	}
	f := ve.Fields[0]
	switch {
	case strings.Contains(f.Field, "email"):
		return bad("requester.email", "%s", f.Message)
	case strings.Contains(f.Field, "phone"):
		return bad("requester.phone", "%s", f.Message)
	}
	return bad("requester", "%s", f.Message)
}

func ptr(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}
