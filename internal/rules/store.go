// Package rules stores automation rules (table automation_rules) and runs
// them: on the event bus for conversation.created, message.received and
// conversation.updated, and through durable jobs for time rules. Matching
// is internal/automation's (pure); this package builds the Facts, carries
// out the Plan in one write transaction with its audit entries, and
// delivers webhooks as durable jobs.
package rules

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/automation"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/jobs"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/sla/calendar"
)

// Rule is a stored automation rule: automation.Rule plus its timestamps
// (UTC, ms precision). JSON: {"id","name","enabled","position","trigger",
// "time":{…}|null,"conditions":{"all":[…],"any":[…]},"actions":[…],
// "created_at","updated_at"}.
type Rule struct {
	automation.Rule
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Input creates a rule. Enabled defaults to true; Position defaults to
// after the last rule.
type Input struct {
	Name       string                    `json:"name"`
	Enabled    *bool                     `json:"enabled"`
	Position   *int                      `json:"position"`
	Trigger    string                    `json:"trigger"`
	Time       *automation.TimeCondition `json:"time"`
	Conditions automation.Conditions     `json:"conditions"`
	Actions    []automation.Action       `json:"actions"`
}

// Patch changes a rule; absent fields stay as they are, "time": null
// removes the time condition.
type Patch struct {
	Name       patch.Field[string]                   `json:"name"`
	Enabled    patch.Field[bool]                     `json:"enabled"`
	Position   patch.Field[int]                      `json:"position"`
	Trigger    patch.Field[string]                   `json:"trigger"`
	Time       patch.Field[automation.TimeCondition] `json:"time"`
	Conditions patch.Field[automation.Conditions]    `json:"conditions"`
	Actions    patch.Field[[]automation.Action]      `json:"actions"`
}

// ReorderInput lists every rule id in the new order (positions 0, 1, …).
type ReorderInput struct {
	IDs []int64 `json:"ids"`
}

// Options configure a Service. Zero values take the defaults named.
type Options struct {
	// Jobs runs webhook deliveries and time rules; nil schedules jobs
	// without waking a runner (tests run the handlers themselves).
	Jobs *jobs.Runner
	// WebhookSecret, when set, signs webhook bodies: header
	// X-Kesher-Signature: sha256=<hex HMAC-SHA256 of the body>.
	WebhookSecret string
	// HTTPClient posts webhooks (default: WebhookClient(AllowPrivateWebhooks,
	// nil): a 10 s timeout, no redirects, no private addresses).
	HTTPClient *http.Client
	// AllowPrivateWebhooks lets webhooks target loopback, link-local,
	// private, unspecified and multicast addresses and "localhost" (off by
	// default: such targets are rejected when a rule is saved and refused
	// at dial time). For tests and on-premises desks whose receivers live
	// on the local network (serve --webhook-allow-private).
	AllowPrivateWebhooks bool
	// CacheFor is how long enabled rules stay cached (default 30 s); a
	// change on this node drops the cache at once, other nodes see it
	// after at most CacheFor.
	CacheFor time.Duration
}

// Service stores and runs automation rules.
type Service struct {
	db            *db.DB
	outbox        *events.Outbox
	conversations *conversation.Service
	log           *slog.Logger
	o             Options
	cal           *calendar.Calendar
	// Now is the clock (UTC); tests may replace it.
	Now func() time.Time

	mu    sync.Mutex
	cache map[string]cached
	gen   int64 // bumped on every change; a load from an older generation is not cached
}

type cached struct {
	rules []automation.Rule
	at    time.Time
}

// New returns the rules service.
func New(d *db.DB, outbox *events.Outbox, conversations *conversation.Service, log *slog.Logger, o Options) *Service {
	if o.HTTPClient == nil {
		o.HTTPClient = WebhookClient(o.AllowPrivateWebhooks, nil)
	}
	if o.CacheFor <= 0 {
		o.CacheFor = 30 * time.Second
	}
	cal, err := calendar.Builtin(BusinessCalendar)
	if err != nil {
		panic(err) // the built-in calendar always exists
	}
	return &Service{db: d, outbox: outbox, conversations: conversations, log: log, o: o, cal: cal,
		Now: func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }, cache: map[string]cached{}}
}

