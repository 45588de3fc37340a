package commerce_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/commerce"
	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/testkit"
)

func ptr[T any](v T) *T { return &v }

func setup(t *testing.T, d *db.DB) (*commerce.Service, *contact.Service) {
	t.Helper()
	o := events.NewOutbox()
	return commerce.NewService(d, o, nil), contact.NewService(d, o)
}

func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.R().QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func fieldOf(err error) string {
	var ve *errs.ValidationError
	if errors.As(err, &ve) && len(ve.Fields) > 0 {
		return ve.Fields[0].Field
	}
	return ""
}

// TestOrderUpsertIdempotent upserts the same order twice (one row, the
// second answer unchanged with the same updated_at), then changes one field.
func TestOrderUpsertIdempotent(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc, _ := setup(t, d)
		in := commerce.UpsertInput{ExternalID: "A-1001", Number: "1001", Customer: &commerce.Customer{Email: "Dana@Example.com", Name: "דנה כהן"},
			Status: "shipped", TotalMinor: ptr(int64(25900)), ShippingMinor: ptr(int64(2900)),
			Items:    []commerce.Item{{SKU: "MUG-1", Name: "ספל", Quantity: 2, PriceMinor: 11500}},
			PlacedAt: ptr("2026-11-20T08:00:00Z"), PromisedBy: ptr("2026-11-24"), Carrier: ptr("Israel Post"), TrackingNumber: ptr("RR123456789IL")}
		o1, created, err := svc.Upsert(ctx, audit.System, in)
		if err != nil || !created {
			t.Fatalf("first upsert: created %v, err %v", created, err)
		}
		// 2026-11-24 ends at 23:59:59.999 Israel time (UTC+2 in November).
		if want := time.Date(2026, 11, 24, 21, 59, 59, 999e6, time.UTC); o1.PromisedBy == nil || !o1.PromisedBy.Equal(want) {
			t.Errorf("promised_by = %v, want %v", o1.PromisedBy, want)
		}
		if o1.Currency != "ILS" || o1.Channel != "web" || o1.Source != "api" || o1.Contact.Email != "dana@example.com" || o1.Contact.Name != "דנה כהן" {
			t.Errorf("defaults/contact: %+v", o1)
		}
		time.Sleep(5 * time.Millisecond)
		o2, created, err := svc.Upsert(ctx, audit.System, in)
		if err != nil || created {
			t.Fatalf("second upsert: created %v, err %v", created, err)
		}
		if !o2.UpdatedAt.Equal(o1.UpdatedAt) || o2.ID != o1.ID {
			t.Errorf("same input changed the order: updated_at %v → %v", o1.UpdatedAt, o2.UpdatedAt)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM orders`); n != 1 {
			t.Errorf("orders = %d, want 1", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_log WHERE entity_type = 'order'`); n != 1 {
			t.Errorf("audit entries = %d, want 1", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM event_outbox WHERE topic = ?`, commerce.OrderUpdated); n != 1 {
			t.Errorf("order.updated events = %d, want 1", n)
		}
		// Only the given field changes; the rest stays.
		o3, _, err := svc.Upsert(ctx, audit.System, commerce.UpsertInput{ExternalID: "A-1001", Status: "delivered", DeliveredAt: ptr("2026-11-23T12:00:00Z")})
		if err != nil {
			t.Fatal(err)
		}
		if o3.Status != "delivered" || o3.TotalMinor != 25900 || len(o3.Items) != 1 || o3.ContactID != o1.ContactID || !o3.UpdatedAt.After(o1.UpdatedAt) {
			t.Errorf("partial update: %+v", o3)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM event_outbox WHERE topic = ?`, commerce.OrderUpdated); n != 2 {
			t.Errorf("order.updated events = %d, want 2", n)
		}
	})
}

