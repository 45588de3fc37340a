package contact

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/kesherdesk/kesher/internal/db"
)

// FindByEmailTx returns the contact an email address belongs to, 0 when
// none: the address itself (addr must already be normalized, lower-case,
// see NormalizeEmail), else — for plus-addressing, "dana+orders@x" — the
// bare address "dana@x". A contact merged into another resolves to the one
// it was merged into. Every ingestion path (email senders, orders) matches
// customers this way.
func FindByEmailTx(ctx context.Context, q db.Querier, addr string) (int64, error) {
	for _, a := range []string{addr, StripPlus(addr)} {
		var id int64
		err := q.QueryRow(ctx, `SELECT i.contact_id FROM contact_identities i WHERE i.kind = 'email' AND i.value = ?`, a).Scan(&id)
		if err == nil {
			var into sql.NullInt64
			if err := q.QueryRow(ctx, `SELECT merged_into_id FROM contacts WHERE id = ?`, id).Scan(&into); err == nil && into.Valid {
				id = into.Int64
			}
			return id, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
	}
	return 0, nil
}

// StripPlus removes a "+tag" from an address's local part
// ("dana+orders@x" → "dana@x").
func StripPlus(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return addr
	}
	local := addr[:at]
	if i := strings.IndexByte(local, '+'); i > 0 {
		local = local[:i]
	}
	return local + addr[at:]
}
