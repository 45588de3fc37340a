package realtime

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// presenceFrame lists the agents viewing a conversation.
type presenceFrame struct {
	Type           string           `json:"type"`
	ConversationID int64            `json:"conversation_id"`
	Agents         []presenceViewer `json:"agents"`
	// VisitorTyping is true while the chat visitor of the conversation
	// types (SetVisitorTyping).
	VisitorTyping bool `json:"visitor_typing"`
}

// presenceViewer is one agent in a presence frame; an agent with several
// tabs on the conversation appears once, typing if any tab types.
type presenceViewer struct {
	AgentID int64  `json:"agent_id"`
	Name    string `json:"name"`
	Typing  bool   `json:"typing"`
}

// setView makes c view conversation id (0: none), leaving its previous one,
// and tells the viewers of both. c always receives the presence of the
// conversation it now views.
func (h *Hub) setView(c *conn, id int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c.viewing == id {
		if id != 0 {
			h.publishPresenceLocked(id, c)
		}
		return
	}
	h.leaveLocked(c)
	if id == 0 {
		return
	}
	if h.views[id] == nil {
		h.views[id] = map[*conn]struct{}{}
	}
	h.views[id][c] = struct{}{}
	c.viewing = id
	h.publishPresenceLocked(id, c)
}

// setTyping starts (on) or stops c's typing in conversation id. It reports
// false when c does not view id.
func (h *Hub) setTyping(c *conn, id int64, on bool, now time.Time) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if id == 0 || c.viewing != id {
		return false
	}
	if on {
		c.typingUntil = now.Add(h.opts.TypingTTL)
		h.typing[c] = struct{}{}
	} else {
		c.typingUntil = time.Time{}
		delete(h.typing, c)
	}
	h.publishPresenceLocked(id, nil)
	return true
}

// viewingOf returns the conversation c views, 0 for none.
func (h *Hub) viewingOf(c *conn) int64 {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return c.viewing
}

// leave ends c's view of conversation id, if it still views it.
func (h *Hub) leave(c *conn, id int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c.viewing == id {
		h.leaveLocked(c)
	}
}

// leaveLocked ends c's view, if any, and tells the remaining viewers.
func (h *Hub) leaveLocked(c *conn) {
	old := c.viewing
	if old == 0 {
		return
	}
	delete(h.views[old], c)
	if len(h.views[old]) == 0 {
		delete(h.views, old)
	}
	c.viewing, c.typingUntil = 0, time.Time{}
	delete(h.typing, c)
	h.publishPresenceLocked(old, nil)
}

// dropHiddenViewers removes the viewers of conversation id who may no longer
// see it (it moved to another team or assignee).
func (h *Hub) dropHiddenViewers(id, team, assignee int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.views[id] {
		if !c.principal().CanSeeConversation(team, assignee) {
			h.leaveLocked(c)
		}
	}
}

// expireTyping clears typing that was not refreshed within TypingTTL.
func (h *Hub) expireTyping(now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var dirty []int64
	for c := range h.typing {
		if !c.typingUntil.After(now) {
			c.typingUntil = time.Time{}
			delete(h.typing, c)
			dirty = append(dirty, c.viewing)
		}
	}
	for id, until := range h.visitorTyping {
		if !until.After(now) {
			delete(h.visitorTyping, id)
			dirty = append(dirty, id)
		}
	}
	slices.Sort(dirty)
	for _, id := range slices.Compact(dirty) {
		h.publishPresenceLocked(id, nil)
	}
}

// publishPresenceLocked sends conversation id's presence to all its viewers
// when it differs from what they were last sent, and otherwise to also
// alone (a connection that just started viewing), if set.
func (h *Hub) publishPresenceLocked(id int64, also *conn) {
	viewers := h.views[id]
	now := time.Now()
	h.observeTypingLocked(id, viewers, now)
	if len(viewers) == 0 {
		delete(h.sent, id)
		return
	}
	byAgent := map[int64]*presenceViewer{}
	for c := range viewers {
		p := c.principal()
		v := byAgent[p.AgentID]
		if v == nil {
			v = &presenceViewer{AgentID: p.AgentID, Name: p.Name}
			byAgent[p.AgentID] = v
		}
		v.Typing = v.Typing || c.typingUntil.After(now)
	}
	f := presenceFrame{Type: "presence", ConversationID: id, Agents: make([]presenceViewer, 0, len(byAgent)),
		VisitorTyping: h.visitorTyping[id].After(now)}
	for _, v := range byAgent {
		f.Agents = append(f.Agents, *v)
	}
	slices.SortFunc(f.Agents, func(a, b presenceViewer) int { return cmp.Compare(a.AgentID, b.AgentID) })
	frame, _ := json.Marshal(f)
	if string(frame) != h.sent[id] {
		h.sent[id] = string(frame)
		for c := range viewers {
			c.enqueue(frame)
		}
		return
	}
	if also != nil {
		also.enqueue(frame)
	}
}

// SetVisitorTyping records that the chat visitor of conversation id started
// (on) or stopped typing; it lapses after Options.TypingTTL without a
// refresh. The conversation's viewers get a presence frame with
// visitor_typing when it changes. Safe for concurrent use.
func (h *Hub) SetVisitorTyping(id int64, on bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if on {
		h.visitorTyping[id] = time.Now().Add(h.opts.TypingTTL)
	} else {
		delete(h.visitorTyping, id)
	}
	h.publishPresenceLocked(id, nil)
}

// ObserveTyping makes the hub call f(conversation id, names of the agents
// typing in it, sorted; empty when none) whenever that list changes. The
// chat channel uses it to show the agent's typing to the visitor. f runs
// with the hub's lock held: it must not block nor call the hub. A later
// call replaces f.
func (h *Hub) ObserveTyping(f func(conversationID int64, names []string)) {
	h.typingObserver.Store(&f)
}

// AgentsOnline returns how many agents have at least one socket open on
// this node.
func (h *Hub) AgentsOnline() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.byAgent)
}

// observeTypingLocked tells the typing observer when the agents typing in
// conversation id changed.
func (h *Hub) observeTypingLocked(id int64, viewers map[*conn]struct{}, now time.Time) {
	f := h.typingObserver.Load()
	if f == nil {
		return
	}
	var names []string
	seen := map[int64]bool{}
	for c := range viewers {
		p := c.principal()
		if c.typingUntil.After(now) && !seen[p.AgentID] {
			seen[p.AgentID] = true
			names = append(names, p.Name)
		}
	}
	slices.Sort(names)
	key := strings.Join(names, "\x00")
	if key == h.sentTyping[id] {
		return
	}
	if key == "" {
		delete(h.sentTyping, id)
	} else {
		h.sentTyping[id] = key
	}
	(*f)(id, names)
}
