package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/agent"
	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// desk is a running API on a fresh store with an admin token.
type desk struct {
	t      *testing.T
	core   *app.Core
	srv    *httptest.Server
	admin  string // admin API token
	client *http.Client
	data   string // data directory (attachment blobs)
}

const adminToken = "ksr_test_admin_token_0123456789abcdef"

func newDesk(t *testing.T, d *db.DB) *desk {
	t.Helper()
	return newDeskWith(t, d, app.CoreOptions{})
}

// newDeskWith is newDesk with core options (mailer, base URL, secrets); the
// password parameters and data directory are the test's.
func newDeskWith(t *testing.T, d *db.DB, opts app.CoreOptions) *desk {
	t.Helper()
	data := t.TempDir()
	opts.Password, opts.Store = auth.FastPasswordParams, db.Options{DataDir: data}
	core := app.NewCoreFromDB(d, opts, testkit.Logger())
	if _, err := core.Bootstrap(context.Background(), app.BootstrapOptions{AdminPassword: "admin-password-1", APIToken: adminToken}); err != nil {
		t.Fatal(err)
	}
	h, err := core.Handler(app.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &desk{t: t, core: core, srv: srv, admin: adminToken, client: srv.Client(), data: data}
}

// agentWithToken creates an agent in the given teams and returns its id and
// an API token.
func (k *desk) agentWithToken(name, role string, teams ...int64) (int64, string) {
	k.t.Helper()
	ctx := context.Background()
	a, err := k.core.Agents.Create(ctx, audit.System, agent.Input{Name: name, Email: strings.ToLower(name) + "@kesher.test", Role: role, TeamIDs: teams})
	if err != nil {
		k.t.Fatal(err)
	}
	tok, _, err := k.core.Auth.CreateToken(ctx, a.ID, "test", nil, nil)
	if err != nil {
		k.t.Fatal(err)
	}
	return a.ID, tok
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// do sends a request with the token (none when token is "") and a body
// (a string is sent verbatim, anything else is JSON-encoded).
func (k *desk) do(method, path, token string, body any, headers ...string) resp {
	k.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			k.t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, k.srv.URL+path, rd)
	if err != nil {
		k.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := k.client.Do(req)
	if err != nil {
		k.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

// must sends the request and fails the test unless the status is want; it
// returns the decoded JSON object.
func (k *desk) must(want int, method, path, token string, body any, headers ...string) map[string]any {
	k.t.Helper()
	r := k.do(method, path, token, body, headers...)
	if r.status != want {
		k.t.Fatalf("%s %s: status %d, want %d\n%s", method, path, r.status, want, r.body)
	}
	if len(r.body) == 0 {
		return nil
	}
	return r.json(k.t)
}

func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

func ids(page map[string]any) []int64 {
	var out []int64
	for _, it := range page["data"].([]any) {
		out = append(out, num(it.(map[string]any)["id"]))
	}
	return out
}
