package sla

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/sla/policy"
	"github.com/kesherdesk/kesher/internal/tag"
)

// Escalation action types, run once when a target is breached.
const (
	ActionNotify           = "notify"            // Value: "assignee", "team", "supervisor" or "agent:<id>"
	ActionRaisePriority    = "raise_priority"    // one step: low → normal → high → urgent
	ActionSetTeam          = "set_team"          // Value: a team id
	ActionAssignSupervisor = "assign_supervisor" // a supervisor of the conversation's team
)

// MaxPolicyName and MaxEscalation bound a policy.
const (
	MaxPolicyName = 200
	MaxEscalation = 20
	// MaxContactTier is the longest contact tier a condition may name
	// (contacts' tiers are at most 32 characters).
	MaxContactTier = 32
)

// Action is one escalation step. Value is a string for notify, a team id
// (number) for set_team and absent otherwise.
type Action struct {
	Type  string `json:"type"`
	Value any    `json:"value,omitempty"`
}

// Targets are a policy's three targets; Minutes 0 means not set.
type Targets struct {
	FirstResponse policy.Target `json:"first_response"`
	NextResponse  policy.Target `json:"next_response"`
	Resolution    policy.Target `json:"resolution"`
}

// Policy is a stored SLA policy as the API shows it.
type Policy struct {
	ID           int64             `json:"id"`
	Name         string            `json:"name"`
	Enabled      bool              `json:"enabled"`
	Position     int               `json:"position"`
	Conditions   policy.Conditions `json:"conditions"`
	Calendar     string            `json:"calendar"`
	Targets      Targets           `json:"targets"`
	WarnFraction float64           `json:"warn_fraction"`
	Escalation   []Action          `json:"escalation"`
	CreatedAt    time.Time         `json:"created_at"`
	UpdatedAt    time.Time         `json:"updated_at"`
}

// Engine returns the policy in the form policy.Evaluate takes.
func (p *Policy) Engine() policy.Policy {
	return policy.Policy{ID: p.ID, Name: p.Name, Conditions: p.Conditions, Calendar: p.Calendar,
		FirstResponse: p.Targets.FirstResponse, NextResponse: p.Targets.NextResponse, Resolution: p.Targets.Resolution,
		WarnFraction: p.WarnFraction}
}

// PolicyInput creates a policy; Enabled defaults to true, WarnFraction to
// 0.75; the new policy goes last.
type PolicyInput struct {
	Name         string            `json:"name"`
	Enabled      *bool             `json:"enabled"`
	Conditions   policy.Conditions `json:"conditions"`
	Calendar     string            `json:"calendar"`
	Targets      Targets           `json:"targets"`
	WarnFraction *float64          `json:"warn_fraction"`
	Escalation   []Action          `json:"escalation"`
}

// PolicyPatch changes a policy; absent fields stay.
type PolicyPatch struct {
	Name         patch.Field[string]            `json:"name"`
	Enabled      patch.Field[bool]              `json:"enabled"`
	Conditions   patch.Field[policy.Conditions] `json:"conditions"`
	Calendar     patch.Field[string]            `json:"calendar"`
	Targets      patch.Field[Targets]           `json:"targets"`
	WarnFraction patch.Field[float64]           `json:"warn_fraction"`
	Escalation   patch.Field[[]Action]          `json:"escalation"`
}

// ReorderInput lists every policy id in the new order.
type ReorderInput struct {
	IDs []int64 `json:"ids"`
}

func (p *Policy) normalize() {
	c := &p.Conditions
	if c.Priorities == nil {
		c.Priorities = []string{}
	}
	if c.InboxIDs == nil {
		c.InboxIDs = []int64{}
	}
	if c.Channels == nil {
		c.Channels = []string{}
	}
	if c.ContactTiers == nil {
		c.ContactTiers = []string{}
	}
	if c.OrganizationIDs == nil {
		c.OrganizationIDs = []int64{}
	}
	if c.Tags == nil {
		c.Tags = []string{}
	}
	for i, t := range c.Tags {
		c.Tags[i] = tag.Normalize(t) // as conversations carry them
	}
	for i, t := range c.ContactTiers {
		c.ContactTiers[i] = strings.TrimSpace(t)
	}
	if p.Escalation == nil {
		p.Escalation = []Action{}
	}
	p.Name = strings.TrimSpace(p.Name)
}

