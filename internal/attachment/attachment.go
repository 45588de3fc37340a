// Package attachment stores files attached to messages. Bytes are
// content-addressed by SHA-256 in the blobs table: small files inside the
// database, larger ones on disk under <data>/blobs/aa/bb/<sha256>, written
// to a temporary file and renamed so a crash never leaves a torn blob. The
// MIME type is sniffed from the content (WHATWG MIME sniffing as in
// net/http.DetectContentType), never trusted from the client.
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
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
)

// Attachment is a stored file's metadata.
type Attachment struct {
	ID          int64     `json:"id"`
	MessageID   *int64    `json:"message_id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	ContentID   string    `json:"content_id,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// Store keeps attachment bytes.
type Store struct {
	db  *db.DB
	dir string
	// MaxSize is the largest accepted file in bytes (default 25 MiB).
	MaxSize int64
	// InlineMax is the largest file kept inside the database (default 64 KiB).
	InlineMax int64
}

// NewStore returns a store that keeps large blobs under dataDir/blobs.
func NewStore(d *db.DB, dataDir string) *Store {
	return &Store{db: d, dir: filepath.Join(dataDir, "blobs"), MaxSize: 25 << 20, InlineMax: 64 << 10}
}

// CleanFilename strips directories, control characters and Unicode bidi
// controls (which can disguise "gpj.exe" as "exe.jpg") and limits the name to
// 255 bytes; an empty, "." or ".." result becomes "attachment".
func CleanFilename(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = filepath.Base("/" + name)
	name = strings.Map(func(r rune) rune {
		switch {
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return -1
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e || r == 0x200f || r == 0x061c:
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	for len(name) > 255 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" || name == "." || name == ".." || name == "/" {
		return "attachment"
	}
	return name
}

// Save reads r fully, stores the bytes (once per distinct content) and
// records an unlinked attachment owned by uploaderID. Errors: a
// *errs.ValidationError on field "file" when the file is empty or larger
// than MaxSize.
func (s *Store) Save(ctx context.Context, uploaderID int64, filename string, r io.Reader) (Attachment, error) {
	filename = CleanFilename(filename)
	if err := os.MkdirAll(s.dir, 0o750); err != nil {
		return Attachment{}, fmt.Errorf("attachment: %w", err)
	}
	tmp, err := os.CreateTemp(s.dir, ".upload-*")
	if err != nil {
		return Attachment{}, fmt.Errorf("attachment: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	var head bytes.Buffer
	n, err := io.Copy(io.MultiWriter(tmp, h, &limitedBuffer{buf: &head, max: s.InlineMax + 1}), io.LimitReader(r, s.MaxSize+1))
	if err != nil {
		return Attachment{}, fmt.Errorf("attachment: read upload: %w", err)
	}
	if n == 0 {
		return Attachment{}, errs.Invalid("file", "required", "the file is empty")
	}
	if n > s.MaxSize {
		return Attachment{}, errs.Invalid("file", "too_large", "files may be at most %d bytes", s.MaxSize)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	ctype := sniff(head.Bytes(), filename)
	inline := n <= s.InlineMax
	if !inline {
		if err := tmp.Sync(); err != nil {
			return Attachment{}, err
		}
		final := s.path(sum)
		if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
			return Attachment{}, err
		}
		if _, err := os.Stat(final); errors.Is(err, os.ErrNotExist) {
			if err := os.Rename(tmp.Name(), final); err != nil {
				return Attachment{}, fmt.Errorf("attachment: store blob: %w", err)
			}
		} else {
			touch(final)
		}
	}
	a := Attachment{Filename: filename, ContentType: ctype, Size: n, SHA256: sum, CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	err = s.db.WriteTx(ctx, func(tx *db.Tx) error {
		var data any
		if inline {
			data = head.Bytes()
		}
		var exists int
		err := tx.QueryRow(ctx, `SELECT 1 FROM blobs WHERE sha256 = ?`, sum).Scan(&exists)
		if errors.Is(err, sql.ErrNoRows) {
			_, err = tx.Exec(ctx, `INSERT INTO blobs (sha256, size, data, created_at) VALUES (?, ?, ?, ?)`, sum, n, data, db.Ms(a.CreatedAt))
		}
		if err != nil {
			return err
		}
		a.ID, err = tx.InsertID(ctx, `INSERT INTO attachments (uploader_id, filename, content_type, size, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			db.IDArg(uploaderID), filename, ctype, n, sum, db.Ms(a.CreatedAt))
		return err
	})
	if err != nil {
		return Attachment{}, fmt.Errorf("attachment: save: %w", err)
	}
	return a, nil
}

type limitedBuffer struct {
	buf *bytes.Buffer
	max int64
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - int64(l.buf.Len()); room > 0 {
		l.buf.Write(p[:min(int64(len(p)), room)])
	}
	return len(p), nil
}

// sniff picks the content type from the bytes; when sniffing only says
// "application/octet-stream" or "text/plain", a type known for the file's
// extension refines it (e.g. .csv, .docx).
func sniff(head []byte, filename string) string {
	ct := http.DetectContentType(head)
	if ct == "application/octet-stream" || strings.HasPrefix(ct, "text/plain") || ct == "application/zip" {
		if byExt := mime.TypeByExtension(strings.ToLower(filepath.Ext(filename))); byExt != "" && !strings.HasPrefix(byExt, "text/html") {
			return byExt
		}
	}
	return ct
}

func (s *Store) path(sum string) string {
	return filepath.Join(s.dir, sum[:2], sum[2:4], sum)
}

// LinkTx attaches uploaded, not yet linked attachments to messageID inside
// tx. Only attachments uploaded by uploaderID qualify (any when 0). field
// names the request field for errors.
func LinkTx(ctx context.Context, tx *db.Tx, ids []int64, messageID, uploaderID int64, field string) error {
	for i, id := range ids {
		res, err := tx.Exec(ctx, `UPDATE attachments SET message_id = ? WHERE id = ? AND message_id IS NULL AND (? = 0 OR uploader_id = ?)`,
			messageID, id, uploaderID, uploaderID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.Invalid(fmt.Sprintf("%s[%d]", field, i), "not_found", "no unattached upload %d of yours", id)
		}
	}
	return nil
}

// Get returns attachment metadata or errs.ErrNotFound.
func (s *Store) Get(ctx context.Context, id int64) (Attachment, error) {
	as, err := s.list(ctx, `WHERE id = ?`, id)
	if err != nil {
		return Attachment{}, err
	}
	if len(as) == 0 {
		return Attachment{}, fmt.Errorf("attachment %d: %w", id, errs.ErrNotFound)
	}
	return as[0], nil
}

// ForMessages returns the attachments of the given messages, keyed by
// message id.
func (s *Store) ForMessages(ctx context.Context, messageIDs []int64) (map[int64][]Attachment, error) {
	out := map[int64][]Attachment{}
	if len(messageIDs) == 0 {
		return out, nil
	}
	marks := db.Placeholders(len(messageIDs))
	args := make([]any, len(messageIDs))
	for i, id := range messageIDs {
		args[i] = id
	}
	as, err := s.list(ctx, `WHERE message_id IN (`+marks+`) ORDER BY id`, args...)
	for _, a := range as {
		out[*a.MessageID] = append(out[*a.MessageID], a)
	}
	return out, err
}

func (s *Store) list(ctx context.Context, where string, args ...any) ([]Attachment, error) {
	rows, err := s.db.R().Query(ctx, `SELECT id, message_id, filename, content_type, size, sha256, content_id, created_at FROM attachments `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Attachment
	for rows.Next() {
		var a Attachment
		var msg sql.NullInt64
		var ms int64
		if err := rows.Scan(&a.ID, &msg, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &a.ContentID, &ms); err != nil {
			return nil, err
		}
		if msg.Valid {
			a.MessageID = &msg.Int64
		}
		a.CreatedAt = db.Time(ms)
		out = append(out, a)
	}
	return out, rows.Err()
}

// Open returns the attachment's bytes. The caller closes the reader.
func (s *Store) Open(ctx context.Context, a Attachment) (io.ReadSeekCloser, error) {
	var data []byte
	err := s.db.R().QueryRow(ctx, `SELECT data FROM blobs WHERE sha256 = ?`, a.SHA256).Scan(&data)
	if err != nil {
		return nil, fmt.Errorf("attachment: blob %s: %w", a.SHA256, err)
	}
	if data != nil {
		return nopCloser{bytes.NewReader(data)}, nil
	}
	f, err := os.Open(s.path(a.SHA256))
	if err != nil {
		return nil, fmt.Errorf("attachment: open blob: %w", err)
	}
	return f, nil
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }
