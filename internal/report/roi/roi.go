// Package roi computes the return on investment of the service center per
// period (docs/reports.md "ROI of the service center"): the inputs an
// admin records — costs and attributed revenue in integer minor units with
// the assumptions behind them — are stored per period (table roi_periods,
// one row per exact [from, to)), and the outputs are computed on read:
//
//	cost                  = Σ input costs + compensation cost
//	compensation cost     = Σ credit_ledger.amount_minor in the period's
//	                        currency with created_at in [from, to) — net of
//	                        reversals (a reversal is a negative entry dated
//	                        when it was made)
//	revenue               = Σ attributed revenue
//	ROI %                 = (revenue − cost) / cost × 100, null when cost is 0
//	cost per conversation = cost / conversations created in the period
//	cost per resolution   = cost / conversations solved (solved_at) in the period
//
// All arithmetic is on int64; quotients round half away from zero (ROI %
// to hundredths of a percent, per-conversation costs to the minor unit).
// How each KPI moved against the previous period of equal length
// (Movement, kpis.go) is read from the report package (internal/report).
package roi

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/commerce/compensation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"golang.org/x/text/currency"
)

// Costs are the service center's costs in a period, minor units.
type Costs struct {
	Salaries   int64 `json:"salaries"`
	Training   int64 `json:"training"`
	Telephony  int64 `json:"telephony"`
	Technology int64 `json:"technology"`
	Other      int64 `json:"other"`
}

// Sum is the total of the costs.
func (c Costs) Sum() int64 { return c.Salaries + c.Training + c.Telephony + c.Technology + c.Other }

// Revenue is the revenue attributed to the service center in a period,
// minor units.
type Revenue struct {
	RetainedCustomers int64 `json:"retained_customers"`
	Upsell            int64 `json:"upsell"`
	ChurnAvoided      int64 `json:"churn_avoided"`
}

// Sum is the total attributed revenue.
func (r Revenue) Sum() int64 { return r.RetainedCustomers + r.Upsell + r.ChurnAvoided }

// Input is what PUT records for a period. Currency is an ISO 4217 code
// (default ILS); every amount is 0…compensation.MaxAmountMinor; the
// assumptions are free text of at most 5000 characters.
type Input struct {
	Currency    string  `json:"currency"`
	Costs       Costs   `json:"costs"`
	Revenue     Revenue `json:"revenue"`
	Assumptions string  `json:"assumptions"`
}

// Facts are the period's figures from the desk itself.
type Facts struct {
	CompensationMinor    int64 `json:"compensation_minor"`
	ConversationsCreated int64 `json:"conversations_created"`
	ConversationsSolved  int64 `json:"conversations_solved"`
}

// Outputs are computed from the inputs and the facts (see the package
// comment). Nil pointers are "nothing to divide by".
type Outputs struct {
	CompensationCostMinor    int64    `json:"compensation_cost_minor"`
	TotalCostMinor           int64    `json:"total_cost_minor"`
	RevenueMinor             int64    `json:"revenue_minor"`
	NetMinor                 int64    `json:"net_minor"`
	ROIPercent               *float64 `json:"roi_percent"`
	ConversationsCreated     int64    `json:"conversations_created"`
	ConversationsSolved      int64    `json:"conversations_solved"`
	CostPerConversationMinor *int64   `json:"cost_per_conversation_minor"`
	CostPerResolutionMinor   *int64   `json:"cost_per_resolution_minor"`
}

// Period is one period's inputs and outputs. Stored is false when no
// inputs were recorded (the inputs are then zero and the currency ILS).
type Period struct {
	From        time.Time  `json:"from"`
	To          time.Time  `json:"to"`
	Stored      bool       `json:"stored"`
	Currency    string     `json:"currency"`
	Costs       Costs      `json:"costs"`
	Revenue     Revenue    `json:"revenue"`
	Assumptions string     `json:"assumptions"`
	UpdatedBy   *int64     `json:"updated_by"`
	UpdatedAt   *time.Time `json:"updated_at"`
	Outputs     Outputs    `json:"outputs"`
	// Movement is how the key KPIs moved against the previous period of
	// equal length (nil only for a Service without a Summarizer).
	Movement *Movement `json:"movement"`
}

// DivRound is a / b rounded half away from zero; b must be > 0.
func DivRound(a, b int64) int64 {
	q, r := a/b, a%b
	if r < 0 {
		r = -r
	}
	if 2*r >= b {
		if a < 0 {
			q--
		} else {
			q++
		}
	}
	return q
}

// divRoundBig is a / b rounded half away from zero (b > 0), as DivRound;
// the quotient of a ROI in hundredths of a percent fits an int64.
func divRoundBig(a, b *big.Int) int64 {
	q, r := new(big.Int).QuoRem(a, b, new(big.Int))
	if new(big.Int).Mul(new(big.Int).Abs(r), big.NewInt(2)).Cmp(b) >= 0 {
		q.Add(q, big.NewInt(int64(a.Sign())))
	}
	return q.Int64()
}

