package importer

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/tag"
)

// Line is one conversation of the JSON Lines file, as documented in
// docs/reports.md "Historical import". Times are RFC 3339 strings (any
// offset; stored as UTC milliseconds). Inbox and Team name their target by
// name or id (a JSON string or number).
type Line struct {
	ExternalID string          `json:"external_id"`
	Inbox      json.RawMessage `json:"inbox"`
	Channel    string          `json:"channel"`
	Subject    string          `json:"subject"`
	Requester  LineRequester   `json:"requester"`
	Assignee   string          `json:"assignee"`
	Team       json.RawMessage `json:"team"`
	Tags       []string        `json:"tags"`
	Status     string          `json:"status"`
	Priority   string          `json:"priority"`
	CreatedAt  string          `json:"created_at"`
	SolvedAt   string          `json:"solved_at"`
	ClosedAt   string          `json:"closed_at"`
	// FirstSolvedAt is the first solve when the conversation was reopened
	// and solved again (default: solved_at); ReopenedAt the first reopen
	// after it (optional; then reopen_count is 1). Both feed first contact
	// resolution (a reopen within 7 days of the first solve is not FCR).
	FirstSolvedAt string        `json:"first_solved_at"`
	ReopenedAt    string        `json:"reopened_at"`
	Messages      []LineMessage `json:"messages"`
	Surveys       []LineSurvey  `json:"surveys"`
}

// LineRequester is the customer: matched by email, then phone, else
// created (a new contact needs an email or a phone).
type LineRequester struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// LineMessage is one message of an imported conversation. Direction is
// inbound, outbound or internal; Kind reply or note (internal ⇔ note);
// AuthorType contact, agent, bot or system (default: contact for inbound,
// agent otherwise); Author an agent's email for agent messages.
type LineMessage struct {
	Direction  string `json:"direction"`
	Kind       string `json:"kind"`
	AuthorType string `json:"author_type"`
	Author     string `json:"author"`
	Body       string `json:"body"`
	CreatedAt  string `json:"created_at"`
}

// LineSurvey is a survey answer given about the conversation: kind csat
// (score 1–5), ces (1–7) or nps (0–10).
type LineSurvey struct {
	Kind        string `json:"kind"`
	Score       *int   `json:"score"`
	Comment     string `json:"comment"`
	RespondedAt string `json:"responded_at"`
}

// LineError is why one line was not imported: its 1-based line number, the
// field path inside the line ("messages[3].created_at", "" for the line
// as a whole) and the reason.
type LineError struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error renders "line 12: messages[3].created_at: not a time".
func (e LineError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Message)
}

// fieldErr is a validation failure inside one line.
type fieldErr struct{ field, msg string }

func (f *fieldErr) Error() string { return f.field + ": " + f.msg }

func bad(field, format string, args ...any) *fieldErr {
	return &fieldErr{field: field, msg: fmt.Sprintf(format, args...)}
}

// ref is an inbox or team reference: an id or a name.
type ref struct {
	id   int64
	name string
}

func parseRef(raw json.RawMessage, field string, required bool) (ref, *ref, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		if required {
			return ref{}, nil, bad(field, "required")
		}
		return ref{}, nil, nil
	}
	var r ref
	if s[0] == '"' {
		if err := json.Unmarshal(raw, &r.name); err != nil || strings.TrimSpace(r.name) == "" {
			return ref{}, nil, bad(field, "not a name or id")
		}
		r.name = strings.TrimSpace(r.name)
		if n, err := strconv.ParseInt(r.name, 10, 64); err == nil && n > 0 {
			r = ref{id: n}
		}
	} else if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		r.id = n
	} else {
		return ref{}, nil, bad(field, "not a name or id")
	}
	return r, &r, nil
}

// checked is a Line validated and parsed, ready to write.
type checked struct {
	Line
	inbox   ref
	team    *ref
	tags    []string
	email   string
	created time.Time
	solved  *time.Time
	closed  *time.Time
	// firstSolved and reopened: the first solve and the first reopen
	// after it (nil: unknown or never).
	firstSolved *time.Time
	reopened    *time.Time
	msgTimes    []time.Time
	surveyTime  []time.Time
}