var priorities = []string{"low", "normal", "high", "urgent"}

// validatePolicy checks p, reading teams, agents and calendars through q.
// Errors: *errs.ValidationError naming the field.
func (s *Service) validatePolicy(ctx context.Context, q db.Querier, p *Policy) error {
	var c errs.Checker
	c.Check(p.Name != "", "name", "required", "a policy needs a name")
	c.MaxLen("name", p.Name, MaxPolicyName)
	for i, pr := range p.Conditions.Priorities {
		c.OneOf(fmt.Sprintf("conditions.priorities[%d]", i), pr, priorities...)
	}
	for i, ch := range p.Conditions.Channels {
		c.OneOf(fmt.Sprintf("conditions.channels[%d]", i), ch, "email", "chat", "api", "phone", "messaging")
	}
	for i, id := range p.Conditions.InboxIDs {
		f := fmt.Sprintf("conditions.inbox_ids[%d]", i)
		if id <= 0 {
			c.Add(f, "invalid", "must be a positive id")
			continue
		}
		if ok, err := exists(ctx, q, `SELECT id FROM inboxes WHERE id = ?`, id); err != nil {
			return err
		} else {
			c.Check(ok, f, "not_found", "no inbox %d", id)
		}
	}
	for i, id := range p.Conditions.OrganizationIDs {
		f := fmt.Sprintf("conditions.organization_ids[%d]", i)
		if id <= 0 {
			c.Add(f, "invalid", "must be a positive id")
			continue
		}
		if ok, err := exists(ctx, q, `SELECT id FROM organizations WHERE id = ?`, id); err != nil {
			return err
		} else {
			c.Check(ok, f, "not_found", "no organization %d", id)
		}
	}
	for i, tg := range p.Conditions.Tags {
		tag.CheckName(&c, fmt.Sprintf("conditions.tags[%d]", i), tg)
	}
	for i, tier := range p.Conditions.ContactTiers {
		f := fmt.Sprintf("conditions.contact_tiers[%d]", i)
		c.Check(tier != "", f, "required", "a contact tier must not be empty")
		c.MaxLen(f, tier, MaxContactTier)
	}
	for _, nt := range []struct {
		name string
		t    policy.Target
	}{{"targets.first_response", p.Targets.FirstResponse}, {"targets.next_response", p.Targets.NextResponse},
		{"targets.resolution", p.Targets.Resolution}} {
		name, t := nt.name, nt.t
		c.Check(t.Minutes >= 0, name+".minutes", "invalid", "must not be negative")
		c.Check(t.Minutes <= 1_000_000, name+".minutes", "invalid", "at most 1000000 minutes")
	}
	set := p.Targets.FirstResponse.Set() || p.Targets.NextResponse.Set() || p.Targets.Resolution.Set()
	c.Check(set, "targets", "required", "set at least one target")
	c.Check(p.WarnFraction >= 0 && p.WarnFraction < 1, "warn_fraction", "invalid", "must be at least 0 and below 1")
	business := false
	for _, t := range []policy.Target{p.Targets.FirstResponse, p.Targets.NextResponse, p.Targets.Resolution} {
		business = business || (t.Set() && t.Business)
	}
	c.Check(!business || p.Calendar != "", "calendar", "required", "a business-hours target needs a calendar")
	if e := p.Engine(); c.Err() == nil {
		if err := e.Validate(); err != nil {
			c.Add("targets", "invalid", "%v", err) // the engine's own rules, should the checks above miss one
		}
	}
	if p.Calendar != "" && p.Calendar != BuiltinIL {
		var id int64
		err := q.QueryRow(ctx, `SELECT id FROM calendars WHERE name = ?`, p.Calendar).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			c.Add("calendar", "not_found", "no calendar called %q", p.Calendar)
		} else if err != nil {
			return fmt.Errorf("sla: look up calendar: %w", err)
		}
	}
	c.Check(len(p.Escalation) <= MaxEscalation, "escalation", "too_many", "at most %d actions", MaxEscalation)
	for i, a := range p.Escalation {
		f := fmt.Sprintf("escalation[%d]", i)
		switch a.Type {
		case ActionNotify:
			v, _ := a.Value.(string)
			switch {
			case v == "assignee" || v == "team" || v == "supervisor":
			case strings.HasPrefix(v, "agent:"):
				id, err := strconv.ParseInt(strings.TrimPrefix(v, "agent:"), 10, 64)
				if err != nil || id <= 0 {
					c.Add(f+".value", "invalid", "agent:<id> needs an agent id")
					break
				}
				if ok, err := exists(ctx, q, `SELECT id FROM agents WHERE id = ?`, id); err != nil {
					return err
				} else {
					c.Check(ok, f+".value", "not_found", "no agent %d", id)
				}
			default:
				c.Add(f+".value", "invalid", "notify takes assignee, team, supervisor or agent:<id>")
			}
		case ActionSetTeam:
			id, ok := intValue(a.Value)
			if !ok {
				c.Add(f+".value", "invalid", "set_team takes a team id")
				break
			}
			p.Escalation[i].Value = id
			if ok, err := exists(ctx, q, `SELECT id FROM teams WHERE id = ?`, id); err != nil {
				return err
			} else {
				c.Check(ok, f+".value", "not_found", "no team %d", id)
			}
		case ActionRaisePriority, ActionAssignSupervisor:
			c.Check(a.Value == nil, f+".value", "invalid", "%s takes no value", a.Type)
		default:
			c.Add(f+".type", "invalid", "must be one of notify, raise_priority, set_team, assign_supervisor")
		}
	}
	return c.Err()
}

