package routing

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)

func on(id int64, open, capacity int, langs ...string) Candidate {
	return Candidate{AgentID: id, Availability: Online, Capacity: capacity, OpenCount: open, Languages: langs}
}

func TestPick(t *testing.T) {
	away := on(1, 0, 10, "he")
	away.Availability = "away"
	off := on(2, 0, 10, "he")
	off.Availability = "offline"
	skilled := func(c Candidate, skills ...string) Candidate { c.Skills = skills; return c }
	lastAt := func(c Candidate, minutes int) Candidate {
		c.LastAssignedAt = t0.Add(time.Duration(minutes) * time.Minute)
		return c
	}

	tests := []struct {
		name string
		req  Request
		want Result
	}{
		{"manual assigns nobody",
			Request{Mode: ModeManual, Candidates: []Candidate{on(1, 0, 10)}, Cursor: 7},
			Result{Reason: ReasonManual, Cursor: 7}},
		{"unknown mode assigns nobody",
			Request{Mode: "random", Candidates: []Candidate{on(1, 0, 10)}},
			Result{Reason: ReasonUnknownMode}},
		{"empty mode assigns nobody",
			Request{Candidates: []Candidate{on(1, 0, 10)}},
			Result{Reason: ReasonUnknownMode}},
		{"no candidates",
			Request{Mode: ModeRoundRobin},
			Result{Reason: ReasonNoneOnline}},
		{"away and offline get nothing",
			Request{Mode: ModeLoadBalanced, Candidates: []Candidate{away, off}},
			Result{Reason: ReasonNoneOnline}},
		{"away skipped, online picked",
			Request{Mode: ModeLoadBalanced, Language: "he", Candidates: []Candidate{away, off, on(3, 9, 10)}},
			Result{AgentID: 3, Reason: ReasonAssigned, LanguageFallback: true}},
		{"all at or over capacity",
			Request{Mode: ModeLoadBalanced, Candidates: []Candidate{on(1, 3, 3), on(2, 5, 4), on(3, 0, 0)}},
			Result{Reason: ReasonAllAtCapacity}},
		{"at capacity skipped",
			Request{Mode: ModeRoundRobin, Candidates: []Candidate{on(1, 3, 3), on(2, 2, 3)}},
			Result{AgentID: 2, Reason: ReasonAssigned, Cursor: 2}},
		// Round robin
		{"rr first pick is lowest id",
			Request{Mode: ModeRoundRobin, Candidates: []Candidate{on(9, 0, 5), on(4, 0, 5), on(6, 0, 5)}},
			Result{AgentID: 4, Reason: ReasonAssigned, Cursor: 4}},
		{"rr continues after cursor",
			Request{Mode: ModeRoundRobin, Candidates: []Candidate{on(9, 0, 5), on(4, 0, 5), on(6, 0, 5)}, Cursor: 4},
			Result{AgentID: 6, Reason: ReasonAssigned, Cursor: 6}},
		{"rr wraps around",
			Request{Mode: ModeRoundRobin, Candidates: []Candidate{on(9, 0, 5), on(4, 0, 5), on(6, 0, 5)}, Cursor: 9},
			Result{AgentID: 4, Reason: ReasonAssigned, Cursor: 4}},
		{"rr cursor of a departed agent",
			Request{Mode: ModeRoundRobin, Candidates: []Candidate{on(9, 0, 5), on(4, 0, 5)}, Cursor: 6},
			Result{AgentID: 9, Reason: ReasonAssigned, Cursor: 9}},
		{"rr ignores load",
			Request{Mode: ModeRoundRobin, Candidates: []Candidate{on(1, 0, 5), on(2, 4, 5)}, Cursor: 1},
			Result{AgentID: 2, Reason: ReasonAssigned, Cursor: 2}},
		// Load balanced
		{"lb lowest ratio, not lowest count",
			// 2/10 = 0.2 beats 1/3 = 0.33
			Request{Mode: ModeLoadBalanced, Candidates: []Candidate{on(1, 1, 3), on(2, 2, 10)}, Cursor: 5},
			Result{AgentID: 2, Reason: ReasonAssigned, Cursor: 5}},
		{"lb equal ratio, least recently assigned",
			// 1/2 = 2/4; agent 2 was assigned earlier
			Request{Mode: ModeLoadBalanced, Candidates: []Candidate{lastAt(on(1, 1, 2), 30), lastAt(on(2, 2, 4), 10)}},
			Result{AgentID: 2, Reason: ReasonAssigned}},
		{"lb never assigned comes first",
			Request{Mode: ModeLoadBalanced, Candidates: []Candidate{lastAt(on(1, 0, 2), 1), on(2, 0, 4)}},
			Result{AgentID: 2, Reason: ReasonAssigned}},
		{"lb full tie, lowest id",
			Request{Mode: ModeLoadBalanced, Candidates: []Candidate{lastAt(on(8, 1, 4), 5), lastAt(on(3, 1, 4), 5)}},
			Result{AgentID: 3, Reason: ReasonAssigned}},
		// Language
		{"language preferred over load",
			Request{Mode: ModeLoadBalanced, Language: "he", Candidates: []Candidate{on(1, 0, 10, "en"), on(2, 8, 10, "en", "he")}},
			Result{AgentID: 2, Reason: ReasonAssigned}},
		{"language matched by primary subtag",
			Request{Mode: ModeLoadBalanced, Language: "he", Candidates: []Candidate{on(1, 0, 10, "en"), on(2, 8, 10, "he-IL")}},
			Result{AgentID: 2, Reason: ReasonAssigned}},
		{"language fallback when nobody speaks it",
			Request{Mode: ModeLoadBalanced, Language: "ar", Candidates: []Candidate{on(1, 3, 10, "en"), on(2, 1, 10, "he")}},
			Result{AgentID: 2, Reason: ReasonAssigned, LanguageFallback: true}},
		{"language speaker at capacity means fallback",
			Request{Mode: ModeLoadBalanced, Language: "ru", Candidates: []Candidate{on(1, 5, 5, "ru"), on(2, 1, 10, "he")}},
			Result{AgentID: 2, Reason: ReasonAssigned, LanguageFallback: true}},
		{"no language, no preference",
			Request{Mode: ModeLoadBalanced, Candidates: []Candidate{on(1, 3, 10, "he"), on(2, 1, 10)}},
			Result{AgentID: 2, Reason: ReasonAssigned}},
		{"rr rotates among speakers only",
			Request{Mode: ModeRoundRobin, Language: "he", Cursor: 1,
				Candidates: []Candidate{on(1, 0, 9, "he"), on(2, 0, 9, "en"), on(3, 0, 9, "he")}},
			Result{AgentID: 3, Reason: ReasonAssigned, Cursor: 3}},
		// Skills
		{"skills cover all tags",
			Request{Mode: ModeLoadBalanced, Tags: []string{"billing", "VIP"},
				Candidates: []Candidate{skilled(on(1, 0, 10), "billing"), skilled(on(2, 5, 10), "vip", "Billing")}},
			Result{AgentID: 2, Reason: ReasonAssigned}},
		{"skills best partial cover",
			Request{Mode: ModeLoadBalanced, Tags: []string{"billing", "refund", "vip"},
				Candidates: []Candidate{on(1, 0, 10), skilled(on(2, 5, 10), "billing", "refund"), skilled(on(3, 1, 10), "vip")}},
			Result{AgentID: 2, Reason: ReasonAssigned, SkillFallback: true}},
		{"no skills anywhere, everyone stays",
			Request{Mode: ModeLoadBalanced, Tags: []string{"billing"}, Candidates: []Candidate{on(1, 2, 10), on(2, 1, 10)}},
			Result{AgentID: 2, Reason: ReasonAssigned, SkillFallback: true}},
		{"language before skills",
			Request{Mode: ModeLoadBalanced, Language: "he", Tags: []string{"billing"},
				Candidates: []Candidate{skilled(on(1, 0, 10, "en"), "billing"), on(2, 0, 10, "he")}},
			Result{AgentID: 2, Reason: ReasonAssigned, SkillFallback: true}},
		// Anti-ping-pong
		{"not handed back to the agent it was taken from",
			Request{Mode: ModeLoadBalanced, Candidates: []Candidate{on(1, 0, 10), on(2, 9, 10)}, History: []int64{1}, TakenFrom: 1},
			Result{AgentID: 2, Reason: ReasonAssigned}},
		{"rr skips the agent it was taken from",
			Request{Mode: ModeRoundRobin, Candidates: []Candidate{on(1, 0, 10), on(2, 0, 10), on(3, 0, 10)}, History: []int64{2}, TakenFrom: 2, Cursor: 1},
			Result{AgentID: 3, Reason: ReasonAssigned, Cursor: 3}},
		{"agent who had it twice is skipped",
			Request{Mode: ModeLoadBalanced, Candidates: []Candidate{on(1, 0, 10), on(2, 5, 10), on(3, 9, 10)}, History: []int64{1, 2, 1, 2}, TakenFrom: 2},
			Result{AgentID: 3, Reason: ReasonAssigned}},
		{"loop guard leaves nobody",
			Request{Mode: ModeLoadBalanced, Candidates: []Candidate{on(1, 0, 10), on(2, 0, 10)}, History: []int64{1, 2, 1, 2}, TakenFrom: 2},
			Result{Reason: ReasonLoopGuard}},
		{"second turn allowed",
			Request{Mode: ModeLoadBalanced, Candidates: []Candidate{on(1, 0, 10), on(2, 5, 10)}, History: []int64{1, 2, 1}, TakenFrom: 1},
			Result{AgentID: 2, Reason: ReasonAssigned}},
		{"loop guard overrides language",
			Request{Mode: ModeLoadBalanced, Language: "he", Candidates: []Candidate{on(1, 0, 10, "he"), on(2, 0, 10, "en")}, History: []int64{1, 1}},
			Result{AgentID: 2, Reason: ReasonAssigned, LanguageFallback: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Picker{}).Pick(tt.req); got != tt.want {
				t.Errorf("Pick = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestPickMaxTurns(t *testing.T) {
	req := Request{Mode: ModeLoadBalanced, Candidates: []Candidate{on(1, 0, 10), on(2, 5, 10)}, History: []int64{1, 1}}
	if got := (Picker{MaxTurns: 3}).Pick(req); got.AgentID != 1 {
		t.Errorf("MaxTurns 3: picked %d, want 1", got.AgentID)
	}
	if got := (Picker{}).Pick(req); got.AgentID != 2 {
		t.Errorf("default MaxTurns: picked %d, want 2", got.AgentID)
	}
}

func TestPickDoesNotModifyInput(t *testing.T) {
	cs := []Candidate{on(3, 0, 5, "he"), on(1, 0, 5), on(2, 5, 5)}
	before := slices.Clone(cs)
	(Picker{}).Pick(Request{Mode: ModeRoundRobin, Candidates: cs, Language: "he", Tags: []string{"x"}})
	for i := range cs {
		if cs[i].AgentID != before[i].AgentID || cs[i].OpenCount != before[i].OpenCount {
			t.Fatalf("candidates changed: %+v, was %+v", cs, before)
		}
	}
}

// TestRoundRobinFairness hands out 1,000 conversations; agents never fill up.
func TestRoundRobinFairness(t *testing.T) {
	tests := []struct {
		name    string
		offline []int64
		want    map[int64]int
	}{
		{"5 online", nil, map[int64]int{10: 200, 20: 200, 30: 200, 40: 200, 50: 200}},
		{"1 offline", []int64{30}, map[int64]int{10: 250, 20: 250, 40: 250, 50: 250}},
		{"1 away 1 offline", []int64{10, 50}, map[int64]int{20: 334, 30: 333, 40: 333}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Listed out of id order on purpose: the rotation follows ids.
			cs := []Candidate{on(40, 0, 1000), on(10, 0, 1000), on(50, 0, 1000), on(30, 0, 1000), on(20, 0, 1000)}
			for i := range cs {
				if slices.Contains(tt.offline, cs[i].AgentID) {
					cs[i].Availability = "offline"
					if cs[i].AgentID == 10 {
						cs[i].Availability = "away"
					}
				}
			}
			got := map[int64]int{}
			var cursor int64
			for range 1000 {
				r := (Picker{}).Pick(Request{Mode: ModeRoundRobin, Candidates: cs, Cursor: cursor})
				if r.Reason != ReasonAssigned {
					t.Fatalf("not assigned: %+v", r)
				}
				got[r.AgentID]++
				cursor = r.Cursor
				for i := range cs {
					if cs[i].AgentID == r.AgentID {
						cs[i].OpenCount++
					}
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("assignments = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestLoadBalancedCapacity assigns 200 conversations while conversations
// close at random; no agent may ever exceed capacity, and away agents get
// nothing.
func TestLoadBalancedCapacity(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cs := []Candidate{on(1, 0, 3), on(2, 0, 5), on(3, 0, 8), on(4, 0, 10)}
	cs[3].Availability = "away"
	assigned := map[int64]int{}
	peak := map[int64]int{}
	full := 0
	now := t0
	for i := range 200 {
		now = now.Add(time.Minute)
		// Each open conversation closes with probability 1/20 before the next
		// arrives, so the team (total capacity 16) runs full part of the time.
		for j := range cs {
			for range cs[j].OpenCount {
				if rng.IntN(20) == 0 {
					cs[j].OpenCount--
				}
			}
		}
		r := (Picker{}).Pick(Request{Mode: ModeLoadBalanced, Candidates: cs})
		if r.Reason == ReasonAllAtCapacity {
			full++
			continue
		}
		if r.Reason != ReasonAssigned {
			t.Fatalf("conversation %d: %+v", i, r)
		}
		for j := range cs {
			if cs[j].AgentID == r.AgentID {
				cs[j].OpenCount++
				cs[j].LastAssignedAt = now
				assigned[r.AgentID]++
				peak[r.AgentID] = max(peak[r.AgentID], cs[j].OpenCount)
				if cs[j].OpenCount > cs[j].Capacity {
					t.Fatalf("conversation %d: agent %d has %d open, capacity %d", i, r.AgentID, cs[j].OpenCount, cs[j].Capacity)
				}
			}
		}
	}
	if peak[1] != 3 {
		t.Errorf("agent 1 (capacity 3) peaked at %d open, want exactly 3 (the cap must bind)", peak[1])
	}
	if assigned[4] != 0 {
		t.Errorf("away agent 4 got %d conversations, want 0", assigned[4])
	}
	if n := assigned[1] + assigned[2] + assigned[3] + full; n != 200 {
		t.Errorf("assigned %v + %d unassigned = %d, want 200", assigned, full, n)
	}
	// Ratio balancing gives more to bigger capacities.
	if !(assigned[1] < assigned[2] && assigned[2] < assigned[3]) {
		t.Errorf("assignments %v not ordered by capacity 3 < 5 < 8", assigned)
	}
	t.Logf("assigned %v, peak open %v, unassigned (all full) %d", assigned, peak, full)
}

// TestLoadBalancedFillsToCapacity checks the exact sequence without closes:
// capacities 1 and 2 take 3 conversations, then everyone is full.
func TestLoadBalancedFillsToCapacity(t *testing.T) {
	cs := []Candidate{on(1, 0, 1), on(2, 0, 2)}
	var got []int64
	for i := range 4 {
		r := (Picker{}).Pick(Request{Mode: ModeLoadBalanced, Candidates: cs})
		got = append(got, r.AgentID)
		for j := range cs {
			if cs[j].AgentID == r.AgentID {
				cs[j].OpenCount++
				cs[j].LastAssignedAt = t0.Add(time.Duration(i) * time.Minute)
			}
		}
	}
	// 0/1 vs 0/2 tie, both never assigned → 1; then 1/1 full → 2, 2; then none.
	if want := []int64{1, 2, 2, 0}; !slices.Equal(got, want) {
		t.Errorf("picks = %v, want %v", got, want)
	}
}

func TestLanguageRouting(t *testing.T) {
	lang, _ := DetectLanguage("שלום, לא הצלחתי להתחבר לחשבון שלי מאז אתמול")
	cs := []Candidate{on(1, 0, 20, "en"), on(2, 4, 20, "en", "ar"), on(3, 9, 20, "he", "en"), on(4, 0, 20, "ru")}
	r := (Picker{}).Pick(Request{Mode: ModeLoadBalanced, Candidates: cs, Language: lang})
	if r.AgentID != 3 || r.LanguageFallback {
		t.Errorf("Hebrew message: %+v, want agent 3 (the Hebrew speaker)", r)
	}
	cs[2].Availability = "away"
	r = (Picker{}).Pick(Request{Mode: ModeLoadBalanced, Candidates: cs, Language: lang})
	if r.AgentID != 1 || !r.LanguageFallback {
		t.Errorf("Hebrew speaker away: %+v, want agent 1 with LanguageFallback", r)
	}
	// Round robin over 6 Hebrew conversations: only the two Hebrew speakers take turns.
	cs = []Candidate{on(1, 0, 20, "he"), on(2, 0, 20, "en"), on(3, 0, 20, "he", "en")}
	var cursor int64
	var got []int64
	for range 6 {
		r := (Picker{}).Pick(Request{Mode: ModeRoundRobin, Candidates: cs, Language: "he", Cursor: cursor})
		cursor = r.Cursor
		got = append(got, r.AgentID)
	}
	if want := []int64{1, 3, 1, 3, 1, 3}; !slices.Equal(got, want) {
		t.Errorf("round robin picks = %v, want %v", got, want)
	}
}

// TestReassignmentNoLoop simulates two agents and one conversation that is
// reassigned again and again (as when its holder goes away). It must stop
// after each agent has held it twice, never bouncing forever, and never go
// straight back to the agent it was taken from.
func TestReassignmentNoLoop(t *testing.T) {
	for _, mode := range []Mode{ModeRoundRobin, ModeLoadBalanced} {
		for _, holderGoesAway := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/holder away %v", mode, holderGoesAway), func(t *testing.T) {
				cs := []Candidate{on(1, 0, 10), on(2, 0, 10)}
				var history []int64
				var cursor, holder int64
				stopped := false
				for step := range 100 {
					// The holder goes away (or, in the harder case, stays online and
					// only TakenFrom and History keep the conversation from coming back).
					for i := range cs {
						cs[i].Availability = Online
						if holderGoesAway && cs[i].AgentID == holder {
							cs[i].Availability = "away"
						}
					}
					r := (Picker{}).Pick(Request{Mode: mode, Candidates: cs, History: history, TakenFrom: holder, Cursor: cursor})
					if r.AgentID == 0 {
						if r.Reason != ReasonLoopGuard {
							t.Fatalf("step %d: stopped with %s, want %s", step, r.Reason, ReasonLoopGuard)
						}
						stopped = true
						break
					}
					if r.AgentID == holder {
						t.Fatalf("step %d: handed back to %d, the agent it was taken from", step, holder)
					}
					cursor, holder = r.Cursor, r.AgentID
					history = append(history, holder)
				}
				if !stopped {
					t.Fatalf("still bouncing after 100 reassignments: %v", history)
				}
				if want := []int64{1, 2, 1, 2}; !slices.Equal(history, want) {
					t.Errorf("history = %v, want %v", history, want)
				}
			})
		}
	}
}

// TestReassignmentThirdAgent: with a third agent the conversation moves on
// to them instead of stopping.
func TestReassignmentThirdAgent(t *testing.T) {
	cs := []Candidate{on(1, 0, 10), on(2, 0, 10), on(3, 7, 10)}
	r := (Picker{}).Pick(Request{Mode: ModeLoadBalanced, Candidates: cs, History: []int64{1, 2, 1, 2}, TakenFrom: 2})
	if r.AgentID != 3 {
		t.Errorf("picked %+v, want agent 3", r)
	}
}

func BenchmarkPick(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 7))
	langs := []string{"he", "en", "ar", "ru"}
	skills := []string{"billing", "refund", "vip", "tech", "shipping"}
	cs := make([]Candidate, 100)
	for i := range cs {
		cs[i] = Candidate{
			AgentID:        int64(i + 1),
			Availability:   []string{Online, Online, Online, "away", "offline"}[rng.IntN(5)],
			Capacity:       10 + rng.IntN(20),
			Languages:      []string{langs[rng.IntN(4)], "en"},
			Skills:         []string{skills[rng.IntN(5)], skills[rng.IntN(5)]},
			OpenCount:      rng.IntN(25),
			LastAssignedAt: t0.Add(time.Duration(rng.IntN(10000)) * time.Second),
		}
	}
	for _, mode := range []Mode{ModeRoundRobin, ModeLoadBalanced} {
		b.Run(string(mode), func(b *testing.B) {
			req := Request{Mode: mode, Candidates: cs, Language: "he", Tags: []string{"billing", "vip"}, History: []int64{5, 9}, TakenFrom: 9}
			var p Picker
			for b.Loop() {
				r := p.Pick(req)
				if r.AgentID == 0 {
					b.Fatal(r.Reason)
				}
				req.Cursor = r.Cursor
			}
		})
	}
}
