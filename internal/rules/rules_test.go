package rules_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/agent"
	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/automation"
	"github.com/kesherdesk/kesher/internal/canned"
	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/rules"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// desk is one store with a core whose rules runner listens on its bus.
type desk struct {
	t     *testing.T
	ctx   context.Context
	d     *db.DB
	core  *app.Core
	disp  *events.Dispatcher
	unsub func()
	inbox int64
	n     int
	opts  app.CoreOptions
}

func newDesk(t *testing.T, d *db.DB, opts app.CoreOptions) *desk {
	t.Helper()
	opts.Password = auth.FastPasswordParams
	opts.Store = db.Options{DataDir: t.TempDir()}
	k := &desk{t: t, ctx: context.Background(), d: d, opts: opts}
	k.start()
	box, err := k.core.Inboxes.Create(k.ctx, audit.System, inbox.Input{Name: "API", Channel: "api"})
	if err != nil {
		t.Fatal(err)
	}
	k.inbox = box.ID
	return k
}

// start builds a fresh core on the same store, as a restarted process would.
func (k *desk) start() {
	if k.unsub != nil {
		k.unsub()
	}
	log := testkit.Logger()
	k.core = app.NewCoreFromDB(k.d, k.opts, log)
	k.unsub = k.core.Rules.Subscribe(k.core.Bus)
	k.disp = events.NewDispatcher(k.d, k.core.Outbox, k.core.Bus, log)
}

// deliver runs the dispatcher until the outbox is empty.
func (k *desk) deliver() {
	k.t.Helper()
	for range 100 {
		n, err := k.disp.DeliverOnce(k.ctx)
		if err != nil {
			k.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	k.t.Fatal("outbox never drained")
}

func (k *desk) rule(r rules.Input) rules.Rule {
	k.t.Helper()
	out, err := k.core.Rules.Create(k.ctx, audit.System, r)
	if err != nil {
		k.t.Fatalf("create rule %q: %v", r.Name, err)
	}
	return out
}

// conv opens a conversation with an inbound message and delivers its
// events (running the rules).
func (k *desk) conv(subject, body, email string) conversation.Conversation {
	k.t.Helper()
	k.n++
	if email == "" {
		email = fmt.Sprintf("c%d@example.com", k.n)
	}
	c, _, err := k.core.Conversations.Create(k.ctx, audit.System, conversation.CreateInput{InboxID: k.inbox, Subject: subject,
		Requester: conversation.RequesterInput{Name: "Noa Levi", Email: email},
		Message:   &conversation.MessageInput{Direction: conversation.DirectionInbound, Body: body}})
	if err != nil {
		k.t.Fatal(err)
	}
	k.deliver()
	return k.get(c.ID)
}

func (k *desk) get(id int64) conversation.Conversation {
	k.t.Helper()
	c, err := k.core.Conversations.Get(k.ctx, id)
	if err != nil {
		k.t.Fatal(err)
	}
	return c
}

func (k *desk) update(id int64, p conversation.Patch) {
	k.t.Helper()
	if _, err := k.core.Conversations.Update(k.ctx, audit.Actor{Type: "system"}, id, p); err != nil {
		k.t.Fatal(err)
	}
	k.deliver()
}

func (k *desk) count(q string, args ...any) int {
	k.t.Helper()
	var n int
	if err := k.d.R().QueryRow(k.ctx, q, args...).Scan(&n); err != nil {
		k.t.Fatal(err)
	}
	return n
}

// ruleAudit returns "action rule-id" for each audit entry of conversation
// id written by an automation rule, in order.
func (k *desk) ruleAudit(id int64) []string {
	k.t.Helper()
	es, err := audit.List(k.ctx, k.d.R(), "conversation", id, 1000)
	if err != nil {
		k.t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		if e.Actor.Type == "automation" && e.Action != "conversation.updated" {
			out = append(out, fmt.Sprintf("%s %d %s", e.Action, e.Actor.ID, e.Actor.Name))
		}
	}
	return out
}

func cond(field, op string, v any) automation.Condition {
	return automation.Condition{Field: field, Op: op, Value: v}
}

func act(typ string, v any) automation.Action { return automation.Action{Type: typ, Value: v} }

func TestValidationNamesTheField(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, app.CoreOptions{})
		_, err := k.core.Rules.Create(k.ctx, audit.System, rules.Input{Name: "x", Trigger: "conversation.created",
			Conditions: automation.Conditions{All: []automation.Condition{cond("tags", "is", "x")}},
			Actions:    []automation.Action{act("set_priority", "high")}})
		var ve *errs.ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "conditions.all[0].op" {
			t.Fatalf("err = %v, want conditions.all[0].op", err)
		}
		if n := k.count(`SELECT COUNT(*) FROM automation_rules`); n != 0 {
			t.Fatalf("%d rules stored after a failed create", n)
		}
	})
}

