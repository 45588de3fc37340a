package search

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/kesherdesk/kesher/internal/db"
)

// row is a document as stored in search_docs.
type row struct {
	id         int64
	doc        Doc
	titleTerms []string
	bodyTerms  []string
	length     int
	// Derived once (in parallel, by prepareRows) for a document being
	// written: the expanded and exact term sets (termSets) and the
	// full-text entry: ftsTitle/ftsBody (SQLite) or tsv (PostgreSQL).
	expanded, exact   map[string]bool
	ftsTitle, ftsBody string
	tsv               string
}

// prepareRows builds the rows of docs (newRow plus the term sets and the
// dialect's full-text entry) on GOMAXPROCS goroutines: the analysis
// (normalization, Snowball, Hebrew variants) is most of indexing's CPU
// cost, and it needs no database. The result is in the order of docs.
func prepareRows(docs []Doc, pg bool) []row {
	out := make([]row, len(docs))
	prep := func(i int) {
		r := newRow(docs[i])
		r.expanded, r.exact = termSets(r.titleTerms, r.bodyTerms)
		if pg {
			r.tsv = tsvLiteral(r.titleTerms, r.bodyTerms)
		} else {
			r.ftsTitle, r.ftsBody = ftsText(r.titleTerms), ftsText(r.bodyTerms)
		}
		out[i] = r
	}
	workers := min(runtime.GOMAXPROCS(0), (len(docs)+31)/32)
	if workers <= 1 {
		for i := range docs {
			prep(i)
		}
		return out
	}
	var wg sync.WaitGroup
	var next atomic.Int64
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(32)) - 32
				if i >= len(docs) {
					return
				}
				for j := i; j < min(i+32, len(docs)); j++ {
					prep(j)
				}
			}
		}()
	}
	wg.Wait()
	return out
}

// maxStoredBody caps the raw body kept for snippets, in bytes.
const maxStoredBody = 64 << 10

func newRow(d Doc) row {
	r := row{doc: d}
	r.titleTerms = analyze(d.Title, maxDocTokens)
	r.bodyTerms = analyze(d.Body, maxDocTokens)
	r.length = len(r.titleTerms) + len(r.bodyTerms)
	if len(r.doc.Body) > maxStoredBody {
		r.doc.Body = truncateUTF8(r.doc.Body, maxStoredBody)
	}
	if len(r.doc.Title) > maxStoredBody {
		r.doc.Title = truncateUTF8(r.doc.Title, maxStoredBody)
	}
	if r.doc.Kind == KindConversation && r.doc.ConversationID == 0 {
		r.doc.ConversationID = r.doc.ID
	}
	return r
}

func truncateUTF8(s string, n int) string {
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// ftsText is the expanded terms of tokens, space-separated, in order (each
// token followed by its variants): what search_fts indexes (SQLite).
func ftsText(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		for _, x := range expand(t) {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(x)
		}
	}
	return b.String()
}

// tsvLiteral is the tsvector literal of a document (PostgreSQL): each
// distinct expanded term once, at position 1 with weight A when it is in
// the title, at position 2 with weight B when it is in the body. Terms hold
// only letters and digits (normalize.Words), so quoting is plain.
func tsvLiteral(title, body []string) string {
	te, _ := termSets(title)
	be, _ := termSets(body)
	all := make([]string, 0, len(te)+len(be))
	for t := range te {
		all = append(all, t)
	}
	for t := range be {
		if !te[t] {
			all = append(all, t)
		}
	}
	slices.Sort(all)
	var b strings.Builder
	for i, t := range all {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quoteLexeme(t))
		b.WriteByte(':')
		switch {
		case te[t] && be[t]:
			b.WriteString("1A,2B")
		case te[t]:
			b.WriteString("1A")
		default:
			b.WriteString("2B")
		}
	}
	return b.String()
}

