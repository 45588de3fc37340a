package search

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/search/normalize"
)

// Candidate bounds (see Search).
const (
	// RareBudget is the most documents fetched in full for the rarest
	// query terms: terms are taken rarest first while the sum of their
	// document frequencies stays within it.
	RareBudget = 2000
	// CommonWindow is how many of the newest matching documents are
	// fetched for the remaining (common) terms.
	CommonWindow = 400
)

// qterm is one term a query word is searched by.
type qterm struct {
	term   string
	weight float64 // 1 for the word itself, variantWeight for a variant
	df     int64
}

// group is one query word and the terms it is searched by.
type group struct {
	word  string
	terms []qterm
	idf   float64 // of the word itself (for Confidence)
}

func (q *Query) check() error {
	var c errs.Checker
	n := utf8.RuneCountInString(strings.TrimSpace(q.Text))
	c.Check(n > 0, "q", "required", "the query is empty")
	c.Check(n <= MaxQueryRunes, "q", "too_long", "the query is longer than %d characters", MaxQueryRunes)
	for _, t := range q.Types {
		c.Check(validKind(t), "type", "invalid", "unknown type %q (conversation, message, contact, article)", t)
	}
	c.Check(q.Limit >= 0 && q.Limit <= 100, "limit", "out_of_range", "limit must be 1..100")
	c.Check(q.Language == "" || q.Language == "he" || q.Language == "en", "lang", "invalid", "lang must be he or en")
	c.Check(q.From.IsZero() || q.To.IsZero() || q.From.Before(q.To), "to", "before_from", "to must be after from")
	c.Check(q.InboxID >= 0, "inbox_id", "invalid", "inbox_id must be positive")
	c.Check(q.TeamID >= 0, "team_id", "invalid", "team_id must be positive")
	return c.Err()
}

// Search runs q and returns the best hits, best first.
//
// Matching: each query word (normalized like documents: folded, stop words
// dropped, English stemmed) is searched by itself and, for a Hebrew word,
// by its prefix-stripped variants that occur in the index as words of
// their own (so "בהזמנה" also searches "הזמנה" but "משלוח" does not search
// "שלוח" unless some document has that word); the index holds every
// Hebrew token with its variants, so "משלוח" finds "והמשלוח". A document
// matches when it holds any query word (OR); ranking and Confidence reward
// holding them all.
//
// Ranking is BM25 computed in Go, identically for both databases, from the
// maintained document frequencies (search_terms) and totals
// (search_stats): per query word the best of its terms, weight ×
// idf × tf·(k1+1)/(tf + k1·(1−b+b·len/avglen)), with tf = 3×title
// occurrences + body occurrences and a variant's weight 0.6; ties go to
// the newer document. Confidence is Σ idf(word)·m(word) / Σ idf(word) over
// the query words, m = 1 when the word itself matched, 0.6 when only a
// variant did, 0 when neither: the idf-weighted share of the query found
// (rare words count more than common ones).
//
// Candidates are bounded so that a very common word does not rank every
// match: terms are taken rarest first while the sum of their document
// frequencies is at most RareBudget, and all documents holding them are
// ranked; the other (common) terms contribute only the CommonWindow newest
// matching documents (by index order, newest indexed first). A document
// holding a rare query word is therefore always found; one holding only
// very common words is found if it is among the newest of them — the
// trade-off, with TotalIsLowerBound set when a window was full. Filters
// and visibility are applied in SQL before the window.
//
// Conversations and their messages are collapsed to the best hit per
// conversation. Errors: errs.Invalid naming the field ("q", "type",
// "limit", "lang", "to", "inbox_id", "team_id"); database errors.
func (s *Service) Search(ctx context.Context, q Query) (Result, error) {
	if err := q.check(); err != nil {
		return Result{}, err
	}
	if q.Limit == 0 {
		q.Limit = 20
	}
	empty := Result{Hits: []Hit{}}
	where, args, ok := filterSQL(q)
	if !ok {
		return empty, nil
	}
	r := s.db.R()
	groups, st, err := s.groups(ctx, r, q.Text)
	if err != nil || len(groups) == 0 {
		return empty, err
	}
	var all []qterm
	seen := map[string]bool{}
	for _, g := range groups {
		for _, t := range g.terms {
			if t.df > 0 && !seen[t.term] {
				seen[t.term] = true
				all = append(all, t)
			}
		}
	}
	if len(all) == 0 {
		return empty, nil
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].df != all[j].df {
			return all[i].df < all[j].df
		}
		return all[i].term < all[j].term
	})
	var rare, common []string
	var sum int64
	for _, t := range all {
		if sum+t.df <= RareBudget {
			sum += t.df
			rare = append(rare, t.term)
		} else {
			common = append(common, t.term)
		}
	}
	cands := map[int64]*cand{}
	lower := false
	if len(rare) > 0 {
		if _, err := s.candidates(ctx, r, rare, where, args, 0, cands); err != nil {
			return Result{}, err
		}
	}
	if len(common) > 0 {
		var df int64
		for _, t := range all[len(rare):] {
			df += t.df
		}
		n, err := s.newest(ctx, r, common, min(df, st.docs), st.docs, where, args, cands)
		if err != nil {
			return Result{}, err
		}
		lower = n >= CommonWindow
	}
	ranked := rank(groups, st, cands)
	total := len(ranked)
	if len(ranked) > q.Limit {
		ranked = ranked[:q.Limit]
	}
	hits, err := s.hits(ctx, r, groups, ranked)
	if err != nil {
		return Result{}, err
	}
	return Result{Hits: hits, Total: total, TotalIsLowerBound: lower}, nil
}

