package chat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
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
	"github.com/kesherdesk/kesher/internal/channel/chat"
	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/httpapi"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/mailer"
	"github.com/kesherdesk/kesher/internal/realtime"
	"github.com/kesherdesk/kesher/internal/testkit"
)

const (
	adminToken  = "ksr_test_admin_token_0123456789abcdef"
	widgetToken = "widget_token_0123456789"
	shopOrigin  = "http://shop.test:8080"
)

// desk is a running Kesher with the chat channel on a fresh store.
type desk struct {
	t        *testing.T
	core     *app.Core
	srv      *httptest.Server
	sink     *testkit.SMTPSink
	inboxID  int64
	emailBox int64
	agentTok string
}

func newDesk(t *testing.T, d *db.DB, o chat.Options) *desk {
	t.Helper()
	return newDeskServing(t, d, o, app.ServerOptions{})
}

// newDeskServing is newDesk with the server's options (the hub is the
// desk's own).
func newDeskServing(t *testing.T, d *db.DB, o chat.Options, so app.ServerOptions) *desk {
	t.Helper()
	return newDeskWith(t, d, o, so, nil)
}

// newDeskWith is newDeskServing with the chat channel's bot made by mkBot
// from the desk's core (nil: no bot).
func newDeskWith(t *testing.T, d *db.DB, o chat.Options, so app.ServerOptions, mkBot func(*app.Core) chat.Bot) *desk {
	t.Helper()
	log := testkit.Logger()
	sink := testkit.NewSMTPSink(t)
	server, err := mailer.ParseURL(fmt.Sprintf("smtp://%s?tls=none", sink.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	m, err := mailer.NewSMTP(server, "Kesher <desk@kesher.test>")
	if err != nil {
		t.Fatal(err)
	}
	core := app.NewCoreFromDB(d, app.CoreOptions{Password: auth.FastPasswordParams, Store: db.Options{DataDir: t.TempDir()}, Mailer: m}, log)
	if _, err := core.Bootstrap(context.Background(), app.BootstrapOptions{AdminPassword: "admin-password-1", APIToken: adminToken}); err != nil {
		t.Fatal(err)
	}
	var b chat.Bot
	if mkBot != nil {
		b = mkBot(core)
	}
	core.Chat = chat.New(chat.Services{DB: d, Conversations: core.Conversations, Inboxes: core.Inboxes, Files: core.Files,
		Calendars: core.SLA, Mailer: m, Bot: b}, o, log)
	hub := realtime.New(realtime.Services{Auth: core.Auth, Conversations: core.Conversations, Bus: core.Bus}, realtime.Options{SessionCookie: httpapi.SessionCookie}, log)
	so.Realtime = hub
	h, err := core.Handler(so)
	if err != nil {
		t.Fatal(err)
	}
	core.Chat.Subscribe(core.Bus)
	srv := httptest.NewServer(h)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = events.NewDispatcher(core.DB, core.Outbox, core.Bus, log).Run(ctx) })
	wg.Go(func() { _ = hub.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait(); srv.Close() })
	k := &desk{t: t, core: core, srv: srv, sink: sink}
	box, err := core.Inboxes.Create(ctx, audit.System, inbox.Input{Name: "Chat", Channel: inbox.ChannelChat, Settings: map[string]any{
		"widget": map[string]any{"token": widgetToken, "allowed_origins": []any{shopOrigin, "*.example.com"},
			"greeting": map[string]any{"he": "שלום!", "en": "Hello!"}, "prechat": map[string]any{"email": "optional"}}}})
	if err != nil {
		t.Fatal(err)
	}
	mail, err := core.Inboxes.Create(ctx, audit.System, inbox.Input{Name: "Mail", Channel: inbox.ChannelEmail, Address: "help@kesher.test"})
	if err != nil {
		t.Fatal(err)
	}
	k.inboxID, k.emailBox = box.ID, mail.ID
	a, err := core.Agents.Create(ctx, audit.System, agent.Input{Name: "Noa", Email: "noa@kesher.test", Role: "agent", Password: "password-noa"})
	if err != nil {
		t.Fatal(err)
	}
	if k.agentTok, _, err = core.Auth.CreateToken(ctx, a.ID, "test", nil, nil); err != nil {
		t.Fatal(err)
	}
	return k
}

