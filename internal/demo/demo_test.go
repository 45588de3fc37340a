package demo_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/kesherdesk/kesher/internal/agent"
	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/attachment"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/demo"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/jobs"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/report"
	"github.com/kesherdesk/kesher/internal/sla"
	"github.com/kesherdesk/kesher/internal/tag"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// seedNow is a Wednesday, 11:41 in Israel.
var seedNow = time.Date(2025, 3, 12, 9, 41, 0, 0, time.UTC)

// newCore builds the services on d the way app.NewCore does, with fast
// password hashing, and bootstraps the admin as `kesher serve --demo` does.
func newCore(t *testing.T, d *db.DB) *app.Core {
	t.Helper()
	log := testkit.Logger()
	c := &app.Core{DB: d, Log: log, Outbox: events.NewOutbox(), Bus: events.NewLocal(log)}
	c.Auth = auth.NewService(d, auth.NewHasher(auth.FastPasswordParams, 2), log)
	c.Agents = agent.NewService(d, c.Auth, c.Outbox)
	c.Contacts = contact.NewService(d, c.Outbox)
	c.Inboxes = inbox.NewService(d, nil)
	c.Tags = tag.NewService(d)
	c.Files = attachment.NewStore(d, t.TempDir())
	c.Conversations = conversation.NewService(d, c.Outbox, c.Inboxes, c.Files)
	c.Jobs = jobs.NewRunner(d, jobs.Options{Log: log})
	c.SLA = sla.New(d, c.Outbox, c.Conversations, c.Jobs, log)
	c.Reports = report.New(d, c.SLA, log, report.Options{})
	if _, err := c.Bootstrap(context.Background(), app.BootstrapOptions{AdminPassword: demo.AdminPassword}); err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	return c
}

func seed(t *testing.T, c *app.Core) {
	t.Helper()
	start := time.Now()
	seeded, err := demo.Seed(context.Background(), c, demo.Options{Log: testkit.Logger(), Now: seedNow})
	if err != nil || !seeded {
		t.Fatalf("Seed = %v, %v; want true, nil", seeded, err)
	}
	t.Logf("seed on %s took %v", c.DB.Dialect, time.Since(start).Round(time.Millisecond))
}

// boolTrue is the literal true in d's dialect.
func boolTrue(d *db.DB) string {
	if d.Dialect == db.Postgres {
		return "TRUE"
	}
	return "1"
}

