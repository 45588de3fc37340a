package httpapi_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/commerce/shop"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

func (k *desk) count(q string, args ...any) int {
	k.t.Helper()
	var n int
	if err := k.core.DB.R().QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		k.t.Fatal(err)
	}
	return n
}

// TestOrdersAPI: upsert is idempotent (201, then 200 unchanged), validation
// names fields, carrier status appends events, agents read but cannot
// write (403).
func TestOrdersAPI(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		_, agentTok := k.agentWithToken("Noa", "agent")
		body := map[string]any{"external_id": "A-1001", "number": "1001", "status": "shipped", "total_minor": 25900, "shipping_minor": 2900,
			"customer": map[string]any{"email": "Dana@Example.com", "name": "דנה כהן"}, "promised_by": "2026-11-24",
			"items":     []any{map[string]any{"sku": "MUG-1", "name": "ספל", "quantity": 2, "price_minor": 11500}},
			"placed_at": "2026-11-20T08:00:00Z", "carrier": "Israel Post", "tracking_number": "RR123456789IL"}
		first := k.must(201, "POST", "/api/v1/orders", k.admin, body)
		if first["promised_by"] != "2026-11-24T21:59:59.999Z" || first["currency"] != "ILS" || num(first["total_minor"]) != 25900 ||
			first["contact"].(map[string]any)["email"] != "dana@example.com" || first["lateness"] != "on_time" {
			t.Errorf("created = %v", first)
		}
		time.Sleep(5 * time.Millisecond)
		second := k.must(200, "POST", "/api/v1/orders", k.admin, body)
		if second["updated_at"] != first["updated_at"] || second["id"] != first["id"] {
			t.Errorf("same body changed the order: %v → %v", first["updated_at"], second["updated_at"])
		}
		if n := k.count(`SELECT COUNT(*) FROM orders`); n != 1 {
			t.Errorf("orders = %d, want 1", n)
		}
		id := num(first["id"])

		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"external_id": "X", "contact_id": 1, "status": "lost"}, "status"},
			{map[string]any{"external_id": "X", "contact_id": 1, "currency": "usd"}, "currency"},
			{map[string]any{"external_id": "X", "contact_id": 1, "total_minor": -1}, "total_minor"},
			{map[string]any{"external_id": "X", "contact_id": 1, "items": []any{map[string]any{"sku": "A", "quantity": 0}}}, "items[0].quantity"},
			{map[string]any{"external_id": "X", "contact_id": 1, "promised_from": "2026-11-25", "promised_by": "2026-11-24"}, "promised_from"},
			{map[string]any{"external_id": "X", "contact_id": 1, "total": 5}, "total"},
			{map[string]any{"number": "1"}, "external_id"},
		} {
			if f := k.problemField("POST", "/api/v1/orders", k.admin, c.body); f != c.field {
				t.Errorf("%v: field %q, want %q", c.body, f, c.field)
			}
		}

		k.must(403, "POST", "/api/v1/orders", agentTok, body)
		k.must(403, "POST", fmt.Sprintf("/api/v1/orders/%d/carrier-status", id), agentTok, map[string]any{"status": "delayed"})
		k.must(403, "GET", "/api/v1/commerce/shop-settings", agentTok, nil)
		k.must(200, "GET", fmt.Sprintf("/api/v1/orders/%d", id), agentTok, nil)

		o := k.must(200, "POST", fmt.Sprintf("/api/v1/orders/%d/carrier-status", id), k.admin,
			map[string]any{"status": "delayed", "detail": "עיכוב", "eta": "2026-11-30T16:00:00Z", "at": "2026-11-25T07:00:00Z"})
		evs := o["events"].([]any)
		if o["carrier_status"] != "delayed" || o["carrier_eta"] != "2026-11-30T16:00:00Z" || len(evs) != 1 ||
			evs[0].(map[string]any)["at"] != "2026-11-25T07:00:00Z" {
			t.Errorf("carrier status: %v", o)
		}
		if f := k.problemField("POST", fmt.Sprintf("/api/v1/orders/%d/carrier-status", id), k.admin, map[string]any{"status": "gone"}); f != "status" {
			t.Errorf("bad carrier status field %q", f)
		}
		k.must(404, "GET", "/api/v1/orders/99999", k.admin, nil)

		list := k.must(200, "GET", fmt.Sprintf("/api/v1/orders?contact_id=%d&status=shipped", num(first["contact_id"])), agentTok, nil)
		if got := ids(list); len(got) != 1 || got[0] != id {
			t.Errorf("list = %v", got)
		}
		if got := ids(k.must(200, "GET", "/api/v1/orders?status=delivered", k.admin, nil)); len(got) != 0 {
			t.Errorf("delivered list = %v", got)
		}
		if f := k.problemField("GET", "/api/v1/orders?lateness=soon", k.admin, nil); f != "lateness" {
			t.Errorf("bad lateness field %q", f)
		}
	})
}

