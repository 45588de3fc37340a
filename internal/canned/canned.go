// Package canned keeps canned responses: reply texts agents insert instead
// of typing them again, with {{placeholders}} filled in from the
// conversation (see Render). A response may be limited to one team.
package canned

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/patch"
)

// Limits on canned responses.
const (
	MaxTitleLength = 200
	MaxBodyLength  = 20000 // characters
	maxListed      = 1000
)

// Languages a response may be written in; "" fits any conversation.
var Languages = []string{"he", "en", ""}

var shortcutRE = regexp.MustCompile(`^[\p{L}\p{N}_-]{1,32}$`)

// Response is a canned response.
type Response struct {
	ID       int64  `json:"id"`
	Title    string `json:"title"`
	Body     string `json:"body"`
	Language string `json:"language"`
	// Shortcut is typed after "/" in the reply box to insert the response.
	Shortcut string `json:"shortcut"`
	TeamID   *int64 `json:"team_id"`
	// Actions change the conversation when the response is applied as a
	// macro (POST /conversations/{id}/macros); [] for a plain response.
	Actions   []Action  `json:"actions"`
	CreatedBy *int64    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Input creates a canned response.
type Input struct {
	Title    string   `json:"title"`
	Body     string   `json:"body"`
	Language string   `json:"language"`
	Shortcut string   `json:"shortcut"`
	TeamID   *int64   `json:"team_id"`
	Actions  []Action `json:"actions"`
}

// Patch changes a canned response; absent fields stay, team_id null makes
// it everyone's.
type Patch struct {
	Title    patch.Field[string] `json:"title"`
	Body     patch.Field[string] `json:"body"`
	Language patch.Field[string] `json:"language"`
	Shortcut patch.Field[string] `json:"shortcut"`
	TeamID   patch.Field[int64]  `json:"team_id"`
	// Actions replaces the macro actions; null or [] removes them.
	Actions patch.Field[[]Action] `json:"actions"`
}

// Scope is whose responses a caller may see and manage: every response
// (admins), else those without a team and those of TeamIDs.
type Scope struct {
	All     bool
	TeamIDs []int64
}

func (sc Scope) covers(teamID *int64) bool {
	return sc.All || teamID == nil || slices.Contains(sc.TeamIDs, *teamID)
}

// Service manages canned responses.
type Service struct{ db *db.DB }

// NewService returns the canned response service.
func NewService(d *db.DB) *Service { return &Service{db: d} }

// checkLanguage reports field unless s is one of Languages.
func checkLanguage(c *errs.Checker, field, s string) {
	c.Check(slices.Contains(Languages, s), field, "invalid", `must be "he", "en" or "" (any language)`)
}

func (in *Input) check(sc Scope) error {
	var c errs.Checker
	in.Title, in.Shortcut = strings.TrimSpace(in.Title), strings.TrimSpace(in.Shortcut)
	c.Check(in.Title != "", "title", "required", "a canned response needs a title")
	c.MaxLen("title", in.Title, MaxTitleLength)
	c.Check(strings.TrimSpace(in.Body) != "", "body", "required", "a canned response needs a body")
	c.MaxLen("body", in.Body, MaxBodyLength)
	checkLanguage(&c, "language", in.Language)
	c.Check(in.Shortcut == "" || shortcutRE.MatchString(in.Shortcut), "shortcut", "invalid",
		"a shortcut is 1-32 letters, digits, _ or -")
	c.Check(sc.covers(in.TeamID), "team_id", "forbidden", "you can only share canned responses with your own teams")
	checkActions(&c, in.Actions)
	if err := c.Err(); err != nil {
		return err
	}
	in.Actions = normalizeActions(in.Actions)
	return nil
}

// ListParams filter the list.
type ListParams struct {
	// Language keeps responses in this language and those for any ("").
	Language string
	// Query is a case-insensitive substring of the title, shortcut or body.
	Query string
}

// List returns the responses sc may see, by title. Errors:
// *errs.ValidationError for an unknown language.
func (s *Service) List(ctx context.Context, sc Scope, p ListParams) ([]Response, error) {
	var c errs.Checker
	if p.Language != "" {
		checkLanguage(&c, "language", p.Language)
	}
	c.MaxLen("q", p.Query, 200)
	if err := c.Err(); err != nil {
		return nil, err
	}
	where, args := scopeWhere(sc)
	if p.Language != "" {
		where += ` AND language IN (?, '')`
		args = append(args, p.Language)
	}
	if q := strings.TrimSpace(p.Query); q != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(q)) + "%"
		where += ` AND (lower(title) LIKE ? ESCAPE '\' OR lower(shortcut) LIKE ? ESCAPE '\' OR lower(body) LIKE ? ESCAPE '\')`
		args = append(args, like, like, like)
	}
	return s.load(ctx, s.db.R(), where+` ORDER BY title, id LIMIT ?`, append(args, maxListed)...)
}

func scopeWhere(sc Scope) (string, []any) {
	if sc.All {
		return `WHERE 1 = 1`, nil
	}
	where := `WHERE (team_id IS NULL`
	args := []any{}
	if len(sc.TeamIDs) > 0 {
		where += ` OR team_id IN (` + db.Placeholders(len(sc.TeamIDs)) + `)`
		for _, t := range sc.TeamIDs {
			args = append(args, t)
		}
	}
	return where + `)`, args
}

const columns = `id, title, body, language, shortcut, team_id, created_by, created_at, updated_at, actions`

