package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/httpapi"
	"github.com/kesherdesk/kesher/internal/notification"
)

// CloseUnauthenticated is the close code sent when a connection's session or
// token stops authenticating (logout, expiry, revocation, deactivation).
// The client should send the agent to sign in rather than reconnect.
const CloseUnauthenticated websocket.StatusCode = 4401

// Conversations is what the hub needs from the conversation service: the
// current conversation, for its visibility and the frames' "conversation".
// Get returns an error wrapping errs.ErrNotFound for an unknown id.
type Conversations interface {
	Get(ctx context.Context, id int64) (conversation.Conversation, error)
}

// Services are the hub's dependencies; internal/app builds them.
type Services struct {
	Auth          *auth.Service
	Conversations Conversations
	Bus           events.Bus
	// Notifications, when set, lets the hub push "notification.created"
	// to the notified agent's sockets.
	Notifications Notifications
}

// Options tune the hub. Zero values take the defaults given per field.
type Options struct {
	// TrustedOrigins may open sockets besides the server's own origin, as
	// "scheme://host[:port]" (e.g. "http://localhost:5173" for the Vite dev
	// server) or as host patterns matched with path.Match.
	TrustedOrigins []string
	// SessionCookie names the web app's session cookie (default
	// "kesher_session", the REST API's).
	SessionCookie string
	// PingInterval is how often the server pings each client (default 25 s).
	PingInterval time.Duration
	// PongTimeout is how long a ping may go unanswered before the connection
	// is dropped (default 15 s).
	PongTimeout time.Duration
	// SendBuffer is the most frames queued for one connection; a connection
	// that falls further behind is closed with 1013 (default 256).
	SendBuffer int
	// MaxFrameBytes is the largest client frame (default 8 KiB).
	MaxFrameBytes int64
	// FrameRate is the sustained client frames allowed per second, with
	// bursts of twice as many (default 10).
	FrameRate float64
	// ReloadEvery is how often a connection re-authenticates to pick up
	// team and role changes (default 30 s).
	ReloadEvery time.Duration
	// TypingTTL is how long typing:true lasts without a refresh (default
	// 6 s).
	TypingTTL time.Duration
}

func (o Options) withDefaults() Options {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.PingInterval, 25*time.Second)
	def(&o.PongTimeout, 15*time.Second)
	def(&o.ReloadEvery, 30*time.Second)
	def(&o.TypingTTL, 6*time.Second)
	if o.SessionCookie == "" {
		o.SessionCookie = "kesher_session"
	}
	if o.SendBuffer <= 0 {
		o.SendBuffer = 256
	}
	if o.MaxFrameBytes <= 0 {
		o.MaxFrameBytes = 8 << 10
	}
	if o.FrameRate <= 0 {
		o.FrameRate = 10
	}
	return o
}

// Hub owns the WebSocket connections of one Kesher process: it serves GET
// /api/v1/ws (ServeHTTP), pushes committed domain events from the bus to the
// agents who may see them and keeps the presence of viewers per
// conversation. Build it with New, run Run once; it holds no global state.
type Hub struct {
	svc  Services
	opts Options
	log  *slog.Logger

	// lastEventID is the id of the last event pushed (see hello).
	lastEventID atomic.Int64

	mu      sync.RWMutex
	closed  bool
	conns   map[*conn]struct{}
	byAgent map[int64]map[*conn]struct{}
	views   map[int64]map[*conn]struct{} // conversation id → viewing connections
	typing  map[*conn]struct{}           // viewers whose typingUntil is set
	sent    map[int64]string             // last presence frame sent per conversation
	// visitorTyping holds, per conversation, until when its chat visitor
	// types; sentTyping the typing agents' names last observed.
	visitorTyping  map[int64]time.Time
	sentTyping     map[int64]string
	typingObserver atomic.Pointer[func(conversationID int64, names []string)]
	wg             sync.WaitGroup // one per registered connection
}

// New returns a hub; nothing happens until Run subscribes it to the bus and
// the server routes GET /api/v1/ws to it.
func New(svc Services, opts Options, log *slog.Logger) *Hub {
	return &Hub{svc: svc, opts: opts.withDefaults(), log: log,
		conns: map[*conn]struct{}{}, byAgent: map[int64]map[*conn]struct{}{},
		views: map[int64]map[*conn]struct{}{}, typing: map[*conn]struct{}{}, sent: map[int64]string{},
		visitorTyping: map[int64]time.Time{}, sentTyping: map[int64]string{}}
}

// Run subscribes the hub to conversation.*, message.*, agent.updated and
// notification.created events and expires typing until ctx ends; then it
// closes every connection with 1001 (going away) and returns nil once their
// handlers have finished.
// Call it once.
func (h *Hub) Run(ctx context.Context) error {
	unsubs := []func(){
		h.svc.Bus.Subscribe("conversation.*", h.onConversationEvent),
		h.svc.Bus.Subscribe("message.*", h.onConversationEvent),
		h.svc.Bus.Subscribe(events.AgentUpdated, h.onAgentUpdated),
		h.svc.Bus.Subscribe(notification.Topic, h.onNotification),
	}
	defer func() {
		for _, u := range unsubs {
			u()
		}
	}()
	tick := min(max(h.opts.TypingTTL/6, 50*time.Millisecond), time.Second)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			h.shutdown()
			return nil
		case now := <-t.C:
			h.expireTyping(now)
		}
	}
}

