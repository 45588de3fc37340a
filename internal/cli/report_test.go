package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
)

// TestReportCommand checks kesher report: JSON and CSV output over an empty
// desk (nulls), rebuild, and exit 2 for bad flags.
func TestReportCommand(t *testing.T) {
	data := t.TempDir()
	run := cliRunner(data)
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

// TestReportSourceFilter checks kesher report --source (the API's source
// filter of the survey figures), --channel and --agent, and exit 2 for bad
// values. Data: two imported conversations with CSAT 5 and 2 (source
// import) and a call-center CSAT 1, all answered on 3 March 2026:
// all 3 answers → 1/3 = 33.33 %; import 2 → 50 %; call-center 1 → 0 %;
// survey none → null.
func TestReportSourceFilter(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	core := supportDesk(t, data)
	if err := core.DB.WriteTx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO survey_responses (kind, source, score, channel, responded_at, updated_at)
 VALUES ('csat', 'call-center', 1, 'phone', ?, 0)`, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC).UnixMilli())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	core.DB.Close()
	line := func(ext string, score int) string {
		return fmt.Sprintf(`{"external_id":"%s","inbox":"Support","requester":{"email":"c@example.com"},"created_at":"2026-03-02T10:00:00Z",`+
			`"messages":[{"direction":"inbound","body":"hi","created_at":"2026-03-02T10:00:00Z"}],`+
			`"surveys":[{"kind":"csat","score":%d,"responded_at":"2026-03-03T10:00:00Z"}]}`+"\n", ext, score)
	}
	file := filepath.Join(data, "h.jsonl")
	if err := os.WriteFile(file, []byte(line("S-1", 5)+line("S-2", 2)), 0o600); err != nil {
		t.Fatal(err)
	}
	period := []string{"report", "--from", "2026-03-01", "--to", "2026-04-01"}
	long := strings.Repeat("x", 101)
	for _, c := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"import", "conversations", file}, 0, []string{"created 2"}},
		{[]string{"report", "rebuild"}, 0, []string{"rollups rebuilt"}},
		{period, 0, []string{`"csat_percent": 33.33`, `"csat_responses": 3`}},
		{append(period, "--source", "import"), 0, []string{`"csat_percent": 50,`, `"csat_responses": 2`}},
		{append(period, "--source", "call-center"), 0, []string{`"csat_percent": 0,`, `"csat_responses": 1`}},
		{append(period, "--source", "survey"), 0, []string{`"csat_percent": null`, `"csat_responses": 0`}},
		{append(period, "--source", "import", "--channel", "email"), 0, []string{`"csat_responses": 2`, `"conversations_created": 2`}},
		{append(period, "--channel", "chat"), 0, []string{`"csat_responses": 0`, `"conversations_created": 0`}},
		{append(period, "--source", "import", "--format", "csv"), 0, []string{"csat_responses,2\n"}},
		{append(period, "--source", long), 2, []string{"--source: at most 100 bytes"}},
		{append(period, "--channel", "fax"), 2, []string{`--channel "fax": must be one of email, chat, api, phone, messaging`}},
		{append(period, "--agent", "nobody@example.com"), 2, []string{`--agent "nobody@example.com"`}},
	} {
		var out, errOut bytes.Buffer
		code := Run(ctx, append([]string{"--data", data, "--log-level", "error"}, c.args...), &out, &errOut)
		got := out.String() + errOut.String()
		ok := code == c.code
		for _, w := range c.want {
			ok = ok && strings.Contains(got, w)
		}
		if !ok {
			t.Errorf("kesher %s: exit %d, want %d and %q; output:\n%s", strings.Join(c.args, " "), code, c.code, c.want, got)
		}
	}
}
