package calendar

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestAgainstHebcal compares every Israeli public holiday 1950–2050 with a
// second independent source, the npm package @hebcal/core (pinned in
// hebcal/package.json; `make test` installs it). Names differ between the
// two; dates must match exactly.
func TestAgainstHebcal(t *testing.T) {
	dir := "hebcal"
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@hebcal", "core")); err != nil {
		t.Fatalf("@hebcal/core is not installed: run `npm ci` in internal/sla/calendar/hebcal (make test does)")
	}
	cmd := exec.Command("node", "holidays.mjs", "1950", "2050")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node holidays.mjs: %v", err)
	}
	canonical := func(hebcal string) string {
		switch {
		case hebcal == "Pesach I":
			return Pesach
		case hebcal == "Pesach VII":
			return SeventhDayOfPesach
		case hebcal == "Shavuot":
			return Shavuot
		case strings.HasPrefix(hebcal, "Rosh Hashana"):
			return RoshHashanah
		case hebcal == "Yom Kippur":
			return YomKippur
		case hebcal == "Sukkot I":
			return Sukkot
		case hebcal == "Shmini Atzeret":
			return SheminiAtzeret
		case hebcal == "Yom HaAtzma'ut":
			return IndependenceDay
		}
		return "unexpected: " + hebcal
	}
	theirs := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var ev struct{ Date, Name string }
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("bad line %q: %v", sc.Text(), err)
		}
		theirs[ev.Date+" "+canonical(ev.Name)] = true
	}
	ours := map[string]bool{}
	for y := 1950; y <= 2050; y++ {
		for _, d := range IsraeliPublicHolidays(y) {
			name := d.Name
			if name == IndependenceDayObserved {
				name = IndependenceDay
			}
			ours[d.Date.String()+" "+name] = true
		}
	}
	var missing, extra []string
	for k := range theirs {
		if !ours[k] {
			missing = append(missing, k)
		}
	}
	for k := range ours {
		if !theirs[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing)+len(extra) > 0 {
		t.Fatalf("%d holidays from @hebcal/core not computed: %v\n%d computed but not in @hebcal/core: %v", len(missing), missing, len(extra), extra)
	}
	if len(ours) < 900 {
		t.Fatalf("only %d holidays compared", len(ours))
	}
	t.Logf("%d public holidays 1950–2050 match @hebcal/core", len(ours))
}
