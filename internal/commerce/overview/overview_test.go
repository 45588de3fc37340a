package overview_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/commerce"
	"github.com/kesherdesk/kesher/internal/commerce/overview"
	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/testkit"
)

func ptr[T any](v T) *T { return &v }

// fixture is one contact with orders, credits, conversations and
// compensation requests, and the ids a test needs.
type fixture struct {
	svc                *overview.Service
	orders             *commerce.Service
	contact, agent     int64
	team, other        int64
	shared, vip, mine  int64
	solved, otherOwner int64
}

func newFixture(t *testing.T, d *db.DB) fixture {
	t.Helper()
	ctx := context.Background()
	o := events.NewOutbox()
	contacts := contact.NewService(d, o)
	orders := commerce.NewService(d, o, nil)
	f := fixture{svc: overview.New(d, contacts, orders), orders: orders}
	err := d.WriteTx(ctx, func(tx *db.Tx) error {
		ins := func(dst *int64, q string, args ...any) error {
			id, err := tx.InsertID(ctx, q, args...)
			*dst = id
			return err
		}
		var inbox int64
		for _, s := range []struct {
			dst  *int64
			q    string
			args []any
		}{
			{&f.contact, `INSERT INTO contacts (name, created_at, updated_at) VALUES ('דנה כהן', 1, 1)`, nil},
			{&f.otherOwner, `INSERT INTO contacts (name, created_at, updated_at) VALUES ('Other', 1, 1)`, nil},
			{&f.agent, `INSERT INTO agents (name, email, role, created_at, updated_at) VALUES ('Noa', 'noa@example.com', 'agent', 1, 1)`, nil},
			{&f.team, `INSERT INTO teams (name, created_at, updated_at) VALUES ('VIP', 1, 1)`, nil},
			{&f.other, `INSERT INTO teams (name, created_at, updated_at) VALUES ('Support', 1, 1)`, nil},
			{&inbox, `INSERT INTO inboxes (name, channel, created_at, updated_at) VALUES ('API', 'api', 1, 1)`, nil},
		} {
			if err := ins(s.dst, s.q, s.args...); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO team_members (team_id, agent_id) VALUES (?, ?)`, f.other, f.agent); err != nil {
			return err
		}
		conv := func(dst *int64, status string, team, assignee any, created int64) error {
			return ins(dst, `INSERT INTO conversations (inbox_id, channel, subject, status, priority, requester_id, team_id, assignee_id,
				created_at, updated_at) VALUES (?, 'api', 'x', ?, 'normal', ?, ?, ?, ?, ?)`, inbox, status, f.contact, team, assignee, created, created)
		}
		var theirs int64
		for _, c := range []struct {
			dst            *int64
			status         string
			team, assignee any
		}{
			{&f.shared, "open", nil, nil},       // no team: everyone
			{&f.vip, "pending", f.team, nil},    // VIP team: not the agent's
			{&f.mine, "new", f.team, f.agent},   // VIP team but assigned to the agent
			{&f.solved, "solved", f.other, nil}, // the agent's team, solved
			{&theirs, "open", f.team, nil},      // moved below to another contact
		} {
			if err := conv(c.dst, c.status, c.team, c.assignee, 100); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `UPDATE conversations SET requester_id = ? WHERE id = ?`, f.otherOwner, theirs)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f fixture) order(t *testing.T, ext, status, currency string, total int64) int64 {
	t.Helper()
	o, _, err := f.orders.Upsert(context.Background(), audit.System, commerce.UpsertInput{ExternalID: ext, ContactID: f.contact,
		Status: status, Currency: currency, TotalMinor: ptr(total)})
	if err != nil {
		t.Fatal(err)
	}
	return o.ID
}

func exec(t *testing.T, d *db.DB, q string, args ...any) {
	t.Helper()
	if err := d.WriteTx(context.Background(), func(tx *db.Tx) error { _, err := tx.Exec(context.Background(), q, args...); return err }); err != nil {
		t.Fatal(err)
	}
}

// TestOverview: lifetime value per currency without cancelled and returned
// orders; credit totals net of a reversal; open issues; conversations by
// visibility; coupon codes only for callers who may grant compensation.
func TestOverview(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		late := f.order(t, "O-1", "shipped", "ILS", 11500)
		f.order(t, "O-2", "delivered", "ILS", 25900)
		f.order(t, "O-3", "cancelled", "ILS", 99900)
		f.order(t, "O-4", "returned", "USD", 5000)
		f.order(t, "O-5", "paid", "USD", 4000)
		f.order(t, "O-6", "placed", "EUR", 0)
		exec(t, d, `UPDATE orders SET lateness = 'late' WHERE id = ?`, late)
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO credit_ledger (contact_id, order_id, remedy, amount_minor, currency, created_at) VALUES (?, ?, 'store_credit', 3000, 'ILS', 10)`, []any{f.contact, late}},
			{`INSERT INTO credit_ledger (contact_id, order_id, remedy, amount_minor, currency, coupon_code, created_at) VALUES (?, ?, 'coupon', 2000, 'ILS', 'SORRY-7F3K', 20)`, []any{f.contact, late}},
			{`INSERT INTO credit_ledger (contact_id, remedy, amount_minor, currency, coupon_code, created_at) VALUES (?, 'coupon', 700, 'USD', 'OOPS-22', 30)`, []any{f.contact}},
			{`INSERT INTO compensation_requests (contact_id, requested_by, remedy, amount_minor, currency, created_at) VALUES (?, ?, 'store_credit', 100, 'ILS', 1)`, []any{f.contact, f.agent}},
			{`INSERT INTO compensation_requests (contact_id, requested_by, remedy, amount_minor, currency, status, created_at) VALUES (?, ?, 'coupon', 100, 'ILS', 'denied', 1)`, []any{f.contact, f.agent}},
			{`INSERT INTO compensation_requests (contact_id, requested_by, remedy, amount_minor, currency, created_at) VALUES (?, ?, 'coupon', 100, 'ILS', 1)`, []any{f.otherOwner, f.agent}},
		} {
			exec(t, d, q.sql, q.args...)
		}
		var coupon int64
		if err := d.R().QueryRow(ctx, `SELECT id FROM credit_ledger WHERE coupon_code = 'SORRY-7F3K'`).Scan(&coupon); err != nil {
			t.Fatal(err)
		}
		exec(t, d, `INSERT INTO credit_ledger (contact_id, order_id, remedy, amount_minor, currency, reverses_id, created_at)
			VALUES (?, ?, 'coupon', -2000, 'ILS', ?, 40)`, f.contact, late, coupon)

		admin := overview.Access{Conversations: conversation.Visibility{All: true}, CouponCodes: true}
		ov, err := f.svc.Get(ctx, admin, f.contact)
		if err != nil {
			t.Fatal(err)
		}
		// ILS 11500 + 25900; USD 4000 (5000 returned); EUR 0 (placed counts).
		if got := fmt.Sprint(ov.LifetimeValue.Historical); got != "[{EUR 0} {ILS 37400} {USD 4000}]" || ov.LifetimeValue.OrdersCount != 4 {
			t.Errorf("lifetime value = %s, %d orders", got, ov.LifetimeValue.OrdersCount)
		}
		// ILS 3000 + 2000 − 2000 (reversal); USD 700.
		if got := fmt.Sprint(ov.Credits.Totals); got != "[{ILS 3000} {USD 700}]" {
			t.Errorf("credit totals = %s", got)
		}
		var codes []string
		for _, e := range ov.Credits.Entries {
			codes = append(codes, fmt.Sprintf("%s/%v/%v", e.CouponCode, e.CouponCodeHidden, e.Reversed))
		}
		if fmt.Sprint(codes) != "[/false/false OOPS-22/false/false SORRY-7F3K/false/true /false/false]" {
			t.Errorf("entries (code/hidden/reversed) = %v", codes)
		}
		if ov.OpenIssues != (overview.OpenIssues{OpenConversations: 3, PendingCompensationRequests: 1, LateOrders: 1}) {
			t.Errorf("open issues = %+v", ov.OpenIssues)
		}
		if len(ov.Orders) != 6 || len(ov.Conversations) != 4 {
			t.Errorf("%d orders, %d conversations; want 6, 4", len(ov.Orders), len(ov.Conversations))
		}

		// An agent of the other team: the shared conversation, the one
		// assigned to them and their team's; no coupon codes.
		agent := overview.Access{Conversations: conversation.Visibility{AgentID: f.agent, TeamIDs: []int64{f.other}}}
		ov, err = f.svc.Get(ctx, agent, f.contact)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[int64]bool{}
		for _, c := range ov.Conversations {
			seen[c.ID] = true
		}
		if len(seen) != 3 || !seen[f.shared] || !seen[f.mine] || !seen[f.solved] || seen[f.vip] {
			t.Errorf("agent sees %v; want shared %d, mine %d, solved %d", seen, f.shared, f.mine, f.solved)
		}
		if ov.OpenIssues.OpenConversations != 2 {
			t.Errorf("agent open conversations = %d, want 2", ov.OpenIssues.OpenConversations)
		}
		codes = nil
		for _, e := range ov.Credits.Entries {
			codes = append(codes, fmt.Sprintf("%s/%v", e.CouponCode, e.CouponCodeHidden))
		}
		if fmt.Sprint(codes) != "[/false /true /true /false]" {
			t.Errorf("agent entries (code/hidden) = %v", codes)
		}
		if _, err := f.svc.Get(ctx, admin, 999999); err == nil {
			t.Error("unknown contact: no error")
		}
	})
}

