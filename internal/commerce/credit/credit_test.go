package credit_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/agent"
	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/commerce/credit"
	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// fx is a store with the core services, one contact and an agent, a
// supervisor and an admin.
type fx struct {
	t                 *testing.T
	ctx               context.Context
	d                 *db.DB
	core              *app.Core
	svc               *credit.Service
	contact           int64
	agent, sup, admin credit.Actor
	n                 int
}

func newFx(t *testing.T, d *db.DB, opts app.CoreOptions) *fx {
	t.Helper()
	opts.Password, opts.Store = auth.FastPasswordParams, db.Options{DataDir: t.TempDir()}
	core := app.NewCoreFromDB(d, opts, testkit.Logger())
	f := &fx{t: t, ctx: context.Background(), d: d, core: core, svc: core.Credit}
	f.contact = f.newContact("standard")
	f.agent = f.newAgent("Agent", "agent")
	f.sup = f.newAgent("Super", "supervisor")
	f.admin = f.newAgent("Admin", "admin")
	return f
}

func (f *fx) newContact(tier string) int64 {
	f.t.Helper()
	f.n++
	c, err := f.core.Contacts.Create(f.ctx, audit.System, contact.Input{Name: fmt.Sprintf("Contact %d", f.n), Tier: tier,
		Emails: []string{fmt.Sprintf("c%d@example.com", f.n)}})
	if err != nil {
		f.t.Fatal(err)
	}
	return c.ID
}

func (f *fx) newAgent(name, role string) credit.Actor {
	f.t.Helper()
	a, err := f.core.Agents.Create(f.ctx, audit.System, agent.Input{Name: name, Email: strings.ToLower(name) + "@kesher.test", Role: role})
	if err != nil {
		f.t.Fatal(err)
	}
	return credit.Actor{AgentID: a.ID, Name: name, Role: role, Approver: role != "agent"}
}

