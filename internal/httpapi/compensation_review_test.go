package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestCompensationBadInput: the hostile review's requests, each a 4xx
// naming the field, and nothing stored that breaks the sums.
func TestCompensationBadInput(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		_, agentTok := k.agentWithToken("Avi", "agent")
		_, supTok := k.agentWithToken("Sara", "supervisor")
		order, _ := compensationOrder(t, k, "standard", 500, 0) // ₪5.00, shipping ₪29.00
		big, contact := compensationOrder(t, k, "standard", 100000, 0)
		limit := `{"role":"agent","remedy":"*","per_order_minor":100,"per_period_minor":1000}`
		tier := `{"id":"a","from_days":1,"remedy":"coupon","amount_minor":100}`
		cases := []struct {
			name, token, method, path string
			body                      any
			status                    int
			field                     string
		}{
			{"amount near MaxInt64", agentTok, "POST", "/api/v1/compensation/grants", fmt.Sprintf(`{"order_id":%d,"goodwill":true,"remedy":"store_credit","amount_minor":9223372036854775757,"reason":"x"}`, order), 400, "amount_minor"},
			{"amount above the maximum", agentTok, "POST", "/api/v1/compensation/grants", map[string]any{"contact_id": contact, "goodwill": true, "remedy": "coupon", "amount_minor": 100000000001, "reason": "x"}, 400, "amount_minor"},
			{"lower-case currency", agentTok, "POST", "/api/v1/compensation/grants", map[string]any{"contact_id": contact, "goodwill": true, "remedy": "coupon", "amount_minor": 100, "reason": "x", "currency": "usd"}, 400, "currency"},
			{"not a currency", agentTok, "POST", "/api/v1/compensation/grants", map[string]any{"contact_id": contact, "goodwill": true, "remedy": "coupon", "amount_minor": 100, "reason": "x", "currency": "$$$"}, 400, "currency"},
			{"gold", agentTok, "POST", "/api/v1/compensation/grants", map[string]any{"contact_id": contact, "goodwill": true, "remedy": "coupon", "amount_minor": 100, "reason": "x", "currency": "XAU"}, 400, "currency"},
			{"USD on an ILS order", agentTok, "POST", "/api/v1/compensation/grants", map[string]any{"order_id": order, "goodwill": true, "remedy": "coupon", "amount_minor": 100, "reason": "x", "currency": "USD"}, 400, "currency"},
			{"partial refund above the total", agentTok, "POST", "/api/v1/compensation/grants", map[string]any{"order_id": order, "goodwill": true, "remedy": "partial_refund", "amount_minor": 10000, "reason": "x"}, 400, "amount_minor"},
			{"shipping refund above the shipping", agentTok, "POST", "/api/v1/compensation/grants", map[string]any{"order_id": order, "goodwill": true, "remedy": "shipping_refund", "amount_minor": 3000, "reason": "x"}, 400, "amount_minor"},
			{"refund without order", agentTok, "POST", "/api/v1/compensation/grants", map[string]any{"contact_id": contact, "goodwill": true, "remedy": "partial_refund", "amount_minor": 100, "reason": "x"}, 400, "order_id"},
			{"unknown lang", agentTok, "POST", "/api/v1/compensation/grants", map[string]any{"order_id": order, "goodwill": true, "remedy": "coupon", "amount_minor": 100, "reason": "x", "lang": "fr"}, 400, "lang"},
			{"limits: trailing garbage", k.admin, "PUT", "/api/v1/compensation/authority-limits", "[" + limit + "] x", 400, "body"},
			{"limits: two arrays", k.admin, "PUT", "/api/v1/compensation/authority-limits", "[" + limit + "][]", 400, "body"},
			{"limits: duplicate key", k.admin, "PUT", "/api/v1/compensation/authority-limits", `[{"role":"agent","remedy":"*","per_order_minor":100,"per_order_minor":9,"per_period_minor":1000}]`, 400, "[0].per_order_minor"},
			{"limits: case-folded key", k.admin, "PUT", "/api/v1/compensation/authority-limits", `[{"ROLE":"agent","remedy":"*","per_order_minor":100,"per_period_minor":1000}]`, 400, "[0].ROLE"},
			{"limits: missing per_period_minor", k.admin, "PUT", "/api/v1/compensation/authority-limits", `[{"role":"agent","remedy":"*","per_order_minor":100}]`, 400, "[0].per_period_minor"},
			{"limits: missing per_order_minor, wrapped", k.admin, "PUT", "/api/v1/compensation/authority-limits", `{"data":[{"role":"agent","remedy":"*","per_period_minor":100}]}`, 400, "[0].per_order_minor"},
			{"limits: too large", k.admin, "PUT", "/api/v1/compensation/authority-limits", `[{"role":"agent","remedy":"*","per_order_minor":9223372036854775807,"per_period_minor":1}]`, 400, "[0].per_order_minor"},
			{"policy: per day overflows", k.admin, "PUT", "/api/v1/compensation/policy", `{"tiers":[{"id":"a","from_days":1,"remedy":"store_credit","per_day_minor":3000000000000000000}]}`, 400, "tiers[0].per_day_minor"},
			{"policy: duplicate tiers", k.admin, "PUT", "/api/v1/compensation/policy", `{"tiers":[],"tiers":[` + tier + `]}`, 400, "tiers"},
			{"policy: bad decimal", k.admin, "PUT", "/api/v1/compensation/policy", `{"tiers":[{"id":"a","from_days":1,"remedy":"coupon","percent":"ten"}]}`, 400, "tiers[0].percent"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := k.do(c.method, c.path, c.token, c.body)
				if r.status != c.status {
					t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
				}
				if f := string(problemFields(t, r.json(t))); !strings.Contains(f, fmt.Sprintf("%q", c.field)) {
					t.Fatalf("fields %s, want %q: %s", f, c.field, r.body)
				}
			})
		}
		// the sums still answer.
		k.must(200, "GET", "/api/v1/compensation/authority/me", agentTok, nil)
		k.must(200, "GET", "/api/v1/ledger/summary", agentTok, nil)
		k.must(200, "GET", fmt.Sprintf("/api/v1/ledger?order_id=%d", order), agentTok, nil)
		// at the limit and one agora over still behave.
		k.must(201, "POST", "/api/v1/compensation/grants", agentTok, map[string]any{"order_id": big, "goodwill": true, "remedy": "store_credit", "amount_minor": 15000, "reason": "x"})
		k.must(202, "POST", "/api/v1/compensation/grants", agentTok, map[string]any{"order_id": big, "goodwill": true, "remedy": "store_credit", "amount_minor": 1, "reason": "x"})
		k.must(201, "POST", "/api/v1/compensation/grants", agentTok, map[string]any{"order_id": order, "goodwill": true, "remedy": "coupon", "amount_minor": 100, "reason": "x", "lang": "he"})

		// a supervisor cannot approve ₪9,000,000.00; an admin can.
		p := k.must(202, "POST", "/api/v1/compensation/grants", agentTok, map[string]any{"order_id": big, "goodwill": true, "remedy": "store_credit", "amount_minor": 900000000, "reason": "x"})
		path := fmt.Sprintf("/api/v1/compensation/requests/%d/approve", num(p["request"].(map[string]any)["id"]))
		k.must(403, "POST", path, supTok, nil)
		k.must(200, "POST", path, k.admin, nil)
	})
}

