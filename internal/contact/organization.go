package contact

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/page"
	"github.com/kesherdesk/kesher/internal/patch"
)

// Organization is a company that contacts belong to.
type Organization struct {
	ID               int64          `json:"id"`
	Name             string         `json:"name"`
	Domains          []string       `json:"domains"`
	ExternalID       *string        `json:"external_id"`
	CustomAttributes map[string]any `json:"custom_attributes"`
	CreatedAt        time.Time      `json:"created_at"`
	UpdatedAt        time.Time      `json:"updated_at"`
}

// OrganizationInput creates an organization.
type OrganizationInput struct {
	Name             string         `json:"name"`
	Domains          []string       `json:"domains"`
	ExternalID       *string        `json:"external_id"`
	CustomAttributes map[string]any `json:"custom_attributes"`
}

// OrganizationPatch changes an organization.
type OrganizationPatch struct {
	Name             patch.Field[string]         `json:"name"`
	Domains          patch.Field[[]string]       `json:"domains"`
	ExternalID       patch.Field[string]         `json:"external_id"`
	CustomAttributes patch.Field[map[string]any] `json:"custom_attributes"`
}

func (in *OrganizationInput) check() error {
	var c errs.Checker
	in.Name = strings.TrimSpace(in.Name)
	c.Check(in.Name != "", "name", "required", "an organization needs a name")
	c.MaxLen("name", in.Name, MaxNameLength)
	c.Check(len(in.Domains) <= 50, "domains", "too_many", "at most 50 domains")
	for i, d := range in.Domains {
		d = strings.ToLower(strings.TrimSpace(d))
		in.Domains[i] = d
		c.Check(d != "" && len(d) <= 253 && !strings.ContainsAny(d, " @/"), fmt.Sprintf("domains[%d]", i), "invalid", "not a domain name")
	}
	if in.ExternalID != nil {
		c.Check(*in.ExternalID != "" && len(*in.ExternalID) <= 200, "external_id", "invalid", "external id must be 1-200 characters")
	}
	checkAttrs(&c, "custom_attributes", in.CustomAttributes)
	return c.Err()
}

