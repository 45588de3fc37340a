package credit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/commerce/compensation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/notification"
)

const maxReason = 1000

// GrantInput asks to grant compensation. A policy grant (Goodwill false)
// names OrderID; its remedy and amount are the server's quote (an
// AmountMinor or Remedy that differs is rejected). A goodwill gesture needs
// Reason, Remedy and AmountMinor 1..compensation.MaxAmountMinor, and
// OrderID or ContactID; partial_refund and shipping_refund need OrderID.
// Currency (goodwill only) is the order's when there is an order (another
// one is rejected), else an upper-case ISO 4217 code of legal tender
// (default ILS). Lang ("he", "en" or empty for English) is the language of
// the stored explanation.
type GrantInput struct {
	OrderID        int64  `json:"order_id"`
	ContactID      int64  `json:"contact_id"`
	ConversationID int64  `json:"conversation_id"`
	Remedy         string `json:"remedy"`
	AmountMinor    int64  `json:"amount_minor"`
	Currency       string `json:"currency"`
	Goodwill       bool   `json:"goodwill"`
	Reason         string `json:"reason"`
	Lang           string `json:"lang"`
}

// Grant outcomes.
const (
	StatusGranted         = "granted"
	StatusPendingApproval = "pending_approval"
)

// GrantResult is the outcome: Status "granted" with Entry, or
// "pending_approval" with Request.
type GrantResult struct {
	Status  string   `json:"status"`
	Entry   *Entry   `json:"entry,omitempty"`
	Request *Request `json:"request,omitempty"`
}

