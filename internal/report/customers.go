package report

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/kesherdesk/kesher/internal/errs"
)

// Customers are the customer metrics over a period: repeat contacts,
// retention and churn over contacts with orders, lifetime value and
// referrals. Money in minor units, never added across currencies:
// clv_historical_minor and clv_predictive_minor are in the desk currency
// (clv_currency, ILS) over that currency's orders only; clv_by_currency
// lists every currency with orders (sorted by code). Null = nothing to
// measure.
type Customers struct {
	From                 time.Time     `json:"from"`
	To                   time.Time     `json:"to"`
	Conversations        int64         `json:"conversations"`
	RepeatContacts       int64         `json:"repeat_contacts"`
	RepeatContactPercent *float64      `json:"repeat_contact_percent"`
	CustomersAtStart     int64         `json:"customers_at_start"`
	CustomersInPeriod    int64         `json:"customers_in_period"`
	NewCustomers         int64         `json:"new_customers"`
	RetentionPercent     *float64      `json:"retention_percent"`
	ChurnPercent         *float64      `json:"churn_percent"`
	CLVHistoricalMinor   *int64        `json:"clv_historical_minor"`
	CLVPredictiveMinor   *int64        `json:"clv_predictive_minor"`
	CLVCurrency          string        `json:"clv_currency"`
	CLVByCurrency        []CLVCurrency `json:"clv_by_currency"`
	LifespanYears        float64       `json:"lifespan_years"`
	Referrals            int64         `json:"referrals"`
}

// DeskCurrency is the currency of the headline lifetime values.
const DeskCurrency = "ILS"

// CLVCurrency is the lifetime value of the orders in one currency (minor
// units of it; each figure as in CustomerMetrics, over that currency's
// orders and the contacts who placed them).
type CLVCurrency struct {
	Currency        string `json:"currency"`
	HistoricalMinor *int64 `json:"historical_minor"`
	PredictiveMinor *int64 `json:"predictive_minor"`
}

// repeatWindow is the repeat-contact window.
const repeatWindow = 7 * 24 * time.Hour

