package demo

import "time"

// Conversation statuses (see internal/conversation).
const (
	statusNew     = "new"
	statusOpen    = "open"
	statusPending = "pending"
	statusOnHold  = "on_hold"
	statusSolved  = "solved"
	statusClosed  = "closed"
)

// nobody is the agent index of "no agent" (an unassigned conversation, or
// the system as author).
const nobody = -1

// entry is one row of a conversation's thread: a reply, a note or a
// timeline event. Agents are indexes into the desk's agents, resolved to ids
// when stored.
type entry struct {
	at         time.Time
	kind       string // reply, note, event
	direction  string // inbound, outbound, internal
	authorType string // contact, agent, system
	agent      int    // the authoring agent, or nobody
	body       string
	// Events only: the event name and its from/to values — statuses, or
	// agent indexes for "assigned".
	event            string
	from, to         string
	fromAgt, toAgent int
}

// convPlan is a conversation as the seed will store it. The thread methods
// below change it exactly as the conversation service would, so the stored
// counters and timestamps agree with the stored messages.
type convPlan struct {
	created  time.Time
	scene    *scenario
	inbox    int
	lang     int
	contact  int
	team     int
	assignee int
	subject  string
	priority string
	status   string
	tags     []string
	custom   map[string]any
	entries  []entry

	messageCount, reopenCount                              int
	firstResponse, lastCustomer, lastAgent, solved, closed time.Time // zero means NULL
	updated                                                time.Time

	// now ends the story: nothing after it happens, and neither does
	// anything after a step that would happen later.
	now     time.Time
	stopped bool
}

// at admits a step at t: false once the story has reached now. Steps never
// go back in time.
func (c *convPlan) at(t time.Time) (time.Time, bool) {
	if c.stopped || t.After(c.now) {
		c.stopped = true
		return t, false
	}
	if t.Before(c.updated) {
		t = c.updated
	}
	c.updated = t
	return t, true
}

// stop ends the story here (a conversation that stalls).
func (c *convPlan) stop() { c.stopped = true }

// customer adds the customer's message: pending and on hold go back to
// open, and a solved conversation reopens.
func (c *convPlan) customer(t time.Time, body string) {
	t, ok := c.at(t)
	if !ok {
		return
	}
	c.entries = append(c.entries, entry{at: t, kind: "reply", direction: "inbound", authorType: "contact", agent: nobody, body: body})
	c.messageCount++
	c.lastCustomer = t
	switch c.status {
	case statusPending, statusOnHold:
		c.entries = append(c.entries, entry{at: t, kind: "event", direction: "internal", authorType: "contact", agent: nobody,
			event: "status_changed", from: c.status, to: statusOpen})
		c.status = statusOpen
	case statusSolved:
		c.status, c.solved = statusOpen, time.Time{}
		c.reopenCount++
		c.entries = append(c.entries, entry{at: t, kind: "event", direction: "internal", authorType: "contact", agent: nobody,
			event: "reopened", from: statusSolved, to: statusOpen})
	}
}

// reply adds agent a's public reply, taking the conversation if nobody has
// it; the first one sets the first response time and opens a new
// conversation. A non-empty status is applied after it.
func (c *convPlan) reply(t time.Time, a int, body, status string) {
	t, ok := c.at(t)
	if !ok {
		return
	}
	if c.assignee == nobody {
		c.assign(t, a, a)
	}
	c.entries = append(c.entries, entry{at: t, kind: "reply", direction: "outbound", authorType: "agent", agent: a, body: body})
	c.messageCount++
	c.lastAgent = t
	if c.firstResponse.IsZero() {
		c.firstResponse = t
	}
	if c.status == statusNew {
		c.entries = append(c.entries, entry{at: t, kind: "event", direction: "internal", authorType: "agent", agent: a,
			event: "status_changed", from: statusNew, to: statusOpen})
		c.status = statusOpen
	}
	if status != "" {
		c.setStatus(t, a, status)
	}
}

// note adds agent a's internal note.
func (c *convPlan) note(t time.Time, a int, body string) {
	t, ok := c.at(t)
	if !ok {
		return
	}
	c.entries = append(c.entries, entry{at: t, kind: "note", direction: "internal", authorType: "agent", agent: a, body: body})
	c.messageCount++
}

// setStatus moves the conversation to status to; actor nobody is the
// system (the auto-close).
func (c *convPlan) setStatus(t time.Time, actor int, to string) {
	if c.status == to {
		return
	}
	t, ok := c.at(t)
	if !ok {
		return
	}
	from := c.status
	switch {
	case to == statusSolved:
		c.solved = t
	case to == statusClosed:
		c.closed = t
	case from == statusSolved:
		c.solved = time.Time{}
	}
	c.status = to
	c.entries = append(c.entries, entry{at: t, kind: "event", direction: "internal", authorType: authorOf(actor), agent: actor,
		event: "status_changed", from: from, to: to})
}

// assign gives the conversation to agent to; actor nobody is the routing.
func (c *convPlan) assign(t time.Time, actor, to int) {
	if c.assignee == to {
		return
	}
	t, ok := c.at(t)
	if !ok {
		return
	}
	c.entries = append(c.entries, entry{at: t, kind: "event", direction: "internal", authorType: authorOf(actor), agent: actor,
		event: "assigned", fromAgt: c.assignee, toAgent: to})
	c.assignee = to
}

func authorOf(agent int) string {
	if agent == nobody {
		return "system"
	}
	return "agent"
}