// order inserts an order of contact (0: the fixture's contact) late by
// days (lateness 'late' when days > 0).
func (f *fx) order(contactID, total, shipping int64, days int, status string) int64 {
	f.t.Helper()
	if contactID == 0 {
		contactID = f.contact
	}
	f.n++
	now := time.Now().UnixMilli()
	lateness := "on_time"
	var lateSince any
	if days > 0 {
		lateness, lateSince = "late", now-int64(days)*86400000
	}
	var id int64
	err := f.d.WriteTx(f.ctx, func(tx *db.Tx) error {
		var err error
		id, err = tx.InsertID(f.ctx, `INSERT INTO orders (external_id, number, contact_id, status, currency, total_minor, shipping_minor,
			placed_at, lateness, days_late, late_since, created_at, updated_at) VALUES (?, ?, ?, ?, 'ILS', ?, ?, ?, ?, ?, ?, ?, ?)`,
			fmt.Sprintf("T-%d", f.n), fmt.Sprint(f.n), contactID, status, total, shipping, now-10*86400000, lateness, days, lateSince, now, now)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *fx) goodwill(a credit.Actor, orderID, amount int64) credit.GrantResult {
	f.t.Helper()
	r, err := f.svc.Grant(f.ctx, a, credit.GrantInput{OrderID: orderID, Goodwill: true, Remedy: "store_credit", AmountMinor: amount, Reason: "sorry"})
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

func (f *fx) count(q string, args ...any) int64 {
	f.t.Helper()
	var n int64
	if err := f.d.R().QueryRow(f.ctx, q, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func wantField(t *testing.T, err error, field, code string) {
	t.Helper()
	var ve *errs.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err %v, want a validation error on %s", err, field)
	}
	for _, fe := range ve.Fields {
		if fe.Field == field && fe.Code == code {
			return
		}
	}
	t.Fatalf("fields %+v, want %s %s", ve.Fields, field, code)
}

// TestAuthorityPerOrder: the default agent limit is ₪150.00 per order.
func TestAuthorityPerOrder(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := newFx(t, d, app.CoreOptions{})
		o1 := f.order(0, 50000, 0, 0, "shipped")
		// exactly at the limit: 15000 → granted.
		r := f.goodwill(f.agent, o1, 15000)
		if r.Status != credit.StatusGranted || r.Entry == nil || r.Entry.AmountMinor != 15000 || *r.Entry.GrantedBy != f.agent.AgentID {
			t.Fatalf("%+v", r)
		}
		// the order is used up: one agora more on it → approval.
		r = f.goodwill(f.agent, o1, 1)
		if r.Status != credit.StatusPendingApproval || r.Request.Exceeded != "per_order_minor" {
			t.Fatalf("%+v", r)
		}
		// one agora over on a fresh order → approval, no entry.
		o2 := f.order(0, 50000, 0, 0, "shipped")
		r = f.goodwill(f.agent, o2, 15001)
		if r.Status != credit.StatusPendingApproval || r.Entry != nil || r.Request.AmountMinor != 15001 || r.Request.Status != "pending" {
			t.Fatalf("%+v", r)
		}
		if n := f.count(`SELECT COUNT(*) FROM credit_ledger WHERE order_id = ?`, o2); n != 0 {
			t.Fatalf("%d ledger entries for a pending request", n)
		}
		// supervisor and admin are told, the requester is not.
		if n := f.count(`SELECT COUNT(*) FROM notifications WHERE kind = ? AND agent_id IN (?, ?)`, credit.KindRequested, f.sup.AgentID, f.admin.AgentID); n != 4 {
			t.Fatalf("%d approver notifications, want 4 (2 requests × 2 approvers)", n)
		}
		if n := f.count(`SELECT COUNT(*) FROM notifications WHERE agent_id = ?`, f.agent.AgentID); n != 0 {
			t.Fatalf("requester notified %d times", n)
		}
		// a supervisor may grant 15001 (limit ₪500.00).
		if r := f.goodwill(f.sup, o2, 15001); r.Status != credit.StatusGranted {
			t.Fatalf("%+v", r)
		}
		// an admin without limits grants anything.
		if r := f.goodwill(f.admin, f.order(0, 1, 0, 0, "paid"), 10_000_000); r.Status != credit.StatusGranted {
			t.Fatalf("%+v", r)
		}
	})
}

// TestAuthorityDailyLimit: ₪1,000.00 a day across orders.
func TestAuthorityDailyLimit(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := newFx(t, d, app.CoreOptions{})
		for i := 0; i < 6; i++ { // 6 × 15000 = 90000
			if r := f.goodwill(f.agent, f.order(0, 50000, 0, 0, "shipped"), 15000); r.Status != credit.StatusGranted {
				t.Fatalf("grant %d: %+v", i, r)
			}
		}
		// 90000 + 10001 = 100001 > 100000 → approval.
		r := f.goodwill(f.agent, f.order(0, 50000, 0, 0, "shipped"), 10001)
		if r.Status != credit.StatusPendingApproval || r.Request.Exceeded != "per_period_minor" {
			t.Fatalf("%+v", r)
		}
		// 90000 + 10000 = 100000 → granted, the day is used up.
		if r := f.goodwill(f.agent, f.order(0, 50000, 0, 0, "shipped"), 10000); r.Status != credit.StatusGranted {
			t.Fatalf("%+v", r)
		}
		me, err := f.svc.Me(f.ctx, f.agent)
		if err != nil {
			t.Fatal(err)
		}
		if len(me.Limits) != 1 || me.Limits[0].UsedMinor != 100000 || me.Limits[0].LeftMinor != 0 || me.PendingRequests != 1 || me.PendingMinor != 10001 {
			t.Fatalf("%+v", me)
		}
		if r := f.goodwill(f.agent, f.order(0, 50000, 0, 0, "shipped"), 1); r.Status != credit.StatusPendingApproval {
			t.Fatalf("%+v", r)
		}
		// another agent's day is untouched.
		other := f.newAgent("Other", "agent")
		if r := f.goodwill(other, f.order(0, 50000, 0, 0, "shipped"), 15000); r.Status != credit.StatusGranted {
			t.Fatalf("%+v", r)
		}
	})
}

