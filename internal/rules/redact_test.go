package rules

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestPostJSONRedactsPassword: a webhook URL's userinfo password never
// reaches an error (they are logged and stored as last_error).
func TestPostJSONRedactsPassword(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) }))
	defer srv.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	withCreds := func(base string) string { return strings.Replace(base, "http://", "http://user:hunter2@", 1) + "/hook" }
	cases := []struct{ name, url, want string }{
		{"non-2xx answer", withCreds(srv.URL), "user:xxxxx@"},
		{"no answer", withCreds(closed), "user:xxxxx@"},
		{"invalid URL", "http://user:hunter2@host/%zz", "(invalid URL)"},
		{"blocked address", "http://user:hunter2@10.0.0.1/hook", "user:xxxxx@"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			client := WebhookClient(true, nil)
			if c.name == "blocked address" {
				client = WebhookClient(false, nil)
			}
			err := PostJSON(context.Background(), client, c.url, []byte("{}"), "", "test")
			if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("%v", err)
			}
		})
	}
	if got := RedactURL("https://a:b@shop.example/x?y=1"); got != "https://a:xxxxx@shop.example/x?y=1" {
		t.Fatal(got)
	}
	if got := RedactURL("https://shop.example/x"); got != "https://shop.example/x" {
		t.Fatal(got)
	}
}
