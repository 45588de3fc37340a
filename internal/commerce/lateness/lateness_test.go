package lateness_test

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/commerce/lateness"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestScanOpensOneConversation: a shipped order promised by Thursday is,
// on Sunday, 1 business day late; the scan stores the verdict, opens one
// conversation about it and sends one notice; scanning again adds nothing;
// on Monday only the days change.
func TestScanOpensOneConversation(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		off := &offerer{}
		k := newKit(t, d, lateness.Options{Offerer: off})
		dana := k.contact("דנה כהן", "dana@example.com", "he")
		late := k.order(orderRow{number: "1001", contactID: dana, promisedBy: ptr(thursdayEnd), shippedAt: ptr(thursdayEnd.Add(-72 * time.Hour))})
		onTime := k.order(orderRow{number: "1002", contactID: dana, promisedBy: ptr(sunday.Add(72 * time.Hour)),
			shippedAt: ptr(sunday.Add(-time.Hour)), carrierStatus: "in_transit"})
		noPromise := k.order(orderRow{number: "1003", contactID: dana})
		before := k.counts()

		if n := k.scan(); n != 2 {
			t.Errorf("scan evaluated %d orders, want 2 (the two with a promise)", n)
		}
		s := k.stored(late)
		if s.lateness != lateness.Late || s.daysLate != 1 || s.seq != 1 || s.lateSince == nil || !s.lateSince.Equal(thursdayEnd) || s.convID == nil {
			t.Fatalf("late order stored %+v, want late, 1 day, seq 1, since %s, a conversation", s, thursdayEnd)
		}
		for _, id := range []int64{onTime, noPromise} {
			if s := k.stored(id); s.lateness != lateness.OnTime || s.seq != 0 || s.convID != nil {
				t.Errorf("order %d stored %+v, want untouched", id, s)
			}
		}
		conv, err := k.core.Conversations.Get(k.ctx, *s.convID)
		if err != nil {
			t.Fatal(err)
		}
		if conv.OrderID == nil || *conv.OrderID != late || conv.RequesterID != dana || conv.InboxID != k.inbox.ID ||
			len(conv.Tags) != 1 || conv.Tags[0] != lateness.Tag || conv.Subject != "עדכון על הזמנה 1001: המשלוח מתעכב" || conv.Language != "he" {
			t.Errorf("conversation %+v", conv)
		}
		after := k.counts()
		want := counts{conversations: before.conversations + 1, notices: 1, messages: before.messages + 2, outbound: 1}
		if after != want {
			t.Errorf("counts after the scan %+v, want %+v (one conversation, a note and the notice)", after, want)
		}
		var noticeMsg int64
		var seq int64
		if err := d.R().QueryRow(k.ctx, `SELECT seq, message_id FROM order_notices WHERE order_id = ?`, late).Scan(&seq, &noticeMsg); err != nil {
			t.Fatal(err)
		}
		var body, author, meta string
		if err := d.R().QueryRow(k.ctx, `SELECT body_text, author_type, channel_meta FROM messages WHERE id = ?`, noticeMsg).
			Scan(&body, &author, &meta); err != nil {
			t.Fatal(err)
		}
		if seq != 1 || author != "system" || !strings.Contains(body, "מספר 1001") || !strings.Contains(body, "26/11/2026") ||
			!strings.Contains(body, "זיכוי של 20 ₪") || !strings.Contains(meta, `"automatic":true`) {
			t.Errorf("notice seq %d by %s: %q %s", seq, author, body, meta)
		}
		if len(off.calls) != 1 || off.calls[0] != strings.Join([]string{itoa(late), "he"}, ":") {
			t.Errorf("offerer calls %v", off.calls)
		}

		// Again: nothing new.
		k.scan()
		if got := k.counts(); got != after {
			t.Errorf("second scan: counts %+v, want %+v", got, after)
		}
		// Monday: 2 days late, still one notice.
		k.now = sunday.Add(24 * time.Hour)
		k.scan()
		if s := k.stored(late); s.daysLate != 2 || s.seq != 1 || s.lateness != lateness.Late {
			t.Errorf("monday: %+v, want late 2 days seq 1", s)
		}
		if got := k.counts(); got != after {
			t.Errorf("monday: counts %+v, want %+v (days alone notify nobody)", got, after)
		}
		if len(off.calls) != 1 {
			t.Errorf("offerer asked %d times, want once", len(off.calls))
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestConcurrentScans: two scans at once (two transactions; on PostgreSQL
// truly concurrent, the order rows locked FOR UPDATE) still open one
// conversation and send one notice per order.
func TestConcurrentScans(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newKit(t, d, lateness.Options{})
		var ids []int64
		for i := range 5 {
			c := k.contact("Customer", "c"+itoa(int64(i))+"@example.com", "en")
			ids = append(ids, k.order(orderRow{number: "A-" + itoa(int64(i)), contactID: c, promisedBy: ptr(thursdayEnd)}))
		}
		before := k.counts()
		var wg sync.WaitGroup
		errc := make(chan error, 4)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errc <- d.WriteTx(k.ctx, func(tx *db.Tx) error {
					_, err := k.svc.ScanTx(k.ctx, tx, k.now)
					return err
				})
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				t.Fatal(err)
			}
		}
		got := k.counts()
		want := counts{conversations: before.conversations + 5, notices: 5, messages: before.messages + 10, outbound: 5}
		if got != want {
			t.Errorf("counts %+v, want %+v", got, want)
		}
		for _, id := range ids {
			if n := k.count(`SELECT COUNT(*) FROM conversations WHERE order_id = ?`, id); n != 1 {
				t.Errorf("order %d has %d conversations", id, n)
			}
			if s := k.stored(id); s.seq != 1 || s.lateness != lateness.Late {
				t.Errorf("order %d: %+v", id, s)
			}
		}
	})
}