// TestLoopProtection: A raises priority when tagged x, B tags x when
// priority is high and lowers it again… Each rule's change triggers the
// other; the origin chain stops the ping-pong, and the audit log shows
// every step with its rule.
func TestLoopProtection(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, app.CoreOptions{})
		// B runs first, so within one evaluation it never sees A's change:
		// the ping-pong goes through events.
		b := k.rule(rules.Input{Name: "B: high → x", Trigger: automation.TriggerConversationUpdated,
			Conditions: automation.Conditions{All: []automation.Condition{cond("priority", "is", "high")}},
			Actions:    []automation.Action{act("add_tags", []any{"x"}), act("set_priority", "normal")}})
		a := k.rule(rules.Input{Name: "A: x → high", Trigger: automation.TriggerConversationUpdated,
			Conditions: automation.Conditions{All: []automation.Condition{cond("tags", "contains", "x")}},
			Actions:    []automation.Action{act("set_priority", "high"), act("remove_tags", []any{"x"})}})
		c := k.conv("Loop", "hello", "")
		k.update(c.ID, conversation.Patch{AddTags: []string{"x"}})

		got := k.ruleAudit(c.ID)
		want := []string{
			fmt.Sprintf("automation.set_priority %d A: x → high", a.ID),
			fmt.Sprintf("automation.remove_tags %d A: x → high", a.ID),
			fmt.Sprintf("automation.add_tags %d B: high → x", b.ID),
			fmt.Sprintf("automation.set_priority %d B: high → x", b.ID),
		}
		if !slices.Equal(got, want) {
			t.Fatalf("rule audit = %q\nwant %q", got, want)
		}
		// B's change triggered conversation.updated with origin [A, B]: A
		// and B are both in it, so nothing else ran; the outbox is empty.
		if n := k.count(`SELECT COUNT(*) FROM event_outbox`); n != 0 {
			t.Fatalf("%d events left", n)
		}
		final := k.get(c.ID)
		if final.Priority != "normal" || !slices.Equal(final.Tags, []string{"x"}) {
			t.Fatalf("final = %s %v", final.Priority, final.Tags)
		}
		// The timeline names the rules.
		msgs, err := k.core.Conversations.ListMessages(k.ctx, c.ID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, m := range msgs {
			if m.Kind == conversation.KindEvent && m.ChannelMeta["rule_name"] != nil {
				names = append(names, fmt.Sprint(m.ChannelMeta["event"], " ", m.ChannelMeta["rule_name"]))
			}
		}
		if len(names) != 4 || names[0] != "priority_changed A: x → high" || names[3] != "tags_changed B: high → x" {
			t.Fatalf("timeline = %q", names)
		}
	})
}

// TestChainLimit: rules that each react to the previous one's tag stop
// after automation.MaxChain applications.
func TestChainLimit(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, app.CoreOptions{})
		for i := range 8 {
			k.rule(rules.Input{Name: fmt.Sprintf("step %d", i), Trigger: automation.TriggerConversationUpdated,
				Conditions: automation.Conditions{All: []automation.Condition{cond("tags", "contains", fmt.Sprintf("s%d", i))}},
				Actions:    []automation.Action{act("add_tags", []any{fmt.Sprintf("s%d", i+1)})}})
		}
		c := k.conv("Chain", "hello", "")
		k.update(c.ID, conversation.Patch{AddTags: []string{"s0"}})
		got := k.get(c.ID).Tags
		if want := []string{"s0", "s1", "s2", "s3", "s4", "s5"}; !slices.Equal(got, want) {
			t.Fatalf("tags = %v, want %v (chain of %d)", got, want, automation.MaxChain)
		}
	})
}

