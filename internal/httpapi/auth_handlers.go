package httpapi

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/agent"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/patch"
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// login checks credentials, sets the session cookie and returns the agent.
// Attempts are rate-limited per IP and per email (429 with Retry-After).
func (a *API) login(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	// Login CSRF: a cross-site page must not sign a browser into an
	// attacker's account. Clients without Origin/Sec-Fetch-Site pass.
	if err := a.csrf.Check(r); err != nil {
		writeProblem(w, r, Problem{Status: http.StatusForbidden, Type: problemBase + "csrf", Title: "Cross-origin request refused",
			Detail: "sign in from Kesher's own pages"})
		return nil
	}
	var req loginRequest
	if err := decodeJSON(w, r, &req, 64<<10); err != nil {
		return err
	}
	var c errs.Checker
	c.Check(strings.TrimSpace(req.Email) != "", "email", "required", "email is required")
	c.Check(req.Password != "", "password", "required", "password is required")
	if err := c.Err(); err != nil {
		return err
	}
	if !a.limiter.allow("ip:"+clientIP(r, a.opts.TrustProxy), "email:"+strings.ToLower(strings.TrimSpace(req.Email))) {
		w.Header().Set("Retry-After", "60")
		writeProblem(w, r, Problem{Status: http.StatusTooManyRequests, Type: problemBase + "rate-limited",
			Title: "Too many sign-in attempts", Detail: "wait a minute before trying again"})
		return nil
	}
	secret, p, err := a.svc.Auth.Login(r.Context(), req.Email, req.Password)
	if err != nil {
		if err == errs.ErrUnauthenticated {
			writeProblem(w, r, Problem{Status: http.StatusUnauthorized, Type: problemBase + "bad-credentials",
				Title: "Wrong email or password"})
			return nil
		}
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: secret, Path: "/", HttpOnly: true, Secure: a.opts.SecureCookies,
		SameSite: http.SameSiteLaxMode, Expires: time.Now().Add(a.svc.Auth.SessionTTL)})
	ag, err := a.svc.Agents.Get(r.Context(), p.AgentID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ag)
	return nil
}

func (a *API) logout(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if p.SessionDigest != "" {
		if err := a.svc.Auth.Logout(r.Context(), p.SessionDigest); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, MaxAge: -1, SameSite: http.SameSiteLaxMode})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// meResponse is the signed-in agent plus what the app needs to know about
// the credentials.
type meResponse struct {
	agent.Agent
	Permissions []auth.Permission `json:"permissions"`
	Scopes      []string          `json:"scopes,omitempty"`
}

func (a *API) me(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	ag, err := a.svc.Agents.Get(r.Context(), p.AgentID)
	if err != nil {
		return err
	}
	perms := []auth.Permission{}
	for _, perm := range auth.AllPermissions {
		if p.Can(perm) {
			perms = append(perms, perm)
		}
	}
	writeJSON(w, http.StatusOK, meResponse{Agent: ag, Permissions: perms, Scopes: p.Scopes})
	return nil
}

// mePatch is what an agent may change about themself.
type mePatch struct {
	Name         patch.Field[string]   `json:"name"`
	Availability patch.Field[string]   `json:"availability"`
	Locale       patch.Field[string]   `json:"locale"`
	TimeZone     patch.Field[string]   `json:"time_zone"`
	Languages    patch.Field[[]string] `json:"languages"`
	Password     patch.Field[string]   `json:"password"`
	// CurrentPassword must accompany a new password.
	CurrentPassword string `json:"current_password"`
}

func (a *API) updateMe(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in mePatch
	if err := decodeJSON(w, r, &in, 64<<10); err != nil {
		return err
	}
	// A leaked token must not be enough to take over the account: changing
	// the password needs a signed-in session and the current password.
	if in.Password.Set {
		if p.TokenID != 0 {
			return errs.Invalid("password", "forbidden", "the password can only be changed when signed in, not with an API token")
		}
		if in.CurrentPassword == "" {
			return errs.Invalid("current_password", "required", "give your current password to set a new one")
		}
		if err := a.svc.Auth.CheckPassword(r.Context(), p.AgentID, in.CurrentPassword); err != nil {
			if errors.Is(err, errs.ErrUnauthenticated) {
				return errs.Invalid("current_password", "mismatch", "the current password is wrong")
			}
			return err
		}
	}
	ag, err := a.svc.Agents.Update(r.Context(), actorOf(p), p.AgentID, agent.Patch{Name: in.Name, Availability: in.Availability,
		Locale: in.Locale, TimeZone: in.TimeZone, Languages: in.Languages, Password: in.Password})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ag)
	return nil
}

