package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
)

// orderPlan is one demo order; times are offsets from the seeding instant
// (negative: in the past), 0 meaning none. Money is agorot (ILS).
type orderPlan struct {
	contact                                    int // index into plan.contacts; -1: the first VIP
	number, status, carrier, tracking, cStatus string
	total, shipping                            int64
	items                                      string
	placed, promised, shipped, delivered, eta  time.Duration
}

const day = 24 * time.Hour

// demoOrders are a few orders of the first customers: delivered history, a
// paid order on its way to the warehouse, a cancelled one, one shipped
// order whose promised date has passed (the late-delivery detector finds
// it), and a VIP's large order in transit.
var demoOrders = []orderPlan{
	{contact: 0, number: "1001", status: "delivered", carrier: "Israel Post", tracking: "RR100200301IL", cStatus: "delivered",
		total: 25900, shipping: 2900, items: `[{"sku":"MUG-1","name":"ספל קרמיקה","quantity":2,"price_minor":11500}]`,
		placed: -40 * day, promised: -35 * day, shipped: -38 * day, delivered: -36 * day},
	{contact: 0, number: "1017", status: "delivered", carrier: "Cheetah", tracking: "CH-884120", cStatus: "delivered",
		total: 8900, items: `[{"sku":"TEA-3","name":"Green tea sampler","quantity":1,"price_minor":8900}]`,
		placed: -18 * day, promised: -14 * day, shipped: -17 * day, delivered: -15 * day},
	{contact: 1, number: "1042", status: "shipped", carrier: "Israel Post", tracking: "RR100200377IL", cStatus: "delayed",
		total: 34700, shipping: 2900, items: `[{"sku":"CANDLE-FIG","name":"נר תאנה וארז","quantity":2,"price_minor":8900},{"sku":"DIFF-OAK","name":"מפיץ ריח אלון","quantity":1,"price_minor":14000}]`,
		placed: -9 * day, promised: -2 * day, shipped: -8 * day, eta: 2 * day},
	{contact: 2, number: "1055", status: "paid", total: 18990, shipping: 3500,
		items: `[{"sku":"KETTLE-2L","name":"קומקום חשמלי","quantity":1,"price_minor":15490}]`, placed: -1 * day, promised: 4 * day},
	{contact: 3, number: "1049", status: "cancelled", total: 12000, items: `[{"sku":"BOOK-9","name":"Cookbook","quantity":1,"price_minor":12000}]`,
		placed: -6 * day},
	{contact: -1, number: "1060", status: "shipped", carrier: "DHL", tracking: "JD014600003311", cStatus: "in_transit",
		total: 129900, items: `[{"sku":"ESPRESSO-PRO","name":"Espresso machine","quantity":1,"price_minor":129900}]`,
		placed: -3 * day, promised: 1 * day, shipped: -2 * day, eta: 1 * day},
	{contact: -1, number: "998", status: "delivered", carrier: "DHL", tracking: "JD014600001187", cStatus: "delivered",
		total: 45000, items: `[{"sku":"GRINDER-X","name":"Coffee grinder","quantity":1,"price_minor":45000}]`,
		placed: -60 * day, promised: -55 * day, shipped: -59 * day, delivered: -56 * day},
}

// writeOrders stores the demo orders (with a carrier event for shipped and
// delivered ones) with plain SQL, like the rest of the demo history.
func writeOrders(ctx context.Context, tx *db.Tx, p plan, in ids, now time.Time) error {
	vip := -1
	for i, c := range p.contacts {
		if c.tier == "vip" {
			vip = i
			break
		}
	}
	at := func(d time.Duration) any {
		if d == 0 {
			return nil
		}
		return now.Add(d).UnixMilli()
	}
	for _, o := range demoOrders {
		ci := o.contact
		if ci < 0 {
			ci = vip
		}
		if ci < 0 || ci >= len(in.contacts) {
			continue
		}
		placed := now.Add(o.placed).UnixMilli()
		promised := at(o.promised)
		if o.promised != 0 {
			// A promise is the end of a day in Israel.
			d := now.Add(o.promised).In(israel())
			promised = time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 59, 999e6, d.Location()).UnixMilli()
		}
		id, err := tx.InsertID(ctx, `INSERT INTO orders (external_id, source, number, contact_id, status, currency, total_minor,
			shipping_minor, items, channel, placed_at, promised_by, shipped_at, delivered_at, carrier, tracking_number,
			carrier_status, carrier_eta, created_at, updated_at)
			VALUES (?, 'demo', ?, ?, ?, 'ILS', ?, ?, ?, 'web', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			"demo-"+o.number, o.number, in.contacts[ci], o.status, o.total, o.shipping, o.items, placed, promised,
			at(o.shipped), at(o.delivered), o.carrier, o.tracking, o.cStatus, at(o.eta), placed, now.UnixMilli())
		if err != nil {
			return fmt.Errorf("demo: order %s: %w", o.number, err)
		}
		if o.cStatus == "" {
			continue
		}
		evAt := o.shipped
		if o.delivered != 0 {
			evAt = o.delivered
		}
		if _, err := tx.Exec(ctx, `INSERT INTO order_events (order_id, kind, status, eta, at, created_at) VALUES (?, 'carrier', ?, ?, ?, ?)`,
			id, o.cStatus, at(o.eta), now.Add(evAt).UnixMilli(), now.Add(evAt).UnixMilli()); err != nil {
			return fmt.Errorf("demo: order event: %w", err)
		}
	}
	return nil
}
