package email_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/channel/email"
	"github.com/kesherdesk/kesher/internal/channel/email/parse"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// corpusRoot finds ../shared/corpus/email relative to the repository root
// (the directory holding go.mod); it fails when the corpus is missing.
func corpusRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
	c := filepath.Join(filepath.Dir(dir), "shared", "corpus", "email")
	if fi, err := os.Stat(c); err != nil || !fi.IsDir() {
		tb.Fatalf("email corpus missing at %s: %v", c, err)
	}
	return c
}

// corpusMail is one raw mail of the corpus.
type corpusMail struct {
	Name string // path relative to the corpus root
	Raw  []byte
}

// loadCorpus reads every raw mail of the corpus (sorted by path), skipping
// notes, expected results and license files.
func loadCorpus(tb testing.TB) []corpusMail {
	tb.Helper()
	root := corpusRoot(tb)
	var out []corpusMail
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".md", ".yml", ".yaml", ".json":
			return nil
		}
		up := strings.ToUpper(d.Name())
		if strings.HasPrefix(up, "COPYING") || strings.HasPrefix(up, "LICENSE") {
			return nil
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out = append(out, corpusMail{Name: filepath.ToSlash(rel), Raw: raw})
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	if len(out) < 40 {
		tb.Fatalf("only %d corpus mails found in %s", len(out), root)
	}
	return out
}

// mail033Original is the Message-ID of the notification Zammad's mail033
// bounce returns; the test records it as a mail Kesher sent.
const mail033Original = "notification.20150830145600.1.4.5f4fd063-f69b-4e64-a92d-5e7128bd6682@127.0.0.1:3000"

