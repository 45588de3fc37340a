package credit_test

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/commerce/compensation"
	"github.com/kesherdesk/kesher/internal/commerce/credit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestAmountBounds: an amount near MaxInt64 used to wrap used+amount
// negative and pass the agent's ₪150.00 limit, then break every SUM.
func TestAmountBounds(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := newFx(t, d, app.CoreOptions{})
		o := f.order(0, 50000, 0, 0, "shipped")
		f.goodwill(f.agent, o, 100) // the order has a sum already
		for _, amount := range []int64{math.MaxInt64 - 50, math.MaxInt64, compensation.MaxAmountMinor + 1} {
			_, err := f.svc.Grant(f.ctx, f.agent, credit.GrantInput{OrderID: o, Goodwill: true, Remedy: "store_credit", AmountMinor: amount, Reason: "x"})
			wantField(t, err, "amount_minor", "too_large")
		}
		// the maximum itself is an amount: it needs approval from an agent.
		if r := f.goodwill(f.agent, f.order(0, 1, 0, 0, "paid"), compensation.MaxAmountMinor); r.Status != credit.StatusPendingApproval {
			t.Fatalf("%+v", r)
		}
		if n := f.count(`SELECT COUNT(*) FROM credit_ledger`); n != 1 {
			t.Fatalf("%d entries", n)
		}
		if _, err := f.svc.Me(f.ctx, f.agent); err != nil {
			t.Fatal(err)
		}
		// limits are bounded too, and both amounts are required.
		for _, c := range []struct {
			in    credit.LimitInput
			field string
			code  string
		}{
			{credit.LimitInput{Role: "agent", Remedy: "*", PerOrderMinor: ptr[int64](math.MaxInt64), PerPeriodMinor: ptr[int64](1)}, "[0].per_order_minor", "too_large"},
			{credit.LimitInput{Role: "agent", Remedy: "*", PerOrderMinor: ptr[int64](1), PerPeriodMinor: ptr(compensation.MaxAmountMinor + 1)}, "[0].per_period_minor", "too_large"},
			{credit.LimitInput{Role: "agent", Remedy: "*", PerOrderMinor: ptr[int64](1)}, "[0].per_period_minor", "required"},
			{credit.LimitInput{Role: "agent", Remedy: "*", PerPeriodMinor: ptr[int64](1)}, "[0].per_order_minor", "required"},
		} {
			_, err := f.svc.PutLimits(f.ctx, f.admin, []credit.LimitInput{c.in})
			wantField(t, err, c.field, c.code)
		}
		// at the maximum per period, an agent at the maximum limit is within it.
		if _, err := f.svc.PutLimits(f.ctx, f.admin, []credit.LimitInput{{Role: "agent", Remedy: "*",
			PerOrderMinor: ptr(compensation.MaxAmountMinor), PerPeriodMinor: ptr(compensation.MaxAmountMinor)}}); err != nil {
			t.Fatal(err)
		}
		if r := f.goodwill(f.agent, f.order(0, 1, 0, 0, "paid"), compensation.MaxAmountMinor); r.Status != credit.StatusPendingApproval || r.Request.Exceeded != "per_period_minor" {
			t.Fatalf("%+v", r) // 100 used today + the maximum
		}
	})
}