// do sends a JSON request from origin and returns the status and the
// decoded body.
func (k *desk) do(method, path, origin, token string, body any) (int, map[string]any) {
	k.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, k.srv.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := k.srv.Client().Do(req)
	if err != nil {
		k.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return res.StatusCode, m
}

// agentSocket opens the agent app's socket (/api/v1/ws) as the agent; it
// closes when the test ends.
func (k *desk) agentSocket(ctx context.Context) *websocket.Conn {
	k.t.Helper()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(k.srv.URL, "http")+"/api/v1/ws",
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + k.agentTok}}})
	if err != nil {
		k.t.Fatal(err)
	}
	k.t.Cleanup(func() { _ = ws.CloseNow() })
	return ws
}

func (k *desk) session(body map[string]any) map[string]any {
	k.t.Helper()
	body["inbox"] = widgetToken
	st, m := k.do("POST", "/widget/v1/sessions", shopOrigin, "", body)
	if st != 200 {
		k.t.Fatalf("session: %d %v", st, m)
	}
	return m
}

// visitor is a widget socket.
type visitor struct {
	t      *testing.T
	ws     *websocket.Conn
	frames chan map[string]any
	closed chan websocket.StatusCode
}

func (k *desk) connect(token, origin string) *visitor {
	k.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(k.srv.URL, "http")+"/widget/v1/ws?token="+token,
		&websocket.DialOptions{HTTPHeader: http.Header{"Origin": {origin}}})
	if err != nil {
		st := 0
		if res != nil {
			st = res.StatusCode
		}
		k.t.Fatalf("dial: %v (status %d)", err, st)
	}
	v := &visitor{t: k.t, ws: ws, frames: make(chan map[string]any, 100), closed: make(chan websocket.StatusCode, 1)}
	go func() {
		for {
			_, b, err := ws.Read(context.Background())
			if err != nil {
				v.closed <- websocket.CloseStatus(err)
				close(v.frames)
				return
			}
			var m map[string]any
			_ = json.Unmarshal(b, &m)
			v.frames <- m
		}
	}()
	k.t.Cleanup(func() { _ = ws.CloseNow() })
	if f := v.next(); f["type"] != "status" {
		k.t.Fatalf("first frame %v, want status", f)
	}
	return v
}

func (v *visitor) send(f any) {
	v.t.Helper()
	b, _ := json.Marshal(f)
	if err := v.ws.Write(context.Background(), websocket.MessageText, b); err != nil {
		v.t.Fatal(err)
	}
}

// next returns the next frame that is not a pong.
func (v *visitor) next() map[string]any {
	v.t.Helper()
	for {
		select {
		case f, ok := <-v.frames:
			if !ok {
				v.t.Fatal("socket closed")
			}
			if f["type"] != "pong" {
				return f
			}
		case <-time.After(5 * time.Second):
			v.t.Fatal("no frame within 5 s")
		}
	}
}

// reply returns the next message frame not written by the visitor (the
// visitor's own messages come back once more from the event).
func (v *visitor) reply() map[string]any {
	v.t.Helper()
	for {
		f := v.next()
		if f["type"] != "message" || message(f)["author_type"] != "contact" {
			return f
		}
	}
}

// quiet asserts that no frame arrives within d.
func (v *visitor) quiet(d time.Duration) {
	v.t.Helper()
	select {
	case f := <-v.frames:
		v.t.Fatalf("unexpected frame %v", f)
	case <-time.After(d):
	}
}

// quietExceptOwn asserts that no frame but echoes of the visitor's own
// messages arrives within d.
func (v *visitor) quietExceptOwn(d time.Duration) {
	v.t.Helper()
	deadline := time.After(d)
	for {
		select {
		case f := <-v.frames:
			if f["type"] != "message" || message(f)["author_type"] != "contact" {
				v.t.Fatalf("unexpected frame %v", f)
			}
		case <-deadline:
			return
		}
	}
}

