// Package app is Kesher's composition root: it opens the store, builds the
// services once, and runs the HTTP server and the background workers,
// stopping them in order (HTTP, then workers, then the database).
package app

import (
	"context"
	"errors"
	"fmt"
	"github.com/kesherdesk/kesher/internal/report"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kesherdesk/kesher/internal/agent"
	"github.com/kesherdesk/kesher/internal/assignment"
	"github.com/kesherdesk/kesher/internal/assist"
	"github.com/kesherdesk/kesher/internal/attachment"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/bot"
	"github.com/kesherdesk/kesher/internal/canned"
	"github.com/kesherdesk/kesher/internal/channel/chat"
	"github.com/kesherdesk/kesher/internal/channel/email"
	"github.com/kesherdesk/kesher/internal/channel/email/outbound"
	"github.com/kesherdesk/kesher/internal/commerce"
	"github.com/kesherdesk/kesher/internal/commerce/credit"
	"github.com/kesherdesk/kesher/internal/commerce/lateness"
	"github.com/kesherdesk/kesher/internal/commerce/overview"
	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/helpcenter"
	"github.com/kesherdesk/kesher/internal/httpapi"
	"github.com/kesherdesk/kesher/internal/importer"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/jobs"
	"github.com/kesherdesk/kesher/internal/kb"
	"github.com/kesherdesk/kesher/internal/mailer"
	"github.com/kesherdesk/kesher/internal/notification"
	"github.com/kesherdesk/kesher/internal/passwordreset"
	"github.com/kesherdesk/kesher/internal/realtime"
	"github.com/kesherdesk/kesher/internal/report/roi"
	"github.com/kesherdesk/kesher/internal/report/trends"
	"github.com/kesherdesk/kesher/internal/rules"
	"github.com/kesherdesk/kesher/internal/search"
	"github.com/kesherdesk/kesher/internal/secret"
	"github.com/kesherdesk/kesher/internal/sla"
	"github.com/kesherdesk/kesher/internal/survey"
	"github.com/kesherdesk/kesher/internal/tag"
	"github.com/kesherdesk/kesher/internal/view"
)

