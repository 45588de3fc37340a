package commerce

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/page"
	"github.com/kesherdesk/kesher/internal/secret"
)

// Service keeps orders: upsert by external id (API, CSV import, shop
// webhooks), reads, carrier status, and the shop webhook secrets.
type Service struct {
	db      *db.DB
	outbox  *events.Outbox
	secrets *secret.Box
	st      store
	// Now is the clock (tests may replace it).
	Now func() time.Time
}

// NewService returns the order service. secrets seals the shop webhook
// secrets (nil: an in-memory key, for tests).
func NewService(d *db.DB, o *events.Outbox, secrets *secret.Box) *Service {
	if secrets == nil {
		secrets = secret.Ephemeral()
	}
	return &Service{db: d, outbox: o, secrets: secrets, Now: time.Now}
}

// Get returns order id with its events, or errs.ErrNotFound.
func (s *Service) Get(ctx context.Context, id int64) (OrderDetail, error) {
	o, err := s.st.one(ctx, s.db.R(), `WHERE o.id = ?`, id)
	if errors.Is(err, errs.ErrNotFound) {
		return OrderDetail{}, fmt.Errorf("order %d: %w", id, errs.ErrNotFound)
	}
	if err != nil {
		return OrderDetail{}, err
	}
	evs, err := s.st.events(ctx, s.db.R(), id)
	return OrderDetail{Order: o, Events: evs}, err
}

// GetTx returns order id (without events) inside tx, or errs.ErrNotFound.
func (s *Service) GetTx(ctx context.Context, tx *db.Tx, id int64) (Order, error) {
	return s.st.one(ctx, tx, `WHERE o.id = ?`, id)
}

// ListParams filter and page the order list. Zero values do not filter.
type ListParams struct {
	ContactID int64
	Status    string
	Lateness  string
	Cursor    string
	Limit     int
}

// Lateness verdicts (set by internal/commerce/lateness).
var Latenesses = []string{"on_time", "at_risk", "late"}

// List returns one page of orders, newest placed first. Errors:
// *errs.ValidationError for a bad status, lateness, cursor or limit.
func (s *Service) List(ctx context.Context, p ListParams) (page.Result[Order], error) {
	var c errs.Checker
	if p.Status != "" {
		c.OneOf("status", p.Status, Statuses...)
	}
	if p.Lateness != "" {
		c.OneOf("lateness", p.Lateness, Latenesses...)
	}
	if err := c.Err(); err != nil {
		return page.Result[Order]{}, err
	}
	limit, err := page.Limit(p.Limit)
	if err != nil {
		return page.Result[Order]{}, err
	}
	cur, err := page.Decode(p.Cursor, "orders")
	if err != nil {
		return page.Result[Order]{}, err
	}
	where, args := []string{"1 = 1"}, []any{}
	if p.ContactID != 0 {
		where, args = append(where, "o.contact_id = ?"), append(args, p.ContactID)
	}
	if p.Status != "" {
		where, args = append(where, "o.status = ?"), append(args, p.Status)
	}
	if p.Lateness != "" {
		where, args = append(where, "o.lateness = ?"), append(args, p.Lateness)
	}
	if cur != nil {
		where = append(where, "(o.placed_at < ? OR (o.placed_at = ? AND o.id < ?))")
		args = append(args, cur.Key, cur.Key, cur.ID)
	}
	os, err := s.st.load(ctx, s.db.R(), "WHERE "+strings.Join(where, " AND ")+" ORDER BY o.placed_at DESC, o.id DESC LIMIT ?",
		append(args, limit+1)...)
	if err != nil {
		return page.Result[Order]{}, err
	}
	return page.Of(os, limit, func(last Order) page.Cursor {
		return page.Cursor{Sort: "orders", Key: last.PlacedAt.UnixMilli(), ID: last.ID}
	}), nil
}

