package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/kesherdesk/kesher/internal/audit"
)

// ImportOrdersCmd imports orders from a CSV file (commerce.ParseCSV; the
// same parser as POST /api/v1/orders/import): all or nothing, upserted by
// external_id, so importing the file again changes nothing. A bad line is
// a usage error (exit 2) naming its line and column.
type ImportOrdersCmd struct {
	File string `arg:"" name:"file" help:"The CSV file; its first line names the columns." type:"path"`
}

// Run imports the file and prints the counts: created, updated, unchanged.
func (c *ImportOrdersCmd) Run(ctx context.Context, g *Globals) error {
	f, err := os.Open(c.File)
	if err != nil {
		return usagef("file %q: %v", c.File, errors.Unwrap(err))
	}
	defer f.Close()
	core, err := openCore(ctx, g)
	if err != nil {
		return err
	}
	defer core.DB.Close()
	res, err := core.Orders.Import(ctx, audit.Actor{Type: "system", Name: "kesher import orders"}, f)
	if err != nil {
		return fmt.Errorf("%s: nothing imported: %w", c.File, err)
	}
	fmt.Fprintf(g.Stdout, "created %d, updated %d, unchanged %d\n", res.Created, res.Updated, res.Unchanged)
	return nil
}
