package httpapi

import (
	"context"
	"io"
	"mime"
	"net/http"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/commerce"
	"github.com/kesherdesk/kesher/internal/commerce/overview"
	"github.com/kesherdesk/kesher/internal/errs"
)

// maxCSVBody is the largest order CSV file POST /orders/import accepts.
const maxCSVBody = 10 << 20

func (a *API) listOrders(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r, "contact_id", "status", "lateness", "cursor", "limit"); err != nil {
		return err
	}
	contactID, err := queryInt(r, "contact_id")
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	res, err := a.svc.Orders.List(r.Context(), commerce.ListParams{ContactID: contactID, Status: q.Get("status"),
		Lateness: q.Get("lateness"), Cursor: q.Get("cursor"), Limit: int(min(limit, 1<<20))})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// upsertOrder answers 201 when the order was created, 200 when it existed
// (changed or not).
func (a *API) upsertOrder(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in commerce.UpsertInput
	if err := decodeJSON(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	o, created, err := a.svc.Orders.Upsert(r.Context(), actorOf(p), in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, o)
	return nil
}

func (a *API) getOrder(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	return read(w, r, a.svc.Orders.Get)
}

func (a *API) orderCarrierStatus(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return write(w, r, http.StatusOK, func(ctx context.Context, in commerce.CarrierInput) (commerce.OrderDetail, error) {
		return a.svc.Orders.CarrierStatus(ctx, actorOf(p), id, in)
	})
}

// importOrders reads a CSV body (text/csv) and imports it all or nothing.
func (a *API) importOrders(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "text/csv" && mt != "application/csv") {
		return errs.Invalid("Content-Type", "unsupported", "send the orders as text/csv (got %q)", r.Header.Get("Content-Type"))
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCSVBody))
	if err != nil {
		return jsonError(err)
	}
	res, err := a.svc.Orders.Import(r.Context(), actorOf(p), bytesReader(body))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (a *API) getShopSettings(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	s, err := a.svc.Orders.ShopSettings(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s)
	return nil
}

func (a *API) putShopSettings(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return write(w, r, http.StatusOK, func(ctx context.Context, in commerce.ShopSettingsInput) (commerce.ShopSettings, error) {
		return a.svc.Orders.SetShopSettings(ctx, actorOf(p), in)
	})
}

// contactOverview needs orders:read besides the route's contacts:read;
// conversations in it follow the caller's visibility; coupon codes are shown
// only to callers with compensation:grant.
func (a *API) contactOverview(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if !p.Can(auth.OrdersRead) {
		return errs.ErrForbidden
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ov, err := a.svc.Overview.Get(r.Context(), overview.Access{Conversations: visibility(p), CouponCodes: p.Can(auth.CompensationGrant)}, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ov)
	return nil
}