// TestOverviewSumsCannotOverflow: two orders at commerce.MaxAmountMinor sum
// exactly; rows written before the bound existed (MaxInt64 totals and
// credits) count as the bound instead of failing the whole overview.
func TestOverviewSumsCannotOverflow(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		a := f.order(t, "M-1", "paid", "ILS", commerce.MaxAmountMinor)
		f.order(t, "M-2", "paid", "ILS", commerce.MaxAmountMinor)
		all := overview.Access{Conversations: conversation.Visibility{All: true}}
		ov, err := f.svc.Get(ctx, all, f.contact)
		if err != nil || fmt.Sprint(ov.LifetimeValue.Historical) != "[{ILS 200000000000}]" {
			t.Fatalf("two maximal orders: %v, %v", ov.LifetimeValue, err)
		}
		const maxInt64 = 1<<63 - 1
		exec(t, d, `UPDATE orders SET total_minor = ? WHERE id = ?`, int64(maxInt64), a)
		for _, amount := range []int64{maxInt64, maxInt64, -maxInt64} {
			exec(t, d, `INSERT INTO credit_ledger (contact_id, remedy, amount_minor, currency, created_at) VALUES (?, 'store_credit', ?, 'ILS', 1)`, f.contact, amount)
		}
		ov, err = f.svc.Get(ctx, all, f.contact)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(ov.LifetimeValue.Historical); got != "[{ILS 200000000000}]" {
			t.Errorf("lifetime value = %s", got)
		}
		if got := fmt.Sprint(ov.Credits.Totals); got != "[{ILS 100000000000}]" {
			t.Errorf("credit totals = %s", got)
		}
	})
}
