package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Size and shape of the demo desk.
const (
	numContacts      = 500
	numConversations = 2000
	history          = 90 * 24 * time.Hour
	// freshBacklog is how many of the newest conversations nobody has
	// answered yet, whatever the day and hour of the seed.
	freshBacklog = 8
	// stallChance is the share of conversations left waiting on the
	// customer or a third party instead of being resolved.
	stallChance  = 0.03
	reopenChance = 0.07
)

// The generator's fixed seed: the same desk every time.
const seed1, seed2 = 0x4b65736865722121, 0x64656d6f

// plan is everything the seed stores, decided before the first write.
type plan struct {
	contacts []contactPlan
	convs    []*convPlan
}

// gen draws the demo desk from one random stream.
type gen struct {
	r        *rand.Rand
	now      time.Time
	clock    clock
	contacts []contactPlan
	pools    [3][2][]int // agent indexes per team and language, repeated by weight
}

// makePlan builds the whole desk for the instant now.
func makePlan(now time.Time) plan {
	g := &gen{r: rand.New(rand.NewPCG(seed1, seed2)), now: now, clock: clock{israel()}}
	g.contacts = makeContacts(g.r, now, numContacts)
	for a, d := range agentDefs {
		for _, t := range d.teams {
			for l, code := range langCodes {
				if slices.Contains(d.languages, code) {
					for range d.weight {
						g.pools[t][l] = append(g.pools[t][l], a)
					}
				}
			}
		}
	}
	type slot struct {
		at           time.Time
		scene, inbox int
	}
	sceneWeights := make([]int, len(scenarios))
	for i, s := range scenarios {
		sceneWeights[i] = s.weight
	}
	slots := make([]slot, numConversations)
	for i := range slots {
		s := weighted(g.r, sceneWeights)
		inbox := weighted(g.r, scenarios[s].channels[:])
		slots[i] = slot{g.createdAt(inbox == inboxChat), s, inbox}
	}
	// Conversation numbers grow with time, as on a real desk.
	slices.SortStableFunc(slots, func(a, b slot) int { return a.at.Compare(b.at) })
	p := plan{contacts: g.contacts}
	for i, s := range slots {
		p.convs = append(p.convs, g.conversation(s.at, &scenarios[s.scene], s.inbox, i >= numConversations-freshBacklog))
	}
	return p
}

// createdAt draws when a customer wrote: any of the last 90 days, fewer on
// Friday and Saturday, mostly by day. Chat is staffed in business hours only.
func (g *gen) createdAt(chat bool) time.Time {
	local := g.now.In(g.clock.loc)
	for {
		d := local.AddDate(0, 0, -g.r.IntN(90))
		switch d.Weekday() {
		case time.Saturday:
			if g.r.IntN(100) >= 45 {
				continue
			}
		case time.Friday:
			if g.r.IntN(100) >= 70 {
				continue
			}
		}
		t := time.Date(d.Year(), d.Month(), d.Day(), weighted(g.r, hourWeights), g.r.IntN(60), g.r.IntN(60), 0, g.clock.loc).UTC()
		if chat && !(g.clock.isOpen(t) && g.clock.isOpen(t.Add(15*time.Minute))) {
			continue
		}
		if t.After(g.now.Add(-2*time.Minute)) || !t.After(g.now.Add(-history)) {
			continue
		}
		return t
	}
}

// customerAfter is when a customer answers a message sent at t: minutes in
// chat, hours to a day by email (not in the middle of the night).
func (g *gen) customerAfter(t time.Time, chat bool) time.Time {
	if chat {
		return t.Add(between(g.r, 40*time.Second, 5*time.Minute))
	}
	t = t.Add(skewed(g.r, 25*time.Minute, 30*time.Hour))
	if l := t.In(g.clock.loc); l.Hour() < 7 {
		t = time.Date(l.Year(), l.Month(), l.Day(), 7, 0, 0, 0, g.clock.loc).Add(between(g.r, 0, 3*time.Hour)).UTC()
	}
	return t
}

// agentAfter is when an agent answers a customer's message sent at t:
// within minutes in chat, within business hours otherwise.
func (g *gen) agentAfter(t time.Time, chat bool) time.Time {
	if chat {
		return t.Add(between(g.r, 30*time.Second, 4*time.Minute))
	}
	return g.clock.add(t, skewed(g.r, 10*time.Minute, 5*time.Hour))
}

