package contact

import (
	"context"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/page"
)

// ListParams filter and page the contact list (newest first).
type ListParams struct {
	// Query matches a substring of the name, an email or a phone.
	Query          string
	OrganizationID int64
	UpdatedSince   *time.Time
	Cursor         string
	Limit          int
}

// List returns one page of contacts, newest first; contacts merged into
// another are left out.
func (s *Service) List(ctx context.Context, p ListParams) (page.Result[Contact], error) {
	limit, err := page.Limit(p.Limit)
	if err != nil {
		return page.Result[Contact]{}, err
	}
	cur, err := page.Decode(p.Cursor, "contacts")
	if err != nil {
		return page.Result[Contact]{}, err
	}
	where := []string{`merged_into_id IS NULL`}
	var args []any
	if q := strings.TrimSpace(p.Query); q != "" {
		like := "%" + escapeLike(strings.ToLower(q)) + "%"
		where = append(where, `(lower(name) LIKE ? ESCAPE '\' OR id IN (SELECT contact_id FROM contact_identities WHERE value LIKE ? ESCAPE '\'))`)
		args = append(args, like, like)
	}
	if p.OrganizationID != 0 {
		where = append(where, `organization_id = ?`)
		args = append(args, p.OrganizationID)
	}
	if p.UpdatedSince != nil {
		where = append(where, `updated_at >= ?`)
		args = append(args, p.UpdatedSince.UnixMilli())
	}
	if cur != nil {
		where = append(where, `id < ?`)
		args = append(args, cur.ID)
	}
	q := "WHERE " + strings.Join(where, " AND ")
	args = append(args, limit+1)
	cs, err := s.load(ctx, s.db.R(), q+` ORDER BY id DESC LIMIT ?`, args...)
	if err != nil {
		return page.Result[Contact]{}, err
	}
	return page.Of(cs, limit, func(last Contact) page.Cursor { return page.Cursor{Sort: "contacts", ID: last.ID} }), nil
}

// escapeLike escapes LIKE wildcards with backslash.
func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}
