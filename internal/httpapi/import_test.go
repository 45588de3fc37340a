package httpapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestImportConversationsAPI: an NDJSON body imports its conversations
// (200 with counts), again changes nothing; a bad line is a 400 problem
// naming line[N].field while the good lines are imported; other content
// types are 400; agents may not import.
func TestImportConversationsAPI(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		if err := d.WriteTx(context.Background(), func(tx *db.Tx) error {
			_, err := tx.Exec(context.Background(), `INSERT INTO inboxes (name, channel, created_at, updated_at) VALUES ('History', 'email', 1, 1)`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		line := func(ext, created string) string {
			return `{"external_id":"` + ext + `","inbox":"History","requester":{"email":"h@example.com"},"created_at":"` + created +
				`","solved_at":"2025-02-01T00:00:00Z","messages":[{"direction":"inbound","body":"hi","created_at":"2025-01-10T08:00:00Z"},` +
				`{"direction":"outbound","body":"hello","created_at":"2025-01-10T09:30:00Z"}]}`
		}
		ct := []string{"Content-Type", "application/x-ndjson"}
		body := line("H-1", "2025-01-10T08:00:00Z") + "\n" + line("H-2", "2025-01-10T08:00:00Z") + "\n"
		res := k.must(200, "POST", "/api/v1/imports/conversations", k.admin, body, ct...)
		if num(res["created"]) != 2 || num(res["unchanged"]) != 0 || num(res["failed"]) != 0 {
			t.Errorf("import = %v", res)
		}
		// The import publishes no events; it marks the report day of its
		// conversations (Asia/Jerusalem 2025-01-10) stale for the rollups.
		if n := k.count(`SELECT COUNT(*) FROM report_dirty WHERE day = '2025-01-10'`); n != 1 {
			t.Errorf("report day 2025-01-10 marked %d times, want 1", n)
		}
		res = k.must(200, "POST", "/api/v1/imports/conversations", k.admin, body, ct...)
		if num(res["created"]) != 0 || num(res["unchanged"]) != 2 {
			t.Errorf("re-import = %v", res)
		}
		var fr, created int64
		if err := d.R().QueryRow(context.Background(), `SELECT first_response_at, created_at FROM conversations WHERE external_id = 'H-1'`).
			Scan(&fr, &created); err != nil || fr-created != 90*60*1000 {
			t.Errorf("first response after %d ms (%v), want 90 minutes", fr-created, err)
		}
		bad := line("H-3", "2025-01-10T08:00:00Z") + "\n" + strings.Replace(line("H-4", "2025-01-10T08:00:00Z"), "2025-01-10T09:30:00Z", "soon", 1)
		r := k.do("POST", "/api/v1/imports/conversations", k.admin, bad, ct...)
		p := r.json(t)
		list, _ := p["errors"].([]any)
		if r.status != 400 || len(list) != 1 || list[0].(map[string]any)["field"] != "line[2].messages[1].created_at" ||
			!strings.Contains(list[0].(map[string]any)["message"].(string), "line 2: messages[1].created_at: not a time") ||
			!strings.Contains(p["detail"].(string), "created 1, unchanged 0, failed 1") {
			t.Errorf("bad import: %d %s", r.status, r.body)
		}
		if n := k.count(`SELECT COUNT(*) FROM conversations`); n != 3 {
			t.Errorf("conversations = %d, want 3 (H-4 not imported)", n)
		}
		if f := k.problemField("POST", "/api/v1/imports/conversations", k.admin, map[string]any{"a": 1}); f != "Content-Type" {
			t.Errorf("JSON body: field %q", f)
		}
		_, agentTok := k.agentWithToken("Noa", "agent")
		k.must(403, "POST", "/api/v1/imports/conversations", agentTok, body, ct...)
	})
}
