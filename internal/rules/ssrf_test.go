package rules

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/kesherdesk/kesher/internal/automation"
)

func TestBlockedIP(t *testing.T) {
	for s, want := range map[string]bool{"127.0.0.1": true, "169.254.169.254": true, "10.0.0.1": true, "172.16.3.4": true,
		"192.168.0.1": true, "100.64.1.1": true, "::1": true, "fd00::1": true, "fe80::1": true, "0.0.0.0": true, "::": true,
		"224.0.0.1": true, "ff02::1": true, "::ffff:127.0.0.1": true, "::ffff:10.1.2.3": true,
		"93.184.216.34": false, "8.8.8.8": false, "2606:4700::1111": false, "172.32.0.1": false} {
		if got := BlockedIP(netip.MustParseAddr(s)); got != want {
			t.Errorf("BlockedIP(%s) = %v, want %v", s, got, want)
		}
	}
}

// TestWebhookClientRefusesPrivateAfterResolution: a name (not a literal)
// that resolves to loopback is refused at dial time, before any request.
func TestWebhookClientRefusesPrivateAfterResolution(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	for _, u := range []string{"http://localhost" + port + "/hook", srv.URL + "/hook"} {
		resp, err := WebhookClient(false, nil).Post(u, "application/json", strings.NewReader("{}"))
		if err == nil {
			resp.Body.Close()
			t.Fatalf("%s: delivered (%s)", u, resp.Status)
		}
		if !errors.Is(err, ErrBlockedAddress) {
			t.Fatalf("%s: err = %v, want ErrBlockedAddress", u, err)
		}
	}
	if hits.Load() != 0 {
		t.Fatalf("server hit %d times", hits.Load())
	}
	// Allowed for on-premises desks.
	resp, err := WebhookClient(true, nil).Post("http://localhost"+port+"/hook", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || hits.Load() != 1 {
		t.Fatalf("allowed: %s, hits %d", resp.Status, hits.Load())
	}
}

// TestWebhookClientNoRedirects: a 3xx answer is returned as is (and fails
// the delivery); the redirect target is never requested.
func TestWebhookClientNoRedirects(t *testing.T) {
	var followed atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/hook", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/meta", http.StatusFound) })
	mux.HandleFunc("/meta", func(http.ResponseWriter, *http.Request) { followed.Add(1) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	resp, err := WebhookClient(true, nil).Post(srv.URL+"/hook", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || followed.Load() != 0 {
		t.Fatalf("status %s, followed %d", resp.Status, followed.Load())
	}
}

// fakeDNS answers every A query with 127.0.0.1 (and AAAA with nothing),
// the way a rebinding attacker's name server would; it returns a resolver
// that asks it.
func fakeDNS(t *testing.T) *net.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			var p dnsmessage.Parser
			h, err := p.Start(buf[:n])
			if err != nil {
				continue
			}
			q, err := p.Question()
			if err != nil {
				continue
			}
			b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionAvailable: true})
			_ = b.StartQuestions()
			_ = b.Question(q)
			_ = b.StartAnswers()
			if q.Type == dnsmessage.TypeA {
				_ = b.AResource(dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 60},
					dnsmessage.AResource{A: [4]byte{127, 0, 0, 1}})
			}
			out, err := b.Finish()
			if err == nil {
				_, _ = pc.WriteTo(out, addr)
			}
		}
	}()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", pc.LocalAddr().String())
	}}
}

// TestWebhookClientRefusesRebinding: a public-looking name whose DNS
// answer is 127.0.0.1 passes validation (it is not a literal) but is
// refused at dial time, after resolution.
func TestWebhookClientRefusesRebinding(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	u := "http://hooks.example.com" + port + "/hook"
	if err := checkWebhookTargets(automation.Rule{Actions: []automation.Action{{Type: automation.ActionWebhook, Value: u}}}); err != nil {
		t.Fatalf("validation: %v", err)
	}
	res := fakeDNS(t)
	resp, err := WebhookClient(false, res).Post(u, "application/json", strings.NewReader("{}"))
	if err == nil {
		resp.Body.Close()
		t.Fatalf("delivered (%s)", resp.Status)
	}
	if !errors.Is(err, ErrBlockedAddress) || hits.Load() != 0 {
		t.Fatalf("err = %v, hits %d; want ErrBlockedAddress and no request", err, hits.Load())
	}
	// The same resolver with private targets allowed reaches the server,
	// so the refusal above is the guard's, not a resolution failure.
	resp, err = WebhookClient(true, res).Post(u, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if hits.Load() != 1 {
		t.Fatalf("allowed: hits %d", hits.Load())
	}
}
