// Package routing decides who gets a conversation automatically: the
// language of a customer message (DetectLanguage) and the agent a team's
// assignment mode picks (Picker). It is pure logic — no database, no clock,
// no globals; callers load the candidates and store the round-robin cursor.
package routing

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Mode is a team's assignment mode.
type Mode string

// Assignment modes.
const (
	// ModeManual assigns nobody; agents or supervisors assign by hand.
	ModeManual Mode = "manual"
	// ModeRoundRobin hands conversations to eligible agents in turn, in
	// ascending agent id order, continuing after the team's cursor.
	ModeRoundRobin Mode = "round_robin"
	// ModeLoadBalanced hands each conversation to the eligible agent with
	// the lowest open/capacity ratio.
	ModeLoadBalanced Mode = "load_balanced"
)

// Modes lists the valid modes.
var Modes = []Mode{ModeManual, ModeRoundRobin, ModeLoadBalanced}

// Online is the only agent availability that receives conversations
// (agent.Availabilities: online, away, offline).
const Online = "online"

// DefaultMaxTurns is how many times one agent may hold the same
// conversation before the picker stops handing it back to them.
const DefaultMaxTurns = 2

// Candidate is an agent the picker may choose: a member of the team.
type Candidate struct {
	AgentID        int64
	Availability   string    // "online", "away" or "offline"; only Online is picked
	Capacity       int       // most open conversations the agent takes; 0 takes none automatically
	Languages      []string  // ISO 639 codes, e.g. "he"; "he-IL" counts as "he"
	Skills         []string  // compared with conversation tags, case-insensitively
	OpenCount      int       // conversations assigned to the agent and not solved or closed
	LastAssignedAt time.Time // last automatic or manual assignment; zero = never
}

// Request is one assignment decision for one conversation in one team.
type Request struct {
	Mode       Mode
	Candidates []Candidate
	Language   string   // the conversation's language ("" = unknown, no preference)
	Tags       []string // the conversation's tags
	// History lists the conversation's assignees, oldest first, one entry
	// per assignment (the current assignee last).
	History []int64
	// TakenFrom is the agent the conversation is being taken from in this
	// reassignment (e.g. who went away), 0 for a first assignment.
	TakenFrom int64
	// Cursor is the team's round-robin cursor: the agent id round robin
	// picked last, 0 before the first pick.
	Cursor int64
}

// Reason says why the picker chose as it did.
type Reason string

// Reasons. ReasonAssigned is the only one with an agent.
const (
	ReasonAssigned      Reason = "assigned"
	ReasonManual        Reason = "manual_mode"
	ReasonUnknownMode   Reason = "unknown_mode"
	ReasonNoneOnline    Reason = "no_agent_online"
	ReasonAllAtCapacity Reason = "all_at_capacity"
	ReasonLoopGuard     Reason = "loop_guard"
)

// Result is the picker's decision. AgentID is 0 when nobody is chosen; the
// caller stores Cursor as the team's new round-robin cursor whatever the
// outcome (it only moves when round robin picks someone).
type Result struct {
	AgentID int64
	Reason  Reason
	Cursor  int64
	// LanguageFallback is set when no eligible agent speaks the
	// conversation's language and the pick was made among all eligible.
	LanguageFallback bool
	// SkillFallback is set when no eligible agent's skills cover every tag
	// and the pick was made among those covering the most tags.
	SkillFallback bool
}

// Picker chooses an assignee. The zero value is ready to use; it holds
// settings only, never state, so one Picker serves every team at once.
type Picker struct {
	// MaxTurns is how many entries of Request.History one agent may have
	// before they are no longer picked for that conversation; 0 means
	// DefaultMaxTurns.
	MaxTurns int
}

