package conversation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/tag"
)

// Patch changes a conversation; absent fields stay as they are. Tags
// replaces the tag set; AddTags and RemoveTags edit it. CustomFields merges
// keys (a null value deletes the key). AssigneeID and TeamID take null to
// clear.
type Patch struct {
	Subject      patch.Field[string]         `json:"subject"`
	Status       patch.Field[string]         `json:"status"`
	Priority     patch.Field[string]         `json:"priority"`
	AssigneeID   patch.Field[int64]          `json:"assignee_id"`
	TeamID       patch.Field[int64]          `json:"team_id"`
	Tags         patch.Field[[]string]       `json:"tags"`
	AddTags      []string                    `json:"add_tags"`
	RemoveTags   []string                    `json:"remove_tags"`
	CCs          patch.Field[[]string]       `json:"ccs"`
	CustomFields patch.Field[map[string]any] `json:"custom_fields"`
	Language     patch.Field[string]         `json:"language"`
	// OrderID links the conversation to an existing order; null clears it.
	OrderID patch.Field[int64] `json:"order_id"`
}

// Update applies p to conversation id in one transaction. Each changed field
// is audited; status, priority, assignee, team and tag changes also appear
// in the timeline as events. Errors: errs.ErrNotFound,
// *errs.ValidationError, errs.ErrConflict (changing a closed conversation).
func (s *Service) Update(ctx context.Context, actor audit.Actor, id int64, p Patch) (Conversation, error) {
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		conv, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		return s.applyTx(ctx, tx, actor, &conv, p)
	})
	if err != nil {
		return Conversation{}, err
	}
	return s.Get(ctx, id)
}

// CheckStatusChange validates moving from → to: closed is final, and only a
// solved conversation can be closed.
func CheckStatusChange(from, to string) error {
	switch {
	case from == to:
		return nil
	case from == StatusClosed:
		return fmt.Errorf("conversation is closed and cannot change; a customer reply opens a follow-up: %w", errs.ErrConflict)
	case to == StatusClosed && from != StatusSolved:
		return errs.Invalid("status", "invalid_transition", "only a solved conversation can be closed (it is %s)", from)
	}
	return nil
}

