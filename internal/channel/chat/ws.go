package chat

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/httpapi"
)

// sendBuffer is the most frames queued for one visitor socket; a socket
// further behind is closed with 1013 (the widget reconnects and resyncs).
const sendBuffer = 64

// vconn is one visitor socket.
type vconn struct {
	ws        *websocket.Conn
	visitorID int64
	send      chan []byte
	once      sync.Once
	done      chan struct{}
	mu        sync.Mutex
	convID    int64
}

func (c *vconn) enqueue(frame []byte) {
	select {
	case <-c.done:
	case c.send <- frame:
	default:
		c.kill(websocket.StatusTryAgainLater, "too far behind")
	}
}

func (c *vconn) kill(code websocket.StatusCode, reason string) {
	c.once.Do(func() {
		close(c.done)
		go func() { _ = c.ws.Close(code, reason) }()
	})
}

func (c *vconn) conversation() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.convID
}

// frame is a visitor → server frame.
type frame struct {
	Type          string  `json:"type"`
	Text          string  `json:"text"`
	AttachmentIDs []int64 `json:"attachment_ids"`
	On            bool    `json:"on"`
	InteractionID int64   `json:"interaction_id"`
	Solved        bool    `json:"solved"`
}

type errorFrame struct {
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func marshal(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// serveWS authenticates GET /widget/v1/ws?token=VISITOR_TOKEN, checks the
// Origin against the widget's allowed origins and serves the socket; 429
// past MaxVisitorSockets open sockets of the visitor or SessionsPerMinute
// connects an address.
func (s *Service) serveWS(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v, err := s.visitorByToken(ctx, s.svc.DB.R(), r.URL.Query().Get("token"))
	if err != nil {
		httpapi.WriteError(w, r, s.log, err)
		return
	}
	box, err := s.svc.Inboxes.Get(ctx, v.InboxID)
	if err != nil {
		httpapi.WriteError(w, r, s.log, err)
		return
	}
	wd, _ := widgetOf(box)
	if !OriginAllowed(r.Header.Get("Origin"), r.Host, wd.AllowedOrigins) {
		httpapi.WriteProblem(w, r, http.StatusForbidden, "forbidden", "Origin not allowed",
			"this widget may not be embedded on "+r.Header.Get("Origin"))
		return
	}
	// Sockets cost goroutines and buffers: a few per visitor (its tabs), and
	// connects per address at the session rate.
	if !s.ipAllowed(r, "ws") || s.visitorSockets(v.ID) >= MaxVisitorSockets {
		s.fail(w, r, errRateLimited)
		return
	}
	// The origin was checked above, against the widget's own list.
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		s.log.Debug("chat websocket refused", "origin", r.Header.Get("Origin"), "err", err)
		return
	}
	ws.SetReadLimit(s.o.MaxFrameBytes)
	c := &vconn{ws: ws, visitorID: v.ID, send: make(chan []byte, sendBuffer), done: make(chan struct{}), convID: v.ConversationID}
	s.register(c)
	defer s.unregister(c)
	c.enqueue(marshal(map[string]any{"type": "status", "online": s.online(ctx, wd), "conversation_id": v.ConversationID}))
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	written := make(chan struct{})
	go func() {
		defer close(written)
		s.writeLoop(wctx, c)
	}()
	s.readLoop(ctx, c)
	c.kill(websocket.StatusNormalClosure, "")
	// Let a write in progress finish before wctx is cancelled: cancelling
	// a write's context tears the connection down without the close frame
	// kill is sending (the visitor would see a broken connection, not 1008).
	<-written
}

func (s *Service) writeLoop(ctx context.Context, c *vconn) {
	t := time.NewTicker(s.o.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-ctx.Done():
			return
		case f := <-c.send:
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := c.ws.Write(wctx, websocket.MessageText, f)
			cancel()
			if err != nil {
				c.kill(websocket.StatusGoingAway, "write failed")
				return
			}
		case <-t.C:
			pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			err := c.ws.Ping(pctx)
			cancel()
			if err != nil {
				c.kill(websocket.StatusGoingAway, "ping timeout")
				return
			}
		}
	}
}

func (s *Service) readLoop(ctx context.Context, c *vconn) {
	lim := rate.NewLimiter(rate.Limit(s.o.FrameRate), int(2*s.o.FrameRate))
	for {
		typ, data, err := c.ws.Read(ctx)
		if err != nil {
			return // closed, too large (1009 sent by the library) or gone
		}
		if !lim.Allow() {
			c.kill(websocket.StatusPolicyViolation, "too many frames")
			return
		}
		var f frame
		if typ != websocket.MessageText || json.Unmarshal(data, &f) != nil {
			c.enqueue(marshal(errorFrame{Type: "error", Code: "bad_frame", Message: "send one JSON object per text frame"}))
			continue
		}
		s.handle(ctx, c, f)
	}
}