func (s *Service) load(ctx context.Context, q db.Querier, where string, args ...any) ([]Response, error) {
	rows, err := q.Query(ctx, `SELECT `+columns+` FROM canned_responses `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("canned: load: %w", err)
	}
	defer rows.Close()
	out := []Response{}
	for rows.Next() {
		var r Response
		var team, by sql.NullInt64
		var created, updated int64
		var actions string
		if err := rows.Scan(&r.ID, &r.Title, &r.Body, &r.Language, &r.Shortcut, &team, &by, &created, &updated, &actions); err != nil {
			return nil, err
		}
		r.Actions = []Action{}
		if err := json.Unmarshal([]byte(actions), &r.Actions); err != nil || r.Actions == nil {
			r.Actions = []Action{}
		}
		if team.Valid {
			r.TeamID = &team.Int64
		}
		if by.Valid {
			r.CreatedBy = &by.Int64
		}
		r.CreatedAt, r.UpdatedAt = db.Time(created), db.Time(updated)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Get returns response id when sc may see it, else errs.ErrNotFound.
func (s *Service) Get(ctx context.Context, sc Scope, id int64) (Response, error) {
	return s.get(ctx, s.db.R(), sc, id)
}

func (s *Service) get(ctx context.Context, q db.Querier, sc Scope, id int64) (Response, error) {
	where, args := scopeWhere(sc)
	rs, err := s.load(ctx, q, where+` AND id = ?`, append(args, id)...)
	if err != nil {
		return Response{}, err
	}
	if len(rs) == 0 {
		return Response{}, fmt.Errorf("canned response %d: %w", id, errs.ErrNotFound)
	}
	return rs[0], nil
}

// Create adds a response written by actor. Errors: *errs.ValidationError
// (team_id "forbidden" for a team outside sc, "not_found" for no team).
func (s *Service) Create(ctx context.Context, actor audit.Actor, sc Scope, in Input) (Response, error) {
	if err := in.check(sc); err != nil {
		return Response{}, err
	}
	var id int64
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		now := time.Now().UnixMilli()
		if err := checkActionRefs(ctx, tx, in.Actions); err != nil {
			return err
		}
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO canned_responses (title, body, language, shortcut, team_id, created_by, created_at, updated_at, actions)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.Title, in.Body, in.Language, in.Shortcut, ptrArg(in.TeamID), db.IDArg(actorAgent(actor)), now, now,
			db.JSON(actionsOrEmpty(in.Actions)))
		if db.IsForeignKeyViolation(err) {
			return errs.Invalid("team_id", "not_found", "no team %d", *in.TeamID)
		}
		if err != nil {
			return fmt.Errorf("canned: create: %w", err)
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "canned_response.created", EntityType: "canned_response", EntityID: id})
	})
	if err != nil {
		return Response{}, err
	}
	return s.Get(ctx, sc, id)
}

func actionsOrEmpty(a []Action) []Action {
	if a == nil {
		return []Action{}
	}
	return a
}

func actorAgent(a audit.Actor) int64 {
	if a.Type == "agent" {
		return a.ID
	}
	return 0
}

func ptrArg(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// Update applies p to response id. Errors: errs.ErrNotFound (also outside
// sc), *errs.ValidationError.
func (s *Service) Update(ctx context.Context, actor audit.Actor, sc Scope, id int64, p Patch) (Response, error) {
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		old, err := s.get(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		in := Input{Title: old.Title, Body: old.Body, Language: old.Language, Shortcut: old.Shortcut, TeamID: old.TeamID, Actions: old.Actions}
		changes := map[string]audit.Change{}
		str := func(f patch.Field[string], dst *string, name string) {
			if f.Set && f.V != *dst {
				changes[name] = audit.Change{From: *dst, To: f.V}
				*dst = f.V
			}
		}
		str(p.Title, &in.Title, "title")
		str(p.Body, &in.Body, "body")
		str(p.Language, &in.Language, "language")
		str(p.Shortcut, &in.Shortcut, "shortcut")
		if p.TeamID.Set {
			in.TeamID = nil
			if !p.TeamID.Null {
				in.TeamID = &p.TeamID.V
			}
			changes["team_id"] = audit.Change{From: old.TeamID, To: in.TeamID}
		}
		if p.Actions.Set {
			in.Actions = actionsOrEmpty(p.Actions.V)
		}
		if err := in.check(sc); err != nil {
			return err
		}
		if err := checkActionRefs(ctx, tx, in.Actions); err != nil {
			return err
		}
		if p.Actions.Set {
			oldJSON, _ := json.Marshal(old.Actions)
			newJSON, _ := json.Marshal(in.Actions)
			if string(oldJSON) != string(newJSON) {
				changes["actions"] = audit.Change{From: old.Actions, To: in.Actions}
			}
		}
		if len(changes) == 0 {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE canned_responses SET title = ?, body = ?, language = ?, shortcut = ?, team_id = ?, actions = ?, updated_at = ?
			WHERE id = ?`, in.Title, in.Body, in.Language, in.Shortcut, ptrArg(in.TeamID), db.JSON(actionsOrEmpty(in.Actions)), time.Now().UnixMilli(), id)
		if db.IsForeignKeyViolation(err) {
			return errs.Invalid("team_id", "not_found", "no team %d", *in.TeamID)
		}
		if err != nil {
			return fmt.Errorf("canned: update: %w", err)
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "canned_response.updated", EntityType: "canned_response",
			EntityID: id, Changes: changes})
	})
	if err != nil {
		return Response{}, err
	}
	return s.Get(ctx, sc, id)
}

// Delete removes response id. Errors: errs.ErrNotFound (also outside sc).
func (s *Service) Delete(ctx context.Context, actor audit.Actor, sc Scope, id int64) error {
	return s.db.WriteTx(ctx, func(tx *db.Tx) error {
		if _, err := s.get(ctx, tx, sc, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM canned_responses WHERE id = ?`, id); err != nil {
			return fmt.Errorf("canned: delete: %w", err)
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "canned_response.deleted", EntityType: "canned_response", EntityID: id})
	})
}
