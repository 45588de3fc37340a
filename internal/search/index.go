package search

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

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
	// written: the distinct expanded terms and tokens (docTerms) and the
	// full-text entry: ftsTitle/ftsBody (SQLite) or tsv (PostgreSQL).
	terms             []docTerm
	exact             []string
	ftsTitle, ftsBody string
	tsv               string
}

// prepareRows builds the rows of docs (newRow plus the term sets and the
// dialect's full-text entry) on GOMAXPROCS goroutines: the analysis
// (normalization, Snowball, Hebrew variants) is most of indexing's CPU
// cost, and it needs no database. The result is in the order of docs.
func (a *analyzer) prepareRows(docs []Doc, pg bool) []row {
	out := make([]row, len(docs))
	prep := func(i int) {
		r := a.newRow(docs[i])
		r.terms, r.exact = a.docTerms(r.titleTerms, r.bodyTerms)
		if pg {
			r.tsv = tsvLiteral(r.terms)
		} else {
			r.ftsTitle, r.ftsBody = a.ftsText(r.titleTerms), a.ftsText(r.bodyTerms)
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

func (a *analyzer) newRow(d Doc) row {
	// PostgreSQL text cannot hold NUL: it becomes a space, before the
	// analysis, so the stored text (snippets, and Reindex of articles,
	// which reads it back) splits words where the index does.
	d.Title, d.Body = nulToSpace(d.Title), nulToSpace(d.Body)
	r := row{doc: d}
	r.titleTerms = a.analyze(d.Title, maxDocTokens)
	r.bodyTerms = a.analyze(d.Body, maxDocTokens)
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

func nulToSpace(s string) string {
	if strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\x00", " ")
}

func truncateUTF8(s string, n int) string {
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
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
	// written counts the search_docs rows written (inserted or updated):
	// each adds its entries to the GIN pending list (PostgreSQL).
	written int64
	an      *analyzer
	svc     *Service
}

type pendingKey struct{}

func (s *Service) pendingOf(tx *db.Tx) *pending {
	if p, ok := tx.Value(pendingKey{}).(*pending); ok {
		return p
	}
	p := &pending{df: map[string]int64{}, exact: map[string]int64{}, an: s.an, svc: s}
	tx.SetValue(pendingKey{}, p)
	tx.BeforeCommit(func() error { return p.flush(context.Background(), tx) })
	return p
}

func (p *pending) add(r row, sign int64) {
	terms, exact := r.terms, r.exact
	if terms == nil {
		terms, exact = p.an.docTerms(r.titleTerms, r.bodyTerms)
	}
	for _, t := range terms {
		p.df[t.term] += sign
	}
	for _, t := range exact {
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
	if tx.Dialect() == db.Postgres && len(terms) > 0 {
		// One statement over arrays: a 1,000-message batch holds ~8,500
		// distinct terms; unnest keeps their (sorted) order, so
		// concurrent transactions lock term rows in the same order.
		dfs, exacts := make([]int64, len(terms)), make([]int64, len(terms))
		for i, t := range terms {
			dfs[i], exacts[i] = p.df[t], p.exact[t]
		}
		_, err := tx.Exec(ctx, `INSERT INTO search_terms (term, df, exact_df) SELECT * FROM unnest(?::text[], ?::bigint[], ?::bigint[])
			ON CONFLICT (term) DO UPDATE SET df = search_terms.df + excluded.df, exact_df = search_terms.exact_df + excluded.exact_df`,
			terms, dfs, exacts)
		if err != nil {
			return fmt.Errorf("search: terms: %w", err)
		}
		return p.flushStats(ctx, tx)
	}
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
	return p.flushStats(ctx, tx)
}

func (p *pending) flushStats(ctx context.Context, tx *db.Tx) error {
	switch {
	case p.written > 0 && tx.Dialect() == db.Postgres:
		var left int64
		err := tx.QueryRow(ctx, `UPDATE search_stats SET docs = docs + ?, tokens = tokens + ?,
			gin_pending = CASE WHEN gin_pending + ? >= ? THEN 0 ELSE gin_pending + ? END WHERE id = 1 RETURNING gin_pending`,
			p.docs, p.tokens, p.written, ginMergeEvery, p.written).Scan(&left)
		if err != nil {
			return fmt.Errorf("search: stats: %w", err)
		}
		if left == 0 {
			d := tx.DB()
			tx.AfterCommit(func() { p.svc.mergeGINPending(d) })
		}
	case p.docs != 0 || p.tokens != 0:
		if _, err := tx.Exec(ctx, `UPDATE search_stats SET docs = docs + ?, tokens = tokens + ? WHERE id = 1`, p.docs, p.tokens); err != nil {
			return fmt.Errorf("search: stats: %w", err)
		}
	}
	clear(p.df)
	clear(p.exact)
	p.docs, p.tokens, p.written = 0, 0, 0
	return nil
}

// ginMergeEvery is how many written documents (PostgreSQL) make the
// transaction that reaches it merge the GIN pending list after its commit
// (migration 00025): a search scans the unmerged list whole. Filter
// updates (UpdateConversationTx) that are not HOT add entries too without
// being counted (counting them would lock search_stats on every status
// change); the next merge takes them along.
const ginMergeEvery = 256

// mergeGINPending merges the pending list of search_docs' GIN index into
// the index (gin_clean_pending_list), after a commit, outside the
// transaction: the merge is physical and needs no row lock, so other
// writers are not held up while it runs. A failure (a database user that does
// not own the index) is logged once per Service (services made per call,
// New(nil), log it at each attempt: once per 256 documents); the index's
// 2 MB pending limit then makes the server merge by itself. It runs in
// the goroutine that committed (AfterCommit), so that writer waits for
// the merge (~40 ms for 256 documents here; at most a minute).
func (s *Service) mergeGINPending(d *db.DB) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := d.Write.ExecContext(ctx, `SELECT gin_clean_pending_list('search_docs_tsv'::regclass)`); err != nil {
		if s.ginWarned.CompareAndSwap(false, true) {
			slog.Warn("search: merging the GIN pending list failed; the server merges it at 2 MB", "err", err)
		}
	}
}

// existing returns the stored rows of kind with these doc ids, by doc id:
// one query over an array on PostgreSQL, IN lists of upsertChunks sizes on
// SQLite.
func existing(ctx context.Context, tx *db.Tx, kind string, ids []int64) (map[int64]row, error) {
	out := map[int64]row{}
	const cols = `SELECT id, doc_id, title_terms, body_terms, length FROM search_docs WHERE kind = ? AND doc_id `
	read := func(q string, args ...any) error {
		rows, err := tx.Query(ctx, q, args...)
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
	}
	if tx.Dialect() == db.Postgres {
		if len(ids) == 0 {
			return out, nil
		}
		return out, read(cols+`= ANY(?::bigint[])`, kind, ids)
	}
	return out, chunked(len(ids), func(i, k int) error {
		args := []any{kind}
		for _, id := range ids[i : i+k] {
			args = append(args, id)
		}
		return read(cols+`IN (`+db.Placeholders(k)+`)`, args...)
	})
}

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
	b, err := s.Analyze(tx.Dialect(), docs...)
	if err != nil {
		return err
	}
	return s.IndexBatchTx(ctx, tx, b)
}

// Batch is a set of documents analyzed (normalized, stemmed, expanded into
// index terms) ahead of the transaction that writes them: a bulk loader
// analyzes the next batch while the current one is being written
// (BenchSeed). Analysis needs no database, only the dialect.
type Batch struct {
	dialect db.Dialect
	// rows by kind (in kinds order), one per document id (the last
	// version given wins), sorted by id.
	rows [][]row
	n    int
}

// Len is the number of distinct documents in the batch.
func (b *Batch) Len() int { return b.n }

// Analyze analyzes docs for IndexBatchTx on a store of dialect, on
// GOMAXPROCS goroutines. Errors: a Kind not listed above (a programming
// error, not input).
func (s *Service) Analyze(dialect db.Dialect, docs ...Doc) (*Batch, error) {
	byKind := map[string][]Doc{}
	for _, d := range docs {
		if !validKind(d.Kind) {
			return nil, fmt.Errorf("search: unknown kind %q", d.Kind)
		}
		byKind[d.Kind] = append(byKind[d.Kind], d)
	}
	b := &Batch{dialect: dialect, rows: make([][]row, len(kinds))}
	for k, kind := range kinds {
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
		latest := make([]Doc, len(ids))
		for i, id := range ids {
			latest[i] = list[last[id]]
		}
		b.rows[k] = s.an.prepareRows(latest, dialect == db.Postgres)
		b.n += len(ids)
	}
	return b, nil
}

// IndexBatchTx adds or replaces the documents of b (see IndexTx) inside
// tx. Errors: b analyzed for the other dialect (a programming error),
// database errors.
func (s *Service) IndexBatchTx(ctx context.Context, tx *db.Tx, b *Batch) error {
	if b.dialect != tx.Dialect() {
		return fmt.Errorf("search: batch analyzed for %s, written to %s", b.dialect, tx.Dialect())
	}
	p := s.pendingOf(tx)
	pg := tx.Dialect() == db.Postgres
	for k, kind := range kinds {
		rows := b.rows[k]
		if len(rows) == 0 {
			continue
		}
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.doc.ID
		}
		old, err := existing(ctx, tx, kind, ids)
		if err != nil {
			return err
		}
		var fresh []row
		for _, r := range rows {
			p.add(r, 1)
			o, ok := old[r.doc.ID]
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
		if pg {
			p.written += int64(len(fresh))
			if err := insertRowsPG(ctx, tx, fresh, insertChunkBytes); err != nil {
				return err
			}
			continue
		}
		if err := chunked(len(fresh), func(i, k int) error { return insertRowsSQLite(ctx, tx, fresh[i:i+k]) }); err != nil {
			return err
		}
	}
	return nil
}

// insertChunkBytes bounds the text one insertRowsPG statement carries
// (PostgreSQL refuses a protocol message over 1 GB; a row holds up to
// 64 KB of title and of body plus their terms and tsvector).
const insertChunkBytes = 64 << 20

// insertRowsPG inserts new documents with their tsvector (PostgreSQL):
// statements over column arrays (a multi-row VALUES list costs the server
// a parse of 17 parameters a row), each with up to maxBytes of text (at
// least one row) — one statement for a batch of ordinary messages.
func insertRowsPG(ctx context.Context, tx *db.Tx, rs []row, maxBytes int) error {
	for len(rs) > 0 {
		n, size := 0, 0
		for n < len(rs) && (n == 0 || size < maxBytes) {
			r := rs[n]
			size += 2*(len(r.doc.Title)+len(r.doc.Body)) + len(r.tsv)
			n++
		}
		if err := insertChunkPG(ctx, tx, rs[:n]); err != nil {
			return err
		}
		rs = rs[n:]
	}
	return nil
}

func insertChunkPG(ctx context.Context, tx *db.Tx, rs []row) error {
	n := len(rs)
	kind, lang, status := make([]string, n), make([]string, n), make([]string, n)
	title, body, tt, bt, tsv := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	docID, conv, inbox, team, assignee, ms := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	internal, published := make([]int16, n), make([]int16, n)
	length := make([]int32, n)
	for i, r := range rs {
		d := r.doc
		kind[i], docID[i], conv[i], lang[i] = d.Kind, d.ID, d.ConversationID, d.Language
		inbox[i], team[i], assignee[i], status[i] = d.InboxID, d.TeamID, d.AssigneeID, d.Status
		internal[i], published[i], ms[i] = int16(b2i(d.Internal)), int16(b2i(d.Published)), db.Ms(d.Time)
		title[i], body[i], tt[i], bt[i] = d.Title, d.Body, strings.Join(r.titleTerms, " "), strings.Join(r.bodyTerms, " ")
		length[i], tsv[i] = int32(r.length), r.tsv
	}
	_, err := tx.Exec(ctx, `INSERT INTO search_docs (`+docColumns+`, tsv)
		SELECT k, d, c, l, i, t, a, s, n, p, m, ti, b, tt, bt, le, v::tsvector
		FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::smallint[],
			?::smallint[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::integer[], ?::text[])
			AS x(k, d, c, l, i, t, a, s, n, p, m, ti, b, tt, bt, le, v)`,
		kind, docID, conv, lang, inbox, team, assignee, status, internal, published, ms, title, body, tt, bt, length, tsv)
	if err != nil {
		return fmt.Errorf("search: insert: %w", err)
	}
	return nil
}

// insertRowsSQLite inserts new documents and their FTS5 entries (SQLite).
func insertRowsSQLite(ctx context.Context, tx *db.Tx, rs []row) error {
	q := "INSERT INTO search_docs (" + docColumns + ") VALUES " + strings.TrimSuffix(strings.Repeat("("+db.Placeholders(16)+"),", len(rs)), ",") +
		" RETURNING id, doc_id"
	args := make([]any, 0, 16*len(rs))
	for _, r := range rs {
		args = append(args, r.args()...)
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
	s.pendingOf(tx).written++
	if _, err := tx.Exec(ctx, "UPDATE search_docs SET "+set+" WHERE id = ?", append(args, o.id)...); err != nil {
		return fmt.Errorf("search: update: %w", err)
	}
	if pg {
		return nil
	}
	if err := s.ftsDelete(ctx, tx, o); err != nil {
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
func (s *Service) ftsDelete(ctx context.Context, tx *db.Tx, o row) error {
	_, err := tx.Exec(ctx, `INSERT INTO search_fts (search_fts, rowid, title, body) VALUES ('delete', ?, ?, ?)`,
		o.id, s.an.ftsText(o.titleTerms), s.an.ftsText(o.bodyTerms))
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
	p := s.pendingOf(tx)
	for _, o := range old {
		p.add(o, -1)
		if tx.Dialect() == db.SQLite {
			if err := s.ftsDelete(ctx, tx, o); err != nil {
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
