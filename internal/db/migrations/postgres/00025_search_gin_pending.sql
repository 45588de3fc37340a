-- Bulk indexing speed (internal/search, docs/knowledge.md "Measured").
-- 00021 gave the GIN index of search_docs a 128 kB pending list, so a
-- search never scans a long unmerged list; but the server then merges the
-- list into the index every ~140 documents, in small and costly steps
-- (inserting 20,000 messages: 2.2 s of GIN work instead of 1.3 s when
-- 1,000 are merged at a time). Now the list may hold 2 MB, and Kesher
-- merges it itself: search_stats.gin_pending counts the documents written
-- since the last merge; the transaction that brings it to 256 or more
-- resets it and, after its commit, calls gin_clean_pending_list — so a
-- bulk batch of 1,000 messages is merged in one step, live traffic every
-- 256 documents, and a search scans about that much unmerged (plus the
-- entries of filter updates, which are not counted).
-- The 2 MB cap bounds the list if the merge cannot run (a database user
-- that does not own the index: logged once).
-- Kept in lockstep with the other dialect's migration of the same number.

-- search_terms.term compares bytewise (COLLATE "C"): terms are already
-- folded in Go and sorted there bytewise; the database's own collation
-- (C.UTF-8 is not the built-in C in PostgreSQL 15) made every comparison in
-- the primary key a strcoll call. Its pages are filled half (fillfactor
-- 50): every indexing transaction adds to the counts of thousands of
-- terms, and an update that finds room on its page is HOT (no new index
-- entry; the page prunes its old row versions itself, with or without
-- autovacuum). The type change rebuilds the index but not the table, so
-- pages already written stay full until a VACUUM FULL search_terms
-- (optional).

-- +goose Up
ALTER INDEX search_docs_tsv SET (gin_pending_list_limit = 2048);
ALTER TABLE search_terms SET (fillfactor = 50);
ALTER TABLE search_terms ALTER COLUMN term TYPE TEXT COLLATE "C";
ALTER TABLE search_stats ADD COLUMN gin_pending BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE search_terms RESET (fillfactor);
ALTER TABLE search_terms ALTER COLUMN term TYPE TEXT COLLATE "default";
ALTER TABLE search_stats DROP COLUMN gin_pending;
ALTER INDEX search_docs_tsv SET (gin_pending_list_limit = 128);
