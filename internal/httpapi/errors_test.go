package httpapi_test

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestBadInput: every malformed request is a 400 problem document naming the
// field, and nothing is stored.
func TestBadInput(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		box := num(k.must(201, "POST", "/api/v1/inboxes", k.admin, map[string]any{"name": "API", "channel": "api"})["id"])
		valid := func() map[string]any {
			return map[string]any{"inbox_id": box, "subject": "ok", "requester": map[string]any{"email": "x@y.com"},
				"message": map[string]any{"body": "hello", "direction": "inbound"}}
		}
		long := valid()
		long["subject"] = strings.Repeat("א", 501)
		badEmail := valid()
		badEmail["requester"] = map[string]any{"email": "not-an-email"}
		noMessage := valid()
		delete(noMessage, "message")
		badStatus := valid()
		badStatus["status"] = "done"
		badInbox := valid()
		badInbox["inbox_id"] = 999
		cases := []struct {
			name  string
			body  any
			field string
			code  string
		}{
			{"malformed JSON", `{"inbox_id": 1,`, "body", "malformed"},
			{"not JSON at all", `hello`, "body", "malformed"},
			{"two values", `{} {}`, "body", "malformed"},
			{"empty body", ``, "body", "malformed"},
			{"unknown field", `{"inbox_id": 1, "colour": "red"}`, "colour", "unknown_field"},
			{"wrong type", `{"inbox_id": "one"}`, "inbox_id", "wrong_type"},
			{"wrong nested type", `{"inbox_id": 1, "message": {"body": 5}}`, "message.body", "wrong_type"},
			{"over-long subject", long, "subject", "too_long"},
			{"bad requester email", badEmail, "requester.email", "invalid"},
			{"missing message", noMessage, "message", "required"},
			{"unknown status", badStatus, "status", "invalid"},
			{"unknown inbox", badInbox, "inbox_id", "not_found"},
			{"key in the wrong case", `{"inbox_id": 1, "SUBJECT": "x"}`, "SUBJECT", "unknown_field"},
			{"duplicate key", `{"inbox_id": 1, "subject": "a", "subject": "b"}`, "subject", "duplicate_field"},
			{"nested duplicate key", `{"inbox_id": 1, "requester": {"email": "a@b.c", "email": "d@e.f"}}`, "requester.email", "duplicate_field"},
			{"NUL in a string", `{"inbox_id": 1, "subject": "a\u0000b"}`, "subject", "invalid"},
			{"NUL in a tag", `{"inbox_id": 1, "tags": ["ok", "a\u0000"]}`, "tags[1]", "invalid"},
			{"invalid UTF-8", "{\"inbox_id\": 1, \"subject\": \"\xff\xfe\"}", "body", "invalid_utf8"},
			{"null body", `null`, "body", "malformed"},
			{"array body", `[{"inbox_id": 1}]`, "body", "malformed"},
			{"number out of range", `{"inbox_id": 123456789012345678901234567890}`, "inbox_id", "out_of_range"},
		}
		for _, tc := range cases {
			r := k.do("POST", "/api/v1/conversations", k.admin, tc.body)
			if r.status != 400 || r.header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: status %d (%s), want 400 problem+json\n%s", tc.name, r.status, r.header.Get("Content-Type"), r.body)
				continue
			}
			p := r.json(t)
			errsList, _ := p["errors"].([]any)
			found := false
			for _, e := range errsList {
				fe := e.(map[string]any)
				if fe["field"] == tc.field && fe["code"] == tc.code {
					found = true
				}
			}
			if !found || num(p["status"]) != 400 || p["type"] == "" || p["title"] == "" {
				t.Errorf("%s: want field %q code %q in %s", tc.name, tc.field, tc.code, r.body)
			}
		}
		var n int
		if err := d.R().QueryRow(t.Context(), `SELECT (SELECT COUNT(*) FROM conversations) + (SELECT COUNT(*) FROM contacts) + (SELECT COUNT(*) FROM messages)`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("rows stored by rejected requests: %d, %v", n, err)
		}
		// A timestamp that is not RFC 3339 names its field.
		if r := k.do("POST", "/api/v1/tokens", k.admin, map[string]any{"name": "x", "expires_at": "tomorrow"}); r.status != 400 ||
			!strings.Contains(string(r.body), `"field":"expires_at"`) {
			t.Errorf("bad expires_at: %d %s", r.status, r.body)
		}
		// PATCH of an unknown conversation is 404; a non-numeric id too.
		if r := k.do("PATCH", "/api/v1/conversations/777", k.admin, map[string]any{"status": "open"}); r.status != 404 {
			t.Errorf("PATCH unknown: %d", r.status)
		}
		if r := k.do("GET", "/api/v1/conversations/abc", k.admin, nil); r.status != 404 {
			t.Errorf("GET /abc: %d", r.status)
		}
		if r := k.do("GET", "/api/v1/nothing-here", k.admin, nil); r.status != 404 || r.header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("unknown endpoint: %d %s", r.status, r.header.Get("Content-Type"))
		}
		if r := k.do("DELETE", "/api/v1/conversations/1", k.admin, nil); r.status != 405 || r.header.Get("Allow") != "GET, PATCH" {
			t.Errorf("wrong method: %d Allow=%q", r.status, r.header.Get("Allow"))
		}
		if r := k.do("GET", "/api/v1/conversations/1", "", nil); r.header.Get("WWW-Authenticate") == "" {
			t.Error("401 without WWW-Authenticate")
		}
		// Query strings that net/url would quietly drop or merge are refused.
		for _, q := range []string{"team=2;x", "status=open&status=closed", "q=a%00b", "limit=0", "limit=101"} {
			if r := k.do("GET", "/api/v1/conversations?"+q, k.admin, nil); r.status != 400 {
				t.Errorf("?%s: %d, want 400", q, r.status)
			}
		}
		if r := k.do("GET", "/api/v1/conversations/1/messages?limit=501", k.admin, nil); r.status != 400 {
			t.Errorf("messages limit=501: %d", r.status)
		}
	})
}

