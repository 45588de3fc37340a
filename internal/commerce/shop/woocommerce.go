package shop

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/kesherdesk/kesher/internal/commerce"
	"github.com/kesherdesk/kesher/internal/errs"
)

// wooOrder is the part of WooCommerce's order webhook payload (topics
// order.created, order.updated; the REST API v3 order) Kesher reads.
type wooOrder struct {
	ID               int64      `json:"id"`
	Number           string     `json:"number"`
	Status           string     `json:"status"`
	Currency         string     `json:"currency"`
	Total            flexNumber `json:"total"`
	ShippingTotal    flexNumber `json:"shipping_total"`
	CreatedVia       string     `json:"created_via"`
	DateCreatedGMT   string     `json:"date_created_gmt"`
	DateModifiedGMT  string     `json:"date_modified_gmt"`
	DateCompletedGMT *string    `json:"date_completed_gmt"`
	Billing          struct {
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
		Email     string `json:"email"`
		Phone     string `json:"phone"`
	} `json:"billing"`
	LineItems []struct {
		SKU      string     `json:"sku"`
		Name     string     `json:"name"`
		Quantity int64      `json:"quantity"`
		Price    flexNumber `json:"price"`
		Total    flexNumber `json:"total"`
	} `json:"line_items"`
	MetaData []struct {
		Key   string          `json:"key"`
		Value json.RawMessage `json:"value"`
	} `json:"meta_data"`
}

// wooStatus maps WooCommerce order statuses to Kesher's: pending, on-hold →
// placed; processing → paid; completed → shipped when the order carries a
// tracking number (the carrier reports delivery later), else delivered;
// cancelled, failed → cancelled; refunded → returned.
var wooStatus = map[string]string{
	"pending": "placed", "on-hold": "placed", "processing": "paid", "completed": "delivered",
	"cancelled": "cancelled", "failed": "cancelled", "refunded": "returned",
}

// IsWooCommercePing reports whether body is the ping WooCommerce sends when
// a webhook is created ("webhook_id=12"): answer 200, store nothing.
func IsWooCommercePing(body []byte) bool {
	return bytes.HasPrefix(bytes.TrimSpace(body), []byte("webhook_id="))
}

// wooTime reads WooCommerce's *_gmt times, which carry no zone
// ("2026-11-20T08:00:00"): they are UTC.
func wooTime(s string) *string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if !strings.HasSuffix(s, "Z") && !strings.ContainsAny(s[min(len(s), 19):], "+-") {
		s += "Z"
	}
	return &s
}

// wooUnitPrice is a line item's unit price in minor units. WooCommerce
// sends price as the line's get_total()/quantity, an unrounded PHP float
// (33.333333333333336 for 100.00 over 3), so the price comes from the
// line's total (a decimal string, exact) divided by quantity and rounded
// half-up to the currency's minor unit: total "100.00", quantity 3 →
// 3333. Without a total, price itself is rounded half-up
// (commerce.ParseAmountRounded). quantity is already checked (1 or more).
func wooUnitPrice(i int, total, price flexNumber, quantity int64, currency string) (int64, error) {
	f := "line_items[" + strconv.Itoa(i) + "]"
	if total != "" {
		t, err := amount(f+".total", total, currency)
		if err != nil {
			return 0, err
		}
		return (2**t + quantity) / (2 * quantity), nil
	}
	if price == "" {
		return 0, nil
	}
	n, err := commerce.ParseAmountRounded(string(price), currency)
	if err != nil {
		return 0, errs.Invalid(f+".price", "invalid", "%q: %v", string(price), err)
	}
	return n, nil
}

// WooCommerce maps a WooCommerce order webhook body to an order upsert:
// external_id "woocommerce:<id>", number, source "woocommerce", channel
// "store" for created_via "pos" else "web", customer from billing, status by
// wooStatus. meta_data gives the promised date (PromisedKey) and the
// tracking number and carrier ("tracking_number"/"_tracking_number",
// "tracking_provider"/"_tracking_provider"). date_completed_gmt is
// shipped_at (and delivered_at when the status maps to delivered).
// date_modified_gmt is the delivery's time: Upsert ignores one older than
// the last applied (commerce.ErrStale). Item prices: see wooUnitPrice.
// Errors: *errs.ValidationError naming the payload field.
func WooCommerce(body []byte) (commerce.UpsertInput, error) {
	var p wooOrder
	if err := decode(body, &p); err != nil {
		return commerce.UpsertInput{}, err
	}
	if p.ID <= 0 {
		return commerce.UpsertInput{}, invalid("id", "a WooCommerce order needs its id")
	}
	st, ok := wooStatus[p.Status]
	if !ok {
		return commerce.UpsertInput{}, invalid("status", "unknown WooCommerce status "+strconv.Quote(p.Status))
	}
	cur := strings.ToUpper(strings.TrimSpace(p.Currency))
	in := commerce.UpsertInput{ExternalID: "woocommerce:" + strconv.FormatInt(p.ID, 10), Source: commerce.ShopWooCommerce,
		Number: strings.TrimSpace(p.Number), Currency: cur, Channel: "web", Items: []commerce.Item{},
		Customer: customer(p.Billing.Email, p.Billing.FirstName, p.Billing.LastName, p.Billing.Phone)}
	if p.CreatedVia == "pos" {
		in.Channel = "store"
	}
	var err error
	if in.TotalMinor, err = amount("total", p.Total, cur); err != nil {
		return in, err
	}
	if in.ShippingMinor, err = amount("shipping_total", p.ShippingTotal, cur); err != nil {
		return in, err
	}
	for i, li := range p.LineItems {
		if err := quantity(i, li.Quantity); err != nil {
			return in, err
		}
		price, err := wooUnitPrice(i, li.Total, li.Price, li.Quantity, cur)
		if err != nil {
			return in, err
		}
		in.Items = append(in.Items, commerce.Item{SKU: li.SKU, Name: li.Name, Quantity: li.Quantity, PriceMinor: price})
	}
	in.PlacedAt = wooTime(p.DateCreatedGMT)
	in.SourceUpdatedAt = wooTime(p.DateModifiedGMT)
	for _, m := range p.MetaData {
		var v string
		if json.Unmarshal(m.Value, &v) != nil || strings.TrimSpace(v) == "" {
			continue
		}
		switch strings.TrimPrefix(m.Key, "_") {
		case PromisedKey:
			in.PromisedBy = strPtr(v)
		case "tracking_number":
			in.TrackingNumber = strPtr(v)
		case "tracking_provider":
			in.Carrier = strPtr(v)
		}
	}
	if st == "delivered" && in.TrackingNumber != nil {
		st = "shipped"
	}
	in.Status = st
	if p.DateCompletedGMT != nil && p.Status == "completed" {
		in.ShippedAt = wooTime(*p.DateCompletedGMT)
		if st == "delivered" {
			in.DeliveredAt = in.ShippedAt
		}
	}
	return in, nil
}
