// Package demo seeds a realistic, deterministic demo desk.
package demo

import (
	"context"
	"log/slog"

	"github.com/kesherdesk/kesher/internal/app"
)

// AdminPassword is the demo admin's password.
const AdminPassword = "kesher-demo"

// Options tune the seed.
type Options struct {
	Log *slog.Logger
}

// Seed fills an empty desk; it reports whether it seeded.
func Seed(ctx context.Context, core *app.Core, o Options) (bool, error) {
	return false, nil
}