func (v *visitor) closedWith() websocket.StatusCode {
	v.t.Helper()
	for {
		select {
		case <-v.frames:
		case c := <-v.closed:
			return c
		case <-time.After(5 * time.Second):
			v.t.Fatal("socket not closed within 5 s")
		}
	}
}

func message(f map[string]any) map[string]any {
	m, _ := f["message"].(map[string]any)
	return m
}

func TestSessions(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, chat.Options{})
		ctx := context.Background()
		s1 := k.session(map[string]any{"language": "en"})
		tok := s1["visitor_token"].(string)
		if len(tok) < 40 || s1["greeting"] != "Hello!" || s1["online"] != false {
			t.Fatalf("new session %v (no agent is online: online must be false)", s1)
		}
		var stored string
		if err := d.R().QueryRow(ctx, `SELECT token_hash FROM chat_visitors`).Scan(&stored); err != nil || stored == tok || len(stored) != 64 {
			t.Fatalf("stored %q (%v): only the hash may be kept", stored, err)
		}
		// A message opens a conversation; resuming returns the same identity and history.
		v := k.connect(tok, shopOrigin)
		v.send(map[string]any{"type": "message", "text": "Where is my order?"})
		f := v.next()
		if f["type"] != "message" || message(f)["text"] != "Where is my order?" || message(f)["author_type"] != "contact" {
			t.Fatalf("echo %v", f)
		}
		s2 := k.session(map[string]any{"visitor_token": tok})
		if s2["visitor_token"] != tok || s2["conversation_id"] == nil || len(s2["messages"].([]any)) != 1 || s2["language"] != "en" {
			t.Fatalf("resumed %v", s2)
		}
		// An unknown token starts a new visitor.
		if s3 := k.session(map[string]any{"visitor_token": "nope"}); s3["visitor_token"] == tok || s3["conversation_id"] != nil {
			t.Fatalf("unknown token %v", s3)
		}
		// Email match: a visitor giving a known customer's email writes as that contact.
		dana, err := k.core.Contacts.Create(ctx, audit.System, contact.Input{Name: "Dana", Emails: []string{"dana@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		s4 := k.session(map[string]any{"email": "Dana@Example.com", "name": "Dana L"})
		w := k.connect(s4["visitor_token"].(string), "https://www.example.com")
		w.send(map[string]any{"type": "message", "text": "hi"})
		w.next()
		var requester int64
		if err := d.R().QueryRow(ctx, `SELECT c.requester_id FROM conversations c JOIN chat_visitors v ON v.conversation_id = c.id
			WHERE v.email = 'dana@example.com'`).Scan(&requester); err != nil || requester != dana.ID {
			t.Fatalf("requester %d (%v), want Dana %d", requester, err, dana.ID)
		}
		// Bad input names the field; a foreign origin and an unknown widget are refused.
		for _, c := range []struct {
			origin string
			body   map[string]any
			status int
			field  string
		}{
			{shopOrigin, map[string]any{"inbox": widgetToken, "email": "not-an-email"}, 400, "email"},
			{shopOrigin, map[string]any{"inbox": widgetToken, "colour": "x"}, 400, "colour"},
			{shopOrigin, map[string]any{"inbox": widgetToken, "name": strings.Repeat("n", 300)}, 400, "name"},
			{shopOrigin, map[string]any{"inbox": "unknown_widget_token_x"}, 404, ""},
			{"https://evil.test", map[string]any{"inbox": widgetToken}, 403, ""},
		} {
			st, m := k.do("POST", "/widget/v1/sessions", c.origin, "", c.body)
			if st != c.status {
				t.Errorf("%v from %s: %d %v, want %d", c.body, c.origin, st, m, c.status)
			}
			if c.field != "" && !strings.Contains(fmt.Sprint(m["errors"]), "field:"+c.field) {
				t.Errorf("%v: errors %v do not name %s", c.body, m["errors"], c.field)
			}
		}
	})
}

