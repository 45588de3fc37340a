package httpapi

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/commerce"
	"github.com/kesherdesk/kesher/internal/commerce/shop"
)

// Shop webhook limits: the largest body, in bytes, and the refused
// deliveries (bad or missing signature, webhook not configured) a client IP
// may send per minute before it is answered 429. Correctly signed
// deliveries are never counted nor throttled, so junk from one address
// cannot block a shop's real deliveries.
const (
	maxWebhookBody = 1 << 20
	webhookRate    = 600
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// webhookResult answers a shop: the order it touched, or why nothing was
// stored ("ping", "ignored", "stale": older than the last delivery applied).
type webhookResult struct {
	Status  string `json:"status"`
	OrderID int64  `json:"order_id,omitempty"`
	Created bool   `json:"created,omitempty"`
}

// Topics whose payload is a whole order; other topics (orders/delete,
// orders/edited, products/…) are answered 200 and ignored. A delivery
// without a topic header is taken as an order.
var (
	shopifyTopics = []string{"orders/create", "orders/updated", "orders/paid", "orders/fulfilled", "orders/partially_fulfilled", "orders/cancelled"}
	wooTopics     = []string{"order.created", "order.updated"}
)

func (a *API) shopifyOrderWebhook(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	return a.shopWebhook(w, r, commerce.ShopShopify, shop.ShopifyHeader, "X-Shopify-Topic", shopifyTopics, shop.Shopify)
}

func (a *API) wooCommerceOrderWebhook(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	return a.shopWebhook(w, r, commerce.ShopWooCommerce, shop.WooCommerceHeader, "X-WC-Webhook-Topic", wooTopics, shop.WooCommerce)
}

// shopWebhook receives one order webhook: body limit, the shop's secret
// (404 when none is configured), the HMAC signature (401 when missing or
// wrong, nothing stored), then the order upsert. Refused deliveries count
// against the client IP's budget (webhookRate per minute; 429 once spent).
// Topics other than orders are answered 200 and ignored; so is
// WooCommerce's creation ping. A delivery older than the last one applied
// to its order is answered 200 "stale" and changes nothing.
func (a *API) shopWebhook(w http.ResponseWriter, r *http.Request, name, sigHeader, topicHeader string, topics []string,
	mapFn func([]byte) (commerce.UpsertInput, error)) error {
	ip := clientIP(r, a.opts.TrustProxy)
	// refused answers a delivery Kesher will not take; once the IP's budget
	// of refusals is spent, with 429 instead.
	refused := func(p Problem) error {
		if !a.hooks.allow("hook-ip:" + ip) {
			w.Header().Set("Retry-After", "60")
			p = Problem{Status: http.StatusTooManyRequests, Type: problemBase + "rate-limited",
				Title: "Too many refused webhook deliveries", Detail: "wait a minute before sending more"}
		}
		writeProblem(w, r, p)
		return nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		return jsonError(err)
	}
	if name == commerce.ShopWooCommerce && shop.IsWooCommercePing(body) {
		writeJSON(w, http.StatusOK, webhookResult{Status: "ping"})
		return nil
	}
	secret, err := a.svc.Orders.ShopSecret(r.Context(), name)
	if err != nil {
		return err
	}
	if secret == "" {
		return refused(Problem{Status: http.StatusNotFound, Type: problemBase + "not-found", Title: "Webhook not configured",
			Detail: "set the " + name + " secret in /api/v1/commerce/shop-settings first"})
	}
	if !shop.Verify(secret, body, r.Header.Get(sigHeader)) {
		a.log.Warn("shop webhook signature mismatch", slog.String("shop", name), slog.String("ip", ip))
		return refused(Problem{Status: http.StatusUnauthorized, Type: problemBase + "bad-signature", Title: "Bad webhook signature",
			Detail: sigHeader + " is missing or does not match the body under the configured secret"})
	}
	if topic := r.Header.Get(topicHeader); topic != "" && !slices.Contains(topics, topic) {
		writeJSON(w, http.StatusOK, webhookResult{Status: "ignored"})
		return nil
	}
	in, err := mapFn(body)
	if err != nil {
		return err
	}
	o, created, err := a.svc.Orders.Upsert(r.Context(), audit.Actor{Type: "system", Name: name + " webhook"}, in)
	if errors.Is(err, commerce.ErrStale) {
		writeJSON(w, http.StatusOK, webhookResult{Status: "stale"})
		return nil
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, webhookResult{Status: "stored", OrderID: o.ID, Created: created})
	return nil
}
