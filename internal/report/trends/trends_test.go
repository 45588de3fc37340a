package trends_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/report/trends"
	"github.com/kesherdesk/kesher/internal/testkit"
)

var (
	from = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	to   = from.AddDate(0, 0, 7)
)

// dataset: four baseline weeks and the week itself. Flat: "חשבון" (as
// "בחשבון"/"החשבון" and alone) and "refund", 4 a week throughout. Rising:
// "משלוח" (as "והמשלוח"/"במשלוח"), 1 a week, then 12; "damaged" (and the
// phrase "damaged box"), 0 then 7; tag "shipping" 0 then 6. Conversation
// ids: week w (0–3 baseline, 4 the period) item i.
func dataset() []trends.Doc {
	var docs []trends.Doc
	id := int64(0)
	add := func(week int, text string, tags ...string) {
		id++
		docs = append(docs, trends.Doc{ID: id, CreatedAt: from.AddDate(0, 0, 7*(week-4)).Add(time.Duration(id) * time.Minute),
			Text: text, Tags: tags})
	}
	for w := 0; w <= 4; w++ {
		add(w, "בעיה בחשבון\nלא מצליח להיכנס לחשבון")
		add(w, "החשבון שלי ננעל")
		add(w, "חשבון\nשלום")
		add(w, "שאלה על החשבון")
		for i := 0; i < 4; i++ {
			add(w, "Refund request\nI want a refund please")
		}
		n := 1
		if w == 4 {
			n = 12
		}
		for i := 0; i < n; i++ {
			form := []string{"והמשלוח עדיין לא הגיע", "יש עיכוב במשלוח"}[i%2]
			add(w, form)
		}
	}
	for i := 0; i < 7; i++ {
		tags := []string{}
		if i < 6 {
			tags = []string{"shipping"}
		}
		add(4, "Damaged box\nThe box arrived damaged, damaged box again", tags...)
	}
	return docs
}

func TestAnalyze(t *testing.T) {
	res := trends.Analyze(dataset(), from, to)
	type want struct {
		count int
		mean  float64
		score float64
	}
	wants := map[string]want{
		// (12 − 1) / √1 = 11.
		"word משלוח": {12, 1, 11},
		// (7 − 0) / √max(0, 1) = 7.
		"word damaged":       {7, 0, 7},
		"word box":           {7, 0, 7},
		"phrase damaged box": {7, 0, 7},
		"tag shipping":       {6, 0, 6},
		// "עדיין הגיע" and others rise with the delivery forms: 6 a week (every other one).
	}
	got := map[string]trends.Topic{}
	for _, tp := range res.Topics {
		got[tp.Kind+" "+tp.Term] = tp
	}
	for k, w := range wants {
		tp, ok := got[k]
		if !ok {
			t.Errorf("%s: not a topic; topics %+v", k, res.Topics)
			continue
		}
		if tp.Count != w.count || tp.BaselineMean != w.mean || tp.Score != w.score || len(tp.Examples) != 3 {
			t.Errorf("%s = %+v, want count %d mean %v score %v", k, tp, w.count, w.mean, w.score)
		}
	}
	for _, flat := range []string{"word חשבון", "word refund", "word בחשבון", "word החשבון", "word שאלה", "phrase refund request"} {
		if _, ok := got[flat]; ok {
			t.Errorf("%s is a topic, but it is flat", flat)
		}
	}
	if res.Topics[0].Kind != "word" || res.Topics[0].Term != "משלוח" {
		t.Errorf("first topic = %+v", res.Topics[0])
	}
	// Examples are the newest conversations with the term: the last three damaged-box ones.
	if ex := got["phrase damaged box"].Examples; !slices.Equal(ex, []int64{int64(len(dataset())), int64(len(dataset()) - 1), int64(len(dataset()) - 2)}) {
		t.Errorf("examples = %v", ex)
	}
	if res.Statistic != "poisson_z" || res.Threshold != 3 || res.MinCount != 5 || res.Conversations != 8+12+7 ||
		!res.BaselineFrom.Equal(from.AddDate(0, 0, -28)) {
		t.Errorf("result header = %+v", res)
	}
	if got := trends.Analyze(nil, from, to); len(got.Topics) != 0 || got.Conversations != 0 {
		t.Errorf("empty = %+v", got)
	}
}

