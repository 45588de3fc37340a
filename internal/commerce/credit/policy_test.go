package credit_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/commerce/credit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/rules"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestPolicyVersionsAndQuote: the default policy (version 0) until one is
// saved; quotes name the version; repeat lateness counts other late
// orders.
func TestPolicyVersionsAndQuote(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := newFx(t, d, app.CoreOptions{})
		pv, err := f.svc.Policy(f.ctx)
		if err != nil || pv.Version != 0 || pv.CreatedAt != nil || len(pv.Policy.Tiers) != 3 {
			t.Fatalf("%+v %v", pv, err)
		}
		vip := f.newContact("vip")
		o := f.order(vip, 25900, 2900, 4, "shipped")
		// default: 10% of 25900 = 2590 × 1.5 (VIP) = 3885.
		q, err := f.svc.Quote(f.ctx, o, "en")
		if err != nil || !q.Eligible || q.AmountMinor != 3885 || q.Remedy != "store_credit" || q.Rule != "late-3-5" || q.PolicyVersion != 0 || q.DaysLate != 4 {
			t.Fatalf("%+v %v", q, err)
		}
		if !strings.Contains(q.Explanation, "VIP ×1.5 = ₪38.85") || len(q.Steps) < 3 {
			t.Fatalf("%s", q.Explanation)
		}
		if q, _ := f.svc.Quote(f.ctx, o, "he"); !strings.Contains(q.Explanation, "איחור של 4 ימים") {
			t.Fatalf("%s", q.Explanation)
		}
		if _, err := f.svc.Quote(f.ctx, 99999, "en"); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("%v", err)
		}
		_, err = f.svc.PutPolicy(f.ctx, f.admin, []byte(`{"tiers":[{"id":"a","from_days":1,"remedy":"coupon","percent":120}]}`))
		wantField(t, err, "tiers[0].percent", "invalid")
		yaml := "tiers:\n  - id: any\n    from_days: 1\n    remedy: store_credit\n    per_day_minor: 1000\nrepeat_lateness:\n  min_late_orders: 2\n  window_days: 30\n  multiplier: 2\n"
		v1, err := f.svc.PutPolicy(f.ctx, f.admin, []byte(yaml))
		if err != nil || v1.Version != 1 || *v1.CreatedBy != f.admin.AgentID {
			t.Fatalf("%+v %v", v1, err)
		}
		// 4 × 1000 = 4000, no tier multipliers in version 1.
		q, _ = f.svc.Quote(f.ctx, o, "en")
		if q.AmountMinor != 4000 || q.PolicyVersion != 1 || q.Rule != "any" {
			t.Fatalf("%+v", q)
		}
		// two other late orders of the contact in the window: × 2 = 8000;
		// on-time and other contacts' orders do not count.
		f.order(vip, 1000, 0, 1, "delivered")
		f.order(vip, 1000, 0, 0, "shipped")
		f.order(0, 1000, 0, 3, "shipped")
		if q, _ = f.svc.Quote(f.ctx, o, "en"); q.AmountMinor != 4000 {
			t.Fatalf("one other late order: %+v", q)
		}
		f.order(vip, 1000, 0, 2, "shipped")
		if q, _ = f.svc.Quote(f.ctx, o, "en"); q.AmountMinor != 8000 || !strings.Contains(q.Explanation, "Repeat lateness (2 other late orders in 30 days) ×2 = ₪80.00") {
			t.Fatalf("two other late orders: %+v", q)
		}
		hist, err := f.svc.PolicyHistory(f.ctx)
		if err != nil || len(hist) != 2 || hist[0].Version != 1 || hist[1].Version != 0 {
			t.Fatalf("%+v %v", hist, err)
		}
		// cancelled: not eligible; a policy grant on it is a 400.
		c := f.order(0, 25900, 0, 4, "cancelled")
		if q, _ := f.svc.Quote(f.ctx, c, "en"); q.Eligible {
			t.Fatalf("%+v", q)
		}
		_, err = f.svc.Grant(f.ctx, f.agent, credit.GrantInput{OrderID: c})
		wantField(t, err, "order_id", "not_eligible")
	})
}

// TestPolicyGrant: the server's quote is the amount; a different client
// amount is refused; the policy compensates an order once.
func TestPolicyGrant(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := newFx(t, d, app.CoreOptions{})
		o := f.order(0, 25900, 0, 4, "shipped")
		_, err := f.svc.Grant(f.ctx, f.agent, credit.GrantInput{OrderID: o, AmountMinor: 2600})
		wantField(t, err, "amount_minor", "mismatch")
		_, err = f.svc.Grant(f.ctx, f.agent, credit.GrantInput{})
		wantField(t, err, "order_id", "required")
		_, err = f.svc.Grant(f.ctx, f.agent, credit.GrantInput{Goodwill: true, ContactID: f.contact, Remedy: "coupon", AmountMinor: 100})
		wantField(t, err, "reason", "required")
		r, err := f.svc.Grant(f.ctx, f.agent, credit.GrantInput{OrderID: o, AmountMinor: 2590, Lang: "he"})
		if err != nil || r.Status != credit.StatusGranted || r.Entry.AmountMinor != 2590 || r.Entry.PolicyRule != "late-3-5" ||
			*r.Entry.PolicyVersion != 0 || r.Entry.Goodwill || !strings.Contains(r.Entry.Explanation, "10%") {
			t.Fatalf("%+v %v", r, err)
		}
		if _, err := f.svc.Grant(f.ctx, f.agent, credit.GrantInput{OrderID: o}); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("second policy grant: %v", err)
		}
		// a goodwill gesture on top is still possible.
		if r := f.goodwill(f.agent, o, 1000); r.Status != credit.StatusGranted {
			t.Fatalf("%+v", r)
		}
	})
}