// Compute derives the outputs of inputs and facts.
func Compute(in Input, f Facts) Outputs {
	cost := in.Costs.Sum() + f.CompensationMinor
	rev := in.Revenue.Sum()
	o := Outputs{CompensationCostMinor: f.CompensationMinor, TotalCostMinor: cost, RevenueMinor: rev, NetMinor: rev - cost,
		ConversationsCreated: f.ConversationsCreated, ConversationsSolved: f.ConversationsSolved}
	if cost > 0 {
		// Hundredths of a percent: (rev − cost) × 10000 / cost, in big
		// integers: the inputs are bounded, but the ledger's compensation
		// (a sum of many entries) is not, and × 10000 could overflow int64.
		h := divRoundBig(new(big.Int).Mul(big.NewInt(rev-cost), big.NewInt(10000)), big.NewInt(cost))
		p := float64(h) / 100
		o.ROIPercent = &p
	}
	if f.ConversationsCreated > 0 {
		v := DivRound(cost, f.ConversationsCreated)
		o.CostPerConversationMinor = &v
	}
	if f.ConversationsSolved > 0 {
		v := DivRound(cost, f.ConversationsSolved)
		o.CostPerResolutionMinor = &v
	}
	return o
}

// currenciesInUse is the set of ISO 4217 codes currently legal tender in
// some region (golang.org/x/text/currency's default query).
var currenciesInUse = func() map[string]bool {
	m := map[string]bool{}
	for it := currency.Query(); it.Next(); {
		m[it.Unit().String()] = true
	}
	return m
}()

// CurrencyInUse reports whether code is an upper-case ISO 4217 code of a
// currency in use as legal tender ("ILS", "USD"; not "ils", "XXX" or
// a withdrawn one such as "DEM").
func CurrencyInUse(code string) bool {
	u, err := currency.ParseISO(code)
	return err == nil && len(code) == 3 && strings.ToUpper(code) == code && u.String() == code && currenciesInUse[code]
}

// Check validates and normalizes in. The currency (default ILS; trimmed
// and upper-cased) must be the ISO 4217 code of a currency in use
// (CurrencyInUse). Errors:
// *errs.ValidationError naming the field ("costs.salaries", "currency", …).
func Check(in *Input) error {
	var c errs.Checker
	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	if in.Currency == "" {
		in.Currency = "ILS"
	}
	c.Check(CurrencyInUse(in.Currency), "currency", "invalid",
		"currency must be the ISO 4217 code of a currency in use, such as ILS or USD")
	for name, v := range map[string]int64{"costs.salaries": in.Costs.Salaries, "costs.training": in.Costs.Training,
		"costs.telephony": in.Costs.Telephony, "costs.technology": in.Costs.Technology, "costs.other": in.Costs.Other,
		"revenue.retained_customers": in.Revenue.RetainedCustomers, "revenue.upsell": in.Revenue.Upsell,
		"revenue.churn_avoided": in.Revenue.ChurnAvoided} {
		c.Check(v >= 0 && v <= compensation.MaxAmountMinor, name, "out_of_range",
			"%s must be 0–%d minor units", name, compensation.MaxAmountMinor)
	}
	c.MaxLen("assumptions", in.Assumptions, 5000)
	return c.Err()
}

// Service stores ROI inputs and computes outputs.
type Service struct {
	db      *db.DB
	reports Summarizer
	// Now is the clock; tests may replace it.
	Now func() time.Time
}

// New returns the ROI service; reports answers the KPIs of Movement (nil:
// periods come without it).
func New(d *db.DB, reports Summarizer) *Service {
	return &Service{db: d, reports: reports, Now: func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }}
}

// Get returns the period [from, to) with its stored inputs (if any),
// outputs and KPI movement.
func (s *Service) Get(ctx context.Context, from, to time.Time) (Period, error) {
	p, err := s.get(ctx, from, to)
	if err != nil {
		return Period{}, err
	}
	return p, s.movement(ctx, &p)
}

// get is Get without the movement.
func (s *Service) get(ctx context.Context, from, to time.Time) (Period, error) {
	p := Period{From: from.UTC(), To: to.UTC(), Currency: "ILS"}
	var costs, revenue string
	var by db.NullMs
	var at int64
	err := s.db.R().QueryRow(ctx, `SELECT currency, costs, revenue, assumptions, updated_by, updated_at FROM roi_periods
		WHERE period_start = ? AND period_end = ?`, db.Ms(from), db.Ms(to)).Scan(&p.Currency, &costs, &revenue, &p.Assumptions, &by, &at)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return Period{}, fmt.Errorf("roi: get: %w", err)
	default:
		if err := fill(&p, costs, revenue, by, at); err != nil {
			return Period{}, err
		}
	}
	return p, s.outputs(ctx, s.db.R(), &p)
}

