package credit

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/commerce/compensation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
)

// Entry is one credit-ledger entry: a grant (AmountMinor > 0) or the
// reversal of one (ReversesID set, the opposite amount). GrantedBy is nil
// for an automatic grant by the policy; ApprovalRequestID and ApprovedBy
// name the approval that allowed a grant above the granter's authority.
// CouponCode is set for coupons; it is a bearer value, so ledger lists
// show it only to principals who may grant compensation (HideCouponCode).
type Entry struct {
	ID             int64  `json:"id"`
	ContactID      int64  `json:"contact_id"`
	OrderID        *int64 `json:"order_id"`
	ConversationID *int64 `json:"conversation_id"`
	Remedy         string `json:"remedy"`
	AmountMinor    int64  `json:"amount_minor"`
	Currency       string `json:"currency"`
	Goodwill       bool   `json:"goodwill"`
	Reason         string `json:"reason"`
	PolicyVersion  *int64 `json:"policy_version"`
	PolicyRule     string `json:"policy_rule"`
	Explanation    string `json:"explanation"`
	CouponCode     string `json:"coupon_code"`
	// CouponCodeHidden is true when CouponCode was blanked for the caller.
	CouponCodeHidden  bool      `json:"coupon_code_hidden,omitempty"`
	GrantedBy         *int64    `json:"granted_by"`
	ApprovalRequestID *int64    `json:"approval_request_id"`
	ApprovedBy        *int64    `json:"approved_by"`
	ReversesID        *int64    `json:"reverses_id"`
	CreatedAt         time.Time `json:"created_at"`
}

const entryColumns = `id, contact_id, order_id, conversation_id, remedy, amount_minor, currency, goodwill, reason, policy_version,
	policy_rule, explanation, coupon_code, granted_by, approval_request_id, approved_by, reverses_id, created_at`

