// Package overview builds the customer 360 view of one contact: their
// orders (with lateness), the credits they received, their conversations
// across channels, satisfaction answers, lifetime value and open issues
// (docs/commerce.md "Customer 360"). It only reads.
package overview

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/kesherdesk/kesher/internal/commerce"
	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
)

// Limits on the lists of an overview (newest first).
const (
	MaxOrders        = 50
	MaxCredits       = 100
	MaxConversations = 50
)

// Overview is a contact's customer 360.
type Overview struct {
	Contact       contact.Contact  `json:"contact"`
	Orders        []commerce.Order `json:"orders"`
	Credits       Credits          `json:"credits"`
	Conversations []Conversation   `json:"conversations"`
	Satisfaction  Satisfaction     `json:"satisfaction"`
	LifetimeValue LifetimeValue    `json:"lifetime_value"`
	OpenIssues    OpenIssues       `json:"open_issues"`
}

// Money is an amount in minor units of Currency.
type Money struct {
	Currency    string `json:"currency"`
	AmountMinor int64  `json:"amount_minor"`
}

// Credits are the contact's credit-ledger entries, newest first (at most
// MaxCredits), and totals per currency over all entries, net of reversals
// (a reversal is an entry of the opposite amount). Each entry counts at
// most ±commerce.MaxAmountMinor (the ledger's own bound), so a total
// cannot overflow below 92 million entries.
type Credits struct {
	Entries []CreditEntry `json:"entries"`
	Totals  []Money       `json:"totals"`
}

// CreditEntry is one credit-ledger entry as the overview shows it. Reversed
// tells whether a later entry reverses it. A coupon code is a bearer value
// (whoever holds it can spend it): CouponCode is shown only to callers who
// may grant compensation (Access.CouponCodes); for others it is "" and
// CouponCodeHidden is true when the entry has one.
type CreditEntry struct {
	ID               int64     `json:"id"`
	OrderID          *int64    `json:"order_id"`
	ConversationID   *int64    `json:"conversation_id"`
	Remedy           string    `json:"remedy"`
	AmountMinor      int64     `json:"amount_minor"`
	Currency         string    `json:"currency"`
	Goodwill         bool      `json:"goodwill"`
	Reason           string    `json:"reason"`
	CouponCode       string    `json:"coupon_code"`
	CouponCodeHidden bool      `json:"coupon_code_hidden,omitempty"`
	ReversesID       *int64    `json:"reverses_id"`
	Reversed         bool      `json:"reversed"`
	CreatedAt        time.Time `json:"created_at"`
}

// Conversation is one of the contact's conversations, any channel.
type Conversation struct {
	ID        int64     `json:"id"`
	Subject   string    `json:"subject"`
	Status    string    `json:"status"`
	Channel   string    `json:"channel"`
	OrderID   *int64    `json:"order_id"`
	CreatedAt time.Time `json:"created_at"`
}

// Satisfaction holds CSAT and NPS answers; empty lists until surveys exist.
type Satisfaction struct {
	CSAT []any `json:"csat"`
	NPS  []any `json:"nps"`
}

// LifetimeValue is the sum of order totals per currency over orders not
// cancelled or returned (Historical), and how many such orders there are.
// Order totals are at most commerce.MaxAmountMinor (1e11; an older row
// above it counts as that much), so a sum fits in int64 for up to 92
// million orders.
type LifetimeValue struct {
	Historical  []Money `json:"historical"`
	OrdersCount int     `json:"orders_count"`
}

// OpenIssues counts what is unresolved for the contact: conversations not
// solved or closed (visible to the caller), compensation requests pending
// approval, and orders the detector marks late.
type OpenIssues struct {
	OpenConversations           int `json:"open_conversations"`
	PendingCompensationRequests int `json:"pending_compensation_requests"`
	LateOrders                  int `json:"late_orders"`
}

// Service builds overviews.
type Service struct {
	db       *db.DB
	contacts *contact.Service
	orders   *commerce.Service
}

// New returns the overview service.
func New(d *db.DB, contacts *contact.Service, orders *commerce.Service) *Service {
	return &Service{db: d, contacts: contacts, orders: orders}
}

// Access is what the caller may see: Conversations, its conversation
// visibility (the conversations list and the open count follow it), and
// CouponCodes, whether credit entries show their coupon codes (callers with
// auth.CompensationGrant).
type Access struct {
	Conversations conversation.Visibility
	CouponCodes   bool
}

// Get returns contact id's overview as the caller may see it. Errors:
// errs.ErrNotFound.
func (s *Service) Get(ctx context.Context, a Access, id int64) (Overview, error) {
	v := a.Conversations
	c, err := s.contacts.Get(ctx, id)
	if err != nil {
		return Overview{}, err
	}
	ov := Overview{Contact: c, Satisfaction: Satisfaction{CSAT: []any{}, NPS: []any{}}}
	orders, err := s.orders.List(ctx, commerce.ListParams{ContactID: id, Limit: MaxOrders})
	if err != nil {
		return Overview{}, err
	}
	ov.Orders = orders.Data
	q := s.db.R()
	if ov.Credits, err = credits(ctx, q, id); err != nil {
		return Overview{}, err
	}
	if !a.CouponCodes {
		for i := range ov.Credits.Entries {
			if e := &ov.Credits.Entries[i]; e.CouponCode != "" {
				e.CouponCode, e.CouponCodeHidden = "", true
			}
		}
	}
	vis, vargs := visibility(v)
	if ov.Conversations, err = conversations(ctx, q, id, vis, vargs); err != nil {
		return Overview{}, err
	}
	if ov.LifetimeValue, err = lifetimeValue(ctx, q, id); err != nil {
		return Overview{}, err
	}
	oi := &ov.OpenIssues
	for _, c := range []struct {
		dst  *int
		q    string
		args []any
	}{
		{&oi.OpenConversations, `SELECT COUNT(*) FROM conversations c WHERE c.requester_id = ? AND c.status NOT IN ('solved', 'closed')` + vis,
			append([]any{id}, vargs...)},
		{&oi.PendingCompensationRequests, `SELECT COUNT(*) FROM compensation_requests WHERE contact_id = ? AND status = 'pending'`, []any{id}},
		{&oi.LateOrders, `SELECT COUNT(*) FROM orders WHERE contact_id = ? AND lateness = 'late' AND status NOT IN ('delivered', 'cancelled', 'returned')`, []any{id}},
	} {
		if err := q.QueryRow(ctx, c.q, c.args...).Scan(c.dst); err != nil {
			return Overview{}, fmt.Errorf("overview: count: %w", err)
		}
	}
	return ov, nil
}