// TestOrdering: the later rule on the same trigger sees the earlier rule's
// change; reordering swaps that.
func TestOrdering(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, app.CoreOptions{})
		first := k.rule(rules.Input{Name: "Refunds are high", Trigger: automation.TriggerConversationCreated,
			Conditions: automation.Conditions{Any: []automation.Condition{cond("message_text", "contains", "החזר"), cond("message_text", "contains", "refund")}},
			Actions:    []automation.Action{act("set_priority", "high")}})
		second := k.rule(rules.Input{Name: "High gets escalated", Trigger: automation.TriggerConversationCreated,
			Conditions: automation.Conditions{All: []automation.Condition{cond("priority", "is", "high")}},
			Actions:    []automation.Action{act("add_tags", []any{"escalated"})}})
		c := k.conv("כסף", "אני רוצה החזר כספי", "")
		if c.Priority != "high" || !slices.Equal(c.Tags, []string{"escalated"}) {
			t.Fatalf("conversation = %s %v", c.Priority, c.Tags)
		}
		if err := k.core.Rules.Reorder(k.ctx, audit.System, rules.ReorderInput{IDs: []int64{second.ID, first.ID}}); err != nil {
			t.Fatal(err)
		}
		c = k.conv("Refund", "I want a REFUND please", "")
		if c.Priority != "high" || len(c.Tags) != 0 {
			t.Fatalf("after reorder = %s %v, want high without the tag", c.Priority, c.Tags)
		}
		c = k.conv("Hello", "just a question", "")
		if c.Priority != "normal" || len(c.Tags) != 0 {
			t.Fatalf("unrelated = %s %v", c.Priority, c.Tags)
		}
	})
}

// TestActions: every action type does its work in one transaction and is
// audited with its rule.
func TestActions(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, app.CoreOptions{})
		dana, err := k.core.Agents.Create(k.ctx, audit.System, agent.Input{Name: "Dana Cohen", Email: "dana@kesher.test"})
		if err != nil {
			t.Fatal(err)
		}
		omer, err := k.core.Agents.Create(k.ctx, audit.System, agent.Input{Name: "Omer", Email: "omer@kesher.test"})
		if err != nil {
			t.Fatal(err)
		}
		team, err := k.core.Agents.CreateTeam(k.ctx, audit.System, agent.TeamInput{Name: "Billing", AgentIDs: []int64{dana.ID, omer.ID}})
		if err != nil {
			t.Fatal(err)
		}
		cr, err := k.core.Canned.Create(k.ctx, audit.System, canned.Scope{All: true}, canned.Input{Title: "Got it",
			Body: "Hi {{contact.first_name}}, we got #{{conversation.number}}. {{agent.first_name}}"})
		if err != nil {
			t.Fatal(err)
		}
		r := k.rule(rules.Input{Name: "Billing intake", Trigger: automation.TriggerMessageReceived,
			Conditions: automation.Conditions{All: []automation.Condition{cond("message_text", "contains", "invoice")}},
			Actions: []automation.Action{act("set_team", float64(team.ID)), act("assign", float64(dana.ID)), act("add_note", "Invoice question"),
				act("send_canned", float64(cr.ID)), act("notify", "team"), act("notify", fmt.Sprintf("agent:%d", omer.ID))}})
		c := k.conv("Invoice", "Where is my invoice?", "")
		if c.TeamIDOr0() != team.ID || c.AssigneeIDOr0() != dana.ID || c.Status != conversation.StatusOpen {
			t.Fatalf("conversation = team %v assignee %v status %s", c.TeamID, c.AssigneeID, c.Status)
		}
		msgs, err := k.core.Conversations.ListMessages(k.ctx, c.ID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var note, reply *conversation.Message
		for i, m := range msgs {
			switch {
			case m.Kind == conversation.KindNote:
				note = &msgs[i]
			case m.Kind == conversation.KindReply && m.Direction == conversation.DirectionOutbound:
				reply = &msgs[i]
			}
		}
		if note == nil || note.BodyText != "Invoice question" || note.AuthorType != "system" || note.ChannelMeta["rule_name"] != "Billing intake" {
			t.Fatalf("note = %+v", note)
		}
		// The note and reply run before the assignment, so {{agent}} is empty.
		want := fmt.Sprintf("Hi Noa, we got #%d.", c.ID)
		if reply == nil || reply.BodyText != want || reply.AuthorType != "system" {
			t.Fatalf("reply = %+v, want %q", reply, want)
		}
		if n := k.count(`SELECT COUNT(*) FROM notifications WHERE kind = 'rule.notify' AND conversation_id = ? AND agent_id = ?`, c.ID, dana.ID); n != 1 {
			t.Errorf("dana has %d notifications, want 1", n)
		}
		if n := k.count(`SELECT COUNT(*) FROM notifications WHERE kind = 'rule.notify' AND conversation_id = ? AND agent_id = ?`, c.ID, omer.ID); n != 2 {
			t.Errorf("omer has %d notifications, want 2 (team and agent:)", n)
		}
		if n := k.count(`SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND kind = 'event' AND body_text LIKE 'rule_notified%'`, c.ID); n != 2 {
			t.Errorf("%d rule_notified timeline events, want 2", n)
		}
		got := k.ruleAudit(c.ID)
		var want2 []string
		for _, a := range []string{"set_team", "assign", "add_note", "send_canned", "notify", "notify"} {
			want2 = append(want2, fmt.Sprintf("automation.%s %d Billing intake", a, r.ID))
		}
		if !slices.Equal(got, want2) {
			t.Fatalf("audit = %q\nwant %q", got, want2)
		}
		// The per-action entries record the team and assignee: no
		// conversation.updated entry by the rule duplicates them (the
		// reply's own status change, new → open, is audited as a reply's is).
		es, _ := audit.List(k.ctx, k.d.R(), "conversation", c.ID, 100)
		for _, e := range es {
			_, team := e.Changes["team_id"]
			_, assignee := e.Changes["assignee_id"]
			if e.Action == "conversation.updated" && e.Actor.Type == "automation" && (team || assignee) {
				t.Fatalf("conversation.updated audit entry by the rule: %+v", e)
			}
		}
	})
}

