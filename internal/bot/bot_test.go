package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/agent"
	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/bot"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// fakeFinder answers questions containing one of its keys with that key's
// candidates, and counts its calls.
type fakeFinder struct {
	mu    sync.Mutex
	hits  map[string][]bot.Candidate
	calls int
	langs []string
}

func (f *fakeFinder) Find(_ context.Context, question, lang string, limit int) ([]bot.Candidate, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.langs = append(f.langs, lang)
	q := strings.ToLower(question)
	for k, cs := range f.hits {
		if strings.Contains(q, k) {
			return cs[:min(limit, len(cs))], nil
		}
	}
	return nil, nil
}

var (
	returns  = []bot.Candidate{{ID: 11, Title: "מדיניות החזרות", Snippet: "אפשר להחזיר תוך 14 יום", Confidence: 0.9}, {ID: 12, Title: "איך מחזירים מוצר", Snippet: "ממלאים טופס", Confidence: 0.7}, {ID: 13, Title: "זיכוי", Confidence: 0.2}}
	shipping = []bot.Candidate{{ID: 21, Title: "Shipping times", Snippet: "3-5 business days", Confidence: 0.8}}
	vague    = []bot.Candidate{{ID: 31, Title: "מבצעים", Confidence: 0.3}}
)

type kit struct {
	t      *testing.T
	ctx    context.Context
	d      *db.DB
	core   *app.Core
	bot    *bot.Service
	finder *fakeFinder
	disp   *events.Dispatcher
	inbox  inbox.Inbox
	team   agent.Team
	agent  agent.Agent
}

func newKit(t *testing.T, d *db.DB) *kit {
	t.Helper()
	k := &kit{t: t, ctx: context.Background(), d: d}
	log := testkit.Logger()
	k.core = app.NewCoreFromDB(d, app.CoreOptions{Password: auth.FastPasswordParams, Store: db.Options{DataDir: t.TempDir()}}, log)
	var err error
	k.agent, err = k.core.Agents.Create(k.ctx, audit.System, agent.Input{Name: "דנה", Email: "dana@kesher.test", Role: "agent",
		Password: "a-long-password-1"})
	if err != nil {
		t.Fatal(err)
	}
	k.team, err = k.core.Agents.CreateTeam(k.ctx, audit.System, agent.TeamInput{Name: "תמיכה אנושית", AgentIDs: []int64{k.agent.ID}})
	if err != nil {
		t.Fatal(err)
	}
	k.inbox = k.newInbox("צ'אט", inbox.ChannelChat, map[string]any{"enabled": true, "threshold": 0.5, "max_articles": float64(2),
		"handover_team_id": float64(k.team.ID)})
	k.finder = &fakeFinder{hits: map[string][]bot.Candidate{"החזר": returns, "shipping": shipping, "מבצע": vague}}
	k.bot = bot.New(d, k.core.Outbox, k.core.Conversations, k.core.Inboxes, k.finder, log, bot.Options{BaseURL: "https://desk.example/"})
	t.Cleanup(k.bot.Subscribe(k.core.Bus))
	k.disp = events.NewDispatcher(d, k.core.Outbox, k.core.Bus, log)
	return k
}

func (k *kit) newInbox(name, channel string, botSettings map[string]any) inbox.Inbox {
	k.t.Helper()
	ib, err := k.core.Inboxes.Create(k.ctx, audit.System, inbox.Input{Name: name, Channel: channel, Address: name + "@kesher.test",
		Settings: map[string]any{"bot": botSettings}})
	if err != nil {
		k.t.Fatal(err)
	}
	return ib
}