// TestGoodwillCurrency: the order's currency, else an upper-case ISO 4217
// code of legal tender; limits are in ILS, other currencies need approval
// and only an admin approves them.
func TestGoodwillCurrency(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := newFx(t, d, app.CoreOptions{})
		o := f.order(0, 50000, 0, 0, "shipped")
		cases := []struct {
			name     string
			order    int64
			currency string
			field    string
			code     string
			status   string
			exceeded string
		}{
			{"lower case", 0, "usd", "currency", "invalid", "", ""},
			{"not a code", 0, "$$$", "currency", "invalid", "", ""},
			{"gold", 0, "XAU", "currency", "invalid", "", ""},
			{"test code", 0, "XTS", "currency", "invalid", "", ""},
			{"USD on an ILS order", o, "USD", "currency", "mismatch", "", ""},
			{"ILS on an ILS order", o, "ILS", "", "", credit.StatusGranted, ""},
			{"order's by default", o, "", "", "", credit.StatusGranted, ""},
			{"USD without order", 0, "USD", "", "", credit.StatusPendingApproval, "currency"},
			{"ILS without order", 0, "ILS", "", "", credit.StatusGranted, ""},
		}
		var usd *credit.Request
		for _, c := range cases {
			in := credit.GrantInput{OrderID: c.order, Goodwill: true, Remedy: "store_credit", AmountMinor: 100, Reason: "x", Currency: c.currency}
			if c.order == 0 {
				in.ContactID = f.contact
			}
			r, err := f.svc.Grant(f.ctx, f.agent, in)
			if c.field != "" {
				wantField(t, err, c.field, c.code)
				continue
			}
			if err != nil || r.Status != c.status || (r.Request != nil && r.Request.Exceeded != c.exceeded) {
				t.Fatalf("%s: %+v %v", c.name, r, err)
			}
			if r.Request != nil {
				usd = r.Request
			}
		}
		// a supervisor's ILS limits do not cover USD; an admin approves it.
		if _, err := f.svc.Approve(f.ctx, f.sup, usd.ID, ""); !errors.Is(err, errs.ErrForbidden) {
			t.Fatalf("supervisor approves USD: %v", err)
		}
		if r, err := f.svc.Approve(f.ctx, f.admin, usd.ID, ""); err != nil || r.Status != "approved" {
			t.Fatalf("%+v %v", r, err)
		}
		if n := f.count(`SELECT COUNT(*) FROM credit_ledger WHERE currency NOT IN ('ILS', 'USD')`); n != 0 {
			t.Fatalf("%d entries in odd currencies", n)
		}
	})
}

// TestRefundCap: refunds need an order and never exceed what it paid, net
// of reversals, also when a request is approved later.
func TestRefundCap(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := newFx(t, d, app.CoreOptions{})
		small := f.order(0, 500, 0, 0, "shipped") // ₪5.00, free shipping
		grant := func(a credit.Actor, order int64, remedy string, amount int64) (credit.GrantResult, error) {
			in := credit.GrantInput{OrderID: order, Goodwill: true, Remedy: remedy, AmountMinor: amount, Reason: "x"}
			if order == 0 {
				in.ContactID = f.contact
			}
			return f.svc.Grant(f.ctx, a, in)
		}
		cases := []struct {
			name   string
			order  int64
			remedy string
			amount int64
			field  string
			code   string
		}{
			{"partial above the total", small, "partial_refund", 10000, "amount_minor", "exceeds_paid"},
			{"shipping on free shipping", small, "shipping_refund", 3000, "amount_minor", "exceeds_paid"},
			{"partial without order", 0, "partial_refund", 100, "order_id", "required"},
			{"shipping without order", 0, "shipping_refund", 100, "order_id", "required"},
			{"partial up to the total", small, "partial_refund", 300, "", ""},
			{"one agora too many", small, "partial_refund", 201, "amount_minor", "exceeds_paid"},
			{"the rest", small, "partial_refund", 200, "", ""},
			{"store credit is not a refund", small, "store_credit", 1000, "", ""},
		}
		for _, c := range cases {
			r, err := grant(f.agent, c.order, c.remedy, c.amount)
			if c.field != "" {
				wantField(t, err, c.field, c.code)
				continue
			}
			if err != nil || r.Status != credit.StatusGranted {
				t.Fatalf("%s: %+v %v", c.name, r, err)
			}
		}
		// a reversal frees its amount again.
		es, _ := f.svc.List(f.ctx, credit.LedgerFilter{OrderID: small})
		for _, e := range es {
			if e.Remedy == "partial_refund" && e.AmountMinor == 200 {
				if _, err := f.svc.Reverse(f.ctx, f.admin, e.ID, "wrong"); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := grant(f.agent, small, "partial_refund", 200); err != nil {
			t.Fatal(err)
		}
		// two requests that fit alone but not together: the second fails at approval.
		big := f.order(0, 30000, 0, 0, "shipped")
		r1, err1 := grant(f.agent, big, "partial_refund", 20000)
		r2, err2 := grant(f.agent, big, "partial_refund", 20000)
		if err1 != nil || err2 != nil || r1.Request == nil || r2.Request == nil {
			t.Fatalf("%+v %v %+v %v", r1, err1, r2, err2)
		}
		if _, err := f.svc.Approve(f.ctx, f.admin, r1.Request.ID, ""); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.Approve(f.ctx, f.admin, r2.Request.ID, "")
		wantField(t, err, "amount_minor", "exceeds_paid")
		if n := f.count(`SELECT COUNT(*) FROM credit_ledger WHERE order_id = ?`, big); n != 1 {
			t.Fatalf("%d entries", n)
		}
	})
}

