// Package httpapi serves Kesher's REST API v1 under /api/v1: one route table
// with the permission beside each route, handlers that decode, validate,
// call one service method and respond, and RFC 9457 problem documents for
// every error. It is the only package that knows HTTP status codes.
package httpapi

import (
	"context"
	"errors"
	"github.com/kesherdesk/kesher/internal/report"
	"github.com/kesherdesk/kesher/internal/search"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kesherdesk/kesher/internal/agent"
	"github.com/kesherdesk/kesher/internal/assist"
	"github.com/kesherdesk/kesher/internal/attachment"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/bot"
	"github.com/kesherdesk/kesher/internal/canned"
	"github.com/kesherdesk/kesher/internal/channel/email"
	"github.com/kesherdesk/kesher/internal/commerce"
	"github.com/kesherdesk/kesher/internal/commerce/credit"
	"github.com/kesherdesk/kesher/internal/commerce/lateness"
	"github.com/kesherdesk/kesher/internal/commerce/overview"
	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/importer"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/kb"
	"github.com/kesherdesk/kesher/internal/notification"
	"github.com/kesherdesk/kesher/internal/passwordreset"
	"github.com/kesherdesk/kesher/internal/report/roi"
	"github.com/kesherdesk/kesher/internal/report/trends"
	"github.com/kesherdesk/kesher/internal/rules"
	"github.com/kesherdesk/kesher/internal/sla"
	"github.com/kesherdesk/kesher/internal/survey"
	"github.com/kesherdesk/kesher/internal/tag"
	"github.com/kesherdesk/kesher/internal/view"
)

// Services are what the API calls; internal/app builds them.
type Services struct {
	DB            *db.DB
	Auth          *auth.Service
	Agents        *agent.Service
	Contacts      *contact.Service
	Conversations *conversation.Service
	Inboxes       *inbox.Service
	Tags          *tag.Service
	Files         *attachment.Store

	Views          *view.Service
	Canned         *canned.Service
	PasswordResets *passwordreset.Service
	Notifications  *notification.Service
	// Rules stores and dry-runs automation rules.
	Rules *rules.Service
	// SLA serves calendars, SLA policies and conversations' SLA.
	SLA *sla.Service
	// Email serves the raw source of messages that came by email.
	Email *email.Service
	// Lateness serves the late-delivery detection settings.
	Lateness *lateness.Service
	// Orders keeps orders (upsert, CSV import, carrier status, shop
	// webhooks and their secrets).
	Orders *commerce.Service
	// Overview builds a contact's customer 360.
	Overview *overview.Service
	// Credit serves compensation quotes, grants, approvals, authority
	// limits and the credit ledger.
	Credit *credit.Service
	// Importer imports historical conversations (JSON Lines).
	Importer *importer.Service
	// ROI stores ROI inputs per period and computes the outputs.
	ROI *roi.Service
	// Trends finds emerging topics.
	Trends *trends.Service
	// Surveys serves survey settings, responses, NPS campaigns, the
	// feedback import and the public survey pages.
	Surveys *survey.Service
	// Reports answers the metrics report, series and breakdowns
	// (internal/report).
	Reports *report.Service
	// KB keeps the knowledge base and the help center settings
	// (internal/kb).
	KB *kb.Service
	// Bot is the answer bot (its stats; it acts on events, not requests).
	Bot *bot.Service
	// Assist suggests articles and canned responses for a conversation.
	Assist *assist.Service
	// Search is the one search service (internal/search).
	Search *search.Service
}

// Options tune the API.
type Options struct {
	// SecureCookies marks the session cookie Secure (set behind HTTPS).
	SecureCookies bool
	// TrustedOrigins may make cookie-authenticated writes besides the
	// API's own origin (e.g. a Vite dev server).
	TrustedOrigins []string
	// LoginRate is the sustained login attempts allowed per client IP and
	// per email address, per minute (default 10).
	LoginRate int
	// TrustProxy takes the client address for rate limits from the last
	// X-Forwarded-For hop; set it only behind a reverse proxy that appends
	// that header.
	TrustProxy bool
}

// API is the HTTP handler for /api/v1.
type API struct {
	svc     Services
	opts    Options
	log     *slog.Logger
	mux     *http.ServeMux
	routes  []Route
	csrf    *http.CrossOriginProtection
	limiter *loginLimiter
	// hooks throttles the public shop webhooks per client IP.
	hooks *loginLimiter
	// surveyLimiter throttles the public survey pages per client IP.
	surveyLimiter *loginLimiter
	// helpPages and helpPosts throttle the public help center per client
	// IP (pages; votes and the contact form).
	helpPages, helpPosts *loginLimiter
	metrics              *metrics
}

// SessionCookie names the web app's session cookie.
const SessionCookie = "kesher_session"

// maxJSONBody is the largest JSON request body, in bytes.
const maxJSONBody = 2 << 20