// Upsert creates the order in.ExternalID names, or updates it with the
// fields in gives. It returns the order and whether it was created. The same
// input twice writes nothing the second time (updated_at stays). Every
// write records an audit entry and emits OrderUpdated in the same
// transaction. A shop delivery (in.SourceUpdatedAt set) older than the last
// one applied changes nothing and returns ErrStale; one as old or newer is
// applied and its time kept. Errors: *errs.ValidationError naming the
// field, ErrStale.
func (s *Service) Upsert(ctx context.Context, actor audit.Actor, in UpsertInput) (Order, bool, error) {
	t, err := in.check()
	if err != nil {
		return Order{}, false, err
	}
	var res upsertResult
	err = s.db.WriteTx(ctx, func(tx *db.Tx) error {
		var err error
		res, err = s.upsertTx(ctx, tx, actor, in, t)
		return err
	})
	if retryable(err) {
		// Another request created the same external id meanwhile (shops send
		// orders/create and orders/updated close together): now it updates.
		err = s.db.WriteTx(ctx, func(tx *db.Tx) error {
			var err error
			res, err = s.upsertTx(ctx, tx, actor, in, t)
			return err
		})
	}
	if err != nil {
		return Order{}, false, err
	}
	o, err := s.st.one(ctx, s.db.R(), `WHERE o.id = ?`, res.id)
	return o, res.created, err
}

// retryable reports whether an upsert failed only because a concurrent one
// inserted the same order or customer first: run again, it finds them.
func retryable(err error) bool {
	var ve *errs.ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			if f.Code == "taken" {
				return true
			}
		}
	}
	return db.IsUniqueViolation(err)
}

// upsertResult says what one upsert did.
type upsertResult struct {
	id      int64
	created bool
	changed bool
}

// upsertTx is Upsert inside tx with input already checked (t from check).
func (s *Service) upsertTx(ctx context.Context, tx *db.Tx, actor audit.Actor, in UpsertInput, t times) (upsertResult, error) {
	old, err := s.st.one(ctx, tx, `WHERE o.external_id = ?`, in.ExternalID)
	found := err == nil
	if err != nil && !errors.Is(err, errs.ErrNotFound) {
		return upsertResult{}, err
	}
	cid, err := resolveContact(ctx, tx, in, old.ContactID)
	if err != nil {
		return upsertResult{}, err
	}
	now := s.Now()
	o := old
	if !found {
		o = Order{ExternalID: in.ExternalID, Source: "api", Status: "placed", Currency: DefaultCurrency, Channel: "web",
			Items: []Item{}, PlacedAt: now.UTC().Truncate(time.Millisecond)}
	}
	if found {
		in.Source = "" // the source is where the order first came from
		if t.source != nil && old.SourceUpdatedAt != nil && t.source.Before(*old.SourceUpdatedAt) {
			return upsertResult{id: old.ID}, ErrStale
		}
	}
	apply(&o, in, t)
	if t.source != nil {
		o.SourceUpdatedAt = t.source
	}
	o.ContactID = cid
	ms := now.UnixMilli()
	if !found {
		id, err := s.st.insert(ctx, tx, o, ms)
		if err != nil {
			return upsertResult{}, err
		}
		if o.CarrierStatus != "" {
			if err := s.st.insertEvent(ctx, tx, id, Event{Kind: "carrier", Status: o.CarrierStatus, ETA: o.CarrierETA, At: now}, ms); err != nil {
				return upsertResult{}, err
			}
		}
		if err := audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "order.created", EntityType: "order", EntityID: id}); err != nil {
			return upsertResult{}, err
		}
		return upsertResult{id: id, created: true, changed: true}, s.outbox.Publish(ctx, tx, OrderUpdated, map[string]any{"order_id": id})
	}
	changes := diff(old, o)
	if len(changes) == 0 {
		if msText(old.SourceUpdatedAt) != msText(o.SourceUpdatedAt) {
			return upsertResult{id: old.ID}, s.st.markSource(ctx, tx, old.ID, o.SourceUpdatedAt)
		}
		return upsertResult{id: old.ID}, nil
	}
	if err := s.st.update(ctx, tx, o, ms); err != nil {
		return upsertResult{}, err
	}
	if _, ok := changes["carrier_status"]; ok && o.CarrierStatus != "" {
		if err := s.st.insertEvent(ctx, tx, o.ID, Event{Kind: "carrier", Status: o.CarrierStatus, ETA: o.CarrierETA, At: now}, ms); err != nil {
			return upsertResult{}, err
		}
	}
	if err := audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "order.updated", EntityType: "order", EntityID: o.ID, Changes: changes}); err != nil {
		return upsertResult{}, err
	}
	return upsertResult{id: o.ID, changed: true}, s.outbox.Publish(ctx, tx, OrderUpdated, map[string]any{"order_id": o.ID})
}