func normalizeTags(c *errs.Checker, field string, in []string) []string {
	out := []string{}
	for i, t := range in {
		n := tag.Normalize(t)
		tag.CheckName(c, fmt.Sprintf("%s[%d]", field, i), n)
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	c.Check(len(out) <= MaxTags, field, "too_many", "at most %d tags", MaxTags)
	return out
}

func normalizeCCs(c *errs.Checker, in []string) []string {
	out := []string{}
	c.Check(len(in) <= MaxCCs, "ccs", "too_many", "at most %d CC addresses", MaxCCs)
	for i, a := range in {
		n, ok := contact.NormalizeEmail(a)
		c.Check(ok, fmt.Sprintf("ccs[%d]", i), "invalid", "not an email address")
		if ok && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// applyTx validates p against conv and writes the changes.
func (s *Service) applyTx(ctx context.Context, tx *db.Tx, actor audit.Actor, conv *Conversation, p Patch) error {
	return s.applyTxAudit(ctx, tx, actor, conv, p, true)
}

// applyTxAudit is applyTx; auditIt false leaves the "conversation.updated"
// audit entry to the caller.
func (s *Service) applyTxAudit(ctx context.Context, tx *db.Tx, actor audit.Actor, conv *Conversation, p Patch, auditIt bool) error {
	var c errs.Checker
	if p.Subject.Set {
		p.Subject.V = strings.TrimSpace(p.Subject.V)
		c.MaxLen("subject", p.Subject.V, MaxSubjectLength)
	}
	if p.Status.Set {
		c.OneOf("status", p.Status.V, Statuses...)
	}
	if p.Priority.Set {
		c.OneOf("priority", p.Priority.V, Priorities...)
	}
	var tags, add, remove, ccs []string
	if p.Tags.Set {
		tags = normalizeTags(&c, "tags", p.Tags.V)
	}
	add = normalizeTags(&c, "add_tags", p.AddTags)
	remove = normalizeTags(&c, "remove_tags", p.RemoveTags)
	if p.CCs.Set {
		ccs = normalizeCCs(&c, p.CCs.V)
	}
	if p.CustomFields.Set {
		checkCustomFields(&c, p.CustomFields.V)
	}
	if p.Language.Set {
		c.MaxLen("language", p.Language.V, 16)
	}
	if err := c.Err(); err != nil {
		return err
	}
	if conv.Status == StatusClosed {
		return fmt.Errorf("conversation %d is closed: %w", conv.ID, errs.ErrConflict)
	}
	now := s.Now()
	prevTeam, prevAssignee := conv.TeamID, conv.AssigneeID
	changes := map[string]audit.Change{}
	var sets []string
	var args []any
	set := func(col string, v any) {
		sets = append(sets, col+" = ?")
		args = append(args, v)
	}
	type timelineEvent struct {
		name   string
		values map[string]any
	}
	var timeline []timelineEvent

	if p.Subject.Set && p.Subject.V != conv.Subject {
		changes["subject"] = audit.Change{From: conv.Subject, To: p.Subject.V}
		set("subject", p.Subject.V)
		conv.Subject = p.Subject.V
	}
	if p.Status.Set && p.Status.V != conv.Status {
		if err := CheckStatusChange(conv.Status, p.Status.V); err != nil {
			return err
		}
		from, to := conv.Status, p.Status.V
		changes["status"] = audit.Change{From: from, To: to}
		set("status", to)
		set("status_changed_at", db.Ms(now))
		switch {
		case to == StatusSolved:
			set("solved_at", db.Ms(now))
			sets, args = append(sets, "first_solved_at = COALESCE(first_solved_at, ?)"), append(args, db.Ms(now))
			t := now
			conv.SolvedAt = &t
		case to == StatusClosed:
			set("closed_at", db.Ms(now))
			t := now
			conv.ClosedAt = &t
		case from == StatusSolved:
			// An agent reopening a solved conversation: the first reopen's
			// time counts against first contact resolution (internal/report).
			set("solved_at", nil)
			sets, args = append(sets, "first_reopened_at = COALESCE(first_reopened_at, ?)"), append(args, db.Ms(now))
			conv.SolvedAt = nil
		}
		conv.Status = to
		timeline = append(timeline, timelineEvent{"status_changed", map[string]any{"from": from, "to": to}})
	}
	if p.Priority.Set && p.Priority.V != conv.Priority {
		changes["priority"] = audit.Change{From: conv.Priority, To: p.Priority.V}
		timeline = append(timeline, timelineEvent{"priority_changed", map[string]any{"from": conv.Priority, "to": p.Priority.V}})
		set("priority", p.Priority.V)
		conv.Priority = p.Priority.V
	}
	if p.AssigneeID.Set {
		var to *int64
		if !p.AssigneeID.Null {
			if err := checkAgent(ctx, tx, p.AssigneeID.V); err != nil {
				return err
			}
			v := p.AssigneeID.V
			to = &v
		}
		if !sameID(conv.AssigneeID, to) {
			changes["assignee_id"] = audit.Change{From: conv.AssigneeID, To: to}
			timeline = append(timeline, timelineEvent{"assigned", map[string]any{"from": conv.AssigneeID, "to": to}})
			set("assignee_id", ptrArg(to))
			conv.AssigneeID = to
		}
	}
	if p.TeamID.Set {
		var to *int64
		if !p.TeamID.Null {
			if err := checkTeam(ctx, tx, p.TeamID.V, "team_id"); err != nil {
				return err
			}
			v := p.TeamID.V
			to = &v
		}
		if !sameID(conv.TeamID, to) {
			changes["team_id"] = audit.Change{From: conv.TeamID, To: to}
			timeline = append(timeline, timelineEvent{"team_changed", map[string]any{"from": conv.TeamID, "to": to}})
			set("team_id", ptrArg(to))
			conv.TeamID = to
		}
	}
	if p.CCs.Set && !slices.Equal(ccs, conv.CCs) {
		changes["ccs"] = audit.Change{From: conv.CCs, To: ccs}
		set("ccs", db.JSON(ccs))
		conv.CCs = ccs
	}
	if p.Language.Set && p.Language.V != conv.Language {
		changes["language"] = audit.Change{From: conv.Language, To: p.Language.V}
		set("language", p.Language.V)
		conv.Language = p.Language.V
	}
	if p.OrderID.Set {
		var to *int64
		if !p.OrderID.Null {
			if err := checkOrder(ctx, tx, p.OrderID.V, "order_id"); err != nil {
				return err
			}
			v := p.OrderID.V
			to = &v
		}
		if !sameID(conv.OrderID, to) {
			changes["order_id"] = audit.Change{From: conv.OrderID, To: to}
			set("order_id", ptrArg(to))
			conv.OrderID = to
		}
	}
	if p.CustomFields.Set {
		merged := map[string]any{}
		for k, v := range conv.CustomFields {
			merged[k] = v
		}
		for k, v := range p.CustomFields.V {
			if v == nil {
				delete(merged, k)
			} else {
				merged[k] = v
			}
		}
		changes["custom_fields"] = audit.Change{From: conv.CustomFields, To: merged}
		set("custom_fields", db.JSON(merged))
		conv.CustomFields = merged
	}
	// Tags: the new set is (Tags or current) + AddTags − RemoveTags.
	newTags := conv.Tags
	if p.Tags.Set {
		newTags = tags
	}
	for _, t := range add {
		if !slices.Contains(newTags, t) {
			newTags = append(slices.Clone(newTags), t)
		}
	}
	if len(remove) > 0 {
		newTags = slices.DeleteFunc(slices.Clone(newTags), func(t string) bool { return slices.Contains(remove, t) })
	}
	sort.Strings(newTags)
	oldTags := slices.Clone(conv.Tags)
	sort.Strings(oldTags)
	if !slices.Equal(newTags, oldTags) {
		if len(newTags) > MaxTags {
			return errs.Invalid("tags", "too_many", "at most %d tags", MaxTags)
		}
		if err := setTagsTx(ctx, tx, conv.ID, newTags); err != nil {
			return err
		}
		changes["tags"] = audit.Change{From: oldTags, To: newTags}
		timeline = append(timeline, timelineEvent{"tags_changed", map[string]any{"from": oldTags, "to": newTags}})
		conv.Tags = newTags
	}
	if len(changes) == 0 {
		return nil
	}
	set("updated_at", db.Ms(now))
	conv.UpdatedAt = now
	args = append(args, conv.ID)
	if _, err := tx.Exec(ctx, `UPDATE conversations SET `+strings.Join(sets, ", ")+` WHERE id = ?`, args...); err != nil {
		return fmt.Errorf("conversation: update: %w", err)
	}
	if _, ok := changes["subject"]; ok {
		if err := s.indexConversationTx(ctx, tx, conv); err != nil {
			return err
		}
	}
	for _, f := range []string{"status", "assignee_id", "team_id", "inbox_id"} {
		if _, ok := changes[f]; ok {
			if err := s.reindexFiltersTx(ctx, tx, conv); err != nil {
				return err
			}
			break
		}
	}
	for _, e := range timeline {
		if err := s.eventTx(ctx, tx, actor, conv.ID, e.name, e.values, now); err != nil {
			return err
		}
	}
	if !auditIt {
		// The caller audits the change itself.
	} else if err := audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "conversation.updated", EntityType: "conversation",
		EntityID: conv.ID, Changes: changes, CreatedAt: now}); err != nil {
		return err
	}
	fields := make([]string, 0, len(changes))
	for k := range changes {
		fields = append(fields, k)
	}
	sort.Strings(fields)
	// The previous team and assignee let realtime subscribers tell agents
	// who just lost sight of the conversation.
	return s.outbox.Publish(ctx, tx, events.ConversationUpdated, map[string]any{"conversation_id": conv.ID, "changes": fields,
		"previous_team_id": prevTeam, "previous_assignee_id": prevAssignee,
		"status": conv.Status, "assignee_id": conv.AssigneeID, "team_id": conv.TeamID})
}

func sameID(a, b *int64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func ptrArg(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func checkAgent(ctx context.Context, tx *db.Tx, id int64) error {
	var active bool
	err := tx.QueryRow(ctx, `SELECT active FROM agents WHERE id = ?`, id).Scan(&active)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.Invalid("assignee_id", "not_found", "no agent %d", id)
	}
	if err != nil {
		return err
	}
	if !active {
		return errs.Invalid("assignee_id", "inactive", "agent %d is deactivated", id)
	}
	return nil
}

func checkTeam(ctx context.Context, tx *db.Tx, id int64, field string) error {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM teams WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.Invalid(field, "not_found", "no team %d", id)
	}
	return err
}

// checkOrder fails with a validation error on field unless order id exists.
func checkOrder(ctx context.Context, tx *db.Tx, id int64, field string) error {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM orders WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.Invalid(field, "not_found", "no order %d", id)
	}
	return err
}

func setTagsTx(ctx context.Context, tx *db.Tx, convID int64, names []string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM conversation_tags WHERE conversation_id = ?`, convID); err != nil {
		return err
	}
	ids, err := tag.EnsureTx(ctx, tx, names)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := tx.Exec(ctx, `INSERT INTO conversation_tags (conversation_id, tag_id) VALUES (?, ?)`, convID, id); err != nil {
			return err
		}
	}
	return nil
}