// Core holds the store and the domain services; CLI commands that need no
// HTTP server (user create, token create, import) use it directly.
type Core struct {
	DB            *db.DB
	Log           *slog.Logger
	Outbox        *events.Outbox
	Bus           *events.Local
	Auth          *auth.Service
	Agents        *agent.Service
	Contacts      *contact.Service
	Conversations *conversation.Service
	Inboxes       *inbox.Service
	Tags          *tag.Service
	Files         *attachment.Store
	// Search is the one search service (internal/search).
	Search *search.Service

	// The agent app's saved views, canned responses and password resets.
	Views          *view.Service
	Canned         *canned.Service
	PasswordResets *passwordreset.Service

	// Assignment assigns new conversations to agents automatically; Serve
	// subscribes it to Bus (tests call its Subscribe themselves).
	Assignment *assignment.Service

	// Rules stores automation rules and runs them; Serve subscribes it to
	// Bus and starts its time scan.
	Rules *rules.Service
	// Credit is the compensation policy, authority limits, approval
	// requests and the credit ledger; its ledger exports run on Jobs. It
	// implements commerce.Offerer for the late-delivery notices.
	Credit *credit.Service
	// Reports answers metrics reports over daily rollups (internal/report);
	// Serve runs its refresh job on Jobs.
	Reports *report.Service
	// Notifications are agents' notifications (the bell).
	Notifications *notification.Service
	// Jobs is the one durable job runner (internal/jobs) every package
	// registers its kinds on; Serve runs it.
	Jobs *jobs.Runner
	// SLA keeps calendars, SLA policies and per-conversation SLA state;
	// Serve subscribes it to Bus and its timers run on Jobs.
	SLA *sla.Service
	// Email ingests inbound mail (SMTP receiver, IMAP poller, import).
	Email *email.Service
	// Email sends outbound email replies and acknowledgements through the
	// inboxes' SMTP servers; Serve subscribes it to Bus, its sends run on
	// Jobs.
	Outbound *outbound.Service
	// Lateness detects late deliveries (internal/commerce/lateness): its
	// scan job runs on Jobs, Serve subscribes it to Bus (order.updated)
	// and starts the scan. Credit is its Offerer (the policy's automatic
	// compensation, shown in the notice).
	Lateness *lateness.Service
	// Orders keeps shop orders (upsert, CSV import, carrier status, shop
	// webhook secrets); its writes emit commerce.OrderUpdated.
	Orders *commerce.Service
	// Overview builds a contact's customer 360.
	Overview *overview.Service
	// Importer imports historical conversations (JSON Lines); it publishes
	// no live events.
	Importer *importer.Service
	// ROI stores ROI inputs per period (roi_periods) and computes outputs.
	ROI *roi.Service
	// Trends finds emerging topics in conversations.
	Trends *trends.Service
	// Surveys sends CSAT/CES invitations after conversations are solved
	// and runs NPS campaigns (internal/survey): its jobs run on Jobs, Serve
	// subscribes it to Bus (conversation.updated); its public pages are
	// mounted at /s/ by Handler.
	Surveys *survey.Service
	// KB keeps the knowledge base (internal/kb), indexed in Search; the
	// public help center (internal/helpcenter) is mounted at /help by
	// Handler.
	KB *kb.Service
	// HelpCenter is the public help center (internal/helpcenter), mounted
	// at /help by Handler.
	HelpCenter *helpcenter.Site
	// Chat is the live-chat channel (internal/channel/chat): Handler mounts
	// its widget API at /widget/v1/ and connects it to the realtime hub;
	// Serve subscribes it to Bus (message.created).
	Chat *chat.Service
	// Bot is the answer bot (internal/bot): Serve subscribes it to Bus
	// (message.created); the chat channel calls its Answer and Handover.
	Bot *bot.Service
	// Assist suggests articles and canned responses to agents
	// (internal/assist).
	Assist *assist.Service

	subscribeOnce sync.Once
}

// CoreOptions configure NewCore.
type CoreOptions struct {
	Store    db.Options
	Password auth.PasswordParams
	// Secrets encrypts stored mail server passwords; nil uses a key that
	// lives only in memory (tests).
	Secrets *secret.Box
	// Mailer sends system mail (password reset links); nil when no SMTP
	// server is configured.
	Mailer mailer.Sender
	// BaseURL is where agents reach the web app, for links in mail.
	BaseURL string
	// WebhookSecret signs automation webhooks (HMAC-SHA256 in
	// X-Kesher-Signature); empty sends them unsigned.
	WebhookSecret string
	// WebhookAllowPrivate lets automation webhooks target loopback,
	// link-local and private addresses (rules.Options.AllowPrivateWebhooks).
	WebhookAllowPrivate bool
}

// NewCore opens and migrates the store and builds the services. The caller
// closes Core.DB.
func NewCore(ctx context.Context, opts CoreOptions, log *slog.Logger) (*Core, error) {
	d, err := db.Open(ctx, opts.Store)
	if err != nil {
		return nil, err
	}
	if _, err := d.Migrate(ctx, log); err != nil {
		d.Close()
		return nil, err
	}
	return NewCoreFromDB(d, opts, log), nil
}

