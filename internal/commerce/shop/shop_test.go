package shop_test

import (
	"errors"
	"os"
	"testing"

	"github.com/kesherdesk/kesher/internal/commerce"
	"github.com/kesherdesk/kesher/internal/commerce/shop"
	"github.com/kesherdesk/kesher/internal/errs"
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

// TestWooCommerceUnroundedPrice: WooCommerce sends line_items[].price as
// get_total()/quantity, an unrounded float; the unit price comes from the
// exact line total over quantity, rounded half-up (recorded-style payload).
func TestWooCommerceUnroundedPrice(t *testing.T) {
	body := `{"id": 4901, "number": "4901", "status": "processing", "currency": "ILS", "total": "100.00",
		"date_modified_gmt": "2026-11-25T07:45:00",
		"line_items": [
			{"id": 77, "name": "Tea towel", "sku": "TOWEL-3", "quantity": 3, "subtotal": "100.00", "total": "100.00", "price": 33.333333333333336},
			{"id": 78, "name": "Cup", "sku": "CUP", "quantity": 3, "total": "200.00", "price": 66.66666666666667},
			{"id": 79, "name": "Spoon", "sku": "SPOON", "quantity": 8, "total": "1.00", "price": 0.125},
			{"id": 80, "name": "No total", "sku": "NT", "quantity": 2, "price": 0.125}
		]}`
	in, err := shop.WooCommerce([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, it := range in.Items {
		got = append(got, it.PriceMinor)
	}
	// 10000/3 = 3333.33 → 3333; 20000/3 = 6666.67 → 6667; 100/8 = 12.5 → 13; 0.125 → 13.
	if len(got) != 4 || got[0] != 3333 || got[1] != 6667 || got[2] != 13 || got[3] != 13 {
		t.Errorf("prices = %v, want [3333 6667 13 13]", got)
	}
	if str(in.SourceUpdatedAt) != "2026-11-25T07:45:00Z" {
		t.Errorf("source updated at = %s", str(in.SourceUpdatedAt))
	}
	for _, c := range []struct{ body, field string }{
		{`{"id":7,"status":"processing","line_items":[{"sku":"A","quantity":1,"total":"1.001"}]}`, "line_items[0].total"},
		{`{"id":7,"status":"processing","line_items":[{"sku":"A","quantity":0,"total":"1"}]}`, "line_items[0].quantity"},
		{`{"id":7,"status":"processing","line_items":[{"sku":"A","quantity":9223372036854775807,"total":"1"}]}`, "line_items[0].quantity"},
		{`{"id":7,"status":"processing","line_items":[{"sku":"A","quantity":1,"price":"x"}]}`, "line_items[0].price"},
		{`{"id":7,"status":"processing","total":"92233720368547758.07"}`, "total"},
	} {
		if _, err := shop.WooCommerce([]byte(c.body)); fieldOf(err) != c.field {
			t.Errorf("%s: %v, want field %s", c.body, err, c.field)
		}
	}
}

// TestShopifyKeepsUnstatedCarrierFields: a fulfillment whose
// shipment_status is null (or unknown) and whose tracking fields are empty
// states no carrier news: the input leaves them nil (keep the stored
// values). updated_at is the delivery's time.
func TestShopifyKeepsUnstatedCarrierFields(t *testing.T) {
	for _, body := range []string{
		`{"id":1,"updated_at":"2026-11-25T10:00:00Z","fulfillment_status":"fulfilled","fulfillments":[{"shipment_status":null,"tracking_company":null,"tracking_number":"","created_at":"2026-11-23T10:00:00Z"}]}`,
		`{"id":1,"updated_at":"2026-11-25T10:00:00Z","fulfillment_status":"fulfilled","fulfillments":[{"shipment_status":"teleported","created_at":"2026-11-23T10:00:00Z"}]}`,
	} {
		in, err := shop.Shopify([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if in.CarrierStatus != nil || in.Carrier != nil || in.TrackingNumber != nil || in.Status != "shipped" ||
			str(in.ShippedAt) != "2026-11-23T10:00:00Z" || str(in.SourceUpdatedAt) != "2026-11-25T10:00:00Z" {
			t.Errorf("%s: carrier %s/%s/%s status %s shipped %s source %s", body, str(in.CarrierStatus), str(in.Carrier),
				str(in.TrackingNumber), in.Status, str(in.ShippedAt), str(in.SourceUpdatedAt))
		}
	}
	bad := `{"id":1,"line_items":[{"sku":"A","quantity":1000001,"price":"1"}]}`
	if _, err := shop.Shopify([]byte(bad)); fieldOf(err) != "line_items[0].quantity" {
		t.Errorf("quantity over max: %v", err)
	}
}

func fieldOf(err error) string {
	var ve *errs.ValidationError
	if errors.As(err, &ve) && len(ve.Fields) > 0 {
		return ve.Fields[0].Field
	}
	return ""
}