func TestRoundTrip(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, chat.Options{})
		tok := k.session(map[string]any{"name": "Avi"})["visitor_token"].(string)
		v := k.connect(tok, shopOrigin)
		v.send(map[string]any{"type": "message", "text": "שלום, איפה ההזמנה?"})
		echo := v.next()
		convID := int64(echo["conversation_id"].(float64))
		var dir, kind, author, body string
		if err := d.R().QueryRow(context.Background(), `SELECT direction, kind, author_type, body_text FROM messages WHERE conversation_id = ? ORDER BY id LIMIT 1`,
			convID).Scan(&dir, &kind, &author, &body); err != nil || dir != "inbound" || kind != "reply" || author != "contact" || body != "שלום, איפה ההזמנה?" {
			t.Fatalf("stored %s %s %s %q (%v)", dir, kind, author, body, err)
		}
		// Another visitor on the same widget never sees this conversation.
		other := k.connect(k.session(map[string]any{})["visitor_token"].(string), shopOrigin)
		path := fmt.Sprintf("/api/v1/conversations/%d/messages", convID)
		if st, m := k.do("POST", path, "", k.agentTok, map[string]any{"kind": "note", "body": "internal: VIP"}); st != 201 {
			t.Fatalf("note: %d %v", st, m)
		}
		if st, m := k.do("POST", path, "", k.agentTok, map[string]any{"body": "It ships today."}); st != 201 {
			t.Fatalf("reply: %d %v", st, m)
		}
		f := v.reply()
		if m := message(f); f["type"] != "message" || m["text"] != "It ships today." || m["author_type"] != "agent" || m["author_name"] != "Noa" {
			t.Fatalf("reply frame %v (the note must never be delivered)", f)
		}
		v.quietExceptOwn(300 * time.Millisecond)
		other.quiet(100 * time.Millisecond)
		// The agent's typing reaches the visitor; the visitor's reaches the agent.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		aws := k.agentSocket(ctx)
		write := func(m any) {
			b, _ := json.Marshal(m)
			if err := aws.Write(ctx, websocket.MessageText, b); err != nil {
				t.Fatal(err)
			}
		}
		readUntil := func(ok func(map[string]any) bool) {
			for {
				_, b, err := aws.Read(ctx)
				if err != nil {
					t.Fatal("agent socket:", err)
				}
				var m map[string]any
				_ = json.Unmarshal(b, &m)
				if ok(m) {
					return
				}
			}
		}
		write(map[string]any{"type": "view", "conversation_id": convID})
		write(map[string]any{"type": "typing", "conversation_id": convID, "typing": true})
		if f := v.reply(); f["type"] != "typing" || f["on"] != true || f["name"] != "Noa" {
			t.Fatalf("agent typing frame %v", f)
		}
		v.send(map[string]any{"type": "typing", "on": true})
		readUntil(func(m map[string]any) bool { return m["type"] == "presence" && m["visitor_typing"] == true })
		other.quiet(100 * time.Millisecond)
	})
}

