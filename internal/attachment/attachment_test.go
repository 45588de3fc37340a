package attachment

import "testing"

func TestCleanFilename(t *testing.T) {
	cases := map[string]string{
		"report.pdf":             "report.pdf",
		"../../etc/passwd":       "passwd",
		`C:\Users\dana\קבלה.pdf`: "קבלה.pdf",
		"שלום \u202egpj.exe":     "שלום gpj.exe",
		"a\u0000b\nc.txt":        "abc.txt",
		"..":                     "attachment",
		".":                      "attachment",
		"":                       "attachment",
		"  spaced.txt  ":         "spaced.txt",
	}
	for in, want := range cases {
		if got := CleanFilename(in); got != want {
			t.Errorf("CleanFilename(%q) = %q, want %q", in, got, want)
		}
	}
	long := ""
	for range 200 {
		long += "א"
	}
	if got := CleanFilename(long + ".txt"); len(got) > 255 {
		t.Errorf("long name kept %d bytes", len(got))
	}
}