// TestApprovals: deny leaves no entry; approve leaves exactly one with
// approved_by; decisions only on pending requests; own requests.
func TestApprovals(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := newFx(t, d, app.CoreOptions{})
		o := f.order(0, 90000, 0, 0, "shipped")
		req := f.goodwill(f.agent, o, 20000).Request
		if _, err := f.svc.Approve(f.ctx, f.agent, req.ID, ""); !errors.Is(err, errs.ErrForbidden) {
			t.Fatalf("agent approve: %v", err)
		}
		_, err := f.svc.Deny(f.ctx, f.sup, req.ID, " ")
		wantField(t, err, "reason", "required")
		denied, err := f.svc.Deny(f.ctx, f.sup, req.ID, "too much")
		if err != nil || denied.Status != "denied" || *denied.DecidedBy != f.sup.AgentID || denied.DecisionReason != "too much" || denied.LedgerEntryID != nil {
			t.Fatalf("%+v %v", denied, err)
		}
		if n := f.count(`SELECT COUNT(*) FROM credit_ledger WHERE order_id = ?`, o); n != 0 {
			t.Fatalf("denied request left %d entries", n)
		}
		if _, err := f.svc.Approve(f.ctx, f.sup, req.ID, ""); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("approve a denied request: %v", err)
		}
		if n := f.count(`SELECT COUNT(*) FROM notifications WHERE agent_id = ? AND kind = ?`, f.agent.AgentID, credit.KindDenied); n != 1 {
			t.Fatalf("%d denial notifications", n)
		}

		req = f.goodwill(f.agent, o, 20000).Request
		approved, err := f.svc.Approve(f.ctx, f.sup, req.ID, "ok")
		if err != nil || approved.Status != "approved" || approved.LedgerEntryID == nil {
			t.Fatalf("%+v %v", approved, err)
		}
		es, err := f.svc.List(f.ctx, credit.LedgerFilter{OrderID: o})
		if err != nil || len(es) != 1 {
			t.Fatalf("%d entries %v", len(es), err)
		}
		e := es[0]
		if e.ID != *approved.LedgerEntryID || *e.ApprovedBy != f.sup.AgentID || *e.ApprovalRequestID != req.ID || *e.GrantedBy != f.agent.AgentID || e.AmountMinor != 20000 {
			t.Fatalf("%+v", e)
		}
		if _, err := f.svc.Approve(f.ctx, f.sup, req.ID, "again"); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("second approve: %v", err)
		}
		if n := f.count(`SELECT COUNT(*) FROM credit_ledger WHERE order_id = ?`, o); n != 1 {
			t.Fatalf("%d entries after a second approve", n)
		}
		if n := f.count(`SELECT COUNT(*) FROM notifications WHERE agent_id = ? AND kind = ?`, f.agent.AgentID, credit.KindApproved); n != 1 {
			t.Fatalf("%d approval notifications", n)
		}
		// approved grants do not use the agent's own daily authority.
		if me, _ := f.svc.Me(f.ctx, f.agent); me.Limits[0].UsedMinor != 0 {
			t.Fatalf("%+v", me)
		}

		// a supervisor cannot approve their own request; an admin can.
		own := f.goodwill(f.sup, f.order(0, 90000, 0, 0, "shipped"), 60000).Request
		if _, err := f.svc.Approve(f.ctx, f.sup, own.ID, ""); !errors.Is(err, errs.ErrForbidden) {
			t.Fatalf("self approve: %v", err)
		}
		if _, err := f.svc.Approve(f.ctx, f.admin, own.ID, ""); err != nil {
			t.Fatal(err)
		}
		if err := f.d.WriteTx(f.ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(f.ctx, `INSERT INTO authority_limits (role, remedy, per_order_minor, per_period_minor, period, updated_at) VALUES ('admin', '*', 100, 100, 'day', 0)`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		adminOwn := f.goodwill(f.admin, f.order(0, 90000, 0, 0, "shipped"), 60000).Request
		if _, err := f.svc.Approve(f.ctx, f.admin, adminOwn.ID, "mine"); err != nil {
			t.Fatalf("admin self approve: %v", err)
		}
		mine, err := f.svc.Requests(f.ctx, f.agent, "")
		if err != nil || len(mine) != 2 {
			t.Fatalf("agent sees %d requests %v", len(mine), err)
		}
		all, err := f.svc.Requests(f.ctx, f.sup, "approved")
		if err != nil || len(all) != 3 {
			t.Fatalf("supervisor sees %d approved requests %v", len(all), err)
		}
	})
}