// TestAuthAndRoles: no token → 401; bad token → 401; an agent outside the
// conversation's team → 403; an agent cannot manage agents; a scoped token
// is held to its scopes.
func TestAuthAndRoles(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		tA := num(k.must(201, "POST", "/api/v1/teams", k.admin, map[string]any{"name": "A"})["id"])
		tB := num(k.must(201, "POST", "/api/v1/teams", k.admin, map[string]any{"name": "B"})["id"])
		_, tokA := k.agentWithToken("Ami", "agent", tA)
		bID, tokB := k.agentWithToken("Ben", "agent", tB)
		_, supA := k.agentWithToken("Sara", "supervisor", tA)
		box := num(k.must(201, "POST", "/api/v1/inboxes", k.admin, map[string]any{"name": "API", "channel": "api", "team_id": tA})["id"])
		conv := num(k.must(201, "POST", "/api/v1/conversations", k.admin, map[string]any{"inbox_id": box, "subject": "s",
			"requester": map[string]any{"email": "c@x.com"}, "message": map[string]any{"body": "b", "direction": "inbound"}})["id"])
		path := fmt.Sprintf("/api/v1/conversations/%d", conv)

		if r := k.do("GET", path, "", nil); r.status != 401 || r.header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("no token: %d", r.status)
		}
		if r := k.do("GET", path, "ksr_not_a_real_token_000000000000000", nil); r.status != 401 {
			t.Fatalf("bad token: %d", r.status)
		}
		k.must(200, "GET", path, tokA, nil)
		for _, m := range []struct{ method, path string }{{"GET", path}, {"PATCH", path}, {"GET", path + "/messages"}, {"POST", path + "/messages"}} {
			if r := k.do(m.method, m.path, tokB, map[string]any{"body": "x"}); r.status != 403 {
				t.Errorf("agent outside the team: %s %s → %d, want 403", m.method, m.path, r.status)
			}
		}
		// Assigned to B, the conversation becomes visible to B.
		k.must(200, "PATCH", path, k.admin, map[string]any{"assignee_id": bID})
		k.must(200, "GET", path, tokB, nil)
		// Agents cannot manage agents or inboxes; supervisors edit only their own team.
		if r := k.do("POST", "/api/v1/agents", tokA, map[string]any{"name": "X", "email": "x@kesher.test"}); r.status != 403 {
			t.Errorf("agent creating an agent: %d", r.status)
		}
		if r := k.do("PATCH", fmt.Sprintf("/api/v1/teams/%d", tB), supA, map[string]any{"description": "x"}); r.status != 403 {
			t.Errorf("supervisor editing another team: %d", r.status)
		}
		k.must(200, "PATCH", fmt.Sprintf("/api/v1/teams/%d", tA), supA, map[string]any{"description": "ours"})
		// A read-only token cannot write, and cannot mint broader tokens.
		ro := k.must(201, "POST", "/api/v1/tokens", tokA, map[string]any{"name": "ro", "scopes": []string{"conversations:read", "tokens:write"}})["token"].(string)
		k.must(200, "GET", path, ro, nil)
		if r := k.do("PATCH", path, ro, map[string]any{"priority": "low"}); r.status != 403 {
			t.Errorf("read-only token writing: %d", r.status)
		}
		if r := k.do("POST", "/api/v1/tokens", ro, map[string]any{"name": "escalate"}); r.status != 400 {
			t.Errorf("scoped token minting an all-scopes token: %d", r.status)
		}
		if r := k.do("POST", "/api/v1/tokens", tokA, map[string]any{"name": "x", "scopes": []string{"agents:write"}}); r.status != 400 {
			t.Errorf("agent minting agents:write: %d", r.status)
		}
		// Revoked tokens stop working at once on this node.
		tok := k.must(201, "POST", "/api/v1/tokens", tokA, map[string]any{"name": "tmp"})
		k.must(200, "GET", "/api/v1/me", tok["token"].(string), nil)
		k.must(204, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", num(tok["id"])), tokA, nil)
		if r := k.do("GET", "/api/v1/me", tok["token"].(string), nil); r.status != 401 {
			t.Errorf("revoked token: %d", r.status)
		}
	})
}

