// Package cli defines the kesher command line: one file per subcommand,
// flags and KESHER_* environment variables from one struct (kong).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/alecthomas/kong"

	"github.com/kesherdesk/kesher/internal/config"
	"github.com/kesherdesk/kesher/internal/errs"
)

// Version is set at build time with -ldflags "-X …/internal/cli.Version=…".
var Version = "dev"

// Exit codes.
const (
	ExitOK    = 0
	ExitError = 1 // the command failed
	ExitUsage = 2 // bad flags or bad input
)

// Globals are the flags every subcommand accepts.
type Globals struct {
	config.Store
	config.Log
	Stdout io.Writer `kong:"-"`
	Stderr io.Writer `kong:"-"`
}

// CLI is the whole command tree.
type CLI struct {
	Globals

	Serve   ServeCmd   `cmd:"" help:"Run the Kesher server (API, web app, workers)."`
	Migrate MigrateCmd `cmd:"" help:"Apply database migrations and exit."`
	User    UserCmd    `cmd:"" help:"Manage agents."`
	Token   TokenCmd   `cmd:"" help:"Manage API tokens."`
	Backup  BackupCmd  `cmd:"" help:"Write a consistent copy of an SQLite desk while it runs."`
	Restore RestoreCmd `cmd:"" help:"Restore an SQLite desk from a backup file."`
	Bench   BenchCmd   `cmd:"" help:"Load-test a running Kesher over HTTP on this machine."`
	Hours   HoursCmd   `cmd:"" help:"Business-hours math: SLA due times and business minutes between instants."`
	Import  ImportCmd  `cmd:"" help:"Import data from files."`
	Report  ReportCmd  `cmd:"" help:"Service metrics over a period (JSON or CSV); rebuild the report rollups."`
	Search  SearchCmd  `cmd:"" help:"Search index tools (rebuild the index)."`
	Version VersionCmd `cmd:"" help:"Print the version."`
}

// usageError marks errors that should exit with code 2.
type usageError struct{ error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// Run parses args and runs the chosen subcommand, returning the exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var cli CLI
	cli.Stdout, cli.Stderr = stdout, stderr
	exitCode := -1
	parser, err := kong.New(&cli,
		kong.Name("kesher"),
		kong.Description("Kesher — the open-source help desk. Every flag can also be set with the KESHER_* variable shown beside it."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { exitCode = code }),
		kong.UsageOnError(),
		kong.Vars{"version": Version},
	)
	if err != nil {
		fmt.Fprintln(stderr, "kesher:", err)
		return ExitError
	}
	kctx, err := parser.Parse(args)
	if exitCode >= 0 { // --help
		return exitCode
	}
	if err != nil {
		fmt.Fprintln(stderr, "kesher:", err)
		return ExitUsage
	}
	if err := cli.Store.Validate(); err != nil {
		fmt.Fprintln(stderr, "kesher:", err)
		return ExitUsage
	}
	kctx.BindTo(ctx, (*context.Context)(nil))
	if err := kctx.Run(&cli.Globals); err != nil {
		fmt.Fprintln(stderr, "kesher:", err)
		var ue usageError
		var ve *errs.ValidationError
		if errors.As(err, &ue) || errors.As(err, &ve) {
			return ExitUsage
		}
		return ExitError
	}
	return ExitOK
}

// VersionCmd prints the version.
type VersionCmd struct{}

// Run prints the version.
func (VersionCmd) Run(g *Globals) error {
	fmt.Fprintln(g.Stdout, "kesher", Version)
	return nil
}

func stdinIsTerminal() bool {
	fi, err := os.Stdin.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