// TestTrends reads conversations, their first customer messages and tags
// from the database.
func TestTrends(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		err := d.WriteTx(ctx, func(tx *db.Tx) error {
			for _, q := range []string{
				`INSERT INTO contacts (id, name, created_at, updated_at) VALUES (1, 'C', 1, 1)`,
				`INSERT INTO inboxes (id, name, channel, created_at, updated_at) VALUES (1, 'I', 'email', 1, 1)`,
				`INSERT INTO inboxes (id, name, channel, created_at, updated_at) VALUES (2, 'J', 'email', 1, 1)`,
				`INSERT INTO tags (id, name, created_at) VALUES (1, 'shipping', 1)`,
			} {
				if _, err := tx.Exec(ctx, q); err != nil {
					return err
				}
			}
			for i, doc := range dataset() {
				id := int64(i + 1)
				if _, err := tx.Exec(ctx, `INSERT INTO conversations (id, inbox_id, channel, subject, status, priority, requester_id,
					created_at, updated_at) VALUES (?, ?, 'email', '', 'open', 'normal', 1, ?, ?)`, id, 1+i%2, doc.CreatedAt.UnixMilli(),
					doc.CreatedAt.UnixMilli()); err != nil {
					return err
				}
				// The text as the first inbound message, after an agent's note
				// that must not count; a later customer message does not count.
				for j, m := range []struct{ dir, kind, body string }{{"internal", "note", "damaged damaged"},
					{"inbound", "reply", doc.Text}, {"inbound", "reply", "damaged box"}} {
					if _, err := tx.Exec(ctx, `INSERT INTO messages (conversation_id, direction, kind, author_type, body_text, created_at)
						VALUES (?, ?, ?, ?, ?, ?)`, id, m.dir, m.kind, map[bool]string{true: "contact", false: "agent"}[m.dir == "inbound"],
						m.body, doc.CreatedAt.UnixMilli()+int64(j)); err != nil {
						return err
					}
				}
				if len(doc.Tags) > 0 {
					if _, err := tx.Exec(ctx, `INSERT INTO conversation_tags (conversation_id, tag_id) VALUES (?, 1)`, id); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		res, err := trends.New(d).Trends(ctx, from, to, trends.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		want := trends.Analyze(dataset(), from, to)
		if fmt.Sprint(res) != fmt.Sprint(want) {
			t.Errorf("from the database:\n%+v\nwant\n%+v", res, want)
		}
		// Filters narrow the period and the baseline alike: inbox 2 holds
		// the conversations of odd index (ids 2, 4, …), so its trends are
		// those of that half of the data set; channel chat holds none.
		var half []trends.Doc
		for i, doc := range dataset() {
			if i%2 == 1 {
				half = append(half, doc)
			}
		}
		for _, c := range []struct {
			name string
			f    trends.Filter
			want trends.Result
		}{
			{"inbox 2", trends.Filter{InboxID: 2}, trends.Analyze(half, from, to)},
			{"inbox 2, email", trends.Filter{InboxID: 2, Channel: "email"}, trends.Analyze(half, from, to)},
			{"chat", trends.Filter{Channel: "chat"}, trends.Analyze(nil, from, to)},
		} {
			got, err := trends.New(d).Trends(ctx, from, to, c.f)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("%s:\n%+v\nwant\n%+v", c.name, got, c.want)
			}
			if got.Conversations == res.Conversations || fmt.Sprint(got.Topics) == fmt.Sprint(res.Topics) {
				t.Errorf("%s: the filter changed nothing (%d conversations)", c.name, got.Conversations)
			}
		}
	})
}
