package inbox

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"

	"github.com/kesherdesk/kesher/internal/errs"
)

// Widget is a chat inbox's live-chat widget settings, inboxes.settings
// "widget" (read by internal/channel/chat):
//
//	"widget": {"token": "…", "allowed_origins": ["https://shop.example", "*.example.com"],
//	  "greeting": {"he": "…", "en": "…"}, "color": "#0b5fff",
//	  "prechat": {"name": "off|optional|required", "email": "off|optional|required"},
//	  "business_hours": "il", "offline_inbox_id": 3}
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
	for lang, g := range w.Greeting {
		c.Check(lang == "he" || lang == "en", "settings.widget.greeting."+lang, "unsupported", "greetings are for \"he\" and \"en\"")
		c.MaxLen("settings.widget.greeting."+lang, g, 500)
	}
	c.MaxLen("settings.widget.business_hours", w.BusinessHours, 100)
}
