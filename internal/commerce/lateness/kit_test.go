package lateness_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/channel/email/outbound"
	"github.com/kesherdesk/kesher/internal/commerce"
	"github.com/kesherdesk/kesher/internal/commerce/lateness"
	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/jobs"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// kit is one store with a core, the detector on a fixed clock, an
// outbound service on its own fast runner, an email inbox whose SMTP
// server is a sink on loopback, and a dispatcher the test drives.
type kit struct {
	t      *testing.T
	ctx    context.Context
	d      *db.DB
	core   *app.Core
	svc    *lateness.Service
	out    *outbound.Service
	runner *jobs.Runner
	disp   *events.Dispatcher
	sink   *testkit.SMTPSink
	inbox  inbox.Inbox
	now    time.Time
}

// offerer grants a fixed offer, recording what it was asked.
type offerer struct{ calls []string }

func (o *offerer) OfferTx(_ context.Context, _ *db.Tx, orderID int64, lang string) (commerce.Offer, bool, error) {
	o.calls = append(o.calls, fmt.Sprintf("%d:%s", orderID, lang))
	text := "As an apology we added a credit of 20.00 ILS to your account."
	if lang == "he" {
		text = "כהתנצלות הוספנו לחשבונך זיכוי של 20 ₪."
	}
	return commerce.Offer{Remedy: "store_credit", AmountMinor: 2000, Currency: "ILS", Explanation: text}, true, nil
}

// sunday is the kit's clock: Sunday 29 Nov 2026, 10:00 in Israel.
var sunday = time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)

// thursdayEnd is the end of Thursday 26 Nov 2026 in Israel.
var thursdayEnd = time.Date(2026, 11, 26, 21, 59, 59, 999e6, time.UTC)

