package inbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
)

// Widget is a chat inbox's live-chat widget settings, inboxes.settings
// "widget" (read by internal/channel/chat):
//
//	"widget": {"token": "…", "allowed_origins": ["https://shop.example", "*.example.com"],
//	  "greeting": {"he": "…", "en": "…"}, "color": "#0b5fff",
//	  "prechat": {"name": "off|optional|required", "email": "off|optional|required"},
//	  "business_hours": "il", "offline_inbox_id": 3, "help_center": true}
//
// Token is the public id the embedding page names (data-inbox), 16–64 of
// A-Z a-z 0-9 _ -. AllowedOrigins are "scheme://host[:port]" or host
// patterns (path.Match, "*.example.com"); empty allows every origin.
// BusinessHours names an SLA calendar ("il" or a stored one); empty means
// always open (then only "no agent online" makes the widget offline).
// OfflineInboxID is the email inbox that offline messages open a
// conversation in, so agents answer them by email (default: the first
// enabled email inbox).
type Widget struct {
	Token          string            `json:"token"`
	AllowedOrigins []string          `json:"allowed_origins"`
	Greeting       map[string]string `json:"greeting"`
	Color          string            `json:"color"`
	Prechat        Prechat           `json:"prechat"`
	BusinessHours  string            `json:"business_hours"`
	OfflineInboxID int64             `json:"offline_inbox_id"`
	// HelpCenter shows this widget on the public help center's pages
	// (the first enabled chat inbox with it set; see HelpCenterWidget).
	HelpCenter bool `json:"help_center"`
}

// Prechat says, per field, whether the widget asks for it before the first
// message: "off" (default), "optional" or "required".
type Prechat struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Pre-chat field modes.
const (
	PrechatOff      = "off"
	PrechatOptional = "optional"
	PrechatRequired = "required"
)

var (
	widgetTokenRE = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)
	colorRE       = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
)

// WidgetOf reads settings["widget"]; ok is false when there is none or it
// does not parse (Create and Update refuse such settings).
func WidgetOf(settings map[string]any) (Widget, bool) {
	var c errs.Checker
	w, ok := parseWidget(&c, settings)
	return w, ok && c.Err() == nil
}

func parseWidget(c *errs.Checker, settings map[string]any) (Widget, bool) {
	v, ok := settings["widget"]
	if !ok || v == nil {
		return Widget{}, false
	}
	raw, _ := json.Marshal(v)
	var w Widget
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		c.Add("settings.widget", "invalid", "widget settings: %s", strings.TrimPrefix(err.Error(), "json: "))
		return Widget{}, false
	}
	if w.Prechat.Name == "" {
		w.Prechat.Name = PrechatOff
	}
	if w.Prechat.Email == "" {
		w.Prechat.Email = PrechatOff
	}
	return w, true
}

func checkWidget(c *errs.Checker, channel string, settings map[string]any) {
	w, ok := parseWidget(c, settings)
	if !ok {
		return
	}
	c.Check(channel == ChannelChat, "settings.widget", "unsupported", "only chat inboxes have a widget")
	c.Check(widgetTokenRE.MatchString(w.Token), "settings.widget.token", "invalid", "the token must be 16-64 of A-Z a-z 0-9 _ -")
	c.Check(w.Color == "" || colorRE.MatchString(w.Color), "settings.widget.color", "invalid", "color must be #rrggbb")
	c.OneOf("settings.widget.prechat.name", w.Prechat.Name, PrechatOff, PrechatOptional, PrechatRequired)
	c.OneOf("settings.widget.prechat.email", w.Prechat.Email, PrechatOff, PrechatOptional, PrechatRequired)
	c.Check(len(w.AllowedOrigins) <= 50, "settings.widget.allowed_origins", "too_many", "at most 50 origins")
	for i, o := range w.AllowedOrigins {
		c.Check(validOriginPattern(o), fmt.Sprintf("settings.widget.allowed_origins[%d]", i), "invalid",
			"%q is neither an origin (https://shop.example[:port]) nor a host pattern (*.example.com)", o)
	}
	for lang, g := range w.Greeting {
		c.Check(lang == "he" || lang == "en", "settings.widget.greeting."+lang, "unsupported", "greetings are for \"he\" and \"en\"")
		c.MaxLen("settings.widget.greeting."+lang, g, 500)
	}
	c.MaxLen("settings.widget.business_hours", w.BusinessHours, 100)
}