// resolveContact finds the order's contact: contact_id (a merged contact
// resolves to the survivor), else the customer matched by email like email
// senders (contact.FindByEmailTx) or by phone, created when new; else the
// current contact (current is 0 for a new order: then one is required).
func resolveContact(ctx context.Context, tx *db.Tx, in UpsertInput, current int64) (int64, error) {
	if in.ContactID != 0 {
		var into sql.NullInt64
		err := tx.QueryRow(ctx, `SELECT merged_into_id FROM contacts WHERE id = ?`, in.ContactID).Scan(&into)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, errs.Invalid("contact_id", "not_found", "no contact %d", in.ContactID)
		}
		if into.Valid {
			return into.Int64, err
		}
		return in.ContactID, err
	}
	if in.Customer == nil || (in.Customer.Email == "" && in.Customer.Phone == "") {
		if current == 0 {
			return 0, errs.Invalid("contact_id", "required", "a new order needs contact_id or customer {email, name, phone}")
		}
		return current, nil
	}
	ci := contact.Input{Name: strings.TrimSpace(in.Customer.Name)}
	if in.Customer.Email != "" {
		e, ok := contact.NormalizeEmail(in.Customer.Email)
		if !ok {
			return 0, errs.Invalid("customer.email", "invalid", "%q is not an email address", in.Customer.Email)
		}
		id, err := contact.FindByEmailTx(ctx, tx, e)
		if err != nil || id != 0 {
			return id, err
		}
		ci.Emails = []string{e}
	}
	if in.Customer.Phone != "" {
		p, ok := contact.NormalizePhone(in.Customer.Phone)
		if !ok {
			return 0, errs.Invalid("customer.phone", "invalid", "%q is not a phone number", in.Customer.Phone)
		}
		ci.Phones = []string{p}
	}
	if len([]rune(ci.Name)) > contact.MaxNameLength {
		ci.Name = string([]rune(ci.Name)[:contact.MaxNameLength])
	}
	id, _, err := contact.FindOrCreateTx(ctx, tx, 0, ci, "customer")
	return id, err
}

// apply copies the fields in gives onto o.
func apply(o *Order, in UpsertInput, t times) {
	str := func(dst *string, v string) {
		if v = strings.TrimSpace(v); v != "" {
			*dst = v
		}
	}
	str(&o.Source, in.Source)
	str(&o.Number, in.Number)
	str(&o.Status, in.Status)
	str(&o.Currency, in.Currency)
	str(&o.Channel, in.Channel)
	if in.TotalMinor != nil {
		o.TotalMinor = *in.TotalMinor
	}
	if in.ShippingMinor != nil {
		o.ShippingMinor = *in.ShippingMinor
	}
	if in.Items != nil {
		items := make([]Item, len(in.Items))
		for i, it := range in.Items {
			items[i] = Item{SKU: strings.TrimSpace(it.SKU), Name: strings.TrimSpace(it.Name), Quantity: it.Quantity, PriceMinor: it.PriceMinor}
		}
		o.Items = items
	}
	for _, p := range []struct {
		dst   *string
		value *string
	}{{&o.Carrier, in.Carrier}, {&o.TrackingNumber, in.TrackingNumber}, {&o.CarrierStatus, in.CarrierStatus}} {
		if p.value != nil {
			*p.dst = strings.TrimSpace(*p.value)
		}
	}
	if t.placed != nil {
		o.PlacedAt = *t.placed
	}
	for _, p := range []struct {
		field string
		dst   **time.Time
		value *time.Time
	}{{"promised_from", &o.PromisedFrom, t.from}, {"promised_by", &o.PromisedBy, t.by}, {"shipped_at", &o.ShippedAt, t.shipped},
		{"delivered_at", &o.DeliveredAt, t.delivered}, {"carrier_eta", &o.CarrierETA, t.eta}} {
		if t.set[p.field] {
			*p.dst = p.value
		}
	}
}

