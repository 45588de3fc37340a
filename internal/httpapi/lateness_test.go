package httpapi_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestLatenessSettingsAPI: every agent reads the late-delivery settings
// (defaults until saved), only admins change them, and bad values are
// 400s naming the field.
func TestLatenessSettingsAPI(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		ctx := context.Background()
		_, agentTok := k.agentWithToken("Noa", "agent")
		const path = "/api/v1/commerce/lateness-settings"

		got := k.must(200, "GET", path, agentTok, nil)
		want := map[string]any{"enabled": true, "calendar": "il", "unit": "business_days", "notice_inbox_id": float64(0),
			"scan_interval_minutes": float64(15), "notify": true, "min_transit_business_days": float64(1)}
		for f, v := range want {
			if got[f] != v {
				t.Errorf("default %s = %v, want %v", f, got[f], v)
			}
		}
		if r := k.do("PUT", path, agentTok, want); r.status != 403 {
			t.Errorf("agent PUT: status %d, want 403", r.status)
		}

		mail, err := k.core.Inboxes.Create(ctx, audit.System, inbox.Input{Name: "Support", Channel: "email", Address: "s@kesher.test"})
		if err != nil {
			t.Fatal(err)
		}
		chat, err := k.core.Inboxes.Create(ctx, audit.System, inbox.Input{Name: "Chat", Channel: "chat"})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"calendar": "nowhere"}, "calendar"},
			{map[string]any{"unit": "weeks"}, "unit"},
			{map[string]any{"scan_interval_minutes": 0}, "scan_interval_minutes"},
			{map[string]any{"scan_interval_minutes": 1441}, "scan_interval_minutes"},
			{map[string]any{"min_transit_business_days": -1}, "min_transit_business_days"},
			{map[string]any{"notice_inbox_id": chat.ID}, "notice_inbox_id"},
			{map[string]any{"notice_inbox_id": 999999}, "notice_inbox_id"},
			{map[string]any{"colour": "red"}, "colour"},
		} {
			if f := fieldOf(t, k.do("PUT", path, k.admin, c.body)); f != c.field {
				t.Errorf("PUT %v: error names %q, want %q", c.body, f, c.field)
			}
		}
		put := k.must(200, "PUT", path, k.admin, map[string]any{"enabled": true, "calendar": "il", "unit": "calendar_days",
			"notice_inbox_id": mail.ID, "scan_interval_minutes": 5, "notify": false})
		got = k.must(200, "GET", path, agentTok, nil)
		for _, m := range []map[string]any{put, got} {
			if m["unit"] != "calendar_days" || num(m["notice_inbox_id"]) != mail.ID || num(m["scan_interval_minutes"]) != 5 ||
				m["notify"] != false || num(m["min_transit_business_days"]) != 1 {
				t.Errorf("stored settings %v", m)
			}
		}
		var n int
		if err := d.R().QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'commerce.lateness_settings'`).Scan(&n); err != nil || n != 1 {
			t.Errorf("%d audit entries (%v), want 1", n, err)
		}
	})
}

// TestConversationOrderID: a conversation may be linked to an order on
// creation and by PATCH (set, then cleared); an unknown order is a 400
// naming order_id.
func TestConversationOrderID(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		ctx := context.Background()
		box, err := k.core.Inboxes.Create(ctx, audit.System, inbox.Input{Name: "API", Channel: "api"})
		if err != nil {
			t.Fatal(err)
		}
		conv, _, err := k.core.Conversations.Create(ctx, audit.System, conversation.CreateInput{InboxID: box.ID, Subject: "Where is it?",
			Requester: conversation.RequesterInput{Name: "Dana", Email: "dana@example.com"},
			Message:   &conversation.MessageInput{Direction: "inbound", Body: "My order has not arrived."}})
		if err != nil {
			t.Fatal(err)
		}
		var orderID int64
		if err := d.WriteTx(ctx, func(tx *db.Tx) error {
			var err error
			orderID, err = tx.InsertID(ctx, `INSERT INTO orders (external_id, number, contact_id, status, placed_at, created_at, updated_at)
				VALUES ('A-1', '1001', ?, 'paid', 0, 0, 0)`, conv.RequesterID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		path := "/api/v1/conversations/" + strconv.FormatInt(conv.ID, 10)
		if got := k.must(200, "GET", path, k.admin, nil); got["order_id"] != nil {
			t.Errorf("order_id before linking: %v", got["order_id"])
		}
		if f := fieldOf(t, k.do("PATCH", path, k.admin, map[string]any{"order_id": 999999})); f != "order_id" {
			t.Errorf("unknown order: error names %q", f)
		}
		if got := k.must(200, "PATCH", path, k.admin, map[string]any{"order_id": orderID}); num(got["order_id"]) != orderID {
			t.Errorf("after PATCH: order_id %v, want %d", got["order_id"], orderID)
		}
		if got := k.must(200, "PATCH", path, k.admin, map[string]any{"order_id": nil}); got["order_id"] != nil {
			t.Errorf("after clearing: order_id %v", got["order_id"])
		}
		created := k.must(201, "POST", "/api/v1/conversations", k.admin, map[string]any{"inbox_id": box.ID, "subject": "About 1001",
			"requester": map[string]any{"id": conv.RequesterID}, "order_id": orderID,
			"message": map[string]any{"direction": "inbound", "body": "Order 1001?"}})
		c, _ := created["conversation"].(map[string]any)
		if c == nil {
			c = created
		}
		if num(c["order_id"]) != orderID {
			t.Errorf("created with order_id %v, want %d: %v", c["order_id"], orderID, created)
		}
		if f := fieldOf(t, k.do("POST", "/api/v1/conversations", k.admin, map[string]any{"inbox_id": box.ID,
			"requester": map[string]any{"id": conv.RequesterID}, "order_id": 999999,
			"message": map[string]any{"direction": "inbound", "body": "?"}})); f != "order_id" {
			t.Errorf("create with unknown order: error names %q", f)
		}
	})
}

// TestLatenessScanNowAPI: an admin's "scan now" opens one late-delivery
// conversation for an order whose promised date has passed; a second scan
// opens nothing and sends nothing; agents may not run it.
func TestLatenessScanNowAPI(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		ctx := context.Background()
		_, agentTok := k.agentWithToken("Noa", "agent")
		if _, err := k.core.Inboxes.Create(ctx, audit.System, inbox.Input{Name: "Support", Channel: "email", Address: "s@kesher.test"}); err != nil {
			t.Fatal(err)
		}
		order := k.must(201, "POST", "/api/v1/orders", k.admin, map[string]any{
			"external_id": "SCAN-1", "number": "1001", "status": "shipped", "total_minor": 25900,
			"placed_at": "2026-01-01T08:00:00Z", "promised_by": "2026-01-05",
			"customer": map[string]any{"email": "dana@example.com", "name": "Dana"}})
		if r := k.do("POST", "/api/v1/commerce/lateness-scan", agentTok, nil); r.status != 403 {
			t.Errorf("agent scan: status %d, want 403", r.status)
		}
		first := k.must(200, "POST", "/api/v1/commerce/lateness-scan", k.admin, nil)
		if first["evaluated"] != float64(1) || first["changed"] != float64(1) || first["conversations_opened"] != float64(1) {
			t.Errorf("first scan = %v, want 1 evaluated, 1 changed, 1 conversation", first)
		}
		got := k.must(200, "GET", "/api/v1/orders/"+strconv.FormatInt(int64(order["id"].(float64)), 10), k.admin, nil)
		if got["lateness"] != "late" || got["conversation_id"] == nil {
			t.Errorf("order after scan: lateness %v, conversation %v", got["lateness"], got["conversation_id"])
		}
		again := k.must(200, "POST", "/api/v1/commerce/lateness-scan", k.admin, nil)
		want := map[string]any{"evaluated": float64(1), "changed": float64(0), "conversations_opened": float64(0), "notices": float64(0)}
		for f, v := range want {
			if again[f] != v {
				t.Errorf("second scan %s = %v, want %v", f, again[f], v)
			}
		}
		var convs int
		if err := d.R().QueryRow(ctx, `SELECT COUNT(*) FROM conversations WHERE order_id = ?`, int64(order["id"].(float64))).Scan(&convs); err != nil || convs != 1 {
			t.Errorf("conversations of the order = %d (%v), want 1", convs, err)
		}
	})
}
