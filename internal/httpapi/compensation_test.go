package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// compensationOrder inserts an order of a new contact of tier, late by days.
func compensationOrder(t *testing.T, k *desk, tier string, total int64, days int) (orderID, contactID int64) {
	t.Helper()
	ctx := context.Background()
	c, err := k.core.Contacts.Create(ctx, audit.System, contact.Input{Name: "Dana " + tier, Tier: tier,
		Emails: []string{fmt.Sprintf("dana%d@example.com", time.Now().UnixNano())}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UnixMilli()
	lateness := "on_time"
	if days > 0 {
		lateness = "late"
	}
	err = k.core.DB.WriteTx(ctx, func(tx *db.Tx) error {
		orderID, err = tx.InsertID(ctx, `INSERT INTO orders (external_id, contact_id, status, currency, total_minor, shipping_minor,
			placed_at, lateness, days_late, created_at, updated_at) VALUES (?, ?, 'shipped', 'ILS', ?, 2900, ?, ?, ?, ?, ?)`,
			fmt.Sprintf("H-%d", time.Now().UnixNano()), c.ID, total, now, lateness, days, now, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return orderID, c.ID
}

func TestCompensationAPI(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		_, agentTok := k.agentWithToken("Avi", "agent")
		_, supTok := k.agentWithToken("Sara", "supervisor")
		order, _ := compensationOrder(t, k, "vip", 25900, 4)

		// policy: everyone reads, only admins change it.
		pol := k.must(200, "GET", "/api/v1/compensation/policy", agentTok, nil)
		if num(pol["version"]) != 0 {
			t.Fatalf("%v", pol)
		}
		k.must(403, "PUT", "/api/v1/compensation/policy", agentTok, `{"tiers":[]}`)
		k.must(403, "PUT", "/api/v1/compensation/policy", supTok, `{"tiers":[]}`)
		bad := k.must(400, "PUT", "/api/v1/compensation/policy", k.admin, `{"tiers":[{"id":"a","from_days":1,"remedy":"coupon","amount_minor":1},{"id":"b","from_days":1,"remedy":"coupon","percent":200}]}`)
		if !strings.Contains(string(problemFields(t, bad)), `"tiers[1].percent"`) {
			t.Fatalf("%v", bad)
		}
		yaml := "currency: ILS\ntiers:\n  - id: t1\n    from_days: 1\n    to_days: 5\n    remedy: store_credit\n    percent: 10\n    max_minor: 15000\ntier_multipliers:\n  vip: 1.5\n"
		v := k.must(200, "PUT", "/api/v1/compensation/policy", k.admin, yaml, "Content-Type", "application/yaml")
		if num(v["version"]) != 1 {
			t.Fatalf("%v", v)
		}
		hist := k.must(200, "GET", "/api/v1/compensation/policy/versions", agentTok, nil)
		if n := len(hist["data"].([]any)); n != 2 {
			t.Fatalf("%d versions", n)
		}

		// quote: 10% of 25900 = 2590 × 1.5 = 3885.
		q := k.must(200, "POST", fmt.Sprintf("/api/v1/orders/%d/compensation/quote?lang=he", order), agentTok, nil)
		if num(q["amount_minor"]) != 3885 || q["remedy"] != "store_credit" || q["eligible"] != true || num(q["policy_version"]) != 1 {
			t.Fatalf("%v", q)
		}
		k.must(404, "POST", "/api/v1/orders/999999/compensation/quote", agentTok, nil)

		// a policy grant with another amount is a 400 naming amount_minor.
		bad = k.must(400, "POST", "/api/v1/compensation/grants", agentTok, map[string]any{"order_id": order, "amount_minor": 3886})
		if !strings.Contains(string(problemFields(t, bad)), `"amount_minor"`) {
			t.Fatalf("%v", bad)
		}
		bad = k.must(400, "POST", "/api/v1/compensation/grants", agentTok, map[string]any{"order_id": order, "conversation_id": 999999})
		if !strings.Contains(string(problemFields(t, bad)), `"conversation_id"`) {
			t.Fatalf("%v", bad)
		}
		g := k.must(201, "POST", "/api/v1/compensation/grants", agentTok, map[string]any{"order_id": order, "amount_minor": 3885})
		entry := g["entry"].(map[string]any)
		if g["status"] != "granted" || num(entry["amount_minor"]) != 3885 {
			t.Fatalf("%v", g)
		}
		k.must(409, "POST", "/api/v1/compensation/grants", agentTok, map[string]any{"order_id": order})

		// goodwill above the agent's ₪150.00 per order → 202.
		other, otherContact := compensationOrder(t, k, "standard", 90000, 0)
		p := k.must(202, "POST", "/api/v1/compensation/grants", agentTok, map[string]any{"order_id": other, "goodwill": true,
			"remedy": "coupon", "amount_minor": 15001, "reason": "broken mug"})
		req := p["request"].(map[string]any)
		if p["status"] != "pending_approval" || req["status"] != "pending" || num(req["contact_id"]) != otherContact {
			t.Fatalf("%v", p)
		}
		reqPath := fmt.Sprintf("/api/v1/compensation/requests/%d", num(req["id"]))
		k.must(403, "POST", reqPath+"/approve", agentTok, nil)
		k.must(400, "POST", reqPath+"/deny", supTok, map[string]any{})
		own := k.must(200, "GET", "/api/v1/compensation/requests?status=pending", agentTok, nil)
		if len(own["data"].([]any)) != 1 {
			t.Fatalf("%v", own)
		}
		ok := k.must(200, "POST", reqPath+"/approve", supTok, nil)
		if ok["status"] != "approved" || ok["ledger_entry_id"] == nil {
			t.Fatalf("%v", ok)
		}
		k.must(409, "POST", reqPath+"/deny", supTok, map[string]any{"reason": "late"})

		led := k.must(200, "GET", fmt.Sprintf("/api/v1/ledger?order_id=%d", other), agentTok, nil)
		es := led["data"].([]any)
		if len(es) != 1 || !strings.HasPrefix(es[0].(map[string]any)["coupon_code"].(string), "KSR-") {
			t.Fatalf("%v", led)
		}
		me := k.must(200, "GET", "/api/v1/compensation/authority/me", agentTok, nil)
		lim := me["limits"].([]any)[0].(map[string]any)
		if num(lim["used_minor"]) != 3885 || num(lim["left_minor"]) != 100000-3885 {
			t.Fatalf("%v", me)
		}

		// reverse: admins only, once.
		revPath := fmt.Sprintf("/api/v1/ledger/%d/reverse", num(entry["id"]))
		k.must(403, "POST", revPath, supTok, map[string]any{"reason": "x"})
		k.must(400, "POST", revPath, k.admin, map[string]any{"reason": ""})
		rev := k.must(201, "POST", revPath, k.admin, map[string]any{"reason": "duplicate"})
		if num(rev["amount_minor"]) != -3885 {
			t.Fatalf("%v", rev)
		}
		k.must(409, "POST", revPath, k.admin, map[string]any{"reason": "again"})
		sum := k.must(200, "GET", "/api/v1/ledger/summary?to="+time.Now().Add(time.Hour).UTC().Format(time.RFC3339), agentTok, nil)
		if tot := sum["totals"].([]any)[0].(map[string]any); num(tot["amount_minor"]) != 15001 || num(tot["entries"]) != 3 {
			t.Fatalf("%v", sum)
		}

		// limits and export settings: admins change them.
		k.must(403, "PUT", "/api/v1/compensation/authority-limits", supTok, `[]`)
		bad = k.must(400, "PUT", "/api/v1/compensation/authority-limits", k.admin, `[{"role":"agent","remedy":"cash","per_order_minor":1,"per_period_minor":1}]`)
		if !strings.Contains(string(problemFields(t, bad)), `"[0].remedy"`) {
			t.Fatalf("%v", bad)
		}
		ls := k.must(200, "PUT", "/api/v1/compensation/authority-limits", k.admin, `[{"role":"agent","remedy":"*","per_order_minor":100,"per_period_minor":1000,"period":"week"}]`)
		if n := len(ls["data"].([]any)); n != 2 { // agent's row + supervisor's default
			t.Fatalf("%v", ls)
		}
		k.must(200, "GET", "/api/v1/compensation/authority-limits", agentTok, nil)
		k.must(403, "GET", "/api/v1/compensation/export-settings", supTok, nil)
		st := k.must(200, "PUT", "/api/v1/compensation/export-settings", k.admin, map[string]any{"url": "https://shop.example/ledger", "secret": "abc"})
		if st["secret_set"] != true || st["secret"] != nil {
			t.Fatalf("%v", st)
		}
		if r := k.do("GET", "/api/v1/compensation/export-settings", k.admin, nil); r.status != http.StatusOK || strings.Contains(string(r.body), "abc") {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
}

// problemFields lists the field names of a validation problem, quoted.
func problemFields(t *testing.T, v map[string]any) []byte {
	t.Helper()
	var out []string
	es, _ := v["errors"].([]any)
	for _, e := range es {
		out = append(out, fmt.Sprintf("%q", e.(map[string]any)["field"]))
	}
	return []byte(strings.Join(out, ","))
}