func scanEntries(rows *sql.Rows) ([]Entry, error) {
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		var e Entry
		var order, conv, pv, by, req, appr, rev sql.NullInt64
		var at int64
		if err := rows.Scan(&e.ID, &e.ContactID, &order, &conv, &e.Remedy, &e.AmountMinor, &e.Currency, &e.Goodwill, &e.Reason, &pv,
			&e.PolicyRule, &e.Explanation, &e.CouponCode, &by, &req, &appr, &rev, &at); err != nil {
			return nil, err
		}
		e.OrderID, e.ConversationID, e.PolicyVersion, e.GrantedBy = nullID(order), nullID(conv), nullID(pv), nullID(by)
		e.ApprovalRequestID, e.ApprovedBy, e.ReversesID, e.CreatedAt = nullID(req), nullID(appr), nullID(rev), db.Time(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

func ptrArg(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// insertEntry appends e to the ledger in tx (a coupon without a code gets
// one), schedules its export and returns it with its id.
func (s *Service) insertEntry(ctx context.Context, tx *db.Tx, e Entry) (Entry, error) {
	if e.Remedy == compensation.RemedyCoupon && e.CouponCode == "" && e.ReversesID == nil {
		e.CouponCode = NewCouponCode()
	}
	e.CreatedAt = db.Time(db.Ms(s.o.Now()))
	id, err := tx.InsertID(ctx, `INSERT INTO credit_ledger (contact_id, order_id, conversation_id, remedy, amount_minor, currency, goodwill,
		reason, policy_version, policy_rule, explanation, coupon_code, granted_by, approval_request_id, approved_by, reverses_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ContactID, ptrArg(e.OrderID), ptrArg(e.ConversationID), e.Remedy, e.AmountMinor, e.Currency, e.Goodwill,
		e.Reason, ptrArg(e.PolicyVersion), e.PolicyRule, e.Explanation, e.CouponCode, ptrArg(e.GrantedBy),
		ptrArg(e.ApprovalRequestID), ptrArg(e.ApprovedBy), ptrArg(e.ReversesID), db.Ms(e.CreatedAt))
	if e.ReversesID != nil && db.IsUniqueViolation(err) {
		return Entry{}, fmt.Errorf("ledger entry %d is already reversed: %w", *e.ReversesID, errs.ErrConflict)
	}
	if db.IsForeignKeyViolation(err) {
		return Entry{}, errs.Invalid("conversation_id", "not_found", "the conversation, order or contact does not exist")
	}
	if err != nil {
		return Entry{}, fmt.Errorf("credit: append ledger entry: %w", err)
	}
	e.ID = id
	return e, s.scheduleExport(ctx, tx, id)
}

// HideCouponCode blanks the coupon codes of es (in place) and marks them
// CouponCodeHidden: for callers who may read the ledger but not grant
// compensation, who must not redeem the codes.
func HideCouponCode(es []Entry) {
	for i := range es {
		if es[i].CouponCode != "" {
			es[i].CouponCode, es[i].CouponCodeHidden = "", true
		}
	}
}

// Entry returns ledger entry id. Errors: errs.ErrNotFound.
func (s *Service) Entry(ctx context.Context, id int64) (Entry, error) {
	return s.entry(ctx, s.db.R(), id)
}

func (s *Service) entry(ctx context.Context, q db.Querier, id int64) (Entry, error) {
	rows, err := q.Query(ctx, `SELECT `+entryColumns+` FROM credit_ledger WHERE id = ?`, id)
	if err != nil {
		return Entry{}, fmt.Errorf("credit: load entry %d: %w", id, err)
	}
	es, err := scanEntries(rows)
	if err != nil {
		return Entry{}, err
	}
	if len(es) == 0 {
		return Entry{}, fmt.Errorf("ledger entry %d: %w", id, errs.ErrNotFound)
	}
	return es[0], nil
}

// LedgerFilter filters List. Zero values do not filter; From is
// inclusive, To exclusive.
type LedgerFilter struct {
	ContactID int64
	OrderID   int64
	GrantedBy int64
	From, To  time.Time
	// Limit is at most MaxListed (0 = MaxListed).
	Limit int
}

// MaxListed is the most ledger entries one List returns.
const MaxListed = 500

// List returns ledger entries matching f, newest first.
func (s *Service) List(ctx context.Context, f LedgerFilter) ([]Entry, error) {
	where, args := f.where()
	limit := f.Limit
	if limit <= 0 || limit > MaxListed {
		limit = MaxListed
	}
	rows, err := s.db.R().Query(ctx, `SELECT `+entryColumns+` FROM credit_ledger`+where+` ORDER BY created_at DESC, id DESC LIMIT ?`,
		append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("credit: list ledger: %w", err)
	}
	return scanEntries(rows)
}

func (f LedgerFilter) where() (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) { conds = append(conds, cond); args = append(args, v) }
	if f.ContactID != 0 {
		add("contact_id = ?", f.ContactID)
	}
	if f.OrderID != 0 {
		add("order_id = ?", f.OrderID)
	}
	if f.GrantedBy != 0 {
		add("granted_by = ?", f.GrantedBy)
	}
	if !f.From.IsZero() {
		add("created_at >= ?", db.Ms(f.From))
	}
	if !f.To.IsZero() {
		add("created_at < ?", db.Ms(f.To))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// Sum is one line of a summary: the net amount (grants minus reversals) and
// the number of entries for its key.
type Sum struct {
	Currency    string `json:"currency"`
	Remedy      string `json:"remedy,omitempty"`
	ContactID   int64  `json:"contact_id,omitempty"`
	Day         string `json:"day,omitempty"`
	AmountMinor int64  `json:"amount_minor"`
	Entries     int64  `json:"entries"`
}

// Summary is the ledger summed over [From, To): in total per currency, per
// currency and remedy, per currency and contact, and per currency and day
// (YYYY-MM-DD in the desk's zone). Reversals count on their own day with
// their negative amount. Lists are sorted by their keys.
type Summary struct {
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	Totals    []Sum     `json:"totals"`
	ByRemedy  []Sum     `json:"by_remedy"`
	ByContact []Sum     `json:"by_contact"`
	ByDay     []Sum     `json:"by_day"`
}

// Summary sums the ledger entries created in [from, to). Errors:
// *errs.ValidationError when to is not after from.
func (s *Service) Summary(ctx context.Context, from, to time.Time) (Summary, error) {
	if !to.After(from) {
		return Summary{}, errs.Invalid("to", "invalid", "must be after from")
	}
	rows, err := s.db.R().Query(ctx, `SELECT currency, remedy, contact_id, amount_minor, created_at FROM credit_ledger
		WHERE created_at >= ? AND created_at < ?`, db.Ms(from), db.Ms(to))
	if err != nil {
		return Summary{}, fmt.Errorf("credit: summary: %w", err)
	}
	defer rows.Close()
	type key struct {
		cur, remedy, day string
		contact          int64
	}
	sums := [4]map[key]*Sum{{}, {}, {}, {}}
	bump := func(i int, k key) {
		sm := sums[i][k]
		if sm == nil {
			sm = &Sum{Currency: k.cur, Remedy: k.remedy, ContactID: k.contact, Day: k.day}
			sums[i][k] = sm
		}
		sm.Entries++
	}
	for rows.Next() {
		var cur, remedy string
		var contact, amount, at int64
		if err := rows.Scan(&cur, &remedy, &contact, &amount, &at); err != nil {
			return Summary{}, err
		}
		day := db.Time(at).In(s.loc).Format(time.DateOnly)
		for i, k := range []key{{cur: cur}, {cur: cur, remedy: remedy}, {cur: cur, contact: contact}, {cur: cur, day: day}} {
			bump(i, k)
			sums[i][k].AmountMinor += amount
		}
	}
	if err := rows.Err(); err != nil {
		return Summary{}, err
	}
	list := func(m map[key]*Sum) []Sum {
		out := make([]Sum, 0, len(m))
		for _, v := range m {
			out = append(out, *v)
		}
		sort.Slice(out, func(a, b int) bool {
			x, y := out[a], out[b]
			if x.Currency != y.Currency {
				return x.Currency < y.Currency
			}
			if x.Remedy != y.Remedy {
				return x.Remedy < y.Remedy
			}
			if x.ContactID != y.ContactID {
				return x.ContactID < y.ContactID
			}
			return x.Day < y.Day
		})
		return out
	}
	return Summary{From: from.UTC(), To: to.UTC(), Totals: list(sums[0]), ByRemedy: list(sums[1]), ByContact: list(sums[2]), ByDay: list(sums[3])}, nil
}

// Reverse appends the reversal of entry id by actor: the opposite amount,
// reverses_id = id, reason required. Errors: *errs.ValidationError
// ("reason"), errs.ErrNotFound, errs.ErrConflict when the entry is itself
// a reversal or is already reversed.
func (s *Service) Reverse(ctx context.Context, actor Actor, id int64, reason string) (Entry, error) {
	reason = strings.TrimSpace(reason)
	var c errs.Checker
	c.Check(reason != "", "reason", "required", "say why the entry is reversed")
	c.MaxLen("reason", reason, maxReason)
	if err := c.Err(); err != nil {
		return Entry{}, err
	}
	var out Entry
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		e, err := s.entry(ctx, tx, id)
		if err != nil {
			return err
		}
		if e.ReversesID != nil {
			return fmt.Errorf("ledger entry %d is a reversal and cannot be reversed: %w", id, errs.ErrConflict)
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM credit_ledger WHERE reverses_id = ?`, id).Scan(&n); err != nil {
			return fmt.Errorf("credit: find reversal of %d: %w", id, err)
		}
		if n > 0 {
			return fmt.Errorf("ledger entry %d is already reversed: %w", id, errs.ErrConflict)
		}
		rev := e
		rev.ID, rev.AmountMinor, rev.Reason, rev.ReversesID = 0, -e.AmountMinor, reason, &id
		rev.GrantedBy, rev.ApprovalRequestID, rev.ApprovedBy = idPtr(actor.AgentID), nil, nil
		rev.Explanation = "Reversal of ledger entry " + fmt.Sprint(id)
		if out, err = s.insertEntry(ctx, tx, rev); err != nil {
			return err
		}
		return record(ctx, tx, actor, "credit.reversed", "credit_ledger_entry", out.ID)
	})
	return out, err
}

func idPtr(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
