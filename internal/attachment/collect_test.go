package attachment_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/attachment"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestCollect: unlinked uploads older than the cut-off go with the blobs
// they alone used (row and file); linked, recent, and bytes shared with
// another attachment or a raw mail stay; a blob file modified within the
// last hour is kept even when its row goes.
func TestCollect(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		dir := t.TempDir()
		core := app.NewCoreFromDB(d, app.CoreOptions{Password: auth.FastPasswordParams, Store: db.Options{DataDir: dir}}, testkit.Logger())
		files := attachment.NewStore(d, dir)
		files.InlineMax = 16 // larger files live on disk
		actor := audit.Actor{Type: "agent", ID: 1, Name: "Noa"}
		save := func(name, content string) attachment.Attachment {
			t.Helper()
			a, err := files.Save(ctx, 0, name, strings.NewReader(content))
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		orphan := save("orphan.txt", "abandoned upload, on disk")
		shared := save("shared-1.txt", "the same bytes twice, on disk")
		sharedLinked := save("shared-2.txt", "the same bytes twice, on disk")
		linked := save("linked.txt", "sent with a reply, on disk")
		recent := save("recent.txt", "uploaded a minute ago, on disk")
		mailCopy := save("mail.eml", "bytes that are also a raw mail, on disk")
		small := save("small.txt", "tiny")
		fresh := save("fresh.txt", "old rows but a file just reused, on disk")
		// Its file was written days ago; a second upload of the same bytes
		// now reuses (and touches) it.
		old := time.Now().Add(-10 * 24 * time.Hour)
		if err := os.Chtimes(blobPath(dir, fresh.SHA256), old, old); err != nil {
			t.Fatal(err)
		}
		fresh2 := save("fresh-again.txt", "old rows but a file just reused, on disk")

		box, err := core.Inboxes.Create(ctx, actor, inbox.Input{Name: "Mail", Channel: "email"})
		if err != nil {
			t.Fatal(err)
		}
		conv, _, err := core.Conversations.Create(ctx, actor, conversation.CreateInput{InboxID: box.ID, Subject: "s",
			Requester: conversation.RequesterInput{Email: "c@example.com"}, Message: &conversation.MessageInput{Direction: "inbound", Body: "hi"}})
		if err != nil {
			t.Fatal(err)
		}
		err = d.WriteTx(ctx, func(tx *db.Tx) error {
			var msgID int64
			if err := tx.QueryRow(ctx, `SELECT id FROM messages WHERE conversation_id = ?`, conv.ID).Scan(&msgID); err != nil {
				return err
			}
			if err := attachment.LinkTx(ctx, tx, []int64{linked.ID, sharedLinked.ID}, msgID, 0, "attachment_ids"); err != nil {
				return err
			}
			sum, err := files.PutBlobTx(ctx, tx, []byte("bytes that are also a raw mail, on disk"))
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `INSERT INTO inbound_mails (inbox_id, sha256, size, source, status, received_at) VALUES (?, ?, ?, 'api', 'parsed', ?)`,
				box.ID, sum, 39, time.Now().UnixMilli())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// Everything but "recent" was uploaded ten days ago; blob files
		// were written then too, except the one a Save has just reused.
		for _, a := range []attachment.Attachment{orphan, shared, sharedLinked, linked, mailCopy, small, fresh, fresh2} {
			if _, err := d.Write.ExecContext(ctx, d.Rebind(`UPDATE attachments SET created_at = ? WHERE id = ?`), old.UnixMilli(), a.ID); err != nil {
				t.Fatal(err)
			}
			if a.SHA256 != fresh.SHA256 {
				_ = os.Chtimes(blobPath(dir, a.SHA256), old, old)
			}
		}

		st, err := files.Collect(ctx, time.Now().Add(-attachment.OrphanAge))
		if err != nil {
			t.Fatal(err)
		}
		// orphan, shared, mailCopy, small, fresh, fresh2: 6 attachments;
		// blobs of orphan, small and fresh (shared's and mailCopy's bytes
		// are still used).
		wantBytes := orphan.Size + small.Size + fresh.Size
		if st.Attachments != 6 || st.Blobs != 3 || st.Bytes != wantBytes {
			t.Fatalf("Collect = %+v, want 6 attachments, 3 blobs, %d bytes", st, wantBytes)
		}
		for _, c := range []struct {
			a          attachment.Attachment
			row, file  bool
			onDiskBlob bool
		}{
			{orphan, false, false, true},
			{shared, false, true, true},
			{sharedLinked, true, true, true},
			{linked, true, true, true},
			{recent, true, true, true},
			{mailCopy, false, true, true},
			{small, false, false, false},
			{fresh, false, true, true}, // rows gone, file kept: touched by fresh2's upload
			{fresh2, false, true, true},
		} {
			_, err := files.Get(ctx, c.a.ID)
			if gotRow := err == nil; gotRow != c.row {
				t.Errorf("%s: attachment row kept = %v, want %v (err %v)", c.a.Filename, gotRow, c.row, err)
			}
			if c.onDiskBlob {
				_, err := os.Stat(blobPath(dir, c.a.SHA256))
				if gotFile := err == nil; gotFile != c.file {
					t.Errorf("%s: blob file kept = %v, want %v", c.a.Filename, gotFile, c.file)
				}
			}
		}
		// What stays is still readable.
		r, err := files.Open(ctx, sharedLinked)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(r)
		r.Close()
		if buf.String() != "the same bytes twice, on disk" {
			t.Fatalf("shared blob reads %q", buf.String())
		}
		// A second run finds nothing more.
		if st, err := files.Collect(ctx, time.Now().Add(-attachment.OrphanAge)); err != nil || st != (attachment.CollectStats{}) {
			t.Fatalf("second Collect = %+v, %v; want nothing", st, err)
		}
	})
}

func blobPath(dir, sum string) string {
	return filepath.Join(dir, "blobs", sum[:2], sum[2:4], sum)
}