// CreateOrganization adds an organization. Errors: *errs.ValidationError
// (code "taken" for an external id another organization has).
func (s *Service) CreateOrganization(ctx context.Context, actor audit.Actor, in OrganizationInput) (Organization, error) {
	if err := in.check(); err != nil {
		return Organization{}, err
	}
	if in.Domains == nil {
		in.Domains = []string{}
	}
	var id int64
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		now := time.Now().UnixMilli()
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO organizations (name, domains, external_id, custom_attributes, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)`, in.Name, db.JSON(in.Domains), in.ExternalID, db.JSON(orEmpty(in.CustomAttributes)), now, now)
		if db.IsUniqueViolation(err) {
			return errs.Invalid("external_id", "taken", "another organization has this external id")
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "organization.created", EntityType: "organization", EntityID: id})
	})
	if err != nil {
		return Organization{}, err
	}
	return s.GetOrganization(ctx, id)
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// GetOrganization returns organization id or errs.ErrNotFound.
func (s *Service) GetOrganization(ctx context.Context, id int64) (Organization, error) {
	os, err := s.loadOrgs(ctx, s.db.R(), `WHERE id = ?`, id)
	if err != nil {
		return Organization{}, err
	}
	if len(os) == 0 {
		return Organization{}, fmt.Errorf("organization %d: %w", id, errs.ErrNotFound)
	}
	return os[0], nil
}

func (s *Service) loadOrgs(ctx context.Context, q db.Querier, where string, args ...any) ([]Organization, error) {
	rows, err := q.Query(ctx, `SELECT id, name, domains, external_id, custom_attributes, created_at, updated_at FROM organizations `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Organization{}
	for rows.Next() {
		var o Organization
		var domains, attrs string
		var ext sql.NullString
		var created, updated int64
		if err := rows.Scan(&o.ID, &o.Name, &domains, &ext, &attrs, &created, &updated); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(domains), &o.Domains)
		_ = json.Unmarshal([]byte(attrs), &o.CustomAttributes)
		if ext.Valid {
			o.ExternalID = &ext.String
		}
		o.CreatedAt, o.UpdatedAt = db.Time(created), db.Time(updated)
		out = append(out, o)
	}
	return out, rows.Err()
}

// UpdateOrganization applies p to organization id.
func (s *Service) UpdateOrganization(ctx context.Context, actor audit.Actor, id int64, p OrganizationPatch) (Organization, error) {
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		os, err := s.loadOrgs(ctx, tx, `WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if len(os) == 0 {
			return fmt.Errorf("organization %d: %w", id, errs.ErrNotFound)
		}
		o := os[0]
		in := OrganizationInput{Name: o.Name, Domains: o.Domains, ExternalID: o.ExternalID, CustomAttributes: o.CustomAttributes}
		changes := map[string]audit.Change{}
		if p.Name.Set {
			changes["name"] = audit.Change{From: o.Name, To: p.Name.V}
			in.Name = p.Name.V
		}
		if p.Domains.Set {
			changes["domains"] = audit.Change{From: o.Domains, To: p.Domains.V}
			in.Domains = append([]string{}, p.Domains.V...)
		}
		if p.ExternalID.Set {
			in.ExternalID = nil
			if !p.ExternalID.Null {
				v := p.ExternalID.V
				in.ExternalID = &v
			}
			changes["external_id"] = audit.Change{From: o.ExternalID, To: in.ExternalID}
		}
		if p.CustomAttributes.Set {
			merged := orEmpty(nil)
			for k, v := range o.CustomAttributes {
				merged[k] = v
			}
			for k, v := range p.CustomAttributes.V {
				if v == nil {
					delete(merged, k)
				} else {
					merged[k] = v
				}
			}
			changes["custom_attributes"] = audit.Change{From: o.CustomAttributes, To: merged}
			in.CustomAttributes = merged
		}
		if err := in.check(); err != nil {
			return err
		}
		if len(changes) == 0 {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE organizations SET name = ?, domains = ?, external_id = ?, custom_attributes = ?, updated_at = ? WHERE id = ?`,
			in.Name, db.JSON(in.Domains), in.ExternalID, db.JSON(orEmpty(in.CustomAttributes)), time.Now().UnixMilli(), id)
		if db.IsUniqueViolation(err) {
			return errs.Invalid("external_id", "taken", "another organization has this external id")
		}
		if err != nil {
			return err
		}
		if in.Name != o.Name {
			// A contact's search document holds its organization's name.
			if err := reindexMembersTx(ctx, tx, id); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "organization.updated", EntityType: "organization", EntityID: id, Changes: changes})
	})
	if err != nil {
		return Organization{}, err
	}
	return s.GetOrganization(ctx, id)
}

// ListOrganizations returns one page of organizations, newest first,
// optionally filtered by a name substring.
func (s *Service) ListOrganizations(ctx context.Context, query, cursor string, limit int) (page.Result[Organization], error) {
	limit, err := page.Limit(limit)
	if err != nil {
		return page.Result[Organization]{}, err
	}
	cur, err := page.Decode(cursor, "organizations")
	if err != nil {
		return page.Result[Organization]{}, err
	}
	where := `WHERE 1=1`
	var args []any
	if q := strings.TrimSpace(query); q != "" {
		where += ` AND lower(name) LIKE ? ESCAPE '\'`
		args = append(args, "%"+escapeLike(strings.ToLower(q))+"%")
	}
	if cur != nil {
		where += ` AND id < ?`
		args = append(args, cur.ID)
	}
	args = append(args, limit+1)
	os, err := s.loadOrgs(ctx, s.db.R(), where+` ORDER BY id DESC LIMIT ?`, args...)
	if err != nil {
		return page.Result[Organization]{}, err
	}
	return page.Of(os, limit, func(last Organization) page.Cursor {
		return page.Cursor{Sort: "organizations", ID: last.ID}
	}), nil
}

// reindexMembersTx re-indexes the search documents of the organization's
// contacts in tx, 500 at a time (the documents carry the organization's
// name). Errors: database errors.
func reindexMembersTx(ctx context.Context, tx *db.Tx, orgID int64) error {
	ids, err := db.QueryIDs(ctx, tx, `SELECT id FROM contacts WHERE organization_id = ? ORDER BY id`, orgID)
	if err != nil {
		return fmt.Errorf("contact: organization members: %w", err)
	}
	for i := 0; i < len(ids); i += 500 {
		if err := indexTx(ctx, tx, ids[i:min(i+500, len(ids))]...); err != nil {
			return err
		}
	}
	return nil
}