// quoteLexeme quotes a tsvector/tsquery lexeme.
func quoteLexeme(t string) string {
	if strings.ContainsAny(t, `\'`) {
		t = strings.ReplaceAll(strings.ReplaceAll(t, `\`, `\\`), `'`, `''`)
	}
	return "'" + t + "'"
}

// pending is one transaction's not yet written changes to search_terms and
// search_stats; they are written once, sorted by term, just before the
// commit (db.Tx.BeforeCommit), so a transaction that indexes many
// documents writes each term's row once, and concurrent PostgreSQL
// transactions lock term rows in the same order (no deadlocks).
type pending struct {
	df, exact    map[string]int64
	docs, tokens int64
}

type pendingKey struct{}

func pendingOf(tx *db.Tx) *pending {
	if p, ok := tx.Value(pendingKey{}).(*pending); ok {
		return p
	}
	p := &pending{df: map[string]int64{}, exact: map[string]int64{}}
	tx.SetValue(pendingKey{}, p)
	tx.BeforeCommit(func() error { return p.flush(context.Background(), tx) })
	return p
}

func (p *pending) add(r row, sign int64) {
	exp, ex := r.expanded, r.exact
	if exp == nil {
		exp, ex = termSets(r.titleTerms, r.bodyTerms)
	}
	for t := range exp {
		p.df[t] += sign
	}
	for t := range ex {
		p.exact[t] += sign
	}
	p.docs += sign
	p.tokens += sign * int64(r.length)
}

// upsertChunks are the row counts of the multi-row statements (a few fixed
// sizes, so the statement cache holds few texts).
var upsertChunks = []int{256, 64, 8, 1}

// chunked calls f with consecutive slices of n items [i, i+k) whose
// sizes are taken greedily from upsertChunks.
func chunked(n int, f func(i, k int) error) error {
	for i := 0; i < n; {
		for _, k := range upsertChunks {
			if n-i >= k {
				if err := f(i, k); err != nil {
					return err
				}
				i += k
				break
			}
		}
	}
	return nil
}

func (p *pending) flush(ctx context.Context, tx *db.Tx) error {
	terms := make([]string, 0, len(p.df))
	for t := range p.df {
		if p.df[t] != 0 || p.exact[t] != 0 {
			terms = append(terms, t)
		}
	}
	slices.Sort(terms)
	err := chunked(len(terms), func(i, k int) error {
		q := "INSERT INTO search_terms (term, df, exact_df) VALUES " + strings.TrimSuffix(strings.Repeat("(?, ?, ?),", k), ",") +
			" ON CONFLICT (term) DO UPDATE SET df = search_terms.df + excluded.df, exact_df = search_terms.exact_df + excluded.exact_df"
		args := make([]any, 0, 3*k)
		for _, t := range terms[i : i+k] {
			args = append(args, t, p.df[t], p.exact[t])
		}
		_, err := tx.Exec(ctx, q, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("search: terms: %w", err)
	}
	if p.docs != 0 || p.tokens != 0 {
		if _, err := tx.Exec(ctx, `UPDATE search_stats SET docs = docs + ?, tokens = tokens + ? WHERE id = 1`, p.docs, p.tokens); err != nil {
			return fmt.Errorf("search: stats: %w", err)
		}
	}
	clear(p.df)
	clear(p.exact)
	p.docs, p.tokens = 0, 0
	return nil
}

// existing returns the stored rows of kind with these doc ids, by doc id.
func existing(ctx context.Context, tx *db.Tx, kind string, ids []int64) (map[int64]row, error) {
	out := map[int64]row{}
	return out, chunked(len(ids), func(i, k int) error {
		args := []any{kind}
		for _, id := range ids[i : i+k] {
			args = append(args, id)
		}
		rows, err := tx.Query(ctx, `SELECT id, doc_id, title_terms, body_terms, length FROM search_docs WHERE kind = ? AND doc_id IN (`+
			marks(k)+`)`, args...)
		if err != nil {
			return fmt.Errorf("search: existing: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r row
			var tt, bt string
			if err := rows.Scan(&r.id, &r.doc.ID, &tt, &bt, &r.length); err != nil {
				return err
			}
			r.doc.Kind = kind
			r.titleTerms, r.bodyTerms = splitTerms(tt), splitTerms(bt)
			out[r.doc.ID] = r
		}
		return rows.Err()
	})
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

const docColumns = `kind, doc_id, conversation_id, language, inbox_id, team_id, assignee_id, status, internal, published, time_ms,
	title, body, title_terms, body_terms, length`

func (r row) args() []any {
	d := r.doc
	return []any{d.Kind, d.ID, d.ConversationID, d.Language, d.InboxID, d.TeamID, d.AssigneeID, d.Status, b2i(d.Internal),
		b2i(d.Published), db.Ms(d.Time), d.Title, d.Body, strings.Join(r.titleTerms, " "), strings.Join(r.bodyTerms, " "), r.length}
}

// IndexTx adds or replaces docs (by Kind and ID) in the index, inside tx.
// Document frequencies and totals are written once per transaction, just
// before it commits. Raw title and body are kept (up to 64 KB each) for
// snippets; at most 20,000 tokens per field are indexed. Errors: a Kind
// not listed above (a programming error, not input), database errors.
func (s *Service) IndexTx(ctx context.Context, tx *db.Tx, docs ...Doc) error {
	byKind := map[string][]Doc{}
	for _, d := range docs {
		if !validKind(d.Kind) {
			return fmt.Errorf("search: unknown kind %q", d.Kind)
		}
		byKind[d.Kind] = append(byKind[d.Kind], d)
	}
	p := pendingOf(tx)
	pg := tx.Dialect() == db.Postgres
	for _, kind := range kinds {
		list := byKind[kind]
		if len(list) == 0 {
			continue
		}
		// The last version of a doc given twice wins.
		last := map[int64]int{}
		for i, d := range list {
			last[d.ID] = i
		}
		ids := make([]int64, 0, len(last))
		for id := range last {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		old, err := existing(ctx, tx, kind, ids)
		if err != nil {
			return err
		}
		latest := make([]Doc, len(ids))
		for i, id := range ids {
			latest[i] = list[last[id]]
		}
		var fresh []row
		for _, r := range prepareRows(latest, pg) {
			id := r.doc.ID
			p.add(r, 1)
			o, ok := old[id]
			if !ok {
				fresh = append(fresh, r)
				continue
			}
			p.add(o, -1)
			r.id = o.id
			if err := s.replace(ctx, tx, o, r); err != nil {
				return err
			}
		}
		if err := chunked(len(fresh), func(i, k int) error { return insertRows(ctx, tx, pg, fresh[i:i+k]) }); err != nil {
			return err
		}
	}
	return nil
}

// insertRows inserts new documents and their full-text entries.
func insertRows(ctx context.Context, tx *db.Tx, pg bool, rs []row) error {
	one := "(" + marks(16) + ")"
	if pg {
		one = "(" + marks(16) + ", ?::tsvector)"
	}
	cols := docColumns
	if pg {
		cols += ", tsv"
	}
	q := "INSERT INTO search_docs (" + cols + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+",", len(rs)), ",") + " RETURNING id, doc_id"
	args := make([]any, 0, 17*len(rs))
	for _, r := range rs {
		args = append(args, r.args()...)
		if pg {
			args = append(args, r.tsv)
		}
	}
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("search: insert: %w", err)
	}
	ids := map[int64]int64{}
	for rows.Next() {
		var id, docID int64
		if err := rows.Scan(&id, &docID); err != nil {
			rows.Close()
			return err
		}
		ids[docID] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if pg {
		return nil
	}
	fargs := make([]any, 0, 3*len(rs))
	for _, r := range rs {
		fargs = append(fargs, ids[r.doc.ID], r.ftsTitle, r.ftsBody)
	}
	_, err = tx.Exec(ctx, "INSERT INTO search_fts (rowid, title, body) VALUES "+strings.TrimSuffix(strings.Repeat("(?, ?, ?),", len(rs)), ","), fargs...)
	if err != nil {
		return fmt.Errorf("search: fts insert: %w", err)
	}
	return nil
}

// replace rewrites stored document o as r (same id).
func (s *Service) replace(ctx context.Context, tx *db.Tx, o, r row) error {
	pg := tx.Dialect() == db.Postgres
	set := `conversation_id = ?, language = ?, inbox_id = ?, team_id = ?, assignee_id = ?, status = ?, internal = ?, published = ?,
		time_ms = ?, title = ?, body = ?, title_terms = ?, body_terms = ?, length = ?`
	args := r.args()[2:]
	if pg {
		set += ", tsv = ?::tsvector"
		args = append(args, r.tsv)
	}
	if _, err := tx.Exec(ctx, "UPDATE search_docs SET "+set+" WHERE id = ?", append(args, o.id)...); err != nil {
		return fmt.Errorf("search: update: %w", err)
	}
	if pg {
		return nil
	}
	if err := ftsDelete(ctx, tx, o); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO search_fts (rowid, title, body) VALUES (?, ?, ?)`, o.id, r.ftsTitle, r.ftsBody); err != nil {
		return fmt.Errorf("search: fts insert: %w", err)
	}
	return nil
}

// ftsDelete removes stored row o from the contentless FTS5 table (the
// 'delete' command needs the text that was indexed, derived again from the
// stored terms).
func ftsDelete(ctx context.Context, tx *db.Tx, o row) error {
	_, err := tx.Exec(ctx, `INSERT INTO search_fts (search_fts, rowid, title, body) VALUES ('delete', ?, ?, ?)`,
		o.id, ftsText(o.titleTerms), ftsText(o.bodyTerms))
	if err != nil {
		return fmt.Errorf("search: fts delete: %w", err)
	}
	return nil
}

// DeleteTx removes the documents of kind with the given ids, inside tx
// (ids not indexed are ignored). Errors: database errors.
func (s *Service) DeleteTx(ctx context.Context, tx *db.Tx, kind string, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	old, err := existing(ctx, tx, kind, ids)
	if err != nil {
		return err
	}
	return s.deleteRows(ctx, tx, old)
}

func (s *Service) deleteRows(ctx context.Context, tx *db.Tx, old map[int64]row) error {
	p := pendingOf(tx)
	for _, o := range old {
		p.add(o, -1)
		if tx.Dialect() == db.SQLite {
			if err := ftsDelete(ctx, tx, o); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM search_docs WHERE id = ?`, o.id); err != nil {
			return fmt.Errorf("search: delete: %w", err)
		}
	}
	return nil
}

// DeleteConversationTx removes a conversation's document and the
// documents of all its messages, inside tx (conversation delete).
func (s *Service) DeleteConversationTx(ctx context.Context, tx *db.Tx, conversationID int64) error {
	rows, err := tx.Query(ctx, `SELECT id, kind, doc_id, title_terms, body_terms, length FROM search_docs WHERE conversation_id = ?`, conversationID)
	if err != nil {
		return fmt.Errorf("search: conversation docs: %w", err)
	}
	old := map[int64]row{}
	for rows.Next() {
		var r row
		var tt, bt string
		if err := rows.Scan(&r.id, &r.doc.Kind, &r.doc.ID, &tt, &bt, &r.length); err != nil {
			rows.Close()
			return err
		}
		r.titleTerms, r.bodyTerms = splitTerms(tt), splitTerms(bt)
		old[r.id] = r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return s.deleteRows(ctx, tx, old)
}

// ConversationFilters are the filter columns of a conversation's
// documents (the conversation and its messages).
type ConversationFilters struct {
	InboxID, TeamID, AssigneeID int64
	Status                      string
}

// UpdateConversationTx sets the filter columns of a conversation's
// documents (after a status, assignee, team or inbox change), inside tx:
// one UPDATE through the conversation_id index, no re-normalization.
func (s *Service) UpdateConversationTx(ctx context.Context, tx *db.Tx, conversationID int64, f ConversationFilters) error {
	_, err := tx.Exec(ctx, `UPDATE search_docs SET inbox_id = ?, team_id = ?, assignee_id = ?, status = ? WHERE conversation_id = ?`,
		f.InboxID, f.TeamID, f.AssigneeID, f.Status, conversationID)
	if err != nil {
		return fmt.Errorf("search: conversation filters: %w", err)
	}
	return nil
}

// kinds lists the document kinds in a fixed order.
var kinds = []string{KindConversation, KindMessage, KindContact, KindArticle}

func validKind(k string) bool { return slices.Contains(kinds, k) }