const ruleColumns = `id, name, enabled, position, trigger_event, time_condition, conditions, actions, created_at, updated_at`

func (s *Service) load(ctx context.Context, q db.Querier, where string, args ...any) ([]Rule, error) {
	rows, err := q.Query(ctx, `SELECT `+ruleColumns+` FROM automation_rules `+where+` ORDER BY position, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("rules: load: %w", err)
	}
	defer rows.Close()
	out := []Rule{}
	for rows.Next() {
		var r Rule
		var tc sql.NullString
		var conds, acts string
		var created, updated int64
		if err := rows.Scan(&r.ID, &r.Name, &r.Enabled, &r.Position, &r.Trigger, &tc, &conds, &acts, &created, &updated); err != nil {
			return nil, err
		}
		if tc.Valid && tc.String != "" && tc.String != "null" {
			r.Time = &automation.TimeCondition{}
			if err := json.Unmarshal([]byte(tc.String), r.Time); err != nil {
				return nil, fmt.Errorf("rules: rule %d time condition: %w", r.ID, err)
			}
		}
		if err := json.Unmarshal([]byte(conds), &r.Conditions); err != nil {
			return nil, fmt.Errorf("rules: rule %d conditions: %w", r.ID, err)
		}
		if err := json.Unmarshal([]byte(acts), &r.Actions); err != nil {
			return nil, fmt.Errorf("rules: rule %d actions: %w", r.ID, err)
		}
		normalize(&r.Rule)
		r.CreatedAt, r.UpdatedAt = db.Time(created), db.Time(updated)
		out = append(out, r)
	}
	return out, rows.Err()
}

// normalize gives empty lists instead of nil so the JSON shows [] not null.
func normalize(r *automation.Rule) {
	if r.Conditions.All == nil {
		r.Conditions.All = []automation.Condition{}
	}
	if r.Conditions.Any == nil {
		r.Conditions.Any = []automation.Condition{}
	}
	if r.Actions == nil {
		r.Actions = []automation.Action{}
	}
}

// List returns every rule in run order (position, then id).
func (s *Service) List(ctx context.Context) ([]Rule, error) {
	return s.load(ctx, s.db.R(), "")
}

// Get returns rule id or errs.ErrNotFound.
func (s *Service) Get(ctx context.Context, id int64) (Rule, error) {
	return s.get(ctx, s.db.R(), id)
}

func (s *Service) get(ctx context.Context, q db.Querier, id int64) (Rule, error) {
	rs, err := s.load(ctx, q, `WHERE id = ?`, id)
	if err != nil {
		return Rule{}, err
	}
	if len(rs) == 0 {
		return Rule{}, fmt.Errorf("automation rule %d: %w", id, errs.ErrNotFound)
	}
	return rs[0], nil
}

// Validate checks r with automation.Validate after trimming its name.
// Errors: *errs.ValidationError naming the field by JSON path, e.g.
// "conditions.all[0].op".
func Validate(r *automation.Rule) error {
	r.Name = strings.TrimSpace(r.Name)
	normalize(r)
	return automation.Validate(*r)
}

// checkRefs checks that the teams, agents and canned responses r's
// actions name exist. Errors: *errs.ValidationError ("actions[i].value",
// "not_found").
func checkRefs(ctx context.Context, q db.Querier, r automation.Rule) error {
	var c errs.Checker
	exists := func(query string, id any) bool {
		var one int
		err := q.QueryRow(ctx, query, id).Scan(&one)
		return err == nil
	}
	for i, a := range r.Actions {
		path := fmt.Sprintf("actions[%d].value", i)
		id := idOf(a.Value)
		switch a.Type {
		case automation.ActionSetTeam:
			c.Check(a.Value == nil || exists(`SELECT 1 FROM teams WHERE id = ?`, id), path, "not_found", "no team %v", a.Value)
		case automation.ActionAssign:
			c.Check(a.Value == nil || exists(`SELECT 1 FROM agents WHERE id = ?`, id), path, "not_found", "no agent %v", a.Value)
		case automation.ActionSendCanned:
			c.Check(exists(`SELECT 1 FROM canned_responses WHERE id = ?`, id), path, "not_found", "no canned response %v", a.Value)
		case automation.ActionNotify:
			if v, _ := a.Value.(string); strings.HasPrefix(v, "agent:") {
				n, err := strconv.ParseInt(strings.TrimPrefix(v, "agent:"), 10, 64)
				c.Check(err == nil && exists(`SELECT 1 FROM agents WHERE id = ?`, n), path, "not_found", "no agent %s", strings.TrimPrefix(v, "agent:"))
			}
		}
	}
	return c.Err()
}

// checkWebhooks rejects webhook targets that are private address literals
// unless Options.AllowPrivateWebhooks. Errors: *errs.ValidationError.
func (s *Service) checkWebhooks(r automation.Rule) error {
	if s.o.AllowPrivateWebhooks {
		return nil
	}
	return checkWebhookTargets(r)
}

// idOf reads an id from a JSON number or a Go integer (0 when it is not one;
// Validate has reported the type already).
func idOf(v any) int64 {
	switch n := v.(type) {
	case float64:
		return int64(n)
	case int64:
		return n
	case int:
		return int64(n)
	case json.Number:
		i, _ := n.Int64()
		return i
	}
	return 0
}

func timeArg(t *automation.TimeCondition) any {
	if t == nil {
		return nil
	}
	return db.JSON(t)
}

// Create stores a new rule, audited as actor. Errors: *errs.ValidationError.
func (s *Service) Create(ctx context.Context, actor audit.Actor, in Input) (Rule, error) {
	r := automation.Rule{Name: in.Name, Enabled: in.Enabled == nil || *in.Enabled, Trigger: in.Trigger, Time: in.Time,
		Conditions: in.Conditions, Actions: in.Actions}
	if err := Validate(&r); err != nil {
		return Rule{}, err
	}
	if err := s.checkWebhooks(r); err != nil {
		return Rule{}, err
	}
	var id int64
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		if err := checkRefs(ctx, tx, r); err != nil {
			return err
		}
		now := db.Ms(s.Now())
		if in.Position != nil {
			r.Position = *in.Position
		} else if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(position) + 1, 0) FROM automation_rules`).Scan(&r.Position); err != nil {
			return fmt.Errorf("rules: next position: %w", err)
		}
		var by any
		if actor.Type == "agent" && actor.ID != 0 {
			by = actor.ID
		}
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO automation_rules (name, enabled, position, trigger_event, time_condition, conditions,
			actions, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.Name, r.Enabled, r.Position, r.Trigger,
			timeArg(r.Time), db.JSON(r.Conditions), db.JSON(r.Actions), by, now, now)
		if err != nil {
			return fmt.Errorf("rules: create: %w", err)
		}
		s.invalidateAfter(tx)
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "automation_rule.created", EntityType: "automation_rule",
			EntityID: id, Changes: map[string]audit.Change{"rule": {To: r}}})
	})
	if err != nil {
		return Rule{}, err
	}
	return s.Get(ctx, id)
}

