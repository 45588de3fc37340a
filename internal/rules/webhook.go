package rules

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"time"

	"github.com/kesherdesk/kesher/internal/jobs"
)

// Webhook delivery.
const (
	// KindWebhook is the job kind that posts one webhook.
	KindWebhook = "automation.webhook"
	// WebhookTimeout bounds one delivery attempt.
	WebhookTimeout = 10 * time.Second
	// WebhookAttempts is how often a delivery is tried (with the job
	// runner's exponential backoff) before the job is kept as dead.
	WebhookAttempts = 8
	// SignatureHeader carries "sha256=<hex HMAC-SHA256 of the body>" when
	// Options.WebhookSecret is set.
	SignatureHeader = "X-Kesher-Signature"
)

// WebhookBody is the JSON a webhook receives: {"rule_id","rule_name",
// "event" (the trigger: conversation.created, message.received,
// conversation.updated or time),"conversation":Conversation as the API
// shows it, after the rule's changes}.
type WebhookBody struct {
	RuleID       int64           `json:"rule_id"`
	RuleName     string          `json:"rule_name"`
	Event        string          `json:"event"`
	Conversation json.RawMessage `json:"conversation"`
}

// WebhookJob is the payload of a KindWebhook job: where to post and the
// exact body, fixed when the rule ran.
type WebhookJob struct {
	URL  string          `json:"url"`
	Body json.RawMessage `json:"body"`
}

// RegisterJobs registers the handlers of KindWebhook, KindTimeScan and
// KindTimeRule on r.
func (s *Service) RegisterJobs(r *jobs.Runner) {
	r.RegisterOutsideTx(KindWebhook, s.deliverWebhook)
	r.Register(KindTimeScan, s.timeScanJob)
	r.Register(KindTimeRule, s.timeRuleJob)
}

// deliverWebhook posts one webhook, outside any transaction (so a slow
// receiver never holds the store's writer). Any answer other than 2xx, or
// no answer within WebhookTimeout, fails the attempt so the runner retries
// it. Delivery is at least once: a crash after the POST and before the job
// is marked done posts again.
func (s *Service) deliverWebhook(ctx context.Context, j jobs.Job) error {
	var w WebhookJob
	if err := j.Decode(&w); err != nil {
		return err
	}
	if err := PostJSON(ctx, s.o.HTTPClient, w.URL, w.Body, s.o.WebhookSecret, "Kesher-Automation/1"); err != nil {
		return fmt.Errorf("rules: %w", err)
	}
	return nil
}

// PostJSON posts body (JSON) to url with client within WebhookTimeout,
// signed in SignatureHeader when secret is not empty, as userAgent. Any
// answer other than 2xx is an error. Errors show url redacted (RedactURL),
// as they are logged and stored. The automation webhooks and the
// credit-ledger export share it.
func PostJSON(ctx context.Context, client *http.Client, url string, body []byte, secret, userAgent string) error {
	ctx, cancel := context.WithTimeout(ctx, WebhookTimeout)
	defer cancel()
	shown := RedactURL(url)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook %s: the URL is not valid", shown) // err would repeat the URL in clear
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	if secret != "" {
		req.Header.Set(SignatureHeader, Sign(secret, body))
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *neturl.Error
		if errors.As(err, &ue) {
			err = ue.Err // its URL is the one we show, redacted
		}
		return fmt.Errorf("webhook %s: %w", shown, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook %s answered %s", shown, resp.Status)
	}
	return nil
}

// RedactURL returns raw with the password of its userinfo replaced by
// "xxxxx" (url.URL.Redacted), or "(invalid URL)" when raw does not parse:
// the form of a webhook URL that may be logged or shown.
func RedactURL(raw string) string {
	u, err := neturl.Parse(raw)
	if err != nil {
		return "(invalid URL)"
	}
	return u.Redacted()
}

// Sign returns the signature header value for body: "sha256=" and the hex
// HMAC-SHA256 of body keyed with secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}
