package agent

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/routing"
)

// Team is a group of agents that shares conversations.
type Team struct {
	ID          int64   `json:"id"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	AgentIDs    []int64 `json:"agent_ids"`
	// AssignmentMode is how new conversations of the team find an agent:
	// "manual" (nobody is assigned automatically), "round_robin" or
	// "load_balanced" (see routing.Mode).
	AssignmentMode string    `json:"assignment_mode"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// TeamInput creates a team. AssignmentMode defaults to "manual".
type TeamInput struct {
	Name           string  `json:"name"`
	Description    string  `json:"description"`
	AgentIDs       []int64 `json:"agent_ids"`
	AssignmentMode string  `json:"assignment_mode"`
}

// TeamPatch changes a team; AgentIDs replaces the membership.
type TeamPatch struct {
	Name        patch.Field[string]  `json:"name"`
	Description patch.Field[string]  `json:"description"`
	AgentIDs    patch.Field[[]int64] `json:"agent_ids"`
	// AssignmentMode is one of routing.Modes.
	AssignmentMode patch.Field[string] `json:"assignment_mode"`
}

func (in *TeamInput) check() error {
	var c errs.Checker
	in.Name = strings.TrimSpace(in.Name)
	c.Check(in.Name != "", "name", "required", "a team needs a name")
	c.MaxLen("name", in.Name, 100)
	c.MaxLen("description", in.Description, 2000)
	modes := make([]string, len(routing.Modes))
	for i, m := range routing.Modes {
		modes[i] = string(m)
	}
	c.OneOf("assignment_mode", in.AssignmentMode, modes...)
	return c.Err()
}

// CreateTeam adds a team. Errors: *errs.ValidationError (a taken name is
// code "taken" on field "name").
func (s *Service) CreateTeam(ctx context.Context, actor audit.Actor, in TeamInput) (Team, error) {
	if in.AssignmentMode == "" {
		in.AssignmentMode = string(routing.ModeManual)
	}
	if err := in.check(); err != nil {
		return Team{}, err
	}
	var id int64
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		now := time.Now().UnixMilli()
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO teams (name, description, assignment_mode, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			in.Name, in.Description, in.AssignmentMode, now, now)
		if db.IsUniqueViolation(err) {
			return errs.Invalid("name", "taken", "another team has this name")
		}
		if err != nil {
			return err
		}
		if err := setMembers(ctx, tx, id, in.AgentIDs); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "team.created", EntityType: "team", EntityID: id})
	})
	if err != nil {
		return Team{}, err
	}
	s.auth.Forget()
	return s.GetTeam(ctx, id)
}

func setMembers(ctx context.Context, tx *db.Tx, teamID int64, agentIDs []int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM team_members WHERE team_id = ?`, teamID); err != nil {
		return err
	}
	for i, a := range dedupeIDs(agentIDs) {
		_, err := tx.Exec(ctx, `INSERT INTO team_members (team_id, agent_id) VALUES (?, ?)`, teamID, a)
		if db.IsForeignKeyViolation(err) {
			return errs.Invalid(fmt.Sprintf("agent_ids[%d]", i), "not_found", "no agent %d", a)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) loadTeams(ctx context.Context, q db.Querier, where string, args ...any) ([]Team, error) {
	rows, err := q.Query(ctx, `SELECT id, name, description, assignment_mode, created_at, updated_at FROM teams `+where, args...)
	if err != nil {
		return nil, err
	}
	out := []Team{}
	idx := map[int64]int{}
	for rows.Next() {
		var t Team
		var created, updated int64
		if err := rows.Scan(&t.ID, &t.Name, &t.Description, &t.AssignmentMode, &created, &updated); err != nil {
			rows.Close()
			return nil, err
		}
		t.CreatedAt, t.UpdatedAt = db.Time(created), db.Time(updated)
		t.AgentIDs = []int64{}
		idx[t.ID] = len(out)
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	mrows, err := q.Query(ctx, `SELECT team_id, agent_id FROM team_members ORDER BY team_id, agent_id`)
	if err != nil {
		return nil, err
	}
	defer mrows.Close()
	for mrows.Next() {
		var tid, aid int64
		if err := mrows.Scan(&tid, &aid); err != nil {
			return nil, err
		}
		if i, ok := idx[tid]; ok {
			out[i].AgentIDs = append(out[i].AgentIDs, aid)
		}
	}
	return out, mrows.Err()
}

// GetTeam returns team id or errs.ErrNotFound.
func (s *Service) GetTeam(ctx context.Context, id int64) (Team, error) {
	ts, err := s.loadTeams(ctx, s.db.R(), `WHERE id = ?`, id)
	if err != nil {
		return Team{}, err
	}
	if len(ts) == 0 {
		return Team{}, fmt.Errorf("team %d: %w", id, errs.ErrNotFound)
	}
	return ts[0], nil
}

// ListTeams returns all teams by name.
func (s *Service) ListTeams(ctx context.Context) ([]Team, error) {
	return s.loadTeams(ctx, s.db.R(), `ORDER BY name, id`)
}

// UpdateTeam applies p to team id.
func (s *Service) UpdateTeam(ctx context.Context, actor audit.Actor, id int64, p TeamPatch) (Team, error) {
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		ts, err := s.loadTeams(ctx, tx, `WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if len(ts) == 0 {
			return fmt.Errorf("team %d: %w", id, errs.ErrNotFound)
		}
		t := ts[0]
		in := TeamInput{Name: t.Name, Description: t.Description, AgentIDs: t.AgentIDs, AssignmentMode: t.AssignmentMode}
		ch := map[string]audit.Change{}
		if p.Name.Set {
			ch["name"] = audit.Change{From: t.Name, To: p.Name.V}
			in.Name = p.Name.V
		}
		if p.Description.Set {
			ch["description"] = audit.Change{From: t.Description, To: p.Description.V}
			in.Description = p.Description.V
		}
		if p.AgentIDs.Set {
			ch["agent_ids"] = audit.Change{From: t.AgentIDs, To: p.AgentIDs.V}
			in.AgentIDs = p.AgentIDs.V
		}
		if p.AssignmentMode.Set && (p.AssignmentMode.Null || p.AssignmentMode.V != t.AssignmentMode) {
			ch["assignment_mode"] = audit.Change{From: t.AssignmentMode, To: p.AssignmentMode.V}
			in.AssignmentMode = p.AssignmentMode.V // null leaves "", which check rejects
		}
		if err := in.check(); err != nil {
			return err
		}
		if len(ch) == 0 {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE teams SET name = ?, description = ?, assignment_mode = ?, updated_at = ? WHERE id = ?`,
			in.Name, in.Description, in.AssignmentMode, time.Now().UnixMilli(), id)
		if db.IsUniqueViolation(err) {
			return errs.Invalid("name", "taken", "another team has this name")
		}
		if err != nil {
			return err
		}
		if p.AgentIDs.Set {
			if err := setMembers(ctx, tx, id, in.AgentIDs); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "team.updated", EntityType: "team", EntityID: id, Changes: ch}); err != nil {
			return err
		}
		// Agents who joined or left see a different set of conversations now.
		if p.AgentIDs.Set {
			for _, a := range symmetricDiff(t.AgentIDs, in.AgentIDs) {
				if err := s.outbox.Publish(ctx, tx, events.AgentUpdated, map[string]any{"agent_id": a}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return Team{}, err
	}
	s.auth.Forget()
	return s.GetTeam(ctx, id)
}

// symmetricDiff returns the ids in exactly one of a and b.
func symmetricDiff(a, b []int64) []int64 {
	var out []int64
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