// visibility is the SQL condition (on alias c) of conversation.Visibility:
// admins see all; others conversations without a team, of their teams, or
// assigned to them.
func visibility(v conversation.Visibility) (string, []any) {
	if v.All {
		return "", nil
	}
	cond := ` AND (c.team_id IS NULL OR c.assignee_id = ?`
	args := []any{v.AgentID}
	if len(v.TeamIDs) > 0 {
		cond += ` OR c.team_id IN (` + db.Placeholders(len(v.TeamIDs)) + `)`
		for _, t := range v.TeamIDs {
			args = append(args, t)
		}
	}
	return cond + `)`, args
}

func credits(ctx context.Context, q db.Querier, id int64) (Credits, error) {
	out := Credits{Entries: []CreditEntry{}, Totals: []Money{}}
	rows, err := q.Query(ctx, `SELECT l.id, l.order_id, l.conversation_id, l.remedy, l.amount_minor, l.currency, l.goodwill, l.reason,
		l.coupon_code, l.reverses_id, EXISTS (SELECT 1 FROM credit_ledger r WHERE r.reverses_id = l.id), l.created_at
		FROM credit_ledger l WHERE l.contact_id = ? ORDER BY l.created_at DESC, l.id DESC LIMIT ?`, id, MaxCredits)
	if err != nil {
		return out, fmt.Errorf("overview: credits: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e CreditEntry
		var order, conv, rev sql.NullInt64
		var created int64
		if err := rows.Scan(&e.ID, &order, &conv, &e.Remedy, &e.AmountMinor, &e.Currency, &e.Goodwill, &e.Reason, &e.CouponCode,
			&rev, &e.Reversed, &created); err != nil {
			return out, err
		}
		e.OrderID, e.ConversationID, e.ReversesID = nullID(order), nullID(conv), nullID(rev)
		e.CreatedAt = db.Time(created)
		out.Entries = append(out.Entries, e)
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	out.Totals, _, err = sums(ctx, q, `SELECT currency, CAST(SUM(`+bounded("amount_minor")+`) AS BIGINT), COUNT(*) FROM credit_ledger
		WHERE contact_id = ? GROUP BY currency ORDER BY currency`, id)
	return out, err
}

func conversations(ctx context.Context, q db.Querier, id int64, vis string, vargs []any) ([]Conversation, error) {
	rows, err := q.Query(ctx, `SELECT c.id, c.subject, c.status, c.channel, c.order_id, c.created_at FROM conversations c
		WHERE c.requester_id = ?`+vis+` ORDER BY c.created_at DESC, c.id DESC LIMIT ?`, append(append([]any{id}, vargs...), MaxConversations)...)
	if err != nil {
		return nil, fmt.Errorf("overview: conversations: %w", err)
	}
	defer rows.Close()
	out := []Conversation{}
	for rows.Next() {
		var c Conversation
		var order sql.NullInt64
		var created int64
		if err := rows.Scan(&c.ID, &c.Subject, &c.Status, &c.Channel, &order, &created); err != nil {
			return nil, err
		}
		c.OrderID, c.CreatedAt = nullID(order), db.Time(created)
		out = append(out, c)
	}
	return out, rows.Err()
}

func lifetimeValue(ctx context.Context, q db.Querier, id int64) (LifetimeValue, error) {
	m, n, err := sums(ctx, q, `SELECT currency, CAST(SUM(`+bounded("total_minor")+`) AS BIGINT), COUNT(*) FROM orders
		WHERE contact_id = ? AND status NOT IN ('cancelled', 'returned') GROUP BY currency ORDER BY currency`, id)
	return LifetimeValue{Historical: m, OrdersCount: n}, err
}

// bounded is column clamped to ±commerce.MaxAmountMinor, so that a sum
// over it cannot overflow (rows written before the bound existed).
func bounded(column string) string {
	m := strconv.FormatInt(commerce.MaxAmountMinor, 10)
	return "CASE WHEN " + column + " > " + m + " THEN " + m + " WHEN " + column + " < -" + m + " THEN -" + m + " ELSE " + column + " END"
}

// sums runs a "currency, SUM(amount), COUNT(*)" query and returns the sums
// and the total count.
func sums(ctx context.Context, q db.Querier, query string, args ...any) ([]Money, int, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("overview: sums: %w", err)
	}
	defer rows.Close()
	out, total := []Money{}, 0
	for rows.Next() {
		var m Money
		var n int
		if err := rows.Scan(&m.Currency, &m.AmountMinor, &n); err != nil {
			return nil, 0, err
		}
		out, total = append(out, m), total+n
	}
	return out, total, rows.Err()
}

func nullID(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	return &v.Int64
}