// TestCorpusIngest ingests every raw mail of ../shared/corpus/email into
// one email inbox through Service.Ingest: no error, no panic, every raw
// mail stored byte for byte with its SHA-256 and size, and each one either
// added to a conversation (parsed, or duplicate of an earlier mail with
// the same Message-ID or bytes) or kept and flagged (failed/ignored with a
// reason). Spot checks: the mail033 bounce attaches to the conversation
// whose mail bounced, the ISO-2022-JP mail091 is stored decoded, and an
// inline image's cid: is rewritten to its attachment URL.
func TestCorpusIngest(t *testing.T) {
	corpus := loadCorpus(t)
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		// A conversation whose outgoing notification mail033 reports as bounced.
		root := f.ingest(t, first("ticket.owner@example.com", "sent-root@kesher.example", "Ticket 10010"))
		agent, _, err := f.core.Conversations.AddMessage(ctx, audit.System, root.ConversationID, conversation.MessageInput{
			Direction: conversation.DirectionOutbound, Body: "is somebody there?"})
		if err != nil {
			t.Fatal(err)
		}
		sent := email.Result{ConversationID: root.ConversationID, MessageID: agent.ID}
		if err := d.WriteTx(ctx, func(tx *db.Tx) error {
			return email.RecordMessageIDTx(ctx, tx, f.box.ID, mail033Original, sent.ConversationID, sent.MessageID)
		}); err != nil {
			t.Fatal(err)
		}

		results := map[string]email.Result{}
		counts := map[string]int{}
		seenIDs := map[string]string{} // Message-ID → first corpus file
		seenSums := map[string]string{}
		var dupNotes []string
		for _, m := range corpus {
			res, err := ingestSafely(ctx, f.svc, f.box.ID, m.Raw)
			if err != nil {
				t.Errorf("%s: %v", m.Name, err)
				continue
			}
			results[m.Name] = res
			counts[res.Status]++
			sum := sha256.Sum256(m.Raw)
			hexSum := hex.EncodeToString(sum[:])
			checkRaw(t, f, m, res, hexSum)
			var mid string
			if pm, perr := parse.Parse(m.Raw); perr == nil {
				mid = pm.MessageID
			}
			switch res.Status {
			case email.StatusParsed:
				if res.ConversationID == 0 {
					t.Errorf("%s: parsed without a conversation: %+v", m.Name, res)
				}
			case email.StatusDuplicate:
				prev, ok := seenIDs[mid]
				if !ok || mid == "" {
					prev, ok = seenSums[hexSum]
				}
				if !ok {
					t.Errorf("%s: duplicate but no earlier corpus mail has Message-ID %q or the same bytes", m.Name, mid)
				}
				dupNotes = append(dupNotes, fmt.Sprintf("%s = %s (Message-ID %q)", m.Name, prev, mid))
			case email.StatusFailed, email.StatusIgnored:
				var reason string
				if err := d.R().QueryRow(ctx, `SELECT COALESCE(error, '') FROM inbound_mails WHERE id = ?`, res.RawID).Scan(&reason); err != nil {
					t.Fatal(err)
				}
				if reason == "" {
					t.Errorf("%s: %s without a reason", m.Name, res.Status)
				}
				t.Logf("%-80s %s: %s", m.Name, res.Status, reason)
			default:
				t.Errorf("%s: status %q", m.Name, res.Status)
			}
			if mid != "" {
				if _, ok := seenIDs[mid]; !ok {
					seenIDs[mid] = m.Name
				}
			}
			if _, ok := seenSums[hexSum]; !ok {
				seenSums[hexSum] = m.Name
			}
		}
		var n int
		if err := d.R().QueryRow(ctx, `SELECT COUNT(*) FROM inbound_mails WHERE inbox_id = ?`, f.box.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if want := len(seenSums) + 1; n != want { // +1: the seeded conversation's mail
			t.Errorf("inbound_mails rows %d, want %d (distinct corpus mails + 1)", n, want)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "corpus ingest summary (%d mails):\n", len(corpus))
		for _, st := range []string{email.StatusParsed, email.StatusDuplicate, email.StatusFailed, email.StatusIgnored, email.StatusReceived} {
			fmt.Fprintf(&b, "  %-10s %3d\n", st, counts[st])
		}
		for _, x := range dupNotes {
			fmt.Fprintf(&b, "  duplicate: %s\n", x)
		}
		t.Log(b.String())
		if got := counts[email.StatusParsed] + counts[email.StatusDuplicate] + counts[email.StatusFailed] + counts[email.StatusIgnored]; got != len(corpus) {
			t.Errorf("accounted for %d of %d mails", got, len(corpus))
		}

		t.Run("mail033 bounce", func(t *testing.T) {
			res := results["zammad/mail033-undelivered-mail-returned-to-sender-notification.box"]
			if res.Status != email.StatusParsed || res.ConversationID != sent.ConversationID || res.MessageID == 0 {
				t.Fatalf("result %+v, want the note in conversation %d", res, sent.ConversationID)
			}
			msgs := f.messages(t, sent.ConversationID)
			var note, orig conversation.Message
			for _, m := range msgs {
				switch m.ID {
				case res.MessageID:
					note = m
				case sent.MessageID:
					orig = m
				}
			}
			if note.ID != res.MessageID || note.Kind != "note" || note.ChannelMeta["kind"] != parse.KindBounce ||
				note.ChannelMeta["subject"] != "Undelivered Mail Returned to Sender" {
				t.Errorf("note %+v", note)
			}
			bounce, _ := note.ChannelMeta["bounce"].(map[string]any)
			if bounce["status"] != "5.1.1" || fmt.Sprint(bounce["recipients"]) != "[not_existing@znuny.com]" {
				t.Errorf("bounce meta %v", note.ChannelMeta["bounce"])
			}
			if !strings.Contains(note.BodyText, "not_existing@znuny.com") {
				t.Errorf("note body %q", note.BodyText)
			}
			if orig.ID != sent.MessageID || orig.DeliveryStatus != "failed" {
				t.Errorf("bounced message %d delivery %q", orig.ID, orig.DeliveryStatus)
			}
			var st string
			if err := d.R().QueryRow(ctx, `SELECT status FROM email_bounces WHERE address = 'not_existing@znuny.com'`).Scan(&st); err != nil || st != "5.1.1" {
				t.Errorf("email_bounces: %q %v", st, err)
			}
		})
		t.Run("mail091 ISO-2022-JP", func(t *testing.T) {
			res := results["zammad/mail091.box"]
			if res.Status != email.StatusParsed {
				t.Fatalf("result %+v", res)
			}
			conv, err := f.core.Conversations.Get(ctx, res.ConversationID)
			if err != nil {
				t.Fatal(err)
			}
			msgs := f.messages(t, res.ConversationID)
			if conv.Subject != "メルマガ解除" || len(msgs) != 1 || msgs[0].BodyText != "このアドレスへのメルマガを解除してください。" {
				t.Errorf("subject %q messages %+v", conv.Subject, msgs)
			}
		})
		t.Run("inline image", func(t *testing.T) {
			// html-mime-bad-charset-inline.raw has the same Message-ID and is
			// a duplicate of this one.
			res := results["enmime/testdata/low-quality/html-only-inline.raw"]
			if res.Status != email.StatusParsed {
				t.Fatalf("result %+v", res)
			}
			var msg = f.messages(t, res.ConversationID)
			var found bool
			for _, m := range msg {
				if m.ID != res.MessageID {
					continue
				}
				found = true
				var img int64
				for _, a := range m.Attachments {
					if a.ContentID == "8B8481A2-25CA-4886-9B5A-8EB9115DD064@skynet" {
						img = a.ID
					}
				}
				want := fmt.Sprintf(`src="/api/v1/attachments/%d?inline=1"`, img)
				if img == 0 || !strings.Contains(m.BodyHTML, want) || strings.Contains(m.BodyHTML, "cid:") {
					t.Errorf("attachments %+v html %q, want %s", m.Attachments, m.BodyHTML, want)
				}
				if !strings.Contains(m.BodyText, "Test of HTML section") {
					t.Errorf("text %q", m.BodyText)
				}
			}
			if !found {
				t.Errorf("message %d not in conversation %d", res.MessageID, res.ConversationID)
			}
		})
	})
}

// ingestSafely runs Ingest, turning a panic into an error.
func ingestSafely(ctx context.Context, s *email.Service, inboxID int64, raw []byte) (res email.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return s.Ingest(ctx, inboxID, raw, email.SourceImport)
}

// checkRaw asserts that mail m's raw bytes are stored under res.RawID with
// their SHA-256 and size, and read back byte for byte.
func checkRaw(t *testing.T, f *fixture, m corpusMail, res email.Result, sum string) {
	t.Helper()
	ctx := context.Background()
	var gotSum string
	var size int
	if err := f.d.R().QueryRow(ctx, `SELECT sha256, size FROM inbound_mails WHERE id = ?`, res.RawID).Scan(&gotSum, &size); err != nil {
		t.Errorf("%s: raw row %d: %v", m.Name, res.RawID, err)
		return
	}
	if gotSum != sum || size != len(m.Raw) {
		t.Errorf("%s: raw row %s/%d, want %s/%d", m.Name, gotSum, size, sum, len(m.Raw))
	}
	r, err := f.core.Files.OpenBlob(ctx, gotSum)
	if err != nil {
		t.Errorf("%s: open raw: %v", m.Name, err)
		return
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, m.Raw) {
		t.Errorf("%s: raw read back %d bytes (%v), want %d identical bytes", m.Name, len(got), err, len(m.Raw))
	}
}
