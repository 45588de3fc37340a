package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/errs"
)

// authCacheRecheck follows an agent.updated reload with another one after
// auth's principal cache (10 s) has surely expired: the event can reach us
// before the agent service drops the cached, outdated principal.
const authCacheRecheck = 11 * time.Second

// lookupTimeout bounds the database reads done for one connection.
const lookupTimeout = 5 * time.Second

var pongFrame = []byte(`{"type":"pong"}`)

// conn is one agent's socket. Its reader runs in the HTTP handler's
// goroutine and its writer in another; every frame goes through send, so
// the writer is the socket's only data writer.
type conn struct {
	h      *Hub
	ws     *websocket.Conn
	p      atomic.Pointer[auth.Principal]
	reauth func(context.Context) (*auth.Principal, error)
	send   chan []byte
	reload chan struct{}
	// ctx ends when the connection is being closed; it stops the writer.
	ctx       context.Context
	cancel    context.CancelFunc
	closeOnce sync.Once
	pinging   atomic.Bool

	// Guarded by h.mu.
	viewing     int64
	typingUntil time.Time

	// Used by the reader only: a token bucket of client frames.
	allowance float64
	lastFrame time.Time
}

func newConn(h *Hub, ws *websocket.Conn, p *auth.Principal, reauth func(context.Context) (*auth.Principal, error)) *conn {
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{h: h, ws: ws, reauth: reauth, send: make(chan []byte, h.opts.SendBuffer), reload: make(chan struct{}, 1),
		ctx: ctx, cancel: cancel, allowance: 2 * h.opts.FrameRate, lastFrame: time.Now()}
	c.p.Store(p)
	return c
}

func (c *conn) principal() *auth.Principal { return c.p.Load() }

// enqueue queues frame without blocking; a connection whose queue is full
// is closed (1013) and must reconnect and resync.
func (c *conn) enqueue(frame []byte) {
	select {
	case c.send <- frame:
	default:
		c.kill(websocket.StatusTryAgainLater, "fell behind; reconnect and resync")
	}
}

// kill closes the connection with a close handshake (in the background, so
// callers holding the hub's lock never wait on the network).
func (c *conn) kill(code websocket.StatusCode, reason string) {
	c.closeOnce.Do(func() {
		c.cancel()
		go func() { _ = c.ws.Close(code, reason) }()
	})
}

// abort closes a connection whose peer is gone, without a handshake.
func (c *conn) abort() {
	c.closeOnce.Do(func() {
		c.cancel()
		go func() { _ = c.ws.CloseNow() }()
	})
}

// writeLoop writes queued frames, pings, and re-authenticates until the
// connection is closed.
func (c *conn) writeLoop() {
	o := c.h.opts
	ping := time.NewTicker(o.PingInterval)
	defer ping.Stop()
	// Jitter spreads the re-authentication of connections opened together.
	reload := time.NewTimer(o.ReloadEvery + rand.N(o.ReloadEvery/4+1))
	defer reload.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case f := <-c.send:
			// No per-write deadline (a timer per frame costs more than the
			// rest of the fan-out): a write stuck on a dead peer is cut when
			// the next ping times out and abort closes the socket, or when
			// the queue fills and kill does. Not c.ctx either: cancelling a
			// write's context makes the library drop the socket before
			// kill's close frame is out.
			if err := c.ws.Write(context.Background(), websocket.MessageText, f); err != nil {
				c.abort()
				return
			}
		case <-ping.C:
			if c.pinging.CompareAndSwap(false, true) {
				go c.ping()
			}
		case <-c.reload:
			c.refresh()
			reload.Reset(authCacheRecheck)
		case <-reload.C:
			c.refresh()
			reload.Reset(o.ReloadEvery)
		}
	}
}

// ping runs beside the writer so that waiting for the pong never delays
// frames; a peer that does not answer within PongTimeout is dropped.
func (c *conn) ping() {
	defer c.pinging.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), c.h.opts.PongTimeout)
	defer cancel()
	if err := c.ws.Ping(ctx); err != nil && c.ctx.Err() == nil {
		c.abort()
	}
}