// NewCoreFromDB builds the services on an open, migrated store (tests use
// it with internal/testkit stores).
func NewCoreFromDB(d *db.DB, opts CoreOptions, log *slog.Logger) *Core {
	if opts.Password.Memory == 0 {
		opts.Password = auth.DefaultPasswordParams
	}
	c := &Core{DB: d, Log: log, Outbox: events.NewOutbox(), Bus: events.NewLocal(log)}
	c.Auth = auth.NewService(d, auth.NewHasher(opts.Password, 2), log)
	c.Agents = agent.NewService(d, c.Auth, c.Outbox)
	c.Contacts = contact.NewService(d, c.Outbox)
	c.Inboxes = inbox.NewService(d, opts.Secrets)
	c.Tags = tag.NewService(d)
	dataDir := opts.Store.DataDir
	if dataDir == "" && d.Path != "" {
		dataDir = filepath.Dir(d.Path)
	}
	if dataDir == "" {
		dataDir = "data"
	}
	c.Files = attachment.NewStore(d, dataDir)
	c.Conversations = conversation.NewService(d, c.Outbox, c.Inboxes, c.Files)
	c.Search = search.New(d)
	c.Views = view.NewService(d, c.Conversations)
	c.Canned = canned.NewService(d)
	c.PasswordResets = passwordreset.NewService(c.Auth, c.Agents, opts.Mailer, opts.BaseURL, log)
	c.Notifications = notification.NewService(d)
	c.Assignment = assignment.New(d, c.Conversations, c.Outbox, log)
	c.Jobs = jobs.NewRunner(d, jobs.Options{Log: log})
	c.Rules = rules.New(d, c.Outbox, c.Conversations, log, rules.Options{Jobs: c.Jobs, WebhookSecret: opts.WebhookSecret,
		AllowPrivateWebhooks: opts.WebhookAllowPrivate})
	c.Rules.RegisterJobs(c.Jobs)
	c.Credit = credit.New(d, c.Outbox, log, credit.Options{Jobs: c.Jobs, Secrets: opts.Secrets, AllowPrivate: opts.WebhookAllowPrivate})
	c.Credit.RegisterJobs(c.Jobs)
	c.SLA = sla.New(d, c.Outbox, c.Conversations, c.Jobs, log)
	c.Email = email.NewService(d, c.Conversations, c.Inboxes, c.Files, log)
	c.Outbound = outbound.New(d, c.Outbox, c.Conversations, c.Inboxes, c.Files, c.Jobs, log, outbound.Options{})
	c.Outbound.RegisterJobs(c.Jobs)
	c.Lateness = lateness.New(d, c.Outbox, c.Conversations, c.SLA, c.Jobs, log, lateness.Options{Mail: c.Outbound, Offerer: c.Credit})
	c.Lateness.RegisterJobs(c.Jobs)
	c.Orders = commerce.NewService(d, c.Outbox, opts.Secrets)
	c.Overview = overview.New(d, c.Contacts, c.Orders)
	c.Importer = importer.New(d)
	c.Trends = trends.New(d)
	c.Surveys = survey.New(d, c.Outbox, c.Conversations, c.Jobs, log, survey.Options{BaseURL: opts.BaseURL, Secrets: opts.Secrets,
		Mail: c.Outbound})
	c.Surveys.RegisterJobs(c.Jobs)
	c.KB = kb.New(d, c.Outbox, c.Search)
	c.HelpCenter = helpcenter.New(c.KB, c.Search, c.Conversations, helpcenter.Options{Secrets: opts.Secrets, Log: log, Widgets: c.Inboxes})
	c.Reports = report.New(d, c.SLA, log, report.Options{})
	c.Reports.RegisterJobs(c.Jobs)
	c.ROI = roi.New(d, c.Reports)
	c.Bot = bot.New(d, c.Outbox, c.Conversations, c.Inboxes, bot.SearchFinder{Search: c.Search}, log, bot.Options{BaseURL: opts.BaseURL})
	c.Assist = assist.New(d, c.Canned, assist.SearchFinder{Search: c.Search}, opts.BaseURL)
	c.Chat = chat.New(chat.Services{DB: d, Conversations: c.Conversations, Inboxes: c.Inboxes, Files: c.Files,
		Calendars: c.SLA, Mailer: opts.Mailer, Bot: c.Bot}, chat.Options{}, log)
	return c
}

