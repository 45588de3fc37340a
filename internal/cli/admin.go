package cli

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/agent"
	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/audit"
)

func openCore(ctx context.Context, g *Globals) (*app.Core, error) {
	return app.NewCore(ctx, app.CoreOptions{Store: g.DBOptions()}, g.Logger(g.Stderr))
}

// MigrateCmd applies migrations.
type MigrateCmd struct{}

// Run migrates the store and prints the schema version.
func (MigrateCmd) Run(ctx context.Context, g *Globals) error {
	core, err := openCore(ctx, g)
	if err != nil {
		return err
	}
	defer core.DB.Close()
	cur, latest, err := core.DB.SchemaStatus(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "%s: schema version %d of %d\n", g.Describe(), cur, latest)
	return nil
}

// UserCmd groups agent commands.
type UserCmd struct {
	Create UserCreateCmd `cmd:"" help:"Create an agent."`
}

// UserCreateCmd creates an agent.
type UserCreateCmd struct {
	Email         string   `required:"" help:"The agent's email (their sign-in name)."`
	Name          string   `required:"" help:"Display name."`
	Role          string   `default:"agent" enum:"admin,supervisor,agent" help:"admin, supervisor or agent."`
	Teams         []string `name:"team" help:"Team to join, by name (repeat or comma-separate for several)."`
	PasswordStdin bool     `help:"Read the password from the first line of standard input (otherwise one is generated and printed)."`
}

// Run creates the agent and prints its id (and a generated password).
func (u *UserCreateCmd) Run(ctx context.Context, g *Globals) error {
	password, generated := "", false
	if u.PasswordStdin {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return usagef("--password-stdin: no password on standard input")
		}
		password = strings.TrimRight(line, "\r\n")
	} else {
		password, generated = app.GeneratePassword(), true
	}
	core, err := openCore(ctx, g)
	if err != nil {
		return err
	}
	defer core.DB.Close()
	var teamIDs []int64
	if len(u.Teams) > 0 {
		all, err := core.Agents.ListTeams(ctx)
		if err != nil {
			return err
		}
	next:
		for _, name := range u.Teams {
			for _, t := range all {
				if strings.EqualFold(t.Name, strings.TrimSpace(name)) {
					teamIDs = append(teamIDs, t.ID)
					continue next
				}
			}
			return usagef("no team named %q", name)
		}
	}
	a, err := core.Agents.Create(ctx, audit.Actor{Type: "system", Name: "cli"}, agent.Input{Email: u.Email, Name: u.Name, Role: u.Role,
		Password: password, TeamIDs: teamIDs})
	if err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "created %s %d <%s>\n", a.Role, a.ID, a.Email)
	if generated {
		fmt.Fprintf(g.Stdout, "password: %s\n", password)
	}
	return nil
}

// TokenCmd groups API token commands.
type TokenCmd struct {
	Create TokenCreateCmd `cmd:"" help:"Create an API token for an agent and print it once."`
}

// TokenCreateCmd creates a token.
type TokenCreateCmd struct {
	Email     string        `required:"" help:"Email of the agent the token acts for."`
	Name      string        `default:"cli" help:"A name to recognise the token by."`
	Scopes    []string      `default:"*" help:"Scopes (comma-separated), e.g. conversations:read,conversations:write; * for all the role allows."`
	ExpiresIn time.Duration `help:"Lifetime, e.g. 720h; empty means no expiry."`
}

// Run prints the new token.
func (t *TokenCreateCmd) Run(ctx context.Context, g *Globals) error {
	if t.ExpiresIn < 0 {
		return usagef("--expires-in must be positive")
	}
	core, err := openCore(ctx, g)
	if err != nil {
		return err
	}
	defer core.DB.Close()
	a, err := core.Agents.GetByEmail(ctx, t.Email)
	if err != nil {
		return usagef("no agent with email %q", t.Email)
	}
	var exp *time.Time
	if t.ExpiresIn > 0 {
		e := time.Now().Add(t.ExpiresIn)
		exp = &e
	}
	secret, _, err := core.Auth.CreateToken(ctx, a.ID, t.Name, t.Scopes, exp)
	if err != nil {
		return err
	}
	fmt.Fprintln(g.Stdout, secret)
	return nil
}