// Pick chooses the agent for r. The rules, applied in this order:
//
//  1. Mode manual assigns nobody (ReasonManual); an unknown mode assigns
//     nobody (ReasonUnknownMode).
//  2. Only candidates whose Availability is Online are considered; away
//     and offline agents get nothing (ReasonNoneOnline if none is online).
//  3. A candidate at or over capacity (OpenCount >= Capacity) is skipped
//     (ReasonAllAtCapacity if every online agent is).
//  4. Anti-ping-pong: a candidate who appears MaxTurns (2) times or more in
//     History is skipped, and so is TakenFrom, so a reassignment never
//     hands the conversation straight back and two agents can pass it at
//     most once each way (ReasonLoopGuard if this leaves nobody; a person
//     must decide then).
//  5. Language: when Language is set, candidates who speak it are
//     preferred; if none does, all remaining candidates stay and
//     LanguageFallback is set.
//  6. Skills: when Tags is set, candidates whose Skills cover the most tags
//     are kept; if that is fewer than all tags, SkillFallback is set.
//  7. Round robin: candidates in ascending id order, the first with an id
//     above Cursor, wrapping to the lowest; the new Cursor is its id. Each
//     agent's turn comes once per cycle over the eligible agents.
//  8. Load balanced: the lowest OpenCount/Capacity, ties broken by the
//     oldest LastAssignedAt (never assigned first), then the lowest id.
//     Cursor is returned unchanged.
func (p Picker) Pick(r Request) Result {
	res := Result{Cursor: r.Cursor}
	switch r.Mode {
	case ModeManual:
		res.Reason = ReasonManual
		return res
	case ModeRoundRobin, ModeLoadBalanced:
	default:
		res.Reason = ReasonUnknownMode
		return res
	}
	maxTurns := p.MaxTurns
	if maxTurns <= 0 {
		maxTurns = DefaultMaxTurns
	}

	pool := make([]*Candidate, 0, len(r.Candidates))
	for i := range r.Candidates {
		if r.Candidates[i].Availability == Online {
			pool = append(pool, &r.Candidates[i])
		}
	}
	if len(pool) == 0 {
		res.Reason = ReasonNoneOnline
		return res
	}
	pool = slices.DeleteFunc(pool, func(c *Candidate) bool { return c.OpenCount >= c.Capacity })
	if len(pool) == 0 {
		res.Reason = ReasonAllAtCapacity
		return res
	}
	pool = slices.DeleteFunc(pool, func(c *Candidate) bool {
		return c.AgentID == r.TakenFrom || turns(r.History, c.AgentID) >= maxTurns
	})
	if len(pool) == 0 {
		res.Reason = ReasonLoopGuard
		return res
	}

	if lang := primaryLang(r.Language); lang != "" {
		speakers := filter(pool, func(c *Candidate) bool {
			return slices.ContainsFunc(c.Languages, func(l string) bool { return primaryLang(l) == lang })
		})
		if len(speakers) > 0 {
			pool = speakers
		} else {
			res.LanguageFallback = true
		}
	}
	if len(r.Tags) > 0 {
		best := -1
		var covering []*Candidate
		for _, c := range pool {
			n := covered(c.Skills, r.Tags)
			if n > best {
				best, covering = n, covering[:0]
			}
			if n == best {
				covering = append(covering, c)
			}
		}
		pool = covering
		res.SkillFallback = best < len(r.Tags)
	}

	var chosen *Candidate
	if r.Mode == ModeRoundRobin {
		for _, c := range pool {
			if c.AgentID > r.Cursor && (chosen == nil || c.AgentID < chosen.AgentID) {
				chosen = c
			}
		}
		if chosen == nil { // wrap around to the lowest id
			chosen = slices.MinFunc(pool, func(a, b *Candidate) int { return cmp.Compare(a.AgentID, b.AgentID) })
		}
		res.Cursor = chosen.AgentID
	} else {
		chosen = slices.MinFunc(pool, compareLoad)
	}
	res.AgentID = chosen.AgentID
	res.Reason = ReasonAssigned
	return res
}

// compareLoad orders candidates for load balancing: OpenCount/Capacity
// ascending (compared by cross-multiplication, exact for integers), then
// LastAssignedAt ascending, then AgentID ascending. Capacity is > 0 here
// because full agents were removed.
func compareLoad(a, b *Candidate) int {
	if c := cmp.Compare(a.OpenCount*b.Capacity, b.OpenCount*a.Capacity); c != 0 {
		return c
	}
	if c := a.LastAssignedAt.Compare(b.LastAssignedAt); c != 0 {
		return c
	}
	return cmp.Compare(a.AgentID, b.AgentID)
}

func turns(history []int64, id int64) int {
	n := 0
	for _, h := range history {
		if h == id {
			n++
		}
	}
	return n
}

// covered counts the tags matched by a skill, case-insensitively.
func covered(skills, tags []string) int {
	n := 0
	for _, t := range tags {
		if slices.ContainsFunc(skills, func(s string) bool { return strings.EqualFold(s, t) }) {
			n++
		}
	}
	return n
}

// primaryLang returns the lower-case primary subtag: "he-IL" → "he".
func primaryLang(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return tag
}

func filter(cs []*Candidate, keep func(*Candidate) bool) []*Candidate {
	var out []*Candidate
	for _, c := range cs {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}
