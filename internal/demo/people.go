package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// contactPlan is a customer as the seed will store it.
type contactPlan struct {
	name, first, lang, zone, tier, email, phone, city string
	org                                               int // index into organizations, or -1
	created                                           time.Time
}

// makeContacts returns n customers: about 60% Hebrew speakers, 8% VIP, each
// with a unique email and most Israelis with a unique mobile number.
func makeContacts(r *rand.Rand, now time.Time, n int) []contactPlan {
	out := make([]contactPlan, 0, n)
	emails, phones := map[string]bool{}, map[string]bool{}
	placeWeights := make([]int, len(englishPlaces))
	for i, p := range englishPlaces {
		placeWeights[i] = p.weight
	}
	for range n {
		c := contactPlan{org: -1, tier: "standard"}
		var fLatin, lLatin string
		phoneChance := 0.0
		if r.Float64() < 0.6 {
			f, l := pick(r, hebrewFirstNames), pick(r, hebrewLastNames)
			c.name, c.first, c.lang = f.text+" "+l.text, f.text, "he"
			fLatin, lLatin = f.latin, l.latin
			c.zone, c.city = "Asia/Jerusalem", pick(r, hebrewCities)
			phoneChance = 0.75
		} else {
			f, l := pick(r, englishFirstNames), pick(r, englishLastNames)
			c.name, c.first, c.lang = f+" "+l, f, "en"
			fLatin, lLatin = strings.ToLower(f), strings.ToLower(l)
			p := englishPlaces[weighted(r, placeWeights)]
			c.zone, c.city = p.zone, pick(r, p.cities)
			if p.israel {
				phoneChance = 0.6
			}
		}
		domain := pick(r, emailDomains)
		local := ""
		if r.Float64() < 0.1 {
			c.org = r.IntN(len(organizations))
			domain = organizations[c.org].domain
			local = fLatin + "." + lLatin
		} else {
			switch r.IntN(5) {
			case 0:
				local = fLatin + "." + lLatin
			case 1:
				local = fLatin + lLatin
			case 2:
				local = fmt.Sprintf("%s.%s%d", fLatin, lLatin, 70+r.IntN(36))
			case 3:
				local = fLatin[:1] + lLatin
			default:
				local = fLatin + "_" + lLatin
			}
		}
		c.email = local + "@" + domain
		for k := 2; emails[c.email]; k++ {
			c.email = fmt.Sprintf("%s%d@%s", local, k, domain)
		}
		emails[c.email] = true
		if r.Float64() < phoneChance {
			for c.phone == "" || phones[c.phone] {
				c.phone = fmt.Sprintf("+972%s%07d", pick(r, mobilePrefixes), r.IntN(10_000_000))
			}
			phones[c.phone] = true
		}
		if r.Float64() < 0.08 {
			c.tier = "vip"
		}
		// Customers were on file before the demo's 90 days of history.
		c.created = now.Add(-91*24*time.Hour - between(r, 0, 700*24*time.Hour)).Truncate(time.Second)
		out = append(out, c)
	}
	return out
}