// TestApprovalCeiling: an approver approves only within their own role's
// limits, per order and per period (their approvals count); above, only
// an admin.
func TestApprovalCeiling(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := newFx(t, d, app.CoreOptions{})
		peer := f.newAgent("Peer", "supervisor")
		// ₪9,000,000.00 requested by an agent: no supervisor may approve it.
		huge := f.goodwill(f.agent, f.order(0, 1, 0, 0, "paid"), 900_000_000).Request
		_, err := f.svc.Approve(f.ctx, f.sup, huge.ID, "")
		if !errors.Is(err, errs.ErrForbidden) || !strings.Contains(err.Error(), "per_order_minor") {
			t.Fatalf("supervisor approves ₪9M: %v", err)
		}
		if r, err := f.svc.Approve(f.ctx, f.admin, huge.ID, ""); err != nil || r.Status != "approved" {
			t.Fatalf("%+v %v", r, err)
		}
		// a supervisor above their own ₪500.00 cannot get it through a peer.
		own := f.goodwill(f.sup, f.order(0, 1, 0, 0, "paid"), 50001).Request
		if _, err := f.svc.Approve(f.ctx, peer, own.ID, ""); !errors.Is(err, errs.ErrForbidden) {
			t.Fatalf("peer approves above their limit: %v", err)
		}
		// the per-order limit counts what the order already got.
		o := f.order(0, 1, 0, 0, "paid")
		f.goodwill(f.sup, o, 40000)
		req := f.goodwill(f.agent, o, 20000).Request
		if _, err := f.svc.Approve(f.ctx, peer, req.ID, ""); !errors.Is(err, errs.ErrForbidden) {
			t.Fatalf("approve above the order's limit: %v", err)
		}
		// per period: the approver's approvals count against it.
		if _, err := f.svc.PutLimits(f.ctx, f.admin, []credit.LimitInput{
			{Role: "agent", Remedy: "*", PerOrderMinor: ptr[int64](100), PerPeriodMinor: ptr[int64](1000)},
			{Role: "supervisor", Remedy: "*", PerOrderMinor: ptr[int64](50000), PerPeriodMinor: ptr[int64](60000)}}); err != nil {
			t.Fatal(err)
		}
		for i := range 4 {
			req := f.goodwill(f.agent, f.order(0, 1, 0, 0, "paid"), 20000).Request
			_, err := f.svc.Approve(f.ctx, peer, req.ID, "")
			if i < 3 && err != nil {
				t.Fatalf("approval %d: %v", i, err)
			}
			if i == 3 && (!errors.Is(err, errs.ErrForbidden) || !strings.Contains(err.Error(), "per_period_minor")) {
				t.Fatalf("fourth approval: %v", err)
			}
		}
		me, err := f.svc.Me(f.ctx, peer)
		if err != nil || me.Limits[0].UsedMinor != 60000 || me.Limits[0].LeftMinor != 0 {
			t.Fatalf("%+v %v", me, err)
		}
	})
}