// TestOfferTx: automatic tiers grant once per order, in the caller's
// transaction; other tiers offer nothing.
func TestOfferTx(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := newFx(t, d, app.CoreOptions{})
		o := f.order(0, 25900, 0, 2, "shipped") // default tier late-1-2: ₪15.00 coupon, auto
		offer := func(id int64, lang string) (ok bool, entry int64, text string) {
			t.Helper()
			err := f.d.WriteTx(f.ctx, func(tx *db.Tx) error {
				of, okk, err := f.svc.OfferTx(f.ctx, tx, id, lang)
				ok, entry, text = okk, of.LedgerEntryID, of.Explanation
				if okk && (of.AmountMinor != 1500 || of.Remedy != "coupon" || of.Rule != "late-1-2") {
					t.Errorf("%+v", of)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return
		}
		ok, id1, text := offer(o, "he")
		if !ok || id1 == 0 || !strings.Contains(text, "₪15.00") || !strings.Contains(text, "KSR-") {
			t.Fatalf("%v %d %s", ok, id1, text)
		}
		ok, id2, _ := offer(o, "en")
		if !ok || id2 != id1 {
			t.Fatalf("second offer: %v %d, want entry %d", ok, id2, id1)
		}
		es, _ := f.svc.List(f.ctx, credit.LedgerFilter{OrderID: o})
		if len(es) != 1 || es[0].GrantedBy != nil || !couponRE.MatchString(es[0].CouponCode) {
			t.Fatalf("%+v", es)
		}
		if ok, _, _ := offer(f.order(0, 25900, 0, 4, "shipped"), "en"); ok {
			t.Fatal("a tier without auto was offered")
		}
		if ok, _, _ := offer(f.order(0, 25900, 0, 2, "cancelled"), "en"); ok {
			t.Fatal("a cancelled order was offered")
		}
		if _, err := f.svc.Grant(f.ctx, f.agent, credit.GrantInput{OrderID: o}); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("policy grant after the automatic one: %v", err)
		}
	})
}

// TestExport: a new entry is POSTed, signed, to the export URL by the job
// runner, and its export recorded as sent.
func TestExport(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		type got struct {
			sig  string
			body []byte
		}
		var mu sync.Mutex
		var calls []got
		fail := true
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			defer mu.Unlock()
			calls = append(calls, got{r.Header.Get(credit.SignatureHeader), b})
			if fail { // the first attempt fails: the runner retries
				fail = false
				w.WriteHeader(http.StatusBadGateway)
			}
		}))
		defer srv.Close()
		f := newFx(t, d, app.CoreOptions{WebhookAllowPrivate: true})
		_, err := f.svc.PutExportSettings(f.ctx, f.admin, credit.ExportSettingsInput{URL: ptr("ftp://x")})
		wantField(t, err, "url", "invalid")
		secret := "s3cret"
		st, err := f.svc.PutExportSettings(f.ctx, f.admin, credit.ExportSettingsInput{URL: ptr(srv.URL + "/ledger"), Secret: &secret})
		if err != nil || !st.SecretSet || st.Secret != nil || st.URL != srv.URL+"/ledger" {
			t.Fatalf("%+v %v", st, err)
		}
		// the stored secret is sealed.
		var raw string
		_ = f.d.R().QueryRow(f.ctx, `SELECT value FROM commerce_settings WHERE key = 'ledger_export'`).Scan(&raw)
		if strings.Contains(raw, secret) {
			t.Fatalf("secret stored in clear: %s", raw)
		}
		e := f.goodwill(f.agent, f.order(0, 9000, 0, 0, "shipped"), 700).Entry
		ctx, cancel := context.WithCancel(f.ctx)
		done := make(chan struct{})
		go func() { _ = f.core.Jobs.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()
		deadline := time.Now().Add(30 * time.Second)
		for {
			s, err := f.svc.ExportStatus(f.ctx, e.ID)
			if err == nil && s.Status == "sent" {
				if s.Attempts != 2 {
					t.Fatalf("%+v", s)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("export not sent: %+v %v", s, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		mu.Lock()
		defer mu.Unlock()
		last := calls[len(calls)-1]
		if last.sig != rules.Sign(secret, last.body) {
			t.Fatalf("signature %q does not match the body", last.sig)
		}
		var body credit.ExportBody
		if err := json.Unmarshal(last.body, &body); err != nil || body.Event != "credit.granted" || body.Entry.ID != e.ID || body.Entry.AmountMinor != 700 {
			t.Fatalf("%s %v", last.body, err)
		}
	})
}
