package commerce

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kesherdesk/kesher/internal/commerce/compensation"
	"github.com/kesherdesk/kesher/internal/errs"
)

// Order statuses, channels and carrier statuses (docs/commerce.md).
var (
	Statuses        = []string{"placed", "paid", "shipped", "delivered", "cancelled", "returned"}
	Channels        = []string{"web", "phone", "store"}
	CarrierStatuses = []string{"", "in_transit", "out_for_delivery", "delayed", "exception", "delivered", "returned"}
)

// OrderUpdated is the event topic of every order write (create, update,
// carrier status); its payload is {"order_id": N}. The lateness detector
// subscribes to it to re-evaluate the order at once.
const OrderUpdated = "order.updated"

// Limits on order input.
const (
	MaxExternalID = 200
	MaxText       = 200 // number, carrier, tracking number, sku, item name
	MaxItems      = 500
	MaxDetail     = 2000
	// MaxAmountMinor bounds every amount of an order (total_minor,
	// shipping_minor, an item's price_minor), in minor units: the one
	// bound of all commerce money, compensation.MaxAmountMinor
	// (100,000,000,000, ₪1,000,000,000.00). Sums over up to 92 million
	// such amounts fit in int64.
	MaxAmountMinor = compensation.MaxAmountMinor
	// MaxQuantity bounds an item's quantity.
	MaxQuantity = 1_000_000
	// MinYear and MaxYear bound the years of every order time (placed_at,
	// promised_from, promised_by, shipped_at, delivered_at, carrier_eta,
	// a carrier update's eta and at), inclusive.
	MinYear = 1970
	MaxYear = 2200
	// DefaultCurrency is used when an order names none.
	DefaultCurrency = "ILS"
	// Zone is the business calendar's zone: a date-only promise
	// ("2026-11-24") means the end (promised_by) or start (promised_from)
	// of that day here.
	Zone = "Asia/Jerusalem"
)

var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

// Item is one order line. PriceMinor is the unit price in minor units of
// the order's currency.
type Item struct {
	SKU        string `json:"sku"`
	Name       string `json:"name"`
	Quantity   int64  `json:"quantity"`
	PriceMinor int64  `json:"price_minor"`
}