// CustomerMetrics computes Customers over [from, to) (f's other filters are
// not applied: these are per contact). Definitions: repeat contact = a
// conversation created in the period whose requester opened another
// conversation within 7 days after it; retention = (E − N) / S × 100 with
// S contacts with orders placed before from, E contacts with orders placed
// in the period, N those of E whose first order is in the period; churn =
// 100 − retention; per currency (never added across currencies):
// historical CLV = mean over contacts with orders before to of the sum of
// their order totals; predictive CLV = average order value × orders per
// customer per year (in the period) × lifespanYears (default 3);
// referrals = contacts created in the period whose source is 'referral'.
// Cancelled orders do not count. Errors: *errs.ValidationError, database
// errors.
func (s *Service) CustomerMetrics(ctx context.Context, f Filters, lifespanYears float64) (Customers, error) {
	if lifespanYears == 0 {
		lifespanYears = 3
	}
	if err := s.check(ctx, f); err != nil {
		return Customers{}, err
	}
	if !(lifespanYears >= 0 && lifespanYears <= 100) { // also NaN
		return Customers{}, errs.Invalid("lifespan_years", "invalid", "lifespan_years must be between 0 and 100")
	}
	from, to := f.From.UnixMilli(), f.To.UnixMilli()
	out := Customers{From: f.From.UTC(), To: f.To.UTC(), LifespanYears: lifespanYears}
	q := s.db.R()
	var repeats sql.NullInt64
	if err := q.QueryRow(ctx, `SELECT COUNT(*), SUM(CASE WHEN EXISTS (SELECT 1 FROM conversations o WHERE o.requester_id = c.requester_id
 AND o.id <> c.id AND o.created_at >= c.created_at AND o.created_at <= c.created_at + ?) THEN 1 ELSE 0 END)
 FROM conversations c WHERE c.created_at >= ? AND c.created_at < ?`, repeatWindow.Milliseconds(), from, to).Scan(&out.Conversations, &repeats); err != nil {
		return Customers{}, fmt.Errorf("report: repeat contacts: %w", err)
	}
	out.RepeatContacts = repeats.Int64
	out.RepeatContactPercent = RepeatContactPercent(out.RepeatContacts, out.Conversations)
	const live = `status <> 'cancelled'`
	if err := q.QueryRow(ctx, `SELECT
 (SELECT COUNT(DISTINCT contact_id) FROM orders WHERE `+live+` AND placed_at < ?),
 (SELECT COUNT(DISTINCT contact_id) FROM orders WHERE `+live+` AND placed_at >= ? AND placed_at < ?),
 (SELECT COUNT(*) FROM (SELECT contact_id FROM orders WHERE `+live+` GROUP BY contact_id HAVING MIN(placed_at) >= ? AND MIN(placed_at) < ?) n)`,
		from, from, to, from, to).Scan(&out.CustomersAtStart, &out.CustomersInPeriod, &out.NewCustomers); err != nil {
		return Customers{}, fmt.Errorf("report: retention: %w", err)
	}
	out.RetentionPercent = Retention(out.CustomersAtStart, out.CustomersInPeriod, out.NewCustomers)
	out.ChurnPercent = Churn(out.CustomersAtStart, out.CustomersInPeriod, out.NewCustomers)
	// Lifetime value per currency: amounts in different currencies are
	// never added together.
	byCur := map[string]*CLVCurrency{}
	cur := func(c string) *CLVCurrency {
		if byCur[c] == nil {
			byCur[c] = &CLVCurrency{Currency: c}
		}
		return byCur[c]
	}
	rs, err := q.Query(ctx, `SELECT currency, SUM(total_minor), COUNT(DISTINCT contact_id) FROM orders WHERE `+live+` AND placed_at < ?
 GROUP BY currency`, to)
	if err != nil {
		return Customers{}, fmt.Errorf("report: lifetime value: %w", err)
	}
	for rs.Next() {
		var c string
		var sum sql.NullInt64
		var n int64
		if err := rs.Scan(&c, &sum, &n); err != nil {
			rs.Close()
			return Customers{}, fmt.Errorf("report: lifetime value: %w", err)
		}
		if n > 0 {
			v := sum.Int64 / n
			cur(c).HistoricalMinor = &v
		}
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return Customers{}, fmt.Errorf("report: lifetime value: %w", err)
	}
	rs, err = q.Query(ctx, `SELECT currency, SUM(total_minor), COUNT(*), COUNT(DISTINCT contact_id) FROM orders WHERE `+live+`
 AND placed_at >= ? AND placed_at < ? GROUP BY currency`, from, to)
	if err != nil {
		return Customers{}, fmt.Errorf("report: lifetime value: %w", err)
	}
	years := f.To.Sub(f.From).Hours() / (24 * 365.25)
	for rs.Next() {
		var c string
		var revenue sql.NullInt64
		var orders, customers int64
		if err := rs.Scan(&c, &revenue, &orders, &customers); err != nil {
			rs.Close()
			return Customers{}, fmt.Errorf("report: lifetime value: %w", err)
		}
		if v, ok := PredictiveCLV(revenue.Int64, orders, customers, lifespanYears, years); ok {
			cur(c).PredictiveMinor = &v
		}
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return Customers{}, fmt.Errorf("report: lifetime value: %w", err)
	}
	out.CLVCurrency = DeskCurrency
	out.CLVByCurrency = []CLVCurrency{}
	for _, c := range byCur {
		out.CLVByCurrency = append(out.CLVByCurrency, *c)
	}
	sort.Slice(out.CLVByCurrency, func(i, j int) bool { return out.CLVByCurrency[i].Currency < out.CLVByCurrency[j].Currency })
	if c := byCur[DeskCurrency]; c != nil {
		out.CLVHistoricalMinor, out.CLVPredictiveMinor = c.HistoricalMinor, c.PredictiveMinor
	}
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM contacts WHERE source = 'referral' AND created_at >= ? AND created_at < ?`, from, to).
		Scan(&out.Referrals); err != nil {
		return Customers{}, fmt.Errorf("report: referrals: %w", err)
	}
	return out, nil
}
