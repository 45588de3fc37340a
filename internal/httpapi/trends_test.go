package httpapi_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestTrendsAPI: imported history with a rising word shows it as a topic
// with the statistic named; a bad period is 400 naming the field; agents
// may not read it.
func TestTrendsAPI(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		if err := d.WriteTx(context.Background(), func(tx *db.Tx) error {
			_, err := tx.Exec(context.Background(), `INSERT INTO inboxes (name, channel, created_at, updated_at) VALUES ('History', 'email', 1, 1)`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		body := ""
		for i := range 6 {
			body += fmt.Sprintf(`{"external_id":"T-%d","inbox":"History","subject":"Refund for broken kettle","requester":{"email":"t%d@example.com"},"created_at":"2025-03-0%dT10:00:00Z","messages":[{"direction":"inbound","body":"The kettle arrived broken","created_at":"2025-03-0%dT10:00:00Z"}]}`+"\n",
				i, i, i+1, i+1)
		}
		k.must(200, "POST", "/api/v1/imports/conversations", k.admin, body, "Content-Type", "application/x-ndjson")
		res := k.must(200, "GET", "/api/v1/reports/trends?from=2025-03-01&to=2025-03-08", k.admin, nil)
		topics, _ := res["topics"].([]any)
		found := false
		for _, tp := range topics {
			m := tp.(map[string]any)
			if m["kind"] == "word" && m["term"] == "kettle" {
				found = num(m["count"]) == 6 && m["score"] == 6.0
			}
		}
		if res["statistic"] != "poisson_z" || num(res["conversations"]) != 6 || !found {
			t.Errorf("trends = %v", res)
		}
		if f := k.problemField("GET", "/api/v1/reports/trends?from=2025-03-01", k.admin, nil); f != "to" {
			t.Errorf("no to: field %q", f)
		}
		// The dashboard filters narrow the conversations: all six are email
		// conversations of the History inbox, none is chat.
		var inboxID int64
		if err := d.R().QueryRow(context.Background(), `SELECT id FROM inboxes WHERE name = 'History'`).Scan(&inboxID); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			query string
			n     int
		}{{fmt.Sprintf("&inbox=%d&channel=email", inboxID), 6}, {"&channel=chat", 0}} {
			res := k.must(200, "GET", "/api/v1/reports/trends?from=2025-03-01&to=2025-03-08"+c.query, k.admin, nil)
			if topics, _ := res["topics"].([]any); num(res["conversations"]) != int64(c.n) || (c.n == 0) != (len(topics) == 0) {
				t.Errorf("trends%s: %d conversations, %d topics; want %d", c.query, int(num(res["conversations"])), len(topics), c.n)
			}
		}
		for q, field := range map[string]string{"&channel=fax": "channel", "&agent=999999": "agent", "&team=x": "team", "&inbox=999999": "inbox"} {
			if f := k.problemField("GET", "/api/v1/reports/trends?from=2025-03-01&to=2025-03-08"+q, k.admin, nil); f != field {
				t.Errorf("trends%s: field %q, want %q", q, f, field)
			}
		}
		_, agentTok := k.agentWithToken("Noa", "agent")
		k.must(403, "GET", "/api/v1/reports/trends?from=2025-03-01&to=2025-03-08", agentTok, nil)
	})
}
