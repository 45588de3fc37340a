package canned

import (
	"context"
	"regexp"
	"strconv"
	"strings"
)

// Values are what the placeholders of a canned response stand for in one
// conversation, answered by one agent.
type Values struct {
	ContactName         string
	ContactEmail        string
	ConversationNumber  int64
	ConversationSubject string
	AgentName           string
	TeamName            string // the conversation's team, "" without one
}

// placeholderRE matches {{name}}, with optional spaces inside the braces.
var placeholderRE = regexp.MustCompile(`\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}`)

// Render fills in body's placeholders: {{contact.name}},
// {{contact.first_name}}, {{contact.email}}, {{conversation.number}},
// {{conversation.subject}}, {{team.name}}, {{agent.name}} and
// {{agent.first_name}}. A
// first name is the first word of the name. Unknown placeholders stay as
// they are, so a typo shows in the draft instead of vanishing.
func Render(body string, v Values) string {
	vals := map[string]string{
		"contact.name":         v.ContactName,
		"contact.first_name":   firstName(v.ContactName),
		"contact.email":        v.ContactEmail,
		"conversation.number":  strconv.FormatInt(v.ConversationNumber, 10),
		"conversation.subject": v.ConversationSubject,
		"team.name":            v.TeamName,
		"agent.name":           v.AgentName,
		"agent.first_name":     firstName(v.AgentName),
	}
	return placeholderRE.ReplaceAllStringFunc(body, func(m string) string {
		if val, ok := vals[placeholderRE.FindStringSubmatch(m)[1]]; ok {
			return val
		}
		return m
	})
}

func firstName(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return ""
}

// Render returns response id's body with its placeholders filled in from v.
// Errors: errs.ErrNotFound (also outside sc).
func (s *Service) Render(ctx context.Context, sc Scope, id int64, v Values) (string, error) {
	r, err := s.Get(ctx, sc, id)
	if err != nil {
		return "", err
	}
	return Render(r.Body, v), nil
}
