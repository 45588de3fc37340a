package rules

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/kesherdesk/kesher/internal/automation"
	"github.com/kesherdesk/kesher/internal/errs"
)

// Webhook address guard: unless Options.AllowPrivateWebhooks is set, a
// webhook may not reach the desk's own host or network (loopback,
// link-local such as the cloud metadata address 169.254.169.254,
// RFC 1918 / fc00::/7 private, unspecified and multicast addresses).

// ErrBlockedAddress is returned (wrapped) when a webhook connection would go
// to a loopback, link-local, private, unspecified or multicast address.
var ErrBlockedAddress = errors.New("rules: webhook address is not public")

// BlockedIP reports whether ip is loopback, link-local (unicast or
// multicast), private (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7),
// unspecified, multicast or an IPv4-mapped form of any of these.
func BlockedIP(ip netip.Addr) bool {
	ip = ip.Unmap()
	return !ip.IsValid() || ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsPrivate() || ip.IsUnspecified() || ip.IsMulticast() ||
		cgnat.Contains(ip)
}

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// blockedHost reports whether a URL host (without port) names a blocked
// address literally: "localhost" (or a name under it) or an IP literal
// BlockedIP refuses. Other names are checked at dial time.
func blockedHost(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	if ip, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil {
		return BlockedIP(ip)
	}
	return false
}

// checkWebhookTargets rejects webhook actions whose URL host is a blocked
// literal. Errors: *errs.ValidationError ("actions[i].value", "forbidden").
func checkWebhookTargets(r automation.Rule) error {
	var c errs.Checker
	for i, a := range r.Actions {
		if a.Type != automation.ActionWebhook {
			continue
		}
		s, _ := a.Value.(string)
		u, err := url.Parse(s)
		if err != nil {
			continue // Validate has reported it
		}
		c.Check(!blockedHost(u.Hostname()), fmt.Sprintf("actions[%d].value", i), "forbidden",
			"a webhook may not target localhost or a loopback, link-local, private, unspecified or multicast address")
	}
	return c.Err()
}

// guardedControl is a net.Dialer.Control that refuses connections to
// blocked addresses; it runs after DNS resolution, so a public name that
// resolves to a private address (DNS rebinding) is refused too.
func guardedControl(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrBlockedAddress, address)
	}
	if BlockedIP(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrBlockedAddress, address)
	}
	return nil
}

// WebhookClient returns the client webhooks are posted with: a
// WebhookTimeout overall timeout, no redirects (a 3xx answer is returned
// as is, and so fails the delivery) and, unless allowPrivate, a dialer
// that refuses blocked addresses after DNS resolution. resolver, when not
// nil, replaces the system resolver (tests use it to fake DNS).
func WebhookClient(allowPrivate bool, resolver *net.Resolver) *http.Client {
	d := &net.Dialer{Timeout: WebhookTimeout, KeepAlive: 30 * time.Second, Resolver: resolver}
	if !allowPrivate {
		d.Control = guardedControl
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil // a proxy would dial on our behalf and bypass the guard
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}
	return &http.Client{Timeout: WebhookTimeout, Transport: t,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