// TestOrderUpdatedEvent: a carrier delay reported on an order due next
// week makes it at risk at once (the order.updated event), with one
// English notice; the same event again changes nothing; delivery puts it
// back on time with a "delivered" note and no notice.
func TestOrderUpdatedEvent(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newKit(t, d, lateness.Options{})
		john := k.contact("John Smith", "john@example.com", "en")
		promised := sunday.Add(4 * 24 * time.Hour)
		id := k.order(orderRow{number: "2001", contactID: john, promisedBy: ptr(promised), shippedAt: ptr(sunday.Add(-time.Hour)),
			carrierStatus: "in_transit"})
		k.scan()
		if s := k.stored(id); s.lateness != lateness.OnTime {
			t.Fatalf("before the delay: %+v", s)
		}
		before := k.counts()
		eta := promised.Add(48 * time.Hour)
		k.update(id, `carrier_status = ?, carrier_eta = ?`, "delayed", db.Ms(eta))
		k.settle()
		s := k.stored(id)
		if s.lateness != lateness.AtRisk || s.daysLate != 0 || s.seq != 1 || s.convID == nil || s.lateSince == nil || !s.lateSince.Equal(k.now) {
			t.Fatalf("after the delay: %+v, want at_risk seq 1 since now", s)
		}
		after := k.counts()
		if want := (counts{before.conversations + 1, 1, before.messages + 2, 1}); after != want {
			t.Errorf("counts %+v, want %+v", after, want)
		}
		var body, status string
		if err := d.R().QueryRow(k.ctx, `SELECT body_text, delivery_status FROM messages WHERE conversation_id = ? AND direction = 'outbound'`,
			*s.convID).Scan(&body, &status); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(body, "Your order 2001 is due to arrive by 3 Dec 2026, but it may be delayed.") ||
			!strings.Contains(body, "new estimated delivery is 5 Dec 2026") || status != "sent" {
			t.Errorf("notice (%s): %q", status, body)
		}
		if n := len(k.sink.Mails()); n != 1 {
			t.Errorf("%d mails sent, want 1", n)
		}
		k.update(id, `carrier_status = ?`, "delayed")
		k.settle()
		if got := k.counts(); got != after {
			t.Errorf("same event again: %+v, want %+v", got, after)
		}
		k.update(id, `status = 'delivered', delivered_at = ?, carrier_status = 'delivered'`, db.Ms(k.now))
		k.settle()
		if s := k.stored(id); s.lateness != lateness.OnTime || s.seq != 2 || s.lateSince != nil || s.convID == nil {
			t.Errorf("delivered: %+v", s)
		}
		got := k.counts()
		if want := (counts{after.conversations, 1, after.messages + 1, 1}); got != want {
			t.Errorf("delivered: counts %+v, want %+v (one note, no notice)", got, want)
		}
		var note string
		if err := d.R().QueryRow(k.ctx, `SELECT body_text FROM messages WHERE conversation_id = ? AND kind = 'note' ORDER BY id DESC LIMIT 1`,
			*s.convID).Scan(&note); err != nil || note != "Order 2001 was delivered." {
			t.Errorf("last note %q (%v)", note, err)
		}
	})
}

