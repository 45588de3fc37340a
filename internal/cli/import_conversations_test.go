package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestImportConversations imports a JSON Lines file twice (the second time
// unchanged); a bad line exits 1 naming line and field while the other
// lines are imported; a missing file or a directory exits 2.
func TestImportConversations(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	core := supportDesk(t, data)
	core.DB.Close()
	line := func(ext, at string) string {
		return `{"external_id":"` + ext + `","inbox":"Support","requester":{"email":"c@example.com"},"created_at":"2025-01-01T10:00:00Z",` +
			`"messages":[{"direction":"inbound","body":"hi","created_at":"` + at + `"}]}` + "\n"
	}
	good, bad := filepath.Join(data, "good.jsonl"), filepath.Join(data, "bad.jsonl")
	if err := os.WriteFile(good, []byte(line("K-1", "2025-01-01T10:00:00Z")+line("K-2", "2025-01-01T11:00:00Z")), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte(line("K-3", "2025-01-01T10:00:00Z")+line("K-4", "noon")), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"import", "conversations", filepath.Join(data, "missing.jsonl")}, 2, "missing.jsonl\": no such file"},
		{[]string{"import", "conversations", data}, 2, "not a readable file"},
		{[]string{"import", "conversations"}, 2, "file"},
		{[]string{"import", "conversations", good}, 0, "created 2, unchanged 0, failed 0"},
		{[]string{"import", "conversations", good}, 0, "created 0, unchanged 2, failed 0"},
		{[]string{"import", "conversations", bad}, 1, "line 2: messages[0].created_at: not a time"},
		{[]string{"import", "conversations", bad}, 1, "created 0, unchanged 1, failed 1"},
	} {
		var out, errOut bytes.Buffer
		code := Run(ctx, append([]string{"--data", data, "--log-level", "error"}, c.args...), &out, &errOut)
		if code != c.code || !strings.Contains(out.String()+errOut.String(), c.want) {
			t.Errorf("kesher %s: exit %d, want %d; output:\n%s%s", strings.Join(c.args, " "), code, c.code, out.String(), errOut.String())
		}
	}
}

// supportDesk opens the desk in data with an email inbox "Support"
// (support@x.example); the caller closes core.DB before running commands.
func supportDesk(t *testing.T, data string) *app.Core {
	t.Helper()
	ctx := context.Background()
	core, err := app.NewCore(ctx, app.CoreOptions{Store: db.Options{DataDir: data}}, testkit.Logger())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := core.Inboxes.Create(ctx, audit.System, inbox.Input{Name: "Support", Channel: "email", Address: "support@x.example"}); err != nil {
		t.Fatal(err)
	}
	return core
}