// resolvedAfter is when an agent comes back with the resolution to a
// customer's message sent at t: sometimes at once, often after working on
// it for hours or a couple of business days.
func (g *gen) resolvedAfter(t time.Time, chat bool) time.Time {
	if chat && g.r.Float64() < 0.6 {
		return g.agentAfter(t, true)
	}
	return g.clock.add(t, between(g.r, 20*time.Minute, 40*time.Hour))
}

// agent picks who works a conversation of team in language lang.
func (g *gen) agent(team, lang int) int {
	if pool := g.pools[team][lang]; len(pool) > 0 {
		return pick(g.r, pool)
	}
	return pick(g.r, g.pools[team][1-lang])
}

// conversation writes one conversation's story from the customer's first
// message at created until now. fresh conversations stop after the first
// message: the desk's unanswered backlog.
func (g *gen) conversation(created time.Time, sc *scenario, inbox int, fresh bool) *convPlan {
	r := g.r
	ci := r.IntN(numContacts)
	if r.Float64() < 0.3 {
		ci = r.IntN(60) // regulars write again and again
	}
	cust := g.contacts[ci]
	lang := langHe
	if cust.lang == "en" {
		lang = langEn
	}
	c := &convPlan{created: created, scene: sc, inbox: inbox, lang: lang, contact: ci, team: sc.team, assignee: nobody,
		status: statusNew, now: g.now, updated: created, custom: map[string]any{}}
	agent := g.agent(sc.team, lang)
	sup := teamDefs[sc.team].supervisor
	vars := g.vars(created, cust, lang, agentDefs[agent].first[lang])
	L, C := sc.text[lang], commons[lang]
	st := pick(r, L.stories)
	say := func(xs []string) string { return vars.Replace(pick(r, xs)) }

	c.subject = say(st.subjects)
	if lang == langEn {
		first, n := utf8.DecodeRuneInString(c.subject)
		c.subject = string(unicode.ToUpper(first)) + c.subject[n:]
	}
	prio := weighted(r, sc.priority[:])
	vip := cust.tier == "vip"
	if vip && prio < 3 && r.Float64() < 0.6 {
		prio++
	}
	c.priority = []string{"low", "normal", "high", "urgent"}[prio]
	c.tags = slices.Clone(sc.tags)
	if vip {
		c.tags = append(c.tags, "vip")
	}
	if prio == 3 {
		c.tags = append(c.tags, "urgent")
	}
	if sc.order {
		c.custom["order_number"] = vars.Replace("{order}")
	}

	chat := inbox == inboxChat
	// An agent's message: chat lines go out as they are (the first with an
	// introduction); email and API replies get a greeting and a signature.
	agentSays := func(text string) string {
		if chat {
			if c.firstResponse.IsZero() {
				return say(C.chatIntro) + " " + text
			}
			return text
		}
		return say(C.greetings) + "\n\n" + text + "\n\n" + say(C.signoffs)
	}
	customerSays := func(text string) string {
		if inbox == inboxEmail {
			return text + "\n\n" + say(C.customerEnd)
		}
		return text
	}

	c.customer(created, customerSays(vars.Replace(st.opening)))
	if fresh {
		c.stop()
		return c
	}
	// Routing assigns most conversations when the desk opens; the rest an
	// agent takes from the queue when answering.
	var assignAt, first time.Time
	if chat {
		assignAt = created.Add(between(r, 5*time.Second, 90*time.Second))
		first = assignAt.Add(between(r, time.Minute, 6*time.Minute))
	} else {
		assignAt = g.clock.next(created).Add(between(r, 2*time.Minute, 25*time.Minute))
		first = g.clock.add(created, skewed(r, 10*time.Minute, 9*time.Hour))
		if !first.After(assignAt) {
			first = assignAt.Add(between(r, 5*time.Minute, 30*time.Minute))
		}
	}
	if r.Float64() < 0.8 {
		c.assign(assignAt, nobody, agent)
	}
	noteAt := assignAt.Add(time.Duration(float64(first.Sub(assignAt)) * r.Float64()))
	switch {
	case vip && r.Float64() < 0.5:
		c.note(noteAt, sup, say(C.vipNotes))
	case r.Float64() < 0.1:
		c.note(noteAt, agent, say(L.notes))
	}

	fix := vars.Replace(st.fix)
	switch weighted(r, sc.paths[:]) {
	case pathDirect:
		c.reply(first, agent, agentSays(fix), statusSolved)
	case pathAsk:
		c.reply(first, agent, agentSays(vars.Replace(st.ask)), statusPending)
		if r.Float64() < stallChance {
			c.stop()
			break
		}
		answered := g.customerAfter(first, chat)
		c.customer(answered, customerSays(vars.Replace(st.answer)))
		c.reply(g.resolvedAfter(answered, chat), agent, agentSays(fix), statusSolved)
	case pathHold:
		c.reply(first, agent, agentSays(say(L.acks)), "")
		held := first.Add(between(r, 2*time.Minute, 20*time.Minute))
		c.note(held, agent, vars.Replace(st.hold))
		c.setStatus(held, agent, statusOnHold)
		if r.Float64() < stallChance {
			c.stop()
			break
		}
		fixed := g.clock.add(held, skewed(r, 2*time.Hour, 30*time.Hour))
		if r.Float64() < 0.35 {
			nudged := g.customerAfter(held.Add(18*time.Hour), false)
			if nudged.Before(fixed) {
				c.customer(nudged, customerSays(say(C.nudges)))
				updated := g.agentAfter(nudged, false)
				c.reply(updated, agent, agentSays(say(C.updates)), statusOnHold)
				fixed = g.clock.add(updated, skewed(r, time.Hour, 12*time.Hour))
			}
		}
		c.reply(fixed, agent, agentSays(fix), statusSolved)
	case pathTalk:
		c.reply(first, agent, agentSays(say(L.acks)), "")
		asked := g.customerAfter(first, chat)
		c.customer(asked, customerSays(say(C.nudges)))
		c.reply(g.resolvedAfter(asked, chat), agent, agentSays(fix), statusSolved)
	}
	if c.status != statusSolved {
		return c
	}
	if r.Float64() < reopenChance {
		back := g.customerAfter(c.solved.Add(3*time.Hour), false)
		c.customer(back, customerSays(vars.Replace(st.reopen)))
		c.reply(g.agentAfter(back, chat), agent, agentSays(say(C.apology)+" "+vars.Replace(st.refix)), statusSolved)
	}
	// Solved conversations close automatically after a few days.
	c.setStatus(c.solved.Add(between(r, 3*24*time.Hour, 6*24*time.Hour)), nobody, statusClosed)
	return c
}