// TestOrdersImportAPI: a CSV body imports all or nothing; a bad line names
// line and column; re-import is unchanged.
func TestOrdersImportAPI(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		csvBody := "external_id,customer_email,status,total,items\nI-1,a@example.com,paid,259.90,MUG:1:259.90\nI-2,b@example.com,placed,10,\n"
		ct := []string{"Content-Type", "text/csv"}
		res := k.must(200, "POST", "/api/v1/orders/import", k.admin, csvBody, ct...)
		if num(res["created"]) != 2 || num(res["updated"]) != 0 || num(res["unchanged"]) != 0 {
			t.Errorf("import = %v", res)
		}
		res = k.must(200, "POST", "/api/v1/orders/import", k.admin, csvBody, ct...)
		if num(res["created"]) != 0 || num(res["unchanged"]) != 2 {
			t.Errorf("re-import = %v", res)
		}
		bad := "external_id,customer_email,status,total\nI-3,c@example.com,paid,1\nI-4,d@example.com,paid,abc\n"
		r := k.do("POST", "/api/v1/orders/import", k.admin, bad, ct...)
		p := r.json(t)
		errsList, _ := p["errors"].([]any)
		if r.status != 400 || len(errsList) != 1 || errsList[0].(map[string]any)["field"] != "line[3].total" ||
			!strings.Contains(errsList[0].(map[string]any)["message"].(string), `line 3, column "total"`) {
			t.Errorf("bad import: %d %s", r.status, r.body)
		}
		if n := k.count(`SELECT COUNT(*) FROM orders`); n != 2 {
			t.Errorf("orders = %d after the bad file, want 2", n)
		}
		if f := k.problemField("POST", "/api/v1/orders/import", k.admin, map[string]any{"a": 1}); f != "Content-Type" {
			t.Errorf("JSON body: field %q", f)
		}
		_, agentTok := k.agentWithToken("Noa", "agent")
		k.must(403, "POST", "/api/v1/orders/import", agentTok, csvBody, ct...)
	})
}