// ContactRef is the order's customer as the order JSON shows it.
type ContactRef struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Order is a shop order (docs/commerce.md "Orders"). Money is int64 minor
// units of Currency; times are UTC. Lateness, DaysLate, LateSince and
// ConversationID are set by the late-delivery detector only.
type Order struct {
	ID             int64      `json:"id"`
	ExternalID     string     `json:"external_id"`
	Source         string     `json:"source"`
	Number         string     `json:"number"`
	ContactID      int64      `json:"contact_id"`
	Contact        ContactRef `json:"contact"`
	Status         string     `json:"status"`
	Currency       string     `json:"currency"`
	TotalMinor     int64      `json:"total_minor"`
	ShippingMinor  int64      `json:"shipping_minor"`
	Items          []Item     `json:"items"`
	Channel        string     `json:"channel"`
	PlacedAt       time.Time  `json:"placed_at"`
	PromisedFrom   *time.Time `json:"promised_from"`
	PromisedBy     *time.Time `json:"promised_by"`
	ShippedAt      *time.Time `json:"shipped_at"`
	DeliveredAt    *time.Time `json:"delivered_at"`
	Carrier        string     `json:"carrier"`
	TrackingNumber string     `json:"tracking_number"`
	CarrierStatus  string     `json:"carrier_status"`
	CarrierETA     *time.Time `json:"carrier_eta"`
	Lateness       string     `json:"lateness"`
	DaysLate       int64      `json:"days_late"`
	LateSince      *time.Time `json:"late_since"`
	ConversationID *int64     `json:"conversation_id"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	// SourceUpdatedAt is the shop's updated_at of the last webhook delivery
	// applied (nil for API and CSV orders); not shown.
	SourceUpdatedAt *time.Time `json:"-"`
}

// OrderDetail is an order with its history (carrier updates), oldest first.
type OrderDetail struct {
	Order
	Events []Event `json:"events"`
}

// Event is one entry of an order's history: Kind "carrier" for a carrier
// status update (Status is the carrier status, ETA its estimate).
type Event struct {
	ID        int64      `json:"id"`
	Kind      string     `json:"kind"`
	Status    string     `json:"status"`
	Detail    string     `json:"detail"`
	ETA       *time.Time `json:"eta"`
	At        time.Time  `json:"at"`
	CreatedAt time.Time  `json:"created_at"`
}

// Customer names an order's customer when no contact_id is given: matched
// to an existing contact by email (case-insensitive, "+tag" aware, like
// email senders) or phone, created when new.
type Customer struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// UpsertInput creates or updates the order with ExternalID. On update a
// field left out (empty string, nil pointer, nil Items) keeps its stored
// value; Source counts only when the order is created. Times are RFC 3339, or for promised_from/promised_by also a date
// "YYYY-MM-DD" (start/end of that day in Asia/Jerusalem). Amounts are minor
// units.
type UpsertInput struct {
	ExternalID     string    `json:"external_id"`
	Source         string    `json:"source"`
	Number         string    `json:"number"`
	ContactID      int64     `json:"contact_id"`
	Customer       *Customer `json:"customer"`
	Status         string    `json:"status"`
	Currency       string    `json:"currency"`
	TotalMinor     *int64    `json:"total_minor"`
	ShippingMinor  *int64    `json:"shipping_minor"`
	Items          []Item    `json:"items"`
	Channel        string    `json:"channel"`
	PlacedAt       *string   `json:"placed_at"`
	PromisedFrom   *string   `json:"promised_from"`
	PromisedBy     *string   `json:"promised_by"`
	ShippedAt      *string   `json:"shipped_at"`
	DeliveredAt    *string   `json:"delivered_at"`
	Carrier        *string   `json:"carrier"`
	TrackingNumber *string   `json:"tracking_number"`
	CarrierStatus  *string   `json:"carrier_status"`
	CarrierETA     *string   `json:"carrier_eta"`
	// SourceUpdatedAt is the shop's own last-modified time of this version
	// of the order (RFC 3339), set by the shop webhook mappings only: a
	// delivery older than the last one applied is refused with ErrStale.
	SourceUpdatedAt *string `json:"-"`
}

// ErrStale is returned by Upsert for a shop delivery whose SourceUpdatedAt
// is older than the last one applied to the order: nothing is written.
var ErrStale = errors.New("commerce: the delivery is older than the order's last update from the shop")

// times are the parsed instants of an UpsertInput; set reports which were
// given (an empty string given clears the value).
type times struct {
	placed, from, by, shipped, delivered, eta *time.Time
	source                                    *time.Time
	set                                       map[string]bool
}

// check validates in and parses its times. Field names are the JSON ones.
func (in *UpsertInput) check() (times, error) {
	var c errs.Checker
	in.ExternalID = strings.TrimSpace(in.ExternalID)
	c.Check(in.ExternalID != "", "external_id", "required", "an order needs its external_id (the shop's order id)")
	c.MaxLen("external_id", in.ExternalID, MaxExternalID)
	c.MaxLen("source", in.Source, 40)
	c.MaxLen("number", in.Number, MaxText)
	if in.Status != "" {
		c.OneOf("status", in.Status, Statuses...)
	}
	if in.Channel != "" {
		c.OneOf("channel", in.Channel, Channels...)
	}
	if in.CarrierStatus != nil {
		c.OneOf("carrier_status", *in.CarrierStatus, CarrierStatuses...)
	}
	if in.Currency != "" {
		c.Check(currencyRE.MatchString(in.Currency), "currency", "invalid", "must be an ISO 4217 code of 3 upper-case letters, like ILS")
	}
	for _, f := range []struct {
		name string
		v    *int64
	}{{"total_minor", in.TotalMinor}, {"shipping_minor", in.ShippingMinor}} {
		c.Check(f.v == nil || (*f.v >= 0 && *f.v <= MaxAmountMinor), f.name, "out_of_range",
			"must be an amount in minor units from 0 to %d", int64(MaxAmountMinor))
	}
	checkLines(&c, in)
	if in.Carrier != nil {
		c.MaxLen("carrier", *in.Carrier, MaxText)
	}
	if in.TrackingNumber != nil {
		c.MaxLen("tracking_number", *in.TrackingNumber, MaxText)
	}
	c.Check(len(in.Items) <= MaxItems, "items", "too_long", "at most %d items", MaxItems)
	for i, it := range in.Items {
		f := "items[" + strconv.Itoa(i) + "]"
		c.Check(it.Quantity > 0 && it.Quantity <= MaxQuantity, f+".quantity", "out_of_range", "must be from 1 to %d", MaxQuantity)
		c.Check(it.PriceMinor >= 0 && it.PriceMinor <= MaxAmountMinor, f+".price_minor", "out_of_range",
			"must be an amount in minor units from 0 to %d", int64(MaxAmountMinor))
		c.Check(strings.TrimSpace(it.SKU) != "" || strings.TrimSpace(it.Name) != "", f+".name", "required", "an item needs a sku or a name")
		c.MaxLen(f+".sku", it.SKU, MaxText)
		c.MaxLen(f+".name", it.Name, MaxText)
	}
	if in.Customer != nil && in.ContactID == 0 {
		c.Check(in.Customer.Email != "" || in.Customer.Phone != "", "customer.email", "required", "give the customer's email or phone")
	}
	t := times{set: map[string]bool{}}
	parse := func(field string, v *string, dateEnd int) *time.Time {
		if v == nil {
			return nil
		}
		t.set[field] = true
		if *v == "" {
			return nil
		}
		ts, err := ParseTime(*v, dateEnd)
		if err != nil {
			c.Add(field, "invalid", "%s", err.Error())
			return nil
		}
		return &ts
	}
	t.placed = parse("placed_at", in.PlacedAt, 0)
	t.from = parse("promised_from", in.PromisedFrom, -1)
	t.by = parse("promised_by", in.PromisedBy, 1)
	t.shipped = parse("shipped_at", in.ShippedAt, 0)
	t.delivered = parse("delivered_at", in.DeliveredAt, 0)
	t.eta = parse("carrier_eta", in.CarrierETA, 0)
	t.source = parse("updated_at", in.SourceUpdatedAt, 0)
	if t.from != nil && t.by != nil {
		c.Check(!t.from.After(*t.by), "promised_from", "invalid", "promised_from must not be after promised_by")
	}
	return t, c.Err()
}

// checkLines refuses text that is not UTF-8 in every string field, and
// control characters (CR, LF, NUL, tab, …) in the single-line ones: an
// order number with "\r\n" would otherwise reach a conversation subject
// and mail headers. Field names are the JSON ones.
func checkLines(c *errs.Checker, in *UpsertInput) {
	line := func(field, v string) {
		if !utf8.ValidString(v) {
			c.Add(field, "invalid_utf8", "must be valid UTF-8")
			return
		}
		if i := strings.IndexFunc(v, unicode.IsControl); i >= 0 {
			c.Add(field, "control_character", "must be one line without control characters (found %U)", []rune(v[i:])[0])
		}
	}
	opt := func(field string, v *string) {
		if v != nil {
			line(field, *v)
		}
	}
	line("external_id", in.ExternalID)
	line("source", in.Source)
	line("number", in.Number)
	line("status", in.Status)
	line("currency", in.Currency)
	line("channel", in.Channel)
	opt("carrier", in.Carrier)
	opt("tracking_number", in.TrackingNumber)
	opt("carrier_status", in.CarrierStatus)
	for _, f := range []struct {
		name string
		v    *string
	}{{"placed_at", in.PlacedAt}, {"promised_from", in.PromisedFrom}, {"promised_by", in.PromisedBy},
		{"shipped_at", in.ShippedAt}, {"delivered_at", in.DeliveredAt}, {"carrier_eta", in.CarrierETA}} {
		opt(f.name, f.v)
	}
	if cu := in.Customer; cu != nil {
		line("customer.email", cu.Email)
		line("customer.name", cu.Name)
		line("customer.phone", cu.Phone)
	}
	for i, it := range in.Items {
		f := "items[" + strconv.Itoa(i) + "]"
		line(f+".sku", it.SKU)
		line(f+".name", it.Name)
	}
}

// ParseTime reads an RFC 3339 instant, or when dateEdge is not 0 also a
// date "YYYY-MM-DD": its first millisecond (dateEdge < 0) or last
// millisecond (dateEdge > 0) in Asia/Jerusalem. The result is UTC,
// truncated to milliseconds (the store's precision). The year, as written,
// must be from MinYear to MaxYear (1970–2200).
func ParseTime(s string, dateEdge int) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		if err := checkYear(t); err != nil {
			return time.Time{}, err
		}
		return t.UTC().Truncate(time.Millisecond), nil
	}
	if dateEdge != 0 {
		loc, err := time.LoadLocation(Zone)
		if err != nil {
			return time.Time{}, err
		}
		if d, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
			if err := checkYear(d); err != nil {
				return time.Time{}, err
			}
			if dateEdge > 0 {
				d = d.AddDate(0, 0, 1).Add(-time.Millisecond)
			}
			return d.UTC(), nil
		}
		return time.Time{}, errors.New("want an RFC 3339 time like 2026-11-24T18:00:00Z or a date like 2026-11-24")
	}
	return time.Time{}, errors.New("want an RFC 3339 time like 2026-11-24T18:00:00Z")
}

// checkYear refuses a time whose year (in its own zone) is outside
// MinYear–MaxYear.
func checkYear(t time.Time) error {
	if y := t.Year(); y < MinYear || y > MaxYear {
		return fmt.Errorf("the year %d is out of range: want %d to %d", y, MinYear, MaxYear)
	}
	return nil
}
