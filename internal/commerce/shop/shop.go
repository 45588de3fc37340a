// Package shop turns Shopify and WooCommerce order webhooks into order
// upserts (commerce.UpsertInput). It is pure: signature checks and payload
// mapping only; internal/httpapi reads the body, finds the secret and calls
// commerce.Service.Upsert.
//
// Both shops sign the raw request body with HMAC-SHA256 under the webhook's
// secret and send the base64 digest: Shopify in X-Shopify-Hmac-Sha256,
// WooCommerce in X-WC-Webhook-Signature.
//
// A promised delivery date travels in a Shopify note attribute or a
// WooCommerce meta_data entry named PromisedKey ("promised_delivery_date"),
// as a date "YYYY-MM-DD" (end of that day in Asia/Jerusalem) or an RFC 3339
// time.
package shop

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/kesherdesk/kesher/internal/commerce"
	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/errs"
)

// Signature headers.
const (
	ShopifyHeader     = "X-Shopify-Hmac-Sha256"
	WooCommerceHeader = "X-WC-Webhook-Signature"
)

// PromisedKey names the note attribute (Shopify) or meta_data key
// (WooCommerce) holding the promised delivery date.
const PromisedKey = "promised_delivery_date"

// Sign returns base64(HMAC-SHA256(secret, body)), the signature both shops
// send.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Verify reports whether signature is body's signature under secret, in
// constant time. An empty secret or signature never verifies.
func Verify(secret string, body []byte, signature string) bool {
	if secret == "" || signature == "" {
		return false
	}
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(signature))
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}

// customer builds the order's customer; a phone Kesher cannot read is left
// out rather than refusing the order.
func customer(email, first, last, phone string) *commerce.Customer {
	c := &commerce.Customer{Email: strings.TrimSpace(email), Name: strings.TrimSpace(strings.TrimSpace(first) + " " + strings.TrimSpace(last))}
	if p, ok := contact.NormalizePhone(phone); ok {
		c.Phone = p
	}
	if c.Email == "" && c.Phone == "" {
		return nil
	}
	return c
}

// amount converts a shop's decimal amount (a JSON string "259.90" or a
// JSON number 259.9, read as text, never as a float) to minor units.
func amount(field string, v flexNumber, currency string) (*int64, error) {
	if v == "" {
		return nil, nil
	}
	n, err := commerce.ParseAmount(string(v), currency)
	if err != nil {
		return nil, errs.Invalid(field, "invalid", "%q: %v", string(v), err)
	}
	return &n, nil
}

// flexNumber reads a JSON string or number as its decimal text.
type flexNumber json.Number

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexNumber) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		*f = ""
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		*f = flexNumber(strings.TrimSpace(str))
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want a number: %w", err)
	}
	*f = flexNumber(n)
	return nil
}

func invalid(field, msg string) error { return errs.Invalid(field, "required", "%s", msg) }

// nonEmpty is strPtr, but nil (keep the stored value) for an empty value.
func nonEmpty(s string) *string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return strPtr(s)
}

// quantity refuses a line item quantity outside 1–commerce.MaxQuantity,
// naming the payload field.
func quantity(i int, q int64) error {
	if q < 1 || q > commerce.MaxQuantity {
		return errs.Invalid("line_items["+strconv.Itoa(i)+"].quantity", "out_of_range", "must be from 1 to %d", commerce.MaxQuantity)
	}
	return nil
}

func strPtr(s string) *string {
	s = strings.TrimSpace(s)
	return &s
}

// decode reads a webhook body; malformed JSON is a validation error on
// "body".
func decode(body []byte, dst any) error {
	if err := json.Unmarshal(body, dst); err != nil {
		return errs.Invalid("body", "malformed", "the webhook body is not the expected JSON: %v", err)
	}
	return nil
}
