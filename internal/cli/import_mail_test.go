package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/inbox"
)

// TestImportMail imports an mbox twice (the second time all duplicates)
// and checks usage errors exit 2.
func TestImportMail(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	core := supportDesk(t, data)
	if _, err := core.Inboxes.Create(ctx, audit.System, inbox.Input{Name: "Chat", Channel: "chat"}); err != nil {
		t.Fatal(err)
	}
	core.DB.Close()
	mbox := filepath.Join(data, "in.mbox")
	content := "From a@x Sun Nov 29 10:00:00 2026\nFrom: a@example.com\nSubject: One\nMessage-ID: <1@x>\n\nbody one\n\n" +
		"From b@x Sun Nov 29 10:00:00 2026\nFrom: b@example.com\nSubject: Two\nMessage-ID: <2@x>\n\nbody two\n"
	if err := os.WriteFile(mbox, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := Run(ctx, append([]string{"--data", data, "--log-level", "error"}, args...), &out, &errOut)
		return code, out.String() + errOut.String()
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"import", "mail", mbox}, 2, "--inbox"},
		{[]string{"import", "mail", "--inbox", "Nope", mbox}, 2, "no inbox"},
		{[]string{"import", "mail", "--inbox", "Chat", mbox}, 2, "not an email inbox"},
		{[]string{"import", "mail", "--inbox", "support", filepath.Join(data, "missing.mbox")}, 2, "missing.mbox\": no such file"},
		{[]string{"import", "mail", "--inbox", "support", mbox}, 0, "imported 2, duplicates 0, failed 0"},
		{[]string{"import", "mail", "--inbox", "1", mbox}, 0, "imported 0, duplicates 2, failed 0"},
	} {
		code, out := run(c.args...)
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("kesher %s: exit %d, want %d; output:\n%s", strings.Join(c.args, " "), code, c.code, out)
		}
	}
}
