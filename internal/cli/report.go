package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/report"
)

// ReportCmd prints the metrics report (the same JSON as GET
// /api/v1/reports/summary) or rebuilds the rollups it reads.
type ReportCmd struct {
	Summary ReportSummaryCmd `cmd:"" default:"withargs" help:"Print the metrics over a period (default)."`
	Rebuild ReportRebuildCmd `cmd:"" help:"Recompute every daily rollup from the conversations (after an import or an upgrade)."`
}

// ReportSummaryCmd prints the summary over --from … --to.
type ReportSummaryCmd struct {
	From     string `required:"" help:"First day (YYYY-MM-DD, Asia/Jerusalem) or RFC 3339 instant, included."`
	To       string `required:"" help:"Last bound (YYYY-MM-DD or RFC 3339), excluded."`
	Team     string `help:"Only this team (id or name)."`
	Inbox    string `help:"Only this inbox (id or name)."`
	Channel  string `help:"Only this channel: email, chat, api, phone or messaging."`
	Agent    string `help:"Only conversations assigned to this agent (id or email)."`
	Source   string `help:"Only survey answers (CSAT, NPS, CES) of this source: survey, import, or an external source named in a feedback CSV (at most 100 bytes); the other figures are not narrowed."`
	Calendar string `help:"Business-hours calendar of the business times (the rollups' calendar, default il)."`
	Format   string `default:"json" enum:"json,csv" help:"Output format: json or csv."`
}

// Run prints the report. Bad flags or filters exit 2 naming the flag.
func (c *ReportSummaryCmd) Run(ctx context.Context, g *Globals) error {
	core, err := openCore(ctx, g)
	if err != nil {
		return err
	}
	defer core.DB.Close()
	loc := core.Reports.Location()
	var f report.Filters
	if f.From, err = report.ParseTime("from", c.From, loc); err != nil {
		return usagef("--from: %v", err)
	}
	if f.To, err = report.ParseTime("to", c.To, loc); err != nil {
		return usagef("--to: %v", err)
	}
	for _, r := range []struct {
		flag, value, table, column string
		dst                        *int64
	}{{"team", c.Team, "teams", "name", &f.TeamID}, {"inbox", c.Inbox, "inboxes", "name", &f.InboxID}, {"agent", c.Agent, "agents", "email", &f.AgentID}} {
		if *r.dst, err = lookupID(ctx, core, r.table, r.column, r.value); err != nil {
			return usagef("--%s %q: %v", r.flag, r.value, err)
		}
	}
	if c.Channel != "" && !slices.Contains(report.Channels, c.Channel) {
		return usagef("--channel %q: must be one of %s", c.Channel, strings.Join(report.Channels, ", "))
	}
	if len(c.Source) > 100 {
		return usagef("--source: at most 100 bytes")
	}
	f.Channel, f.Calendar, f.Source = c.Channel, c.Calendar, c.Source
	s, err := core.Reports.Report(ctx, f)
	if err != nil {
		return err
	}
	if c.Format == "csv" {
		return report.WriteCSV(g.Stdout, s)
	}
	enc := json.NewEncoder(g.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// lookupID resolves an id or a unique name ("" → 0).
func lookupID(ctx context.Context, core *app.Core, table, column, v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
		return id, nil
	}
	var id int64
	if err := core.DB.R().QueryRow(ctx, `SELECT id FROM `+table+` WHERE `+column+` = ?`, v).Scan(&id); err != nil {
		return 0, fmt.Errorf("no such %s", table[:len(table)-1])
	}
	return id, nil
}

// ReportRebuildCmd recomputes the rollups.
type ReportRebuildCmd struct{}

// Run rebuilds every rollup row and prints how long it took.
func (ReportRebuildCmd) Run(ctx context.Context, g *Globals) error {
	core, err := openCore(ctx, g)
	if err != nil {
		return err
	}
	defer core.DB.Close()
	start := time.Now()
	if err := core.Reports.Rebuild(ctx); err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "rollups rebuilt in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}
