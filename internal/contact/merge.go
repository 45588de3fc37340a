package contact

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
)

// Merge folds contact fromID into contact id, in one transaction: fromID's
// conversations (as requester) and identities (emails, phones, external
// ids) move to id; id keeps its own fields and takes fromID's only where
// its own are empty (name, language, time zone, organization, a default
// tier, custom attributes it lacks); fromID is marked merged into id, after
// which it is gone from lists and reads (a 404), and contacts earlier merged
// into fromID now point at id. Both contacts get an audit entry and a
// contact.updated event. It returns the merged contact. Errors:
// errs.ErrNotFound for id, *errs.ValidationError on "from_id" when fromID
// is id, does not exist or was already merged.
func (s *Service) Merge(ctx context.Context, actor audit.Actor, id, fromID int64) (Contact, error) {
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		into, err := s.load(ctx, tx, `WHERE id = ? AND merged_into_id IS NULL`, id)
		if err != nil {
			return err
		}
		if len(into) == 0 {
			return fmt.Errorf("contact %d: %w", id, errs.ErrNotFound)
		}
		if fromID == id {
			return errs.Invalid("from_id", "invalid", "a contact cannot be merged into itself")
		}
		var merged sql.NullInt64
		err = tx.QueryRow(ctx, `SELECT merged_into_id FROM contacts WHERE id = ?`, fromID).Scan(&merged)
		if errors.Is(err, sql.ErrNoRows) || fromID <= 0 {
			return errs.Invalid("from_id", "not_found", "no contact %d", fromID)
		}
		if err != nil {
			return err
		}
		if merged.Valid {
			return errs.Invalid("from_id", "merged", "contact %d was already merged into contact %d", fromID, merged.Int64)
		}
		from, err := s.load(ctx, tx, `WHERE id = ?`, fromID)
		if err != nil {
			return err
		}
		return s.mergeTx(ctx, tx, actor, into[0], from[0])
	})
	if err != nil {
		return Contact{}, err
	}
	return s.Get(ctx, id)
}

func (s *Service) mergeTx(ctx context.Context, tx *db.Tx, actor audit.Actor, into, from Contact) error {
	now := time.Now().UnixMilli()
	changes := map[string]audit.Change{}
	fill := func(name string, dst *string, v string, empty string) {
		if *dst == empty && v != empty {
			changes[name] = audit.Change{From: *dst, To: v}
			*dst = v
		}
	}
	fill("name", &into.Name, from.Name, "")
	fill("language", &into.Language, from.Language, "")
	fill("time_zone", &into.TimeZone, from.TimeZone, "")
	fill("tier", &into.Tier, from.Tier, DefaultTier)
	if into.OrganizationID == nil && from.OrganizationID != nil {
		changes["organization_id"] = audit.Change{From: nil, To: *from.OrganizationID}
		into.OrganizationID = from.OrganizationID
	}
	attrs := map[string]any{}
	for k, v := range into.CustomAttributes {
		attrs[k] = v
	}
	for k, v := range from.CustomAttributes {
		if _, ok := attrs[k]; !ok {
			attrs[k] = v
			changes["custom_attributes."+k] = audit.Change{From: nil, To: v}
		}
	}

	res, err := tx.Exec(ctx, `UPDATE conversations SET requester_id = ?, updated_at = ? WHERE requester_id = ?`, into.ID, now, from.ID)
	if err != nil {
		return fmt.Errorf("contact: merge conversations: %w", err)
	}
	moved, _ := res.RowsAffected()
	// Identities follow the target's own, in their order; the primary email
	// stays the target's when it has one.
	var last int64
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(position), -1) FROM contact_identities WHERE contact_id = ?`, into.ID).Scan(&last); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE contact_identities SET contact_id = ?, position = position + ? WHERE contact_id = ?`,
		into.ID, last+1, from.ID); err != nil {
		return fmt.Errorf("contact: merge identities: %w", err)
	}
	var primary string
	err = tx.QueryRow(ctx, `SELECT value FROM contact_identities WHERE contact_id = ? AND kind = ? ORDER BY position LIMIT 1`,
		into.ID, identityEmail).Scan(&primary)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE contacts SET name = ?, email = ?, language = ?, time_zone = ?, tier = ?, organization_id = ?,
		custom_attributes = ?, updated_at = ? WHERE id = ?`, into.Name, primary, into.Language, into.TimeZone, into.Tier,
		ptrArg(into.OrganizationID), db.JSON(attrs), now, into.ID); err != nil {
		return fmt.Errorf("contact: merge: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE contacts SET merged_into_id = ?, email = '', updated_at = ? WHERE id = ? OR merged_into_id = ?`,
		into.ID, now, from.ID, from.ID); err != nil {
		return fmt.Errorf("contact: mark merged: %w", err)
	}
	if err := indexTx(ctx, tx, into.ID, from.ID); err != nil {
		return err
	}

	changes["merged_from"] = audit.Change{From: nil, To: from.ID}
	changes["conversations_moved"] = audit.Change{From: nil, To: moved}
	if err := audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "contact.merged", EntityType: "contact", EntityID: into.ID,
		Changes: changes}); err != nil {
		return err
	}
	if err := audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "contact.merged_into", EntityType: "contact", EntityID: from.ID,
		Changes: map[string]audit.Change{"merged_into_id": {From: nil, To: into.ID}}}); err != nil {
		return err
	}
	if err := s.outbox.Publish(ctx, tx, events.ContactUpdated, map[string]any{"contact_id": into.ID, "changes": keys(changes),
		"merged_from": from.ID}); err != nil {
		return err
	}
	return s.outbox.Publish(ctx, tx, events.ContactUpdated, map[string]any{"contact_id": from.ID, "changes": []string{"merged_into_id"},
		"merged_into": into.ID})
}