// TestRuleAuditShape: one tag change by a rule is exactly one audit entry,
// "automation.add_tags" by the rule with the tags' from and to, whatever
// the trigger.
func TestRuleAuditShape(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		for _, trigger := range []string{automation.TriggerConversationCreated, automation.TriggerMessageReceived, automation.TriggerConversationUpdated} {
			t.Run(trigger, func(t *testing.T) {
				k := newDesk(t, d, app.CoreOptions{})
				tagName := "rule-" + strings.ReplaceAll(trigger, ".", "-")
				r := k.rule(rules.Input{Name: "Tagger " + trigger, Trigger: trigger,
					Conditions: automation.Conditions{All: []automation.Condition{cond("subject", "contains", "audit-shape-"+trigger)}},
					Actions:    []automation.Action{act("add_tags", []any{tagName})}})
				c := k.conv("audit-shape-"+trigger, "hello", "")
				if trigger == automation.TriggerConversationUpdated {
					k.update(c.ID, conversation.Patch{Priority: patch.Of("high")})
				}
				if got := k.get(c.ID); !slices.Contains(got.Tags, tagName) {
					t.Fatalf("tags = %v", got.Tags)
				}
				es, err := audit.List(k.ctx, k.d.R(), "conversation", c.ID, 100)
				if err != nil {
					t.Fatal(err)
				}
				var byRule []audit.Entry
				for _, e := range es {
					if e.Actor.Type == "automation" {
						byRule = append(byRule, e)
					}
				}
				if len(byRule) != 1 || byRule[0].Action != "automation.add_tags" || byRule[0].Actor.ID != r.ID {
					t.Fatalf("audit entries by the rule = %+v, want one automation.add_tags", byRule)
				}
				ch, ok := byRule[0].Changes["tags"]
				if !ok || !strings.Contains(fmt.Sprint(ch.To), tagName) {
					t.Fatalf("changes = %+v", byRule[0].Changes)
				}
			})
		}
	})
}

// TestWebhook: a webhook action becomes a durable job that posts
// {rule_id, event, conversation}, signed, and is retried after a failure.
func TestWebhook(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		var mu sync.Mutex
		var bodies [][]byte
		var sigs []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			defer mu.Unlock()
			bodies = append(bodies, b)
			sigs = append(sigs, r.Header.Get(rules.SignatureHeader))
			if len(bodies) == 1 {
				http.Error(w, "busy", http.StatusServiceUnavailable)
			}
		}))
		defer srv.Close()
		k := newDesk(t, d, app.CoreOptions{WebhookSecret: "s3cret", WebhookAllowPrivate: true})
		r := k.rule(rules.Input{Name: "Tell the CRM", Trigger: automation.TriggerConversationCreated,
			Actions: []automation.Action{act("webhook", srv.URL+"/hook")}})
		c := k.conv("Hook", "hello", "")

		ctx, cancel := context.WithCancel(k.ctx)
		done := make(chan struct{})
		go func() { _ = k.core.Jobs.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()
		deadline := time.Now().Add(15 * time.Second)
		for {
			mu.Lock()
			n := len(bodies)
			mu.Unlock()
			if n >= 2 && k.count(`SELECT COUNT(*) FROM jobs WHERE kind = ? AND done_at IS NOT NULL`, rules.KindWebhook) == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("webhook delivered %d times; job not done", n)
			}
			time.Sleep(50 * time.Millisecond)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(bodies) != 2 || string(bodies[0]) != string(bodies[1]) {
			t.Fatalf("bodies = %q", bodies)
		}
		var got struct {
			RuleID       int64                     `json:"rule_id"`
			RuleName     string                    `json:"rule_name"`
			Event        string                    `json:"event"`
			Conversation conversation.Conversation `json:"conversation"`
		}
		if err := json.Unmarshal(bodies[1], &got); err != nil {
			t.Fatal(err)
		}
		if got.RuleID != r.ID || got.RuleName != "Tell the CRM" || got.Event != "conversation.created" || got.Conversation.ID != c.ID ||
			got.Conversation.Subject != "Hook" {
			t.Fatalf("body = %+v", got)
		}
		if sigs[1] != rules.Sign("s3cret", bodies[1]) || len(sigs[1]) != len("sha256=")+64 {
			t.Fatalf("signature = %q", sigs[1])
		}
		// The timeline and the audit trail (which agents read) name the
		// receiving host, never the URL.
		msgs, err := k.core.Conversations.ListMessages(k.ctx, c.ID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		host := strings.TrimPrefix(srv.URL, "http://")
		var events int
		for _, m := range msgs {
			if m.ChannelMeta["event"] == "rule_webhook" {
				events++
				if m.ChannelMeta["host"] != host || m.ChannelMeta["rule_name"] != "Tell the CRM" || strings.Contains(m.BodyText, "/hook") {
					t.Fatalf("rule_webhook event = %q %v", m.BodyText, m.ChannelMeta)
				}
			}
		}
		if events != 1 {
			t.Fatalf("%d rule_webhook events, want 1", events)
		}
		es, _ := audit.List(k.ctx, k.d.R(), "conversation", c.ID, 100)
		for _, e := range es {
			if strings.Contains(fmt.Sprint(e.Changes), "/hook") {
				t.Fatalf("audit entry shows the URL: %+v", e)
			}
		}
	})
}