func (h *Hub) shutdown() {
	h.mu.Lock()
	h.closed = true
	conns := slices.Collect(maps.Keys(h.conns))
	h.mu.Unlock()
	for _, c := range conns {
		c.kill(websocket.StatusGoingAway, "server shutting down")
	}
	h.wg.Wait()
}

// Connections returns how many sockets are open.
func (h *Hub) Connections() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.conns)
}

// ServeHTTP authenticates and upgrades GET /api/v1/ws, then serves the
// connection until it closes. See the package documentation for the
// protocol and the status codes of refused upgrades.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, reauth, err := h.authenticate(r)
	if errors.Is(err, errs.ErrUnauthenticated) {
		httpapi.WriteProblem(w, r, http.StatusUnauthorized, "unauthenticated", "Unauthenticated",
			"send the "+h.opts.SessionCookie+" cookie or Authorization: Bearer <token>")
		return
	}
	if err != nil {
		h.log.Error("websocket authentication failed", "err", err)
		httpapi.WriteProblem(w, r, http.StatusInternalServerError, "internal", "Internal error", "the server failed; the error was logged")
		return
	}
	if !p.Can(auth.ConversationsRead) {
		httpapi.WriteProblem(w, r, http.StatusForbidden, "forbidden", "Forbidden", "your role or token scope lacks "+string(auth.ConversationsRead))
		return
	}
	if h.isClosed() {
		httpapi.WriteProblem(w, r, http.StatusServiceUnavailable, "unavailable", "Shutting down", "the server is shutting down; reconnect shortly")
		return
	}
	// Accept refuses (403) an Origin that is neither this host nor trusted.
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: h.opts.TrustedOrigins})
	if err != nil {
		h.log.Debug("websocket upgrade refused", "origin", r.Header.Get("Origin"), "err", err)
		return
	}
	ws.SetReadLimit(h.opts.MaxFrameBytes)
	c := newConn(h, ws, p, reauth)
	if !h.register(c) {
		_ = ws.Close(websocket.StatusGoingAway, "server shutting down")
		return
	}
	defer h.wg.Done()
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		c.writeLoop()
	}()
	c.readLoop()
	c.kill(websocket.StatusNormalClosure, "")
	<-writerDone
	h.unregister(c)
}

// authenticate resolves the request's bearer token or session cookie and
// returns the principal and a func that re-authenticates the same
// credential later.
func (h *Hub) authenticate(r *http.Request) (*auth.Principal, func(context.Context) (*auth.Principal, error), error) {
	var reauth func(context.Context) (*auth.Principal, error)
	if v := r.Header.Get("Authorization"); v != "" {
		scheme, token, ok := strings.Cut(v, " ")
		token = strings.TrimSpace(token)
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			return nil, nil, errs.ErrUnauthenticated
		}
		reauth = func(ctx context.Context) (*auth.Principal, error) { return h.svc.Auth.AuthenticateToken(ctx, token) }
	} else if ck, err := r.Cookie(h.opts.SessionCookie); err == nil && ck.Value != "" {
		secret := ck.Value
		reauth = func(ctx context.Context) (*auth.Principal, error) { return h.svc.Auth.AuthenticateSession(ctx, secret) }
	} else {
		return nil, nil, errs.ErrUnauthenticated
	}
	p, err := reauth(r.Context())
	if err != nil {
		return nil, nil, err
	}
	return p, reauth, nil
}

func (h *Hub) isClosed() bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.closed
}

// register adds c and queues its hello frame under the lock, so that no
// event frame precedes the hello. It reports false once the hub has shut
// down.
func (h *Hub) register(c *conn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.wg.Add(1)
	h.conns[c] = struct{}{}
	p := c.principal()
	if h.byAgent[p.AgentID] == nil {
		h.byAgent[p.AgentID] = map[*conn]struct{}{}
	}
	h.byAgent[p.AgentID][c] = struct{}{}
	hello, _ := json.Marshal(helloFrame{Type: "hello", AgentID: p.AgentID, Name: p.Name,
		LastEventID: h.lastEventID.Load(), TypingTTLms: h.opts.TypingTTL.Milliseconds()})
	c.enqueue(hello)
	return true
}

// unregister removes c and its view, telling the other viewers.
func (h *Hub) unregister(c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.leaveLocked(c)
	delete(h.conns, c)
	id := c.principal().AgentID
	delete(h.byAgent[id], c)
	if len(h.byAgent[id]) == 0 {
		delete(h.byAgent, id)
	}
}

// helloFrame is the first frame on every connection.
type helloFrame struct {
	Type        string `json:"type"`
	AgentID     int64  `json:"agent_id"`
	Name        string `json:"name"`
	LastEventID int64  `json:"last_event_id"`
	TypingTTLms int64  `json:"typing_ttl_ms"`
}

// errorFrame reports a client frame the server could not act on.
type errorFrame struct {
	Type           string `json:"type"`
	Code           string `json:"code"`
	Message        string `json:"message"`
	ConversationID int64  `json:"conversation_id,omitempty"`
}
