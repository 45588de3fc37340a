package shop_test

import (
	"os"
	"testing"

	"github.com/kesherdesk/kesher/internal/commerce"
	"github.com/kesherdesk/kesher/internal/commerce/shop"
)

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func str(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func minor(p *int64) int64 {
	if p == nil {
		return -1
	}
	return *p
}

// TestSignature: base64(HMAC-SHA256(secret, body)), compared in constant
// time; anything else fails.
func TestSignature(t *testing.T) {
	body := []byte(`{"id":1}`)
	// Computed independently: printf '{"id":1}' | openssl dgst -sha256 -hmac s3cret -binary | base64
	const want = "Y92rNNpYOOODVF6ckLQPdKTj2qvF3ZqNSaUYda1LJBg="
	if got := shop.Sign("s3cret", body); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
	for _, c := range []struct {
		secret, sig string
		body        []byte
		ok          bool
	}{
		{"s3cret", want, body, true},
		{"s3cret", want, []byte(`{"id":2}`), false},
		{"other", want, body, false},
		{"s3cret", "", body, false},
		{"", want, body, false},
		{"s3cret", "not base64!", body, false},
	} {
		if got := shop.Verify(c.secret, c.body, c.sig); got != c.ok {
			t.Errorf("Verify(%q, %s, %q) = %v, want %v", c.secret, c.body, c.sig, got, c.ok)
		}
	}
}

// TestShopifyMapping maps the recorded orders/create and orders/updated
// payloads.
func TestShopifyMapping(t *testing.T) {
	in, err := shop.Shopify(read(t, "shopify_orders_create.json"))
	if err != nil {
		t.Fatal(err)
	}
	if in.ExternalID != "shopify:5938201147723" || in.Number != "1057" || in.Status != "paid" || in.Currency != "ILS" ||
		minor(in.TotalMinor) != 34700 || minor(in.ShippingMinor) != 2900 || str(in.PlacedAt) != "2026-11-22T11:42:10+02:00" ||
		str(in.PromisedBy) != "2026-11-26" || in.Channel != "web" || in.Source != "shopify" {
		t.Errorf("create = %+v", in)
	}
	if in.Customer == nil || *in.Customer != (commerce.Customer{Email: "Maya.Friedman@example.com", Name: "Maya Friedman", Phone: "+972525550142"}) {
		t.Errorf("customer = %+v", in.Customer)
	}
	if len(in.Items) != 2 || in.Items[0] != (commerce.Item{SKU: "CANDLE-FIG", Name: "Fig & cedar candle", Quantity: 2, PriceMinor: 8900}) ||
		in.Items[1].PriceMinor != 14000 {
		t.Errorf("items = %+v", in.Items)
	}
	up, err := shop.Shopify(read(t, "shopify_orders_updated.json"))
	if err != nil {
		t.Fatal(err)
	}
	if up.ExternalID != in.ExternalID || up.Status != "shipped" || str(up.Carrier) != "Israel Post" || str(up.TrackingNumber) != "RR208811335IL" ||
		str(up.CarrierStatus) != "in_transit" || str(up.ShippedAt) != "2026-11-23T16:20:00+02:00" || up.DeliveredAt != nil {
		t.Errorf("updated = %+v", up)
	}
	for _, c := range []struct {
		body, want string
	}{
		{`{"id":1,"cancelled_at":"2026-11-22T10:00:00Z","financial_status":"paid"}`, "cancelled"},
		{`{"id":1,"financial_status":"refunded","fulfillment_status":"fulfilled"}`, "returned"},
		{`{"id":1,"financial_status":"refunded","fulfillment_status":null}`, "cancelled"},
		{`{"id":1,"financial_status":"paid","fulfillment_status":"fulfilled","fulfillments":[{"shipment_status":"delivered","created_at":"2026-11-23T10:00:00Z","updated_at":"2026-11-25T10:00:00Z"}]}`, "delivered"},
		{`{"id":1,"financial_status":"pending"}`, "placed"},
		{`{"id":1,"financial_status":"authorized"}`, "placed"},
		{`{"id":1,"financial_status":"partially_paid"}`, "paid"},
	} {
		got, err := shop.Shopify([]byte(c.body))
		if err != nil || got.Status != c.want {
			t.Errorf("%s: status %q, %v; want %q", c.body, got.Status, err, c.want)
		}
	}
	for _, bad := range []string{`{"id":0}`, `not json`, `{"id":1,"total_price":"1.234"}`} {
		if _, err := shop.Shopify([]byte(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// TestWooCommerceMapping maps the recorded order.created and order.updated
// payloads (Hebrew names, a float item price read exactly).
func TestWooCommerceMapping(t *testing.T) {
	in, err := shop.WooCommerce(read(t, "woocommerce_order_created.json"))
	if err != nil {
		t.Fatal(err)
	}
	if in.ExternalID != "woocommerce:4812" || in.Number != "4812" || in.Status != "paid" || minor(in.TotalMinor) != 25490 ||
		minor(in.ShippingMinor) != 3500 || str(in.PlacedAt) != "2026-11-23T12:10:05Z" || str(in.PromisedBy) != "2026-11-27" || in.Source != "woocommerce" {
		t.Errorf("created = %+v", in)
	}
	if in.Customer == nil || *in.Customer != (commerce.Customer{Email: "orit.bendavid@example.co.il", Name: "אורית בן דוד", Phone: "0545550177"}) {
		t.Errorf("customer = %+v", in.Customer)
	}
	if len(in.Items) != 2 || in.Items[0] != (commerce.Item{SKU: "KETTLE-2L", Name: "קומקום חשמלי", Quantity: 1, PriceMinor: 18990}) || in.Items[1].PriceMinor != 1500 {
		t.Errorf("items = %+v", in.Items)
	}
	up, err := shop.WooCommerce(read(t, "woocommerce_order_updated.json"))
	if err != nil {
		t.Fatal(err)
	}
	if up.Status != "shipped" || str(up.Carrier) != "HFD" || str(up.TrackingNumber) != "HFD-7730154" || str(up.ShippedAt) != "2026-11-25T07:44:58Z" {
		t.Errorf("updated = %+v", up)
	}
	for _, c := range []struct{ status, want string }{
		{"pending", "placed"}, {"on-hold", "placed"}, {"processing", "paid"}, {"completed", "delivered"},
		{"cancelled", "cancelled"}, {"failed", "cancelled"}, {"refunded", "returned"},
	} {
		got, err := shop.WooCommerce([]byte(`{"id":7,"status":"` + c.status + `","total":"10.00"}`))
		if err != nil || got.Status != c.want {
			t.Errorf("woo %s → %q, %v; want %q", c.status, got.Status, err, c.want)
		}
	}
	if _, err := shop.WooCommerce([]byte(`{"id":7,"status":"trash"}`)); err == nil {
		t.Error("unknown status: no error")
	}
	if !shop.IsWooCommercePing([]byte("webhook_id=12")) || shop.IsWooCommercePing([]byte(`{"id":1}`)) {
		t.Error("IsWooCommercePing")
	}
}
