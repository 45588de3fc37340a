package credit

import (
	"context"
	"fmt"

	"github.com/kesherdesk/kesher/internal/commerce"
	"github.com/kesherdesk/kesher/internal/commerce/compensation"
	"github.com/kesherdesk/kesher/internal/db"
)

// OfferTx implements commerce.Offerer: inside the lateness transaction tx,
// when the policy's matching tier is `auto`, it appends the automatic
// ledger entry (granted_by NULL, the explanation in lang) and returns the
// offer. It is idempotent per order: when the order already has an
// automatic grant (not reversed) that grant is returned again, never a
// second one; when it already has a policy grant by an agent (or a pending
// policy request), nothing is offered. ok is false when nothing is granted
// automatically.
func (s *Service) OfferTx(ctx context.Context, tx *db.Tx, orderID int64, lang string) (commerce.Offer, bool, error) {
	if lang != "he" {
		lang = "en"
	}
	if err := s.lockPG(ctx, tx, "orders", orderID); err != nil {
		return commerce.Offer{}, false, err
	}
	rows, err := tx.Query(ctx, `SELECT `+entryColumns+` FROM credit_ledger e WHERE e.order_id = ? AND e.goodwill = FALSE
		AND e.reverses_id IS NULL AND NOT EXISTS (SELECT 1 FROM credit_ledger r WHERE r.reverses_id = e.id) ORDER BY e.id`, orderID)
	if err != nil {
		return commerce.Offer{}, false, fmt.Errorf("credit: policy grants of order %d: %w", orderID, err)
	}
	existing, err := scanEntries(rows)
	if err != nil {
		return commerce.Offer{}, false, err
	}
	for _, e := range existing {
		if e.GrantedBy == nil && e.ApprovalRequestID == nil {
			return offerOf(e, lang), true, nil
		}
	}
	if len(existing) > 0 {
		return commerce.Offer{}, false, nil
	}
	var pending int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM compensation_requests WHERE order_id = ? AND goodwill = FALSE AND status = 'pending'`,
		orderID).Scan(&pending); err != nil {
		return commerce.Offer{}, false, fmt.Errorf("credit: policy requests of order %d: %w", orderID, err)
	}
	if pending > 0 {
		return commerce.Offer{}, false, nil
	}
	q, err := s.quote(ctx, tx, orderID, lang)
	if err != nil {
		return commerce.Offer{}, false, err
	}
	if !q.Eligible || !q.Auto {
		return commerce.Offer{}, false, nil
	}
	e, err := s.insertEntry(ctx, tx, Entry{ContactID: q.ContactID, OrderID: &orderID, Remedy: q.Remedy, AmountMinor: q.AmountMinor,
		Currency: q.Currency, PolicyVersion: &q.PolicyVersion, PolicyRule: q.Rule, Explanation: q.Explanation})
	if err != nil {
		return commerce.Offer{}, false, err
	}
	if err := record(ctx, tx, Actor{}, "credit.granted", "credit_ledger_entry", e.ID); err != nil {
		return commerce.Offer{}, false, err
	}
	return offerOf(e, lang), true, nil
}

// offerOf presents ledger entry e as the notice's offer, one sentence in
// lang.
func offerOf(e Entry, lang string) commerce.Offer {
	amount := compensation.Money(e.AmountMinor, e.Currency)
	var text string
	if lang == "he" {
		text = fmt.Sprintf("כהתנצלות על העיכוב הענקנו לך %s בסך %s.", remedyNameHE[e.Remedy], amount)
		if e.CouponCode != "" {
			text = fmt.Sprintf("כהתנצלות על העיכוב הענקנו לך קופון בסך %s, קוד הקופון: %s.", amount, e.CouponCode)
		}
	} else {
		text = fmt.Sprintf("To apologise for the delay we have granted you %s of %s.", remedyNameEN[e.Remedy], amount)
		if e.CouponCode != "" {
			text = fmt.Sprintf("To apologise for the delay we have granted you a coupon of %s, code %s.", amount, e.CouponCode)
		}
	}
	var pv int64
	if e.PolicyVersion != nil {
		pv = *e.PolicyVersion
	}
	return commerce.Offer{Remedy: e.Remedy, AmountMinor: e.AmountMinor, Currency: e.Currency, PolicyVersion: pv, Rule: e.PolicyRule,
		Explanation: text, LedgerEntryID: e.ID}
}

var remedyNameEN = map[string]string{compensation.RemedyStoreCredit: "store credit", compensation.RemedyCoupon: "a coupon",
	compensation.RemedyShippingRefund: "a shipping refund", compensation.RemedyPartialRefund: "a partial refund"}

var remedyNameHE = map[string]string{compensation.RemedyStoreCredit: "זיכוי בחנות", compensation.RemedyCoupon: "קופון",
	compensation.RemedyShippingRefund: "החזר דמי משלוח", compensation.RemedyPartialRefund: "החזר חלקי"}