// TestShopWebhooks: secrets are write-only; the recorded Shopify and
// WooCommerce payloads create and then update one order each; a bad or
// missing signature is 401 and stores nothing.
func TestShopWebhooks(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		read := func(name string) string {
			b, err := os.ReadFile("../commerce/shop/testdata/" + name)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		shopifyCreate, shopifyUpdate := read("shopify_orders_create.json"), read("shopify_orders_updated.json")
		wooCreate, wooUpdate := read("woocommerce_order_created.json"), read("woocommerce_order_updated.json")
		const shopifySecret, wooSecret = "shpss_0a1b2c3d4e5f", "wc-secret-7788"

		// Not configured yet: 404, nothing stored.
		k.must(404, "POST", "/api/v1/webhooks/shopify/orders", "", shopifyCreate, shop.ShopifyHeader, shop.Sign(shopifySecret, []byte(shopifyCreate)))
		if s := k.must(200, "GET", "/api/v1/commerce/shop-settings", k.admin, nil); s["shopify_secret_set"] != false || s["woocommerce_secret_set"] != false {
			t.Errorf("settings = %v", s)
		}
		r := k.do("PUT", "/api/v1/commerce/shop-settings", k.admin, map[string]any{"shopify_secret": shopifySecret, "woocommerce_secret": wooSecret})
		if r.status != 200 || strings.Contains(string(r.body), shopifySecret) || strings.Contains(string(r.body), wooSecret) {
			t.Fatalf("PUT settings: %d %s", r.status, r.body)
		}
		r = k.do("GET", "/api/v1/commerce/shop-settings", k.admin, nil)
		if s := r.json(t); s["shopify_secret_set"] != true || s["woocommerce_secret_set"] != true || len(s) != 2 || strings.Contains(string(r.body), "secret\":\"") {
			t.Errorf("settings = %s", r.body)
		}
		if n := k.count(`SELECT COUNT(*) FROM commerce_settings WHERE value LIKE ?`, "%"+shopifySecret+"%"); n != 0 {
			t.Error("the Shopify secret is stored in clear")
		}

		// Bad and missing signatures.
		for _, sig := range []string{"", shop.Sign("wrong", []byte(shopifyCreate)), shop.Sign(shopifySecret, []byte(shopifyUpdate))} {
			r := k.do("POST", "/api/v1/webhooks/shopify/orders", "", shopifyCreate, shop.ShopifyHeader, sig)
			if r.status != 401 || r.json(t)["type"] != "https://kesher.dev/problems/bad-signature" {
				t.Errorf("signature %q: %d %s", sig, r.status, r.body)
			}
		}
		k.must(401, "POST", "/api/v1/webhooks/woocommerce/orders", "", wooCreate, shop.WooCommerceHeader, shop.Sign(shopifySecret, []byte(wooCreate)))
		if n := k.count(`SELECT COUNT(*) FROM orders`); n != 0 {
			t.Fatalf("orders = %d after bad signatures, want 0", n)
		}

		// Shopify: create, then update of the same order.
		hdr := func(body string) []string {
			return []string{shop.ShopifyHeader, shop.Sign(shopifySecret, []byte(body)), "X-Shopify-Topic", "orders/create"}
		}
		res := k.must(200, "POST", "/api/v1/webhooks/shopify/orders", "", shopifyCreate, hdr(shopifyCreate)...)
		if res["status"] != "stored" || res["created"] != true {
			t.Errorf("shopify create = %v", res)
		}
		sid := num(res["order_id"])
		res = k.must(200, "POST", "/api/v1/webhooks/shopify/orders", "", shopifyUpdate, hdr(shopifyUpdate)...)
		if num(res["order_id"]) != sid || res["created"] != nil {
			t.Errorf("shopify update = %v", res)
		}
		o := k.must(200, "GET", fmt.Sprintf("/api/v1/orders/%d", sid), k.admin, nil)
		if o["external_id"] != "shopify:5938201147723" || o["status"] != "shipped" || num(o["total_minor"]) != 34700 || o["carrier_status"] != "in_transit" ||
			o["tracking_number"] != "RR208811335IL" || o["promised_by"] != "2026-11-26T21:59:59.999Z" || o["placed_at"] != "2026-11-22T09:42:10Z" ||
			o["contact"].(map[string]any)["email"] != "maya.friedman@example.com" || len(o["events"].([]any)) != 1 {
			t.Errorf("shopify order = %v", o)
		}
		// Other topics are ignored.
		prod := `{"id": 1, "title": "x"}`
		if res := k.must(200, "POST", "/api/v1/webhooks/shopify/orders", "", prod, shop.ShopifyHeader, shop.Sign(shopifySecret, []byte(prod)),
			"X-Shopify-Topic", "products/create"); res["status"] != "ignored" {
			t.Errorf("product topic = %v", res)
		}

		del := `{"id": 5938201147723}`
		if res := k.must(200, "POST", "/api/v1/webhooks/shopify/orders", "", del, shop.ShopifyHeader, shop.Sign(shopifySecret, []byte(del)),
			"X-Shopify-Topic", "orders/delete"); res["status"] != "ignored" {
			t.Errorf("orders/delete = %v", res)
		}
		big := `{"id": 1, "note": "` + strings.Repeat("x", 1<<20) + `"}`
		k.must(413, "POST", "/api/v1/webhooks/shopify/orders", "", big, shop.ShopifyHeader, shop.Sign(shopifySecret, []byte(big)))

		// WooCommerce: ping, create, update.
		if res := k.must(200, "POST", "/api/v1/webhooks/woocommerce/orders", "", "webhook_id=17", "Content-Type", "application/x-www-form-urlencoded"); res["status"] != "ping" {
			t.Errorf("ping = %v", res)
		}
		wh := func(body string) []string {
			return []string{shop.WooCommerceHeader, shop.Sign(wooSecret, []byte(body)), "X-WC-Webhook-Topic", "order.updated"}
		}
		res = k.must(200, "POST", "/api/v1/webhooks/woocommerce/orders", "", wooCreate, wh(wooCreate)...)
		wid := num(res["order_id"])
		if res["created"] != true {
			t.Errorf("woo create = %v", res)
		}
		k.must(200, "POST", "/api/v1/webhooks/woocommerce/orders", "", wooCreate, wh(wooCreate)...)
		before := k.must(200, "GET", fmt.Sprintf("/api/v1/orders/%d", wid), k.admin, nil)
		k.must(200, "POST", "/api/v1/webhooks/woocommerce/orders", "", wooUpdate, wh(wooUpdate)...)
		o = k.must(200, "GET", fmt.Sprintf("/api/v1/orders/%d", wid), k.admin, nil)
		if evs, ok := before["events"].([]any); !ok || len(evs) != 0 {
			t.Errorf("events of an order without carrier news = %v, want []", before["events"])
		}
		if o["status"] != "shipped" || o["carrier"] != "HFD" || o["shipped_at"] != "2026-11-25T07:44:58Z" || num(o["total_minor"]) != 25490 ||
			o["contact"].(map[string]any)["name"] != "אורית בן דוד" || before["status"] != "paid" {
			t.Errorf("woo order = %v (before %v)", o, before["status"])
		}
		if n := k.count(`SELECT COUNT(*) FROM orders`); n != 2 {
			t.Errorf("orders = %d, want 2", n)
		}
		// Clearing a secret turns its webhook off.
		k.must(200, "PUT", "/api/v1/commerce/shop-settings", k.admin, map[string]any{"woocommerce_secret": ""})
		k.must(404, "POST", "/api/v1/webhooks/woocommerce/orders", "", wooCreate, wh(wooCreate)...)
		if s := k.must(200, "GET", "/api/v1/commerce/shop-settings", k.admin, nil); s["shopify_secret_set"] != true || s["woocommerce_secret_set"] != false {
			t.Errorf("settings after clearing = %v", s)
		}
	})
}