// TestLedgerHidesCouponCodes: coupon codes are bearer values; an
// orders:read-only token lists the ledger without them.
func TestLedgerHidesCouponCodes(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		_, agentTok := k.agentWithToken("Avi", "agent")
		order, _ := compensationOrder(t, k, "standard", 9000, 0)
		g := k.must(201, "POST", "/api/v1/compensation/grants", agentTok, map[string]any{"order_id": order, "goodwill": true, "remedy": "coupon", "amount_minor": 500, "reason": "x"})
		code := g["entry"].(map[string]any)["coupon_code"].(string)
		if !strings.HasPrefix(code, "KSR-") {
			t.Fatalf("%v", g)
		}
		ro := k.must(201, "POST", "/api/v1/tokens", agentTok, map[string]any{"name": "shop", "scopes": []string{"orders:read"}})["token"].(string)
		cases := []struct {
			name, token string
			shown       bool
		}{{"agent", agentTok, true}, {"admin", k.admin, true}, {"orders:read token", ro, false}}
		for _, c := range cases {
			r := k.do("GET", fmt.Sprintf("/api/v1/ledger?order_id=%d", order), c.token, nil)
			e := r.json(t)["data"].([]any)[0].(map[string]any)
			if r.status != 200 || (e["coupon_code"] == code) != c.shown || (e["coupon_code_hidden"] == true) == c.shown || strings.Contains(string(r.body), code) != c.shown {
				t.Fatalf("%s: %d %s", c.name, r.status, r.body)
			}
		}
	})
}

// TestExportSettingsAPI: the URL's password is redacted; the redacted URL
// sent back, or no url, keeps the stored one; "url": "" turns it off.
func TestExportSettingsAPI(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		path := "/api/v1/compensation/export-settings"
		shown := "https://shop:xxxxx@shop.example/ledger"
		stored := func() string {
			var raw string
			_ = k.core.DB.R().QueryRow(context.Background(), `SELECT value FROM commerce_settings WHERE key = 'ledger_export'`).Scan(&raw)
			return raw
		}
		steps := []struct {
			name    string
			body    any
			url     string
			inStore string
		}{
			{"with credentials", map[string]any{"url": "https://shop:hunter2@shop.example/ledger", "secret": "abc"}, shown, "hunter2"},
			{"redacted URL sent back", map[string]any{"url": shown, "secret": "def"}, shown, "hunter2"},
			{"no url: kept", map[string]any{"secret": "x"}, shown, "hunter2"},
			{"empty url: off", map[string]any{"url": ""}, "", `"url":""`},
		}
		for _, s := range steps {
			st := k.must(200, "PUT", path, k.admin, s.body)
			got := k.must(200, "GET", path, k.admin, nil)
			if st["url"] != s.url || got["url"] != s.url || !strings.Contains(stored(), s.inStore) {
				t.Fatalf("%s: %v %v %s", s.name, st, got, stored())
			}
		}
	})
}
