package search_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/search"
	"github.com/kesherdesk/kesher/internal/testkit"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func index(t *testing.T, d *db.DB, s *search.Service, docs ...search.Doc) {
	t.Helper()
	if err := d.WriteTx(context.Background(), func(tx *db.Tx) error { return s.IndexTx(context.Background(), tx, docs...) }); err != nil {
		t.Fatal(err)
	}
}

func ids(r search.Result) []string {
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.Kind[:1]+":"+itoa(h.ID))
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

var admin = &auth.Principal{AgentID: 1, Role: auth.RoleAdmin}

func TestIndexSearchDelete(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := search.New(d)
		index(t, d, s,
			search.Doc{Kind: search.KindConversation, ID: 1, Title: "המשלוח שלי לא הגיע", Time: t0, InboxID: 1, Status: "open"},
			search.Doc{Kind: search.KindMessage, ID: 10, ConversationID: 1, Body: "שלום, הזמנתי לפני שבוע והמשלוח עדיין לא הגיע.", Time: t0, InboxID: 1, Status: "open"},
			search.Doc{Kind: search.KindConversation, ID: 2, Title: "Refund for order 1234", Time: t0.Add(time.Hour), InboxID: 2, TeamID: 7, Status: "new"},
			search.Doc{Kind: search.KindMessage, ID: 20, ConversationID: 2, Body: "I would like a refund: the shoes were refunded only partially. <b>thanks</b>", Time: t0.Add(time.Hour), InboxID: 2, TeamID: 7, Status: "new"},
			search.Doc{Kind: search.KindContact, ID: 5, Title: "דנה כהן", Body: "dana@example.com 0501234567", Time: t0},
			search.Doc{Kind: search.KindArticle, ID: 100, Language: "he", Title: "מתי יגיע המשלוח?", Body: "משלוחים מגיעים תוך 3 ימי עסקים.", Published: true, Time: t0},
			search.Doc{Kind: search.KindArticle, ID: 101, Language: "he", Title: "משלוח — נוהל פנימי", Body: "נוהל פנימי לנציגים על משלוחים.", Published: true, Internal: true, Time: t0},
		)
		for _, c := range []struct {
			name string
			q    search.Query
			want string
		}{
			{"prefix in doc", search.Query{Text: "משלוח", Principal: admin}, "c:1 a:101 a:100"},
			{"niqqud and prefix in query", search.Query{Text: "בַּמִּשְׁלוֹחַ", Principal: admin}, "c:1 a:101 a:100"},
			{"english stem", search.Query{Text: "refunds", Principal: admin}, "c:2"},
			{"number", search.Query{Text: "1234", Principal: admin}, "c:2"},
			{"contact", search.Query{Text: "כהן", Principal: admin}, "c:5"},
			{"public only", search.Query{Text: "משלוח", PublicOnly: true, Principal: admin}, "c:1 a:100"},
			{"anonymous", search.Query{Text: "משלוח"}, "a:100"},
			{"type article lang", search.Query{Text: "משלוח", Types: []string{"article"}, Language: "en", Principal: admin}, ""},
			{"inbox filter", search.Query{Text: "משלוח refund", InboxID: 2, Principal: admin}, "c:2"},
			{"team visibility", search.Query{Text: "refund", Principal: &auth.Principal{AgentID: 3, Role: auth.RoleAgent, TeamIDs: []int64{8}}}, ""},
			{"team member", search.Query{Text: "refund", Principal: &auth.Principal{AgentID: 3, Role: auth.RoleAgent, TeamIDs: []int64{7}}}, "c:2"},
			{"from/to", search.Query{Text: "refund משלוח", From: t0.Add(time.Minute), Types: []string{"conversation"}, Principal: admin}, "c:2"},
			{"stop words only", search.Query{Text: "the של", Principal: admin}, ""},
		} {
			r, err := s.Search(ctx, c.q)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if got := strings.Join(ids(r), " "); got != c.want {
				t.Errorf("%s: hits %q, want %q (%+v)", c.name, got, c.want, r.Hits)
			}
		}
		r, _ := s.Search(ctx, search.Query{Text: "refund", Types: []string{"message"}, Principal: admin})
		if len(r.Hits) != 1 || r.Hits[0].Kind != "message" || r.Hits[0].ConversationID != 2 || r.Hits[0].Title != "Refund for order 1234" ||
			r.Hits[0].Snippet != "I would like a <mark>refund</mark>: the shoes were <mark>refunded</mark> only partially. &lt;b&gt;thanks&lt;/b&gt;" {
			t.Errorf("refund hit %+v", r.Hits)
		}
		if c := r.Hits[0].Confidence; c != 1 {
			t.Errorf("confidence %v, want 1", c)
		}
		// Replace and delete keep the index consistent.
		index(t, d, s, search.Doc{Kind: search.KindConversation, ID: 2, Title: "Invoice question", Time: t0, InboxID: 2, TeamID: 7})
		r, _ = s.Search(ctx, search.Query{Text: "invoices", Principal: admin})
		if got := strings.Join(ids(r), " "); got != "c:2" {
			t.Errorf("after replace: %q", got)
		}
		if err := d.WriteTx(ctx, func(tx *db.Tx) error { return s.DeleteConversationTx(ctx, tx, 2) }); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"refund", "invoice"} {
			if r, _ := s.Search(ctx, search.Query{Text: q, Principal: admin}); len(r.Hits) != 0 {
				t.Errorf("%s after delete: %+v", q, r.Hits)
			}
		}
		var docs, df int64
		if err := d.R().QueryRow(ctx, `SELECT docs FROM search_stats`).Scan(&docs); err != nil || docs != 5 {
			t.Errorf("docs = %d, %v; want 5", docs, err)
		}
		if err := d.R().QueryRow(ctx, `SELECT df FROM search_terms WHERE term = 'refund'`).Scan(&df); err != nil || df != 0 {
			t.Errorf("df(refund) = %d, %v; want 0", df, err)
		}
		if err := d.R().QueryRow(ctx, `SELECT df FROM search_terms WHERE term = 'משלוח'`).Scan(&df); err != nil || df != 4 {
			t.Errorf("df(משלוח) = %d, %v; want 4", df, err)
		}
		for _, c := range []struct {
			q     search.Query
			field string
		}{
			{search.Query{Text: " "}, "q"},
			{search.Query{Text: strings.Repeat("א", 501)}, "q"},
			{search.Query{Text: "x", Types: []string{"order"}}, "type"},
			{search.Query{Text: "x", Limit: 101}, "limit"},
			{search.Query{Text: "x", Language: "fr"}, "lang"},
			{search.Query{Text: "x", From: t0, To: t0}, "to"},
		} {
			_, err := s.Search(ctx, c.q)
			var ve *errs.ValidationError
			if !errors.As(err, &ve) || ve.Fields[0].Field != c.field {
				t.Errorf("%+v: error %v, want field %s", c.q, err, c.field)
			}
		}
	})
}

