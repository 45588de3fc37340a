// Package agent manages the people who work the desk (agents, with a role
// of admin, supervisor or agent) and the teams they belong to.
package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/tag"
)

// Agent is a user of the agent app.
type Agent struct {
	ID        int64    `json:"id"`
	Name      string   `json:"name"`
	Email     string   `json:"email"`
	Role      string   `json:"role"`
	TeamIDs   []int64  `json:"team_ids"`
	Languages []string `json:"languages"`
	// Skills are tag-like words (normalized like tag names); automatic
	// assignment prefers agents whose skills cover a conversation's tags.
	Skills       []string  `json:"skills"`
	Capacity     int       `json:"capacity"`
	Availability string    `json:"availability"`
	Locale       string    `json:"locale"`
	TimeZone     string    `json:"time_zone"`
	Active       bool      `json:"active"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Input creates an agent. Password may be empty (the agent cannot sign in
// until one is set); otherwise it needs auth.MinPasswordLength characters.
type Input struct {
	Name         string   `json:"name"`
	Email        string   `json:"email"`
	Role         string   `json:"role"`
	Password     string   `json:"password"`
	TeamIDs      []int64  `json:"team_ids"`
	Languages    []string `json:"languages"`
	Skills       []string `json:"skills"`
	Capacity     *int     `json:"capacity"`
	Availability string   `json:"availability"`
	Locale       string   `json:"locale"`
	TimeZone     string   `json:"time_zone"`
}

// Patch changes an agent.
type Patch struct {
	Name         patch.Field[string]   `json:"name"`
	Email        patch.Field[string]   `json:"email"`
	Role         patch.Field[string]   `json:"role"`
	Password     patch.Field[string]   `json:"password"`
	TeamIDs      patch.Field[[]int64]  `json:"team_ids"`
	Languages    patch.Field[[]string] `json:"languages"`
	Skills       patch.Field[[]string] `json:"skills"`
	Capacity     patch.Field[int]      `json:"capacity"`
	Availability patch.Field[string]   `json:"availability"`
	Locale       patch.Field[string]   `json:"locale"`
	TimeZone     patch.Field[string]   `json:"time_zone"`
	Active       patch.Field[bool]     `json:"active"`
}

// MaxSkills is the most skills one agent has.
const MaxSkills = 50

// Availability values.
var Availabilities = []string{"online", "away", "offline"}

// Locales the agent app speaks.
var Locales = []string{"he", "en"}

var langRE = regexp.MustCompile(`^[a-z]{2,3}$`)

// Service manages agents and teams.
type Service struct {
	db     *db.DB
	auth   *auth.Service
	outbox *events.Outbox
}

// NewService returns an agent service.
func NewService(d *db.DB, a *auth.Service, o *events.Outbox) *Service {
	return &Service{db: d, auth: a, outbox: o}
}

func (in *Input) check() error {
	var c errs.Checker
	in.Name = strings.TrimSpace(in.Name)
	c.Check(in.Name != "", "name", "required", "an agent needs a name")
	c.MaxLen("name", in.Name, 200)
	email, ok := contact.NormalizeEmail(in.Email)
	c.Check(ok, "email", "invalid", "not an email address")
	in.Email = email
	c.OneOf("role", in.Role, auth.Roles...)
	c.Check(in.Password == "" || len([]rune(in.Password)) >= auth.MinPasswordLength, "password", "too_short",
		"password must have at least %d characters", auth.MinPasswordLength)
	c.Check(len(in.Password) <= 1024, "password", "too_long", "password must be at most 1024 bytes")
	for i, l := range in.Languages {
		c.Check(langRE.MatchString(l), fmt.Sprintf("languages[%d]", i), "invalid", "language must be an ISO 639 code such as he")
	}
	c.Check(len(in.Skills) <= MaxSkills, "skills", "too_many", "at most %d skills", MaxSkills)
	skills := []string{}
	for i, sk := range in.Skills {
		n := tag.Normalize(sk)
		tag.CheckName(&c, fmt.Sprintf("skills[%d]", i), n)
		if n != "" && !slices.Contains(skills, n) {
			skills = append(skills, n)
		}
	}
	in.Skills = skills
	if in.Capacity != nil {
		c.Check(*in.Capacity >= 0 && *in.Capacity <= 1000, "capacity", "out_of_range", "capacity must be 0-1000")
	}
	c.OneOf("availability", in.Availability, Availabilities...)
	c.OneOf("locale", in.Locale, Locales...)
	if _, err := time.LoadLocation(in.TimeZone); err != nil || in.TimeZone == "" || in.TimeZone == "Local" {
		c.Add("time_zone", "invalid", "unknown IANA time zone %q", in.TimeZone)
	}
	return c.Err()
}

func (in *Input) defaults() {
	if in.Role == "" {
		in.Role = auth.RoleAgent
	}
	if in.Availability == "" {
		in.Availability = "offline"
	}
	if in.Locale == "" {
		in.Locale = "he"
	}
	if in.TimeZone == "" {
		in.TimeZone = "Asia/Jerusalem"
	}
	if in.Languages == nil {
		in.Languages = []string{}
	}
	if in.Capacity == nil {
		n := 20
		in.Capacity = &n
	}
}

// Create adds an agent. Errors: *errs.ValidationError (a taken email is
// reported on field "email" with code "taken").
func (s *Service) Create(ctx context.Context, actor audit.Actor, in Input) (Agent, error) {
	in.defaults()
	if err := in.check(); err != nil {
		return Agent{}, err
	}
	hash := ""
	if in.Password != "" {
		var err error
		if hash, err = s.auth.Hasher.Hash(ctx, in.Password); err != nil {
			return Agent{}, err
		}
	}
	var id int64
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		now := time.Now().UnixMilli()
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO agents (name, email, password_hash, role, languages, skills, capacity, availability, locale, time_zone, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.Name, in.Email, hash, in.Role, db.JSON(in.Languages), db.JSON(in.Skills), *in.Capacity,
			in.Availability, in.Locale, in.TimeZone, now, now)
		if db.IsUniqueViolation(err) {
			return errs.Invalid("email", "taken", "another agent has this email")
		}
		if err != nil {
			return fmt.Errorf("agent: insert: %w", err)
		}
		if err := setTeams(ctx, tx, id, in.TeamIDs); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "agent.created", EntityType: "agent", EntityID: id,
			Changes: map[string]audit.Change{"role": {To: in.Role}, "email": {To: in.Email}}})
	})
	if err != nil {
		return Agent{}, err
	}
	return s.Get(ctx, id)
}

func setTeams(ctx context.Context, tx *db.Tx, agentID int64, teamIDs []int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM team_members WHERE agent_id = ?`, agentID); err != nil {
		return err
	}
	for i, t := range dedupeIDs(teamIDs) {
		_, err := tx.Exec(ctx, `INSERT INTO team_members (team_id, agent_id) VALUES (?, ?)`, t, agentID)
		if db.IsForeignKeyViolation(err) {
			return errs.Invalid(fmt.Sprintf("team_ids[%d]", i), "not_found", "no team %d", t)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func dedupeIDs(ids []int64) []int64 {
	out := []int64{}
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

const agentColumns = `id, name, email, role, languages, skills, capacity, availability, locale, time_zone, active, created_at, updated_at`

func (s *Service) load(ctx context.Context, q db.Querier, where string, args ...any) ([]Agent, error) {
	rows, err := q.Query(ctx, `SELECT `+agentColumns+` FROM agents `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("agent: load: %w", err)
	}
	out := []Agent{}
	idx := map[int64]int{}
	for rows.Next() {
		var a Agent
		var langs, skills string
		var created, updated int64
		if err := rows.Scan(&a.ID, &a.Name, &a.Email, &a.Role, &langs, &skills, &a.Capacity, &a.Availability, &a.Locale, &a.TimeZone,
			&a.Active, &created, &updated); err != nil {
			rows.Close()
			return nil, err
		}
		_ = json.Unmarshal([]byte(langs), &a.Languages)
		if err := json.Unmarshal([]byte(skills), &a.Skills); err != nil || a.Skills == nil {
			a.Skills = []string{}
		}
		a.CreatedAt, a.UpdatedAt = db.Time(created), db.Time(updated)
		a.TeamIDs = []int64{}
		idx[a.ID] = len(out)
		out = append(out, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	mrows, err := q.Query(ctx, `SELECT agent_id, team_id FROM team_members ORDER BY agent_id, team_id`)
	if err != nil {
		return nil, err
	}
	defer mrows.Close()
	for mrows.Next() {
		var aid, tid int64
		if err := mrows.Scan(&aid, &tid); err != nil {
			return nil, err
		}
		if i, ok := idx[aid]; ok {
			out[i].TeamIDs = append(out[i].TeamIDs, tid)
		}
	}
	return out, mrows.Err()
}

// Get returns agent id or errs.ErrNotFound.
func (s *Service) Get(ctx context.Context, id int64) (Agent, error) {
	as, err := s.load(ctx, s.db.R(), `WHERE id = ?`, id)
	if err != nil {
		return Agent{}, err
	}
	if len(as) == 0 {
		return Agent{}, fmt.Errorf("agent %d: %w", id, errs.ErrNotFound)
	}
	return as[0], nil
}

// GetByEmail returns the agent with this email or errs.ErrNotFound.
func (s *Service) GetByEmail(ctx context.Context, email string) (Agent, error) {
	e, _ := contact.NormalizeEmail(email)
	as, err := s.load(ctx, s.db.R(), `WHERE email = ?`, e)
	if err != nil {
		return Agent{}, err
	}
	if len(as) == 0 {
		return Agent{}, fmt.Errorf("agent %q: %w", email, errs.ErrNotFound)
	}
	return as[0], nil
}

// List returns all agents by name (desks have tens to hundreds of agents).
func (s *Service) List(ctx context.Context) ([]Agent, error) {
	return s.load(ctx, s.db.R(), `ORDER BY name, id`)
}

// Count returns how many agents exist.
func (s *Service) Count(ctx context.Context) (int, error) {
	var n int
	err := s.db.R().QueryRow(ctx, `SELECT COUNT(*) FROM agents`).Scan(&n)
	return n, err
}

// Update applies p to agent id. Errors: errs.ErrNotFound,
// *errs.ValidationError.
func (s *Service) Update(ctx context.Context, actor audit.Actor, id int64, p Patch) (Agent, error) {
	hash := ""
	if p.Password.Set {
		if len([]rune(p.Password.V)) < auth.MinPasswordLength || len(p.Password.V) > 1024 {
			return Agent{}, errs.Invalid("password", "too_short", "password must have %d to 1024 characters", auth.MinPasswordLength)
		}
		var err error
		if hash, err = s.auth.Hasher.Hash(ctx, p.Password.V); err != nil {
			return Agent{}, err
		}
	}
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		as, err := s.load(ctx, tx, `WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if len(as) == 0 {
			return fmt.Errorf("agent %d: %w", id, errs.ErrNotFound)
		}
		a := as[0]
		capacity := a.Capacity
		in := Input{Name: a.Name, Email: a.Email, Role: a.Role, TeamIDs: a.TeamIDs, Languages: a.Languages, Skills: a.Skills, Capacity: &capacity,
			Availability: a.Availability, Locale: a.Locale, TimeZone: a.TimeZone}
		active := a.Active
		ch := map[string]audit.Change{}
		str := func(f patch.Field[string], dst *string, name string) {
			if f.Set && f.V != *dst {
				ch[name] = audit.Change{From: *dst, To: f.V}
				*dst = f.V
			}
		}
		str(p.Name, &in.Name, "name")
		str(p.Email, &in.Email, "email")
		str(p.Role, &in.Role, "role")
		str(p.Availability, &in.Availability, "availability")
		str(p.Locale, &in.Locale, "locale")
		str(p.TimeZone, &in.TimeZone, "time_zone")
		if p.Languages.Set {
			ch["languages"] = audit.Change{From: a.Languages, To: p.Languages.V}
			in.Languages = p.Languages.V
		}
		if p.Skills.Set {
			in.Skills = p.Skills.V
		}
		if p.Capacity.Set {
			ch["capacity"] = audit.Change{From: a.Capacity, To: p.Capacity.V}
			capacity = p.Capacity.V
		}
		if p.TeamIDs.Set {
			ch["team_ids"] = audit.Change{From: a.TeamIDs, To: p.TeamIDs.V}
			in.TeamIDs = p.TeamIDs.V
		}
		if p.Active.Set && p.Active.V != active {
			ch["active"] = audit.Change{From: active, To: p.Active.V}
			active = p.Active.V
		}
		if p.Password.Set {
			ch["password"] = audit.Change{From: "(hidden)", To: "(changed)"}
		}
		if in.Languages == nil {
			in.Languages = []string{}
		}
		if err := in.check(); err != nil {
			return err
		}
		if p.Skills.Set && !slices.Equal(in.Skills, a.Skills) {
			ch["skills"] = audit.Change{From: a.Skills, To: in.Skills}
		}
		if len(ch) == 0 {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE agents SET name = ?, email = ?, role = ?, languages = ?, skills = ?, capacity = ?, availability = ?,
			locale = ?, time_zone = ?, active = ?, updated_at = ? WHERE id = ?`, in.Name, in.Email, in.Role, db.JSON(in.Languages), db.JSON(in.Skills),
			capacity, in.Availability, in.Locale, in.TimeZone, active, time.Now().UnixMilli(), id)
		if db.IsUniqueViolation(err) {
			return errs.Invalid("email", "taken", "another agent has this email")
		}
		if err != nil {
			return err
		}
		if hash != "" {
			if _, err := tx.Exec(ctx, `UPDATE agents SET password_hash = ? WHERE id = ?`, hash, id); err != nil {
				return err
			}
		}
		if p.TeamIDs.Set {
			if err := setTeams(ctx, tx, id, in.TeamIDs); err != nil {
				return err
			}
		}
		if !active || p.Password.Set {
			// Deactivation and a new password end every session of the agent.
			if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE agent_id = ?`, id); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "agent.updated", EntityType: "agent", EntityID: id, Changes: ch}); err != nil {
			return err
		}
		fields := make([]string, 0, len(ch))
		for k := range ch {
			fields = append(fields, k)
		}
		slices.Sort(fields)
		// changes, availability and active let the assignment service react
		// to an agent going away or coming online.
		return s.outbox.Publish(ctx, tx, events.AgentUpdated, map[string]any{"agent_id": id, "changes": fields,
			"availability": in.Availability, "active": active})
	})
	if err != nil {
		return Agent{}, err
	}
	s.auth.Forget()
	return s.Get(ctx, id)
}

// SetPassword sets an agent's password (CLI and first-start bootstrap).
func (s *Service) SetPassword(ctx context.Context, actor audit.Actor, id int64, password string) error {
	_, err := s.Update(ctx, actor, id, Patch{Password: patch.Of(password)})
	return err
}
