package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestReportCommand checks kesher report: JSON and CSV output over an empty
// desk (nulls), rebuild, and exit 2 for bad flags.
func TestReportCommand(t *testing.T) {
	data := t.TempDir()
	run := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := Run(context.Background(), append([]string{"--data", data, "--log-level", "error"}, args...), &out, &errOut)
		return code, out.String() + errOut.String()
	}
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"migrate"}, 0, "schema version"},
		{[]string{"report", "rebuild"}, 0, "rollups rebuilt"},
		{[]string{"report", "--from", "2026-03-01", "--to", "2026-04-01"}, 0, `"first_response_median_seconds": null`},
		{[]string{"report", "--from", "2026-03-01", "--to", "2026-04-01", "--format", "csv"}, 0, "conversations_created,0\n"},
		{[]string{"report", "--from", "2026-03-01", "--to", "2026-04-01", "--calendar", "il"}, 0, `"calendar": "il"`},
		{[]string{"report", "--from", "March", "--to", "2026-04-01"}, 2, "--from"},
		{[]string{"report", "--from", "2026-03-01"}, 2, "--to"},
		{[]string{"report", "--from", "2026-03-01", "--to", "2026-04-01", "--format", "xml"}, 2, "--format"},
		{[]string{"report", "--from", "2026-03-01", "--to", "2026-04-01", "--team", "nosuch"}, 2, "--team"},
		{[]string{"report", "--from", "2026-04-01", "--to", "2026-03-01"}, 2, "to must be after from"},
		{[]string{"bench", "report", "--n", "0"}, 2, "--n"},
		{[]string{"bench", "report", "--n", "3000", "--runs", "5"}, 0, "90-day summary p50"},
	}
	for _, c := range cases {
		code, out := run(c.args...)
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("kesher %s: exit %d, want %d; output:\n%s", strings.Join(c.args, " "), code, c.code, out)
		}
	}
}