func fill(p *Period, costs, revenue string, by db.NullMs, at int64) error {
	p.Stored = true
	if err := json.Unmarshal([]byte(costs), &p.Costs); err != nil {
		return fmt.Errorf("roi: costs: %w", err)
	}
	if err := json.Unmarshal([]byte(revenue), &p.Revenue); err != nil {
		return fmt.Errorf("roi: revenue: %w", err)
	}
	if by.Valid {
		v := by.Int64
		p.UpdatedBy = &v
	}
	t := db.Time(at)
	p.UpdatedAt = &t
	return nil
}

// FactsOf reads the period's compensation cost (in currency) and
// conversation counts through q.
func FactsOf(ctx context.Context, q db.Querier, from, to time.Time, currency string) (Facts, error) {
	var f Facts
	err := q.QueryRow(ctx, `SELECT
		(SELECT COALESCE(SUM(amount_minor), 0) FROM credit_ledger WHERE currency = ? AND created_at >= ? AND created_at < ?),
		(SELECT COUNT(*) FROM conversations WHERE created_at >= ? AND created_at < ?),
		(SELECT COUNT(*) FROM conversations WHERE solved_at >= ? AND solved_at < ?)`,
		currency, db.Ms(from), db.Ms(to), db.Ms(from), db.Ms(to), db.Ms(from), db.Ms(to)).
		Scan(&f.CompensationMinor, &f.ConversationsCreated, &f.ConversationsSolved)
	if err != nil {
		return Facts{}, fmt.Errorf("roi: facts: %w", err)
	}
	return f, nil
}

func (s *Service) outputs(ctx context.Context, q db.Querier, p *Period) error {
	f, err := FactsOf(ctx, q, p.From, p.To, p.Currency)
	if err != nil {
		return err
	}
	p.Outputs = Compute(Input{Currency: p.Currency, Costs: p.Costs, Revenue: p.Revenue}, f)
	return nil
}

// Put records the inputs of period [from, to) (replacing earlier ones)
// with an audit entry "roi.updated", and returns the period with its
// outputs. Errors: *errs.ValidationError.
func (s *Service) Put(ctx context.Context, actor audit.Actor, from, to time.Time, in Input) (Period, error) {
	if err := Check(&in); err != nil {
		return Period{}, err
	}
	now := s.Now()
	var by any
	if actor.Type == "agent" && actor.ID != 0 {
		by = actor.ID
	}
	var p Period
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO roi_periods (period_start, period_end, currency, costs, revenue, assumptions, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (period_start, period_end) DO UPDATE SET currency = excluded.currency,
			costs = excluded.costs, revenue = excluded.revenue, assumptions = excluded.assumptions, updated_by = excluded.updated_by,
			updated_at = excluded.updated_at`, db.Ms(from), db.Ms(to), in.Currency, db.JSON(in.Costs), db.JSON(in.Revenue),
			in.Assumptions, by, db.Ms(now))
		if err != nil {
			return fmt.Errorf("roi: put: %w", err)
		}
		var id int64
		if err := tx.QueryRow(ctx, `SELECT id FROM roi_periods WHERE period_start = ? AND period_end = ?`, db.Ms(from), db.Ms(to)).
			Scan(&id); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "roi.updated", EntityType: "roi_period", EntityID: id,
			CreatedAt: now, Changes: map[string]audit.Change{"costs": {To: in.Costs}, "revenue": {To: in.Revenue},
				"currency": {To: in.Currency}}}); err != nil {
			return err
		}
		p = Period{From: from.UTC(), To: to.UTC(), Stored: true, Currency: in.Currency, Costs: in.Costs, Revenue: in.Revenue,
			Assumptions: in.Assumptions, UpdatedAt: &now}
		if by != nil {
			id := actor.ID
			p.UpdatedBy = &id
		}
		return s.outputs(ctx, tx, &p)
	})
	if err != nil {
		return Period{}, err
	}
	return p, s.movement(ctx, &p)
}

// MaxHistory bounds History.
const MaxHistory = 200

// History lists the stored periods, newest first (at most MaxHistory),
// each with its outputs and KPI movement (two report summaries a period).
func (s *Service) History(ctx context.Context) ([]Period, error) {
	rows, err := s.db.R().Query(ctx, `SELECT period_start, period_end, currency, costs, revenue, assumptions, updated_by, updated_at
		FROM roi_periods ORDER BY period_start DESC, period_end DESC LIMIT ?`, MaxHistory)
	if err != nil {
		return nil, fmt.Errorf("roi: history: %w", err)
	}
	out := []Period{}
	for rows.Next() {
		var p Period
		var from, to, at int64
		var costs, revenue string
		var by db.NullMs
		if err := rows.Scan(&from, &to, &p.Currency, &costs, &revenue, &p.Assumptions, &by, &at); err != nil {
			rows.Close()
			return nil, err
		}
		p.From, p.To = db.Time(from), db.Time(to)
		if err := fill(&p, costs, revenue, by, at); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := s.outputs(ctx, s.db.R(), &out[i]); err != nil {
			return nil, err
		}
		if err := s.movement(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}