// hostPatternRE is a host[:port] pattern of letters, digits, dots, hyphens
// and the path.Match wildcards * and ?.
var hostPatternRE = regexp.MustCompile(`^[A-Za-z0-9*?.-]+(:[0-9*]+)?$`)

// validOriginPattern reports whether p is an allowed-origin entry the
// widget understands (see chat.OriginAllowed): "http(s)://host[:port]"
// without a path, or a host pattern such as "*.example.com" or
// "localhost:*", at most 200 characters.
func validOriginPattern(p string) bool {
	if p == "" || len(p) > 200 || strings.TrimSpace(p) != p {
		return false
	}
	if scheme, rest, ok := strings.Cut(p, "://"); ok {
		if scheme != "http" && scheme != "https" {
			return false
		}
		p = strings.TrimRight(rest, "/")
	}
	if !hostPatternRE.MatchString(p) {
		return false
	}
	_, err := path.Match(p, "")
	return err == nil
}

// NewWidgetToken returns a fresh random widget token: 26 characters of
// A-Z and 2-7 (crypto/rand.Text, 130 bits).
func NewWidgetToken() string { return rand.Text() }

// fillWidgetToken gives a chat inbox's settings a widget with a token: when
// there is no widget it keeps prev's (an update that leaves the widget out
// does not break the sites embedding it) or starts one; an empty token
// (how the admin app asks to regenerate it) gets a fresh one. Other
// channels and malformed widgets are left to validation.
func fillWidgetToken(channel string, settings, prev map[string]any) {
	if channel != ChannelChat || settings == nil {
		return
	}
	v, ok := settings["widget"]
	if !ok || v == nil {
		if pw, ok := prev["widget"].(map[string]any); ok {
			settings["widget"] = pw
			return
		}
		settings["widget"] = map[string]any{"token": NewWidgetToken()}
		return
	}
	if m, ok := v.(map[string]any); ok {
		if t, _ := m["token"].(string); t == "" {
			m["token"] = NewWidgetToken()
		}
	}
}

// checkWidgetRefs reports, read through q (the writing transaction), a
// widget whose business_hours names no calendar ("il" is built in) or
// whose offline_inbox_id names no email inbox; the token used by another
// inbox's widget is refused too (the embed snippet must name one inbox).
// self is the inbox being updated (0 on create).
func checkWidgetRefs(ctx context.Context, q db.Querier, self int64, settings map[string]any) error {
	w, ok := WidgetOf(settings)
	if !ok {
		return nil
	}
	var c errs.Checker
	if w.BusinessHours != "" && w.BusinessHours != "il" {
		var n int
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM calendars WHERE name = ?`, w.BusinessHours).Scan(&n); err != nil {
			return fmt.Errorf("inbox: check widget calendar: %w", err)
		}
		c.Check(n > 0, "settings.widget.business_hours", "not_found", "no calendar %q", w.BusinessHours)
	}
	if w.OfflineInboxID != 0 {
		var n int
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM inboxes WHERE id = ? AND channel = ?`, w.OfflineInboxID, ChannelEmail).Scan(&n); err != nil {
			return fmt.Errorf("inbox: check offline inbox: %w", err)
		}
		c.Check(n > 0, "settings.widget.offline_inbox_id", "not_found", "no email inbox %d", w.OfflineInboxID)
	}
	others, err := (&Service{}).load(ctx, q, `WHERE channel = ? AND id <> ?`, ChannelChat, self)
	if err != nil {
		return err
	}
	for _, o := range others {
		if ow, ok := WidgetOf(o.Settings); ok && ow.Token == w.Token {
			c.Add("settings.widget.token", "taken", "another inbox's widget has this token")
		}
	}
	return c.Err()
}

// HelpCenterWidget returns the widget token of the first enabled chat
// inbox (by id) whose widget has help_center set, "" when there is none:
// the public help center embeds that widget.
func (s *Service) HelpCenterWidget(ctx context.Context) (string, error) {
	bs, err := s.load(ctx, s.db.R(), `WHERE channel = ? AND enabled = ? ORDER BY id`, ChannelChat, true)
	if err != nil {
		return "", fmt.Errorf("inbox: help center widget: %w", err)
	}
	for _, b := range bs {
		if w, ok := WidgetOf(b.Settings); ok && w.HelpCenter {
			return w.Token, nil
		}
	}
	return "", nil
}