// handle acts on one visitor frame.
func (s *Service) handle(ctx context.Context, c *vconn, f frame) {
	fail := func(err error) {
		var ve *errs.ValidationError
		switch {
		case errors.As(err, &ve):
			e := errorFrame{Type: "error", Code: "invalid", Message: ve.Error()}
			if len(ve.Fields) > 0 {
				e.Field, e.Code = ve.Fields[0].Field, ve.Fields[0].Code
			}
			c.enqueue(marshal(e))
		case errors.Is(err, errs.ErrNotFound), errors.Is(err, errs.ErrConflict):
			c.enqueue(marshal(errorFrame{Type: "error", Code: "not_found", Message: err.Error()}))
		default:
			s.log.Error("chat frame failed", "type", f.Type, "visitor", c.visitorID, "err", err)
			c.enqueue(marshal(errorFrame{Type: "error", Code: "internal", Message: "the server failed; try again"}))
		}
	}
	switch f.Type {
	case "ping":
		c.enqueue([]byte(`{"type":"pong"}`))
	case "message":
		if !s.lim.messages.Allow(keyOf("m", c.visitorID)) {
			c.enqueue(marshal(errorFrame{Type: "error", Code: "rate_limited", Message: "too many messages; wait a moment"}))
			return
		}
		msg, v, err := s.Send(ctx, c.visitorID, MessageInput{Text: f.Text, AttachmentIDs: f.AttachmentIDs})
		if err != nil {
			fail(err)
			return
		}
		s.visitorTyping(v.ConversationID, false)
		// The sender's socket gets its message at once (the event may be
		// delivered before the socket is bound to a new conversation);
		// frames carry the message id, so a copy from the event is
		// recognized.
		if vm, err := s.visitorMessage(ctx, v, msg); err == nil {
			c.enqueue(marshal(map[string]any{"type": "message", "conversation_id": v.ConversationID, "message": vm}))
		}
	case "typing":
		s.visitorTyping(c.conversation(), f.On)
	case "bot.answer", "handover":
		id := c.conversation()
		if s.svc.Bot == nil || id == 0 {
			c.enqueue(marshal(errorFrame{Type: "error", Code: "unavailable", Message: "no bot in this conversation"}))
			return
		}
		var err error
		if f.Type == "handover" {
			err = s.svc.Bot.Handover(ctx, id)
		} else {
			err = s.svc.Bot.Answer(ctx, id, f.InteractionID, f.Solved)
		}
		if err != nil {
			fail(err)
		}
	default:
		c.enqueue(marshal(errorFrame{Type: "error", Code: "unknown_type", Message: "unknown frame type " + f.Type}))
	}
}

func (s *Service) register(c *vconn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	add(s.vis, c.visitorID, c)
	if c.convID != 0 {
		add(s.conv, c.convID, c)
	}
}

func (s *Service) unregister(c *vconn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	remove(s.vis, c.visitorID, c)
	remove(s.conv, c.conversation(), c)
}

// bind moves the visitor's sockets to its (new) current conversation.
func (s *Service) bind(visitorID, convID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.vis[visitorID] {
		c.mu.Lock()
		old := c.convID
		c.convID = convID
		c.mu.Unlock()
		if old != convID {
			remove(s.conv, old, c)
			add(s.conv, convID, c)
		}
	}
}

func add(m map[int64]map[*vconn]struct{}, k int64, c *vconn) {
	if m[k] == nil {
		m[k] = map[*vconn]struct{}{}
	}
	m[k][c] = struct{}{}
}

func remove(m map[int64]map[*vconn]struct{}, k int64, c *vconn) {
	delete(m[k], c)
	if len(m[k]) == 0 {
		delete(m, k)
	}
}

// sockets returns the sockets of conversation id's visitor.
// MaxVisitorSockets is the most sockets a visitor may hold open at once
// (one per browser tab); more are answered 429.
const MaxVisitorSockets = 10

// visitorSockets is the number of open sockets of visitor id.
func (s *Service) visitorSockets(id int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.vis[id])
}

func (s *Service) sockets(id int64) []*vconn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*vconn, 0, len(s.conv[id]))
	for c := range s.conv[id] {
		out = append(out, c)
	}
	return out
}

// Subscribe delivers committed message.created events of conversations
// with a connected visitor: public replies (never notes or events) are
// pushed as "message" frames. It returns the unsubscribe func.
func (s *Service) Subscribe(bus events.Bus) (unsubscribe func()) {
	return bus.Subscribe(events.MessageCreated, s.onMessageCreated)
}

func (s *Service) onMessageCreated(ctx context.Context, e events.Event) error {
	p, err := conversation.DecodeMessageCreated(e)
	if err != nil {
		return nil // not a payload of ours: nothing to deliver
	}
	if p.Kind != conversation.KindReply {
		return nil
	}
	conns := s.sockets(p.ConversationID)
	if len(conns) == 0 {
		return nil
	}
	msgs, err := s.svc.Conversations.ListMessages(ctx, p.ConversationID, p.MessageID-1, 1)
	if err != nil {
		return err
	}
	if len(msgs) == 0 || msgs[0].ID != p.MessageID || msgs[0].Kind != conversation.KindReply {
		return nil
	}
	v, err := scanVisitor(s.svc.DB.R().QueryRow(ctx, `SELECT `+visitorCols+` FROM chat_visitors WHERE id = ?`, conns[0].visitorID))
	if err != nil {
		return err
	}
	vm, err := s.visitorMessage(ctx, v, msgs[0])
	if err != nil {
		return err
	}
	f := marshal(map[string]any{"type": "message", "message": vm})
	for _, c := range conns {
		c.enqueue(f)
	}
	return nil
}

// AgentTyping shows the agents typing in conversation id to its visitor:
// {"type":"typing","on":bool,"name":"…"} (the first name; "" when none).
// It never blocks; realtime.Hub.ObserveTyping calls it.
func (s *Service) AgentTyping(id int64, names []string) {
	conns := s.sockets(id)
	if len(conns) == 0 {
		return
	}
	name := ""
	if len(names) > 0 {
		name = names[0]
	}
	f := marshal(map[string]any{"type": "typing", "on": len(names) > 0, "name": name})
	for _, c := range conns {
		c.enqueue(f)
	}
}