// deliver hands every committed event to the bus (the bot among others).
func (k *kit) deliver() {
	k.t.Helper()
	for {
		n, err := k.disp.DeliverOnce(k.ctx)
		if err != nil {
			k.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// open starts a conversation in ib with the customer's first message.
func (k *kit) open(ib inbox.Inbox, lang, text string, meta map[string]any) conversation.Conversation {
	k.t.Helper()
	c, _, err := k.core.Conversations.Create(k.ctx, audit.System, conversation.CreateInput{InboxID: ib.ID, Subject: "",
		Language: lang, Requester: conversation.RequesterInput{Name: "לקוח", Email: fmt.Sprintf("c%d@example.com", time.Now().UnixNano())},
		Message: &conversation.MessageInput{Direction: conversation.DirectionInbound, Body: text, ChannelMeta: meta}})
	if err != nil {
		k.t.Fatal(err)
	}
	k.deliver()
	return c
}

// say adds a customer message and lets the bot act.
func (k *kit) say(c conversation.Conversation, text string, meta map[string]any) {
	k.t.Helper()
	if _, _, err := k.core.Conversations.AddMessage(k.ctx, audit.Actor{Type: "contact", ID: c.RequesterID}, c.ID,
		conversation.MessageInput{Direction: conversation.DirectionInbound, Body: text, ChannelMeta: meta}); err != nil {
		k.t.Fatal(err)
	}
	k.deliver()
}

func (k *kit) messages(id int64) []conversation.Message {
	k.t.Helper()
	ms, err := k.core.Conversations.ListMessages(k.ctx, id, 0, 200)
	if err != nil {
		k.t.Fatal(err)
	}
	return ms
}

// botReplies are the bot's public replies in conversation id.
func (k *kit) botReplies(id int64) []conversation.Message {
	var out []conversation.Message
	for _, m := range k.messages(id) {
		if m.AuthorType == "bot" && m.Kind == conversation.KindReply {
			out = append(out, m)
		}
	}
	return out
}

func (k *kit) notes(id int64) []conversation.Message {
	var out []conversation.Message
	for _, m := range k.messages(id) {
		if m.Kind == conversation.KindNote {
			out = append(out, m)
		}
	}
	return out
}

func (k *kit) outcomes(id int64) []string {
	k.t.Helper()
	rows, err := k.d.R().Query(k.ctx, `SELECT outcome FROM bot_interactions WHERE conversation_id = ? ORDER BY id`, id)
	if err != nil {
		k.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			k.t.Fatal(err)
		}
		out = append(out, o)
	}
	return out
}

func (k *kit) state(id int64) (string, string) {
	k.t.Helper()
	var st, reason string
	if err := k.d.R().QueryRow(k.ctx, `SELECT state, reason FROM bot_conversations WHERE conversation_id = ?`, id).Scan(&st, &reason); err != nil {
		return "", ""
	}
	return st, reason
}

func (k *kit) get(id int64) conversation.Conversation {
	k.t.Helper()
	c, err := k.core.Conversations.Get(k.ctx, id)
	if err != nil {
		k.t.Fatal(err)
	}
	return c
}

func interactionID(t *testing.T, m conversation.Message) int64 {
	t.Helper()
	b, ok := m.ChannelMeta["bot"].(map[string]any)
	if !ok {
		t.Fatalf("bot reply without channel_meta.bot: %v", m.ChannelMeta)
	}
	id, _ := b["interaction_id"].(float64)
	return int64(id)
}

func eq(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

// assertHandedOver checks a handover for reason: the bot's state, an
// internal note containing want, the conversation open, unassigned, in
// the handover team, and the team member notified.
func (k *kit) assertHandedOver(c conversation.Conversation, reason string, want ...string) {
	k.t.Helper()
	if st, r := k.state(c.ID); st != bot.StateHandedOver || r != reason {
		k.t.Errorf("state %s/%s, want handed_over/%s", st, r, reason)
	}
	notes := k.notes(c.ID)
	if len(notes) != 1 || notes[0].AuthorType != "bot" {
		k.t.Fatalf("notes %+v, want one by the bot", notes)
	}
	for _, w := range want {
		if !strings.Contains(notes[0].BodyText, w) {
			k.t.Errorf("note %q lacks %q", notes[0].BodyText, w)
		}
	}
	got := k.get(c.ID)
	if got.Status != conversation.StatusOpen || got.AssigneeID != nil || got.TeamIDOr0() != k.team.ID {
		k.t.Errorf("conversation status %s assignee %v team %d, want open, nobody, %d", got.Status, got.AssigneeID, got.TeamIDOr0(), k.team.ID)
	}
	ns, err := k.core.Notifications.List(k.ctx, k.agent.ID, false, 100)
	if err != nil {
		k.t.Fatal(err)
	}
	found := false
	for _, n := range ns {
		if n.Kind == bot.NotificationKind && n.ConversationID != nil && *n.ConversationID == c.ID {
			found = true
		}
	}
	if !found {
		k.t.Errorf("no %s notification for conversation %d", bot.NotificationKind, c.ID)
	}
}

// assertPending checks Pending for interaction id of conversation convID.
func (k *kit) assertPending(convID, id int64, want bool) {
	k.t.Helper()
	got, err := k.bot.Pending(k.ctx, convID, id)
	if err != nil || got != want {
		k.t.Errorf("Pending(%d, %d) = %v, %v; want %v", convID, id, got, err, want)
	}
}

func TestAnswerBot(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newKit(t, d)

		t.Run("confident answer offers the articles above the threshold", func(t *testing.T) {
			c := k.open(k.inbox, "he", "איך עושים החזרה של מוצר?", nil)
			rs := k.botReplies(c.ID)
			if len(rs) != 1 {
				t.Fatalf("bot replies %d, want 1", len(rs))
			}
			r := rs[0]
			meta := r.ChannelMeta["bot"].(map[string]any)
			arts := meta["articles"].([]any)
			if len(arts) != 2 || meta["question"] != "solved" {
				t.Fatalf("channel_meta.bot %v, want 2 articles (13 is below 0.5) and question solved", meta)
			}
			first := arts[0].(map[string]any)
			if first["url"] != "https://desk.example/help/he/a/11" || first["title"] != "מדיניות החזרות" {
				t.Errorf("first article %v", first)
			}
			if !strings.Contains(r.BodyText, "https://desk.example/help/he/a/12") || !strings.Contains(r.BodyText, "„כן”") {
				t.Errorf("bot text %q", r.BodyText)
			}
			if !strings.Contains(r.BodyHTML, `href="https://desk.example/help/he/a/11"`) {
				t.Errorf("bot html %q", r.BodyHTML)
			}
			if got := k.outcomes(c.ID); !eq(got, []string{bot.OutcomeOffered}) {
				t.Errorf("outcomes %v", got)
			}
			if st, _ := k.state(c.ID); st != bot.StateActive {
				t.Errorf("state %s", st)
			}
		})

		t.Run("low confidence hands over at once", func(t *testing.T) {
			c := k.open(k.inbox, "he", "יש מבצע השבוע?", nil)
			if n := len(k.botReplies(c.ID)); n != 0 {
				t.Fatalf("bot replied %d times, want 0", n)
			}
			if got := k.outcomes(c.ID); !eq(got, []string{bot.OutcomeHandoverLowConfidence}) {
				t.Errorf("outcomes %v", got)
			}
			k.assertHandedOver(c, bot.ReasonLowConfidence, "יש מבצע השבוע?", "לא נמצא מאמר מתאים")
			// Silent afterwards, even for a question it could answer.
			k.say(c, "ואיך עושים החזרה?", nil)
			if n := len(k.botReplies(c.ID)); n != 0 {
				t.Errorf("bot replied after the handover")
			}
		})

		t.Run("yes solves the conversation as a deflection", func(t *testing.T) {
			c := k.open(k.inbox, "he", "מה עם ההחזר הכספי שלי", nil)
			k.say(c, "כן, תודה!", nil)
			if got := k.outcomes(c.ID); !eq(got, []string{bot.OutcomeDeflected}) {
				t.Errorf("outcomes %v", got)
			}
			if st, _ := k.state(c.ID); st != bot.StateSolved {
				t.Errorf("state %s", st)
			}
			if got := k.get(c.ID); got.Status != conversation.StatusSolved {
				t.Errorf("status %s, want solved", got.Status)
			}
			if n := len(k.notes(c.ID)); n != 0 {
				t.Errorf("%d notes after a deflection", n)
			}
		})

		t.Run("no hands over with a note of the exchange", func(t *testing.T) {
			c := k.open(k.inbox, "he", "רוצה החזר על נעליים", nil)
			k.say(c, "לא", nil)
			if got := k.outcomes(c.ID); !eq(got, []string{bot.OutcomeHandoverNo}) {
				t.Errorf("outcomes %v", got)
			}
			k.assertHandedOver(c, bot.ReasonNo, "לקוח: רוצה החזר על נעליים", "בוט: מצאתי", "לקוח: לא",
				"מדיניות החזרות (https://desk.example/help/he/a/11)", "איך מחזירים מוצר")
		})

		for _, tc := range []struct{ lang, text string }{{"he", "אני רוצה לדבר עם נציג"}, {"en", "I want a human"}} {
			t.Run("request for a person: "+tc.text, func(t *testing.T) {
				c := k.open(k.inbox, tc.lang, tc.text, nil)
				if n := len(k.botReplies(c.ID)); n != 0 {
					t.Fatalf("bot replied %d times", n)
				}
				if got := k.outcomes(c.ID); !eq(got, []string{bot.OutcomeHandoverRequested}) {
					t.Errorf("outcomes %v", got)
				}
				want := "הלקוח ביקש לדבר עם נציג"
				if tc.lang == "en" {
					want = "the customer asked for a person"
				}
				k.assertHandedOver(c, bot.ReasonRequested, tc.text, want)
			})
		}

		t.Run("request for a person after an offer decides it", func(t *testing.T) {
			c := k.open(k.inbox, "en", "What are your shipping times?", nil)
			k.say(c, "can I talk to a representative", nil)
			if got := k.outcomes(c.ID); !eq(got, []string{bot.OutcomeHandoverRequested}) {
				t.Errorf("outcomes %v", got)
			}
			k.assertHandedOver(c, bot.ReasonRequested, "Shipping times (https://desk.example/help/en/a/21)")
		})

		t.Run("the same question twice is answered once", func(t *testing.T) {
			c := k.open(k.inbox, "he", "איך עושים החזרה?", nil)
			calls := k.finder.calls
			k.say(c, "אֵיךְ עוֹשִׂים הַחְזָרָה", nil) // niqqud, no punctuation
			if n := len(k.botReplies(c.ID)); n != 1 {
				t.Errorf("bot replies %d, want 1", n)
			}
			if k.finder.calls != calls {
				t.Errorf("searched again for the same question")
			}
			if got := k.outcomes(c.ID); !eq(got, []string{bot.OutcomeOffered, bot.OutcomeSkipped}) {
				t.Errorf("outcomes %v", got)
			}
		})

		t.Run("auto-replies and bulk mail are ignored", func(t *testing.T) {
			email := k.newInbox("מייל", inbox.ChannelEmail, map[string]any{"enabled": true})
			calls := k.finder.calls
			for _, kind := range []string{"auto_reply", "bulk"} {
				c := k.open(email, "he", "אני לא במשרד עד יום ראשון. לגבי החזרה פנו לדנה", map[string]any{"kind": kind})
				if n := len(k.botReplies(c.ID)); n != 0 || len(k.outcomes(c.ID)) != 0 {
					t.Errorf("%s: bot replies %d, outcomes %v", kind, n, k.outcomes(c.ID))
				}
			}
			if k.finder.calls != calls {
				t.Errorf("searched for an automatic mail")
			}
			// A person's mail in the same inbox is answered, with the reply-by-text prompt.
			c := k.open(email, "he", "שאלה לגבי החזרה", map[string]any{"kind": ""})
			if n := len(k.botReplies(c.ID)); n != 1 {
				t.Errorf("email: bot replies %d, want 1", n)
			}
			k.say(c, "תודה זה עזר", nil)
			if got := k.outcomes(c.ID); !eq(got, []string{bot.OutcomeDeflected}) {
				t.Errorf("email outcomes %v", got)
			}
		})

		t.Run("silent once an agent replied", func(t *testing.T) {
			c := k.open(k.inbox, "he", "שלום", nil) // no meaningful words: skipped
			if got := k.outcomes(c.ID); !eq(got, []string{bot.OutcomeSkipped}) {
				t.Errorf("outcomes %v", got)
			}
			if _, _, err := k.core.Conversations.AddMessage(k.ctx, audit.Actor{Type: "agent", ID: k.agent.ID}, c.ID,
				conversation.MessageInput{Body: "שלום, איך אפשר לעזור?"}); err != nil {
				t.Fatal(err)
			}
			k.deliver()
			k.say(c, "איך עושים החזרה?", nil)
			if n := len(k.botReplies(c.ID)); n != 0 {
				t.Errorf("bot replied after an agent")
			}
			if got := k.outcomes(c.ID); !eq(got, []string{bot.OutcomeSkipped}) {
				t.Errorf("outcomes %v", got)
			}
		})

		t.Run("disabled bot stays silent", func(t *testing.T) {
			off := k.newInbox("כבוי", inbox.ChannelChat, map[string]any{"enabled": false})
			c := k.open(off, "he", "איך עושים החזרה?", nil)
			if n := len(k.botReplies(c.ID)); n != 0 {
				t.Errorf("disabled bot replied")
			}
			if err := k.bot.Handover(k.ctx, c.ID); err != nil || len(k.notes(c.ID)) != 0 {
				t.Errorf("handover with the bot disabled: %v, notes %d", err, len(k.notes(c.ID)))
			}
		})

		t.Run("Answer and Handover from the widget", func(t *testing.T) {
			c := k.open(k.inbox, "en", "shipping to Eilat?", nil)
			id := interactionID(t, k.botReplies(c.ID)[0])
			if err := k.bot.Answer(k.ctx, c.ID, id+1000, true); !errors.Is(err, errs.ErrNotFound) {
				t.Errorf("unknown interaction: %v", err)
			}
			k.assertPending(c.ID, id, true)
			if err := k.bot.Answer(k.ctx, c.ID, id, true); err != nil {
				t.Fatal(err)
			}
			// Decided: a reloaded widget must not offer the buttons again.
			k.assertPending(c.ID, id, false)
			k.assertPending(c.ID, id+1000, false)
			if err := k.bot.Answer(k.ctx, c.ID, id, false); !errors.Is(err, errs.ErrConflict) {
				t.Errorf("second answer: %v, want a conflict", err)
			}
			k.deliver()

			c2 := k.open(k.inbox, "en", "How long does shipping take?", nil)
			id2 := interactionID(t, k.botReplies(c2.ID)[0])
			k.assertPending(c2.ID, id2, true)
			k.assertPending(c.ID, id2, false) // another conversation's offer
			if err := k.bot.Answer(k.ctx, c2.ID, id2, false); err != nil {
				t.Fatal(err)
			}
			k.assertPending(c2.ID, id2, false)
			k.deliver()
			k.assertHandedOver(c2, bot.ReasonNo, "Customer: How long does shipping take?")
			if err := k.bot.Handover(k.ctx, c2.ID); err != nil {
				t.Errorf("second handover: %v", err)
			}
			if n := len(k.notes(c2.ID)); n != 1 {
				t.Errorf("notes after a repeated handover: %d, want 1", n)
			}

			c3 := k.open(k.inbox, "he", "שלום", nil)
			if err := k.bot.Handover(k.ctx, c3.ID); err != nil {
				t.Fatal(err)
			}
			if err := k.bot.Handover(k.ctx, c3.ID); err != nil {
				t.Fatal(err)
			}
			k.deliver()
			k.assertHandedOver(c3, bot.ReasonRequested, "לא הוצעו מאמרים")
			if got := k.outcomes(c3.ID); !eq(got, []string{bot.OutcomeSkipped, bot.OutcomeHandoverRequested}) {
				t.Errorf("outcomes %v", got)
			}
		})
	})
}

func TestStats(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newKit(t, d)
		other := k.newInbox("צ'אט 2", inbox.ChannelChat, map[string]any{"enabled": true})
		from := time.Now().UTC().Add(-time.Hour)
		// Inbox 1: 2 deflected, 1 "no", 1 requested, 1 low confidence,
		// 1 still pending, 1 only skipped (not taken) → taken 6.
		for range 2 {
			c := k.open(k.inbox, "he", "איך עושים החזרה?", nil)
			k.say(c, "כן", nil)
		}
		c := k.open(k.inbox, "he", "איך עושים החזרה?", nil)
		k.say(c, "לא", nil)
		k.open(k.inbox, "he", "נציג בבקשה", nil)
		k.open(k.inbox, "he", "מבצע?", nil)
		k.open(k.inbox, "he", "איך עושים החזרה?", nil)
		k.open(k.inbox, "he", "היי", nil)
		// Inbox 2: 1 deflected, 1 low confidence (no hit) → taken 2.
		c = k.open(other, "en", "shipping?", nil)
		k.say(c, "yes", nil)
		k.open(other, "en", "do you sell gift cards", nil)
		to := time.Now().UTC().Add(time.Hour)

		st, err := k.bot.Stats(k.ctx, bot.StatsParams{From: from, To: to})
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Inboxes) != 2 {
			t.Fatalf("inboxes %+v", st.Inboxes)
		}
		a, b := st.Inboxes[0], st.Inboxes[1]
		// 2/6 = 33.3 %, 3/6 = 50 %.
		if a.InboxID != k.inbox.ID || a.Taken != 6 || a.Deflected != 2 || a.HandedOver != 3 || a.DeflectionRate != 33.3 ||
			a.HandoverRate != 50 || a.HandoverByReason["no"] != 1 || a.HandoverByReason["requested"] != 1 ||
			a.HandoverByReason["low_confidence"] != 1 {
			t.Errorf("inbox 1 %+v", a)
		}
		if b.InboxID != other.ID || b.Taken != 2 || b.Deflected != 1 || b.HandedOver != 1 || b.DeflectionRate != 50 || b.HandoverRate != 50 {
			t.Errorf("inbox 2 %+v", b)
		}
		// Total: 3/8 = 37.5 %, 4/8 = 50 %.
		if tt := st.Total; tt.Taken != 8 || tt.Deflected != 3 || tt.HandedOver != 4 || tt.DeflectionRate != 37.5 || tt.HandoverRate != 50 {
			t.Errorf("total %+v", tt)
		}
		one, err := k.bot.Stats(k.ctx, bot.StatsParams{From: from, To: to, InboxID: other.ID})
		if err != nil || len(one.Inboxes) != 1 || one.Total.Taken != 2 {
			t.Errorf("one inbox: %+v %v", one, err)
		}
		past, err := k.bot.Stats(k.ctx, bot.StatsParams{From: from.Add(-48 * time.Hour), To: from})
		if err != nil || len(past.Inboxes) != 0 || past.Total.Taken != 0 || past.Total.DeflectionRate != 0 {
			t.Errorf("empty period: %+v %v", past, err)
		}
		if _, err := k.bot.Stats(k.ctx, bot.StatsParams{From: to, To: from}); err == nil {
			t.Error("to before from accepted")
		}
	})
}

