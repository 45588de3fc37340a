package importer_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/importer"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// Seed makes inbox "Support" (email, id 1), team "Tier 1" and agent
// noa@example.com.
func Seed(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	err := d.WriteTx(ctx, func(tx *db.Tx) error {
		for _, q := range []string{
			`INSERT INTO teams (name, created_at, updated_at) VALUES ('Tier 1', 1, 1)`,
			`INSERT INTO inboxes (name, channel, created_at, updated_at) VALUES ('Support', 'email', 1, 1)`,
			`INSERT INTO agents (name, email, role, created_at, updated_at) VALUES ('Noa', 'noa@example.com', 'agent', 1, 1)`,
		} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// goodFile: C-1 solved, first customer message, a bot reply, an internal
// note, then the agent's reply (the first response), a CSAT answer; C-2
// closed, on the phone, with no agent reply; C-3 open with an agent
// message first.
const goodFile = `{"external_id":"C-1","inbox":"Support","subject":"איפה המשלוח?","requester":{"email":"Dana@Example.com","name":"דנה"},"assignee":"noa@example.com","team":"Tier 1","tags":["shipping","Complaint"],"status":"solved","priority":"high","created_at":"2025-03-02T08:00:00Z","solved_at":"2025-03-02T12:00:00Z","messages":[{"direction":"inbound","body":"המשלוח לא הגיע","created_at":"2025-03-02T08:00:00Z"},{"direction":"outbound","author_type":"bot","body":"קיבלנו את פנייתך","created_at":"2025-03-02T08:00:05Z"},{"direction":"internal","kind":"note","author":"noa@example.com","body":"check carrier","created_at":"2025-03-02T08:30:00Z"},{"direction":"outbound","kind":"reply","author_type":"agent","author":"noa@example.com","body":"בדקתי, יגיע מחר","created_at":"2025-03-02T11:15:00+02:00"}],"surveys":[{"kind":"csat","score":5,"comment":"תודה","responded_at":"2025-03-03T10:00:00Z"}]}

{"external_id":"C-2","inbox":1,"channel":"phone","requester":{"phone":"+972501234567","name":"Ron"},"created_at":"2025-03-05T10:00:00Z","closed_at":"2025-03-05T10:20:00Z","messages":[{"direction":"inbound","body":"call notes","created_at":"2025-03-05T10:00:00Z"}]}
{"external_id":"C-3","inbox":"1","requester":{"email":"dana@example.com"},"created_at":"2025-03-06T10:00:00Z","messages":[{"direction":"outbound","author":"gone@example.com","body":"Hi","created_at":"2025-03-06T10:01:00Z"}],"surveys":[{"kind":"nps","score":9,"responded_at":"2025-03-07T00:00:00Z"}]}
`

func ms(s string) int64 {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UnixMilli()
}

func count(t *testing.T, d *db.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := d.R().QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportConversations(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		Seed(t, d)
		s := importer.New(d)
		actor := audit.Actor{Type: "system", Name: "test"}
		res, err := s.Import(ctx, actor, strings.NewReader(goodFile))
		if err != nil {
			t.Fatal(err)
		}
		if res.Created != 3 || res.Unchanged != 0 || res.Failed != 0 {
			t.Fatalf("first import: %+v", res)
		}
		type row struct {
			status, channel, priority string
			created, updated          int64
			solved, closed, first     *int64
			lastCustomer, lastAgent   *int64
			messages, reopens         int64
			assignee, team            *int64
		}
		want := map[string]row{
			"C-1": {status: "solved", channel: "email", priority: "high", created: ms("2025-03-02T08:00:00Z"),
				updated: ms("2025-03-02T12:00:00Z"), solved: p(ms("2025-03-02T12:00:00Z")), first: p(ms("2025-03-02T09:15:00Z")),
				lastCustomer: p(ms("2025-03-02T08:00:00Z")), lastAgent: p(ms("2025-03-02T09:15:00Z")), messages: 4,
				assignee: p(1), team: p(1)},
			"C-2": {status: "closed", channel: "phone", priority: "normal", created: ms("2025-03-05T10:00:00Z"),
				updated: ms("2025-03-05T10:20:00Z"), solved: p(ms("2025-03-05T10:20:00Z")), closed: p(ms("2025-03-05T10:20:00Z")),
				lastCustomer: p(ms("2025-03-05T10:00:00Z")), messages: 1},
			"C-3": {status: "open", channel: "email", priority: "normal", created: ms("2025-03-06T10:00:00Z"),
				updated: ms("2025-03-06T10:01:00Z"), first: p(ms("2025-03-06T10:01:00Z")), lastAgent: p(ms("2025-03-06T10:01:00Z")),
				messages: 1},
		}
		for ext, w := range want {
			var g row
			if err := d.R().QueryRow(ctx, `SELECT status, channel, priority, created_at, updated_at, solved_at, closed_at,
				first_response_at, last_customer_message_at, last_agent_message_at, message_count, reopen_count, assignee_id, team_id
				FROM conversations WHERE external_id = ?`, ext).Scan(&g.status, &g.channel, &g.priority, &g.created, &g.updated,
				&g.solved, &g.closed, &g.first, &g.lastCustomer, &g.lastAgent, &g.messages, &g.reopens, &g.assignee, &g.team); err != nil {
				t.Fatal(ext, err)
			}
			if show(g) != show(w) {
				t.Errorf("%s:\n got %s\nwant %s", ext, show(g), show(w))
			}
		}
		// C-1's first response is the agent's reply at 09:15Z (11:15+02:00), not the bot's at 08:00:05.
		if n := count(t, d, `SELECT COUNT(*) FROM contacts`); n != 2 {
			t.Errorf("contacts = %d, want 2 (dana reused by C-3, ron)", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM conversation_tags`); n != 2 {
			t.Errorf("tags = %d, want 2", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM survey_responses WHERE source = 'import' AND external_id IN ('C-1#csat#0', 'C-3#nps#0')`); n != 2 {
			t.Errorf("survey responses = %d, want 2", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM messages WHERE author_id IS NULL AND author_type = 'agent'`); n != 1 {
			t.Errorf("messages by a former agent = %d, want 1", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM event_outbox`); n != 0 {
			t.Errorf("outbox events = %d, want 0 (history fires no live events)", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM conversations WHERE status_changed_at IS NOT NULL`); n != 0 {
			t.Errorf("status_changed_at set on %d imported conversations, want none (time rules must not see them)", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM conversation_sla`); n != 0 {
			t.Errorf("SLA rows = %d, want 0", n)
		}

		// Again: nothing changes.
		res, err = s.Import(ctx, actor, strings.NewReader(goodFile))
		if err != nil {
			t.Fatal(err)
		}
		if res.Created != 0 || res.Unchanged != 3 || res.Failed != 0 {
			t.Errorf("re-import: %+v", res)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM conversations`); n != 3 {
			t.Errorf("conversations after re-import = %d, want 3", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM messages`); n != 6 {
			t.Errorf("messages after re-import = %d, want 6", n)
		}
	})
}

func TestImportBadLines(t *testing.T) {
	okLine := func(ext string) string {
		return `{"external_id":"` + ext + `","inbox":"Support","requester":{"email":"x@example.com"},"created_at":"2025-01-01T00:00:00Z","messages":[{"direction":"inbound","body":"hi","created_at":"2025-01-01T00:00:00Z"}]}`
	}
	cases := []struct {
		name, line, field, msg string
	}{
		{"time", `{"external_id":"B","inbox":"Support","requester":{"email":"b@example.com"},"created_at":"2025-01-01T00:00:00Z","messages":[{"direction":"inbound","body":"a","created_at":"2025-01-01T00:00:00Z"},{"direction":"inbound","body":"b","created_at":"yesterday"}]}`, "messages[1].created_at", "not a time"},
		{"no external id", `{"inbox":"Support","requester":{"email":"b@example.com"},"created_at":"2025-01-01T00:00:00Z"}`, "external_id", "required"},
		{"unknown inbox", `{"external_id":"B","inbox":"Sales","requester":{"email":"b@example.com"},"created_at":"2025-01-01T00:00:00Z"}`, "inbox", "no such inbox"},
		{"unknown assignee", `{"external_id":"B","inbox":"Support","assignee":"who@example.com","requester":{"email":"b@example.com"},"created_at":"2025-01-01T00:00:00Z"}`, "assignee", "no agent"},
		{"score", `{"external_id":"B","inbox":"Support","requester":{"email":"b@example.com"},"created_at":"2025-01-01T00:00:00Z","surveys":[{"kind":"csat","score":7,"responded_at":"2025-01-02T00:00:00Z"}]}`, "surveys[0].score", "1–5"},
		{"solved needs time", `{"external_id":"B","inbox":"Support","requester":{"email":"b@example.com"},"status":"solved","created_at":"2025-01-01T00:00:00Z"}`, "solved_at", "required"},
		{"wrong type", `{"external_id":"B","inbox":"Support","requester":{"email":"b@example.com"},"created_at":"2025-01-01T00:00:00Z","tags":"x"}`, "tags", "must be a list"},
		{"year 9999", `{"external_id":"Y","inbox":"Support","requester":{"email":"b@example.com"},"created_at":"9999-12-31T23:59:59Z"}`, "created_at", "year must be between 1970 and 2200"},
		{"invalid UTF-8", "{\"external_id\":\"utf-\xc3\",\"inbox\":\"Support\",\"requester\":{\"email\":\"b@example.com\"},\"created_at\":\"2025-01-01T00:00:00Z\"}", "line", "not valid UTF-8"},
		{"unknown field", `{"external_id":"B","inbox":"Support","requester":{"email":"b@example.com"},"created_at":"2025-01-01T00:00:00Z","colour":1}`, "colour", "unknown field"},
		{"not json", `{"external_id":`, "", "not a JSON object"},
		{"reopen without first solve", `{"external_id":"B","inbox":"Support","requester":{"email":"b@example.com"},"created_at":"2025-01-01T00:00:00Z","solved_at":"2025-01-05T00:00:00Z","reopened_at":"2025-01-03T00:00:00Z"}`, "first_solved_at", "required with reopened_at"},
		{"reopen before first solve", `{"external_id":"B","inbox":"Support","requester":{"email":"b@example.com"},"created_at":"2025-01-01T00:00:00Z","first_solved_at":"2025-01-02T00:00:00Z","reopened_at":"2025-01-01T12:00:00Z","solved_at":"2025-01-05T00:00:00Z"}`, "reopened_at", "before first_solved_at"},
		{"solve before reopen", `{"external_id":"B","inbox":"Support","requester":{"email":"b@example.com"},"created_at":"2025-01-01T00:00:00Z","first_solved_at":"2025-01-02T00:00:00Z","reopened_at":"2025-01-06T00:00:00Z","solved_at":"2025-01-05T00:00:00Z"}`, "solved_at", "before reopened_at"},
		{"first solve after solve", `{"external_id":"B","inbox":"Support","requester":{"email":"b@example.com"},"created_at":"2025-01-01T00:00:00Z","first_solved_at":"2025-01-06T00:00:00Z","solved_at":"2025-01-05T00:00:00Z"}`, "first_solved_at", "after solved_at"},
		// A NUL character: PostgreSQL text cannot hold it (it failed the
		// database there, stopping the whole import; SQLite stored it).
		{"NUL body", `{"external_id":"B","inbox":"Support","requester":{"email":"b@example.com"},"created_at":"2025-01-01T00:00:00Z","messages":[{"direction":"inbound","body":"a\u0000b","created_at":"2025-01-01T00:00:00Z"}]}`, "messages[0].body", "NUL"},
		{"NUL subject", `{"external_id":"B","inbox":"Support","subject":"\u0000","requester":{"email":"b@example.com"},"created_at":"2025-01-01T00:00:00Z"}`, "subject", "NUL"},
		{"NUL inbox", `{"external_id":"B","inbox":"Supp\u0000ort","requester":{"email":"b@example.com"},"created_at":"2025-01-01T00:00:00Z"}`, "inbox", "NUL"},
		{"NUL survey", `{"external_id":"B","inbox":"Support","requester":{"email":"b@example.com"},"created_at":"2025-01-01T00:00:00Z","surveys":[{"kind":"csat","score":5,"comment":"\u0000","responded_at":"2025-01-02T00:00:00Z"}]}`, "surveys[0].comment", "NUL"},
		{"note direction", `{"external_id":"B","inbox":"Support","requester":{"email":"b@example.com"},"created_at":"2025-01-01T00:00:00Z","messages":[{"direction":"outbound","kind":"note","body":"x","created_at":"2025-01-01T00:00:00Z"}]}`, "messages[0].kind", "note"},
	}
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		Seed(t, d)
		s := importer.New(d)
		for i, c := range cases {
			file := okLine("A"+c.name) + "\n" + c.line + "\n" + okLine("Z"+c.name) + "\n"
			res, err := s.Import(ctx, audit.Actor{Type: "system"}, strings.NewReader(file))
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if res.Created != 2 || res.Failed != 1 || len(res.Errors) != 1 {
				t.Errorf("%s: %+v", c.name, res)
				continue
			}
			e := res.Errors[0]
			if e.Line != 2 || e.Field != c.field || !strings.Contains(e.Message, c.msg) {
				t.Errorf("%s: error %q (field %q), want line 2 field %q containing %q", c.name, e.Error(), e.Field, c.field, c.msg)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM conversations WHERE external_id = 'B'`); n != 0 {
				t.Errorf("%s: the bad line was imported", c.name)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM conversations`); n != int64(2*(i+1)) {
				t.Errorf("%s: conversations = %d, want %d", c.name, n, 2*(i+1))
			}
		}
		// The bad line's requester was not created: only x@example.com exists.
		if n := count(t, d, `SELECT COUNT(*) FROM contacts`); n != 1 {
			t.Errorf("contacts = %d, want 1", n)
		}
		e := importer.LineError{Line: 12, Field: "messages[3].created_at", Message: "not a time"}
		if e.Error() != "line 12: messages[3].created_at: not a time" {
			t.Errorf("LineError = %q", e.Error())
		}
	})
}

func p(v int64) *int64 { return &v }

func show(v any) string { return strings.ReplaceAll(fmtAny(v), "\n", " ") }

// TestImportReopenTimes: first_solved_at / reopened_at are stored for first
// contact resolution; without them a solved conversation's first solve is
// its solved_at. Times in ms: 2025-01-02T00:00Z = 1735776000000,
// 2025-01-04T00:00Z = 1735948800000, 2025-01-05T00:00Z = 1736035200000.
func TestImportReopenTimes(t *testing.T) {
	file := `{"external_id":"R","inbox":"Support","requester":{"email":"r@example.com"},"created_at":"2025-01-01T00:00:00Z","first_solved_at":"2025-01-02T00:00:00Z","reopened_at":"2025-01-04T00:00:00Z","solved_at":"2025-01-05T00:00:00Z"}
{"external_id":"S","inbox":"Support","requester":{"email":"r@example.com"},"created_at":"2025-01-01T00:00:00Z","solved_at":"2025-01-05T00:00:00Z"}
{"external_id":"O","inbox":"Support","requester":{"email":"r@example.com"},"status":"open","created_at":"2025-01-01T00:00:00Z","first_solved_at":"2025-01-02T00:00:00Z","reopened_at":"2025-01-04T00:00:00Z"}
`
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		Seed(t, d)
		res, err := importer.New(d).Import(ctx, audit.Actor{Type: "system"}, strings.NewReader(file))
		if err != nil || res.Created != 3 {
			t.Fatalf("import: %+v %v", res, err)
		}
		for _, c := range []struct {
			ext                string
			firstSolved, reopn *int64
			reopens            int
		}{
			{"R", i64(1735776000000), i64(1735948800000), 1},
			{"S", i64(1736035200000), nil, 0},
			{"O", i64(1735776000000), i64(1735948800000), 1},
		} {
			var fs, fr *int64
			var n int
			if err := d.R().QueryRow(ctx, `SELECT first_solved_at, first_reopened_at, reopen_count FROM conversations WHERE external_id = ?`,
				c.ext).Scan(&fs, &fr, &n); err != nil {
				t.Fatal(err)
			}
			if !sameI64(fs, c.firstSolved) || !sameI64(fr, c.reopn) || n != c.reopens {
				t.Errorf("%s: first_solved %v first_reopened %v reopens %d", c.ext, fs, fr, n)
			}
		}
	})
}

func i64(v int64) *int64 { return &v }

func sameI64(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
