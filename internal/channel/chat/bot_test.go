package chat_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/bot"
	"github.com/kesherdesk/kesher/internal/channel/chat"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// returnsFinder offers one article for any question about returns.
type returnsFinder struct{}

func (returnsFinder) Find(_ context.Context, question, lang string, limit int) ([]bot.Candidate, error) {
	if !strings.Contains(question, "החזרה") {
		return nil, nil
	}
	return []bot.Candidate{{ID: 7, Title: "החזרת מוצרים", Snippet: "ממלאים טופס", Language: lang, Confidence: 0.9}}, nil
}

// TestBotOfferAfterAnswer: the widget gets a bot offer's yes/no question
// live, and once the visitor answered it (here "no", a handover) a
// resumed session carries the offer without it — before, a reloaded
// widget showed the buttons again and the bot refused the answer (409).
func TestBotOfferAfterAnswer(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		var b *bot.Service
		k := newDeskWith(t, d, chat.Options{}, app.ServerOptions{}, func(core *app.Core) chat.Bot {
			b = bot.New(d, core.Outbox, core.Conversations, core.Inboxes, returnsFinder{}, testkit.Logger(), bot.Options{})
			t.Cleanup(b.Subscribe(core.Bus))
			return b
		})
		ctx := context.Background()
		ib, err := k.core.Inboxes.Get(ctx, k.inboxID)
		if err != nil {
			t.Fatal(err)
		}
		settings := ib.Settings
		settings["bot"] = map[string]any{"enabled": true, "threshold": 0.5}
		if _, err := k.core.Inboxes.Update(ctx, audit.System, k.inboxID, inbox.Patch{Settings: patch.Of(settings)}); err != nil {
			t.Fatal(err)
		}
		tok := k.session(map[string]any{"language": "he"})["visitor_token"].(string)
		v := k.connect(tok, shopOrigin)
		v.send(map[string]any{"type": "message", "text": "איך מבצעים החזרה של מוצר?"})
		convID := int64(v.next()["conversation_id"].(float64)) // the sender's own copy
		f := v.reply()
		meta, _ := message(f)["bot"].(map[string]any)
		if message(f)["author_type"] != "bot" || meta["question"] != "solved" {
			t.Fatalf("bot frame %v, want the offer with question solved", f)
		}
		resumed := func() map[string]any {
			msgs, _ := k.session(map[string]any{"visitor_token": tok})["messages"].([]any)
			for _, m := range msgs {
				if mm := m.(map[string]any); mm["author_type"] == "bot" {
					bm, _ := mm["bot"].(map[string]any)
					return bm
				}
			}
			t.Fatalf("no bot message in the resumed session: %v", msgs)
			return nil
		}
		if q := resumed()["question"]; q != "solved" {
			t.Errorf("pending offer's question %v, want solved", q)
		}
		v.send(map[string]any{"type": "bot.answer", "interaction_id": meta["interaction_id"], "solved": false})
		// The frame is handled on the socket's goroutine: wait for the handover.
		for deadline := time.Now().Add(5 * time.Second); ; {
			if ok, err := b.Pending(ctx, convID, int64(meta["interaction_id"].(float64))); err != nil {
				t.Fatal(err)
			} else if !ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the answer was not recorded within 5 s")
			}
			time.Sleep(20 * time.Millisecond)
		}
		got := resumed()
		if _, ok := got["question"]; ok || len(got["articles"].([]any)) != 1 {
			t.Errorf("answered offer %v, want its article and no question", got)
		}
	})
}
