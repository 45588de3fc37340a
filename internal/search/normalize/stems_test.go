package normalize

import (
	"strings"
	"testing"
)

func TestStems(t *testing.T) {
	cases := []struct{ in, want string }{
		{"ההחזרות", "חזרות"},
		{"והחזרות", "חזרות"},
		{"הַהַחְזָרוֹת", "חזרות"},
		{"החזרות", "חזרות"},
		{"Where is my REFUND?", "refund"},
		{"מה עם ההזמנה שלי", "זמנה"},
		{"לנציג", "נציג"},
		{"?!", ""},
	}
	for _, c := range cases {
		if got := strings.Join(Stems(c.in), " "); got != c.want {
			t.Errorf("Stems(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