// ServerOptions configure Serve.
type ServerOptions struct {
	Addr string
	API  httpapi.Options
	// Ready, when set, receives the bound address once the server listens.
	Ready func(addr net.Addr)
	// Web serves everything outside /api, /s/ (survey pages), /help (help center), /healthz, /readyz and /metrics
	// (the agent web app); nil serves 404s.
	Web http.Handler
	// Realtime, when set, serves GET /api/v1/ws and Serve runs it as a
	// worker; Serve builds one with NewHub when nil. Callers of Handler run
	// its Run themselves.
	Realtime *realtime.Hub
	// Inbound mail: SMTPAddr, when set, runs the built-in SMTP (LMTP with
	// LMTP) receiver there; IMAP runs the IMAP poller of email inboxes.
	SMTPAddr string
	SMTP     email.SMTPOptions
	IMAP     bool
}

// NewHub builds the WebSocket hub of the agent web app (GET /api/v1/ws),
// trusting the same extra origins as the API.
func (c *Core) NewHub(o ServerOptions) *realtime.Hub {
	return realtime.New(realtime.Services{Auth: c.Auth, Conversations: c.Conversations, Bus: c.Bus,
		Notifications: c.Notifications},
		realtime.Options{TrustedOrigins: o.API.TrustedOrigins, SessionCookie: httpapi.SessionCookie}, c.Log)
}

// Serve runs the HTTP server and the workers until ctx ends, then shuts
// down gracefully: stop accepting, drain requests (up to 15 s), stop the
// workers (the event dispatcher delivers what is committed), flush token
// last-use times.
func (c *Core) Serve(ctx context.Context, o ServerOptions) error {
	if o.Realtime == nil {
		o.Realtime = c.NewHub(o)
	}
	handler, err := c.Handler(o)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.Addr, err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute,
		WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(c.Log.Handler(), slog.LevelWarn)}
	return c.serve(ctx, o, ln, srv)
}

