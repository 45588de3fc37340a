package attachment

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
)

// PutBlobTx stores data content-addressed inside tx (once per distinct
// content: data larger than InlineMax is written to disk first, under a
// temporary name then renamed, so the row never points at a torn file) and
// returns its lower-case hex SHA-256. Used for raw mail, which has no size
// limit of MaxSize.
func (s *Store) PutBlobTx(ctx context.Context, tx *db.Tx, data []byte) (string, error) {
	h := sha256.Sum256(data)
	sum := hex.EncodeToString(h[:])
	var exists int
	err := tx.QueryRow(ctx, `SELECT 1 FROM blobs WHERE sha256 = ?`, sum).Scan(&exists)
	if err == nil {
		return sum, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	var inline any
	if int64(len(data)) <= s.InlineMax {
		inline = data
	} else if err := s.writeFile(sum, data); err != nil {
		return "", err
	}
	_, err = tx.Exec(ctx, `INSERT INTO blobs (sha256, size, data, created_at) VALUES (?, ?, ?, ?)`, sum, len(data), inline,
		time.Now().UnixMilli())
	return sum, err
}

func (s *Store) writeFile(sum string, data []byte) error {
	final := s.path(sum)
	if _, err := os.Stat(final); err == nil {
		touch(final)
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return fmt.Errorf("attachment: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(final), ".blob-*")
	if err != nil {
		return fmt.Errorf("attachment: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("attachment: write blob: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), final)
}

// OpenBlob returns the bytes stored under sum. The caller closes the reader.
func (s *Store) OpenBlob(ctx context.Context, sum string) (io.ReadSeekCloser, error) {
	return s.Open(ctx, Attachment{SHA256: sum})
}

// ReadBlob returns all bytes stored under sum.
func (s *Store) ReadBlob(ctx context.Context, sum string) ([]byte, error) {
	r, err := s.OpenBlob(ctx, sum)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var b bytes.Buffer
	_, err = io.Copy(&b, r)
	return b.Bytes(), err
}