func intValue(v any) (int64, bool) {
	switch x := v.(type) {
	case float64:
		if x == float64(int64(x)) && x > 0 {
			return int64(x), true
		}
	case int64:
		return x, x > 0
	case int:
		return int64(x), x > 0
	case json.Number:
		n, err := x.Int64()
		return n, err == nil && n > 0
	}
	return 0, false
}

func exists(ctx context.Context, q db.Querier, query string, args ...any) (bool, error) {
	var id int64
	err := q.QueryRow(ctx, query, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sla: %w", err)
	}
	return true, nil
}

const policyColumns = `id, name, enabled, position, conditions, calendar, targets, warn_fraction, escalation, created_at, updated_at`

func scanPolicy(r interface{ Scan(...any) error }) (Policy, error) {
	var p Policy
	var cond, targets, esc string
	var created, updated int64
	if err := r.Scan(&p.ID, &p.Name, &p.Enabled, &p.Position, &cond, &p.Calendar, &targets, &p.WarnFraction, &esc,
		&created, &updated); err != nil {
		return Policy{}, err
	}
	_ = json.Unmarshal([]byte(cond), &p.Conditions)
	_ = json.Unmarshal([]byte(targets), &p.Targets)
	_ = json.Unmarshal([]byte(esc), &p.Escalation)
	for i, a := range p.Escalation {
		if id, ok := intValue(a.Value); ok && a.Type == ActionSetTeam {
			p.Escalation[i].Value = id
		}
	}
	p.normalize()
	p.CreatedAt, p.UpdatedAt = db.Time(created), db.Time(updated)
	return p, nil
}

