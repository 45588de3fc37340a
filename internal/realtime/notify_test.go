package realtime_test

import (
	"context"
	"testing"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/notification"
	"github.com/kesherdesk/kesher/internal/realtime"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestNotificationPush: a new notification reaches every socket of its
// agent, and only theirs.
func TestNotificationPush(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, realtime.Options{})
		noaID, noaTok := k.agentWithToken("Noa", "agent")
		liorID, liorTok := k.agentWithToken("Lior", "agent")
		noa1, noa2 := k.connect(noaTok, noaID), k.connect(noaTok, noaID)
		lior := k.connect(liorTok, liorID)
		notify := func(agentID int64, kind string, data map[string]any) int64 {
			t.Helper()
			var id int64
			err := d.WriteTx(context.Background(), func(tx *db.Tx) error {
				var err error
				id, err = notification.CreateTx(context.Background(), tx, k.core.Outbox, notification.Notification{AgentID: agentID, Kind: kind, Data: data})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		id := notify(noaID, notification.KindSLAWarning, map[string]any{"target": "first_response"})
		for _, c := range []*client{noa1, noa2} {
			f := c.next()
			n, _ := f["notification"].(map[string]any)
			if f["type"] != "notification" || n == nil || num(n["id"]) != id || n["kind"] != "sla.warning" || num(n["agent_id"]) != noaID ||
				n["data"].(map[string]any)["target"] != "first_response" || n["read_at"] != nil {
				t.Fatalf("notification frame: %v", f)
			}
		}
		// Lior's first frame is his own notification, not Noa's.
		lid := notify(liorID, notification.KindRule, map[string]any{"rule_name": "VIP"})
		if f := lior.next(); f["type"] != "notification" || num(f["notification"].(map[string]any)["id"]) != lid {
			t.Fatalf("lior's frame: %v, want notification %d", f, lid)
		}
	})
}