type tokenRequest struct {
	Name      string     `json:"name"`
	Scopes    []string   `json:"scopes"`
	ExpiresAt *time.Time `json:"expires_at"`
	// AgentID lets an admin issue a token for another agent.
	AgentID int64 `json:"agent_id"`
}

type tokenResponse struct {
	auth.Token
	// Secret is shown only in this response.
	Secret string `json:"token"`
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var req tokenRequest
	if err := decodeJSON(w, r, &req, 64<<10); err != nil {
		return err
	}
	owner := p.AgentID
	if req.AgentID != 0 && req.AgentID != p.AgentID {
		if p.Role != auth.RoleAdmin {
			return errs.Invalid("agent_id", "forbidden", "only admins issue tokens for other agents")
		}
		owner = req.AgentID
	}
	if req.ExpiresAt != nil && !req.ExpiresAt.After(time.Now()) {
		return errs.Invalid("expires_at", "invalid", "expires_at must be in the future")
	}
	// A token never grants more than its creator holds.
	for i, s := range req.Scopes {
		if auth.ValidScope(s) && s != "*" && !p.Can(auth.Permission(s)) {
			return errs.Invalid("scopes["+itoa(i)+"]", "forbidden", "you do not hold %s yourself", s)
		}
	}
	if p.Scopes != nil && (len(req.Scopes) == 0 || containsStr(req.Scopes, "*")) && !containsStr(p.Scopes, "*") {
		return errs.Invalid("scopes", "forbidden", "a scoped token can only create tokens with explicit scopes it holds")
	}
	secret, t, err := a.svc.Auth.CreateToken(r.Context(), owner, req.Name, req.Scopes, req.ExpiresAt)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, tokenResponse{Token: t, Secret: secret})
	return nil
}

func (a *API) listTokens(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	ts, err := a.svc.Auth.ListTokens(r.Context(), p.AgentID)
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []auth.Token{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": ts})
	return nil
}

func (a *API) revokeToken(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	owner := p.AgentID
	if p.Role == auth.RoleAdmin {
		owner = 0
	}
	if err := a.svc.Auth.RevokeToken(r.Context(), owner, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func containsStr(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

type passwordResetRequest struct {
	Email string `json:"email"`
}

// requestPasswordReset always answers 204, whether or not an agent has the
// address (the mail, if any, is sent in the background), so the endpoint
// cannot be used to find out who works here. Rate-limited like login.
func (a *API) requestPasswordReset(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	var req passwordResetRequest
	if err := decodeJSON(w, r, &req, 64<<10); err != nil {
		return err
	}
	email := strings.ToLower(strings.TrimSpace(req.Email))
	var c errs.Checker
	c.Check(email != "", "email", "required", "email is required")
	c.MaxLen("email", email, 254)
	if err := c.Err(); err != nil {
		return err
	}
	if !a.limiter.allow("reset-ip:"+clientIP(r, a.opts.TrustProxy), "reset-email:"+email) {
		w.Header().Set("Retry-After", "60")
		writeProblem(w, r, Problem{Status: http.StatusTooManyRequests, Type: problemBase + "rate-limited",
			Title: "Too many password reset requests", Detail: "wait a minute before trying again"})
		return nil
	}
	a.svc.PasswordResets.Request(email)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type passwordResetConfirm struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// confirmPasswordReset sets the new password with the token from the
// mailed link; the agent's sessions end and they sign in again.
func (a *API) confirmPasswordReset(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	var req passwordResetConfirm
	if err := decodeJSON(w, r, &req, 64<<10); err != nil {
		return err
	}
	if !a.limiter.allow("reset-confirm-ip:" + clientIP(r, a.opts.TrustProxy)) {
		w.Header().Set("Retry-After", "60")
		writeProblem(w, r, Problem{Status: http.StatusTooManyRequests, Type: problemBase + "rate-limited",
			Title: "Too many attempts", Detail: "wait a minute before trying again"})
		return nil
	}
	if err := a.svc.PasswordResets.Confirm(r.Context(), req.Token, req.Password); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
