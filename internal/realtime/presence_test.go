package realtime_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/realtime"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// presenceOf renders a presence frame as "conv: id:name:typing …" for
// comparison.
func presenceOf(t *testing.T, f map[string]any) string {
	t.Helper()
	if f["type"] != "presence" {
		t.Fatalf("frame %v, want presence", f)
	}
	s := fmt.Sprintf("%d:", num(f["conversation_id"]))
	for _, a := range f["agents"].([]any) {
		m := a.(map[string]any)
		s += fmt.Sprintf(" %d:%s:%v", num(m["agent_id"]), m["name"], m["typing"])
	}
	return s
}

// TestPresence: two agents viewing one conversation see each other; typing
// shows and lapses after the TTL; a disconnect removes the viewer; agents
// who may not see a conversation cannot view it.
func TestPresence(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		const ttl = 400 * time.Millisecond
		k := newDesk(t, d, realtime.Options{TypingTTL: ttl})
		support, supportBox := k.team("Support")
		billing, _ := k.team("Billing")
		noaID, noaTok := k.agentWithToken("Noa", "agent", support)
		omerID, omerTok := k.agentWithToken("Omer", "agent", support)
		liorID, liorTok := k.agentWithToken("Lior", "agent", billing)
		convID := k.conversation(supportBox, "Broken kettle")
		noa := k.connect(noaTok, noaID)
		omer := k.connect(omerTok, omerID)
		lior := k.connect(liorTok, liorID)
		if ms := num(noa.hello["typing_ttl_ms"]); ms != ttl.Milliseconds() {
			t.Fatalf("typing_ttl_ms %d", ms)
		}
		want := func(c *client, s string) {
			t.Helper()
			if got := presenceOf(t, c.next()); got != s {
				t.Fatalf("presence %q, want %q", got, s)
			}
		}
		both := func(s string) { t.Helper(); want(noa, s); want(omer, s) }
		noaOnly := fmt.Sprintf("%d: %d:Noa:false", convID, noaID)

		noa.send(map[string]any{"type": "view", "conversation_id": convID})
		want(noa, noaOnly)
		omer.send(map[string]any{"type": "view", "conversation_id": convID})
		both(fmt.Sprintf("%d: %d:Noa:false %d:Omer:false", convID, noaID, omerID))

		// A second tab of Omer's changes nothing for the others but is told
		// who is there.
		omer2 := k.connect(omerTok, omerID)
		omer2.send(map[string]any{"type": "view", "conversation_id": convID})
		want(omer2, fmt.Sprintf("%d: %d:Noa:false %d:Omer:false", convID, noaID, omerID))

		omer.send(map[string]any{"type": "typing", "conversation_id": convID, "typing": true})
		typed := time.Now()
		both(fmt.Sprintf("%d: %d:Noa:false %d:Omer:true", convID, noaID, omerID))
		want(omer2, fmt.Sprintf("%d: %d:Noa:false %d:Omer:true", convID, noaID, omerID))
		// No refresh: typing lapses after the TTL.
		both(fmt.Sprintf("%d: %d:Noa:false %d:Omer:false", convID, noaID, omerID))
		want(omer2, fmt.Sprintf("%d: %d:Noa:false %d:Omer:false", convID, noaID, omerID))
		if lapsed := time.Since(typed); lapsed < ttl || lapsed > ttl+time.Second {
			t.Fatalf("typing lapsed after %s, want about %s", lapsed, ttl)
		}
		noa.send(map[string]any{"type": "typing", "conversation_id": convID, "typing": true})
		both(fmt.Sprintf("%d: %d:Noa:true %d:Omer:false", convID, noaID, omerID))
		// A refresh changes nothing and sends nothing; typing:false does.
		noa.send(map[string]any{"type": "typing", "conversation_id": convID, "typing": true})
		noa.send(map[string]any{"type": "typing", "conversation_id": convID, "typing": false})
		both(fmt.Sprintf("%d: %d:Noa:false %d:Omer:false", convID, noaID, omerID))
		want(omer2, fmt.Sprintf("%d: %d:Noa:true %d:Omer:false", convID, noaID, omerID))
		want(omer2, fmt.Sprintf("%d: %d:Noa:false %d:Omer:false", convID, noaID, omerID))

		// Disconnecting Omer's tabs removes him once the last one is gone
		// (the first close changes nothing and sends nothing).
		_ = omer.ws.Close(websocket.StatusNormalClosure, "")
		_ = omer2.ws.CloseNow()
		want(noa, noaOnly)

		// Lior (Billing) may not view it, nor a conversation that does not
		// exist; typing needs a view.
		for _, id := range []int64{convID, 999999} {
			lior.send(map[string]any{"type": "view", "conversation_id": id})
			if got := lior.next(); got["type"] != "error" || got["code"] != "not_found" || num(got["conversation_id"]) != id {
				t.Fatalf("view %d by another team: %v", id, got)
			}
		}
		lior.send(map[string]any{"type": "typing", "conversation_id": convID, "typing": true})
		if got := lior.next(); got["code"] != "not_viewing" {
			t.Fatalf("typing without view: %v", got)
		}
		for frame, code := range map[string]string{`{"type":"dance"}`: "unknown_type", `{"type":`: "bad_frame",
			`{"type":"view","conversation_id":"x"}`: "bad_frame", `{"type":"typing","conversation_id":1}`: "bad_frame"} {
			if err := lior.ws.Write(t.Context(), websocket.MessageText, []byte(frame)); err != nil {
				t.Fatal(err)
			}
			if got := lior.next(); got["type"] != "error" || got["code"] != code {
				t.Fatalf("%s: %v, want %s", frame, got, code)
			}
		}

		// Leaving sends nothing to the one who leaves; a ping is answered.
		noa.send(map[string]any{"type": "view", "conversation_id": nil})
		noa.send(map[string]any{"type": "ping"})
		if got := noa.next(); got["type"] != "pong" {
			t.Fatalf("after leaving: %v, want pong", got)
		}
		// Moving the conversation to Billing drops Support viewers.
		noa.send(map[string]any{"type": "view", "conversation_id": convID})
		want(noa, noaOnly)
		liorView := k.connect(liorTok, liorID)
		k.must(200, "PATCH", fmt.Sprintf("/api/v1/conversations/%d", convID), adminToken, map[string]any{"team_id": billing})
		if got := liorView.next(); got["type"] != "conversation.updated" || num(got["team_id"]) != billing {
			t.Fatalf("billing agent after the move: %v", got)
		}
		liorView.send(map[string]any{"type": "view", "conversation_id": convID})
		want(liorView, fmt.Sprintf("%d: %d:Lior:false", convID, liorID))
	})
}

// TestFrameLimits: frames over 8 KiB close with 1009, floods with 1008.
func TestFrameLimits(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, realtime.Options{})
		adminID := num(k.must(200, "GET", "/api/v1/me", adminToken, nil)["id"])
		big := k.connect(adminToken, adminID)
		pad := make([]byte, 9000)
		for i := range pad {
			pad[i] = 'a'
		}
		_ = big.ws.Write(t.Context(), websocket.MessageText, []byte(`{"type":"ping","pad":"`+string(pad)+`"}`))
		if code := big.closedWith(2 * time.Second); code != websocket.StatusMessageTooBig {
			t.Fatalf("oversized frame closed with %d, want 1009", code)
		}
		flood := k.connect(adminToken, adminID)
		for range 25 {
			if err := flood.ws.Write(t.Context(), websocket.MessageText, []byte(`{"type":"ping"}`)); err != nil {
				break
			}
		}
		if code := flood.closedWith(2 * time.Second); code != websocket.StatusPolicyViolation {
			t.Fatalf("flood closed with %d, want 1008", code)
		}
	})
}
