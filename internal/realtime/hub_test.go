package realtime_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/realtime"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestEventFanout: an agent sees a teammate's reply and note appear within
// a second of the REST call returning; an agent of another team receives
// nothing about that conversation; a new socket's hello names the last
// event pushed.
func TestEventFanout(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, realtime.Options{})
		support, supportBox := k.team("Support")
		billing, _ := k.team("Billing")
		_, sharedBox := k.team("")
		noaID, noaTok := k.agentWithToken("Noa", "agent", support)
		omerID, omerTok := k.agentWithToken("Omer", "agent", support)
		liorID, liorTok := k.agentWithToken("Lior", "agent", billing)
		noa := k.connect(noaTok, noaID)
		lior := k.connect(liorTok, liorID)

		convID := k.conversation(supportBox, "Order 1234 late")
		created := noa.next()
		if created["type"] != "conversation.created" || num(created["conversation_id"]) != convID || num(created["team_id"]) != support ||
			created["status"] != "new" || num(created["event_id"]) <= 0 {
			t.Fatalf("conversation.created frame: %v", created)
		}
		if c := created["conversation"].(map[string]any); c["subject"] != "Order 1234 late" || num(c["id"]) != convID {
			t.Fatalf("frame conversation: %v", c)
		}
		first := noa.next()
		if first["type"] != "message.created" || first["direction"] != "inbound" || num(first["event_id"]) <= num(created["event_id"]) {
			t.Fatalf("first message frame: %v", first)
		}

		reply := k.must(201, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", convID), omerTok, map[string]any{"body": "On it"})
		posted := time.Now()
		got := noa.next()
		latency := time.Since(posted)
		if got["type"] != "message.created" || num(got["conversation_id"]) != convID || num(got["message_id"]) != num(reply["id"]) ||
			got["kind"] != "reply" || got["direction"] != "outbound" || got["author_type"] != "agent" {
			t.Fatalf("reply frame: %v (reply %v)", got, reply)
		}
		if c := got["conversation"].(map[string]any); num(c["message_count"]) != 2 || c["status"] != "open" {
			t.Fatalf("conversation after reply: %v", c)
		}
		if latency > time.Second {
			t.Fatalf("reply reached the other agent after %s", latency)
		}
		t.Logf("reply pushed %s after the POST returned", latency)

		note := k.must(201, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", convID), omerTok, map[string]any{"kind": "note", "body": "Courier called"})
		if got := noa.next(); got["type"] != "message.created" || got["kind"] != "note" || num(got["message_id"]) != num(note["id"]) {
			t.Fatalf("note frame: %v", got)
		}
		k.must(200, "PATCH", fmt.Sprintf("/api/v1/conversations/%d", convID), omerTok, map[string]any{"priority": "urgent"})
		upd := noa.next()
		if upd["type"] != "conversation.updated" || fmt.Sprint(upd["changes"]) != "[priority]" ||
			upd["conversation"].(map[string]any)["priority"] != "urgent" {
			t.Fatalf("update frame: %v", upd)
		}

		// Lior (Billing) must not have heard of the Support conversation:
		// the first frame after hello is the shared-queue conversation.
		shared := k.conversation(sharedBox, "Shared question")
		if got := lior.next(); got["type"] != "conversation.created" || num(got["conversation_id"]) != shared {
			t.Fatalf("billing agent's first frame: %v, want conversation.created of %d", got, shared)
		}
		if got := noa.next(); got["type"] != "conversation.created" || num(got["conversation_id"]) != shared {
			t.Fatalf("support agent's frame: %v", got)
		}
		last := noa.next()
		if got := lior.next(); num(got["event_id"]) != num(last["event_id"]) {
			t.Fatalf("billing agent got %v, want the shared message (event %v)", got, last["event_id"])
		}
		hello := k.connect(omerTok, omerID).hello
		if num(hello["last_event_id"]) != num(last["event_id"]) || num(hello["typing_ttl_ms"]) != 6000 || hello["name"] != "Omer" {
			t.Fatalf("hello %v, want last_event_id %v and typing_ttl_ms 6000", hello, last["event_id"])
		}
	})
}

