// Package credit is the money side of compensation: the versioned
// compensation policy, quotes (internal/commerce/compensation applied to an
// order), per-role authority limits, approval requests above them, the
// append-only credit ledger (grants, reversals, coupon codes, summaries) and
// the ledger export webhook. It implements commerce.Offerer, the automatic
// grant that goes with a proactive late-delivery notice.
//
// Money is int64 minor units of the entry's currency, at most
// compensation.MaxAmountMinor per amount. Authority limits are minor units
// of DeskCurrency (ILS): grants in another currency always need an
// admin's approval, so sums never add up currencies. The desk's calendar
// zone is Asia/Jerusalem (periods of authority limits, summary days).
package credit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/commerce"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/jobs"
	"github.com/kesherdesk/kesher/internal/rules"
	"github.com/kesherdesk/kesher/internal/secret"
)

// Zone is the desk's calendar zone: authority-limit periods and summary
// days start at midnight there.
const Zone = "Asia/Jerusalem"

// Notification kinds this package writes (internal/notification); the web
// app translates them. Data: request_id, order_id, contact_id, remedy,
// amount_minor, currency, requested_by (and reason for denials).
const (
	KindRequested = "compensation.requested" // to every active supervisor and admin but the requester
	KindApproved  = "compensation.approved"  // to the requester
	KindDenied    = "compensation.denied"    // to the requester
)

// Options configure a Service. Zero values take the defaults named.
type Options struct {
	// Jobs schedules ledger exports (nil: jobs.Schedule without waking a
	// runner).
	Jobs *jobs.Runner
	// Secrets seals the export secret (nil: an in-memory key, tests).
	Secrets *secret.Box
	// HTTPClient posts exports (default rules.WebhookClient(AllowPrivate,
	// nil): no redirects, private addresses refused after DNS).
	HTTPClient *http.Client
	// AllowPrivate lets the export URL be a loopback, link-local or
	// private address (tests, on-premises shops).
	AllowPrivate bool
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Service is the credit and compensation service. Safe for concurrent use.
type Service struct {
	db     *db.DB
	outbox *events.Outbox
	log    *slog.Logger
	o      Options
	loc    *time.Location
}

var _ commerce.Offerer = (*Service)(nil)

// New returns the service. It panics when the Asia/Jerusalem zone is
// missing (the binary embeds time/tzdata).
func New(d *db.DB, outbox *events.Outbox, log *slog.Logger, o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Secrets == nil {
		o.Secrets = secret.Ephemeral()
	}
	if o.HTTPClient == nil {
		o.HTTPClient = rules.WebhookClient(o.AllowPrivate, nil)
	}
	loc, err := time.LoadLocation(Zone)
	if err != nil {
		panic("credit: time zone " + Zone + ": " + err.Error())
	}
	return &Service{db: d, outbox: outbox, log: log, o: o, loc: loc}
}

// RegisterJobs registers the ledger export job kind on r.
func (s *Service) RegisterJobs(r *jobs.Runner) { r.RegisterOutsideTx(KindExport, s.deliverExport) }

// Actor is who calls: the agent, their role (which picks the authority
// limits) and whether they may decide approval requests
// (compensation:approve).
type Actor struct {
	AgentID  int64
	Name     string
	Role     string
	Approver bool
}

// record writes an audit entry for actor (audit.System when AgentID is 0).
func record(ctx context.Context, tx *db.Tx, actor Actor, action, entityType string, id int64) error {
	a := audit.System
	if actor.AgentID != 0 {
		a = audit.Actor{Type: "agent", ID: actor.AgentID, Name: actor.Name}
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: a, Action: action, EntityType: entityType, EntityID: id})
}

// lockPG locks a row on PostgreSQL (SELECT … FOR UPDATE) so concurrent
// authority checks on the same agent or order run one after the other;
// SQLite's single writer serialises them already.
func (s *Service) lockPG(ctx context.Context, tx *db.Tx, table string, id int64) error {
	if s.db.Dialect != db.Postgres || id == 0 {
		return nil
	}
	var got int64
	err := tx.QueryRow(ctx, `SELECT id FROM `+table+` WHERE id = ? FOR UPDATE`, id).Scan(&got)
	if err != nil && err != sql.ErrNoRows {
		return fmt.Errorf("credit: lock %s %d: %w", table, id, err)
	}
	return nil
}

// couponAlphabet has no 0/O or 1/I; 32 letters, so a random byte & 31 is
// uniform.
const couponAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// NewCouponCode returns a readable random coupon code, "KSR-XXXX-XXXX"
// (40 bits from crypto/rand).
func NewCouponCode() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	out := []byte("KSR-0000-0000")
	for i, j := 0, 4; i < 8; i++ {
		if i == 4 {
			j++
		}
		out[j] = couponAlphabet[b[i]&31]
		j++
	}
	return string(out)
}

func nullID(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	x := v.Int64
	return &x
}
