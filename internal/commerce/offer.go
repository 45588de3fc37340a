package commerce

import (
	"context"

	"github.com/kesherdesk/kesher/internal/db"
)

// Offer is the compensation the policy grants automatically when an order
// becomes late or at risk, as the proactive notice presents it.
// AmountMinor is in minor units of Currency (agorot for ILS).
// LedgerEntryID is the credit-ledger entry that recorded the grant, 0 when
// the policy only proposes it (an agent grants it later).
type Offer struct {
	Remedy        string
	AmountMinor   int64
	Currency      string
	PolicyVersion int64
	Rule          string
	// Explanation says in the customer's language ("he" or "en") what is
	// offered and why, one sentence fit for the notice.
	Explanation   string
	LedgerEntryID int64
}

// Offerer decides, inside the lateness transaction, what compensation a
// late or at-risk order gets automatically (internal/commerce/credit
// implements it). ok is false when the policy grants nothing automatically.
// lang is "he" or "en".
type Offerer interface {
	OfferTx(ctx context.Context, tx *db.Tx, orderID int64, lang string) (offer Offer, ok bool, err error)
}
