// Command kesher is the Kesher help desk: server, migrations, admin tools.
package main

import (
	"context"
	"os"
	_ "time/tzdata" // IANA zones even on machines without /usr/share/zoneinfo

	"github.com/kesherdesk/kesher/internal/cli"
)

func main() {
	os.Exit(cli.Run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}
