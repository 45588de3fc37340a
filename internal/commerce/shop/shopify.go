package shop

import (
	"strconv"
	"strings"

	"github.com/kesherdesk/kesher/internal/commerce"
)

// shopifyOrder is the part of Shopify's order webhook payload (topics
// orders/create, orders/updated, orders/paid, orders/fulfilled,
// orders/cancelled) Kesher reads.
type shopifyOrder struct {
	ID                    int64      `json:"id"`
	Name                  string     `json:"name"`
	OrderNumber           int64      `json:"order_number"`
	Email                 string     `json:"email"`
	Phone                 string     `json:"phone"`
	Currency              string     `json:"currency"`
	TotalPrice            flexNumber `json:"total_price"`
	TotalShippingPriceSet struct {
		ShopMoney struct {
			Amount flexNumber `json:"amount"`
		} `json:"shop_money"`
	} `json:"total_shipping_price_set"`
	FinancialStatus   string  `json:"financial_status"`
	FulfillmentStatus *string `json:"fulfillment_status"`
	CancelledAt       *string `json:"cancelled_at"`
	CreatedAt         string  `json:"created_at"`
	UpdatedAt         string  `json:"updated_at"`
	SourceName        string  `json:"source_name"`
	Customer          *struct {
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
		Email     string `json:"email"`
		Phone     string `json:"phone"`
	} `json:"customer"`
	LineItems []struct {
		SKU      string     `json:"sku"`
		Title    string     `json:"title"`
		Quantity int64      `json:"quantity"`
		Price    flexNumber `json:"price"`
	} `json:"line_items"`
	NoteAttributes []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"note_attributes"`
	Fulfillments []struct {
		TrackingCompany string  `json:"tracking_company"`
		TrackingNumber  string  `json:"tracking_number"`
		ShipmentStatus  *string `json:"shipment_status"`
		CreatedAt       string  `json:"created_at"`
		UpdatedAt       string  `json:"updated_at"`
	} `json:"fulfillments"`
}

// shopifyCarrier maps a fulfillment's shipment_status to Kesher's carrier
// status: label_printed, label_purchased, confirmed, in_transit →
// in_transit; ready_for_pickup, out_for_delivery → out_for_delivery;
// attempted_delivery, delayed → delayed; failure → exception; delivered →
// delivered. Unknown or null → no carrier news: the stored carrier status
// is kept.
var shopifyCarrier = map[string]string{
	"label_printed": "in_transit", "label_purchased": "in_transit", "confirmed": "in_transit", "in_transit": "in_transit",
	"ready_for_pickup": "out_for_delivery", "out_for_delivery": "out_for_delivery",
	"attempted_delivery": "delayed", "delayed": "delayed", "failure": "exception", "delivered": "delivered",
}

// Shopify maps a Shopify order webhook body to an order upsert:
// external_id "shopify:<id>", number order_number (else name without "#"),
// source "shopify", channel "store" for source_name "pos" else "web".
//
// Status: cancelled_at set → cancelled; financial_status refunded →
// returned when fulfilled, else cancelled; the last fulfillment's
// shipment_status delivered → delivered; fulfillment_status fulfilled or
// partial → shipped; financial_status paid, partially_paid or
// partially_refunded → paid; else (pending, authorized) placed.
//
// The last fulfillment gives carrier (tracking_company), tracking_number,
// carrier_status (see shopifyCarrier) and shipped_at (its created_at;
// delivered_at is its updated_at once delivered); a field the payload
// leaves null or empty keeps the stored value. The order's updated_at is
// the delivery's time: Upsert ignores one older than the last applied
// (commerce.ErrStale). Errors: *errs.ValidationError naming the payload
// field.
func Shopify(body []byte) (commerce.UpsertInput, error) {
	var p shopifyOrder
	if err := decode(body, &p); err != nil {
		return commerce.UpsertInput{}, err
	}
	if p.ID <= 0 {
		return commerce.UpsertInput{}, invalid("id", "a Shopify order needs its id")
	}
	cur := strings.ToUpper(strings.TrimSpace(p.Currency))
	in := commerce.UpsertInput{ExternalID: "shopify:" + strconv.FormatInt(p.ID, 10), Source: commerce.ShopShopify,
		Number: strings.TrimPrefix(strings.TrimSpace(p.Name), "#"), Currency: cur, Channel: "web", Items: []commerce.Item{}}
	if p.OrderNumber > 0 {
		in.Number = strconv.FormatInt(p.OrderNumber, 10)
	}
	if p.SourceName == "pos" {
		in.Channel = "store"
	}
	email, first, last, phone := p.Email, "", "", p.Phone
	if c := p.Customer; c != nil {
		first, last = c.FirstName, c.LastName
		if email == "" {
			email = c.Email
		}
		if phone == "" {
			phone = c.Phone
		}
	}
	in.Customer = customer(email, first, last, phone)
	var err error
	if in.TotalMinor, err = amount("total_price", p.TotalPrice, cur); err != nil {
		return in, err
	}
	if in.ShippingMinor, err = amount("total_shipping_price_set.shop_money.amount", p.TotalShippingPriceSet.ShopMoney.Amount, cur); err != nil {
		return in, err
	}
	for i, li := range p.LineItems {
		if err := quantity(i, li.Quantity); err != nil {
			return in, err
		}
		price, err := amount("line_items["+strconv.Itoa(i)+"].price", li.Price, cur)
		if err != nil {
			return in, err
		}
		it := commerce.Item{SKU: li.SKU, Name: li.Title, Quantity: li.Quantity}
		if price != nil {
			it.PriceMinor = *price
		}
		in.Items = append(in.Items, it)
	}
	if p.CreatedAt != "" {
		in.PlacedAt = strPtr(p.CreatedAt)
	}
	if p.UpdatedAt != "" {
		in.SourceUpdatedAt = strPtr(p.UpdatedAt)
	}
	for _, a := range p.NoteAttributes {
		if a.Name == PromisedKey && strings.TrimSpace(a.Value) != "" {
			in.PromisedBy = strPtr(a.Value)
		}
	}
	fulfilled := p.FulfillmentStatus != nil && (*p.FulfillmentStatus == "fulfilled" || *p.FulfillmentStatus == "partial")
	carrier := ""
	if n := len(p.Fulfillments); n > 0 {
		f := p.Fulfillments[n-1]
		in.Carrier, in.TrackingNumber = nonEmpty(f.TrackingCompany), nonEmpty(f.TrackingNumber)
		if f.ShipmentStatus != nil {
			carrier = shopifyCarrier[*f.ShipmentStatus]
		}
		if carrier != "" {
			in.CarrierStatus = &carrier
		}
		if f.CreatedAt != "" {
			in.ShippedAt = strPtr(f.CreatedAt)
		}
		if carrier == "delivered" && f.UpdatedAt != "" {
			in.DeliveredAt = strPtr(f.UpdatedAt)
		}
	}
	switch {
	case p.CancelledAt != nil && *p.CancelledAt != "":
		in.Status = "cancelled"
	case p.FinancialStatus == "refunded" && fulfilled:
		in.Status = "returned"
	case p.FinancialStatus == "refunded" || p.FinancialStatus == "voided":
		in.Status = "cancelled"
	case carrier == "delivered":
		in.Status = "delivered"
	case fulfilled:
		in.Status = "shipped"
	case p.FinancialStatus == "paid" || p.FinancialStatus == "partially_paid" || p.FinancialStatus == "partially_refunded":
		in.Status = "paid"
	default:
		in.Status = "placed"
	}
	return in, nil
}