// refresh re-authenticates the connection's credential, closing it with
// CloseUnauthenticated when that fails, and drops its view if the agent may
// no longer see the conversation.
func (c *conn) refresh() {
	ctx, cancel := context.WithTimeout(c.ctx, lookupTimeout)
	defer cancel()
	p, err := c.reauth(ctx)
	if errors.Is(err, errs.ErrUnauthenticated) {
		c.kill(CloseUnauthenticated, "authentication ended; sign in again")
		return
	}
	if err != nil {
		if c.ctx.Err() == nil {
			c.h.log.Warn("websocket re-authentication failed", "agent_id", c.principal().AgentID, "err", err)
		}
		return
	}
	c.p.Store(p)
	if id := c.h.viewingOf(c); id != 0 {
		conv, err := c.h.svc.Conversations.Get(ctx, id)
		if errors.Is(err, errs.ErrNotFound) || (err == nil && !p.CanSeeConversation(conv.TeamIDOr0(), conv.AssigneeIDOr0())) {
			c.h.leave(c, id)
		}
	}
}

// clientFrame is any client frame; fields a type does not use are ignored.
type clientFrame struct {
	Type           string `json:"type"`
	ConversationID *int64 `json:"conversation_id"`
	Typing         *bool  `json:"typing"`
}

// readLoop handles client frames until the connection closes.
func (c *conn) readLoop() {
	for {
		// Not c.ctx: a cancelled read context makes the library drop the
		// socket without the close frame that kill sends.
		typ, b, err := c.ws.Read(context.Background())
		if err != nil {
			return
		}
		if !c.allow(time.Now()) {
			c.kill(websocket.StatusPolicyViolation, "too many frames")
			return
		}
		var f clientFrame
		if typ != websocket.MessageText || json.Unmarshal(b, &f) != nil {
			c.sendError("bad_frame", "send one JSON object per text frame", 0)
			continue
		}
		switch f.Type {
		case "ping":
			c.enqueue(pongFrame)
		case "view":
			c.view(f.ConversationID)
		case "typing":
			c.typing(f)
		default:
			c.sendError("unknown_type", "type must be view, typing or ping", 0)
		}
	}
}

// allow takes a token from the connection's bucket (FrameRate a second,
// bursts of twice that).
func (c *conn) allow(now time.Time) bool {
	rate := c.h.opts.FrameRate
	c.allowance = min(c.allowance+now.Sub(c.lastFrame).Seconds()*rate, 2*rate)
	c.lastFrame = now
	if c.allowance < 1 {
		return false
	}
	c.allowance--
	return true
}

// view handles {"type":"view"}: null or 0 leaves; otherwise the
// conversation must exist and be visible to the agent.
func (c *conn) view(id *int64) {
	if id == nil || *id == 0 {
		c.h.setView(c, 0)
		return
	}
	if *id < 0 {
		c.sendError("bad_frame", "conversation_id must be a positive number or null", 0)
		return
	}
	ctx, cancel := context.WithTimeout(c.ctx, lookupTimeout)
	defer cancel()
	conv, err := c.h.svc.Conversations.Get(ctx, *id)
	p := c.principal()
	if errors.Is(err, errs.ErrNotFound) || (err == nil && !p.CanSeeConversation(conv.TeamIDOr0(), conv.AssigneeIDOr0())) {
		c.sendError("not_found", "no such conversation, or not one you may see", *id)
		return
	}
	if err != nil {
		if c.ctx.Err() == nil {
			c.h.log.Error("websocket view lookup failed", "conversation_id", *id, "err", err)
			c.sendError("internal", "the server failed; try again", *id)
		}
		return
	}
	c.h.setView(c, *id)
}

// typing handles {"type":"typing"} for the conversation c views.
func (c *conn) typing(f clientFrame) {
	if f.ConversationID == nil || f.Typing == nil {
		c.sendError("bad_frame", "typing needs conversation_id and typing", 0)
		return
	}
	if !c.h.setTyping(c, *f.ConversationID, *f.Typing, time.Now()) {
		c.sendError("not_viewing", "send a view frame for this conversation first", *f.ConversationID)
	}
}

func (c *conn) sendError(code, msg string, conversationID int64) {
	b, _ := json.Marshal(errorFrame{Type: "error", Code: code, Message: msg, ConversationID: conversationID})
	c.enqueue(b)
}
