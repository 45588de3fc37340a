package email_test

import (
	"bytes"
	"context"
	"net"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/channel/email"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/testkit"
)

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}

// imapServer starts an in-memory IMAP server on 127.0.0.1 with one user.
func imapServer(t *testing.T) (*imapmemserver.User, int) {
	t.Helper()
	mem := imapmemserver.New()
	u := imapmemserver.NewUser("desk@kesher.example", "imap-pass")
	for _, name := range []string{"INBOX", "Done"} {
		if err := u.Create(name, nil); err != nil {
			t.Fatal(err)
		}
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		Logger:       discardLogger{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return u, ln.Addr().(*net.TCPAddr).Port
}

func appendMail(t *testing.T, u *imapmemserver.User, folder string, raw []byte) {
	t.Helper()
	if _, err := u.Append(folder, bytes.NewReader(raw), &imap.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) setIMAP(t *testing.T, port int, processed string) {
	t.Helper()
	settings := map[string]any{"imap": map[string]any{"host": "127.0.0.1", "port": float64(port), "tls": "none",
		"username": "desk@kesher.example", "password": "imap-pass", "folder": "INBOX", "processed": processed}}
	if _, err := f.core.Inboxes.Update(context.Background(), audit.System, f.box.ID, inbox.Patch{Settings: patch.Of(settings)}); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) count(t *testing.T, q string) int {
	t.Helper()
	var n int
	if err := f.d.R().QueryRow(context.Background(), q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestIMAPPoll fetches new mail, resumes after a restart without
// duplicates, moves processed mail, and survives a UIDVALIDITY change.
func TestIMAPPoll(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		u, port := imapServer(t)
		f.setIMAP(t, port, "flag")
		// Mail read before Kesher was connected is left alone.
		if _, err := u.Append("INBOX", bytes.NewReader(first("old@example.org", "old-1@x", "Old")),
			&imap.AppendOptions{Flags: []imap.Flag{imap.FlagSeen}}); err != nil {
			t.Fatal(err)
		}
		appendMail(t, u, "INBOX", first("dana@example.co.il", "imap-1@x", "One"))
		appendMail(t, u, "INBOX", first("yossi@example.com", "imap-2@x", "Two"))
		n, err := f.svc.PollIMAP(ctx, f.box.ID, email.IMAPOptions{})
		if err != nil || n != 2 {
			t.Fatalf("first poll: %d %v", n, err)
		}
		// A new service (a restart) resumes after the last UID.
		svc2 := email.NewService(d, f.core.Conversations, f.core.Inboxes, f.core.Files, testkit.Logger())
		appendMail(t, u, "INBOX", first("avi@example.org", "imap-3@x", "Three"))
		n, err = svc2.PollIMAP(ctx, f.box.ID, email.IMAPOptions{})
		if err != nil || n != 1 {
			t.Fatalf("after restart: %d %v, want 1", n, err)
		}
		if n, err = svc2.PollIMAP(ctx, f.box.ID, email.IMAPOptions{}); err != nil || n != 0 {
			t.Fatalf("nothing new: %d %v", n, err)
		}
		if got := f.count(t, `SELECT COUNT(*) FROM inbound_mails WHERE source = 'imap'`); got != 3 {
			t.Fatalf("%d raw mails, want 3", got)
		}
		st, _ := u.Status("INBOX", &imap.StatusOptions{NumMessages: true, NumUnseen: true})
		if *st.NumMessages != 4 || *st.NumUnseen != 0 {
			t.Fatalf("INBOX after flagging: %d messages %d unseen", *st.NumMessages, *st.NumUnseen)
		}
		// UIDVALIDITY changes (the folder was recreated): everything is
		// fetched again and only the new mail is added.
		if err := u.Delete("INBOX"); err != nil {
			t.Fatal(err)
		}
		if err := u.Create("INBOX", nil); err != nil {
			t.Fatal(err)
		}
		appendMail(t, u, "INBOX", first("dana@example.co.il", "imap-1@x", "One"))
		appendMail(t, u, "INBOX", first("yossi@example.com", "imap-2@x", "Two"))
		appendMail(t, u, "INBOX", first("new@example.org", "imap-4@x", "Four"))
		f.setIMAP(t, port, "move:Done")
		if n, err = f.svc.PollIMAP(ctx, f.box.ID, email.IMAPOptions{}); err != nil || n != 3 {
			t.Fatalf("after UIDVALIDITY change: %d %v", n, err)
		}
		if got := f.count(t, `SELECT COUNT(*) FROM conversations`); got != 4 {
			t.Fatalf("%d conversations, want 4", got)
		}
		if got := f.count(t, `SELECT COUNT(*) FROM inbound_mails WHERE status = 'duplicate'`); got != 0 {
			// Same bytes: the earlier rows answer, no new rows.
			t.Fatalf("%d duplicate rows", got)
		}
		st, _ = u.Status("INBOX", &imap.StatusOptions{NumMessages: true})
		done, _ := u.Status("Done", &imap.StatusOptions{NumMessages: true})
		if *st.NumMessages != 0 || *done.NumMessages != 3 {
			t.Fatalf("after move: INBOX %d Done %d", *st.NumMessages, *done.NumMessages)
		}
	})
}

// TestIMAPWorker runs the long-lived poller with IDLE: a mail appended
// while it waits is ingested promptly.
func TestIMAPWorker(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		u, port := imapServer(t)
		f.setIMAP(t, port, "")
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- f.svc.RunIMAP(ctx, email.IMAPOptions{Rescan: time.Hour, PollInterval: 200 * time.Millisecond})
		}()
		defer func() {
			cancel()
			<-done
		}()
		time.Sleep(300 * time.Millisecond)
		appendMail(t, u, "INBOX", first("dana@example.co.il", "idle-1@x", "While idle"))
		deadline := time.Now().Add(10 * time.Second)
		for f.count(t, `SELECT COUNT(*) FROM inbound_mails WHERE status = 'parsed'`) != 1 {
			if time.Now().After(deadline) {
				t.Fatal("mail not ingested by the worker")
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}
