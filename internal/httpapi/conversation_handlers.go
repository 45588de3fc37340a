package httpapi

import (
	"github.com/kesherdesk/kesher/internal/page"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/errs"
)

func itoa(i int) string { return strconv.Itoa(i) }

// checkQuery rejects query parameters the endpoint does not know, so a
// typo ("stauts=open") is an error instead of an unfiltered list.
// It also rejects what net/url would drop or merge silently: a malformed
// query (e.g. with ';'), a parameter given twice, NUL characters, and an
// explicit limit outside 1..100 (1..500 for a thread; 0 would otherwise
// mean the default).
func checkQuery(r *http.Request, allowed ...string) error {
	vals, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return errs.Invalid("query", "malformed", "the query string is malformed: %v", err)
	}
	for k, vs := range vals {
		if !containsStr(allowed, k) {
			return errs.Invalid(k, "unknown_parameter", "unknown query parameter %q (known: %s)", k, strings.Join(allowed, ", "))
		}
		if len(vs) > 1 {
			return errs.Invalid(k, "duplicate_parameter", "give %s once (separate several values with commas)", k)
		}
		if strings.ContainsRune(vs[0], 0) || !utf8.ValidString(vs[0]) {
			return errs.Invalid(k, "invalid", "%s contains a NUL character or invalid UTF-8", k)
		}
		if k == "limit" {
			max := page.MaxLimit
			if strings.HasSuffix(r.URL.Path, "/messages") {
				max = maxThreadPage
			}
			if n, err := strconv.Atoi(vs[0]); err != nil || n < 1 || n > max {
				return errs.Invalid("limit", "out_of_range", "limit must be a whole number from 1 to %d", max)
			}
		}
	}
	return nil
}

// maxThreadPage is the largest page of messages in a thread.
const maxThreadPage = 500

func splitList(v string) []string {
	if v == "" {
		return nil
	}
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func visibility(p *auth.Principal) conversation.Visibility {
	return conversation.Visibility{All: p.SeesAllConversations(), AgentID: p.AgentID, TeamIDs: p.TeamIDs}
}

// listQueryField names a list filter by its query parameter in errors.
func listQueryField(name string) string {
	switch name {
	case "statuses":
		return "status"
	case "priorities":
		return "priority"
	}
	return name
}

func (a *API) listConversations(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if err := checkQuery(r, "status", "priority", "assignee", "team", "tag", "inbox", "requester", "channel", "q",
		"updated_since", "sort", "cursor", "limit", "sla"); err != nil {
		return err
	}
	q := r.URL.Query()
	f := conversation.Filters{Statuses: splitList(q.Get("status")), Priorities: splitList(q.Get("priority")),
		Assignee: q.Get("assignee"), Team: q.Get("team"), Tag: q.Get("tag"), Channel: q.Get("channel"), Q: q.Get("q"),
		SLA: q.Get("sla")}
	var err error
	if f.Inbox, err = queryInt(r, "inbox"); err != nil {
		return err
	}
	lp, err := a.svc.Conversations.Params(r.Context(), f, p.AgentID, listQueryField)
	if err != nil {
		return err
	}
	lp.Sort, lp.Cursor, lp.Visibility = q.Get("sort"), q.Get("cursor"), visibility(p)
	if lp.RequesterID, err = queryInt(r, "requester"); err != nil {
		return err
	}
	if lp.UpdatedSince, err = queryTime(r, "updated_since"); err != nil {
		return err
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	lp.Limit = int(min(limit, 1<<20))
	res, err := a.svc.Conversations.List(r.Context(), lp)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// conversationFor loads a conversation and applies the visibility rule:
// 403 when it exists but the principal's teams do not cover it.
func (a *API) conversationFor(r *http.Request, p *auth.Principal) (conversation.Conversation, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return conversation.Conversation{}, err
	}
	c, err := a.svc.Conversations.Get(r.Context(), id)
	if err != nil {
		return conversation.Conversation{}, err
	}
	if !p.CanSeeConversation(c.TeamIDOr0(), c.AssigneeIDOr0()) {
		return conversation.Conversation{}, errs.ErrForbidden
	}
	return c, nil
}

type createConversationResponse struct {
	conversation.Conversation
	Message conversation.Message `json:"message"`
}

func (a *API) createConversation(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in conversation.CreateInput
	if err := decodeJSON(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	if in.Message != nil {
		if err := checkMessageAuthor(p, in.Message.Direction); err != nil {
			return err
		}
	}
	c, m, err := a.svc.Conversations.Create(r.Context(), actorOf(p), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/conversations/"+strconv.FormatInt(c.ID, 10))
	writeJSON(w, http.StatusCreated, createConversationResponse{Conversation: c, Message: m})
	return nil
}

// checkMessageAuthor: inbound messages speak for the customer, so only
// API tokens (integrations) may post them, never a signed-in agent's
// session.
func checkMessageAuthor(p *auth.Principal, direction string) error {
	if direction == conversation.DirectionInbound && p.TokenID == 0 {
		return errs.Invalid("direction", "forbidden", "inbound messages can only be posted with an API token")
	}
	return nil
}

func (a *API) getConversation(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	c, err := a.conversationFor(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) updateConversation(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	c, err := a.conversationFor(r, p)
	if err != nil {
		return err
	}
	var in conversation.Patch
	if err := decodeJSON(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	c, err = a.svc.Conversations.Update(r.Context(), actorOf(p), c.ID, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) listMessages(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if err := checkQuery(r, "after", "limit"); err != nil {
		return err
	}
	c, err := a.conversationFor(r, p)
	if err != nil {
		return err
	}
	after, err := queryInt(r, "after")
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	if limit == 0 {
		limit = maxThreadPage
	}
	ms, err := a.svc.Conversations.ListMessages(r.Context(), c.ID, after, int(limit))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": ms})
	return nil
}

type createMessageResponse struct {
	conversation.Message
	Conversation conversation.Conversation `json:"conversation"`
}

func (a *API) createMessage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	c, err := a.conversationFor(r, p)
	if err != nil {
		return err
	}
	var in conversation.MessageInput
	if err := decodeJSON(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	if err := checkMessageAuthor(p, in.Direction); err != nil {
		return err
	}
	m, conv, err := a.svc.Conversations.AddMessage(r.Context(), actorOf(p), c.ID, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, createMessageResponse{Message: m, Conversation: conv})
	return nil
}

func (a *API) conversationAudit(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	c, err := a.conversationFor(r, p)
	if err != nil {
		return err
	}
	es, err := audit.List(r.Context(), a.svc.DB.R(), "conversation", c.ID, 1000)
	if err != nil {
		return err
	}
	if es == nil {
		es = []audit.Entry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": es})
	return nil
}
