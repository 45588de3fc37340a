package httpapi_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestCreateSolvedConversationAPI: POST /api/v1/conversations with status
// solved and the customer's message answers a solved conversation (not
// reopened by its own first message: reopen_count 0, solved_at set), and
// in an inbox with CSAT on it gets its CSAT invitation once the events are
// delivered, like one solved later.
func TestCreateSolvedConversationAPI(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		ctx := context.Background()
		t.Cleanup(k.core.Surveys.Subscribe(k.core.Bus))
		box := num(k.must(201, "POST", "/api/v1/inboxes", k.admin, map[string]any{"name": "Phone log", "channel": "email",
			"address": "support@kesher.test"})["id"])
		k.must(200, "PUT", "/api/v1/inboxes/"+strconv.FormatInt(box, 10)+"/survey-settings", k.admin, map[string]any{"csat_enabled": true, "ces_enabled": false,
			"delay_minutes": 0})
		c := k.must(201, "POST", "/api/v1/conversations", k.admin, map[string]any{"inbox_id": box, "subject": "called about the order",
			"status": "solved", "requester": map[string]any{"email": "dana@example.com"},
			"message": map[string]any{"direction": "inbound", "body": "where is my order?"}})
		if c["status"] != "solved" || c["solved_at"] == nil || num(c["reopen_count"]) != 0 {
			t.Errorf("created = status %v, solved_at %v, reopen_count %v; want solved, set, 0", c["status"], c["solved_at"], c["reopen_count"])
		}
		disp := events.NewDispatcher(d, k.core.Outbox, k.core.Bus, testkit.Logger())
		for {
			n, err := disp.DeliverOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
		}
		if n := k.count(`SELECT COUNT(*) FROM survey_invitations WHERE conversation_id = ? AND kind = 'csat' AND status = 'scheduled'`,
			num(c["id"])); n != 1 {
			t.Errorf("%d scheduled CSAT invitations, want 1", n)
		}
	})
}
