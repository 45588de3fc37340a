package inbox

import (
	"math"

	"github.com/kesherdesk/kesher/internal/errs"
)

// An email inbox's settings may also hold its acknowledgement auto-reply
// and the limit of automatic mail (read by internal/channel/email/outbound):
//
//	"ack": {"enabled": bool, "templates": {"he": {"subject", "body"}, "en": {"subject", "body"}}}
//	"automatic_limit_per_hour": 0…100 (default 5)
//
// Subjects are at most 200 characters, bodies 10 000 bytes; both take the
// placeholders of canned responses.
const (
	maxAckSubject = 200
	maxAckBody    = 10000
)

func checkAutomatic(c *errs.Checker, settings map[string]any) {
	if v, ok := settings["automatic_limit_per_hour"]; ok && v != nil {
		f, isNum := v.(float64)
		c.Check(isNum && f == math.Trunc(f) && f >= 0 && f <= 100, "settings.automatic_limit_per_hour", "invalid",
			"automatic_limit_per_hour must be a whole number from 0 to 100")
	}
	v, ok := settings["ack"]
	if !ok || v == nil {
		return
	}
	ack, ok := v.(map[string]any)
	if !ok {
		c.Add("settings.ack", "wrong_type", "ack must be an object")
		return
	}
	if e, ok := ack["enabled"]; ok && e != nil {
		_, isBool := e.(bool)
		c.Check(isBool, "settings.ack.enabled", "wrong_type", "enabled must be true or false")
	}
	ts, ok := ack["templates"]
	if !ok || ts == nil {
		return
	}
	tm, ok := ts.(map[string]any)
	if !ok {
		c.Add("settings.ack.templates", "wrong_type", "templates must be an object")
		return
	}
	for lang, t := range tm {
		field := "settings.ack.templates." + lang
		if lang != "he" && lang != "en" {
			c.Add(field, "unsupported", "templates are for \"he\" and \"en\"")
			continue
		}
		m, ok := t.(map[string]any)
		if !ok {
			c.Add(field, "wrong_type", "a template must be an object with subject and body")
			continue
		}
		for k, limit := range map[string]int{"subject": maxAckSubject, "body": maxAckBody} {
			x, present := m[k]
			if !present || x == nil {
				continue
			}
			s, isStr := x.(string)
			c.Check(isStr, field+"."+k, "wrong_type", "%s must be a string", k)
			if k == "subject" {
				c.MaxLen(field+"."+k, s, limit)
			} else {
				c.Check(len(s) <= limit, field+"."+k, "too_long", "body must be at most %d bytes", limit)
			}
		}
	}
}
