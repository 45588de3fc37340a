package httpapi

import (
	"net/http"
	"time"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/commerce/credit"
)

// listLedger answers {"data": [entries]} newest first, filtered by
// contact_id, order_id, granted_by, from (inclusive) and to (exclusive);
// limit 1..500 (default 500). Coupon codes are bearer values: a caller
// without compensation:grant gets them blanked (coupon_code_hidden).
func (a *API) listLedger(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if err := checkQuery(r, "contact_id", "order_id", "granted_by", "from", "to", "limit"); err != nil {
		return err
	}
	var f credit.LedgerFilter
	var err error
	if f.ContactID, err = queryInt(r, "contact_id"); err != nil {
		return err
	}
	if f.OrderID, err = queryInt(r, "order_id"); err != nil {
		return err
	}
	if f.GrantedBy, err = queryInt(r, "granted_by"); err != nil {
		return err
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	f.Limit = int(limit)
	from, err := queryTime(r, "from")
	if err != nil {
		return err
	}
	to, err := queryTime(r, "to")
	if err != nil {
		return err
	}
	if from != nil {
		f.From = *from
	}
	if to != nil {
		f.To = *to
	}
	es, err := a.svc.Credit.List(r.Context(), f)
	if err == nil && !p.Can(auth.CompensationGrant) {
		credit.HideCouponCode(es)
	}
	return list(w, r, es, err)
}

// ledgerSummary sums the ledger over [from, to); the defaults are the last
// 30 days up to now.
func (a *API) ledgerSummary(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r, "from", "to"); err != nil {
		return err
	}
	from, err := queryTime(r, "from")
	if err != nil {
		return err
	}
	to, err := queryTime(r, "to")
	if err != nil {
		return err
	}
	end := time.Now()
	if to != nil {
		end = *to
	}
	start := end.AddDate(0, 0, -30)
	if from != nil {
		start = *from
	}
	s, err := a.svc.Credit.Summary(r.Context(), start, end)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s)
	return nil
}

type reverseRequest struct {
	Reason string `json:"reason"`
}

// reverseLedgerEntry answers 201 with the compensating entry.
func (a *API) reverseLedgerEntry(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in reverseRequest
	if err := decodeJSON(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	e, err := a.svc.Credit.Reverse(r.Context(), creditActor(p), id, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, e)
	return nil
}