func listPolicies(ctx context.Context, q db.Querier, where string) ([]Policy, error) {
	rows, err := q.Query(ctx, `SELECT `+policyColumns+` FROM sla_policies `+where+` ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("sla: list policies: %w", err)
	}
	defer rows.Close()
	out := []Policy{}
	for rows.Next() {
		p, err := scanPolicy(rows)
		if err != nil {
			return nil, fmt.Errorf("sla: list policies: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ListPolicies returns every policy in evaluation order (position, id).
func (s *Service) ListPolicies(ctx context.Context) ([]Policy, error) {
	return listPolicies(ctx, s.db.R(), "")
}

// GetPolicy returns policy id. Errors: errs.ErrNotFound.
func (s *Service) GetPolicy(ctx context.Context, id int64) (Policy, error) {
	return getPolicy(ctx, s.db.R(), id)
}

func getPolicy(ctx context.Context, q db.Querier, id int64) (Policy, error) {
	p, err := scanPolicy(q.QueryRow(ctx, `SELECT `+policyColumns+` FROM sla_policies WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Policy{}, fmt.Errorf("sla policy %d: %w", id, errs.ErrNotFound)
	}
	if err != nil {
		return Policy{}, fmt.Errorf("sla: get policy %d: %w", id, err)
	}
	return p, nil
}

// CreatePolicy validates and stores a policy at the end of the order.
// Errors: *errs.ValidationError naming the field.
func (s *Service) CreatePolicy(ctx context.Context, actor audit.Actor, in PolicyInput) (Policy, error) {
	p := Policy{Name: in.Name, Enabled: in.Enabled == nil || *in.Enabled, Conditions: in.Conditions, Calendar: in.Calendar,
		Targets: in.Targets, WarnFraction: 0.75, Escalation: in.Escalation}
	if in.WarnFraction != nil {
		p.WarnFraction = *in.WarnFraction
	}
	p.normalize()
	var id int64
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		if err := s.validatePolicy(ctx, tx, &p); err != nil {
			return err
		}
		now := s.Now()
		var pos int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(position) + 1, 0) FROM sla_policies`).Scan(&pos); err != nil {
			return fmt.Errorf("sla: next position: %w", err)
		}
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO sla_policies (name, position, enabled, conditions, calendar, targets, warn_fraction,
			escalation, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.Name, pos, p.Enabled, db.JSON(p.Conditions),
			p.Calendar, db.JSON(p.Targets), p.WarnFraction, db.JSON(p.Escalation), db.Ms(now), db.Ms(now))
		if err != nil {
			return fmt.Errorf("sla: create policy: %w", err)
		}
		if err := s.scheduleReevaluation(ctx, tx, now); err != nil {
			return err
		}
		tx.AfterCommit(s.invalidate)
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "sla_policy.created", EntityType: "sla_policy", EntityID: id,
			CreatedAt: now, Changes: map[string]audit.Change{"name": {To: p.Name}}})
	})
	if err != nil {
		return Policy{}, err
	}
	return s.GetPolicy(ctx, id)
}

// UpdatePolicy changes policy id. Conversations pick the change up at
// their next evaluation. Errors: errs.ErrNotFound, *errs.ValidationError.
func (s *Service) UpdatePolicy(ctx context.Context, actor audit.Actor, id int64, in PolicyPatch) (Policy, error) {
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		p, err := getPolicy(ctx, tx, id)
		if err != nil {
			return err
		}
		old := p
		if in.Name.Set {
			p.Name = in.Name.V
		}
		if in.Enabled.Set {
			p.Enabled = in.Enabled.V
		}
		if in.Conditions.Set {
			p.Conditions = in.Conditions.V
		}
		if in.Calendar.Set {
			p.Calendar = in.Calendar.V
		}
		if in.Targets.Set {
			p.Targets = in.Targets.V
		}
		if in.WarnFraction.Set {
			p.WarnFraction = in.WarnFraction.V
		}
		if in.Escalation.Set {
			p.Escalation = in.Escalation.V
		}
		p.normalize()
		if err := s.validatePolicy(ctx, tx, &p); err != nil {
			return err
		}
		now := s.Now()
		if _, err := tx.Exec(ctx, `UPDATE sla_policies SET name = ?, enabled = ?, conditions = ?, calendar = ?, targets = ?,
			warn_fraction = ?, escalation = ?, updated_at = ? WHERE id = ?`, p.Name, p.Enabled, db.JSON(p.Conditions), p.Calendar,
			db.JSON(p.Targets), p.WarnFraction, db.JSON(p.Escalation), db.Ms(now), id); err != nil {
			return fmt.Errorf("sla: update policy: %w", err)
		}
		if err := s.scheduleReevaluation(ctx, tx, now); err != nil {
			return err
		}
		tx.AfterCommit(s.invalidate)
		ch := map[string]audit.Change{}
		if old.Name != p.Name {
			ch["name"] = audit.Change{From: old.Name, To: p.Name}
		}
		if old.Enabled != p.Enabled {
			ch["enabled"] = audit.Change{From: old.Enabled, To: p.Enabled}
		}
		if old.Targets != p.Targets {
			ch["targets"] = audit.Change{From: old.Targets, To: p.Targets}
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "sla_policy.updated", EntityType: "sla_policy", EntityID: id,
			CreatedAt: now, Changes: ch})
	})
	if err != nil {
		return Policy{}, err
	}
	return s.GetPolicy(ctx, id)
}

// DeletePolicy removes policy id; conversations under it lose their SLA
// at their next evaluation. Errors: errs.ErrNotFound.
func (s *Service) DeletePolicy(ctx context.Context, actor audit.Actor, id int64) error {
	return s.db.WriteTx(ctx, func(tx *db.Tx) error {
		p, err := getPolicy(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sla_policies WHERE id = ?`, id); err != nil {
			return fmt.Errorf("sla: delete policy: %w", err)
		}
		now := s.Now()
		if err := s.scheduleReevaluation(ctx, tx, now); err != nil {
			return err
		}
		tx.AfterCommit(s.invalidate)
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "sla_policy.deleted", EntityType: "sla_policy", EntityID: id,
			CreatedAt: now, Changes: map[string]audit.Change{"name": {From: p.Name}}})
	})
}

