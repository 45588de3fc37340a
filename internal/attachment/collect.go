package attachment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
)

// OrphanAge is how long an upload may stay unlinked before Collect removes
// it. Uploads are linked when their message is sent (LinkTx), within
// minutes in the agent app and the chat widget; a week leaves room for a
// composer left open over a weekend.
const OrphanAge = 7 * 24 * time.Hour

// fileGrace protects a blob file that a Save or PutBlobTx has just reused
// (they touch it) from a collection running at the same moment: a file
// modified this recently is never removed.
const fileGrace = time.Hour

// collectBatch is the attachments one collecting transaction removes.
const collectBatch = 500

// CollectStats is what Collect removed: attachment rows, blob rows and the
// bytes those blobs held (in the database or on disk).
type CollectStats struct {
	Attachments int
	Blobs       int
	Bytes       int64
}

// Collect removes the attachments never linked to a message that were
// uploaded before `before` (UTC; the runner passes now − OrphanAge), and
// the blobs they alone used: a blob still referenced by another attachment
// or by a stored raw mail is kept. A blob's file on disk is removed after
// the commit, once no blob row names it again and it was not modified in
// the last hour (a Save reusing the same bytes touches it). Chat uploads
// go with their attachment (ON DELETE CASCADE). Works in transactions of
// 500 attachments. Errors: database errors (what was committed stays
// removed; a later run finishes the rest).
func (s *Store) Collect(ctx context.Context, before time.Time) (CollectStats, error) {
	var st CollectStats
	for {
		var shas []string
		var onDisk []string
		n := 0
		err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
			ids, err := db.QueryIDs(ctx, tx, `SELECT id FROM attachments WHERE message_id IS NULL AND created_at < ? ORDER BY created_at LIMIT ?`,
				db.Ms(before), collectBatch)
			if err != nil || len(ids) == 0 {
				return err
			}
			args := make([]any, len(ids))
			for i, id := range ids {
				args[i] = id
			}
			// message_id IS NULL again: an upload linked since the
			// SELECT (another transaction) stays.
			rows, err := tx.Query(ctx, `DELETE FROM attachments WHERE message_id IS NULL AND id IN (`+
				db.Placeholders(len(ids))+`) RETURNING sha256`, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var sum string
				if err := rows.Scan(&sum); err != nil {
					rows.Close()
					return err
				}
				shas = append(shas, sum)
				n++
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			slices.Sort(shas)
			shas = slices.Compact(shas)
			for _, sum := range shas {
				var size int64
				var inline bool
				err := tx.QueryRow(ctx, `DELETE FROM blobs WHERE sha256 = ?
					AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = blobs.sha256)
					AND NOT EXISTS (SELECT 1 FROM inbound_mails m WHERE m.sha256 = blobs.sha256)
					RETURNING size, data IS NOT NULL`, sum).Scan(&size, &inline)
				if errors.Is(err, sql.ErrNoRows) {
					continue // still used
				}
				if err != nil {
					return err
				}
				st.Blobs++
				st.Bytes += size
				if !inline {
					onDisk = append(onDisk, sum)
				}
			}
			return nil
		})
		if err != nil {
			return st, fmt.Errorf("attachment: collect: %w", err)
		}
		st.Attachments += n
		for _, sum := range onDisk {
			s.removeFile(ctx, sum)
		}
		if n < collectBatch {
			return st, nil
		}
	}
}

// removeFile removes the file of blob sum unless a blob row names it again
// or it was modified within fileGrace.
func (s *Store) removeFile(ctx context.Context, sum string) {
	var one int
	err := s.db.R().QueryRow(ctx, `SELECT 1 FROM blobs WHERE sha256 = ?`, sum).Scan(&one)
	if !errors.Is(err, sql.ErrNoRows) {
		return // stored again meanwhile, or unknown: keep it
	}
	p := s.path(sum)
	fi, err := os.Stat(p)
	if err != nil || time.Since(fi.ModTime()) < fileGrace {
		return
	}
	_ = os.Remove(p)
}

// RunCollector calls Collect every interval for uploads older than
// OrphanAge, logging what it removed, until ctx ends.
func (s *Store) RunCollector(ctx context.Context, interval time.Duration, log *slog.Logger) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		st, err := s.Collect(ctx, time.Now().UTC().Add(-OrphanAge))
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("collect unlinked uploads", "err", err)
		case st.Attachments > 0:
			log.Info("collected unlinked uploads", "attachments", st.Attachments, "blobs", st.Blobs, "bytes", st.Bytes)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// touch sets a reused blob file's modification time to now (see
// fileGrace); a failure only shortens the protection.
func touch(path string) {
	now := time.Now()
	_ = os.Chtimes(path, now, now)
}
