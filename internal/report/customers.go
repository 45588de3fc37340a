package report

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/kesherdesk/kesher/internal/errs"
)

// Customers are the customer metrics over a period: repeat contacts,
// retention and churn over contacts with orders, lifetime value and
// referrals. Money in minor units of the desk's currency (a desk with
// orders in several currencies adds them as is). Null = nothing to measure.
type Customers struct {
	From                 time.Time `json:"from"`
	To                   time.Time `json:"to"`
	Conversations        int64     `json:"conversations"`
	RepeatContacts       int64     `json:"repeat_contacts"`
	RepeatContactPercent *float64  `json:"repeat_contact_percent"`
	CustomersAtStart     int64     `json:"customers_at_start"`
	CustomersInPeriod    int64     `json:"customers_in_period"`
	NewCustomers         int64     `json:"new_customers"`
	RetentionPercent     *float64  `json:"retention_percent"`
	ChurnPercent         *float64  `json:"churn_percent"`
	CLVHistoricalMinor   *int64    `json:"clv_historical_minor"`
	CLVPredictiveMinor   *int64    `json:"clv_predictive_minor"`
	LifespanYears        float64   `json:"lifespan_years"`
	Referrals            int64     `json:"referrals"`
}

// repeatWindow is the repeat-contact window.
const repeatWindow = 7 * 24 * time.Hour

// CustomerMetrics computes Customers over [from, to) (f's other filters are
// not applied: these are per contact). Definitions: repeat contact = a
// conversation created in the period whose requester opened another
// conversation within 7 days after it; retention = (E − N) / S × 100 with
// S contacts with orders placed before from, E contacts with orders placed
// in the period, N those of E whose first order is in the period; churn =
// 100 − retention; historical CLV = mean over contacts with orders before to
// of the sum of their order totals; predictive CLV = average order value ×
// orders per customer per year (in the period) × lifespanYears (default 3);
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
	if lifespanYears < 0 || lifespanYears > 100 {
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
	var histSum sql.NullInt64
	var histContacts int64
	if err := q.QueryRow(ctx, `SELECT SUM(total_minor), COUNT(DISTINCT contact_id) FROM orders WHERE `+live+` AND placed_at < ?`, to).
		Scan(&histSum, &histContacts); err != nil {
		return Customers{}, fmt.Errorf("report: lifetime value: %w", err)
	}
	if histContacts > 0 {
		v := histSum.Int64 / histContacts
		out.CLVHistoricalMinor = &v
	}
	var revenue sql.NullInt64
	var orders int64
	if err := q.QueryRow(ctx, `SELECT SUM(total_minor), COUNT(*) FROM orders WHERE `+live+` AND placed_at >= ? AND placed_at < ?`, from, to).
		Scan(&revenue, &orders); err != nil {
		return Customers{}, fmt.Errorf("report: lifetime value: %w", err)
	}
	years := f.To.Sub(f.From).Hours() / (24 * 365.25)
	if v, ok := PredictiveCLV(revenue.Int64, orders, out.CustomersInPeriod, lifespanYears, years); ok {
		out.CLVPredictiveMinor = &v
	}
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM contacts WHERE source = 'referral' AND created_at >= ? AND created_at < ?`, from, to).
		Scan(&out.Referrals); err != nil {
		return Customers{}, fmt.Errorf("report: referrals: %w", err)
	}
	return out, nil
}
