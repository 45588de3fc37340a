package commerce

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
)

// orderColumns reads an order with its contact's name and primary email.
const orderColumns = `SELECT o.id, o.external_id, o.source, o.number, o.contact_id, c.name, c.email, o.status, o.currency,
	o.total_minor, o.shipping_minor, o.items, o.channel, o.placed_at, o.promised_from, o.promised_by, o.shipped_at,
	o.delivered_at, o.carrier, o.tracking_number, o.carrier_status, o.carrier_eta, o.lateness, o.days_late, o.late_since,
	o.conversation_id, o.created_at, o.updated_at, o.source_updated_at
	FROM orders o JOIN contacts c ON c.id = o.contact_id `

// store holds the orders SQL; every method takes the querier it runs on
// (the read pool or a write transaction).
type store struct{}

func (store) load(ctx context.Context, q db.Querier, where string, args ...any) ([]Order, error) {
	rows, err := q.Query(ctx, orderColumns+where, args...)
	if err != nil {
		return nil, fmt.Errorf("commerce: load orders: %w", err)
	}
	defer rows.Close()
	out := []Order{}
	for rows.Next() {
		var o Order
		var items string
		var placed, created, updated int64
		var from, by, shipped, delivered, eta, lateSince, conv, source sql.NullInt64
		if err := rows.Scan(&o.ID, &o.ExternalID, &o.Source, &o.Number, &o.ContactID, &o.Contact.Name, &o.Contact.Email,
			&o.Status, &o.Currency, &o.TotalMinor, &o.ShippingMinor, &items, &o.Channel, &placed, &from, &by, &shipped,
			&delivered, &o.Carrier, &o.TrackingNumber, &o.CarrierStatus, &eta, &o.Lateness, &o.DaysLate, &lateSince,
			&conv, &created, &updated, &source); err != nil {
			return nil, fmt.Errorf("commerce: scan order: %w", err)
		}
		o.Contact.ID = o.ContactID
		if err := json.Unmarshal([]byte(items), &o.Items); err != nil || o.Items == nil {
			o.Items = []Item{}
		}
		o.PlacedAt, o.CreatedAt, o.UpdatedAt = db.Time(placed), db.Time(created), db.Time(updated)
		o.PromisedFrom, o.PromisedBy, o.ShippedAt = db.TimePtr(from), db.TimePtr(by), db.TimePtr(shipped)
		o.DeliveredAt, o.CarrierETA, o.LateSince = db.TimePtr(delivered), db.TimePtr(eta), db.TimePtr(lateSince)
		o.SourceUpdatedAt = db.TimePtr(source)
		if conv.Valid {
			o.ConversationID = &conv.Int64
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func (st store) one(ctx context.Context, q db.Querier, where string, args ...any) (Order, error) {
	os, err := st.load(ctx, q, where, args...)
	if err != nil {
		return Order{}, err
	}
	if len(os) == 0 {
		return Order{}, fmt.Errorf("order: %w", errs.ErrNotFound)
	}
	return os[0], nil
}

func (store) events(ctx context.Context, q db.Querier, orderID int64) ([]Event, error) {
	rows, err := q.Query(ctx, `SELECT id, kind, status, detail, eta, at, created_at FROM order_events WHERE order_id = ? ORDER BY id`, orderID)
	if err != nil {
		return nil, fmt.Errorf("commerce: load order events: %w", err)
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		var eta sql.NullInt64
		var at, created int64
		if err := rows.Scan(&e.ID, &e.Kind, &e.Status, &e.Detail, &eta, &at, &created); err != nil {
			return nil, err
		}
		e.ETA, e.At, e.CreatedAt = db.TimePtr(eta), db.Time(at), db.Time(created)
		out = append(out, e)
	}
	return out, rows.Err()
}

func (store) insert(ctx context.Context, tx *db.Tx, o Order, now int64) (int64, error) {
	id, err := tx.InsertID(ctx, `INSERT INTO orders (external_id, source, number, contact_id, status, currency, total_minor,
		shipping_minor, items, channel, placed_at, promised_from, promised_by, shipped_at, delivered_at, carrier,
		tracking_number, carrier_status, carrier_eta, source_updated_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.ExternalID, o.Source, o.Number, o.ContactID, o.Status, o.Currency, o.TotalMinor, o.ShippingMinor,
		itemsJSON(o.Items), o.Channel, o.PlacedAt.UnixMilli(), db.MsArg(o.PromisedFrom), db.MsArg(o.PromisedBy),
		db.MsArg(o.ShippedAt), db.MsArg(o.DeliveredAt), o.Carrier, o.TrackingNumber, o.CarrierStatus,
		db.MsArg(o.CarrierETA), db.MsArg(o.SourceUpdatedAt), now, now)
	if err != nil {
		return 0, fmt.Errorf("commerce: insert order: %w", err)
	}
	return id, nil
}

func (store) update(ctx context.Context, tx *db.Tx, o Order, now int64) error {
	_, err := tx.Exec(ctx, `UPDATE orders SET source = ?, number = ?, contact_id = ?, status = ?, currency = ?, total_minor = ?,
		shipping_minor = ?, items = ?, channel = ?, placed_at = ?, promised_from = ?, promised_by = ?, shipped_at = ?,
		delivered_at = ?, carrier = ?, tracking_number = ?, carrier_status = ?, carrier_eta = ?, source_updated_at = ?,
		updated_at = ? WHERE id = ?`,
		o.Source, o.Number, o.ContactID, o.Status, o.Currency, o.TotalMinor, o.ShippingMinor, itemsJSON(o.Items),
		o.Channel, o.PlacedAt.UnixMilli(), db.MsArg(o.PromisedFrom), db.MsArg(o.PromisedBy), db.MsArg(o.ShippedAt),
		db.MsArg(o.DeliveredAt), o.Carrier, o.TrackingNumber, o.CarrierStatus, db.MsArg(o.CarrierETA), db.MsArg(o.SourceUpdatedAt), now, o.ID)
	if err != nil {
		return fmt.Errorf("commerce: update order %d: %w", o.ID, err)
	}
	return nil
}

// markSource records the shop's updated_at of a delivery that changed
// nothing else (updated_at stays: the order did not change).
func (store) markSource(ctx context.Context, tx *db.Tx, id int64, source *time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE orders SET source_updated_at = ? WHERE id = ?`, db.MsArg(source), id); err != nil {
		return fmt.Errorf("commerce: mark order %d: %w", id, err)
	}
	return nil
}

func (store) insertEvent(ctx context.Context, tx *db.Tx, orderID int64, e Event, now int64) error {
	_, err := tx.Exec(ctx, `INSERT INTO order_events (order_id, kind, status, detail, eta, at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		orderID, e.Kind, e.Status, e.Detail, db.MsArg(e.ETA), e.At.UnixMilli(), now)
	if err != nil {
		return fmt.Errorf("commerce: insert order event: %w", err)
	}
	return nil
}

func itemsJSON(items []Item) string {
	if items == nil {
		items = []Item{}
	}
	b, _ := json.Marshal(items)
	return string(b)
}

// msText renders an optional instant for change records and comparisons.
func msText(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format(time.RFC3339Nano)
}
