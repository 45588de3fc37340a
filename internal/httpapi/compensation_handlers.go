package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/commerce/compensation"
	"github.com/kesherdesk/kesher/internal/commerce/credit"
	"github.com/kesherdesk/kesher/internal/errs"
)

// creditActor is the principal as the credit service sees it: its role
// picks the authority limits; compensation:approve makes it an approver.
func creditActor(p *auth.Principal) credit.Actor {
	return credit.Actor{AgentID: p.AgentID, Name: p.Name, Role: p.Role, Approver: p.Can(auth.CompensationApprove)}
}

// --- compensation policy

func (a *API) getCompensationPolicy(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r); err != nil {
		return err
	}
	pv, err := a.svc.Credit.Policy(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pv)
	return nil
}

func (a *API) listCompensationPolicyVersions(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r); err != nil {
		return err
	}
	vs, err := a.svc.Credit.PolicyHistory(r.Context())
	return list(w, r, vs, err)
}

// putCompensationPolicy takes the policy document itself as the body, in
// JSON (application/json) or YAML (application/yaml, text/yaml,
// application/x-yaml).
func (a *API) putCompensationPolicy(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		ok := err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "application/yaml" ||
			mt == "text/yaml" || mt == "application/x-yaml" || mt == "text/plain")
		if !ok {
			return errs.Invalid("Content-Type", "unsupported", "send application/json or application/yaml (got %s)", ct)
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, compensation.MaxBodyBytes))
	if err != nil {
		return jsonError(err)
	}
	pv, err := a.svc.Credit.PutPolicy(r.Context(), creditActor(p), body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pv)
	return nil
}

// quoteCompensation answers the policy's quote for order {id}; ?lang=he or
// en (default en) picks the explanation's language.
func (a *API) quoteCompensation(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r, "lang"); err != nil {
		return err
	}
	lang := r.URL.Query().Get("lang")
	if lang != "" && lang != "he" && lang != "en" {
		return errs.Invalid("lang", "invalid", `"he" or "en"`)
	}
	return read(w, r, func(ctx context.Context, id int64) (credit.Quote, error) {
		return a.svc.Credit.Quote(ctx, id, lang)
	})
}

// --- grants and approval requests

// createGrant answers 201 {"status":"granted","entry"} within the caller's
// authority, 202 {"status":"pending_approval","request"} above it.
func (a *API) createGrant(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in credit.GrantInput
	if err := decodeJSON(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	// A grant may name only a conversation the caller can see.
	if in.ConversationID != 0 {
		c, err := a.svc.Conversations.Get(r.Context(), in.ConversationID)
		if errors.Is(err, errs.ErrNotFound) {
			return errs.Invalid("conversation_id", "not_found", "no conversation %d", in.ConversationID)
		}
		if err != nil {
			return err
		}
		if !p.CanSeeConversation(c.TeamIDOr0(), c.AssigneeIDOr0()) {
			return errs.ErrForbidden
		}
	}
	res, err := a.svc.Credit.Grant(r.Context(), creditActor(p), in)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if res.Status == credit.StatusPendingApproval {
		status = http.StatusAccepted
	}
	writeJSON(w, status, res)
	return nil
}

func (a *API) listCompensationRequests(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if err := checkQuery(r, "status"); err != nil {
		return err
	}
	rs, err := a.svc.Credit.Requests(r.Context(), creditActor(p), r.URL.Query().Get("status"))
	return list(w, r, rs, err)
}

type decisionRequest struct {
	Reason string `json:"reason"`
}

// decodeOptional decodes a JSON object body into dst; an empty body leaves
// dst as it is.
func decodeOptional(w http.ResponseWriter, r *http.Request, dst any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err != nil {
		return jsonError(err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return decodeJSON(w, r, dst, maxJSONBody)
}

func (a *API) approveCompensationRequest(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return a.decideRequest(w, r, p, true)
}

func (a *API) denyCompensationRequest(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return a.decideRequest(w, r, p, false)
}

func (a *API) decideRequest(w http.ResponseWriter, r *http.Request, p *auth.Principal, approve bool) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in decisionRequest
	if err := decodeOptional(w, r, &in); err != nil {
		return err
	}
	var out credit.Request
	if approve {
		out, err = a.svc.Credit.Approve(r.Context(), creditActor(p), id, in.Reason)
	} else {
		out, err = a.svc.Credit.Deny(r.Context(), creditActor(p), id, in.Reason)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// --- authority limits

func (a *API) getAuthorityLimits(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r); err != nil {
		return err
	}
	ls, err := a.svc.Credit.Limits(r.Context())
	return list(w, r, ls, err)
}

// putAuthorityLimits replaces the limits: the body is the list, bare
// ([{…}]) or as GET answers it ({"data": [{…}]}); both are decoded as
// strictly as any object body (unknown or duplicate keys, trailing data).
func (a *API) putAuthorityLimits(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err != nil {
		return jsonError(err)
	}
	body = bytes.TrimSpace(body)
	var ls []credit.LimitInput
	if len(body) > 0 && body[0] == '[' {
		if err := checkStrictJSON(body, &ls); err != nil {
			// Name rows as the service does: "[0].role", not "body[0].role".
			var ve *errs.ValidationError
			if errors.As(err, &ve) {
				for i := range ve.Fields {
					if strings.HasPrefix(ve.Fields[i].Field, "body[") {
						ve.Fields[i].Field = strings.TrimPrefix(ve.Fields[i].Field, "body")
					}
				}
			}
			return err
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ls); err != nil {
			return jsonError(err)
		}
		if _, err := dec.Token(); err != io.EOF {
			return errs.Invalid("body", "malformed", "the body must hold exactly one JSON value")
		}
	} else {
		var wrapped struct {
			Data []credit.LimitInput `json:"data"`
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := decodeJSON(w, r, &wrapped, maxJSONBody); err != nil {
			return err
		}
		ls = wrapped.Data
	}
	out, err := a.svc.Credit.PutLimits(r.Context(), creditActor(p), ls)
	return list(w, r, out, err)
}

func (a *API) myAuthority(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if err := checkQuery(r); err != nil {
		return err
	}
	me, err := a.svc.Credit.Me(r.Context(), creditActor(p))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, me)
	return nil
}

// --- ledger export settings

func (a *API) getExportSettings(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r); err != nil {
		return err
	}
	st, err := a.svc.Credit.ExportSettings(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (a *API) putExportSettings(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return write(w, r, http.StatusOK, func(ctx context.Context, in credit.ExportSettingsInput) (credit.ExportSettings, error) {
		return a.svc.Credit.PutExportSettings(ctx, creditActor(p), in)
	})
}