// TestConcurrentGrants: grants racing for the last of the daily limit; at
// most the limit is granted.
func TestConcurrentGrants(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := newFx(t, d, app.CoreOptions{})
		if _, err := f.svc.PutLimits(f.ctx, f.admin, []credit.LimitInput{{Role: "agent", Remedy: "*", PerOrderMinor: ptr[int64](100000), PerPeriodMinor: ptr[int64](20000)}}); err != nil {
			t.Fatal(err)
		}
		const n = 10
		orders := make([]int64, n)
		for i := range orders {
			orders[i] = f.order(0, 90000, 0, 0, "shipped")
		}
		type res struct {
			r   credit.GrantResult
			err error
		}
		out := make(chan res, n)
		for i := 0; i < n; i++ {
			go func(o int64) {
				r, err := f.svc.Grant(f.ctx, f.agent, credit.GrantInput{OrderID: o, Goodwill: true, Remedy: "coupon", AmountMinor: 5000, Reason: "race"})
				out <- res{r, err}
			}(orders[i])
		}
		granted, pending := 0, 0
		for i := 0; i < n; i++ {
			r := <-out
			if r.err != nil {
				t.Fatal(r.err)
			}
			if r.r.Status == credit.StatusGranted {
				granted++
			} else {
				pending++
			}
		}
		// 20000 / 5000 = 4 fit.
		if granted != 4 || pending != 6 {
			t.Fatalf("granted %d pending %d, want 4 and 6", granted, pending)
		}
		if s := f.count(`SELECT COALESCE(SUM(amount_minor), 0) FROM credit_ledger WHERE granted_by = ?`, f.agent.AgentID); s != 20000 {
			t.Fatalf("ledger holds %d", s)
		}
	})
}

// TestLedgerAppendOnly: the database refuses UPDATE and DELETE.
func TestLedgerAppendOnly(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := newFx(t, d, app.CoreOptions{})
		e := f.goodwill(f.agent, f.order(0, 90000, 0, 0, "shipped"), 1000).Entry
		for _, q := range []string{`UPDATE credit_ledger SET amount_minor = 1 WHERE id = ?`, `DELETE FROM credit_ledger WHERE id = ?`} {
			err := f.d.WriteTx(f.ctx, func(tx *db.Tx) error { _, err := tx.Exec(f.ctx, q, e.ID); return err })
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Fatalf("%s: %v", q, err)
			}
		}
		got, err := f.svc.Entry(f.ctx, e.ID)
		if err != nil || got.AmountMinor != 1000 {
			t.Fatalf("%+v %v", got, err)
		}
	})
}