// TestTimeRuleOnce: a time rule fires once per conversation and status
// stint, across repeated scans, a second runner and a restart; a new stint
// fires again.
func TestTimeRuleOnce(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, app.CoreOptions{})
		r := k.rule(rules.Input{Name: "Nudge pending", Trigger: automation.TriggerTime,
			Time:    &automation.TimeCondition{Field: automation.TimeFieldStatusFor, Status: "pending", Minutes: 3 * 24 * 60},
			Actions: []automation.Action{act("add_note", "Waiting 3 days"), act("add_tags", []any{"nudged"})}})
		old := k.conv("Old", "hello", "")
		fresh := k.conv("Fresh", "hello", "")
		k.update(old.ID, conversation.Patch{Status: patch.Of("pending")})
		k.update(fresh.ID, conversation.Patch{Status: patch.Of("pending")})
		var since int64
		if err := d.R().QueryRow(k.ctx, `SELECT status_changed_at FROM conversations WHERE id = ?`, fresh.ID).Scan(&since); err != nil {
			t.Fatal(err)
		}
		if now := time.Now().UnixMilli(); since < now-60_000 || since > now {
			t.Fatalf("status_changed_at = %d, now %d", since, now)
		}
		backdate := func(id int64) {
			if err := d.WriteTx(k.ctx, func(tx *db.Tx) error {
				_, err := tx.Exec(k.ctx, `UPDATE conversations SET status_changed_at = ? WHERE id = ?`, time.Now().Add(-4*24*time.Hour).UnixMilli(), id)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		backdate(old.ID)
		scan := func(s *rules.Service) int {
			var n int
			if err := d.WriteTx(k.ctx, func(tx *db.Tx) error {
				var err error
				n, err = s.ScanTx(k.ctx, tx, time.Now())
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		other := newDesk(t, d, app.CoreOptions{}) // a second node on the same store
		if n := scan(k.core.Rules); n != 1 {
			t.Fatalf("first scan scheduled %d, want 1", n)
		}
		if n := scan(other.core.Rules) + scan(k.core.Rules); n != 0 {
			t.Fatalf("repeat scans scheduled %d, want 0", n)
		}
		runJobs := func(k *desk) {
			ctx, cancel := context.WithCancel(k.ctx)
			done := make(chan struct{})
			go func() { _ = k.core.Jobs.Run(ctx); close(done) }()
			deadline := time.Now().Add(10 * time.Second)
			for k.count(`SELECT COUNT(*) FROM jobs WHERE kind = ? AND done_at IS NULL AND dead_at IS NULL`, rules.KindTimeRule) > 0 {
				if time.Now().After(deadline) {
					t.Fatal("time rule jobs did not finish")
				}
				time.Sleep(20 * time.Millisecond)
			}
			cancel()
			<-done
		}
		runJobs(k)
		k.start() // restart
		if n := scan(k.core.Rules); n != 0 {
			t.Fatalf("scan after restart scheduled %d, want 0", n)
		}
		runJobs(k)
		k.deliver()
		notes := k.count(`SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND kind = 'note'`, old.ID)
		if notes != 1 || !slices.Equal(k.get(old.ID).Tags, []string{"nudged"}) {
			t.Fatalf("old conversation: %d notes, tags %v", notes, k.get(old.ID).Tags)
		}
		if n := k.count(`SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND kind = 'note'`, fresh.ID); n != 0 {
			t.Fatalf("fresh conversation got %d notes", n)
		}
		if got := k.ruleAudit(old.ID); !slices.Equal(got, []string{fmt.Sprintf("automation.add_note %d Nudge pending", r.ID),
			fmt.Sprintf("automation.add_tags %d Nudge pending", r.ID)}) {
			t.Fatalf("audit = %q", got)
		}
		// A new stint (reopened, pending again, old again) fires again.
		k.update(old.ID, conversation.Patch{Status: patch.Of("open")})
		k.update(old.ID, conversation.Patch{Status: patch.Of("pending")})
		backdate(old.ID)
		if n := scan(k.core.Rules); n != 1 {
			t.Fatalf("new stint scheduled %d, want 1", n)
		}
		runJobs(k)
		if n := k.count(`SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND kind = 'note'`, old.ID); n != 2 {
			t.Fatalf("%d notes after the second stint, want 2", n)
		}
	})
}

// TestTimeRuleBusinessMinutes: a business-time rule counts only open hours.
func TestTimeRuleBusinessMinutes(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, app.CoreOptions{})
		k.rule(rules.Input{Name: "Solved 2 business days", Trigger: automation.TriggerTime,
			Time:    &automation.TimeCondition{Field: automation.TimeFieldStatusFor, Status: "solved", Minutes: 2 * 8 * 60, Business: true},
			Actions: []automation.Action{act("close", nil)}})
		c := k.conv("Done", "thanks", "")
		k.update(c.ID, conversation.Patch{Status: patch.Of("solved")})
		jlm, _ := time.LoadLocation("Asia/Jerusalem")
		// Solved Thursday 2026-11-19 16:00 Jerusalem: Thursday 1 h, Sunday
		// and Monday 8 h each (Friday and Saturday closed).
		solved := time.Date(2026, 11, 19, 16, 0, 0, 0, jlm)
		if err := d.WriteTx(k.ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(k.ctx, `UPDATE conversations SET status_changed_at = ? WHERE id = ?`, solved.UnixMilli(), c.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		scan := func(now time.Time) int {
			var n int
			if err := d.WriteTx(k.ctx, func(tx *db.Tx) error {
				var err error
				n, err = k.core.Rules.ScanTx(k.ctx, tx, now)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		// Monday 15:59: 1 + 8 + 6:59 business hours — not yet, though four
		// calendar days have passed.
		if n := scan(time.Date(2026, 11, 23, 15, 59, 0, 0, jlm)); n != 0 {
			t.Fatalf("scheduled %d before 16 business hours", n)
		}
		if n := scan(time.Date(2026, 11, 23, 16, 0, 0, 0, jlm)); n != 1 {
			t.Fatalf("scheduled %d at 16 business hours, want 1", n)
		}
	})
}

// TestDryRunMatchesRun: the dry run of a rule matches exactly the
// conversations the real runner then changes.
func TestDryRunMatchesRun(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, app.CoreOptions{})
		var vipIDs []int64
		for i := range 6 {
			email := fmt.Sprintf("p%d@example.com", i)
			tier := "standard"
			if i%2 == 0 {
				tier = "vip"
			}
			ct, err := k.core.Contacts.Create(k.ctx, audit.System, contact.Input{Name: fmt.Sprintf("Person %d", i), Emails: []string{email}, Tier: tier})
			if err != nil {
				t.Fatal(err)
			}
			body := "hello"
			if i%3 == 0 {
				body = "please refund me"
			}
			c := k.conv(fmt.Sprintf("Case %d", i), body, email)
			if tier == "vip" && i%3 == 0 {
				vipIDs = append(vipIDs, c.ID)
			}
			_ = ct
		}
		closed := k.conv("Closed", "refund", "p0@example.com")
		k.update(closed.ID, conversation.Patch{Status: patch.Of("solved")})
		k.update(closed.ID, conversation.Patch{Status: patch.Of("closed")})

		rule := automation.Rule{Name: "VIP refunds", Trigger: automation.TriggerMessageReceived,
			Conditions: automation.Conditions{All: []automation.Condition{cond("contact_tier", "is", "vip"), cond("message_text", "contains", "refund")}},
			Actions:    []automation.Action{act("set_priority", "urgent")}}
		dry, err := k.core.Rules.DryRun(k.ctx, rule)
		if err != nil {
			t.Fatal(err)
		}
		var dryIDs []int64
		for _, m := range dry.Conversations {
			dryIDs = append(dryIDs, m.ID)
			if m.RequesterName == "" || m.Status == "" {
				t.Errorf("match %+v lacks fields", m)
			}
		}
		slices.Sort(dryIDs)
		if dry.Scanned != 6 || dry.Matched != len(vipIDs) || !slices.Equal(dryIDs, vipIDs) {
			t.Fatalf("dry run = %+v, want %v of 6", dry, vipIDs)
		}
		// Now for real: the same rule on the same data through the runner.
		if _, err := k.core.Rules.Create(k.ctx, audit.System, rules.Input{Name: rule.Name, Trigger: rule.Trigger, Conditions: rule.Conditions,
			Actions: rule.Actions}); err != nil {
			t.Fatal(err)
		}
		var ran []int64
		rows, err := d.R().Query(k.ctx, `SELECT id FROM conversations WHERE status <> 'closed' ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			_ = rows.Scan(&id)
			ids = append(ids, id)
		}
		rows.Close()
		for _, id := range ids {
			plan, err := k.core.Rules.Run(k.ctx, automation.TriggerMessageReceived, id, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(plan.Matched) > 0 {
				ran = append(ran, id)
				if k.get(id).Priority != "urgent" {
					t.Errorf("conversation %d matched but is %s", id, k.get(id).Priority)
				}
			}
		}
		if !slices.Equal(ran, vipIDs) {
			t.Fatalf("real run matched %v, dry run %v", ran, vipIDs)
		}
	})
}

// TestStatusChangedAt: every status change moves status_changed_at, other
// changes do not.
func TestStatusChangedAt(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, app.CoreOptions{})
		clock := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		k.core.Conversations.Now = func() time.Time { return clock }
		since := func(id int64) time.Time {
			var ms int64
			if err := d.R().QueryRow(k.ctx, `SELECT status_changed_at FROM conversations WHERE id = ?`, id).Scan(&ms); err != nil {
				t.Fatal(err)
			}
			return time.UnixMilli(ms).UTC()
		}
		c := k.conv("S", "hello", "")
		if !since(c.ID).Equal(clock) {
			t.Fatalf("at create: %v", since(c.ID))
		}
		clock = clock.Add(time.Hour)
		k.update(c.ID, conversation.Patch{Priority: patch.Of("high")})
		if !since(c.ID).Equal(clock.Add(-time.Hour)) {
			t.Fatalf("priority change moved it: %v", since(c.ID))
		}
		k.update(c.ID, conversation.Patch{Status: patch.Of("pending")})
		if !since(c.ID).Equal(clock) {
			t.Fatalf("after pending: %v", since(c.ID))
		}
		clock = clock.Add(time.Hour)
		if _, _, err := k.core.Conversations.AddMessage(k.ctx, audit.System, c.ID, conversation.MessageInput{Direction: "inbound", Body: "any news?"}); err != nil {
			t.Fatal(err)
		}
		if got := k.get(c.ID); got.Status != "open" || !since(c.ID).Equal(clock) {
			t.Fatalf("after customer reply: %s %v", got.Status, since(c.ID))
		}
	})
}

// TestTimeScanJob: StartTimeScan schedules this minute's scan once, and
// the scan, run by the job runner, schedules the next minute's and the
// due time rules, which then run.
func TestTimeScanJob(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, app.CoreOptions{})
		k.rule(rules.Input{Name: "Close solved", Trigger: automation.TriggerTime,
			Time:    &automation.TimeCondition{Field: automation.TimeFieldStatusFor, Status: "solved", Minutes: 4 * 24 * 60},
			Actions: []automation.Action{act("close", nil)}})
		c := k.conv("Old", "hello", "")
		k.update(c.ID, conversation.Patch{Status: patch.Of("solved")})
		if err := d.WriteTx(k.ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(k.ctx, `UPDATE conversations SET status_changed_at = ? WHERE id = ?`, time.Now().Add(-5*24*time.Hour).UnixMilli(), c.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := k.core.Rules.StartTimeScan(k.ctx); err != nil {
				t.Fatal(err)
			}
		}
		if n := k.count(`SELECT COUNT(*) FROM jobs WHERE kind = ?`, rules.KindTimeScan); n != 1 {
			t.Fatalf("%d scan jobs after two starts, want 1", n)
		}
		ctx, cancel := context.WithCancel(k.ctx)
		done := make(chan struct{})
		go func() { _ = k.core.Jobs.Run(ctx); close(done) }()
		deadline := time.Now().Add(10 * time.Second)
		for k.get(c.ID).Status != conversation.StatusClosed {
			if time.Now().After(deadline) {
				t.Fatal("the time rule never closed the conversation")
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		<-done
		if n := k.count(`SELECT COUNT(*) FROM jobs WHERE kind = ? AND done_at IS NULL AND run_at > ?`, rules.KindTimeScan, time.Now().UnixMilli()); n != 1 {
			t.Fatalf("%d future scan jobs, want 1", n)
		}
	})
}

// TestMessageReceived: message.received rules see the customer message
// that arrived, not agents' replies or notes.
func TestMessageReceived(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, app.CoreOptions{})
		k.rule(rules.Input{Name: "Tag refunds", Trigger: automation.TriggerMessageReceived,
			Conditions: automation.Conditions{Any: []automation.Condition{cond("message_text", "contains", "החזר"), cond("message_text", "contains", "refund")}},
			Actions:    []automation.Action{act("add_tags", []any{"refund"})}})
		c := k.conv("Order", "Where is my order?", "")
		if len(c.Tags) != 0 {
			t.Fatalf("tags after the first message = %v", c.Tags)
		}
		add := func(m conversation.MessageInput) {
			if _, _, err := k.core.Conversations.AddMessage(k.ctx, audit.System, c.ID, m); err != nil {
				t.Fatal(err)
			}
			k.deliver()
		}
		add(conversation.MessageInput{Body: "We can refund you", Direction: conversation.DirectionOutbound})
		add(conversation.MessageInput{Kind: conversation.KindNote, Body: "refund?"})
		if tags := k.get(c.ID).Tags; len(tags) != 0 {
			t.Fatalf("agent messages tagged it: %v", tags)
		}
		add(conversation.MessageInput{Body: "אני מבקש החזר כספי", Direction: conversation.DirectionInbound})
		if tags := k.get(c.ID).Tags; !slices.Equal(tags, []string{"refund"}) {
			t.Fatalf("tags = %v, want [refund]", tags)
		}
	})
}

// TestRedeliveredEvent: an event delivered twice runs its rules once.
func TestRedeliveredEvent(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, app.CoreOptions{})
		c := k.conv("Twice", "hello", "")
		k.rule(rules.Input{Name: "Note", Trigger: automation.TriggerConversationUpdated, Actions: []automation.Action{act("add_note", "Seen")}})
		e := events.Event{ID: 1 << 40, Topic: events.ConversationUpdated, Payload: json.RawMessage(fmt.Sprintf(`{"conversation_id":%d}`, c.ID))}
		for range 2 {
			if err := k.core.Bus.Publish(k.ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		if n := k.count(`SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND kind = 'note'`, c.ID); n != 1 {
			t.Fatalf("%d notes, want 1", n)
		}
		e.ID++
		if err := k.core.Bus.Publish(k.ctx, e); err != nil {
			t.Fatal(err)
		}
		if n := k.count(`SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND kind = 'note'`, c.ID); n != 2 {
			t.Fatalf("%d notes after another event, want 2", n)
		}
	})
}

// TestDryRunStatuses: an event rule's dry run scans unsolved conversations
// only (a solved one is not counted), a time rule's those in its status;
// the answer names the statuses scanned.
func TestDryRunStatuses(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, app.CoreOptions{})
		k.conv("New one", "hello", "")
		pending := k.conv("Pending one", "hello", "")
		k.update(pending.ID, conversation.Patch{Status: patch.Of("pending")})
		solved := k.conv("Solved one", "hello", "")
		k.update(solved.ID, conversation.Patch{Status: patch.Of("solved")})
		closed := k.conv("Closed one", "hello", "")
		k.update(closed.ID, conversation.Patch{Status: patch.Of("solved")})
		k.update(closed.ID, conversation.Patch{Status: patch.Of("closed")})

		ev, err := k.core.Rules.DryRun(k.ctx, automation.Rule{Name: "All", Trigger: automation.TriggerConversationUpdated,
			Actions: []automation.Action{act("set_priority", "high")}})
		if err != nil {
			t.Fatal(err)
		}
		if ev.Scanned != 2 || ev.Matched != 2 || !slices.Equal(ev.Statuses, []string{"new", "open", "pending", "on_hold"}) {
			t.Fatalf("event rule dry run = %+v", ev)
		}
		tr, err := k.core.Rules.DryRun(k.ctx, automation.Rule{Name: "Close solved", Trigger: automation.TriggerTime,
			Time:    &automation.TimeCondition{Field: automation.TimeFieldStatusFor, Status: "solved", Minutes: 1},
			Actions: []automation.Action{act("close", nil)}})
		if err != nil {
			t.Fatal(err)
		}
		if tr.Scanned != 1 || !slices.Equal(tr.Statuses, []string{"solved"}) {
			t.Fatalf("time rule dry run = %+v", tr)
		}
	})
}