func TestBadFramesAndLimits(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, chat.Options{MaxMessageRunes: 50, MessagesPerMinute: 6, MaxFrameBytes: 1024, FrameRate: 5})
		tok := k.session(map[string]any{})["visitor_token"].(string)
		// A foreign origin cannot open the socket; a bad token is 401.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		base := "ws" + strings.TrimPrefix(k.srv.URL, "http") + "/widget/v1/ws?token="
		if _, res, err := websocket.Dial(ctx, base+tok, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"https://evil.test"}}}); err == nil || res.StatusCode != 403 {
			t.Fatalf("foreign origin: %v", err)
		}
		if _, res, err := websocket.Dial(ctx, base+"bogus", nil); err == nil || res.StatusCode != 401 {
			t.Fatalf("bad token: %v", err)
		}
		v := k.connect(tok, shopOrigin)
		for _, c := range []struct {
			frame      string
			code, frag string
		}{
			{`{"type":"message","text":"` + strings.Repeat("א", 51) + `"}`, "too_long", "text"},
			{`{"type":"message","text":"  "}`, "required", "text"},
			{`{"type":"message","text":"x","attachment_ids":[999]}`, "not_found", "attachment_ids[0]"},
			{`not json`, "bad_frame", ""},
			{`{"type":"dance"}`, "unknown_type", ""},
			{`{"type":"handover"}`, "unavailable", ""},
		} {
			if err := v.ws.Write(ctx, websocket.MessageText, []byte(c.frame)); err != nil {
				t.Fatal(err)
			}
			f := v.next()
			if f["type"] != "error" || f["code"] != c.code || (c.frag != "" && f["field"] != c.frag) {
				t.Errorf("%s: %v, want code %s field %s", c.frame, f, c.code, c.frag)
			}
			time.Sleep(250 * time.Millisecond) // stay under the frame rate
		}
		// Six messages a minute (three were refused above): the fourth here is refused.
		for i := range 4 {
			v.send(map[string]any{"type": "message", "text": fmt.Sprint("m", i)})
			time.Sleep(250 * time.Millisecond)
		}
		ids, limited := map[any]bool{}, 0
		for done := time.After(time.Second); ; {
			select {
			case f := <-v.frames:
				if f["type"] == "message" {
					ids[message(f)["id"]] = true
				} else if f["code"] == "rate_limited" {
					limited++
				}
				continue
			case <-done:
			}
			break
		}
		if len(ids) != 3 || limited != 1 {
			t.Errorf("%d messages delivered and %d refused, want 3 and 1", len(ids), limited)
		}
		var n int
		_ = d.R().QueryRow(context.Background(), `SELECT COUNT(*) FROM messages WHERE direction = 'inbound'`).Scan(&n)
		if n != 3 {
			t.Errorf("%d inbound messages stored, want 3", n)
		}
		// An oversized frame closes with 1009; a flood with 1008.
		if err := v.ws.Write(ctx, websocket.MessageText, []byte(`{"type":"message","text":"`+strings.Repeat("x", 2000)+`"}`)); err != nil {
			t.Fatal(err)
		}
		if c := v.closedWith(); c != websocket.StatusMessageTooBig {
			t.Errorf("oversized frame closed with %d, want 1009", c)
		}
		w := k.connect(tok, shopOrigin)
		for range 30 {
			if err := w.ws.Write(ctx, websocket.MessageText, []byte(`{"type":"ping"}`)); err != nil {
				break
			}
		}
		if c := w.closedWith(); c != websocket.StatusPolicyViolation {
			t.Errorf("flood closed with %d, want 1008", c)
		}
	})
}

func upload(t *testing.T, k *desk, token, name string, data []byte) (int, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("token", token)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", k.srv.URL+"/widget/v1/uploads", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", shopOrigin)
	res, err := k.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(res.Body).Decode(&m)
	return res.StatusCode, m
}