// TestOrderValidation checks that each bad input names its field.
func TestOrderValidation(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		svc, _ := setup(t, d)
		base := func() commerce.UpsertInput {
			return commerce.UpsertInput{ExternalID: "V-1", Customer: &commerce.Customer{Email: "v@example.com"}}
		}
		for _, c := range []struct {
			name  string
			mod   func(*commerce.UpsertInput)
			field string
		}{
			{"no external id", func(in *commerce.UpsertInput) { in.ExternalID = " " }, "external_id"},
			{"status", func(in *commerce.UpsertInput) { in.Status = "lost" }, "status"},
			{"channel", func(in *commerce.UpsertInput) { in.Channel = "fax" }, "channel"},
			{"carrier status", func(in *commerce.UpsertInput) { in.CarrierStatus = ptr("stolen") }, "carrier_status"},
			{"currency lower", func(in *commerce.UpsertInput) { in.Currency = "ils" }, "currency"},
			{"currency long", func(in *commerce.UpsertInput) { in.Currency = "SHEK" }, "currency"},
			{"negative total", func(in *commerce.UpsertInput) { in.TotalMinor = ptr(int64(-1)) }, "total_minor"},
			{"negative shipping", func(in *commerce.UpsertInput) { in.ShippingMinor = ptr(int64(-5)) }, "shipping_minor"},
			{"zero quantity", func(in *commerce.UpsertInput) { in.Items = []commerce.Item{{SKU: "A", Quantity: 0}} }, "items[0].quantity"},
			{"negative price", func(in *commerce.UpsertInput) {
				in.Items = []commerce.Item{{SKU: "A", Quantity: 1}, {SKU: "B", Quantity: 1, PriceMinor: -1}}
			}, "items[1].price_minor"},
			{"window reversed", func(in *commerce.UpsertInput) { in.PromisedFrom, in.PromisedBy = ptr("2026-11-25"), ptr("2026-11-24") }, "promised_from"},
			{"bad date", func(in *commerce.UpsertInput) { in.PromisedBy = ptr("24/11/2026") }, "promised_by"},
			{"date-only placed_at", func(in *commerce.UpsertInput) { in.PlacedAt = ptr("2026-11-24") }, "placed_at"},
			{"bad email", func(in *commerce.UpsertInput) { in.Customer.Email = "not-an-address" }, "customer.email"},
			{"bad phone", func(in *commerce.UpsertInput) { in.Customer.Email, in.Customer.Phone = "", "call me" }, "customer.phone"},
			{"no customer", func(in *commerce.UpsertInput) { in.Customer = nil }, "contact_id"},
			{"unknown contact", func(in *commerce.UpsertInput) { in.Customer, in.ContactID = nil, 999 }, "contact_id"},
			// Bounds (MaxAmountMinor 1e11, MaxQuantity 1e6, years 1970–2200).
			{"total MaxInt64", func(in *commerce.UpsertInput) { in.TotalMinor = ptr(int64(math.MaxInt64)) }, "total_minor"},
			{"total over max", func(in *commerce.UpsertInput) { in.TotalMinor = ptr(int64(commerce.MaxAmountMinor + 1)) }, "total_minor"},
			{"shipping over max", func(in *commerce.UpsertInput) { in.ShippingMinor = ptr(int64(commerce.MaxAmountMinor + 1)) }, "shipping_minor"},
			{"price MaxInt64", func(in *commerce.UpsertInput) {
				in.Items = []commerce.Item{{SKU: "A", Quantity: 1, PriceMinor: math.MaxInt64}}
			}, "items[0].price_minor"},
			{"quantity MaxInt64", func(in *commerce.UpsertInput) {
				in.Items = []commerce.Item{{SKU: "A", Quantity: math.MaxInt64, PriceMinor: 1}}
			}, "items[0].quantity"},
			{"quantity over max", func(in *commerce.UpsertInput) {
				in.Items = []commerce.Item{{SKU: "A", Quantity: commerce.MaxQuantity + 1}}
			}, "items[0].quantity"},
			{"placed year 1", func(in *commerce.UpsertInput) { in.PlacedAt = ptr("0001-01-01T00:00:00Z") }, "placed_at"},
			{"placed 1969", func(in *commerce.UpsertInput) { in.PlacedAt = ptr("1969-12-31T23:59:59Z") }, "placed_at"},
			{"promised 9999", func(in *commerce.UpsertInput) { in.PromisedBy = ptr("9999-12-31") }, "promised_by"},
			{"promised 2201", func(in *commerce.UpsertInput) { in.PromisedBy = ptr("2201-01-01T00:00:00Z") }, "promised_by"},
			// Text: UTF-8, one line without control characters.
			{"number CRLF", func(in *commerce.UpsertInput) { in.Number = "1\r\nBcc: evil@example.com" }, "number"},
			{"number NUL", func(in *commerce.UpsertInput) { in.Number = "1\x00" }, "number"},
			{"number bad UTF-8", func(in *commerce.UpsertInput) { in.Number = "\xff\xfe" }, "number"},
			{"external id LF", func(in *commerce.UpsertInput) { in.ExternalID = "A\nB" }, "external_id"},
			{"carrier CR", func(in *commerce.UpsertInput) { in.Carrier = ptr("HFD\rX") }, "carrier"},
			{"tracking LF", func(in *commerce.UpsertInput) { in.TrackingNumber = ptr("RR1\nRR2") }, "tracking_number"},
			{"customer name LF", func(in *commerce.UpsertInput) { in.Customer.Name = "Dana\nCohen" }, "customer.name"},
			{"item name tab", func(in *commerce.UpsertInput) { in.Items = []commerce.Item{{SKU: "A", Name: "a\tb", Quantity: 1}} }, "items[0].name"},
		} {
			in := base()
			c.mod(&in)
			_, _, err := svc.Upsert(context.Background(), audit.System, in)
			if got := fieldOf(err); got != c.field {
				t.Errorf("%s: field %q (err %v), want %q", c.name, got, err, c.field)
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM orders`); n != 0 {
			t.Errorf("orders = %d after invalid input, want 0", n)
		}
	})
}

// TestOrderContactMatching matches customers by email like the email
// channel: case-insensitive, "+tag" resolves to the bare address; a new
// address creates a contact.
func TestOrderContactMatching(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc, contacts := setup(t, d)
		dana, err := contacts.Create(ctx, audit.System, contact.Input{Name: "Dana", Emails: []string{"dana@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range []struct {
			email   string
			same    bool
			newName string
		}{
			{"dana@example.com", true, ""},
			{"DANA@Example.COM", true, ""},
			{"dana+orders@example.com", true, ""},
			{"Dana+Shop@EXAMPLE.com", true, ""},
			{"yossi@example.com", false, "Yossi"},
		} {
			o, _, err := svc.Upsert(ctx, audit.System, commerce.UpsertInput{ExternalID: "M-" + string(rune('a'+i)),
				Customer: &commerce.Customer{Email: c.email, Name: c.newName}})
			if err != nil {
				t.Fatal(err)
			}
			if (o.ContactID == dana.ID) != c.same {
				t.Errorf("%s: contact %d, dana is %d, want same=%v", c.email, o.ContactID, dana.ID, c.same)
			}
			if !c.same && o.Contact.Name != c.newName {
				t.Errorf("%s: new contact name %q", c.email, o.Contact.Name)
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM contacts`); n != 2 {
			t.Errorf("contacts = %d, want 2", n)
		}
		// contact_id wins and must exist.
		o, _, err := svc.Upsert(ctx, audit.System, commerce.UpsertInput{ExternalID: "M-id", ContactID: dana.ID})
		if err != nil || o.ContactID != dana.ID {
			t.Fatalf("by contact_id: %v %v", o.ContactID, err)
		}
	})
}