// Handler builds the HTTP handler: /api/v1, /healthz, /readyz, /metrics,
// the public survey pages (/s/{token}) and the web app.
func (c *Core) Handler(o ServerOptions) (http.Handler, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	api, err := httpapi.New(httpapi.Services{DB: c.DB, Auth: c.Auth, Agents: c.Agents, Contacts: c.Contacts,
		Conversations: c.Conversations, Inboxes: c.Inboxes, Tags: c.Tags, Files: c.Files,
		Views: c.Views, Canned: c.Canned, PasswordResets: c.PasswordResets, Rules: c.Rules, Notifications: c.Notifications,
		SLA: c.SLA, Email: c.Email, Lateness: c.Lateness, Orders: c.Orders, Overview: c.Overview, Credit: c.Credit,
		Importer: c.Importer, ROI: c.ROI, Trends: c.Trends, Surveys: c.Surveys, Reports: c.Reports, KB: c.KB,
		Bot: c.Bot, Assist: c.Assist, Search: c.Search},
		o.API, c.Log, reg)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	if o.Realtime != nil {
		mux.Handle("GET /api/v1/ws", o.Realtime)
		c.Chat.SetPresence(o.Realtime)
		o.Realtime.ObserveTyping(c.Chat.AgentTyping)
	}
	if o.API.TrustProxy {
		c.Chat.SetTrustProxy(true) // the widget's per-IP limits see the client the API sees
	}
	mux.Handle("/widget/v1/", c.Chat.Handler())
	mux.Handle("/api/", api)
	if pages := api.SurveyPages(); pages != nil {
		mux.Handle("/s/", pages)
	}
	if c.HelpCenter != nil {
		help := api.HelpCenter(c.HelpCenter)
		mux.Handle("/help", help)
		mux.Handle("/help/", help)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		pctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := c.DB.Ping(pctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"status":"unavailable","reason":"database"}` + "\n"))
			return
		}
		_, _ = w.Write([]byte(`{"status":"ready"}` + "\n"))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	if o.Web != nil {
		mux.Handle("/", o.Web)
	}
	return securityHeaders(mux), nil
}

func (c *Core) serve(ctx context.Context, o ServerOptions, ln net.Listener, srv *http.Server) error {
	var err error
	workers, stopWorkers := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	// Subscribers go on the bus before the dispatcher delivers anything.
	c.subscribeOnce.Do(func() {
		c.Assignment.Subscribe(c.Bus)
		c.Rules.Subscribe(c.Bus)
		c.SLA.Subscribe(c.Bus)
		c.Outbound.Subscribe(c.Bus)
		c.Lateness.Subscribe(c.Bus)
		c.Surveys.Subscribe(c.Bus)
		c.Reports.Subscribe(c.Bus)
		c.Chat.Subscribe(c.Bus)
		c.Bot.Subscribe(c.Bus)
	})
	dispatcher := events.NewDispatcher(c.DB, c.Outbox, c.Bus, c.Log)
	run := func(name string, f func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(workers); err != nil && !errors.Is(err, context.Canceled) {
				c.Log.Error("worker stopped", "worker", name, "err", err)
			}
		}()
	}
	run("events", dispatcher.Run)
	// A desk upgraded from a version without search has data and an empty
	// index: build it once, in the background (searches see a growing
	// index meanwhile). `kesher search reindex` does the same on demand.
	run("search-reindex", func(ctx context.Context) error {
		need, err := c.Search.NeedsReindex(ctx)
		if err != nil || !need {
			return err
		}
		c.Log.Info("search index empty: reindexing")
		st, err := c.Search.Reindex(ctx, 0, c.Log)
		if err == nil {
			c.Log.Info("search reindexed", "conversations", st.Conversations, "messages", st.Messages, "contacts", st.Contacts)
		}
		return err
	})
	run("jobs", c.Jobs.Run)
	if err := c.Rules.StartTimeScan(ctx); err != nil {
		c.Log.Error("automation time scan not started", "err", err)
	}
	if err := c.Lateness.StartScan(ctx); err != nil {
		c.Log.Error("late-delivery scan not started", "err", err)
	}
	if o.Realtime != nil {
		run("realtime", o.Realtime.Run)
	}
	run("auth", func(ctx context.Context) error { return c.Auth.Run(ctx, time.Minute) })
	run("password-reset", c.PasswordResets.Run)
	run("upload-collector", func(ctx context.Context) error { return c.Files.RunCollector(ctx, time.Hour, c.Log) })
	run("idempotency-purge", func(ctx context.Context) error {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			if err := httpapi.PurgeIdempotencyKeys(ctx, c.DB); err != nil && ctx.Err() == nil {
				c.Log.Error("purge idempotency keys", "err", err)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
		}
	})

	if o.SMTPAddr != "" {
		smtpLn, lerr := net.Listen("tcp", o.SMTPAddr)
		if lerr != nil {
			stopWorkers()
			wg.Wait()
			return fmt.Errorf("listen for mail on %s: %w", o.SMTPAddr, lerr)
		}
		c.Log.Info("kesher receiving mail", "addr", smtpLn.Addr().String(), "lmtp", o.SMTP.LMTP)
		run("smtp-receiver", func(ctx context.Context) error { return c.Email.ServeSMTP(ctx, smtpLn, o.SMTP) })
	}
	if o.IMAP {
		run("imap-poller", func(ctx context.Context) error { return c.Email.RunIMAP(ctx, email.IMAPOptions{}) })
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	c.Log.Info("kesher listening", "addr", ln.Addr().String(), "store", string(c.DB.Dialect))
	if o.Ready != nil {
		o.Ready(ln.Addr())
	}
	select {
	case err = <-errc:
	case <-ctx.Done():
		c.Log.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		err = srv.Shutdown(sctx)
		cancel()
	}
	stopWorkers()
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// securityHeaders sets headers every response should carry.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "SAMEORIGIN")
		next.ServeHTTP(w, r)
	})
}