func TestUploads(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, chat.Options{MaxUploadBytes: 4096})
		tok := k.session(map[string]any{})["visitor_token"].(string)
		png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 100)...)
		for _, c := range []struct {
			name   string
			data   []byte
			status int
			code   string
		}{
			{"a.png", png, 201, ""},
			{"notes.txt", []byte("hello"), 201, ""},
			{"x.exe", append([]byte("MZ\x90\x00"), bytes.Repeat([]byte{1, 2, 3}, 50)...), 400, "unsupported"},
			{"big.txt", bytes.Repeat([]byte("a"), 5000), 400, "too_large"},
		} {
			st, m := upload(t, k, tok, c.name, c.data)
			if st != c.status || (c.code != "" && !strings.Contains(fmt.Sprint(m["errors"]), "code:"+c.code)) {
				t.Errorf("%s: %d %v, want %d %s", c.name, st, m, c.status, c.code)
			}
		}
		if st, _ := upload(t, k, "bogus", "a.png", png); st != 401 {
			t.Errorf("bad token upload: %d", st)
		}
		_, up := upload(t, k, tok, "b.png", png)
		id := up["id"]
		// Another visitor cannot attach it; its owner can, and the agent's side sees it.
		other := k.connect(k.session(map[string]any{})["visitor_token"].(string), shopOrigin)
		other.send(map[string]any{"type": "message", "text": "mine", "attachment_ids": []any{id}})
		if f := other.next(); f["type"] != "error" || f["code"] != "not_found" {
			t.Fatalf("foreign upload: %v", f)
		}
		v := k.connect(tok, shopOrigin)
		v.send(map[string]any{"type": "message", "text": "photo", "attachment_ids": []any{id}})
		f := v.next()
		atts, _ := message(f)["attachments"].([]any)
		if len(atts) != 1 {
			t.Fatalf("attachments %v", f)
		}
		url := atts[0].(map[string]any)["url"].(string)
		res, err := http.Get(k.srv.URL + url + "?token=" + tok)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("download: %v %v", res, err)
		}
		res.Body.Close()
		otherTok := k.session(map[string]any{})["visitor_token"].(string)
		if res, _ := http.Get(k.srv.URL + url + "?token=" + otherTok); res.StatusCode != 404 {
			t.Errorf("another visitor downloads: %d, want 404", res.StatusCode)
		}
	})
}

func TestOfflineAndTranscript(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, chat.Options{})
		ctx := context.Background()
		st, m := k.do("POST", "/widget/v1/offline", shopOrigin, "", map[string]any{"inbox": widgetToken, "name": "Rina",
			"email": "rina@example.com", "message": "Please call me back", "language": "he"})
		if st != 202 {
			t.Fatalf("offline: %d %v", st, m)
		}
		var inboxID int64
		var email, body string
		if err := d.R().QueryRow(ctx, `SELECT c.inbox_id, ct.email, m.body_text FROM conversations c JOIN contacts ct ON ct.id = c.requester_id
			JOIN messages m ON m.conversation_id = c.id`).Scan(&inboxID, &email, &body); err != nil ||
			inboxID != k.emailBox || email != "rina@example.com" || body != "Please call me back" {
			t.Fatalf("offline conversation in inbox %d for %s: %q (%v); want the email inbox %d", inboxID, email, body, err, k.emailBox)
		}
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"inbox": widgetToken, "name": "R", "message": "x"}, "email"},
			{map[string]any{"inbox": widgetToken, "email": "r@example.com", "message": " "}, "message"},
		} {
			if st, m := k.do("POST", "/widget/v1/offline", shopOrigin, "", c.body); st != 400 || !strings.Contains(fmt.Sprint(m["errors"]), "field:"+c.field) {
				t.Errorf("%v: %d %v", c.body, st, m)
			}
		}
		// Transcript: the visitor's chat, both sides, to the visitor's email.
		tok := k.session(map[string]any{"email": "yael@example.com", "language": "en"})["visitor_token"].(string)
		if st, m := k.do("POST", "/widget/v1/transcript", shopOrigin, "", map[string]any{"visitor_token": tok}); st != 400 {
			t.Errorf("transcript without a conversation: %d %v", st, m)
		}
		v := k.connect(tok, shopOrigin)
		v.send(map[string]any{"type": "message", "text": "Is the blue one in stock?"})
		convID := int64(v.next()["conversation_id"].(float64))
		if st, m := k.do("POST", fmt.Sprintf("/api/v1/conversations/%d/messages", convID), "", k.agentTok, map[string]any{"body": "Yes, 4 left."}); st != 201 {
			t.Fatalf("reply %d %v", st, m)
		}
		v.next()
		if st, m := k.do("POST", "/widget/v1/transcript", shopOrigin, "", map[string]any{"visitor_token": tok}); st != 202 {
			t.Fatalf("transcript: %d %v", st, m)
		}
		mail := k.sink.Wait(t, 1, 5*time.Second)
		raw := string(mail.Data)
		if len(mail.To) != 1 || mail.To[0] != "yael@example.com" || !strings.Contains(raw, "Is the blue one in stock?") ||
			!strings.Contains(raw, "Yes, 4 left.") || !strings.Contains(raw, "Your chat transcript") {
			t.Fatalf("transcript mail to %v:\n%s", mail.To, raw)
		}
	})
}

