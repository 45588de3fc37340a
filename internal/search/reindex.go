package search

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/kesherdesk/kesher/internal/db"
)

// ReindexBatch is the default number of conversations (or contacts)
// Reindex indexes per transaction.
const ReindexBatch = 500

// ReindexStats is what Reindex did.
type ReindexStats struct {
	Conversations, Messages, Contacts, Articles int
}

// Reindex rebuilds the whole index from the tables: conversations with
// their replies and notes, and contacts, batch conversations (or contacts)
// per transaction (ReindexBatch when batch ≤ 0). Articles have no table
// here (the knowledge base owns them): their stored documents are read
// from the index first and indexed again after the wipe. The wipe is one
// transaction and each batch another, so searches during a rebuild see a
// partial index, and writes during it are indexed by their own hooks (an
// IndexTx of a document that is already there replaces it). Run it after
// an upgrade (`kesher search reindex`) or when the normalization changes.
// Errors: database errors (a failed rebuild leaves a partial index: run it
// again).
func (s *Service) Reindex(ctx context.Context, batch int, log *slog.Logger) (ReindexStats, error) {
	var st ReindexStats
	if batch <= 0 {
		batch = ReindexBatch
	}
	articles, err := s.storedDocs(ctx, KindArticle)
	if err != nil {
		return st, err
	}
	err = s.db.WriteTx(ctx, func(tx *db.Tx) error {
		if tx.Dialect() == db.SQLite {
			if _, err := tx.Exec(ctx, `INSERT INTO search_fts (search_fts) VALUES ('delete-all')`); err != nil {
				return err
			}
		}
		for _, q := range []string{`DELETE FROM search_docs`, `DELETE FROM search_terms`, `UPDATE search_stats SET docs = 0, tokens = 0`} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("search: reindex wipe: %w", err)
	}
	var grown analyzeSchedule
	for _, src := range []struct {
		table string
		index func(tx *db.Tx, ids []int64) error
	}{
		{"conversations", func(tx *db.Tx, ids []int64) error {
			docs, err := conversationDocs(ctx, tx, ids)
			for _, d := range docs {
				if d.Kind == KindMessage {
					st.Messages++
				} else {
					st.Conversations++
				}
			}
			if err != nil {
				return err
			}
			return s.IndexTx(ctx, tx, docs...)
		}},
		{"contacts", func(tx *db.Tx, ids []int64) error {
			st.Contacts += len(ids)
			return s.IndexContactsTx(ctx, tx, ids...)
		}},
	} {
		after := int64(0)
		for {
			ids, err := idsAfter(ctx, s.db.R(), src.table, after, batch)
			if err != nil {
				return st, err
			}
			if len(ids) == 0 {
				break
			}
			if err := s.db.WriteTx(ctx, func(tx *db.Tx) error { return src.index(tx, ids) }); err != nil {
				return st, fmt.Errorf("search: reindex %s: %w", src.table, err)
			}
			if err := grown.add(ctx, s, st.Conversations+st.Messages+st.Contacts); err != nil {
				return st, err
			}
			after = ids[len(ids)-1]
			if log != nil {
				log.Info("search reindex", "table", src.table, "through_id", after)
			}
		}
	}
	for i := 0; i < len(articles); i += batch {
		part := articles[i:min(len(articles), i+batch)]
		if err := s.db.WriteTx(ctx, func(tx *db.Tx) error { return s.IndexTx(ctx, tx, part...) }); err != nil {
			return st, fmt.Errorf("search: reindex articles: %w", err)
		}
	}
	st.Articles = len(articles)
	return st, s.afterBulk(ctx)
}

// afterBulk refreshes PostgreSQL's planner statistics of the index tables
// after a bulk load (Reindex, BenchSeed). Until autovacuum first analyzes
// a freshly filled search_docs, the planner guesses that the kind filter
// is selective and ANDs the GIN bitmap with a scan of the whole (kind,
// doc_id) index: a rare word then took ~90 ms at 1,000,000 documents
// instead of ~1 ms. SQLite: nothing to do. Errors: database errors.
func (s *Service) afterBulk(ctx context.Context) error {
	if s.db.Dialect != db.Postgres {
		return nil
	}
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `ANALYZE search_docs, search_terms`)
		return err
	})
	if err != nil {
		return fmt.Errorf("search: analyze: %w", err)
	}
	return nil
}

// analyzeSchedule refreshes PostgreSQL's statistics while a bulk load
// grows the index: at 10,000 documents and each doubling after (about 7
// ANALYZE runs up to 1,000,000). The indexing statements are prepared and
// cached; a plan made while search_docs was empty (a sequential scan for
// the (kind, doc_id) lookup of existing rows) would otherwise be kept for
// the whole load when autovacuum is off or behind, making each batch scan
// the table: quadratic (measured: 350 documents/s at 256,000). An ANALYZE
// invalidates the cached plans. SQLite: nothing to do.
type analyzeSchedule struct{ next int }

func (a *analyzeSchedule) add(ctx context.Context, s *Service, total int) error {
	if a.next == 0 {
		a.next = 10000
	}
	if total < a.next {
		return nil
	}
	for a.next <= total {
		a.next *= 2
	}
	return s.afterBulk(ctx)
}

func idsAfter(ctx context.Context, q db.Querier, table string, after int64, n int) ([]int64, error) {
	ids, err := db.QueryIDs(ctx, q, `SELECT id FROM `+table+` WHERE id > ? ORDER BY id LIMIT ?`, after, n)
	if err != nil {
		return nil, fmt.Errorf("search: reindex ids: %w", err)
	}
	return ids, nil
}

// storedDocs reads the stored documents of kind back from the index.
func (s *Service) storedDocs(ctx context.Context, kind string) ([]Doc, error) {
	rows, err := s.db.R().Query(ctx, `SELECT doc_id, conversation_id, language, inbox_id, team_id, assignee_id, status, internal,
		published, time_ms, title, body FROM search_docs WHERE kind = ? ORDER BY id`, kind)
	if err != nil {
		return nil, fmt.Errorf("search: stored docs: %w", err)
	}
	defer rows.Close()
	var out []Doc
	for rows.Next() {
		d := Doc{Kind: kind}
		var internal, published int
		var ms int64
		if err := rows.Scan(&d.ID, &d.ConversationID, &d.Language, &d.InboxID, &d.TeamID, &d.AssigneeID, &d.Status, &internal,
			&published, &ms, &d.Title, &d.Body); err != nil {
			return nil, err
		}
		d.Internal, d.Published, d.Time = internal == 1, published == 1, db.Time(ms)
		out = append(out, d)
	}
	return out, rows.Err()
}

// NeedsReindex reports whether the index is empty while conversations or
// contacts exist (a desk upgraded from a version without search). Errors:
// database errors.
func (s *Service) NeedsReindex(ctx context.Context) (bool, error) {
	var docs int64
	if err := s.db.R().QueryRow(ctx, `SELECT docs FROM search_stats WHERE id = 1`).Scan(&docs); err != nil {
		return false, fmt.Errorf("search: stats: %w", err)
	}
	if docs > 0 {
		return false, nil
	}
	var any int
	err := s.db.R().QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM conversations LIMIT 1) a) + (SELECT COUNT(*) FROM (SELECT 1 FROM contacts LIMIT 1) b)`).Scan(&any)
	if err != nil {
		return false, fmt.Errorf("search: reindex check: %w", err)
	}
	return any > 0, nil
}
