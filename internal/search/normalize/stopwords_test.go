package normalize

import "testing"

// TestContractionsAreStopWords: English contractions, which Words turns
// into apostrophe-less words, do not count as topics; words that merely
// look like contractions do.
func TestContractionsAreStopWords(t *testing.T) {
	for _, tc := range []struct {
		text string
		stop bool
	}{
		{"I'm", true}, {"don't", true}, {"you’re", true}, {"can't", true}, {"that's", true},
		{"ill", false}, {"warehouse", false}, {"refund", false},
	} {
		ws := Words(tc.text)
		if len(ws) != 1 {
			t.Fatalf("Words(%q) = %q, want one word", tc.text, ws)
		}
		if got := IsStopWord(ws[0]); got != tc.stop {
			t.Errorf("IsStopWord(%q from %q) = %v, want %v", ws[0], tc.text, got, tc.stop)
		}
	}
}