// Request is an approval request for a grant above the requester's
// authority. Status: pending, approved, denied (cancelled is reserved).
type Request struct {
	ID             int64      `json:"id"`
	OrderID        *int64     `json:"order_id"`
	ConversationID *int64     `json:"conversation_id"`
	ContactID      int64      `json:"contact_id"`
	RequestedBy    int64      `json:"requested_by"`
	Remedy         string     `json:"remedy"`
	AmountMinor    int64      `json:"amount_minor"`
	Currency       string     `json:"currency"`
	Goodwill       bool       `json:"goodwill"`
	Reason         string     `json:"reason"`
	PolicyVersion  *int64     `json:"policy_version"`
	PolicyRule     string     `json:"policy_rule"`
	Explanation    string     `json:"explanation"`
	Status         string     `json:"status"`
	DecidedBy      *int64     `json:"decided_by"`
	DecidedAt      *time.Time `json:"decided_at"`
	DecisionReason string     `json:"decision_reason"`
	LedgerEntryID  *int64     `json:"ledger_entry_id"`
	// Exceeded names the limit the amount was above ("per_order_minor",
	// "per_period_minor", "currency" when not in DeskCurrency, or "" when
	// no limit covers the remedy); only in the answer to the grant.
	Exceeded  string    `json:"exceeded,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Grant grants compensation as actor, in one transaction: the order and
// the agent rows are locked (PostgreSQL), the amount is checked against
// the actor's authority limits, then either a ledger entry is appended
// (StatusGranted) or an approval request is stored and every supervisor
// and admin notified (StatusPendingApproval). A grant in another currency
// than DeskCurrency always needs approval. Errors: *errs.ValidationError
// naming the field (order_id, amount_minor — also "exceeds_paid" when the
// order's refunds of the remedy would exceed its total or shipping —,
// remedy, reason, contact_id, conversation_id, currency, lang); an unknown
// order is reported as order_id "not_found"; errs.ErrConflict when the
// order already has a policy grant or a pending policy request.
func (s *Service) Grant(ctx context.Context, actor Actor, in GrantInput) (GrantResult, error) {
	in.Reason, in.Remedy, in.Currency = strings.TrimSpace(in.Reason), strings.TrimSpace(in.Remedy), strings.TrimSpace(in.Currency)
	var c errs.Checker
	c.MaxLen("reason", in.Reason, maxReason)
	c.Check(in.Remedy == "" || compensation.ValidRemedy(in.Remedy), "remedy", "invalid", "one of %s", strings.Join(compensation.Remedies, ", "))
	c.Check(in.AmountMinor >= 0, "amount_minor", "invalid", "must not be negative")
	c.Check(in.AmountMinor <= compensation.MaxAmountMinor, "amount_minor", "too_large", "at most %d minor units", compensation.MaxAmountMinor)
	c.Check(in.Lang == "" || in.Lang == "he" || in.Lang == "en", "lang", "invalid", `"he" or "en"`)
	if in.Goodwill {
		c.Check(in.Reason != "", "reason", "required", "a goodwill gesture needs a reason")
		c.Check(in.Remedy != "", "remedy", "required", "a goodwill gesture needs a remedy")
		c.Check(in.AmountMinor > 0, "amount_minor", "required", "a goodwill gesture needs an amount above 0")
		c.Check(in.OrderID != 0 || in.ContactID != 0, "contact_id", "required", "name the contact or the order")
		c.Check(in.Currency == "" || compensation.ValidCurrency(in.Currency), "currency", "invalid", "an upper-case ISO 4217 code like ILS")
		c.Check(in.OrderID != 0 || (in.Remedy != compensation.RemedyPartialRefund && in.Remedy != compensation.RemedyShippingRefund),
			"order_id", "required", "a refund is of an order: name the order")
	} else {
		c.Check(in.OrderID != 0, "order_id", "required", "a policy grant needs the order (or set goodwill)")
		c.Check(in.Currency == "", "currency", "invalid", "a policy grant is in the order's currency")
	}
	if err := c.Err(); err != nil {
		return GrantResult{}, err
	}
	var out GrantResult
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		if err := s.lockPG(ctx, tx, "orders", in.OrderID); err != nil {
			return err
		}
		if err := s.lockPG(ctx, tx, "agents", actor.AgentID); err != nil {
			return err
		}
		e, err := s.prepare(ctx, tx, actor, &in)
		if err != nil {
			return err
		}
		ok, exceeded, err := s.withinAuthority(ctx, tx, actor, in.OrderID, e.Remedy, e.AmountMinor, e.Currency)
		if err != nil {
			return err
		}
		if ok {
			e.GrantedBy = idPtr(actor.AgentID)
			entry, err := s.insertEntry(ctx, tx, e)
			if err != nil {
				return err
			}
			out = GrantResult{Status: StatusGranted, Entry: &entry}
			return record(ctx, tx, actor, "credit.granted", "credit_ledger_entry", entry.ID)
		}
		r, err := s.insertRequest(ctx, tx, actor, e)
		if err != nil {
			return err
		}
		r.Exceeded = exceeded
		out = GrantResult{Status: StatusPendingApproval, Request: &r}
		if err := record(ctx, tx, actor, "compensation_request.created", "compensation_request", r.ID); err != nil {
			return err
		}
		return s.notifyApprovers(ctx, tx, r)
	})
	return out, err
}

// prepare checks in against the store and returns the entry to grant.
func (s *Service) prepare(ctx context.Context, tx *db.Tx, actor Actor, in *GrantInput) (Entry, error) {
	e := Entry{Goodwill: in.Goodwill, Reason: in.Reason, Remedy: in.Remedy, AmountMinor: in.AmountMinor,
		Currency: in.Currency, ConversationID: idPtr(in.ConversationID)}
	if in.ConversationID != 0 {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM conversations WHERE id = ?`, in.ConversationID).Scan(&n); err != nil {
			return Entry{}, fmt.Errorf("credit: find conversation: %w", err)
		}
		if n == 0 {
			return Entry{}, errs.Invalid("conversation_id", "not_found", "no conversation %d", in.ConversationID)
		}
	}
	if in.OrderID != 0 {
		var contact int64
		var cur string
		err := tx.QueryRow(ctx, `SELECT contact_id, currency FROM orders WHERE id = ?`, in.OrderID).Scan(&contact, &cur)
		if errors.Is(err, sql.ErrNoRows) {
			return Entry{}, errs.Invalid("order_id", "not_found", "no order %d", in.OrderID)
		}
		if err != nil {
			return Entry{}, fmt.Errorf("credit: load order %d: %w", in.OrderID, err)
		}
		if in.ContactID != 0 && in.ContactID != contact {
			return Entry{}, errs.Invalid("contact_id", "invalid", "order %d belongs to contact %d", in.OrderID, contact)
		}
		if e.Currency != "" && e.Currency != cur {
			return Entry{}, errs.Invalid("currency", "mismatch", "order %d is in %s: compensation for it is in %s", in.OrderID, cur, cur)
		}
		in.ContactID, e.ContactID, e.OrderID = contact, contact, &in.OrderID
		if e.Currency == "" {
			e.Currency = cur
		}
	} else {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM contacts WHERE id = ?`, in.ContactID).Scan(&n); err != nil {
			return Entry{}, fmt.Errorf("credit: find contact: %w", err)
		}
		if n == 0 {
			return Entry{}, errs.Invalid("contact_id", "not_found", "no contact %d", in.ContactID)
		}
		e.ContactID = in.ContactID
	}
	if e.Currency == "" {
		e.Currency = "ILS"
	}
	if in.Goodwill {
		if in.OrderID != 0 {
			if err := checkRefundCap(ctx, tx, in.OrderID, e.Remedy, e.AmountMinor); err != nil {
				return Entry{}, err
			}
		}
		return e, nil
	}
	q, err := s.quote(ctx, tx, in.OrderID, in.Lang)
	if err != nil {
		return Entry{}, err
	}
	if !q.Eligible {
		return Entry{}, errs.Invalid("order_id", "not_eligible", "the policy grants nothing for this order: %s", q.Explanation)
	}
	if in.AmountMinor != 0 && in.AmountMinor != q.AmountMinor {
		return Entry{}, errs.Invalid("amount_minor", "mismatch", "the policy grants %d, not %d (omit amount_minor or send the quote)", q.AmountMinor, in.AmountMinor)
	}
	if in.Remedy != "" && in.Remedy != q.Remedy {
		return Entry{}, errs.Invalid("remedy", "mismatch", "the policy grants %s, not %s", q.Remedy, in.Remedy)
	}
	if err := s.checkNoPolicyGrant(ctx, tx, in.OrderID); err != nil {
		return Entry{}, err
	}
	e.Remedy, e.AmountMinor, e.PolicyVersion, e.PolicyRule, e.Explanation = q.Remedy, q.AmountMinor, &q.PolicyVersion, q.Rule, q.Explanation
	if err := checkRefundCap(ctx, tx, in.OrderID, e.Remedy, e.AmountMinor); err != nil {
		return Entry{}, err
	}
	return e, nil
}

// checkRefundCap returns a validation error on amount_minor when granting
// amount of a refund remedy on order would bring the order's refunds of
// that remedy (its ledger entries, net of reversals) above what was paid:
// the order total for partial_refund, the shipping for shipping_refund.
// Other remedies are not capped.
func checkRefundCap(ctx context.Context, q db.Querier, orderID int64, remedy string, amount int64) error {
	if remedy != compensation.RemedyPartialRefund && remedy != compensation.RemedyShippingRefund {
		return nil
	}
	var total, shipping int64
	if err := q.QueryRow(ctx, `SELECT total_minor, shipping_minor FROM orders WHERE id = ?`, orderID).Scan(&total, &shipping); err != nil {
		return fmt.Errorf("credit: load order %d: %w", orderID, err)
	}
	paid, what := total, "the order total"
	if remedy == compensation.RemedyShippingRefund {
		paid, what = shipping, "the shipping"
	}
	used, err := orderUsed(ctx, q, orderID, remedy)
	if err != nil {
		return err
	}
	if amount > paid-used {
		return errs.Invalid("amount_minor", "exceeds_paid", "refunds of order %d would exceed %s (%d minor units; %d already refunded)",
			orderID, what, paid, used)
	}
	return nil
}

// checkNoPolicyGrant returns errs.ErrConflict when order already has a
// policy (not goodwill) grant that is not reversed, or a pending policy
// request: the policy compensates an order once.
func (s *Service) checkNoPolicyGrant(ctx context.Context, q db.Querier, orderID int64) error {
	if err := s.checkNoPolicyGrantExcept(ctx, q, orderID); err != nil {
		return err
	}
	var pending int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM compensation_requests WHERE order_id = ? AND goodwill = FALSE AND status = 'pending'`,
		orderID).Scan(&pending); err != nil {
		return fmt.Errorf("credit: policy requests of order %d: %w", orderID, err)
	}
	if pending > 0 {
		return fmt.Errorf("order %d has a pending compensation request: %w", orderID, errs.ErrConflict)
	}
	return nil
}

