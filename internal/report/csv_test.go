package report

import "testing"

// TestNeutralizeFormulas: text cells that a spreadsheet would run as a
// formula (CSV injection) get a leading apostrophe; others are unchanged.
func TestNeutralizeFormulas(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://evil/")`: `'=HYPERLINK("http://evil/")`,
		"+x":                         "'+x",
		"-1+1":                       "'-1+1",
		"@SUM(A1)":                   "'@SUM(A1)",
		"\tcmd":                      "'\tcmd",
		"\rcmd":                      "'\rcmd",
		"Noa Levi":                   "Noa Levi",
		"נועה":                       "נועה",
		"":                           "",
	} {
		if got := neutralize(in); got != want {
			t.Errorf("neutralize(%q) = %q, want %q", in, got, want)
		}
	}
}