func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.R().QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// fingerprint lists every conversation as "id subject status".
func fingerprint(t *testing.T, d *db.DB) []string {
	t.Helper()
	rows, err := d.R().Query(context.Background(), `SELECT id, subject, status FROM conversations ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id int64
		var subject, status string
		if err := rows.Scan(&id, &subject, &status); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d %s %s", id, subject, status))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSeed(t *testing.T) {
	var first []string // the first backend's desk, which every other must equal
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newCore(t, d)
		seed(t, c)

		// Desk shape.
		for _, tc := range []struct {
			what    string
			q       string
			min, mx int
		}{
			{"agents", `SELECT COUNT(*) FROM agents`, 9, 12},
			{"supervisors", `SELECT COUNT(*) FROM agents WHERE role = 'supervisor'`, 2, 2},
			{"admins", `SELECT COUNT(*) FROM agents WHERE role = 'admin'`, 1, 1},
			{"teams", `SELECT COUNT(*) FROM teams`, 3, 3},
			// Dashboard data: CSAT answers on every third solved conversation
			// and the report rollups built at seed time.
			{"csat answers", `SELECT COUNT(*) FROM survey_responses WHERE kind = 'csat'`, 100, 700},
			{"csat answers of unsolved conversations", `SELECT COUNT(*) FROM survey_responses r JOIN conversations c ON c.id = r.conversation_id WHERE c.solved_at IS NULL`, 0, 0},
			{"report rollup rows", `SELECT COUNT(*) FROM report_daily`, 30, 100000},
			{"agents without a team", `SELECT COUNT(*) FROM agents WHERE id NOT IN (SELECT agent_id FROM team_members)`, 0, 0},
			{"inboxes", `SELECT COUNT(*) FROM inboxes WHERE team_id IS NOT NULL`, 3, 3},
			// The help center: every article in Hebrew and English, linked.
			{"published public kb articles", `SELECT COUNT(*) FROM kb_articles WHERE status = 'published' AND visibility = 'public'`, 20, 20},
			{"internal kb articles", `SELECT COUNT(*) FROM kb_articles WHERE visibility = 'internal'`, 2, 2},
			{"kb translation groups with both languages", `SELECT COUNT(*) FROM (SELECT translation_id FROM kb_articles
				GROUP BY translation_id HAVING COUNT(DISTINCT language) = 2) g`, 11, 11},
			{"help center contact inbox", `SELECT COUNT(*) FROM helpcenter_settings s JOIN inboxes i ON i.id = s.contact_inbox_id
				WHERE i.channel = 'email'`, 1, 1},
			{"organizations", `SELECT COUNT(*) FROM organizations`, 3, 10},
			{"contacts", `SELECT COUNT(*) FROM contacts`, 500, 500},
			{"contacts in an organization", `SELECT COUNT(*) FROM contacts WHERE organization_id IS NOT NULL`, 20, 100},
			{"contact emails", `SELECT COUNT(DISTINCT contact_id) FROM contact_identities WHERE kind = 'email'`, 500, 500},
			{"contacts whose email is their first email identity", `SELECT COUNT(*) FROM contacts c WHERE email = (SELECT value
				FROM contact_identities i WHERE i.contact_id = c.id AND i.kind = 'email' ORDER BY i.position LIMIT 1)`, 500, 500},
			{"contact phones", `SELECT COUNT(*) FROM contact_identities WHERE kind = 'phone' AND value LIKE '+9725%'`, 200, 400},
			{"VIP contacts", `SELECT COUNT(*) FROM contacts WHERE tier = 'vip'`, 20, 65},
			{"orders", `SELECT COUNT(*) FROM orders`, 7, 7},
			{"shipped orders past their promised date", `SELECT COUNT(*) FROM orders WHERE status = 'shipped' AND promised_by < updated_at AND delivered_at IS NULL AND carrier_status = 'delayed'`, 1, 1},
			{"VIP orders", `SELECT COUNT(*) FROM orders o JOIN contacts c ON c.id = o.contact_id WHERE c.tier = 'vip'`, 2, 6},
			{"Hebrew contacts", `SELECT COUNT(*) FROM contacts WHERE language = 'he'`, 250, 350},
			{"conversations", `SELECT COUNT(*) FROM conversations`, 2000, 2000},
			{"Hebrew conversations", `SELECT COUNT(*) FROM conversations WHERE language = 'he'`, 1000, 1400},
			{"unassigned conversations", `SELECT COUNT(*) FROM conversations WHERE assignee_id IS NULL`, 1, 100},
			{"tagged conversations", `SELECT COUNT(DISTINCT conversation_id) FROM conversation_tags`, 2000, 2000},
			{"VIP-tagged conversations", `SELECT COUNT(*) FROM conversation_tags ct JOIN tags t ON t.id = ct.tag_id WHERE t.name = 'vip'`, 50, 600},
			{"internal notes", `SELECT COUNT(*) FROM messages WHERE kind = 'note' AND direction = 'internal' AND author_type = 'agent'`, 300, 2000},
			{"reopened conversations", `SELECT COUNT(*) FROM conversations WHERE reopen_count > 0`, 20, 300},
			{"outbox events", `SELECT COUNT(*) FROM event_outbox`, 0, 0},
			{"automation rules", `SELECT COUNT(*) FROM automation_rules WHERE enabled = ` + boolTrue(d), 3, 3},
			{"time rules", `SELECT COUNT(*) FROM automation_rules WHERE trigger_event = 'time' AND time_condition IS NOT NULL`, 1, 1},
			{"conversations without status_changed_at", `SELECT COUNT(*) FROM conversations WHERE status_changed_at IS NULL`, 0, 0},
			{"solved conversations whose status began when solved", `SELECT COUNT(*) FROM conversations
				WHERE status = 'solved' AND status_changed_at <> solved_at`, 0, 0},
			{"SLA policies", `SELECT COUNT(*) FROM sla_policies`, 3, 3},
			{"conversations without an SLA", `SELECT COUNT(*) FROM conversations WHERE sla_state = '' OR sla_policy_id IS NULL`, 0, 0},
			{"open conversations at risk or breached", `SELECT COUNT(*) FROM conversations WHERE status IN ('new', 'open', 'pending', 'on_hold')
				AND sla_state IN ('at_risk', 'breached')`, 5, 400},
			{"open conversations on time", `SELECT COUNT(*) FROM conversations WHERE status IN ('new', 'open', 'pending', 'on_hold')
				AND sla_state IN ('ok', 'paused')`, 5, 400},
			{"solved conversations whose SLA was met", `SELECT COUNT(*) FROM conversations WHERE status = 'solved' AND sla_state = 'met'`, 30, 2000},
			{"VIP conversations under the VIP or urgent policy", `SELECT COUNT(*) FROM conversations c JOIN contacts r ON r.id = c.requester_id
				JOIN sla_policies p ON p.id = c.sla_policy_id WHERE r.tier = 'vip' AND p.name IN ('VIP customers', 'Urgent')`, 20, 600},
			{"SLA notifications at seed", `SELECT COUNT(*) FROM notifications`, 0, 0},
			{"teams assigning automatically", `SELECT COUNT(*) FROM teams WHERE assignment_mode IN ('round_robin', 'load_balanced')`, 2, 2},
			{"round-robin teams", `SELECT COUNT(*) FROM teams WHERE assignment_mode = 'round_robin'`, 1, 1},
			{"agents with skills", `SELECT COUNT(*) FROM agents WHERE skills <> '[]'`, 4, 4},
			{"automatic teams without two online members", `SELECT COUNT(*) FROM teams t WHERE t.assignment_mode <> 'manual' AND
				(SELECT COUNT(*) FROM team_members tm JOIN agents a ON a.id = tm.agent_id WHERE tm.team_id = t.id AND a.availability = 'online') < 2`, 0, 0},
		} {
			if n := count(t, d, tc.q); n < tc.min || n > tc.mx || testing.Verbose() && strings.Contains(tc.what, "SLA") {
				if n >= tc.min && n <= tc.mx {
					t.Logf("%s = %d", tc.what, n)
					continue
				}
				t.Errorf("%s = %d, want %d..%d", tc.what, n, tc.min, tc.mx)
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM team_members tm JOIN agents a ON a.id = tm.agent_id WHERE a.email = ?`, app.DefaultAdminEmail); n < 1 {
			t.Errorf("the admin is in %d teams, want at least 1", n)
		}
		for _, email := range []string{app.DefaultAdminEmail, "noa.levi@kesher.test", "emily.rosen@kesher.test"} {
			if _, p, err := c.Auth.Login(ctx, email, demo.AdminPassword); err != nil || len(p.TeamIDs) == 0 {
				t.Errorf("login %s: %v (principal %+v); want a session and teams", email, err, p)
			}
		}
		channels := map[string]int{}
		rows, err := d.R().Query(ctx, `SELECT i.channel, COUNT(*) FROM conversations c JOIN inboxes i ON i.id = c.inbox_id GROUP BY i.channel`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var ch string
			var n int
			if err := rows.Scan(&ch, &n); err != nil {
				t.Fatal(err)
			}
			channels[ch] = n
		}
		rows.Close()
		// The website chat: a widget shown on the help center, the answer bot on.
		var chatBox inbox.Inbox
		boxes, err := c.Inboxes.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range boxes {
			if b.Channel == inbox.ChannelChat {
				chatBox = b
			}
		}
		w, ok := inbox.WidgetOf(chatBox.Settings)
		if !ok || len(w.Token) != 26 || !w.HelpCenter || w.Greeting["he"] == "" || w.Greeting["en"] == "" || w.BusinessHours != "" ||
			!slices.Contains(w.AllowedOrigins, "http://127.0.0.1:*") {
			t.Errorf("chat inbox %q widget %+v (%v)", chatBox.Name, w, ok)
		}
		if tok, err := c.Inboxes.HelpCenterWidget(ctx); err != nil || tok != w.Token {
			t.Errorf("help center widget %q (%v), want the chat inbox's %q", tok, err, w.Token)
		}
		if bs := chatBox.Bot(); !bs.Enabled || bs.Threshold < 0.3 || bs.Threshold > 0.5 || bs.MaxArticles != 3 {
			t.Errorf("chat inbox bot %+v, want enabled with a threshold of 0.3..0.5", bs)
		}
		// The stored settings pass the inbox service's own validation.
		if _, err := c.Inboxes.Update(ctx, audit.System, chatBox.ID, inbox.Patch{Settings: patch.Of(chatBox.Settings)}); err != nil {
			t.Errorf("the demo chat inbox's settings do not validate: %v", err)
		}
		for _, ch := range []string{"email", "chat", "api"} {
			if channels[ch] < 100 {
				t.Errorf("%d conversations in the %s inbox, want at least 100 (all: %v)", channels[ch], ch, channels)
			}
		}

		// The invariants the conversation service keeps. Each query counts
		// the conversations that break one.
		from, to := db.Ms(seedNow.Add(-90*24*time.Hour)), db.Ms(seedNow)
		for _, tc := range []struct{ what, q string }{
			{"message_count is the number of replies and notes", `SELECT COUNT(*) FROM conversations c WHERE message_count < 1 OR message_count !=
				(SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.kind IN ('reply', 'note'))`},
			{"first_response_at is the first agent reply", `SELECT COUNT(*) FROM conversations c WHERE COALESCE(first_response_at, -1) !=
				COALESCE((SELECT MIN(created_at) FROM messages m WHERE m.conversation_id = c.id AND m.kind = 'reply'
				AND m.direction = 'outbound' AND m.author_type = 'agent'), -1)`},
			{"last_customer_message_at is the last inbound reply", `SELECT COUNT(*) FROM conversations c WHERE COALESCE(last_customer_message_at, -1) !=
				COALESCE((SELECT MAX(created_at) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'inbound'), -1)`},
			{"last_agent_message_at is the last outbound reply", `SELECT COUNT(*) FROM conversations c WHERE COALESCE(last_agent_message_at, -1) !=
				COALESCE((SELECT MAX(created_at) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'outbound'), -1)`},
			{"updated_at is the last activity", `SELECT COUNT(*) FROM conversations c WHERE updated_at !=
				(SELECT MAX(created_at) FROM messages m WHERE m.conversation_id = c.id)`},
			{"the thread starts with the customer at created_at", `SELECT COUNT(*) FROM conversations c WHERE NOT EXISTS
				(SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'inbound' AND m.created_at = c.created_at
				AND m.id = (SELECT MIN(id) FROM messages x WHERE x.conversation_id = c.id))`},
			{"solved_at is set exactly when solved or closed", `SELECT COUNT(*) FROM conversations WHERE (solved_at IS NOT NULL) !=
				(status IN ('solved', 'closed')) OR (closed_at IS NOT NULL) != (status = 'closed')`},
			{"closed after solved", `SELECT COUNT(*) FROM conversations WHERE closed_at < solved_at`},
			{"new means unanswered", `SELECT COUNT(*) FROM conversations WHERE (status = 'new') != (first_response_at IS NULL)`},
			{"answered conversations have an assignee", `SELECT COUNT(*) FROM conversations WHERE status != 'new' AND assignee_id IS NULL`},
			{"channel is the inbox's", `SELECT COUNT(*) FROM conversations c JOIN inboxes i ON i.id = c.inbox_id WHERE c.channel != i.channel`},
			{"team is set", `SELECT COUNT(*) FROM conversations WHERE team_id IS NULL`},
			{"reopen_count counts reopen events", `SELECT COUNT(*) FROM conversations c WHERE reopen_count != (SELECT COUNT(*)
				FROM messages m WHERE m.conversation_id = c.id AND m.kind = 'event' AND m.channel_meta LIKE '%"reopened"%')`},
		} {
			if n := count(t, d, tc.q); n != 0 {
				t.Errorf("%s: %d conversations break it", tc.what, n)
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM conversations WHERE created_at <= ? OR created_at > ? OR updated_at > ?`, from, to, to); n != 0 {
			t.Errorf("%d conversations outside the last 90 days", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id
			WHERE m.created_at < c.created_at OR m.created_at > ?`, to); n != 0 {
			t.Errorf("%d messages outside their conversation's lifetime", n)
		}
		// Pending, on hold, solved and closed come from a status change in
		// the timeline (open may also come from a customer's reply).
		srows, err := d.R().Query(ctx, `SELECT c.id, c.status, (SELECT m.channel_meta FROM messages m WHERE m.conversation_id = c.id
			AND m.kind = 'event' AND m.channel_meta LIKE '%status_changed%' ORDER BY m.id DESC LIMIT 1)
			FROM conversations c WHERE c.status IN ('pending', 'on_hold', 'solved', 'closed')`)
		if err != nil {
			t.Fatal(err)
		}
		for srows.Next() {
			var id int64
			var status string
			var meta *string
			if err := srows.Scan(&id, &status, &meta); err != nil {
				t.Fatal(err)
			}
			var ev struct{ Event, From, To string }
			if meta == nil || json.Unmarshal([]byte(*meta), &ev) != nil || ev.To != status {
				t.Errorf("conversation %d is %s but its last status event is %v", id, status, meta)
			}
		}
		srows.Close()
		// The thread reads in time order when listed by id.
		mrows, err := d.R().Query(ctx, `SELECT conversation_id, created_at FROM messages ORDER BY conversation_id, id`)
		if err != nil {
			t.Fatal(err)
		}
		var prevConv, prevAt int64
		for mrows.Next() {
			var conv, at int64
			if err := mrows.Scan(&conv, &at); err != nil {
				t.Fatal(err)
			}
			if conv == prevConv && at < prevAt {
				t.Errorf("conversation %d: message at %d listed after one at %d", conv, at, prevAt)
			}
			prevConv, prevAt = conv, at
		}
		mrows.Close()

		// The mix of statuses, languages and age.
		statuses := map[string]int{}
		fp := fingerprint(t, d)
		hebrew, english := 0, 0
		for _, line := range fp {
			f := strings.Fields(line)
			statuses[f[len(f)-1]]++
			if strings.ContainsFunc(line, func(r rune) bool { return unicode.Is(unicode.Hebrew, r) }) {
				hebrew++
			} else {
				english++
			}
		}
		for _, s := range conversation.Statuses {
			if statuses[s] == 0 {
				t.Errorf("no %s conversation (statuses: %v)", s, statuses)
			}
		}
		if hebrew < 1000 || english < 600 {
			t.Errorf("%d Hebrew and %d English subjects, want about 60%% Hebrew", hebrew, english)
		}
		old := count(t, d, `SELECT COUNT(*) FROM conversations WHERE created_at < ?`, db.Ms(seedNow.Add(-14*24*time.Hour)))
		oldDone := count(t, d, `SELECT COUNT(*) FROM conversations WHERE created_at < ? AND status IN ('solved', 'closed')`,
			db.Ms(seedNow.Add(-14*24*time.Hour)))
		if oldDone*100 < old*90 {
			t.Errorf("%d of %d conversations older than two weeks are solved or closed, want at least 90%%", oldDone, old)
		}
		t.Logf("statuses %v, channels %v", statuses, channels)

		// The services read what the seed wrote, and keep working on it.
		var openID int64
		if err := d.R().QueryRow(ctx, `SELECT id FROM conversations WHERE status = 'open' ORDER BY id LIMIT 1`).Scan(&openID); err != nil {
			t.Fatal(err)
		}
		conv, err := c.Conversations.Get(ctx, openID)
		if err != nil || conv.Requester == nil || conv.Requester.Email == "" || len(conv.Tags) == 0 {
			t.Fatalf("Get(%d) = %+v, %v; want a requester with an email and tags", openID, conv, err)
		}
		msgs, err := c.Conversations.ListMessages(ctx, openID, 0, 100)
		if err != nil || len(msgs) < conv.MessageCount {
			t.Fatalf("ListMessages(%d) = %d messages, %v; want at least %d", openID, len(msgs), err, conv.MessageCount)
		}
		var agentID int64
		if err := d.R().QueryRow(ctx, `SELECT id FROM agents WHERE email = 'noa.levi@kesher.test'`).Scan(&agentID); err != nil {
			t.Fatal(err)
		}
		_, after, err := c.Conversations.AddMessage(ctx, audit.Actor{Type: "agent", ID: agentID}, openID, conversation.MessageInput{Body: "Checking.", Status: "pending"})
		if err != nil || after.MessageCount != conv.MessageCount+1 || after.Status != "pending" {
			t.Fatalf("AddMessage = %d messages, %s, %v; want %d, pending", after.MessageCount, after.Status, err, conv.MessageCount+1)
		}

		// A second seed leaves the desk alone.
		agents, contacts := count(t, d, `SELECT COUNT(*) FROM agents`), count(t, d, `SELECT COUNT(*) FROM contacts`)
		seeded, err := demo.Seed(ctx, c, demo.Options{Now: seedNow})
		if err != nil || seeded {
			t.Fatalf("second Seed = %v, %v; want false, nil", seeded, err)
		}
		if a, k, n := count(t, d, `SELECT COUNT(*) FROM agents`), count(t, d, `SELECT COUNT(*) FROM contacts`),
			count(t, d, `SELECT COUNT(*) FROM conversations`); a != agents || k != contacts || n != 2000 {
			t.Errorf("after a second Seed: %d agents, %d contacts, %d conversations; want %d, %d, 2000", a, k, n, agents, contacts)
		}

		// Determinism: another fresh store gets the same desk, and so does
		// every backend.
		var other *db.DB
		if d.Dialect == db.Postgres {
			other = testkit.Postgres(t)
		} else {
			other = testkit.SQLite(t)
		}
		seed(t, newCore(t, other))
		if got := fingerprint(t, other); !slices.Equal(got, fp) {
			t.Errorf("a second store got a different desk (%d conversations; first difference %q)", len(got), firstDiff(got, fp))
		}
		if first == nil {
			first = fp
		} else if !slices.Equal(fp, first) {
			t.Errorf("%s got a different desk than the first backend (first difference %q)", d.Dialect, firstDiff(fp, first))
		}
	})
}

func firstDiff(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return a[i] + " ≠ " + b[i]
		}
	}
	return "(lengths differ)"
}