// TestUpgradeAuth: no or bad credentials get 401 before any upgrade; a
// token without conversations:read gets 403; a session cookie works from
// the same origin and from a trusted one, and is refused from any other.
func TestUpgradeAuth(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, realtime.Options{TrustedOrigins: []string{"http://localhost:5173"}})
		for name, h := range map[string]http.Header{
			"none":          {},
			"bad token":     {"Authorization": {"Bearer ksr_not_a_real_token_000000000000"}},
			"basic":         {"Authorization": {"Basic YWRtaW46cGFzcw=="}},
			"bad cookie":    {"Cookie": {"kesher_session=kss_nope"}},
			"cross no auth": {"Origin": {"https://evil.example"}},
		} {
			_, status, err := k.dial(h)
			if err == nil || status != http.StatusUnauthorized {
				t.Fatalf("%s: status %d, err %v; want 401", name, status, err)
			}
		}
		res, err := k.client.Get(k.srv.URL + "/api/v1/ws")
		if err != nil {
			t.Fatal(err)
		}
		var p map[string]any
		_ = json.NewDecoder(res.Body).Decode(&p)
		res.Body.Close()
		if res.StatusCode != 401 || res.Header.Get("Content-Type") != "application/problem+json" ||
			p["type"] != "https://kesher.dev/problems/unauthenticated" || num(p["status"]) != 401 {
			t.Fatalf("plain GET: %d %v", res.StatusCode, p)
		}

		narrow := k.must(201, "POST", "/api/v1/tokens", adminToken, map[string]any{"name": "contacts only", "scopes": []string{"contacts:read"}})
		if _, status, _ := k.dial(http.Header{"Authorization": {"Bearer " + narrow["token"].(string)}}); status != http.StatusForbidden {
			t.Fatalf("token without conversations:read: status %d, want 403", status)
		}

		support, _ := k.team("Support")
		noaID, _ := k.agentWithToken("Noa", "agent", support)
		login, err := k.client.Post(k.srv.URL+"/api/v1/auth/login", "application/json",
			strings.NewReader(`{"email":"noa@kesher.test","password":"password-Noa"}`))
		if err != nil {
			t.Fatal(err)
		}
		login.Body.Close()
		var cookie string
		for _, c := range login.Cookies() {
			if c.Name == "kesher_session" {
				cookie = c.Name + "=" + c.Value
			}
		}
		if login.StatusCode != 200 || cookie == "" {
			t.Fatalf("login: %d, cookie %q", login.StatusCode, cookie)
		}
		for _, origin := range []string{"", k.srv.URL, "http://localhost:5173"} {
			h := http.Header{"Cookie": {cookie}}
			if origin != "" {
				h.Set("Origin", origin)
			}
			c, status, err := k.dial(h)
			if err != nil || status != http.StatusSwitchingProtocols {
				t.Fatalf("cookie from %q: status %d, err %v", origin, status, err)
			}
			if hello := c.next(); hello["type"] != "hello" || num(hello["agent_id"]) != noaID {
				t.Fatalf("hello via cookie: %v", hello)
			}
		}
		for _, origin := range []string{"https://evil.example", "http://localhost:5174", "null"} {
			_, status, err := k.dial(http.Header{"Cookie": {cookie}, "Origin": {origin}})
			if err == nil || status != http.StatusForbidden {
				t.Fatalf("cookie from origin %q: status %d, err %v; want 403", origin, status, err)
			}
		}
	})
}

// TestAuthorizationChanges: joining a team shows its conversations without
// a reconnect; deactivation closes the socket with 4401; shutdown with 1001.
func TestAuthorizationChanges(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, realtime.Options{})
		support, supportBox := k.team("Support")
		billing, _ := k.team("Billing")
		liorID, liorTok := k.agentWithToken("Lior", "agent", billing)
		lior := k.connect(liorTok, liorID)
		convID := k.conversation(supportBox, "Refund")

		lior.send(map[string]any{"type": "view", "conversation_id": convID})
		if got := lior.next(); got["type"] != "error" || got["code"] != "not_found" || num(got["conversation_id"]) != convID {
			t.Fatalf("view of another team's conversation: %v", got)
		}
		k.must(200, "PATCH", fmt.Sprintf("/api/v1/agents/%d", liorID), adminToken, map[string]any{"team_ids": []int64{billing, support}})
		// agent.updated makes the socket re-authenticate; poll with view
		// frames until the new team counts.
		deadline := time.Now().Add(3 * time.Second)
		for {
			lior.send(map[string]any{"type": "view", "conversation_id": convID})
			got := lior.next()
			if got["type"] == "presence" {
				if a := got["agents"].([]any); len(a) != 1 || num(a[0].(map[string]any)["agent_id"]) != liorID {
					t.Fatalf("presence after joining: %v", got)
				}
				break
			}
			if got["code"] != "not_found" || time.Now().After(deadline) {
				t.Fatalf("after joining Support: %v", got)
			}
			time.Sleep(100 * time.Millisecond)
		}
		msg := k.must(201, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", convID), adminToken, map[string]any{"body": "Refunded"})
		if got := lior.next(); got["type"] != "message.created" || num(got["message_id"]) != num(msg["id"]) {
			t.Fatalf("frame after joining: %v", got)
		}

		k.must(200, "PATCH", fmt.Sprintf("/api/v1/agents/%d", liorID), adminToken, map[string]any{"active": false})
		if code := lior.closedWith(3 * time.Second); code != realtime.CloseUnauthenticated {
			t.Fatalf("deactivated agent's socket closed with %d, want %d", code, realtime.CloseUnauthenticated)
		}

		noaID, noaTok := k.agentWithToken("Noa", "agent", support)
		noa := k.connect(noaTok, noaID)
		k.stop()
		if code := noa.closedWith(3 * time.Second); code != websocket.StatusGoingAway {
			t.Fatalf("shutdown closed with %d, want 1001", code)
		}
		if n := k.hub.Connections(); n != 0 {
			t.Fatalf("%d connections after shutdown", n)
		}
		if _, status, _ := k.dial(http.Header{"Authorization": {"Bearer " + noaTok}}); status != http.StatusServiceUnavailable {
			t.Fatalf("upgrade after shutdown: status %d, want 503", status)
		}
	})
}

// TestDeadPeer: a client that never answers pings is dropped.
func TestDeadPeer(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, realtime.Options{PingInterval: 100 * time.Millisecond, PongTimeout: 100 * time.Millisecond})
		// Not reading means not answering pings.
		ctx := t.Context()
		ws, _, err := websocket.Dial(ctx, k.wsURL(), &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + adminToken}}})
		if err != nil {
			t.Fatal(err)
		}
		defer ws.CloseNow()
		start := time.Now()
		seen := false
		for {
			n := k.hub.Connections()
			seen = seen || n == 1
			if n == 0 && seen {
				break
			}
			if time.Since(start) > 2*time.Second {
				t.Fatalf("%d connections 2 s after a silent peer connected (seen: %v)", n, seen)
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Logf("silent peer dropped after %s", time.Since(start).Round(time.Millisecond))
	})
}
