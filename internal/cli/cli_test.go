package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestExitCodes: bad flags and bad input exit 2 with a message; success 0.
func TestExitCodes(t *testing.T) {
	data := t.TempDir()
	run := cliRunner(data)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"version"}, 0, "kesher"},
		{[]string{"migrate"}, 0, "schema version"},
		{[]string{"bogus"}, 2, "unexpected argument"},
		{[]string{"serve", "--addr"}, 2, "expected"},
		{[]string{"--database-url", "mysql://x", "migrate"}, 2, "postgres://"},
		{[]string{"user", "create", "--email", "dana@kesher.test", "--name", "Dana", "--role", "king"}, 2, "role"},
		{[]string{"user", "create", "--email", "not-an-email", "--name", "Dana"}, 2, "email"},
		{[]string{"user", "create", "--email", "dana@kesher.test", "--name", "Dana", "--team", "nosuch"}, 2, "no team"},
		{[]string{"user", "create", "--email", "dana@kesher.test", "--name", "Dana"}, 0, "password:"},
		{[]string{"user", "create", "--email", "DANA@kesher.test", "--name", "Dana again"}, 2, "another agent has this email"},
		{[]string{"token", "create", "--email", "nobody@kesher.test"}, 2, "no agent"},
		{[]string{"token", "create", "--email", "dana@kesher.test", "--scopes", "everything"}, 2, "unknown scope"},
		{[]string{"token", "create", "--email", "dana@kesher.test", "--scopes", "conversations:read"}, 0, "ksr_"},
		{[]string{"backup", "--out", filepath.Join(data, "kesher.db")}, 2, "exists"},
		{[]string{"restore", "--from", filepath.Join(data, "missing.db")}, 2, ""},
		{[]string{"bench", "http", "--token", "x", "--url", "http://10.0.0.1:8080"}, 2, "this machine"},
		{[]string{"bench", "mail", "--n", "0"}, 2, "--n"},
		{[]string{"bench", "mail", "--n", "20", "--workers", "2"}, 0, "ingested 20 typical mails"},
		{[]string{"bench", "search", "--n", "0"}, 2, "--n"},
		{[]string{"bench", "search", "--n", "3000", "--runs", "5"}, 0, "common word: p50"},
		{[]string{"search", "reindex", "--batch", "0"}, 2, "--batch"},
		{[]string{"search", "reindex"}, 0, "search index rebuilt"},
	}
	for _, c := range cases {
		code, out := run(c.args...)
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("kesher %s: exit %d, want %d; output:\n%s", strings.Join(c.args, " "), code, c.code, out)
		}
	}
}

// cliRunner runs kesher with --data data (errors-only logging) and returns
// the exit code and what it printed on stdout and stderr together.
func cliRunner(data string) func(args ...string) (int, string) {
	return func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := Run(context.Background(), append([]string{"--data", data, "--log-level", "error"}, args...), &out, &errOut)
		return code, out.String() + errOut.String()
	}
}
