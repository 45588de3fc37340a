package credit

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/kesherdesk/kesher/internal/commerce/compensation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
)

// AnyRemedy in Limit.Remedy means all remedies together.
const AnyRemedy = "*"

// Periods of a per-period limit, in the desk's zone: a day starts at
// midnight, a week on Sunday, a month on its first day.
const (
	PeriodDay   = "day"
	PeriodWeek  = "week"
	PeriodMonth = "month"
)

// DeskCurrency is the currency of authority limits: a grant in another
// currency always needs approval, and only an admin approves it (minor
// units of different currencies are never added up).
const DeskCurrency = "ILS"

// Limit is how much a role may grant (or approve) without approval: at
// most PerOrderMinor on one order (every grant on the order by anyone
// counts, net of reversals) and PerPeriodMinor in the current Period (the
// agent's own grants made within authority plus the requests they
// approved, net of reversals). Amounts are minor units of DeskCurrency,
// 0..compensation.MaxAmountMinor. Remedy is one remedy or AnyRemedy; a
// grant must satisfy every row of its role that names its remedy or
// AnyRemedy.
type Limit struct {
	Role           string `json:"role"`
	Remedy         string `json:"remedy"`
	PerOrderMinor  int64  `json:"per_order_minor"`
	PerPeriodMinor int64  `json:"per_period_minor"`
	Period         string `json:"period"`
}

// DefaultLimits are in force for a role that has no row in
// authority_limits: agents ₪150.00 per order and ₪1,000.00 a day,
// supervisors ₪500.00 and ₪5,000.00, all remedies together. Admins have no
// default row: an admin role without rows grants without limit.
func DefaultLimits() []Limit {
	return []Limit{
		{Role: "agent", Remedy: AnyRemedy, PerOrderMinor: 15000, PerPeriodMinor: 100000, Period: PeriodDay},
		{Role: "supervisor", Remedy: AnyRemedy, PerOrderMinor: 50000, PerPeriodMinor: 500000, Period: PeriodDay},
	}
}

var roles = []string{"admin", "supervisor", "agent"}

// Limits returns the limits in force for every role: the stored rows, and
// for a role without rows its defaults; by role, then remedy.
func (s *Service) Limits(ctx context.Context) ([]Limit, error) {
	return s.limits(ctx, s.db.R(), "")
}