// TestNoticeWithheld: no address, a bounced address, the automatic-mail
// limit reached, or notify off: the
// conversation is opened all the same, with a note saying why no notice
// went out (none when notify is off), and no mail.
func TestNoticeWithheld(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newKit(t, d, lateness.Options{})
		noMail := k.contact("אין מייל", "", "he")
		bounced := k.contact("Bounced", "gone@example.com", "en")
		if err := d.WriteTx(k.ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(k.ctx, `INSERT INTO email_bounces (address, status, diagnostic, bounced_at) VALUES (?, '5.1.1', 'no such user', ?)`,
				"gone@example.com", db.Ms(k.now))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		// busy@ already had the default limit (5) of automatic mail this hour.
		busy := k.contact("Busy", "busy@example.com", "en")
		if err := d.WriteTx(k.ctx, func(tx *db.Tx) error {
			for i := range 5 {
				if _, err := tx.Exec(k.ctx, `INSERT INTO automatic_mail_log (address, sent_at) VALUES (?, ?)`, "busy@example.com",
					db.Ms(k.now.Add(-time.Duration(i+1)*time.Minute))); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		a := k.order(orderRow{number: "3001", contactID: noMail, promisedBy: ptr(thursdayEnd)})
		b := k.order(orderRow{number: "3002", contactID: bounced, promisedBy: ptr(thursdayEnd)})
		c3 := k.order(orderRow{number: "3004", contactID: busy, promisedBy: ptr(thursdayEnd)})
		k.scan()
		for id, why := range map[int64]string{a: "ללקוח אין כתובת דואר", b: "mail to the customer's address bounces",
			c3: "the hourly limit of automatic mail is reached"} {
			s := k.stored(id)
			if s.convID == nil {
				t.Fatalf("order %d: no conversation", id)
			}
			var text string
			if err := d.R().QueryRow(k.ctx, `SELECT body_text FROM messages WHERE conversation_id = ? AND kind = 'note' ORDER BY id DESC LIMIT 1`,
				*s.convID).Scan(&text); err != nil || !strings.Contains(text, why) {
				t.Errorf("order %d: last note %q (%v), want it to say %q", id, text, err, why)
			}
		}
		if got := k.counts(); got.outbound != 0 || got.notices != 3 {
			t.Errorf("counts %+v, want no outbound message and 3 notice claims", got)
		}

		st, err := k.svc.Settings(k.ctx)
		if err != nil {
			t.Fatal(err)
		}
		st.Notify = false
		if _, err := k.svc.UpdateSettings(k.ctx, lateness.Actor, st); err != nil {
			t.Fatal(err)
		}
		c := k.order(orderRow{number: "3003", contactID: k.contact("Quiet", "quiet@example.com", "en"), promisedBy: ptr(thursdayEnd)})
		k.scan()
		if s := k.stored(c); s.convID == nil || s.lateness != lateness.Late {
			t.Errorf("notify off: %+v, want late with a conversation", s)
		}
		if got := k.counts(); got.outbound != 0 || got.notices != 3 {
			t.Errorf("notify off: counts %+v", got)
		}
	})
}

// TestScanJobBatches: with batches of 2, the scan job walks 5 overdue
// orders in 3 batches, then the closed orders still marked late (phase
// 1), and schedules the next round; every order gets one conversation.
func TestScanJobBatches(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newKit(t, d, lateness.Options{BatchSize: 2})
		k.now = time.Now().UTC().Truncate(time.Millisecond)
		promised := k.now.Add(-30 * 24 * time.Hour)
		var ids []int64
		for i := range 5 {
			c := k.contact("Customer", "b"+itoa(int64(i))+"@example.com", "en")
			ids = append(ids, k.order(orderRow{number: "B-" + itoa(int64(i)), contactID: c, promisedBy: &promised}))
		}
		// Delivered since the last scan, still marked late.
		done := k.order(orderRow{number: "B-done", contactID: k.contact("Done", "", "en"), status: "delivered", promisedBy: &promised})
		if err := d.WriteTx(k.ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(k.ctx, `UPDATE orders SET lateness = 'late', days_late = 3, late_since = ?, lateness_seq = 1 WHERE id = ?`,
				db.Ms(promised), done)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := k.svc.StartScan(k.ctx); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for k.count(`SELECT COUNT(*) FROM jobs WHERE kind = ? AND done_at IS NULL AND run_at > ?`, lateness.JobScan,
			time.Now().UnixMilli()) == 0 {
			if time.Now().After(deadline) {
				t.Fatal("the scan never reached its next round")
			}
			time.Sleep(10 * time.Millisecond)
		}
		k.settle()
		for _, id := range ids {
			if s := k.stored(id); s.lateness != lateness.Late || s.seq != 1 || s.convID == nil {
				t.Errorf("order %d: %+v", id, s)
			}
		}
		if s := k.stored(done); s.lateness != lateness.OnTime || s.daysLate != 0 || s.lateSince != nil || s.seq != 2 {
			t.Errorf("delivered order: %+v, want on time, seq 2", s)
		}
		// 3 batches of open orders (2, 2, 1), 1 of closed ones, the next round.
		if n := k.count(`SELECT COUNT(*) FROM jobs WHERE kind = ?`, lateness.JobScan); n != 5 {
			t.Errorf("%d scan jobs, want 5", n)
		}
		if n := k.count(`SELECT COUNT(*) FROM conversations WHERE order_id IS NOT NULL`); n != 5 {
			t.Errorf("%d conversations about orders, want 5", n)
		}
	})
}

// TestNoticeWithoutNumber: an order without a number is named by its
// external_id, as stored, in the notice and the conversation subject —
// never by Kesher's internal id.
func TestNoticeWithoutNumber(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newKit(t, d, lateness.Options{})
		dana := k.contact("Dana", "dana@example.com", "en")
		id := k.order(orderRow{externalID: "shopify:5938201147723", contactID: dana, promisedBy: ptr(thursdayEnd),
			shippedAt: ptr(thursdayEnd.Add(-72 * time.Hour))})
		k.scan()
		s := k.stored(id)
		if s.convID == nil {
			t.Fatalf("no conversation: %+v", s)
		}
		conv, err := k.core.Conversations.Get(k.ctx, *s.convID)
		if err != nil {
			t.Fatal(err)
		}
		if conv.Subject != "Update on order shopify:5938201147723: your delivery is delayed" {
			t.Errorf("subject %q", conv.Subject)
		}
		var body string
		if err := d.R().QueryRow(k.ctx, `SELECT m.body_text FROM order_notices n JOIN messages m ON m.id = n.message_id WHERE n.order_id = ?`,
			id).Scan(&body); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(body, "Your order shopify:5938201147723 was due") || strings.Contains(body, "order "+itoa(id)+" ") {
			t.Errorf("notice body %q", body)
		}
	})
}