// New builds the API and registers its metrics on reg.
func New(svc Services, opts Options, log *slog.Logger, reg prometheus.Registerer) (*API, error) {
	if opts.LoginRate <= 0 {
		opts.LoginRate = 10
	}
	a := &API{svc: svc, opts: opts, log: log, mux: http.NewServeMux(), csrf: http.NewCrossOriginProtection(),
		limiter: newLoginLimiter(opts.LoginRate), hooks: newLoginLimiter(webhookRate), metrics: newMetrics(reg),
		surveyLimiter: newLoginLimiter(surveyPageRate), helpPages: newLoginLimiter(helpPageRate), helpPosts: newLoginLimiter(helpPostRate)}
	for _, o := range opts.TrustedOrigins {
		if err := a.csrf.AddTrustedOrigin(o); err != nil {
			return nil, err
		}
	}
	a.routes = a.routeTable()
	for _, rt := range a.routes {
		a.mux.Handle(rt.Method+" "+rt.Pattern, a.wrap(rt))
	}
	a.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		if allowed := a.allowedMethods(r); len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			writeProblem(w, r, Problem{Status: http.StatusMethodNotAllowed, Title: "Method not allowed", Type: problemBase + "method-not-allowed",
				Detail: r.URL.Path + " accepts " + strings.Join(allowed, ", ")})
			return
		}
		writeProblem(w, r, Problem{Status: http.StatusNotFound, Title: "No such endpoint", Type: problemBase + "not-found",
			Detail: r.Method + " " + r.URL.Path + " is not part of the API; see /api/v1/openapi.json"})
	})
	return a, nil
}

// allowedMethods lists the methods the route table serves for r's path
// (empty when the path is unknown), for 405 answers.
func (a *API) allowedMethods(r *http.Request) []string {
	var out []string
	for _, m := range []string{"GET", "POST", "PATCH", "PUT", "DELETE"} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := a.mux.Handler(probe); pattern != "" && pattern != "/api/" {
			out = append(out, m)
		}
	}
	return out
}

// ServeHTTP implements http.Handler.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// Routes returns the route table (for the OpenAPI check).
func (a *API) Routes() []Route { return a.routes }

// Route is one endpoint: method, ServeMux pattern, the permission required
// ("" for public endpoints) and the handler.
type Route struct {
	Method  string
	Pattern string
	Perm    auth.Permission
	Public  bool
	Handler func(w http.ResponseWriter, r *http.Request, p *auth.Principal) error
}

type principalKey struct{}

// wrap authenticates, checks the route's permission and CSRF, applies the
// idempotency-key protocol to POSTs and maps errors to problems.
func (a *API) wrap(rt Route) http.Handler {
	label := rt.Method + " " + rt.Pattern
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: 200}
		defer func() {
			if v := recover(); v != nil {
				a.log.Error("handler panic", "route", label, "panic", v)
				if !rec.wrote {
					writeProblem(rec, r, errorProblem(errPanic))
				}
			}
			a.metrics.observe(label, rec.status, time.Since(start))
		}()
		rec.Header().Set("X-Content-Type-Options", "nosniff")
		var p *auth.Principal
		if !rt.Public {
			var viaCookie bool
			var err error
			p, viaCookie, err = a.authenticate(r)
			if err != nil {
				a.fail(rec, r, err)
				return
			}
			if viaCookie && r.Method != http.MethodGet && r.Method != http.MethodHead {
				if err := a.csrf.Check(r); err != nil {
					writeProblem(rec, r, Problem{Status: http.StatusForbidden, Type: problemBase + "csrf", Title: "Cross-origin request refused",
						Detail: "cookie-authenticated writes must come from the same origin"})
					return
				}
			}
			if rt.Perm != "" && !p.Can(rt.Perm) {
				writeProblem(rec, r, Problem{Status: http.StatusForbidden, Type: problemBase + "forbidden", Title: "Forbidden",
					Detail: "your role or token scope lacks " + string(rt.Perm)})
				return
			}
			r = r.WithContext(context.WithValue(r.Context(), principalKey{}, p))
		}
		if r.Method == http.MethodPost && p != nil && r.Header.Get("Idempotency-Key") != "" {
			a.idempotent(rec, r, p, rt)
			return
		}
		if err := rt.Handler(rec, r, p); err != nil {
			a.fail(rec, r, err)
		}
	})
}

var errPanic = errors.New("handler panic") // maps to 500

func (a *API) authenticate(r *http.Request) (*auth.Principal, bool, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			return nil, false, errs.ErrUnauthenticated
		}
		p, err := a.svc.Auth.AuthenticateToken(r.Context(), strings.TrimSpace(token))
		return p, false, err
	}
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		p, err := a.svc.Auth.AuthenticateSession(r.Context(), c.Value)
		return p, true, err
	}
	return nil, false, errs.ErrUnauthenticated
}

// actorOf returns the audit actor for a principal.
func actorOf(p *auth.Principal) audit.Actor {
	return audit.Actor{Type: "agent", ID: p.AgentID, Name: p.Name}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

// pathID parses the {id} path value; a non-numeric id is a 404.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.ErrNotFound
	}
	return id, nil
}

// queryInt parses an optional integer query parameter.
func queryInt(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, errs.Invalid(name, "wrong_type", "%s must be a non-negative whole number", name)
	}
	return n, nil
}

// queryTime parses an optional RFC 3339 query parameter.
func queryTime(r *http.Request, name string) (*time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return nil, errs.Invalid(name, "wrong_type", "%s must be an RFC 3339 time such as 2026-01-31T09:00:00Z", name)
	}
	return &t, nil
}