// TestExportSettingsRedacted: the export URL's password is never shown or
// stored in last_error; sending the redacted URL back, or no URL, keeps
// the stored one; only "url": "" turns the export off.
func TestExportSettingsRedacted(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) }))
		defer srv.Close()
		f := newFx(t, d, app.CoreOptions{WebhookAllowPrivate: true})
		clear := strings.Replace(srv.URL, "http://", "http://shop:hunter2@", 1) + "/ledger"
		shown := strings.Replace(srv.URL, "http://", "http://shop:xxxxx@", 1) + "/ledger"
		stored := func() string {
			var raw string
			_ = f.d.R().QueryRow(f.ctx, `SELECT value FROM commerce_settings WHERE key = 'ledger_export'`).Scan(&raw)
			return raw
		}
		st, err := f.svc.PutExportSettings(f.ctx, f.admin, credit.ExportSettingsInput{URL: &clear})
		if err != nil || st.URL != shown {
			t.Fatalf("%+v %v", st, err)
		}
		if st, err := f.svc.ExportSettings(f.ctx); err != nil || st.URL != shown {
			t.Fatalf("%+v %v", st, err)
		}
		secret := "s"
		for _, in := range []credit.ExportSettingsInput{{URL: &shown, Secret: &secret}, {Secret: &secret}} {
			if st, err := f.svc.PutExportSettings(f.ctx, f.admin, in); err != nil || st.URL != shown || !st.SecretSet {
				t.Fatalf("%+v %v", st, err)
			}
			if !strings.Contains(stored(), "hunter2") {
				t.Fatalf("stored URL lost its password: %s", stored())
			}
		}
		e := f.goodwill(f.agent, f.order(0, 9000, 0, 0, "shipped"), 700).Entry
		ctx, cancel := context.WithCancel(f.ctx)
		done := make(chan struct{})
		go func() { _ = f.core.Jobs.Run(ctx); close(done) }()
		deadline := time.Now().Add(20 * time.Second)
		for {
			s, err := f.svc.ExportStatus(f.ctx, e.ID)
			if err == nil && s.Attempts > 0 {
				if strings.Contains(s.LastError, "hunter2") || !strings.Contains(s.LastError, "xxxxx") {
					t.Fatalf("%+v", s)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no export attempt: %+v %v", s, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		cancel()
		<-done
		off := ""
		if st, err := f.svc.PutExportSettings(f.ctx, f.admin, credit.ExportSettingsInput{URL: &off}); err != nil || st.URL != "" {
			t.Fatalf("%+v %v", st, err)
		}
	})
}

// TestApproveHoldsOldRequests: a pending request stored before the bounds
// existed (an amount above the maximum, a refund without order) cannot be
// approved, not even by an admin.
func TestApproveHoldsOldRequests(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := newFx(t, d, app.CoreOptions{})
		insert := func(remedy string, amount int64) int64 {
			var id int64
			if err := f.d.WriteTx(f.ctx, func(tx *db.Tx) error {
				var err error
				id, err = tx.InsertID(f.ctx, `INSERT INTO compensation_requests (contact_id, requested_by, remedy, amount_minor, currency, goodwill,
					reason, policy_rule, explanation, status, created_at) VALUES (?, ?, ?, ?, 'ILS', TRUE, 'old', '', '', 'pending', 0)`,
					f.contact, f.agent.AgentID, remedy, amount)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return id
		}
		_, err := f.svc.Approve(f.ctx, f.admin, insert("store_credit", math.MaxInt64-50), "")
		wantField(t, err, "amount_minor", "too_large")
		_, err = f.svc.Approve(f.ctx, f.admin, insert("partial_refund", 100), "")
		wantField(t, err, "order_id", "required")
		if n := f.count(`SELECT COUNT(*) FROM credit_ledger`); n != 0 {
			t.Fatalf("%d entries", n)
		}
	})
}