// TestSessionLoginAndCSRF: the web app's cookie session works same-origin,
// cross-site writes are refused, and sign-in attempts are rate limited.
func TestSessionLoginAndCSRF(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		jar, _ := cookiejar.New(nil)
		k.client = &http.Client{Jar: jar}
		if r := k.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "admin@kesher.test", "password": "wrong-password"}); r.status != 401 {
			t.Fatalf("wrong password: %d", r.status)
		}
		me := k.must(200, "POST", "/api/v1/auth/login", "", map[string]any{"email": "ADMIN@kesher.test", "password": "admin-password-1"})
		if me["role"] != "admin" {
			t.Fatalf("login: %v", me)
		}
		k.must(200, "GET", "/api/v1/me", "", nil)
		k.must(201, "POST", "/api/v1/tags", "", map[string]any{"name": "same-origin"}, "Sec-Fetch-Site", "same-origin")
		if r := k.do("POST", "/api/v1/tags", "", map[string]any{"name": "evil"}, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"); r.status != 403 {
			t.Fatalf("cross-site write with the session cookie: %d, want 403", r.status)
		}
		if r := k.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "admin@kesher.test", "password": "admin-password-1"},
			"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"); r.status != 403 {
			t.Fatalf("cross-site login: %d, want 403", r.status)
		}
		k.must(204, "POST", "/api/v1/auth/logout", "", nil)
		if r := k.do("GET", "/api/v1/me", "", nil); r.status != 401 {
			t.Fatalf("after logout: %d", r.status)
		}
		limited := false
		for range 15 {
			if r := k.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "admin@kesher.test", "password": "guess-guess"}); r.status == 429 {
				limited = r.header.Get("Retry-After") != ""
				break
			}
		}
		if !limited {
			t.Fatal("15 rapid wrong logins were never rate limited")
		}
	})
}

// TestIdempotencyKey: a repeated POST returns the first response and creates
// nothing; the same key with another body is refused.
func TestIdempotencyKey(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		box := num(k.must(201, "POST", "/api/v1/inboxes", k.admin, map[string]any{"name": "API", "channel": "api"})["id"])
		body := map[string]any{"inbox_id": box, "subject": "once", "requester": map[string]any{"email": "once@x.com"},
			"message": map[string]any{"body": "hello", "direction": "inbound"}}
		first := k.do("POST", "/api/v1/conversations", k.admin, body, "Idempotency-Key", "key-1")
		second := k.do("POST", "/api/v1/conversations", k.admin, body, "Idempotency-Key", "key-1")
		if first.status != 201 || second.status != 201 || string(first.body) != string(second.body) {
			t.Fatalf("repeat: %d %d\n%s\n%s", first.status, second.status, first.body, second.body)
		}
		if second.header.Get("Idempotent-Replayed") != "true" {
			t.Fatal("replayed response lacks Idempotent-Replayed: true")
		}
		var n int
		_ = d.R().QueryRow(t.Context(), `SELECT COUNT(*) FROM conversations`).Scan(&n)
		if n != 1 {
			t.Fatalf("conversations after a repeated POST: %d, want 1", n)
		}
		body["subject"] = "another"
		if r := k.do("POST", "/api/v1/conversations", k.admin, body, "Idempotency-Key", "key-1"); r.status != 422 {
			t.Fatalf("same key, other body: %d, want 422", r.status)
		}
		// A failed request stores nothing: the same key can be retried.
		bad := map[string]any{"inbox_id": 999, "requester": map[string]any{"email": "z@x.com"}, "message": map[string]any{"body": "x"}}
		if r := k.do("POST", "/api/v1/conversations", k.admin, bad, "Idempotency-Key", "key-2"); r.status != 400 {
			t.Fatalf("bad request with key: %d", r.status)
		}
		bad["inbox_id"] = box
		k.must(201, "POST", "/api/v1/conversations", k.admin, bad, "Idempotency-Key", "key-2")
		// Keys are per principal: another agent's key-1 is independent.
		_, other := k.agentWithToken("Other", "admin")
		k.must(201, "POST", "/api/v1/conversations", other, body, "Idempotency-Key", "key-1")
		_ = d.R().QueryRow(t.Context(), `SELECT COUNT(*) FROM conversations`).Scan(&n)
		if n != 3 {
			t.Fatalf("conversations: %d, want 3", n)
		}
	})
}