// TestContactOverviewAPI: orders newest first, lifetime value without
// cancelled orders, credits net of a reversal, conversations by
// visibility, open issues; contacts:read alone is not enough.
func TestContactOverviewAPI(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		ctx := context.Background()
		team := num(k.must(201, "POST", "/api/v1/teams", k.admin, map[string]any{"name": "VIP"})["id"])
		agentID, agentTok := k.agentWithToken("Noa", "agent")
		cid := num(k.must(201, "POST", "/api/v1/contacts", k.admin, map[string]any{"name": "דנה כהן", "emails": []string{"dana@example.com"}})["id"])
		for _, o := range []map[string]any{
			{"external_id": "O-1", "status": "delivered", "total_minor": 25900, "placed_at": "2026-10-01T08:00:00Z"},
			{"external_id": "O-2", "status": "cancelled", "total_minor": 99900, "placed_at": "2026-10-05T08:00:00Z"},
			{"external_id": "O-3", "status": "shipped", "total_minor": 11500, "placed_at": "2026-11-20T08:00:00Z"},
			{"external_id": "O-4", "status": "paid", "currency": "USD", "total_minor": 4000, "placed_at": "2026-11-21T08:00:00Z"},
			{"external_id": "O-5", "status": "returned", "total_minor": 5000, "placed_at": "2026-09-01T08:00:00Z"},
		} {
			o["contact_id"] = cid
			k.must(201, "POST", "/api/v1/orders", k.admin, o)
		}
		var o3 int64
		if err := d.R().QueryRow(ctx, `SELECT id FROM orders WHERE external_id = 'O-3'`).Scan(&o3); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UnixMilli()
		err := d.WriteTx(ctx, func(tx *db.Tx) error {
			if _, err := tx.Exec(ctx, `UPDATE orders SET lateness = 'late', days_late = 2 WHERE id = ?`, o3); err != nil {
				return err
			}
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO credit_ledger (id, contact_id, order_id, remedy, amount_minor, currency, created_at) VALUES (901, ?, ?, 'store_credit', 3000, 'ILS', ?)`, []any{cid, o3, now - 3000}},
				{`INSERT INTO credit_ledger (id, contact_id, order_id, remedy, amount_minor, currency, goodwill, reason, created_at) VALUES (902, ?, ?, 'coupon', 2000, 'ILS', ?, 'sorry', ?)`, []any{cid, o3, true, now - 2000}},
				{`INSERT INTO credit_ledger (id, contact_id, order_id, remedy, amount_minor, currency, reverses_id, reason, created_at) VALUES (903, ?, ?, 'coupon', -2000, 'ILS', 902, 'granted twice', ?)`, []any{cid, o3, now - 1000}},
				{`INSERT INTO compensation_requests (contact_id, order_id, requested_by, remedy, amount_minor, currency, created_at) VALUES (?, ?, ?, 'store_credit', 10000, 'ILS', ?)`, []any{cid, o3, agentID, now}},
				{`INSERT INTO compensation_requests (contact_id, order_id, requested_by, remedy, amount_minor, currency, status, created_at) VALUES (?, ?, ?, 'coupon', 500, 'ILS', 'denied', ?)`, []any{cid, o3, agentID, now}},
			} {
				if _, err := tx.Exec(ctx, q.sql, q.args...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		box := num(k.must(201, "POST", "/api/v1/inboxes", k.admin, map[string]any{"name": "API", "channel": "api"})["id"])
		conv := func(subject string, teamID int64) int64 {
			body := map[string]any{"inbox_id": box, "subject": subject, "requester": map[string]any{"id": cid},
				"message": map[string]any{"direction": "inbound", "body": "hi"}}
			if teamID != 0 {
				body["team_id"] = teamID
			}
			return num(k.must(201, "POST", "/api/v1/conversations", k.admin, body)["id"])
		}
		shared := conv("איפה ההזמנה?", 0)
		vip := conv("VIP only", team)

		ov := k.must(200, "GET", fmt.Sprintf("/api/v1/contacts/%d/overview", cid), k.admin, nil)
		if ov["contact"].(map[string]any)["name"] != "דנה כהן" {
			t.Errorf("contact = %v", ov["contact"])
		}
		var ext []string
		for _, o := range ov["orders"].([]any) {
			ext = append(ext, o.(map[string]any)["external_id"].(string))
		}
		if strings.Join(ext, ",") != "O-4,O-3,O-2,O-1,O-5" {
			t.Errorf("orders = %v", ext)
		}
		lv := ov["lifetime_value"].(map[string]any)
		if fmt.Sprint(lv["historical"]) != "[map[amount_minor:37400 currency:ILS] map[amount_minor:4000 currency:USD]]" || num(lv["orders_count"]) != 3 {
			t.Errorf("lifetime_value = %v", lv)
		}
		cr := ov["credits"].(map[string]any)
		entries := cr["entries"].([]any)
		if fmt.Sprint(cr["totals"]) != "[map[amount_minor:3000 currency:ILS]]" || len(entries) != 3 ||
			num(entries[0].(map[string]any)["id"]) != 903 || entries[1].(map[string]any)["reversed"] != true || entries[2].(map[string]any)["reversed"] != false {
			t.Errorf("credits = %v", cr)
		}
		oi := ov["open_issues"].(map[string]any)
		if num(oi["open_conversations"]) != 2 || num(oi["pending_compensation_requests"]) != 1 || num(oi["late_orders"]) != 1 {
			t.Errorf("open_issues = %v", oi)
		}
		sat := ov["satisfaction"].(map[string]any)
		if fmt.Sprint(sat) != "map[csat:[] nps:[]]" {
			t.Errorf("satisfaction = %v", sat)
		}
		if got := ids(map[string]any{"data": ov["conversations"]}); len(got) != 2 || got[0] != vip {
			t.Errorf("admin conversations = %v", got)
		}
		// An agent outside the VIP team sees only the shared conversation.
		ov = k.must(200, "GET", fmt.Sprintf("/api/v1/contacts/%d/overview", cid), agentTok, nil)
		if got := ids(map[string]any{"data": ov["conversations"]}); len(got) != 1 || got[0] != shared {
			t.Errorf("agent conversations = %v", got)
		}
		if num(ov["open_issues"].(map[string]any)["open_conversations"]) != 1 {
			t.Errorf("agent open issues = %v", ov["open_issues"])
		}
		// A token scoped to contacts:read alone may not see orders.
		scoped, _, err := k.core.Auth.CreateToken(ctx, agentID, "contacts only", []string{"contacts:read"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		k.must(200, "GET", fmt.Sprintf("/api/v1/contacts/%d", cid), scoped, nil)
		k.must(403, "GET", fmt.Sprintf("/api/v1/contacts/%d/overview", cid), scoped, nil)
		k.must(404, "GET", "/api/v1/contacts/99999/overview", k.admin, nil)
	})
}

// TestOrderInputBounds: amounts, quantities, years and single-line text are
// bounded on the JSON API (400 naming the field, nothing stored), and the
// overview of a contact with two maximal orders answers their exact sum.
func TestOrderInputBounds(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		cid := num(k.must(201, "POST", "/api/v1/contacts", k.admin, map[string]any{"name": "Big", "emails": []string{"big@example.com"}})["id"])
		raw := fmt.Sprintf(`{"external_id": "BIG-1", "contact_id": %d, "total_minor": 9223372036854775807}`, cid)
		r := k.do("POST", "/api/v1/orders", k.admin, raw)
		if p := r.json(t); r.status != 400 || fmt.Sprint(p["errors"].([]any)[0].(map[string]any)["field"]) != "total_minor" {
			t.Errorf("MaxInt64 total: %d %s", r.status, r.body)
		}
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"total_minor": int64(100_000_000_001)}, "total_minor"},
			{map[string]any{"shipping_minor": int64(9223372036854775807)}, "shipping_minor"},
			{map[string]any{"items": []any{map[string]any{"sku": "A", "quantity": int64(9223372036854775807), "price_minor": 1}}}, "items[0].quantity"},
			{map[string]any{"items": []any{map[string]any{"sku": "A", "quantity": 1, "price_minor": int64(9223372036854775807)}}}, "items[0].price_minor"},
			{map[string]any{"placed_at": "0001-01-01T00:00:00Z"}, "placed_at"},
			{map[string]any{"promised_by": "9999-12-31"}, "promised_by"},
			{map[string]any{"number": "1\r\nBcc: evil@example.com"}, "number"},
			{map[string]any{"tracking_number": "RR1\x00"}, "tracking_number"},
		} {
			c.body["external_id"], c.body["contact_id"] = "BIG-2", cid
			if f := k.problemField("POST", "/api/v1/orders", k.admin, c.body); f != c.field {
				t.Errorf("%v: field %q, want %q", c.body, f, c.field)
			}
		}
		for _, ext := range []string{"MAX-1", "MAX-2"} {
			k.must(201, "POST", "/api/v1/orders", k.admin, map[string]any{"external_id": ext, "contact_id": cid, "total_minor": int64(100_000_000_000)})
		}
		if n := k.count(`SELECT COUNT(*) FROM orders`); n != 2 {
			t.Errorf("orders = %d, want the 2 maximal ones", n)
		}
		ov := k.must(200, "GET", fmt.Sprintf("/api/v1/contacts/%d/overview", cid), k.admin, nil)
		if lv := fmt.Sprint(ov["lifetime_value"].(map[string]any)["historical"]); lv != "[map[amount_minor:2e+11 currency:ILS]]" {
			t.Errorf("lifetime value = %s", lv)
		}
	})
}

// TestShopWebhookOrdering: a Shopify delivery whose fulfillment states no
// shipment_status keeps the carrier status and ETA set through the API; a
// delivery older than the last applied is answered "stale" and changes
// nothing; a WooCommerce line with an unrounded float price is stored.
func TestShopWebhookOrdering(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		read := func(name string) string {
			b, err := os.ReadFile("../commerce/shop/testdata/" + name)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		const secret, wooSecret = "shpss_order", "wc-order"
		k.must(200, "PUT", "/api/v1/commerce/shop-settings", k.admin, map[string]any{"shopify_secret": secret, "woocommerce_secret": wooSecret})
		send := func(topic, body string) map[string]any {
			return k.must(200, "POST", "/api/v1/webhooks/shopify/orders", "", body, shop.ShopifyHeader, shop.Sign(secret, []byte(body)), "X-Shopify-Topic", topic)
		}
		created, updated := read("shopify_orders_create.json"), read("shopify_orders_updated.json")
		id := num(send("orders/create", created)["order_id"])
		send("orders/updated", updated)
		k.must(200, "POST", fmt.Sprintf("/api/v1/orders/%d/carrier-status", id), k.admin,
			map[string]any{"status": "delayed", "eta": "2026-11-30T16:00:00Z"})

		fulfilled := strings.Replace(updated, `"shipment_status": "in_transit"`, `"shipment_status": null`, 1)
		fulfilled = strings.Replace(fulfilled, `"updated_at": "2026-11-24T08:05:31+02:00"`, `"updated_at": "2026-11-24T09:00:00+02:00"`, 1)
		if res := send("orders/fulfilled", fulfilled); res["status"] != "stored" {
			t.Errorf("fulfilled = %v", res)
		}
		o := k.must(200, "GET", fmt.Sprintf("/api/v1/orders/%d", id), k.admin, nil)
		if o["carrier_status"] != "delayed" || o["carrier_eta"] != "2026-11-30T16:00:00Z" || o["tracking_number"] != "RR208811335IL" || o["status"] != "shipped" {
			t.Errorf("after a delivery without carrier news: %v %v %v %v", o["carrier_status"], o["carrier_eta"], o["tracking_number"], o["status"])
		}
		// orders/create again (a redelivery, older than what was applied).
		if res := send("orders/create", created); res["status"] != "stale" || res["order_id"] != nil {
			t.Errorf("older delivery = %v, want stale", res)
		}
		if again := k.must(200, "GET", fmt.Sprintf("/api/v1/orders/%d", id), k.admin, nil); again["status"] != "shipped" ||
			again["updated_at"] != o["updated_at"] || again["carrier_status"] != "delayed" {
			t.Errorf("a stale delivery changed the order: %v", again)
		}

		woo := `{"id": 4901, "number": "4901", "status": "processing", "currency": "ILS", "total": "100.00",
			"date_created_gmt": "2026-11-25T07:00:00", "date_modified_gmt": "2026-11-25T07:45:00",
			"billing": {"email": "w@example.com", "first_name": "W"},
			"line_items": [{"id": 77, "name": "Tea towel", "sku": "TOWEL-3", "quantity": 3, "total": "100.00", "price": 33.333333333333336}]}`
		res := k.must(200, "POST", "/api/v1/webhooks/woocommerce/orders", "", woo, shop.WooCommerceHeader, shop.Sign(wooSecret, []byte(woo)),
			"X-WC-Webhook-Topic", "order.created")
		wo := k.must(200, "GET", fmt.Sprintf("/api/v1/orders/%d", num(res["order_id"])), k.admin, nil)
		if it := wo["items"].([]any)[0].(map[string]any); num(it["price_minor"]) != 3333 || num(wo["total_minor"]) != 10000 {
			t.Errorf("woo order = %v", wo)
		}
	})
}

// TestShopWebhookJunkDoesNotThrottle: only refused deliveries count
// against a client IP's budget; once junk has spent it, junk gets 429 but a
// correctly signed delivery from the same address is still stored.
func TestShopWebhookJunkDoesNotThrottle(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		const secret = "shpss_junk"
		k.must(200, "PUT", "/api/v1/commerce/shop-settings", k.admin, map[string]any{"shopify_secret": secret})
		junk := `{"id": 1}`
		limited := 0
		for range 650 {
			if r := k.do("POST", "/api/v1/webhooks/shopify/orders", "", junk, shop.ShopifyHeader, "bm9wZQ=="); r.status == 429 {
				limited++
			} else if r.status != 401 {
				t.Fatalf("junk: %d %s", r.status, r.body)
			}
		}
		if limited < 40 {
			t.Errorf("%d of 650 junk deliveries limited, want the ones past the budget", limited)
		}
		body := `{"id": 77, "email": "real@example.com", "total_price": "10.00", "financial_status": "paid"}`
		for range 3 {
			if res := k.must(200, "POST", "/api/v1/webhooks/shopify/orders", "", body, shop.ShopifyHeader, shop.Sign(secret, []byte(body))); res["status"] != "stored" {
				t.Errorf("signed delivery = %v", res)
			}
		}
	})
}

// TestOverviewCouponCodes: coupon codes (bearer values) in the customer 360
// are shown only to callers with compensation:grant; an orders:read
// integration token gets "" and coupon_code_hidden.
func TestOverviewCouponCodes(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		ctx := context.Background()
		agentID, agentTok := k.agentWithToken("Noa", "agent")
		cid := num(k.must(201, "POST", "/api/v1/contacts", k.admin, map[string]any{"name": "C", "emails": []string{"c@example.com"}})["id"])
		err := d.WriteTx(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO credit_ledger (contact_id, remedy, amount_minor, currency, coupon_code, created_at)
				VALUES (?, 'coupon', 2000, 'ILS', 'SORRY-7F3K', 1), (?, 'store_credit', 500, 'ILS', '', 2)`, cid, cid)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		integration, _, err := k.core.Auth.CreateToken(ctx, agentID, "shop sync", []string{"contacts:read", "orders:read"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		entries := func(tok string) string {
			ov := k.must(200, "GET", fmt.Sprintf("/api/v1/contacts/%d/overview", cid), tok, nil)
			var out []string
			for _, e := range ov["credits"].(map[string]any)["entries"].([]any) {
				m := e.(map[string]any)
				out = append(out, fmt.Sprintf("%v/%v", m["coupon_code"], m["coupon_code_hidden"]))
			}
			return strings.Join(out, " ")
		}
		for _, c := range []struct{ who, tok, want string }{
			{"admin", k.admin, "/<nil> SORRY-7F3K/<nil>"},
			{"agent (compensation:grant)", agentTok, "/<nil> SORRY-7F3K/<nil>"},
			{"orders:read token", integration, "/<nil> /true"},
		} {
			if got := entries(c.tok); got != c.want {
				t.Errorf("%s: entries %s, want %s", c.who, got, c.want)
			}
		}
	})
}
