package assist_test

import (
	"context"
	"slices"
	"testing"

	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/assist"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/canned"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/search/normalize"
	"github.com/kesherdesk/kesher/internal/testkit"
)

func TestRankCanned(t *testing.T) {
	// Context terms: refund, shipping, חזרימ (English words are not
	// stemmed here: "Refunds" is not "refund").
	rs := []canned.Response{
		{ID: 1, Title: "Shipping", Body: "Your refund is on its way"}, // title shipping 3 + body refund 1 = 4
		{ID: 2, Title: "Refund policy", Body: "Refunds take 14 days"}, // title refund 3
		{ID: 3, Title: "Greeting", Body: "Hello"},                     // 0: left out
		{ID: 4, Title: "Refunds and shipping", Body: "-"},             // title shipping 3
		{ID: 5, Title: "Also refund", Body: "x"},                      // 3
		{ID: 6, Title: "A refund", Body: "y"},                         // 3
		{ID: 7, Title: "מדיניות הַהֶחְזֵרִים", Body: "והחזרים מלאים"}, // niqqud and prefixes: title 3 + body 1 = 4
		{ID: 8, Title: "Refund shipping", Body: "refund"},             // 3 + 3 + 1 = 7
	}
	terms := normalize.Stems("Where is my REFUND for the shipping? החזרים")
	got := assist.RankCanned(terms, rs, 10)
	var ids []int64
	for _, c := range got {
		ids = append(ids, c.ID)
	}
	// Ties (4: 1 and 7; 3: 2, 4, 5, 6) go to the title, byte order.
	if want := []int64{8, 1, 7, 6, 5, 2, 4}; !slices.Equal(ids, want) {
		t.Errorf("order %v, want %v (terms %v)", ids, want, terms)
	}
	if got := assist.RankCanned(terms, rs, 2); len(got) != 2 || got[0].ID != 8 || got[1].ID != 1 {
		t.Errorf("limit 2: %+v", got)
	}
}

// finder returns fixed hits: all for the agent, only the public ones for
// the public.
type finder struct {
	all, public []assist.ArticleHit
	queries     []string
}

func (f *finder) FindArticles(_ context.Context, p *auth.Principal, text, lang string, publicOnly bool, limit int) ([]assist.ArticleHit, error) {
	f.queries = append(f.queries, text+"|"+lang)
	if publicOnly {
		return f.public, nil
	}
	return f.all[:min(limit, len(f.all))], nil
}

func TestSuggestionsArticles(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		core := app.NewCoreFromDB(d, app.CoreOptions{Password: auth.FastPasswordParams, Store: db.Options{DataDir: t.TempDir()}}, testkit.Logger())
		ib, err := core.Inboxes.Create(ctx, audit.System, inbox.Input{Name: "chat", Channel: "chat"})
		if err != nil {
			t.Fatal(err)
		}
		c, _, err := core.Conversations.Create(ctx, audit.System, conversation.CreateInput{InboxID: ib.ID, Subject: "Refund",
			Language: "en", Requester: conversation.RequesterInput{Email: "r@example.com"},
			Message: &conversation.MessageInput{Direction: conversation.DirectionInbound, Body: "first message about shipping"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, body := range []string{"second: refund please", "third, the refund again"} {
			if _, _, err := core.Conversations.AddMessage(ctx, audit.Actor{Type: "contact", ID: c.RequesterID}, c.ID,
				conversation.MessageInput{Direction: conversation.DirectionInbound, Body: body}); err != nil {
				t.Fatal(err)
			}
		}
		f := &finder{all: []assist.ArticleHit{{ID: 5, Title: "Refunds (internal)", Language: "en"}, {ID: 3, Title: "Refunds", Language: "en"}},
			public: []assist.ArticleHit{{ID: 3}}}
		svc := assist.New(d, core.Canned, f, "https://desk.example/")
		p := &auth.Principal{AgentID: 1, Role: auth.RoleAdmin}
		s, err := svc.For(ctx, p, canned.Scope{All: true}, c)
		if err != nil {
			t.Fatal(err)
		}
		want := []assist.Article{{ID: 5, Title: "Refunds (internal)", Language: "en", Internal: true},
			{ID: 3, Title: "Refunds", Language: "en", URL: "https://desk.example/help/en/a/3"}}
		if !slices.Equal(s.Articles, want) {
			t.Errorf("articles %+v, want %+v", s.Articles, want)
		}
		// The query: subject, then the newest customer messages; words distinct, stop words dropped.
		if len(f.queries) != 2 || f.queries[0] != "refund third second first message shipping|en" {
			t.Errorf("queries %q", f.queries)
		}
		text, err := svc.Context(ctx, c)
		if err != nil || text != "Refund\nthird, the refund again\nsecond: refund please\nfirst message about shipping" {
			t.Errorf("context %q %v", text, err)
		}
	})
}