// TestOrderCarrierStatus appends carrier events and applies delivery.
func TestOrderCarrierStatus(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc, _ := setup(t, d)
		created, _, err := svc.Upsert(ctx, audit.System, commerce.UpsertInput{ExternalID: "C-1", Status: "paid", Customer: &commerce.Customer{Email: "c@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		o := commerce.OrderDetail{Order: created}
		o, err = svc.CarrierStatus(ctx, audit.System, o.ID, commerce.CarrierInput{Status: "in_transit", At: ptr("2026-11-21T10:00:00Z")})
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != "shipped" || o.ShippedAt == nil || !o.ShippedAt.Equal(time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)) {
			t.Errorf("after in_transit: status %s shipped_at %v", o.Status, o.ShippedAt)
		}
		o, err = svc.CarrierStatus(ctx, audit.System, o.ID, commerce.CarrierInput{Status: "delayed", Detail: "עיכוב במיון", ETA: ptr("2026-11-30T16:00:00Z")})
		if err != nil {
			t.Fatal(err)
		}
		if o.CarrierStatus != "delayed" || o.CarrierETA == nil || !o.CarrierETA.Equal(time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC)) || o.Status != "shipped" {
			t.Errorf("after delayed: %+v", o)
		}
		o, err = svc.CarrierStatus(ctx, audit.System, o.ID, commerce.CarrierInput{Status: "delivered", At: ptr("2026-11-29T09:30:00Z")})
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != "delivered" || o.DeliveredAt == nil || !o.DeliveredAt.Equal(time.Date(2026, 11, 29, 9, 30, 0, 0, time.UTC)) {
			t.Errorf("after delivered: status %s delivered_at %v", o.Status, o.DeliveredAt)
		}
		if len(o.Events) != 3 || o.Events[0].Status != "in_transit" || o.Events[1].Detail != "עיכוב במיון" || o.Events[2].Status != "delivered" {
			t.Errorf("events = %+v", o.Events)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM event_outbox WHERE topic = ?`, commerce.OrderUpdated); n != 4 {
			t.Errorf("order.updated events = %d, want 4", n)
		}
		if _, err := svc.CarrierStatus(ctx, audit.System, o.ID, commerce.CarrierInput{Status: "lost"}); fieldOf(err) != "status" {
			t.Errorf("bad status: %v", err)
		}
		if _, err := svc.CarrierStatus(ctx, audit.System, 9999, commerce.CarrierInput{Status: "delayed"}); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("missing order: %v", err)
		}
	})
}

// TestOrderList filters and pages newest placed first.
func TestOrderList(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc, _ := setup(t, d)
		for i, st := range []string{"placed", "shipped", "delivered"} {
			if _, _, err := svc.Upsert(ctx, audit.System, commerce.UpsertInput{ExternalID: "L-" + st, Status: st,
				PlacedAt: ptr(time.Date(2026, 11, 10+i, 8, 0, 0, 0, time.UTC).Format(time.RFC3339)), Customer: &commerce.Customer{Email: "l@example.com"}}); err != nil {
				t.Fatal(err)
			}
		}
		p1, err := svc.List(ctx, commerce.ListParams{Limit: 2})
		if err != nil || len(p1.Data) != 2 || p1.Data[0].ExternalID != "L-delivered" || p1.NextCursor == nil {
			t.Fatalf("page 1: %+v %v", p1, err)
		}
		p2, err := svc.List(ctx, commerce.ListParams{Limit: 2, Cursor: *p1.NextCursor})
		if err != nil || len(p2.Data) != 1 || p2.Data[0].ExternalID != "L-placed" || p2.NextCursor != nil {
			t.Fatalf("page 2: %+v %v", p2, err)
		}
		f, err := svc.List(ctx, commerce.ListParams{Status: "shipped"})
		if err != nil || len(f.Data) != 1 || f.Data[0].ExternalID != "L-shipped" {
			t.Fatalf("status filter: %+v %v", f, err)
		}
		if _, err := svc.List(ctx, commerce.ListParams{Lateness: "very"}); fieldOf(err) != "lateness" {
			t.Errorf("bad lateness: %v", err)
		}
	})
}

// TestParseAmount converts decimal strings exactly.
func TestParseAmount(t *testing.T) {
	for _, c := range []struct {
		in, cur string
		want    int64
		ok      bool
	}{
		{"259.90", "ILS", 25990, true}, {"259.9", "ILS", 25990, true}, {"12", "ILS", 1200, true}, {".5", "USD", 50, true},
		{"0.10", "ILS", 10, true}, {"10.500", "ILS", 1050, true}, {"1000", "JPY", 1000, true}, {"1.234", "KWD", 1234, true},
		{"0.29", "ILS", 29, true}, // 0.29 is not exact as a float
		{"1.001", "ILS", 0, false}, {"-3", "ILS", 0, false}, {"1,5", "ILS", 0, false}, {"", "ILS", 0, false}, {"1e3", "ILS", 0, false},
		{"99999999999999999999", "ILS", 0, false},
		{".", "ILS", 0, false}, {" . ", "ILS", 0, false}, {"1.2.3", "ILS", 0, false},
		{"1000000000.00", "ILS", commerce.MaxAmountMinor, true}, {"1000000000.01", "ILS", 0, false},
		{"100000000000", "JPY", commerce.MaxAmountMinor, true}, {"100000000001", "JPY", 0, false},
	} {
		got, err := commerce.ParseAmount(c.in, c.cur)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseAmount(%q, %s) = %d, %v; want %d ok=%v", c.in, c.cur, got, err, c.want, c.ok)
		}
	}
}

// TestParseTimeDates: a date means the start or end of that day in
// Asia/Jerusalem (UTC+3 in summer, UTC+2 in winter).
func TestParseTimeDates(t *testing.T) {
	for _, c := range []struct {
		in   string
		edge int
		want time.Time
	}{
		{"2026-07-01", 1, time.Date(2026, 7, 1, 20, 59, 59, 999e6, time.UTC)},
		{"2026-07-01", -1, time.Date(2026, 6, 30, 21, 0, 0, 0, time.UTC)},
		{"2026-12-01", 1, time.Date(2026, 12, 1, 21, 59, 59, 999e6, time.UTC)},
		{"2026-12-01T10:00:00+02:00", 1, time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)},
	} {
		got, err := commerce.ParseTime(c.in, c.edge)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("ParseTime(%q, %d) = %v, %v; want %v", c.in, c.edge, got, err, c.want)
		}
	}
	if _, err := commerce.ParseTime("2026-12-01", 0); err == nil || !strings.Contains(err.Error(), "RFC 3339") {
		t.Errorf("date without edge: %v", err)
	}
	// Years 1970–2200 only, as written.
	for _, c := range []struct {
		in   string
		edge int
		ok   bool
	}{
		{"1970-01-01", -1, true}, {"1970-01-01T00:00:00Z", 0, true}, {"2200-12-31", 1, true}, {"2200-12-31T23:59:59Z", 0, true},
		{"0001-01-01", 1, false}, {"0001-01-01T00:00:00Z", 0, false}, {"9999-12-31", 1, false}, {"9999-12-31T23:59:59Z", 0, false},
		{"1969-12-31", 1, false}, {"2201-01-01", -1, false},
	} {
		_, err := commerce.ParseTime(c.in, c.edge)
		if (err == nil) != c.ok || (err != nil && !strings.Contains(err.Error(), "1970 to 2200")) {
			t.Errorf("ParseTime(%q, %d): %v, want ok=%v", c.in, c.edge, err, c.ok)
		}
	}
}

// TestParseAmountRounded: extra decimals round half-up to the minor unit.
func TestParseAmountRounded(t *testing.T) {
	for _, c := range []struct {
		in, cur string
		want    int64
		ok      bool
	}{
		{"33.333333333333336", "ILS", 3333, true}, {"66.66666666666667", "ILS", 6667, true}, {"0.125", "ILS", 13, true},
		{"0.124999", "ILS", 12, true}, {"259.90", "ILS", 25990, true}, {"0.5", "JPY", 1, true}, {"1.2345", "KWD", 1235, true},
		{"999999999.995", "ILS", commerce.MaxAmountMinor, true}, {"1000000000.005", "ILS", 0, false},
		{"1.23x", "ILS", 0, false}, {".", "ILS", 0, false}, {"-1.005", "ILS", 0, false},
	} {
		got, err := commerce.ParseAmountRounded(c.in, c.cur)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseAmountRounded(%q, %s) = %d, %v; want %d ok=%v", c.in, c.cur, got, err, c.want, c.ok)
		}
	}
}

// TestOrderStaleDelivery: a shop delivery older than the last one applied
// to the order changes nothing (ErrStale); an equal or newer one applies;
// a newer one that changes nothing else still moves the mark, so an older
// one after it stays refused.
func TestOrderStaleDelivery(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc, _ := setup(t, d)
		in := func(status, at string) commerce.UpsertInput {
			return commerce.UpsertInput{ExternalID: "shopify:1", Source: "shopify", Status: status,
				Customer: &commerce.Customer{Email: "s@example.com"}, SourceUpdatedAt: ptr(at)}
		}
		o, _, err := svc.Upsert(ctx, audit.System, in("paid", "2026-11-24T10:00:00Z"))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Upsert(ctx, audit.System, in("placed", "2026-11-24T09:59:59Z")); !errors.Is(err, commerce.ErrStale) {
			t.Fatalf("older delivery: %v, want ErrStale", err)
		}
		if _, _, err := svc.Upsert(ctx, audit.System, in("paid", "2026-11-24T10:00:00Z")); err != nil {
			t.Fatalf("redelivery of the same version: %v", err)
		}
		if _, _, err := svc.Upsert(ctx, audit.System, in("paid", "2026-11-24T12:00:00+02:00")); err != nil {
			t.Fatalf("same instant in another zone: %v", err)
		}
		if _, _, err := svc.Upsert(ctx, audit.System, in("paid", "2026-11-24T11:00:00Z")); err != nil {
			t.Fatalf("newer delivery, no change: %v", err)
		}
		if _, _, err := svc.Upsert(ctx, audit.System, in("placed", "2026-11-24T10:30:00Z")); !errors.Is(err, commerce.ErrStale) {
			t.Fatalf("delivery older than the newer mark: %v, want ErrStale", err)
		}
		got, err := svc.Get(ctx, o.ID)
		if err != nil || got.Status != "paid" || !got.UpdatedAt.Equal(o.UpdatedAt) {
			t.Errorf("order = %+v, %v; want paid and unchanged", got.Order, err)
		}
		shipped, _, err := svc.Upsert(ctx, audit.System, in("shipped", "2026-11-25T08:00:00Z"))
		if err != nil || shipped.Status != "shipped" {
			t.Errorf("newer delivery: %+v, %v", shipped, err)
		}
		// API writes (no shop time) are never stale.
		api := commerce.UpsertInput{ExternalID: "shopify:1", Status: "delivered"}
		if o, _, err := svc.Upsert(ctx, audit.System, api); err != nil || o.Status != "delivered" {
			t.Errorf("API write: %+v, %v", o, err)
		}
	})
}

// TestOrderUpsertConcurrent: shops deliver orders/create and
// orders/updated together; concurrent upserts of one new order by a new
// customer store one order and one contact.
func TestOrderUpsertConcurrent(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		svc, _ := setup(t, d)
		const n = 4
		errc := make(chan error, n)
		for i := range n {
			go func() {
				_, _, err := svc.Upsert(context.Background(), audit.System, commerce.UpsertInput{ExternalID: "R-1", Status: "paid",
					TotalMinor: ptr(int64(1000 + i%2)), Customer: &commerce.Customer{Email: "race@example.com", Name: "Race"}})
				errc <- err
			}()
		}
		for range n {
			if err := <-errc; err != nil {
				t.Error(err)
			}
		}
		if o, c := count(t, d, `SELECT COUNT(*) FROM orders`), count(t, d, `SELECT COUNT(*) FROM contacts`); o != 1 || c != 1 {
			t.Errorf("orders %d, contacts %d; want 1 and 1", o, c)
		}
	})
}