func TestBotSettingsValidation(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		core := app.NewCoreFromDB(d, app.CoreOptions{Password: auth.FastPasswordParams, Store: db.Options{DataDir: t.TempDir()}}, testkit.Logger())
		cases := []struct {
			channel string
			bot     any
			field   string
		}{
			{"chat", map[string]any{"enabled": "yes"}, "settings.bot.enabled"},
			{"api", map[string]any{"enabled": true}, "settings.bot.enabled"},
			{"chat", map[string]any{"threshold": 1.5}, "settings.bot.threshold"},
			{"chat", map[string]any{"threshold": "high"}, "settings.bot.threshold"},
			{"chat", map[string]any{"max_articles": float64(4)}, "settings.bot.max_articles"},
			{"chat", map[string]any{"max_articles": 2.5}, "settings.bot.max_articles"},
			{"chat", map[string]any{"handover_team_id": float64(-1)}, "settings.bot.handover_team_id"},
			{"chat", map[string]any{"handover_team_id": float64(999)}, "settings.bot.handover_team_id"},
			{"chat", map[string]any{"colour": "red"}, "settings.bot.colour"},
			{"chat", "on", "settings.bot"},
		}
		for i, c := range cases {
			_, err := core.Inboxes.Create(context.Background(), audit.System, inbox.Input{Name: fmt.Sprintf("i%d", i), Channel: c.channel,
				Settings: map[string]any{"bot": c.bot}})
			var ve *errs.ValidationError
			if !errors.As(err, &ve) || !strings.Contains(ve.Error(), c.field) {
				t.Errorf("%v: err %v, want a problem naming %s", c.bot, err, c.field)
			}
		}
		ib, err := core.Inboxes.Create(context.Background(), audit.System, inbox.Input{Name: "ok", Channel: "email",
			Settings: map[string]any{"bot": map[string]any{"enabled": true, "threshold": 0.7, "max_articles": float64(1), "handover_team_id": nil}}})
		if err != nil {
			t.Fatal(err)
		}
		if got := ib.Bot(); got != (inbox.BotSettings{Enabled: true, Threshold: 0.7, MaxArticles: 1}) {
			t.Errorf("settings %+v", got)
		}
	})
}
