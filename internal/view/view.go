// Package view keeps each agent's saved views — named sets of conversation
// list filters shown in the app's sidebar — and counts what the sidebar
// shows beside them.
package view

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/patch"
)

// Limits on views.
const (
	MaxNameLength = 100
	MaxPerAgent   = 50 // each view costs a count on every sidebar refresh
)

// View is one agent's saved conversation list.
type View struct {
	ID      int64                `json:"id"`
	AgentID int64                `json:"agent_id"`
	Name    string               `json:"name"`
	Filters conversation.Filters `json:"filters"`
	// Sort is a conversation list order, or "" for the default.
	Sort      string    `json:"sort"`
	Position  int       `json:"position"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Input creates a view. Position defaults to after the agent's last view.
type Input struct {
	Name     string               `json:"name"`
	Filters  conversation.Filters `json:"filters"`
	Sort     string               `json:"sort"`
	Position *int                 `json:"position"`
}

// Patch changes a view; absent fields stay. Filters, when given, replaces
// all filters (a pointer rather than a patch.Field so that the request
// decoder still rejects unknown filter names).
type Patch struct {
	Name     patch.Field[string]   `json:"name"`
	Filters  *conversation.Filters `json:"filters"`
	Sort     patch.Field[string]   `json:"sort"`
	Position patch.Field[int]      `json:"position"`
}

// Service manages saved views.
type Service struct {
	db    *db.DB
	convs *conversation.Service
	// CountsTTL is how long Counts answers one principal from memory.
	CountsTTL time.Duration
	// Now is the clock; tests may replace it.
	Now func() time.Time

	mu     sync.Mutex
	counts map[int64]cachedCounts // by agent id
}

// NewService returns the view service.
func NewService(d *db.DB, convs *conversation.Service) *Service {
	return &Service{db: d, convs: convs, CountsTTL: 5 * time.Second, counts: map[int64]cachedCounts{},
		Now: func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }}
}

// filterField names a filter in validation errors ("filters.team").
func filterField(name string) string { return "filters." + name }

func check(name, sort string, f *conversation.Filters, position int) error {
	var c errs.Checker
	c.Check(name != "", "name", "required", "a view needs a name")
	c.MaxLen("name", name, MaxNameLength)
	if sort != "" {
		c.OneOf("sort", sort, conversation.Sorts...)
	}
	c.Check(position >= 0, "position", "out_of_range", "position must not be negative")
	f.Normalize()
	if err := f.Check(filterField); err != nil {
		return err
	}
	return c.Err()
}

// Create adds a view for agentID. Errors: *errs.ValidationError (filters
// are checked like the conversation list's query parameters and named
// "filters.<name>").
func (s *Service) Create(ctx context.Context, agentID int64, in Input) (View, error) {
	in.Name = strings.TrimSpace(in.Name)
	pos := 0
	if in.Position != nil {
		pos = *in.Position
	}
	if err := check(in.Name, in.Sort, &in.Filters, pos); err != nil {
		return View{}, err
	}
	var id int64
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		var n, next int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*), COALESCE(MAX(position) + 1, 0) FROM views WHERE agent_id = ?`, agentID).Scan(&n, &next); err != nil {
			return err
		}
		if n >= MaxPerAgent {
			return errs.Invalid("name", "too_many", "an agent keeps at most %d views; delete one first", MaxPerAgent)
		}
		if in.Position == nil {
			pos = next
		}
		now := db.Ms(s.Now())
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO views (agent_id, name, filters, sort, position, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, agentID, in.Name, db.JSON(in.Filters), in.Sort, pos, now, now)
		return err
	})
	if err != nil {
		return View{}, fmt.Errorf("view: create: %w", err)
	}
	s.forget(agentID)
	return s.Get(ctx, agentID, id)
}

const viewColumns = `id, agent_id, name, filters, sort, position, created_at, updated_at`

func (s *Service) load(ctx context.Context, q db.Querier, where string, args ...any) ([]View, error) {
	rows, err := q.Query(ctx, `SELECT `+viewColumns+` FROM views `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("view: load: %w", err)
	}
	defer rows.Close()
	out := []View{}
	for rows.Next() {
		var v View
		var filters string
		var created, updated int64
		if err := rows.Scan(&v.ID, &v.AgentID, &v.Name, &filters, &v.Sort, &v.Position, &created, &updated); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(filters), &v.Filters); err != nil {
			return nil, fmt.Errorf("view %d: decode filters: %w", v.ID, err)
		}
		v.Filters.Normalize()
		v.CreatedAt, v.UpdatedAt = db.Time(created), db.Time(updated)
		out = append(out, v)
	}
	return out, rows.Err()
}

// List returns agentID's views in their order.
func (s *Service) List(ctx context.Context, agentID int64) ([]View, error) {
	return s.load(ctx, s.db.R(), `WHERE agent_id = ? ORDER BY position, id`, agentID)
}

// Get returns view id if it belongs to agentID, else errs.ErrNotFound.
func (s *Service) Get(ctx context.Context, agentID, id int64) (View, error) {
	vs, err := s.load(ctx, s.db.R(), `WHERE id = ? AND agent_id = ?`, id, agentID)
	if err != nil {
		return View{}, err
	}
	if len(vs) == 0 {
		return View{}, fmt.Errorf("view %d: %w", id, errs.ErrNotFound)
	}
	return vs[0], nil
}

// Update applies p to agentID's view id. Errors: errs.ErrNotFound (also for
// another agent's view), *errs.ValidationError.
func (s *Service) Update(ctx context.Context, agentID, id int64, p Patch) (View, error) {
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		vs, err := s.load(ctx, tx, `WHERE id = ? AND agent_id = ?`, id, agentID)
		if err != nil {
			return err
		}
		if len(vs) == 0 {
			return fmt.Errorf("view %d: %w", id, errs.ErrNotFound)
		}
		v := vs[0]
		if p.Name.Set {
			v.Name = strings.TrimSpace(p.Name.V)
		}
		if p.Filters != nil {
			v.Filters = *p.Filters
		}
		if p.Sort.Set {
			v.Sort = p.Sort.V
		}
		if p.Position.Set {
			v.Position = p.Position.V
		}
		if err := check(v.Name, v.Sort, &v.Filters, v.Position); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE views SET name = ?, filters = ?, sort = ?, position = ?, updated_at = ? WHERE id = ?`,
			v.Name, db.JSON(v.Filters), v.Sort, v.Position, db.Ms(s.Now()), id)
		return err
	})
	if err != nil {
		return View{}, err
	}
	s.forget(agentID)
	return s.Get(ctx, agentID, id)
}

// Delete removes agentID's view id. Errors: errs.ErrNotFound.
func (s *Service) Delete(ctx context.Context, agentID, id int64) error {
	var n int64
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM views WHERE id = ? AND agent_id = ?`, id, agentID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("view: delete: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("view %d: %w", id, errs.ErrNotFound)
	}
	s.forget(agentID)
	return nil
}