// Update applies p to rule id and validates the result. Errors:
// errs.ErrNotFound, *errs.ValidationError.
func (s *Service) Update(ctx context.Context, actor audit.Actor, id int64, p Patch) (Rule, error) {
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		old, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		r := old.Rule
		if p.Name.Set {
			r.Name = p.Name.V
		}
		if p.Enabled.Set {
			r.Enabled = p.Enabled.V
		}
		if p.Position.Set {
			r.Position = p.Position.V
		}
		if p.Trigger.Set {
			r.Trigger = p.Trigger.V
		}
		if p.Time.Set {
			r.Time = nil
			if !p.Time.Null {
				t := p.Time.V
				r.Time = &t
			}
		}
		if p.Conditions.Set {
			r.Conditions = p.Conditions.V
		}
		if p.Actions.Set {
			r.Actions = p.Actions.V
		}
		if err := Validate(&r); err != nil {
			return err
		}
		if err := s.checkWebhooks(r); err != nil {
			return err
		}
		if err := checkRefs(ctx, tx, r); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE automation_rules SET name = ?, enabled = ?, position = ?, trigger_event = ?, time_condition = ?,
			conditions = ?, actions = ?, updated_at = ? WHERE id = ?`, r.Name, r.Enabled, r.Position, r.Trigger, timeArg(r.Time),
			db.JSON(r.Conditions), db.JSON(r.Actions), db.Ms(s.Now()), id)
		if err != nil {
			return fmt.Errorf("rules: update: %w", err)
		}
		s.invalidateAfter(tx)
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "automation_rule.updated", EntityType: "automation_rule",
			EntityID: id, Changes: map[string]audit.Change{"rule": {From: old.Rule, To: r}}})
	})
	if err != nil {
		return Rule{}, err
	}
	return s.Get(ctx, id)
}

// Delete removes rule id. Errors: errs.ErrNotFound.
func (s *Service) Delete(ctx context.Context, actor audit.Actor, id int64) error {
	return s.db.WriteTx(ctx, func(tx *db.Tx) error {
		old, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM automation_rules WHERE id = ?`, id); err != nil {
			return fmt.Errorf("rules: delete: %w", err)
		}
		s.invalidateAfter(tx)
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "automation_rule.deleted", EntityType: "automation_rule",
			EntityID: id, Changes: map[string]audit.Change{"rule": {From: old.Rule}}})
	})
}