func newKit(t *testing.T, d *db.DB, o lateness.Options) *kit {
	t.Helper()
	k := &kit{t: t, ctx: context.Background(), d: d, sink: testkit.NewSMTPSink(t), now: sunday}
	log := testkit.Logger()
	k.core = app.NewCoreFromDB(d, app.CoreOptions{Password: auth.FastPasswordParams, Store: db.Options{DataDir: t.TempDir()}}, log)
	k.runner = jobs.NewRunner(d, jobs.Options{PollInterval: 10 * time.Millisecond, BackoffBase: 20 * time.Millisecond,
		BackoffMax: 100 * time.Millisecond, Concurrency: 2, Log: log})
	k.out = outbound.New(d, k.core.Outbox, k.core.Conversations, k.core.Inboxes, k.core.Files, k.runner, log,
		outbound.Options{MaxAttempts: 3})
	k.out.RegisterJobs(k.runner)
	t.Cleanup(k.out.Subscribe(k.core.Bus))
	o.Mail = k.out
	k.svc = lateness.New(d, k.core.Outbox, k.core.Conversations, k.core.SLA, k.runner, log, o)
	k.svc.Now = func() time.Time { return k.now }
	k.svc.RegisterJobs(k.runner)
	t.Cleanup(k.svc.Subscribe(k.core.Bus))
	k.disp = events.NewDispatcher(d, k.core.Outbox, k.core.Bus, log)
	ctx, cancel := context.WithCancel(k.ctx)
	done := make(chan struct{})
	go func() { _ = k.runner.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	var err error
	k.inbox, err = k.core.Inboxes.Create(k.ctx, audit.System, inbox.Input{Name: "תמיכה", Channel: "email",
		Address: "support@kesher.test", Settings: map[string]any{"smtp": map[string]any{"host": k.sink.Host,
			"port": float64(k.sink.Port), "tls": "none"}}})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// settle delivers events and waits for the jobs they scheduled (other than
// scan rounds waiting for their time) until neither is left.
func (k *kit) settle() {
	k.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		n, err := k.disp.DeliverOnce(k.ctx)
		if err != nil {
			k.t.Fatal(err)
		}
		var pending int
		if err := k.d.R().QueryRow(k.ctx, `SELECT COUNT(*) FROM jobs WHERE done_at IS NULL AND dead_at IS NULL AND run_at <= ?`,
			time.Now().UnixMilli()).Scan(&pending); err != nil {
			k.t.Fatal(err)
		}
		if n == 0 && pending == 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	k.t.Fatal("events or jobs never settled")
}

// contact creates a customer.
func (k *kit) contact(name, email, lang string) int64 {
	k.t.Helper()
	in := contact.Input{Name: name, Language: lang}
	if email != "" {
		in.Emails = []string{email}
	}
	c, err := k.core.Contacts.Create(k.ctx, audit.System, in)
	if err != nil {
		k.t.Fatal(err)
	}
	return c.ID
}

// orderRow is what the tests insert: the orders service is another
// package's, so plain SQL.
type orderRow struct {
	number        string
	externalID    string // default "ext-<number>"
	contactID     int64
	status        string
	promisedBy    *time.Time
	shippedAt     *time.Time
	carrierStatus string
	carrierETA    *time.Time
}

func (k *kit) order(o orderRow) int64 {
	k.t.Helper()
	if o.status == "" {
		o.status = "shipped"
	}
	placed := k.now.Add(-7 * 24 * time.Hour)
	if o.externalID == "" {
		o.externalID = "ext-" + o.number
	}
	var id int64
	err := k.d.WriteTx(k.ctx, func(tx *db.Tx) error {
		var err error
		id, err = tx.InsertID(k.ctx, `INSERT INTO orders (external_id, number, contact_id, status, placed_at, promised_by,
			shipped_at, carrier_status, carrier_eta, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			o.externalID, o.number, o.contactID, o.status, db.Ms(placed), db.MsArg(o.promisedBy), db.MsArg(o.shippedAt),
			o.carrierStatus, db.MsArg(o.carrierETA), db.Ms(placed), db.Ms(placed))
		return err
	})
	if err != nil {
		k.t.Fatal(err)
	}
	return id
}

// update changes an order by SQL and publishes order.updated in the same
// transaction, as the orders service does.
func (k *kit) update(id int64, set string, args ...any) {
	k.t.Helper()
	err := k.d.WriteTx(k.ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(k.ctx, `UPDATE orders SET `+set+` WHERE id = ?`, append(args, id)...); err != nil {
			return err
		}
		return k.core.Outbox.Publish(k.ctx, tx, commerce.OrderUpdated, map[string]int64{"order_id": id})
	})
	if err != nil {
		k.t.Fatal(err)
	}
}

// scan runs a whole scan at the kit's clock in one transaction.
func (k *kit) scan() int {
	k.t.Helper()
	var n int
	err := k.d.WriteTx(k.ctx, func(tx *db.Tx) error {
		var err error
		n, err = k.svc.ScanTx(k.ctx, tx, k.now)
		return err
	})
	if err != nil {
		k.t.Fatal(err)
	}
	return n
}

func (k *kit) count(q string, args ...any) int {
	k.t.Helper()
	var n int
	if err := k.d.R().QueryRow(k.ctx, q, args...).Scan(&n); err != nil {
		k.t.Fatal(err)
	}
	return n
}

// counts are the rows the detector may add.
type counts struct{ conversations, notices, messages, outbound int }

func (k *kit) counts() counts {
	return counts{
		conversations: k.count(`SELECT COUNT(*) FROM conversations`),
		notices:       k.count(`SELECT COUNT(*) FROM order_notices`),
		messages:      k.count(`SELECT COUNT(*) FROM messages WHERE kind <> 'event'`),
		outbound:      k.count(`SELECT COUNT(*) FROM messages WHERE direction = 'outbound'`),
	}
}

// stored is an order's detector columns.
type stored struct {
	lateness  string
	daysLate  int
	lateSince *time.Time
	seq       int64
	convID    *int64
}

func (k *kit) stored(id int64) stored {
	k.t.Helper()
	var s stored
	var since, conv db.NullMs
	if err := k.d.R().QueryRow(k.ctx, `SELECT lateness, days_late, late_since, lateness_seq, conversation_id FROM orders WHERE id = ?`,
		id).Scan(&s.lateness, &s.daysLate, &since, &s.seq, &conv); err != nil {
		k.t.Fatal(err)
	}
	s.lateSince = db.TimePtr(since)
	if conv.Valid {
		v := conv.Int64
		s.convID = &v
	}
	return s
}

func ptr(t time.Time) *time.Time { return &t }