func TestOnlinePerAgentsAndBusinessHours(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		jerusalem, err := time.LoadLocation("Asia/Jerusalem")
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		now := time.Date(2026, 12, 6, 10, 0, 0, 0, jerusalem) // a Sunday, 10:00
		k := newDesk(t, d, chat.Options{Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
		online := func() any { return k.session(map[string]any{})["online"] }
		if got := online(); got != false {
			t.Fatalf("no agent online: online %v", got)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		aws := k.agentSocket(ctx)
		if _, _, err := aws.Read(ctx); err != nil { // hello: the agent is registered
			t.Fatal(err)
		}
		if got := online(); got != true {
			t.Fatalf("an agent online, no business hours: online %v", got)
		}
		box, _ := k.core.Inboxes.Get(ctx, k.inboxID)
		box.Settings["widget"].(map[string]any)["business_hours"] = "il"
		if st, m := k.do("PATCH", fmt.Sprintf("/api/v1/inboxes/%d", k.inboxID), "", adminToken, map[string]any{"settings": box.Settings}); st != 200 {
			t.Fatalf("patch inbox: %d %v", st, m)
		}
		if got := online(); got != true {
			t.Errorf("Sunday 10:00 in Jerusalem: online %v", got)
		}
		mu.Lock()
		now = time.Date(2026, 12, 5, 12, 0, 0, 0, jerusalem) // Saturday
		mu.Unlock()
		if got := online(); got != false {
			t.Errorf("Saturday: online %v", got)
		}
		// A widget setting that does not parse is refused, naming the field.
		box.Settings["widget"].(map[string]any)["color"] = "red"
		if st, m := k.do("PATCH", fmt.Sprintf("/api/v1/inboxes/%d", k.inboxID), "", adminToken, map[string]any{"settings": box.Settings}); st != 400 ||
			!strings.Contains(fmt.Sprint(m["errors"]), "settings.widget.color") {
			t.Errorf("bad colour: %d %v", st, m)
		}
	})
}

// TestSessionLimitHonoursTrustedProxy: the per-IP session limit takes the
// client from X-Forwarded-For exactly when the API trusts its proxy, so two
// clients behind the proxy get separate buckets, and without the setting a
// forged header does not buy a fresh bucket.
func TestSessionLimitHonoursTrustedProxy(t *testing.T) {
	for _, c := range []struct {
		trust   bool
		secondB int // status of client B's first request after A used its bucket up
	}{{true, 200}, {false, 429}} {
		t.Run(fmt.Sprint("trust=", c.trust), func(t *testing.T) {
			testkit.Each(t, func(t *testing.T, d *db.DB) {
				k := newDeskServing(t, d, chat.Options{SessionsPerMinute: 2}, app.ServerOptions{API: httpapi.Options{TrustProxy: c.trust}})
				post := func(xff string) int {
					b, _ := json.Marshal(map[string]any{"inbox": widgetToken})
					req, _ := http.NewRequest("POST", k.srv.URL+"/widget/v1/sessions", bytes.NewReader(b))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Origin", shopOrigin)
					req.Header.Set("X-Forwarded-For", xff)
					res, err := k.srv.Client().Do(req)
					if err != nil {
						t.Fatal(err)
					}
					_ = res.Body.Close()
					return res.StatusCode
				}
				got := []int{post("203.0.113.1"), post("203.0.113.1"), post("203.0.113.1"), post("203.0.113.2")}
				want := []int{200, 200, 429, c.secondB}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("statuses %v, want %v", got, want)
				}
			})
		})
	}
}

