package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/channel/email"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/inbox"
)

// BenchMailCmd measures inbound mail throughput: parse + store through the
// email pipeline, on a temporary SQLite store.
type BenchMailCmd struct {
	N       int `default:"2000" help:"How many generated typical mails (11 KB Hebrew multipart replies) to ingest."`
	Workers int `default:"1" help:"Concurrent ingesters (1: one after another and in order, as an import does: the next mail is parsed while the previous one is stored)."`
}

// Run ingests N generated mails into a new email inbox of a temporary
// SQLite store (removed afterwards) and prints messages/s.
func (b *BenchMailCmd) Run(ctx context.Context, g *Globals) error {
	if b.N < 1 || b.N > 1_000_000 {
		return usagef("--n must be 1-1000000")
	}
	if b.Workers < 1 || b.Workers > 256 {
		return usagef("--workers must be 1-256")
	}
	dir, err := os.MkdirTemp("", "kesher-bench-mail-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	core, err := app.NewCore(ctx, app.CoreOptions{Store: db.Options{DataDir: dir}}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	defer core.DB.Close()
	box, err := core.Inboxes.Create(ctx, audit.System, inbox.Input{Name: "Bench", Channel: inbox.ChannelEmail, Address: "support@kesher.example"})
	if err != nil {
		return err
	}
	mails := make([][]byte, b.N)
	var size int
	for i := range mails {
		mails[i] = email.SampleMail(i)
		size += len(mails[i])
	}
	var next atomic.Int64
	var failed atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	check := func(i int, res email.Result, err error) {
		if err == nil && res.Status != email.StatusParsed {
			err = fmt.Errorf("mail %d: status %s %s", i, res.Status, res.Error)
		}
		if err != nil {
			failed.Add(1)
			once.Do(func() { firstErr = err })
		}
	}
	parallel := b.Workers
	if b.Workers == 1 {
		parallel = 0
		done := 0
		seq := core.Email.NewSequence(ctx, box.ID, email.SourceImport, func(res email.Result, err error) {
			check(done, res, err)
			done++
		})
		for _, raw := range mails {
			if err := seq.Add(raw); err != nil {
				break
			}
		}
		seq.Close()
	}
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(mails) || ctx.Err() != nil {
					return
				}
				res, err := core.Email.Ingest(ctx, box.ID, mails[i], email.SourceImport)
				check(i, res, err)
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	fmt.Fprintf(g.Stdout, "ingested %d typical mails (%.1f KB average, %d workers) into a temporary SQLite store in %s: %.0f messages/s\n",
		b.N, float64(size)/float64(b.N)/1024, b.Workers, took.Round(time.Millisecond), float64(b.N)/took.Seconds())
	if firstErr != nil {
		return fmt.Errorf("%d mails failed; first: %w", failed.Load(), firstErr)
	}
	return nil
}