func (s *Service) insertRequest(ctx context.Context, tx *db.Tx, actor Actor, e Entry) (Request, error) {
	now := db.Ms(s.o.Now())
	id, err := tx.InsertID(ctx, `INSERT INTO compensation_requests (order_id, conversation_id, contact_id, requested_by, remedy, amount_minor,
		currency, goodwill, reason, policy_version, policy_rule, explanation, status, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
		ptrArg(e.OrderID), ptrArg(e.ConversationID), e.ContactID, actor.AgentID, e.Remedy, e.AmountMinor, e.Currency, e.Goodwill,
		e.Reason, ptrArg(e.PolicyVersion), e.PolicyRule, e.Explanation, now)
	if err != nil {
		return Request{}, fmt.Errorf("credit: store approval request: %w", err)
	}
	return s.request(ctx, tx, id)
}

const requestColumns = `id, order_id, conversation_id, contact_id, requested_by, remedy, amount_minor, currency, goodwill, reason,
	policy_version, policy_rule, explanation, status, decided_by, decided_at, decision_reason, ledger_entry_id, created_at`

func scanRequests(rows *sql.Rows) ([]Request, error) {
	defer rows.Close()
	out := []Request{}
	for rows.Next() {
		var r Request
		var order, conv, pv, by, at, entry sql.NullInt64
		var created int64
		if err := rows.Scan(&r.ID, &order, &conv, &r.ContactID, &r.RequestedBy, &r.Remedy, &r.AmountMinor, &r.Currency, &r.Goodwill,
			&r.Reason, &pv, &r.PolicyRule, &r.Explanation, &r.Status, &by, &at, &r.DecisionReason, &entry, &created); err != nil {
			return nil, err
		}
		r.OrderID, r.ConversationID, r.PolicyVersion, r.DecidedBy = nullID(order), nullID(conv), nullID(pv), nullID(by)
		r.DecidedAt, r.LedgerEntryID, r.CreatedAt = db.TimePtr(at), nullID(entry), db.Time(created)
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *Service) request(ctx context.Context, q db.Querier, id int64) (Request, error) {
	rows, err := q.Query(ctx, `SELECT `+requestColumns+` FROM compensation_requests WHERE id = ?`, id)
	if err != nil {
		return Request{}, fmt.Errorf("credit: load request %d: %w", id, err)
	}
	rs, err := scanRequests(rows)
	if err != nil {
		return Request{}, err
	}
	if len(rs) == 0 {
		return Request{}, fmt.Errorf("compensation request %d: %w", id, errs.ErrNotFound)
	}
	return rs[0], nil
}

// Requests returns approval requests, newest first (at most MaxListed):
// all of them for an approver, else actor's own; status filters when not
// empty. Errors: *errs.ValidationError ("status").
func (s *Service) Requests(ctx context.Context, actor Actor, status string) ([]Request, error) {
	var c errs.Checker
	if status != "" {
		c.OneOf("status", status, "pending", "approved", "denied", "cancelled")
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	where, args := ` WHERE 1 = 1`, []any{}
	if !actor.Approver {
		where, args = where+` AND requested_by = ?`, append(args, actor.AgentID)
	}
	if status != "" {
		where, args = where+` AND status = ?`, append(args, status)
	}
	rows, err := s.db.R().Query(ctx, `SELECT `+requestColumns+` FROM compensation_requests`+where+` ORDER BY created_at DESC, id DESC LIMIT ?`,
		append(args, MaxListed)...)
	if err != nil {
		return nil, fmt.Errorf("credit: list requests: %w", err)
	}
	return scanRequests(rows)
}

// Approve approves pending request id as actor: the ledger entry is
// appended (granted_by the requester, approved_by actor,
// approval_request_id id) and the requester notified. An approver may not
// approve their own request unless they are an admin, and approves only
// within their own role's authority limits, as if they granted it
// themselves: the order's sum plus the amount within per_order_minor, and
// their period's grants made within authority plus the requests they
// approved, plus the amount, within per_period_minor. Only an admin
// approves above that, or in another currency than DeskCurrency: admins
// approve without ceiling (their limit rows, if any, bound only what they
// grant without approval). A refund is checked again against what the
// order paid. Errors:
// errs.ErrForbidden (not an approver, their own request, above their
// authority), errs.ErrNotFound, errs.ErrConflict (not pending, or the
// order got its policy compensation meanwhile), *errs.ValidationError
// ("amount_minor" "exceeds_paid" or "too_large", "order_id" for a refund
// without order: requests stored before those checks).
func (s *Service) Approve(ctx context.Context, actor Actor, id int64, reason string) (Request, error) {
	return s.decide(ctx, actor, id, strings.TrimSpace(reason), true)
}

// Deny denies pending request id as actor (reason required): no ledger
// entry; the requester is notified. Errors: as Approve, plus
// *errs.ValidationError ("reason").
func (s *Service) Deny(ctx context.Context, actor Actor, id int64, reason string) (Request, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Request{}, errs.Invalid("reason", "required", "say why the request is denied")
	}
	return s.decide(ctx, actor, id, reason, false)
}

func (s *Service) decide(ctx context.Context, actor Actor, id int64, reason string, approve bool) (Request, error) {
	if !actor.Approver {
		return Request{}, errs.ErrForbidden
	}
	if len([]rune(reason)) > maxReason {
		return Request{}, errs.Invalid("reason", "too_long", "at most %d characters", maxReason)
	}
	var out Request
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		if err := s.lockPG(ctx, tx, "compensation_requests", id); err != nil {
			return err
		}
		r, err := s.request(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.Status != "pending" {
			return fmt.Errorf("compensation request %d is %s: %w", id, r.Status, errs.ErrConflict)
		}
		if approve && r.RequestedBy == actor.AgentID && actor.Role != "admin" {
			return fmt.Errorf("%w: you cannot approve your own request", errs.ErrForbidden)
		}
		status, kind, entryID := "denied", KindDenied, any(nil)
		now := db.Ms(s.o.Now())
		if approve {
			// Requests stored before these checks existed are held to them too.
			if r.AmountMinor > compensation.MaxAmountMinor {
				return errs.Invalid("amount_minor", "too_large", "at most %d minor units", compensation.MaxAmountMinor)
			}
			if r.OrderID == nil && (r.Remedy == compensation.RemedyPartialRefund || r.Remedy == compensation.RemedyShippingRefund) {
				return errs.Invalid("order_id", "required", "a refund is of an order")
			}
			orderID := int64(0)
			if r.OrderID != nil {
				orderID = *r.OrderID
				if err := s.lockPG(ctx, tx, "orders", orderID); err != nil {
					return err
				}
				if !r.Goodwill {
					if err := s.checkNoPolicyGrantExcept(ctx, tx, orderID); err != nil {
						return err
					}
				}
				if err := checkRefundCap(ctx, tx, orderID, r.Remedy, r.AmountMinor); err != nil {
					return err
				}
			}
			if err := s.lockPG(ctx, tx, "agents", actor.AgentID); err != nil {
				return err
			}
			ok, exceeded := true, ""
			if actor.Role != "admin" {
				if ok, exceeded, err = s.withinAuthority(ctx, tx, actor, orderID, r.Remedy, r.AmountMinor, r.Currency); err != nil {
					return err
				}
			}
			if !ok {
				if exceeded == "" {
					exceeded = "no limit covers " + r.Remedy
				}
				return fmt.Errorf("%w: the request is above your own authority (%s); an admin must approve it", errs.ErrForbidden, exceeded)
			}
			e, err := s.insertEntry(ctx, tx, Entry{ContactID: r.ContactID, OrderID: r.OrderID, ConversationID: r.ConversationID,
				Remedy: r.Remedy, AmountMinor: r.AmountMinor, Currency: r.Currency, Goodwill: r.Goodwill, Reason: r.Reason,
				PolicyVersion: r.PolicyVersion, PolicyRule: r.PolicyRule, Explanation: r.Explanation,
				GrantedBy: &r.RequestedBy, ApprovalRequestID: &r.ID, ApprovedBy: idPtr(actor.AgentID)})
			if err != nil {
				return err
			}
			status, kind, entryID = "approved", KindApproved, e.ID
		}
		if _, err := tx.Exec(ctx, `UPDATE compensation_requests SET status = ?, decided_by = ?, decided_at = ?, decision_reason = ?,
			ledger_entry_id = ? WHERE id = ? AND status = 'pending'`, status, actor.AgentID, now, reason, entryID, id); err != nil {
			return fmt.Errorf("credit: decide request %d: %w", id, err)
		}
		if out, err = s.request(ctx, tx, id); err != nil {
			return err
		}
		if err := record(ctx, tx, actor, "compensation_request."+status, "compensation_request", id); err != nil {
			return err
		}
		data := requestData(out)
		data["decided_by"], data["decision_reason"] = actor.AgentID, reason
		_, err = notification.CreateTx(ctx, tx, s.outbox, notification.Notification{AgentID: r.RequestedBy, Kind: kind,
			ConversationID: r.ConversationID, Data: data})
		return err
	})
	return out, err
}

// checkNoPolicyGrantExcept is checkNoPolicyGrant without the check for
// pending requests (used while deciding one).
func (s *Service) checkNoPolicyGrantExcept(ctx context.Context, q db.Querier, orderID int64) error {
	var granted int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM credit_ledger e WHERE e.order_id = ? AND e.goodwill = FALSE AND e.reverses_id IS NULL
		AND NOT EXISTS (SELECT 1 FROM credit_ledger r WHERE r.reverses_id = e.id)`, orderID).Scan(&granted); err != nil {
		return fmt.Errorf("credit: policy grants of order %d: %w", orderID, err)
	}
	if granted > 0 {
		return fmt.Errorf("order %d already received its policy compensation: %w", orderID, errs.ErrConflict)
	}
	return nil
}

func requestData(r Request) map[string]any {
	d := map[string]any{"request_id": r.ID, "contact_id": r.ContactID, "remedy": r.Remedy, "amount_minor": r.AmountMinor,
		"currency": r.Currency, "requested_by": r.RequestedBy, "goodwill": r.Goodwill}
	if r.OrderID != nil {
		d["order_id"] = *r.OrderID
	}
	return d
}

// notifyApprovers notifies every active supervisor and admin except the
// requester of request r.
func (s *Service) notifyApprovers(ctx context.Context, tx *db.Tx, r Request) error {
	ids, err := db.QueryIDs(ctx, tx, `SELECT id FROM agents WHERE role IN ('supervisor', 'admin') AND active = TRUE AND id <> ? ORDER BY id`,
		r.RequestedBy)
	if err != nil {
		return fmt.Errorf("credit: find approvers: %w", err)
	}
	for _, a := range ids {
		if _, err := notification.CreateTx(ctx, tx, s.outbox, notification.Notification{AgentID: a, Kind: KindRequested,
			ConversationID: r.ConversationID, Data: requestData(r)}); err != nil {
			return err
		}
	}
	return nil
}
