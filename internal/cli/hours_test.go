package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	_ "time/tzdata" // the test binary does not link cmd/kesher

	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/sla"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestHours: the hours commands print RFC 3339 instants and minutes; bad
// input exits 2 with a message.
func TestHours(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		// Thu 16:00: 60 to 17:00; Fri 27 Mar DST starts; Sun 09:00–10:00 +03:00.
		{[]string{"hours", "due", "--calendar", "il", "--start", "2026-03-26T16:00:00+02:00", "--minutes", "120"}, 0, "2026-03-29T10:00:00+03:00\n"},
		// Printed in the calendar's zone whatever the input's offset.
		{[]string{"hours", "due", "--calendar", "il", "--start", "2026-01-05T14:00:00Z", "--minutes", "0"}, 0, "2026-01-05T16:00:00+02:00\n"},
		// Wed 1 Apr eve 240 + Sun 5 Apr 480 + Mon 6 Apr 480 + Tue 7 Apr eve 240.
		{[]string{"hours", "between", "--calendar", "il", "--from", "2026-04-01T00:00:00+03:00", "--to", "2026-04-09T09:00:00+03:00"}, 0, "1440\n"},
		{[]string{"hours", "between", "--from", "2026-01-04T00:00:00+02:00", "--to", "2026-01-11T00:00:00+02:00"}, 0, "2400\n"},
		{[]string{"hours", "due", "--calendar", "xx", "--start", "2026-03-26T16:00:00+02:00", "--minutes", "1"}, 2, "no such built-in calendar"},
		{[]string{"hours", "due", "--start", "2026-03-26 16:00", "--minutes", "1"}, 2, "RFC 3339"},
		{[]string{"hours", "due", "--start", "2026-03-26T16:00:00+02:00", "--minutes", "-1"}, 2, "--minutes"},
		{[]string{"hours", "due", "--start", "2026-03-26T16:00:00+02:00", "--minutes", "ten"}, 2, "minutes"},
		{[]string{"hours", "due", "--minutes", "10"}, 2, "--start"},
		{[]string{"hours", "between", "--from", "2026-01-05T10:00:00+02:00", "--to", "2026-01-04T10:00:00+02:00"}, 2, "before"},
		{[]string{"hours", "between", "--from", "yesterday", "--to", "2026-01-04T10:00:00+02:00"}, 2, "--from"},
	}
	for _, c := range cases {
		var out, errOut bytes.Buffer
		code := Run(context.Background(), c.args, &out, &errOut)
		got := out.String()
		if c.code != 0 {
			got = errOut.String()
		}
		if code != c.code || (c.code == 0 && got != c.want) || !strings.Contains(got, c.want) {
			t.Errorf("kesher %s: exit %d, want %d; stdout %q stderr %q", strings.Join(c.args, " "), code, c.code, out.String(), errOut.String())
		}
	}
}

// TestHoursStoredCalendar: a calendar stored in the desk is found by name,
// through the same service the API uses.
func TestHoursStoredCalendar(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	core, err := app.NewCore(ctx, app.CoreOptions{Store: db.Options{DataDir: dir}}, testkit.Logger())
	if err != nil {
		t.Fatal(err)
	}
	day := []sla.Interval{{Start: "08:00", End: "12:00"}}
	if _, err := core.SLA.CreateCalendar(ctx, audit.System, sla.CalendarInput{Name: "mornings", TimeZone: "UTC",
		Week: [][]sla.Interval{day, day, day, day, day, day, day}}); err != nil {
		t.Fatal(err)
	}
	core.DB.Close()
	var out, errOut bytes.Buffer
	code := Run(ctx, []string{"--data", dir, "hours", "due", "--calendar", "mornings", "--start", "2026-03-05T11:00:00Z", "--minutes", "120"}, &out, &errOut)
	if code != 0 || out.String() != "2026-03-06T09:00:00Z\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
	out.Reset()
	errOut.Reset()
	if code := Run(ctx, []string{"--data", dir, "hours", "between", "--calendar", "nope", "--from", "2026-03-05T11:00:00Z",
		"--to", "2026-03-06T11:00:00Z"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), `no calendar "nope"`) {
		t.Fatalf("unknown calendar: exit %d, stderr %q", code, errOut.String())
	}
}
