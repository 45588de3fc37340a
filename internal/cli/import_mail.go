package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/kesherdesk/kesher/internal/inbox"
)

// ImportCmd groups importers.
type ImportCmd struct {
	Mail          ImportMailCmd          `cmd:"" help:"Import mail files (.eml, mbox, Maildir folders) into an email inbox."`
	Orders        ImportOrdersCmd        `cmd:"" help:"Import orders from a CSV file (columns: see docs/commerce.md); all or nothing."`
	Conversations ImportConversationsCmd `cmd:"" help:"Import historical conversations from JSON Lines (format: docs/reports.md); each line on its own."`
}

// ImportMailCmd imports mail from files into an email inbox, as if it had
// been received: threaded, deduplicated (importing twice adds nothing),
// dated by each mail's Date header.
type ImportMailCmd struct {
	Inbox string   `required:"" help:"The email inbox to import into, by name or id."`
	Paths []string `arg:"" name:"path" help:".eml files, mbox files or Maildir folders (cur/ and new/ are read)." type:"path"`
}

// Run imports the files and prints the counts: imported, duplicates,
// failed (kept and shown as unreadable), ignored.
func (c *ImportMailCmd) Run(ctx context.Context, g *Globals) error {
	// Every path must exist before anything is imported: a typo is a usage
	// error, not half an import.
	for _, p := range c.Paths {
		if _, err := os.Stat(p); err != nil {
			return usagef("path %q: %v", p, errors.Unwrap(err))
		}
	}
	core, err := openCore(ctx, g)
	if err != nil {
		return err
	}
	defer core.DB.Close()
	boxes, err := core.Inboxes.List(ctx)
	if err != nil {
		return err
	}
	var box *inbox.Inbox
	id, _ := strconv.ParseInt(c.Inbox, 10, 64)
	for i, b := range boxes {
		if b.ID == id || strings.EqualFold(b.Name, strings.TrimSpace(c.Inbox)) {
			box = &boxes[i]
			break
		}
	}
	if box == nil {
		return usagef("--inbox: no inbox %q", c.Inbox)
	}
	if box.Channel != inbox.ChannelEmail {
		return usagef("--inbox: %q is a %s inbox, not an email inbox", box.Name, box.Channel)
	}
	if !box.Enabled {
		return usagef("--inbox: %q is disabled; enable it first", box.Name)
	}
	st, err := core.Email.Import(ctx, box.ID, c.Paths)
	fmt.Fprintf(g.Stdout, "imported %d, duplicates %d, failed %d, ignored %d\n", st.Imported, st.Duplicates, st.Failed, st.Ignored)
	return err
}