// vars fills the placeholders of one conversation's lines.
func (g *gen) vars(created time.Time, cust contactPlan, lang int, agentName string) *strings.Replacer {
	r := g.r
	days := 4 + r.IntN(9)
	ordered := created.AddDate(0, 0, -days).In(g.clock.loc)
	prod := pick(r, products)
	price := pick(r, []int{4990, 8990, 12990, 14990, 19990, 24990, 34990, 44990, 59990, 79990, 129900})
	mobile := fmt.Sprintf("%s%07d", pick(r, mobilePrefixes), r.IntN(10_000_000))
	date, amount, name, aName, phone := fmt.Sprintf("%d.%d", ordered.Day(), int(ordered.Month())),
		fmt.Sprintf("%d.%02d ₪", price/100, price%100), prod.he, prod.he, "0"+mobile[:2]+"-"+mobile[2:]
	if lang == langEn {
		date, amount, name, aName, phone = ordered.Format("Jan 2"), fmt.Sprintf("₪%d.%02d", price/100, price%100), prod.en, prod.enA,
			"+972 "+mobile[:2]+"-"+mobile[2:5]+"-"+mobile[5:]
	}
	return strings.NewReplacer(
		"{name}", cust.first,
		"{fullname}", cust.name,
		"{agent}", agentName,
		"{order}", fmt.Sprintf("%d", 100000+r.IntN(900000)),
		"{product}", name,
		"{a_product}", aName,
		"{amount}", amount,
		"{date}", date,
		"{days}", fmt.Sprintf("%d", days),
		"{courier}", pick(r, couriers)[lang],
		"{tracking}", fmt.Sprintf("RR%09dIL", r.IntN(1_000_000_000)),
		"{new_tracking}", fmt.Sprintf("RR%09dIL", r.IntN(1_000_000_000)),
		"{phone}", phone,
		"{ticket}", fmt.Sprintf("%d", 10000+r.IntN(90000)),
		"{coupon}", pick(r, coupons),
		"{last4}", fmt.Sprintf("%04d", r.IntN(10000)),
	)
}
