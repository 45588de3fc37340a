package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"

	"github.com/kesherdesk/kesher/internal/agent"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
)

// BootstrapOptions create the first admin and an automation token.
type BootstrapOptions struct {
	// AdminEmail and AdminPassword create the first admin when the desk has
	// no agents. Without them an admin is created with a generated password,
	// printed once to Out.
	AdminEmail    string
	AdminPassword string
	// APIToken, when set, ensures an admin API token with exactly this value.
	APIToken string
	Out      io.Writer
}

// DefaultAdminEmail is used when KESHER_ADMIN_EMAIL is not set.
const DefaultAdminEmail = "admin@kesher.test"

// Bootstrap makes sure a desk can be entered: it creates an admin when no
// active admin exists. It returns the email of the admin it created ("" when
// one existed).
func (c *Core) Bootstrap(ctx context.Context, o BootstrapOptions) (string, error) {
	// The desk needs an active admin: on first start, or when every admin
	// was created elsewhere and deactivated or never made (e.g. the CLI
	// created plain agents before the first start).
	_, err := c.firstAdmin(ctx)
	created := ""
	if err != nil {
		email, password, generated := o.AdminEmail, o.AdminPassword, false
		if email == "" {
			email = DefaultAdminEmail
		}
		if password == "" {
			password, generated = GeneratePassword(), true
		}
		a, err := c.Agents.Create(ctx, audit.System, agent.Input{Name: "Admin", Email: email, Role: auth.RoleAdmin, Password: password})
		if err != nil {
			return "", fmt.Errorf("create first admin: %w", err)
		}
		created = a.Email
		c.Log.Info("created first admin", "email", a.Email)
		if generated && o.Out != nil {
			fmt.Fprintf(o.Out, "\nFirst start: an admin was created.\n  email:    %s\n  password: %s\nThis password is shown only once; change it after signing in.\n\n", a.Email, password)
		}
	}
	if o.APIToken != "" {
		admin, err := c.firstAdmin(ctx)
		if err != nil {
			return created, err
		}
		made, err := c.Auth.EnsureToken(ctx, admin, "bootstrap", o.APIToken)
		if err != nil {
			return created, fmt.Errorf("KESHER_BOOTSTRAP_API_TOKEN: %w", err)
		}
		if made {
			c.Log.Info("created bootstrap API token", "agent_id", admin)
		}
	}
	return created, nil
}

func (c *Core) firstAdmin(ctx context.Context) (int64, error) {
	var id int64
	err := c.DB.R().QueryRow(ctx, `SELECT id FROM agents WHERE role = 'admin' AND active = ? ORDER BY id LIMIT 1`, true).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("no active admin: %w", err)
	}
	return id, nil
}

// GeneratePassword returns a random 20-character password.
func GeneratePassword() string {
	var b [15]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