// TestReverse: a reversal nets the entry to zero, once.
func TestReverse(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := newFx(t, d, app.CoreOptions{})
		o := f.order(0, 90000, 0, 0, "shipped")
		e := f.goodwill(f.agent, o, 12000).Entry
		_, err := f.svc.Reverse(f.ctx, f.admin, e.ID, "")
		wantField(t, err, "reason", "required")
		rev, err := f.svc.Reverse(f.ctx, f.admin, e.ID, "granted twice")
		if err != nil || rev.AmountMinor != -12000 || *rev.ReversesID != e.ID || *rev.OrderID != o || rev.Reason != "granted twice" {
			t.Fatalf("%+v %v", rev, err)
		}
		if s := f.count(`SELECT SUM(amount_minor) FROM credit_ledger WHERE order_id = ?`, o); s != 0 {
			t.Fatalf("net %d", s)
		}
		if n := f.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'credit.reversed' AND entity_id = ? AND actor_id = ?`, rev.ID, f.admin.AgentID); n != 1 {
			t.Fatalf("%d audit entries for the reversal", n)
		}
		if _, err := f.svc.Reverse(f.ctx, f.admin, e.ID, "again"); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("second reverse: %v", err)
		}
		if _, err := f.svc.Reverse(f.ctx, f.admin, rev.ID, "undo"); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("reverse a reversal: %v", err)
		}
		if _, err := f.svc.Reverse(f.ctx, f.admin, 999999, "x"); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("reverse nothing: %v", err)
		}
		// the reversal gives the agent's day back.
		if me, _ := f.svc.Me(f.ctx, f.agent); me.Limits[0].UsedMinor != 0 || me.Limits[0].LeftMinor != 100000 {
			t.Fatalf("%+v", me)
		}
		sum, err := f.svc.Summary(f.ctx, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
		if err != nil || len(sum.Totals) != 1 || sum.Totals[0].AmountMinor != 0 || sum.Totals[0].Entries != 2 {
			t.Fatalf("%+v %v", sum, err)
		}
	})
}

var couponRE = regexp.MustCompile(`^KSR-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$`)

func TestCouponCode(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		c := credit.NewCouponCode()
		if !couponRE.MatchString(c) || seen[c] {
			t.Fatalf("code %q (seen %v)", c, seen[c])
		}
		seen[c] = true
	}
}

// TestPeriodInDeskZone: the daily limit restarts at midnight in
// Asia/Jerusalem (UTC+2 in winter), not at midnight UTC; weeks start on
// Sunday.
func TestPeriodInDeskZone(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := newFx(t, d, app.CoreOptions{})
		now := time.Date(2026, 11, 29, 21, 30, 0, 0, time.UTC) // Sunday 23:30 in Jerusalem
		svc := credit.New(d, f.core.Outbox, testkit.Logger(), credit.Options{Now: func() time.Time { return now }})
		if _, err := svc.PutLimits(f.ctx, f.admin, []credit.LimitInput{{Role: "agent", Remedy: "*", PerOrderMinor: ptr[int64](100000), PerPeriodMinor: ptr[int64](10000)},
			{Role: "supervisor", Remedy: "*", PerOrderMinor: ptr[int64](100000), PerPeriodMinor: ptr[int64](10000), Period: "week"}}); err != nil {
			t.Fatal(err)
		}
		grant := func(a credit.Actor, amount int64) string {
			t.Helper()
			r, err := svc.Grant(f.ctx, a, credit.GrantInput{ContactID: f.contact, Goodwill: true, Remedy: "store_credit", AmountMinor: amount, Reason: "zone"})
			if err != nil {
				t.Fatal(err)
			}
			return r.Status
		}
		if s := grant(f.agent, 10000); s != credit.StatusGranted {
			t.Fatal(s)
		}
		if s := grant(f.agent, 1); s != credit.StatusPendingApproval {
			t.Fatal(s)
		}
		now = time.Date(2026, 11, 29, 22, 30, 0, 0, time.UTC) // Monday 00:30 in Jerusalem, still Sunday in UTC
		if s := grant(f.agent, 10000); s != credit.StatusGranted {
			t.Fatalf("new day in Jerusalem: %s", s)
		}
		me, err := svc.Me(f.ctx, f.agent)
		if err != nil || !me.Limits[0].PeriodStart.Equal(time.Date(2026, 11, 29, 22, 0, 0, 0, time.UTC)) || me.Limits[0].UsedMinor != 10000 {
			t.Fatalf("%+v %v", me, err)
		}
		now = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC) // Wednesday
		me, err = svc.Me(f.ctx, f.sup)
		if err != nil || !me.Limits[0].PeriodStart.Equal(time.Date(2026, 11, 28, 22, 0, 0, 0, time.UTC)) {
			t.Fatalf("week start %+v %v", me, err)
		}
	})
}

func ptr[T any](v T) *T { return &v }