// Reorder sets the positions of the rules to their index in ids, which
// must list every rule exactly once. Errors: *errs.ValidationError ("ids").
func (s *Service) Reorder(ctx context.Context, actor audit.Actor, in ReorderInput) error {
	return s.db.WriteTx(ctx, func(tx *db.Tx) error {
		all, err := s.load(ctx, tx, "")
		if err != nil {
			return err
		}
		seen := map[int64]bool{}
		for _, r := range all {
			seen[r.ID] = false
		}
		var c errs.Checker
		for i, id := range in.IDs {
			used, ok := seen[id]
			c.Check(ok, fmt.Sprintf("ids[%d]", i), "not_found", "no rule %d", id)
			c.Check(!used, fmt.Sprintf("ids[%d]", i), "duplicate", "rule %d is listed twice", id)
			seen[id] = true
		}
		c.Check(len(in.IDs) == len(all), "ids", "incomplete", "list all %d rules", len(all))
		if err := c.Err(); err != nil {
			return err
		}
		now := db.Ms(s.Now())
		for i, id := range in.IDs {
			if _, err := tx.Exec(ctx, `UPDATE automation_rules SET position = ?, updated_at = ? WHERE id = ?`, i, now, id); err != nil {
				return fmt.Errorf("rules: reorder: %w", err)
			}
		}
		s.invalidateAfter(tx)
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "automation_rule.reordered", EntityType: "automation_rule",
			Changes: map[string]audit.Change{"ids": {To: in.IDs}}})
	})
}

// invalidateAfter drops the cache once tx commits (and bumps the
// generation now, so a load racing with the change is not cached).
func (s *Service) invalidateAfter(tx *db.Tx) {
	s.mu.Lock()
	s.gen++
	s.mu.Unlock()
	tx.AfterCommit(func() {
		s.mu.Lock()
		s.gen++
		s.cache = map[string]cached{}
		s.mu.Unlock()
	})
}

// Enabled returns the enabled rules of trigger in run order, from the cache
// when it is fresh.
func (s *Service) Enabled(ctx context.Context, trigger string) ([]automation.Rule, error) {
	s.mu.Lock()
	c, ok := s.cache[trigger]
	gen := s.gen
	s.mu.Unlock()
	if ok && time.Since(c.at) < s.o.CacheFor {
		return c.rules, nil
	}
	rs, err := s.load(ctx, s.db.R(), `WHERE trigger_event = ? AND enabled = ?`, trigger, true)
	if err != nil {
		return nil, err
	}
	out := make([]automation.Rule, len(rs))
	for i, r := range rs {
		out[i] = r.Rule
	}
	s.mu.Lock()
	if s.gen == gen {
		s.cache[trigger] = cached{rules: out, at: time.Now()}
	}
	s.mu.Unlock()
	return out, nil
}

// errSkip marks a plan that found nothing to do.
var errSkip = errors.New("rules: nothing to do")
