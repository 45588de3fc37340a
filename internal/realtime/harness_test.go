package realtime_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/kesherdesk/kesher/internal/agent"
	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/httpapi"
	"github.com/kesherdesk/kesher/internal/realtime"
	"github.com/kesherdesk/kesher/internal/testkit"
)

const adminToken = "ksr_test_admin_token_0123456789abcdef"

// desk is a running Kesher (API, hub, event dispatcher) on a fresh store.
type desk struct {
	t      *testing.T
	core   *app.Core
	hub    *realtime.Hub
	srv    *httptest.Server
	stop   func() // stops the hub and the dispatcher (idempotent)
	client *http.Client
}

func newDesk(t *testing.T, d *db.DB, opts realtime.Options) *desk {
	t.Helper()
	log := testkit.Logger()
	core := app.NewCoreFromDB(d, app.CoreOptions{Password: auth.FastPasswordParams, Store: db.Options{DataDir: t.TempDir()}}, log)
	if _, err := core.Bootstrap(context.Background(), app.BootstrapOptions{AdminPassword: "admin-password-1", APIToken: adminToken}); err != nil {
		t.Fatal(err)
	}
	opts.SessionCookie = httpapi.SessionCookie
	hub := realtime.New(realtime.Services{Auth: core.Auth, Conversations: core.Conversations, Bus: core.Bus, Notifications: core.Notifications}, opts, log)
	h, err := core.Handler(app.ServerOptions{Realtime: hub, API: httpapi.Options{TrustedOrigins: opts.TrustedOrigins}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = events.NewDispatcher(core.DB, core.Outbox, core.Bus, log).Run(ctx) })
	wg.Go(func() { _ = hub.Run(ctx) })
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); wg.Wait() }) }
	t.Cleanup(func() { stop(); srv.Close() })
	return &desk{t: t, core: core, hub: hub, srv: srv, stop: stop, client: srv.Client()}
}

// agentWithToken creates an agent in teams and returns its id and an API
// token.
func (k *desk) agentWithToken(name, role string, teams ...int64) (int64, string) {
	k.t.Helper()
	ctx := context.Background()
	a, err := k.core.Agents.Create(ctx, audit.System, agent.Input{Name: name, Email: strings.ToLower(name) + "@kesher.test",
		Role: role, TeamIDs: teams, Password: "password-" + name})
	if err != nil {
		k.t.Fatal(err)
	}
	tok, _, err := k.core.Auth.CreateToken(ctx, a.ID, "test", nil, nil)
	if err != nil {
		k.t.Fatal(err)
	}
	return a.ID, tok
}

// must sends a JSON request with the token and fails unless the status is
// want; it returns the decoded object.
func (k *desk) must(want int, method, path, token string, body any) map[string]any {
	k.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			k.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, k.srv.URL+path, rd)
	if err != nil {
		k.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := k.client.Do(req)
	if err != nil {
		k.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		k.t.Fatalf("%s %s: status %d, want %d\n%s", method, path, res.StatusCode, want, b)
	}
	var m map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &m); err != nil {
			k.t.Fatalf("%s %s: %v\n%s", method, path, err, b)
		}
	}
	return m
}

// team creates a team and an API inbox routed to it (teamless when name is
// "") and returns their ids.
func (k *desk) team(name string) (teamID, inboxID int64) {
	k.t.Helper()
	box := map[string]any{"name": "API " + name, "channel": "api"}
	if name != "" {
		teamID = num(k.must(201, "POST", "/api/v1/teams", adminToken, map[string]any{"name": name})["id"])
		box["team_id"] = teamID
	}
	return teamID, num(k.must(201, "POST", "/api/v1/inboxes", adminToken, box)["id"])
}

// conversation opens a conversation in inbox with one inbound message and
// returns its id once its events have been pushed.
func (k *desk) conversation(inboxID int64, subject string) int64 {
	k.t.Helper()
	id := num(k.must(201, "POST", "/api/v1/conversations", adminToken, map[string]any{"inbox_id": inboxID, "subject": subject,
		"requester": map[string]any{"name": "Dana", "email": "dana@example.com"},
		"message":   map[string]any{"direction": "inbound", "body": "Where is my order?"}})["id"])
	k.settle()
	return id
}

// settle waits until the dispatcher has handed every committed event to
// the hub (it deletes them from the outbox after the handlers return).
func (k *desk) settle() {
	k.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var n int
		if err := k.core.DB.R().QueryRow(context.Background(), `SELECT COUNT(*) FROM event_outbox`).Scan(&n); err != nil {
			k.t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			k.t.Fatalf("%d events still in the outbox after 5 s", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (k *desk) wsURL() string { return "ws" + strings.TrimPrefix(k.srv.URL, "http") + "/api/v1/ws" }

// dial opens a socket with the given headers and returns the client and
// the handshake's HTTP status.
func (k *desk) dial(h http.Header) (*client, int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, res, err := websocket.Dial(ctx, k.wsURL(), &websocket.DialOptions{HTTPHeader: h})
	status := 0
	if res != nil {
		status = res.StatusCode
	}
	if err != nil {
		return nil, status, err
	}
	c := &client{t: k.t, ws: ws, frames: make(chan map[string]any, 1024), done: make(chan struct{})}
	go c.read()
	k.t.Cleanup(func() { _ = ws.CloseNow() })
	return c, status, nil
}

// connect dials with a bearer token and returns the client after checking
// its hello frame.
func (k *desk) connect(token string, agentID int64) *client {
	k.t.Helper()
	c, _, err := k.dial(http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		k.t.Fatal(err)
	}
	c.hello = c.next()
	if c.hello["type"] != "hello" || num(c.hello["agent_id"]) != agentID {
		k.t.Fatalf("first frame: %v, want hello for agent %d", c.hello, agentID)
	}
	return c
}

// client is a test WebSocket client that decodes every frame into frames.
type client struct {
	t      *testing.T
	ws     *websocket.Conn
	frames chan map[string]any
	done   chan struct{}
	err    error // why reading stopped; read after done is closed
	hello  map[string]any
}

func (c *client) read() {
	defer close(c.done)
	for {
		_, b, err := c.ws.Read(context.Background())
		if err != nil {
			c.err = err
			return
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			c.err = fmt.Errorf("frame is not JSON: %v: %s", err, b)
			return
		}
		c.frames <- m
	}
}

// next returns the next frame, failing after 2 s.
func (c *client) next() map[string]any {
	c.t.Helper()
	select {
	case f := <-c.frames:
		return f
	case <-time.After(2 * time.Second):
		c.t.Fatal("no frame within 2 s")
		return nil
	}
}

// send writes one JSON frame.
func (c *client) send(v any) {
	c.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, b); err != nil {
		c.t.Fatal(err)
	}
}

// closedWith waits up to wait for the server to close the socket and
// returns the close code (-1 for no close frame).
func (c *client) closedWith(wait time.Duration) websocket.StatusCode {
	c.t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case <-c.done:
			if websocket.CloseStatus(c.err) == -1 {
				c.t.Logf("read ended with %v", c.err)
			}
			return websocket.CloseStatus(c.err)
		case f := <-c.frames:
			_ = f // frames queued before the close
		case <-deadline:
			c.t.Fatalf("socket still open after %s", wait)
			return 0
		}
	}
}

func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}
