package credit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/kesherdesk/kesher/internal/commerce/compensation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
)

// PolicyVersion is one saved version of the compensation policy. Version 0
// is compensation.Default(), in force until an admin saves a policy (it is
// not stored; CreatedAt is then nil).
type PolicyVersion struct {
	Version   int64               `json:"version"`
	Policy    compensation.Policy `json:"policy"`
	CreatedBy *int64              `json:"created_by"`
	CreatedAt *time.Time          `json:"created_at"`
}

// maxHistory is the most policy versions History returns.
const maxHistory = 200

// Policy returns the policy in force: the highest stored version, else
// version 0 (the default).
func (s *Service) Policy(ctx context.Context) (PolicyVersion, error) {
	return s.currentPolicy(ctx, s.db.R())
}

func (s *Service) currentPolicy(ctx context.Context, q db.Querier) (PolicyVersion, error) {
	vs, err := s.policies(ctx, q, `ORDER BY version DESC LIMIT 1`)
	if err != nil {
		return PolicyVersion{}, err
	}
	if len(vs) == 0 {
		return PolicyVersion{Version: 0, Policy: compensation.Default()}, nil
	}
	return vs[0], nil
}

// PolicyHistory returns the stored versions, newest first (at most 200),
// then version 0 (the default).
func (s *Service) PolicyHistory(ctx context.Context) ([]PolicyVersion, error) {
	vs, err := s.policies(ctx, s.db.R(), fmt.Sprintf(`ORDER BY version DESC LIMIT %d`, maxHistory))
	if err != nil {
		return nil, err
	}
	return append(vs, PolicyVersion{Version: 0, Policy: compensation.Default()}), nil
}

func (s *Service) policies(ctx context.Context, q db.Querier, tail string) ([]PolicyVersion, error) {
	rows, err := q.Query(ctx, `SELECT version, body, created_by, created_at FROM compensation_policies `+tail)
	if err != nil {
		return nil, fmt.Errorf("credit: load policies: %w", err)
	}
	defer rows.Close()
	var out []PolicyVersion
	for rows.Next() {
		var v PolicyVersion
		var body string
		var by sql.NullInt64
		var at int64
		if err := rows.Scan(&v.Version, &body, &by, &at); err != nil {
			return nil, err
		}
		p, err := compensation.Parse([]byte(body))
		if err != nil {
			return nil, fmt.Errorf("credit: stored policy version %d: %w", v.Version, err)
		}
		t := db.Time(at)
		v.Policy, v.CreatedBy, v.CreatedAt = p, nullID(by), &t
		out = append(out, v)
	}
	return out, rows.Err()
}

// PutPolicy validates body (JSON or YAML, see compensation.Parse) and saves
// it as the next version, by actor. Errors: *errs.ValidationError naming
// the field path; errs.ErrConflict when another save took the version
// number at the same moment.
func (s *Service) PutPolicy(ctx context.Context, actor Actor, body []byte) (PolicyVersion, error) {
	p, err := compensation.Parse(body)
	if err != nil {
		return PolicyVersion{}, err
	}
	canonical, err := json.Marshal(p)
	if err != nil {
		return PolicyVersion{}, fmt.Errorf("credit: encode policy: %w", err)
	}
	var out PolicyVersion
	err = s.db.WriteTx(ctx, func(tx *db.Tx) error {
		var v int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM compensation_policies`).Scan(&v); err != nil {
			return fmt.Errorf("credit: next policy version: %w", err)
		}
		now := s.o.Now()
		_, err := tx.Exec(ctx, `INSERT INTO compensation_policies (version, body, created_by, created_at) VALUES (?, ?, ?, ?)`,
			v, string(canonical), db.IDArg(actor.AgentID), db.Ms(now))
		if db.IsUniqueViolation(err) {
			return fmt.Errorf("credit: policy version %d was saved at the same time: %w", v, errs.ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("credit: save policy: %w", err)
		}
		t := db.Time(db.Ms(now))
		if err := record(ctx, tx, actor, "compensation_policy.saved", "compensation_policy", v); err != nil {
			return err
		}
		out = PolicyVersion{Version: v, Policy: p, CreatedBy: nullID(sql.NullInt64{Int64: actor.AgentID, Valid: actor.AgentID != 0}), CreatedAt: &t}
		return nil
	})
	return out, err
}

// Quote is the policy's answer for one order, as
// POST /orders/{id}/compensation/quote returns it. Explanation and Steps
// are in the requested language.
type Quote struct {
	OrderID       int64                   `json:"order_id"`
	ContactID     int64                   `json:"contact_id"`
	Eligible      bool                    `json:"eligible"`
	Remedy        string                  `json:"remedy"`
	AmountMinor   int64                   `json:"amount_minor"`
	Currency      string                  `json:"currency"`
	DaysLate      int                     `json:"days_late"`
	PolicyVersion int64                   `json:"policy_version"`
	Rule          string                  `json:"rule"`
	Auto          bool                    `json:"auto"`
	Explanation   string                  `json:"explanation"`
	Steps         []compensation.StepText `json:"steps"`
}

// Quote applies the policy in force to order id. lang is "he" or "en"
// (anything else: "en"). Errors: errs.ErrNotFound for no such order.
func (s *Service) Quote(ctx context.Context, orderID int64, lang string) (Quote, error) {
	return s.quote(ctx, s.db.R(), orderID, lang)
}

// quote reads the order, its contact's tier and the contact's other late
// orders within the policy's repeat window (orders with lateness 'late' or
// days_late > 0 whose late_since, else placed_at, falls in the window).
func (s *Service) quote(ctx context.Context, q db.Querier, orderID int64, lang string) (Quote, error) {
	pv, err := s.currentPolicy(ctx, q)
	if err != nil {
		return Quote{}, err
	}
	var in compensation.Input
	var contactID int64
	var days int64
	err = q.QueryRow(ctx, `SELECT o.contact_id, o.status, o.total_minor, o.shipping_minor, o.currency, o.days_late, c.tier
		FROM orders o JOIN contacts c ON c.id = o.contact_id WHERE o.id = ?`, orderID).
		Scan(&contactID, &in.Status, &in.TotalMinor, &in.ShippingMinor, &in.Currency, &days, &in.ContactTier)
	if errors.Is(err, sql.ErrNoRows) {
		return Quote{}, fmt.Errorf("order %d: %w", orderID, errs.ErrNotFound)
	}
	if err != nil {
		return Quote{}, fmt.Errorf("credit: load order %d: %w", orderID, err)
	}
	in.DaysLate = int(days)
	if w := pv.Policy.RepeatWindowDays(); w > 0 {
		since := s.o.Now().Add(-time.Duration(w) * 24 * time.Hour)
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM orders WHERE contact_id = ? AND id <> ?
			AND (lateness = 'late' OR days_late > 0) AND COALESCE(late_since, placed_at) >= ?`,
			contactID, orderID, db.Ms(since)).Scan(&in.PreviousLateOrders); err != nil {
			return Quote{}, fmt.Errorf("credit: count late orders of contact %d: %w", contactID, err)
		}
	}
	r := compensation.Evaluate(pv.Policy, in)
	if lang != "he" {
		lang = "en"
	}
	expl, steps := r.Explain(lang)
	return Quote{OrderID: orderID, ContactID: contactID, Eligible: r.Eligible, Remedy: r.Remedy, AmountMinor: r.AmountMinor,
		Currency: r.Currency, DaysLate: r.DaysLate, PolicyVersion: pv.Version, Rule: r.Rule, Auto: r.Auto,
		Explanation: expl, Steps: steps}, nil
}