// diff lists the fields that differ between old and new, with their values
// (times as RFC 3339 strings).
func diff(old, o Order) map[string]audit.Change {
	ch := map[string]audit.Change{}
	add := func(name string, from, to any) {
		if from != to {
			ch[name] = audit.Change{From: from, To: to}
		}
	}
	add("source", old.Source, o.Source)
	add("number", old.Number, o.Number)
	add("contact_id", old.ContactID, o.ContactID)
	add("status", old.Status, o.Status)
	add("currency", old.Currency, o.Currency)
	add("total_minor", old.TotalMinor, o.TotalMinor)
	add("shipping_minor", old.ShippingMinor, o.ShippingMinor)
	add("items", itemsJSON(old.Items), itemsJSON(o.Items))
	add("channel", old.Channel, o.Channel)
	add("placed_at", msText(&old.PlacedAt), msText(&o.PlacedAt))
	add("promised_from", msText(old.PromisedFrom), msText(o.PromisedFrom))
	add("promised_by", msText(old.PromisedBy), msText(o.PromisedBy))
	add("shipped_at", msText(old.ShippedAt), msText(o.ShippedAt))
	add("delivered_at", msText(old.DeliveredAt), msText(o.DeliveredAt))
	add("carrier", old.Carrier, o.Carrier)
	add("tracking_number", old.TrackingNumber, o.TrackingNumber)
	add("carrier_status", old.CarrierStatus, o.CarrierStatus)
	add("carrier_eta", msText(old.CarrierETA), msText(o.CarrierETA))
	return ch
}

// CarrierInput is a carrier status update: Status one of CarrierStatuses
// (not empty), Detail free text, ETA the carrier's estimate and At when the
// carrier reported it (RFC 3339; default now).
type CarrierInput struct {
	Status string  `json:"status"`
	Detail string  `json:"detail"`
	ETA    *string `json:"eta"`
	At     *string `json:"at"`
}

// CarrierStatus appends a carrier update to order id's history and sets its
// carrier_status (and carrier_eta when given). "delivered" also sets
// delivered_at (when unset) and status delivered; "in_transit" and
// "out_for_delivery" set shipped_at (when unset) and move a placed or paid
// order to shipped. A cancelled or returned order keeps its status.
// Errors: errs.ErrNotFound, *errs.ValidationError.
func (s *Service) CarrierStatus(ctx context.Context, actor audit.Actor, id int64, in CarrierInput) (OrderDetail, error) {
	var c errs.Checker
	c.Check(in.Status != "", "status", "required", "give the carrier status")
	if in.Status != "" {
		c.OneOf("status", in.Status, CarrierStatuses[1:]...)
	}
	c.MaxLen("detail", in.Detail, MaxDetail)
	var eta *time.Time
	at := s.Now().UTC().Truncate(time.Millisecond)
	if in.ETA != nil && *in.ETA != "" {
		t, err := ParseTime(*in.ETA, 0)
		if err != nil {
			c.Add("eta", "invalid", "%s", err.Error())
		}
		eta = &t
	}
	if in.At != nil && *in.At != "" {
		t, err := ParseTime(*in.At, 0)
		if err != nil {
			c.Add("at", "invalid", "%s", err.Error())
		}
		at = t
	}
	if err := c.Err(); err != nil {
		return OrderDetail{}, err
	}
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		old, err := s.st.one(ctx, tx, `WHERE o.id = ?`, id)
		if err != nil {
			return fmt.Errorf("order %d: %w", id, errs.ErrNotFound)
		}
		now := s.Now().UnixMilli()
		if err := s.st.insertEvent(ctx, tx, id, Event{Kind: "carrier", Status: in.Status, Detail: strings.TrimSpace(in.Detail), ETA: eta, At: at}, now); err != nil {
			return err
		}
		o := old
		o.CarrierStatus = in.Status
		if eta != nil {
			o.CarrierETA = eta
		}
		closed := o.Status == "cancelled" || o.Status == "returned"
		switch in.Status {
		case "delivered":
			if o.DeliveredAt == nil {
				o.DeliveredAt = &at
			}
			if !closed {
				o.Status = "delivered"
			}
		case "in_transit", "out_for_delivery":
			if o.ShippedAt == nil {
				o.ShippedAt = &at
			}
			if slices.Contains([]string{"placed", "paid"}, o.Status) {
				o.Status = "shipped"
			}
		}
		if err := s.st.update(ctx, tx, o, now); err != nil {
			return err
		}
		changes := diff(old, o)
		if len(changes) == 0 {
			changes = map[string]audit.Change{"carrier_status": {From: old.CarrierStatus, To: o.CarrierStatus}}
		}
		if err := audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "order.carrier_status", EntityType: "order", EntityID: id, Changes: changes}); err != nil {
			return err
		}
		return s.outbox.Publish(ctx, tx, OrderUpdated, map[string]any{"order_id": id})
	})
	if err != nil {
		return OrderDetail{}, err
	}
	return s.Get(ctx, id)
}