func parseTime(field, s string, required bool) (*time.Time, error) {
	if s == "" {
		if required {
			return nil, bad(field, "required")
		}
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, bad(field, "not a time (RFC 3339, e.g. 2025-03-01T09:30:00Z)")
	}
	t = t.UTC().Truncate(time.Millisecond)
	if t.Year() < 1970 || t.Year() > 2200 {
		return nil, bad(field, "year must be between 1970 and 2200")
	}
	return &t, nil
}

var channels = []string{"email", "chat", "api", "phone", "messaging"}

func oneOf(field, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return bad(field, "must be one of %s (got %q)", strings.Join(allowed, ", "), v)
}

// check validates l without the database; it returns the first problem.
func check(l Line) (*checked, error) {
	c := &checked{Line: l}
	c.ExternalID = strings.TrimSpace(l.ExternalID)
	if c.ExternalID == "" {
		return nil, bad("external_id", "required")
	}
	if len(c.ExternalID) > 180 {
		return nil, bad("external_id", "at most 180 bytes")
	}
	var err error
	if c.inbox, _, err = parseRef(l.Inbox, "inbox", true); err != nil {
		return nil, err
	}
	if _, c.team, err = parseRef(l.Team, "team", false); err != nil {
		return nil, err
	}
	if c.Channel != "" {
		if err := oneOf("channel", c.Channel, channels...); err != nil {
			return nil, err
		}
	}
	c.Subject = strings.TrimSpace(l.Subject)
	if n := len([]rune(c.Subject)); n > conversation.MaxSubjectLength {
		return nil, bad("subject", "at most %d characters", conversation.MaxSubjectLength)
	}
	if l.Requester.Email == "" && l.Requester.Phone == "" {
		return nil, bad("requester", "an email or a phone is required")
	}
	if l.Requester.Email != "" {
		e, ok := contact.NormalizeEmail(l.Requester.Email)
		if !ok {
			return nil, bad("requester.email", "not an email address")
		}
		c.email = e
	}
	if len(l.Tags) > conversation.MaxTags {
		return nil, bad("tags", "at most %d tags", conversation.MaxTags)
	}
	for i, t := range l.Tags {
		n := tag.Normalize(t)
		if n == "" || len([]rune(n)) > 64 || strings.Contains(n, ",") {
			return nil, bad(fmt.Sprintf("tags[%d]", i), "not a tag name")
		}
		if !contains(c.tags, n) {
			c.tags = append(c.tags, n)
		}
	}
	if c.Priority == "" {
		c.Priority = "normal"
	}
	if err := oneOf("priority", c.Priority, conversation.Priorities...); err != nil {
		return nil, err
	}
	created, err := parseTime("created_at", l.CreatedAt, true)
	if err != nil {
		return nil, err
	}
	c.created = *created
	if c.solved, err = parseTime("solved_at", l.SolvedAt, false); err != nil {
		return nil, err
	}
	if c.closed, err = parseTime("closed_at", l.ClosedAt, false); err != nil {
		return nil, err
	}
	if c.Status == "" {
		switch {
		case c.closed != nil:
			c.Status = conversation.StatusClosed
		case c.solved != nil:
			c.Status = conversation.StatusSolved
		default:
			c.Status = conversation.StatusOpen
		}
	}
	if err := oneOf("status", c.Status, conversation.Statuses...); err != nil {
		return nil, err
	}
	switch c.Status {
	case conversation.StatusSolved:
		if c.solved == nil {
			return nil, bad("solved_at", "required when status is solved")
		}
		if c.closed != nil {
			return nil, bad("closed_at", "must be empty when status is solved")
		}
	case conversation.StatusClosed:
		if c.closed == nil {
			return nil, bad("closed_at", "required when status is closed")
		}
		if c.solved == nil {
			c.solved = c.closed // a closed conversation was solved at the latest when closed
		}
	default:
		if c.solved != nil || c.closed != nil {
			return nil, bad("status", "a %s conversation has no solved_at or closed_at", c.Status)
		}
	}
	if c.solved != nil && c.solved.Before(c.created) {
		return nil, bad("solved_at", "before created_at")
	}
	if c.closed != nil && c.solved != nil && c.closed.Before(*c.solved) {
		return nil, bad("closed_at", "before solved_at")
	}
	if err := c.parseReopen(l); err != nil {
		return nil, err
	}
	for i, m := range l.Messages {
		p := fmt.Sprintf("messages[%d].", i)
		if err := oneOf(p+"direction", m.Direction, "inbound", "outbound", "internal"); err != nil {
			return nil, err
		}
		if m.Kind == "" {
			m.Kind = "reply"
			if m.Direction == "internal" {
				m.Kind = "note"
			}
		}
		if err := oneOf(p+"kind", m.Kind, "reply", "note"); err != nil {
			return nil, err
		}
		if (m.Kind == "note") != (m.Direction == "internal") {
			return nil, bad(p+"kind", "a note is internal and an internal message is a note")
		}
		if m.AuthorType == "" {
			m.AuthorType = "agent"
			if m.Direction == "inbound" {
				m.AuthorType = "contact"
			}
		}
		if err := oneOf(p+"author_type", m.AuthorType, "contact", "agent", "bot", "system"); err != nil {
			return nil, err
		}
		if (m.AuthorType == "contact") != (m.Direction == "inbound") {
			return nil, bad(p+"author_type", "inbound messages and only they are written by the contact")
		}
		if strings.TrimSpace(m.Body) == "" {
			return nil, bad(p+"body", "required")
		}
		if len(m.Body) > conversation.MaxBodyTextBytes {
			return nil, bad(p+"body", "at most %d bytes", conversation.MaxBodyTextBytes)
		}
		at, err := parseTime(p+"created_at", m.CreatedAt, true)
		if err != nil {
			return nil, err
		}
		if at.Before(c.created) {
			return nil, bad(p+"created_at", "before the conversation's created_at")
		}
		c.Messages[i] = m
		c.msgTimes = append(c.msgTimes, *at)
	}
	for i, s := range l.Surveys {
		p := fmt.Sprintf("surveys[%d].", i)
		lo, hi := 0, 0
		switch s.Kind {
		case "csat":
			lo, hi = 1, 5
		case "ces":
			lo, hi = 1, 7
		case "nps":
			lo, hi = 0, 10
		default:
			return nil, bad(p+"kind", "must be one of csat, ces, nps (got %q)", s.Kind)
		}
		if s.Score == nil {
			return nil, bad(p+"score", "required")
		}
		if *s.Score < lo || *s.Score > hi {
			return nil, bad(p+"score", "a %s score is %d–%d (got %d)", s.Kind, lo, hi, *s.Score)
		}
		if len([]rune(s.Comment)) > 5000 {
			return nil, bad(p+"comment", "at most 5000 characters")
		}
		at, err := parseTime(p+"responded_at", s.RespondedAt, true)
		if err != nil {
			return nil, err
		}
		c.surveyTime = append(c.surveyTime, *at)
	}
	return c, nil
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// parseReopen reads first_solved_at and reopened_at: the first solve
// defaults to solved_at; a reopen needs a first solve before it and, when
// the conversation is solved again, a solve after it.
func (c *checked) parseReopen(l Line) error {
	var err error
	if c.firstSolved, err = parseTime("first_solved_at", l.FirstSolvedAt, false); err != nil {
		return err
	}
	if c.reopened, err = parseTime("reopened_at", l.ReopenedAt, false); err != nil {
		return err
	}
	if c.firstSolved == nil {
		if c.reopened != nil {
			return bad("first_solved_at", "required with reopened_at")
		}
		c.firstSolved = c.solved
		return nil
	}
	switch {
	case c.firstSolved.Before(c.created):
		return bad("first_solved_at", "before created_at")
	case c.solved != nil && c.solved.Before(*c.firstSolved):
		return bad("first_solved_at", "after solved_at")
	case c.reopened == nil && c.solved == nil:
		return bad("reopened_at", "required when a conversation with first_solved_at is not solved")
	case c.reopened != nil && c.reopened.Before(*c.firstSolved):
		return bad("reopened_at", "before first_solved_at")
	case c.reopened != nil && c.solved != nil && c.solved.Before(*c.reopened):
		return bad("solved_at", "before reopened_at")
	}
	return nil
}