// stats are the index totals.
type stats struct {
	docs   int64
	avgLen float64
}

func idf(n, df int64) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// queryTokens returns the distinct tokens of query text.
func queryTokens(text string) []string {
	var out []string
	for _, t := range analyze(text, 64) {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// groups analyzes the query text and looks up its terms' frequencies.
func (s *Service) groups(ctx context.Context, r db.Querier, text string) ([]group, stats, error) {
	toks := queryTokens(text)
	var st stats
	if len(toks) == 0 {
		return nil, st, nil
	}
	var terms []any
	for _, t := range toks {
		for _, x := range expand(t) {
			terms = append(terms, x)
		}
	}
	df, exact := map[string]int64{}, map[string]int64{}
	rows, err := r.Query(ctx, `SELECT term, df, exact_df FROM search_terms WHERE term IN (`+db.Placeholders(len(terms))+`)`, terms...)
	if err != nil {
		return nil, st, fmt.Errorf("search: terms: %w", err)
	}
	for rows.Next() {
		var t string
		var d, e int64
		if err := rows.Scan(&t, &d, &e); err != nil {
			rows.Close()
			return nil, st, err
		}
		df[t], exact[t] = d, e
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, st, err
	}
	var tokens int64
	if err := r.QueryRow(ctx, `SELECT docs, tokens FROM search_stats WHERE id = 1`).Scan(&st.docs, &tokens); err != nil {
		return nil, st, fmt.Errorf("search: stats: %w", err)
	}
	if st.docs > 0 {
		st.avgLen = float64(tokens) / float64(st.docs)
	}
	if st.avgLen <= 0 {
		st.avgLen = 1
	}
	var gs []group
	for _, t := range toks {
		g := group{word: t, terms: []qterm{{term: t, weight: 1, df: df[t]}}, idf: idf(st.docs, df[t])}
		for _, v := range normalize.Variants(t) {
			if exact[v] > 0 {
				g.terms = append(g.terms, qterm{term: v, weight: variantWeight, df: df[v]})
			}
		}
		gs = append(gs, g)
	}
	return gs, st, nil
}

// filterSQL returns the WHERE conditions (on search_docs d) of q's
// filters and visibility, and false when q can see nothing.
func filterSQL(q Query) (string, []any, bool) {
	p := q.Principal
	want := func(k string) bool { return len(q.Types) == 0 || slices.Contains(q.Types, k) }
	convFilters := q.InboxID != 0 || q.TeamID != 0 || q.Status != ""
	var arms []string
	var args []any
	if p != nil && p.Can(auth.ConversationsRead) {
		var ks []string
		if want(KindConversation) {
			ks = append(ks, KindConversation, KindMessage)
		} else if want(KindMessage) {
			ks = append(ks, KindMessage)
		}
		if len(ks) > 0 {
			c := "d.kind IN ('" + strings.Join(ks, "','") + "')"
			if !p.SeesAllConversations() {
				c += " AND (d.team_id = 0 OR d.assignee_id = ?"
				args = append(args, p.AgentID)
				if len(p.TeamIDs) > 0 {
					c += " OR d.team_id IN (" + db.Placeholders(len(p.TeamIDs)) + ")"
					for _, id := range p.TeamIDs {
						args = append(args, id)
					}
				}
				c += ")"
			}
			if q.InboxID != 0 {
				c += " AND d.inbox_id = ?"
				args = append(args, q.InboxID)
			}
			if q.TeamID != 0 {
				c += " AND d.team_id = ?"
				args = append(args, q.TeamID)
			}
			if q.Status != "" {
				c += " AND d.status = ?"
				args = append(args, q.Status)
			}
			arms = append(arms, "("+c+")")
		}
	}
	if !convFilters && p != nil && p.Can(auth.ContactsRead) && want(KindContact) {
		arms = append(arms, "(d.kind = 'contact')")
	}
	if !convFilters && want(KindArticle) {
		c := "d.kind = 'article'"
		if p == nil || q.PublicOnly || !p.Can(auth.KBRead) {
			c += " AND d.published = 1 AND d.internal = 0"
		}
		if q.Language != "" {
			c += " AND d.language = ?"
			args = append(args, q.Language)
		}
		arms = append(arms, "("+c+")")
	}
	if len(arms) == 0 {
		return "", nil, false
	}
	w := "(" + strings.Join(arms, " OR ") + ")"
	if !q.From.IsZero() {
		w += " AND d.time_ms >= ?"
		args = append(args, db.Ms(q.From))
	}
	if !q.To.IsZero() {
		w += " AND d.time_ms < ?"
		args = append(args, db.Ms(q.To))
	}
	return w, args, true
}

// cand is a candidate document with its stored terms.
type cand struct {
	id, docID, convID int64
	kind              string
	title, body       string // stored terms, space-separated
	length            int
	score, conf       float64
}

// candidates adds to out the documents matching any of terms and the
// filters: all of them (limit 0) or the limit newest. It returns how many
// rows the query gave.
func (s *Service) candidates(ctx context.Context, r db.Querier, terms []string, where string, args []any, limit int, out map[int64]*cand) (int, error) {
	return s.candidatesIn(ctx, r, terms, where, args, limit, 0, 0, out)
}

// newest adds to out the CommonWindow newest documents (by id) matching
// any of terms (about df of the n documents match) and the filters. On
// SQLite FTS5 walks its rowids backwards. On PostgreSQL the planner would
// collect every match from the GIN index and sort them, so the newest ids
// are scanned in windows of the primary key sized from df/n (a very
// common term fills the window from the first few thousand rows), the
// window doubling until enough are found; the result is the same set.
func (s *Service) newest(ctx context.Context, r db.Querier, terms []string, df, n int64, where string, args []any, out map[int64]*cand) (int, error) {
	if r.Dialect() != db.Postgres || df <= 0 {
		return s.candidatesIn(ctx, r, terms, where, args, CommonWindow, 0, 0, out)
	}
	var hi int64
	if err := r.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM search_docs`).Scan(&hi); err != nil {
		return 0, fmt.Errorf("search: max id: %w", err)
	}
	window := max(1000, 2*CommonWindow*n/df)
	got := 0
	for i := 0; got < CommonWindow && hi > 0; i++ {
		lo := max(0, hi-window)
		if i == 6 {
			lo = 0 // the filters are selective: let the planner finish
		}
		k, err := s.candidatesIn(ctx, r, terms, where, args, CommonWindow-got, lo, hi, out)
		if err != nil {
			return got, err
		}
		got += k
		hi, window = lo, window*2
	}
	return got, nil
}

// candidatesIn is candidates restricted to lo < id <= hi when hi > 0.
//
// On PostgreSQL the tsquery is written into the statement as a literal
// (its lexemes hold only letters and digits and are quoted), not bound: a
// prepared statement with a bound tsquery soon gets a generic plan that
// cannot know how common the words are and may scan the whole table. A
// bounded window (lo > 0) is read first as a materialized range of the
// primary key, so the GIN index is not used for a very common word.
func (s *Service) candidatesIn(ctx context.Context, r db.Querier, terms []string, where string, args []any, limit int, lo, hi int64, out map[int64]*cand) (int, error) {
	cols := `d.id, d.doc_id, d.conversation_id, d.kind, d.title_terms, d.body_terms, d.length`
	var q string
	var qa []any
	if r.Dialect() == db.Postgres {
		ls := make([]string, len(terms))
		for i, t := range terms {
			ls[i] = quoteLexeme(t)
		}
		lit := "'" + strings.ReplaceAll(strings.Join(ls, " | "), "'", "''") + "'::tsquery"
		switch {
		case hi > 0 && lo > 0:
			q = `WITH w AS MATERIALIZED (SELECT ` + strings.ReplaceAll(docColumns, "\n\t", " ") + `, id, tsv FROM search_docs WHERE id > ? AND id <= ?)
				SELECT ` + cols + ` FROM w d WHERE d.tsv @@ ` + lit + ` AND ` + where
			qa = append([]any{lo, hi}, args...)
		case hi > 0:
			q = `SELECT ` + cols + ` FROM search_docs d WHERE d.id <= ? AND d.tsv @@ ` + lit + ` AND ` + where
			qa = append([]any{hi}, args...)
		default:
			q = `SELECT ` + cols + ` FROM search_docs d WHERE d.tsv @@ ` + lit + ` AND ` + where
			qa = args
		}
	} else {
		if hi > 0 {
			where += " AND d.id > ? AND d.id <= ?"
			args = append(slices.Clone(args), lo, hi)
		}
		ls := make([]string, len(terms))
		for i, t := range terms {
			ls[i] = `"` + t + `"`
		}
		q = `SELECT ` + cols + ` FROM search_fts CROSS JOIN search_docs d ON d.id = search_fts.rowid WHERE search_fts MATCH ? AND ` + where
		qa = append([]any{strings.Join(ls, " OR ")}, args...)
	}
	if limit > 0 && r.Dialect() == db.Postgres {
		q += ` ORDER BY d.id DESC LIMIT ?`
		qa = append(qa, limit)
	} else if limit > 0 {
		// FTS5 walks its rowids backwards (rowid = d.id).
		q += ` ORDER BY search_fts.rowid DESC LIMIT ?`
		qa = append(qa, limit)
	}
	rows, err := r.Query(ctx, q, qa...)
	if err != nil {
		return 0, fmt.Errorf("search: candidates: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var c cand
		var tt, bt string
		if err := rows.Scan(&c.id, &c.docID, &c.convID, &c.kind, &tt, &bt, &c.length); err != nil {
			return n, err
		}
		n++
		if out[c.id] == nil {
			c.title, c.body = tt, bt
			out[c.id] = &c
		}
	}
	return n, rows.Err()
}

// rank scores the candidates (see Search) and returns them best first,
// with conversations and messages collapsed to the best per conversation.
func rank(groups []group, st stats, cands map[int64]*cand) []*cand {
	var idfSum float64
	for _, g := range groups {
		idfSum += g.idf
	}
	out := make([]*cand, 0, len(cands))
	for _, c := range cands {
		norm := bm25K1 * (1 - bm25B + bm25B*float64(c.length)/st.avgLen)
		var found float64
		for _, g := range groups {
			best, m := 0.0, 0.0
			for _, t := range g.terms {
				if t.df == 0 {
					continue
				}
				tf := titleBoost*float64(count(c.title, t.term)) + float64(count(c.body, t.term))
				if tf == 0 {
					continue
				}
				sc := t.weight * idf(st.docs, t.df) * tf * (bm25K1 + 1) / (tf + norm)
				best = math.Max(best, sc)
				m = math.Max(m, t.weight)
			}
			c.score += best
			found += g.idf * m
		}
		if idfSum > 0 {
			c.conf = found / idfSum
		}
		if c.score > 0 {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].id > out[j].id
	})
	// One hit per conversation: its best document.
	seen := map[int64]bool{}
	kept := out[:0]
	for _, c := range out {
		if c.convID != 0 {
			if seen[c.convID] {
				continue
			}
			seen[c.convID] = true
		}
		kept = append(kept, c)
	}
	return kept
}

// count returns how many of the space-separated tokens hold query term q
// (without splitting them: this runs for every candidate).
func count(tokens, q string) int {
	n := 0
	for tokens != "" {
		var t string
		t, tokens, _ = strings.Cut(tokens, " ")
		if matchesTerm(t, q) {
			n++
		}
	}
	return n
}