// TestFileOfAnotherVisitorOfTheSameEmail: giving someone else's email at
// the pre-chat form must not open that person's chat files (the email is
// not verified); a visitor downloads only its own conversation's files.
func TestFileOfAnotherVisitorOfTheSameEmail(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, chat.Options{})
		tok := k.session(map[string]any{"email": "victim@example.org"})["visitor_token"].(string)
		png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 100)...)
		_, up := upload(t, k, tok, "passport.png", png)
		v := k.connect(tok, shopOrigin)
		v.send(map[string]any{"type": "message", "text": "my passport", "attachment_ids": []any{up["id"]}})
		url := message(v.next())["attachments"].([]any)[0].(map[string]any)["url"].(string)
		if res, err := http.Get(k.srv.URL + url + "?token=" + tok); err != nil || res.StatusCode != 200 {
			t.Fatalf("owner download: %v %v", res, err)
		}
		attacker := k.session(map[string]any{"email": "victim@example.org"})["visitor_token"].(string)
		if res, _ := http.Get(k.srv.URL + url + "?token=" + attacker); res.StatusCode != 404 {
			t.Errorf("a visitor claiming the same email downloads: %d, want 404", res.StatusCode)
		}
	})
}

// TestNULInVisitorText: a NUL in a name, email, message or offline
// message is refused with a problem naming the field on both databases
// (PostgreSQL text cannot hold it; SQLite would store it).
func TestNULInVisitorText(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, chat.Options{})
		for _, c := range []struct {
			path  string
			body  map[string]any
			field string
		}{
			{"/widget/v1/sessions", map[string]any{"inbox": widgetToken, "name": "a\x00b"}, "name"},
			{"/widget/v1/offline", map[string]any{"inbox": widgetToken, "email": "a@example.org", "message": "hi\x00"}, "message"},
			{"/widget/v1/offline", map[string]any{"inbox": widgetToken, "name": "\x00", "email": "a@example.org", "message": "hi"}, "name"},
		} {
			st, m := k.do("POST", c.path, shopOrigin, "", c.body)
			if st != 400 || !strings.Contains(fmt.Sprint(m["errors"]), "field:"+c.field) {
				t.Errorf("%s %v: %d %v, want 400 on %s", c.path, c.body, st, m, c.field)
			}
		}
		v := k.connect(k.session(map[string]any{})["visitor_token"].(string), shopOrigin)
		v.send(map[string]any{"type": "message", "text": "hello\x00there"})
		if f := v.next(); f["type"] != "error" || f["field"] != "text" {
			t.Errorf("NUL message: %v, want an error on text", f)
		}
	})
}

// TestUploadLimitPerAddress: fresh visitors from one address do not each
// get UploadsPerMinute (MaxUploadBytes apiece, kept even when unsent).
func TestUploadLimitPerAddress(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, chat.Options{UploadsPerMinute: 2})
		var got []int
		for range 3 {
			tok := k.session(map[string]any{})["visitor_token"].(string)
			st, _ := upload(t, k, tok, "a.txt", []byte("hello"))
			got = append(got, st)
		}
		if fmt.Sprint(got) != "[201 201 429]" {
			t.Errorf("uploads of three visitors of one address: %v, want [201 201 429]", got)
		}
	})
}

// TestSocketsPerVisitor: one visitor token cannot hold open more than
// MaxVisitorSockets sockets.
func TestSocketsPerVisitor(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, chat.Options{})
		tok := k.session(map[string]any{})["visitor_token"].(string)
		for range chat.MaxVisitorSockets {
			k.connect(tok, shopOrigin)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		ws, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(k.srv.URL, "http")+"/widget/v1/ws?token="+tok,
			&websocket.DialOptions{HTTPHeader: http.Header{"Origin": {shopOrigin}}})
		if err == nil {
			_ = ws.CloseNow()
			t.Fatalf("socket %d accepted", chat.MaxVisitorSockets+1)
		}
		if res == nil || res.StatusCode != 429 {
			t.Errorf("socket %d: %v %v, want 429", chat.MaxVisitorSockets+1, res, err)
		}
	})
}