// TestCommonWordWindow: a word in more documents than RareBudget is ranked
// over the CommonWindow newest matches only (flagged as a lower bound),
// while a document that also holds a rare query word is always found;
// both backends answer the same.
func TestCommonWordWindow(t *testing.T) {
	answers := map[string]string{}
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := search.New(d)
		var docs []search.Doc
		for i := 1; i <= search.RareBudget+600; i++ {
			body := "the order arrived late"
			if i%2 == 0 {
				body = "order status question"
			}
			if i == 7 { // old, but holds the rare word
				body = "order with a cracked screen"
			}
			docs = append(docs, search.Doc{Kind: search.KindMessage, ID: int64(i), ConversationID: int64(i), Body: body, InboxID: 1, Status: "open",
				Time: t0.Add(time.Duration(i) * time.Minute)})
		}
		index(t, d, s, docs...)
		r, err := s.Search(ctx, search.Query{Text: "orders", Principal: admin, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		if !r.TotalIsLowerBound || r.Total != search.CommonWindow || len(r.Hits) != 5 {
			t.Errorf("common: total %d (lower bound %v), %d hits", r.Total, r.TotalIsLowerBound, len(r.Hits))
		}
		for _, h := range r.Hits {
			if h.ID <= int64(search.RareBudget+600-search.CommonWindow) {
				t.Errorf("hit %d is outside the newest window", h.ID)
			}
		}
		r2, err := s.Search(ctx, search.Query{Text: "cracked order", Principal: admin, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		if len(r2.Hits) == 0 || r2.Hits[0].ID != 7 || r2.Hits[0].Confidence != 1 {
			t.Errorf("cracked order: %+v", r2.Hits)
		}
		got := strings.Join(ids(r), " ") + " | " + strings.Join(ids(r2), " ")
		for name, prev := range answers {
			if prev != got {
				t.Errorf("%s answered %s, %s answers %s", name, prev, d.Dialect, got)
			}
		}
		answers[string(d.Dialect)] = got
	})
}
