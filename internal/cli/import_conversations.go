package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/kesherdesk/kesher/internal/audit"
)

// ImportConversationsCmd imports historical conversations from a JSON
// Lines file (internal/importer; the same importer as POST
// /api/v1/imports/conversations): each line in its own transaction,
// skipped when its external_id exists, so importing the file again changes
// nothing. Exit codes: 0 when every line was imported or already there, 1
// when some lines failed (each is printed to stderr as "line N: field:
// reason"; the others were imported), 2 for bad usage or an unreadable
// file.
type ImportConversationsCmd struct {
	File string `arg:"" name:"file" help:"The JSON Lines file: one conversation per line." type:"path"`
}

// Run imports the file and prints the counts: created, unchanged, failed.
func (c *ImportConversationsCmd) Run(ctx context.Context, g *Globals) error {
	f, err := os.Open(c.File)
	if err != nil {
		return usagef("file %q: %v", c.File, errors.Unwrap(err))
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || st.IsDir() {
		return usagef("file %q: not a readable file", c.File)
	}
	core, err := openCore(ctx, g)
	if err != nil {
		return err
	}
	defer core.DB.Close()
	res, err := core.Importer.Import(ctx, audit.Actor{Type: "system", Name: "kesher import conversations"}, f)
	for _, e := range res.Errors {
		fmt.Fprintln(g.Stderr, e.Error())
	}
	if res.Failed > len(res.Errors) {
		fmt.Fprintf(g.Stderr, "… and %d more failed lines\n", res.Failed-len(res.Errors))
	}
	fmt.Fprintf(g.Stdout, "created %d, unchanged %d, failed %d\n", res.Created, res.Unchanged, res.Failed)
	// The import publishes no events: mark the report days it touched
	// stale so a running server's rollups catch up.
	if res.Created > 0 {
		if merr := core.Reports.MarkDays(ctx, res.FirstCreated, res.LastCreated); merr != nil && err == nil {
			err = merr
		}
	}
	if err != nil {
		return fmt.Errorf("%s: stopped: %w", c.File, err)
	}
	if res.Failed > 0 {
		return fmt.Errorf("%s: %d lines failed (the other lines were imported)", c.File, res.Failed)
	}
	return nil
}