// ReorderPolicies sets the evaluation order: in.IDs must list every policy
// exactly once. Errors: *errs.ValidationError naming "ids" or "ids[i]".
func (s *Service) ReorderPolicies(ctx context.Context, actor audit.Actor, in ReorderInput) error {
	return s.db.WriteTx(ctx, func(tx *db.Tx) error {
		all, err := listPolicies(ctx, tx, "")
		if err != nil {
			return err
		}
		var c errs.Checker
		seen := map[int64]bool{}
		for i, id := range in.IDs {
			f := fmt.Sprintf("ids[%d]", i)
			known := slices.ContainsFunc(all, func(p Policy) bool { return p.ID == id })
			c.Check(known, f, "not_found", "no SLA policy %d", id)
			c.Check(!seen[id], f, "duplicate", "policy %d is listed twice", id)
			seen[id] = true
		}
		c.Check(len(in.IDs) == len(all), "ids", "invalid", "list all %d policies (got %d)", len(all), len(in.IDs))
		if err := c.Err(); err != nil {
			return err
		}
		now := s.Now()
		for i, id := range in.IDs {
			if _, err := tx.Exec(ctx, `UPDATE sla_policies SET position = ?, updated_at = ? WHERE id = ?`, i, db.Ms(now), id); err != nil {
				return fmt.Errorf("sla: reorder: %w", err)
			}
		}
		if err := s.scheduleReevaluation(ctx, tx, now); err != nil {
			return err
		}
		tx.AfterCommit(s.invalidate)
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "sla_policy.reordered", EntityType: "sla_policy",
			CreatedAt: now, Changes: map[string]audit.Change{"order": {To: in.IDs}}})
	})
}

// enabledPolicies returns the enabled policies in order, cached until a
// policy or calendar changes.
func (s *Service) enabledPolicies(ctx context.Context) ([]Policy, []policy.Policy, error) {
	s.mu.Lock()
	ps, es, ok, gen := s.policies, s.engines, s.policiesOK, s.gen
	s.mu.Unlock()
	if ok {
		return ps, es, nil
	}
	ps, err := listPolicies(ctx, s.db.R(), "WHERE enabled = TRUE")
	if err != nil {
		return nil, nil, err
	}
	es = make([]policy.Policy, len(ps))
	for i := range ps {
		es[i] = ps[i].Engine()
	}
	s.mu.Lock()
	if s.gen == gen {
		s.policies, s.engines, s.policiesOK = ps, es, true
	}
	s.mu.Unlock()
	return ps, es, nil
}
