package email_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/channel/email"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

const mbox = `From dana@example.co.il Sun Nov 29 10:00:00 2026
From: Dana <dana@example.co.il>
To: support@kesher.example
Subject: First
Message-ID: <mbox-1@x>
Date: Sun, 29 Nov 2026 10:00:00 +0200

Line one
>From the archive, quoted
From here on it is body text, not a separator

From yossi@example.com Sun Nov 29 11:00:00 2026
From: yossi@example.com
To: support@kesher.example
Subject: Second
Message-ID: <mbox-2@x>
Date: Sun, 29 Nov 2026 11:00:00 +0200

Second body

From dana@example.co.il Sun Nov 29 12:00:00 2026
From: Dana <dana@example.co.il>
To: support@kesher.example
Subject: Re: First
Message-ID: <mbox-3@x>
In-Reply-To: <mbox-1@x>
Date: Sun, 29 Nov 2026 12:00:00 +0200

Third body
`

// TestImport imports an mbox with 3 mails (two threads), then a Maildir
// holding one new mail and one already imported.
func TestImport(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		dir := t.TempDir()
		mboxPath := filepath.Join(dir, "archive.mbox")
		if err := os.WriteFile(mboxPath, []byte(mbox), 0o600); err != nil {
			t.Fatal(err)
		}
		st, err := f.svc.Import(ctx, f.box.ID, []string{mboxPath})
		if err != nil {
			t.Fatal(err)
		}
		if st != (email.ImportStats{Imported: 3}) {
			t.Fatalf("mbox stats %+v", st)
		}
		var convs int
		if err := d.R().QueryRow(ctx, `SELECT COUNT(*) FROM conversations`).Scan(&convs); err != nil || convs != 2 {
			t.Fatalf("%d conversations (%v), want 2", convs, err)
		}
		var body string
		if err := d.R().QueryRow(ctx, `SELECT body_text FROM messages WHERE channel_meta LIKE '%mbox-1@x%' AND kind = 'reply'`).Scan(&body); err != nil {
			t.Fatal(err)
		}
		if body != "Line one\nFrom the archive, quoted\nFrom here on it is body text, not a separator" {
			t.Fatalf("body %q", body)
		}
		var at int64
		if err := d.R().QueryRow(ctx, `SELECT created_at FROM messages WHERE channel_meta LIKE '%mbox-2@x%'`).Scan(&at); err != nil || at != time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC).UnixMilli() {
			t.Fatalf("imported message time %d %v", at, err)
		}
		md := filepath.Join(dir, "Maildir")
		for _, sub := range []string{"cur", "new", "tmp"} {
			if err := os.MkdirAll(filepath.Join(md, sub), 0o700); err != nil {
				t.Fatal(err)
			}
		}
		write := func(p, s string) {
			if err := os.WriteFile(p, []byte(strings.ReplaceAll(s, "\n", "\r\n")), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		write(filepath.Join(md, "new", "1.host"), "From: avi@example.org\nSubject: Maildir\nMessage-ID: <md-1@x>\n\nfrom maildir\n")
		write(filepath.Join(md, "cur", "2.host:2,S"), "From: yossi@example.com\nSubject: Second\nMessage-ID: <mbox-2@x>\n\nSecond body\n")
		write(filepath.Join(md, "tmp", "3.host"), "From: x@example.org\nSubject: partial\n\n")
		st, err = f.svc.Import(ctx, f.box.ID, []string{md})
		if err != nil {
			t.Fatal(err)
		}
		if st != (email.ImportStats{Imported: 1, Duplicates: 1}) {
			t.Fatalf("maildir stats %+v", st)
		}
	})
}

// TestReadMboxWithoutBlankLines: some writers put no empty line before the
// "From " separator; a separator with its asctime date still splits, while
// an unquoted body line starting "From " (no date) stays in the body.
func TestReadMboxWithoutBlankLines(t *testing.T) {
	mbox := "From a@x.test Mon Jan  1 00:00:00 2024\n" +
		"From: A <a1@mbox.test>\nSubject: one\nMessage-ID: <m1@mbox.test>\n\nfirst\nFrom the start\n" +
		"From b@x.test Mon Jan  1 00:00:00 2024\n" +
		"From: B <b1@mbox.test>\nSubject: two\nMessage-ID: <m2@mbox.test>\n\nsecond\n>From quoted\n" +
		"From c@x.test Tue Feb 13 09:05 2024\n" +
		"From: C <c1@mbox.test>\nSubject: three\nMessage-ID: <m3@mbox.test>\n\nthird\n"
	var got []string
	if err := email.ReadMbox(strings.NewReader(mbox), func(raw []byte) error {
		got = append(got, string(raw))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d messages, want 3: %q", len(got), got)
	}
	if !strings.HasSuffix(got[0], "first\nFrom the start") || !strings.HasSuffix(got[1], "second\nFrom quoted") ||
		!strings.Contains(got[2], "Subject: three") {
		t.Errorf("messages: %q", got)
	}
}