func (s *Service) limits(ctx context.Context, q db.Querier, role string) ([]Limit, error) {
	rows, err := q.Query(ctx, `SELECT role, remedy, per_order_minor, per_period_minor, period FROM authority_limits ORDER BY role, remedy`)
	if err != nil {
		return nil, fmt.Errorf("credit: load authority limits: %w", err)
	}
	defer rows.Close()
	stored := map[string][]Limit{}
	for rows.Next() {
		var l Limit
		if err := rows.Scan(&l.Role, &l.Remedy, &l.PerOrderMinor, &l.PerPeriodMinor, &l.Period); err != nil {
			return nil, err
		}
		stored[l.Role] = append(stored[l.Role], l)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []Limit{}
	for _, r := range roles {
		if role != "" && r != role {
			continue
		}
		if ls, ok := stored[r]; ok {
			out = append(out, ls...)
			continue
		}
		for _, l := range DefaultLimits() {
			if l.Role == r {
				out = append(out, l)
			}
		}
	}
	return out, nil
}

// LimitInput is one row of PutLimits: as Limit, but both amounts are
// required (nil is reported as missing) and Period defaults to day.
type LimitInput struct {
	Role           string `json:"role"`
	Remedy         string `json:"remedy"`
	PerOrderMinor  *int64 `json:"per_order_minor"`
	PerPeriodMinor *int64 `json:"per_period_minor"`
	Period         string `json:"period"`
}

// PutLimits replaces the stored limits with in, by actor (an empty list
// restores the defaults). Errors: *errs.ValidationError naming
// "[i].field" (per_order_minor and per_period_minor are required,
// 0..compensation.MaxAmountMinor).
func (s *Service) PutLimits(ctx context.Context, actor Actor, in []LimitInput) ([]Limit, error) {
	var c errs.Checker
	seen := map[[2]string]bool{}
	ls := make([]Limit, len(in))
	for i, li := range in {
		l := &ls[i]
		f := fmt.Sprintf("[%d].", i)
		l.Role, l.Remedy, l.Period = li.Role, li.Remedy, li.Period
		if l.Period == "" {
			l.Period = PeriodDay
		}
		c.Check(li.PerOrderMinor != nil, f+"per_order_minor", "required", "the most one order may get, in minor units")
		c.Check(li.PerPeriodMinor != nil, f+"per_period_minor", "required", "the most one agent may grant in a period, in minor units")
		if li.PerOrderMinor != nil {
			l.PerOrderMinor = *li.PerOrderMinor
		}
		if li.PerPeriodMinor != nil {
			l.PerPeriodMinor = *li.PerPeriodMinor
		}
		c.Check(l.PerOrderMinor <= compensation.MaxAmountMinor, f+"per_order_minor", "too_large", "at most %d minor units", compensation.MaxAmountMinor)
		c.Check(l.PerPeriodMinor <= compensation.MaxAmountMinor, f+"per_period_minor", "too_large", "at most %d minor units", compensation.MaxAmountMinor)
		c.Check(slices.Contains(roles, l.Role), f+"role", "invalid", "one of admin, supervisor, agent")
		c.Check(l.Remedy == AnyRemedy || compensation.ValidRemedy(l.Remedy), f+"remedy", "invalid", `"*" (all remedies) or one of store_credit, coupon, shipping_refund, partial_refund`)
		c.Check(l.PerOrderMinor >= 0, f+"per_order_minor", "invalid", "must not be negative")
		c.Check(l.PerPeriodMinor >= 0, f+"per_period_minor", "invalid", "must not be negative")
		c.OneOf(f+"period", l.Period, PeriodDay, PeriodWeek, PeriodMonth)
		k := [2]string{l.Role, l.Remedy}
		c.Check(!seen[k], f+"remedy", "duplicate", "role %s has two rows for remedy %s", l.Role, l.Remedy)
		seen[k] = true
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM authority_limits`); err != nil {
			return fmt.Errorf("credit: clear authority limits: %w", err)
		}
		now := db.Ms(s.o.Now())
		for _, l := range ls {
			if _, err := tx.Exec(ctx, `INSERT INTO authority_limits (role, remedy, per_order_minor, per_period_minor, period, updated_at)
				VALUES (?, ?, ?, ?, ?, ?)`, l.Role, l.Remedy, l.PerOrderMinor, l.PerPeriodMinor, l.Period, now); err != nil {
				return fmt.Errorf("credit: save authority limit: %w", err)
			}
		}
		return record(ctx, tx, actor, "authority_limits.changed", "authority_limits", 0)
	})
	if err != nil {
		return nil, err
	}
	return s.Limits(ctx)
}

// periodStart returns the start of the period containing now in the desk's
// zone.
func (s *Service) periodStart(period string, now time.Time) time.Time {
	t := now.In(s.loc)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, s.loc)
	switch period {
	case PeriodWeek:
		return day.AddDate(0, 0, -int(day.Weekday()))
	case PeriodMonth:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, s.loc)
	}
	return day
}

// remedyFilter is the SQL condition and arguments limiting a sum to a
// limit's remedy.
func remedyFilter(alias, remedy string) (string, []any) {
	if remedy == AnyRemedy {
		return "", nil
	}
	return ` AND ` + alias + `remedy = ?`, []any{remedy}
}

// orderUsed sums every ledger entry of order (grants by anyone, automatic
// and approved ones, reversals negative) for remedy.
func orderUsed(ctx context.Context, q db.Querier, orderID int64, remedy string) (int64, error) {
	cond, args := remedyFilter("", remedy)
	var n int64
	err := q.QueryRow(ctx, `SELECT COALESCE(SUM(amount_minor), 0) FROM credit_ledger WHERE order_id = ?`+cond,
		append([]any{orderID}, args...)...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("credit: sum of order %d: %w", orderID, err)
	}
	return n, nil
}

// periodUsed sums, in DeskCurrency, agent's own grants made within
// authority (no approval request) and the grants they approved since from,
// net of their reversals, for remedy.
func periodUsed(ctx context.Context, q db.Querier, agentID int64, remedy string, from time.Time) (int64, error) {
	cond, args := remedyFilter("e.", remedy)
	var n int64
	err := q.QueryRow(ctx, `SELECT COALESCE(SUM(e.amount_minor + COALESCE(r.amount_minor, 0)), 0)
		FROM credit_ledger e LEFT JOIN credit_ledger r ON r.reverses_id = e.id
		WHERE ((e.granted_by = ? AND e.approval_request_id IS NULL) OR e.approved_by = ?)
		AND e.reverses_id IS NULL AND e.currency = ? AND e.created_at >= ?`+cond,
		append([]any{agentID, agentID, DeskCurrency, db.Ms(from)}, args...)...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("credit: sum of agent %d: %w", agentID, err)
	}
	return n, nil
}

// withinAuthority reports whether actor may grant amount (0..
// compensation.MaxAmountMinor) of remedy in currency on orderID (0: no
// order, the amount alone counts against the per-order limit) without
// approval, and the first limit exceeded otherwise ("currency" for another
// currency than DeskCurrency, "" when no limit covers the remedy). Sums
// are bounded by MaxAmountMinor per entry, and the comparisons are written
// amount > limit - used so that they cannot overflow.
func (s *Service) withinAuthority(ctx context.Context, q db.Querier, actor Actor, orderID int64, remedy string, amount int64, currency string) (bool, string, error) {
	ls, err := s.limits(ctx, q, actor.Role)
	if err != nil {
		return false, "", err
	}
	if len(ls) == 0 && actor.Role == "admin" {
		return true, "", nil
	}
	if currency != DeskCurrency {
		return false, "currency", nil
	}
	applied := false
	now := s.o.Now()
	for _, l := range ls {
		if l.Remedy != AnyRemedy && l.Remedy != remedy {
			continue
		}
		applied = true
		used := int64(0)
		if orderID != 0 {
			if used, err = orderUsed(ctx, q, orderID, l.Remedy); err != nil {
				return false, "", err
			}
		}
		if amount > l.PerOrderMinor-used {
			return false, "per_order_minor", nil
		}
		if used, err = periodUsed(ctx, q, actor.AgentID, l.Remedy, s.periodStart(l.Period, now)); err != nil {
			return false, "", err
		}
		if amount > l.PerPeriodMinor-used {
			return false, "per_period_minor", nil
		}
	}
	if !applied {
		return false, "", nil
	}
	return true, "", nil
}

// LimitUse is one limit of the caller with what is used and left in the
// current period (PeriodStart, in the desk's zone).
type LimitUse struct {
	Limit
	PeriodStart time.Time `json:"period_start"`
	UsedMinor   int64     `json:"used_minor"`
	LeftMinor   int64     `json:"left_minor"`
}

// Authority is the caller's authority: Unlimited for an admin role without
// limits; PendingRequests counts their own pending approval requests (which
// do not use the limits: only grants made within authority do).
type Authority struct {
	AgentID         int64      `json:"agent_id"`
	Role            string     `json:"role"`
	Unlimited       bool       `json:"unlimited"`
	Limits          []LimitUse `json:"limits"`
	PendingRequests int64      `json:"pending_requests"`
	PendingMinor    int64      `json:"pending_minor"`
}

// Me returns actor's limits and their use in the current periods.
func (s *Service) Me(ctx context.Context, actor Actor) (Authority, error) {
	q := s.db.R()
	ls, err := s.limits(ctx, q, actor.Role)
	if err != nil {
		return Authority{}, err
	}
	out := Authority{AgentID: actor.AgentID, Role: actor.Role, Unlimited: len(ls) == 0 && actor.Role == "admin", Limits: []LimitUse{}}
	now := s.o.Now()
	for _, l := range ls {
		from := s.periodStart(l.Period, now)
		used, err := periodUsed(ctx, q, actor.AgentID, l.Remedy, from)
		if err != nil {
			return Authority{}, err
		}
		out.Limits = append(out.Limits, LimitUse{Limit: l, PeriodStart: from.UTC(), UsedMinor: used, LeftMinor: max(0, l.PerPeriodMinor-used)})
	}
	if err := q.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(amount_minor), 0) FROM compensation_requests WHERE requested_by = ? AND status = 'pending'`,
		actor.AgentID).Scan(&out.PendingRequests, &out.PendingMinor); err != nil {
		return Authority{}, fmt.Errorf("credit: pending requests: %w", err)
	}
	return out, nil
}
