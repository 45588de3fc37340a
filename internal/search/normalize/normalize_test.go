package normalize_test

import (
	"slices"
	"testing"

	"github.com/kesherdesk/kesher/internal/search/normalize"
)

func TestFoldAndWords(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		// Niqqud and cantillation removed, final letters folded.
		{"שָׁלוֹם עוֹלָם", []string{"שלומ", "עולמ"}},
		{"בְּרֵאשִׁ֖ית", []string{"בראשית"}},
		{"ההזמנה שלך", []string{"ההזמנה", "שלכ"}},
		// NFKC (full-width, ligature), lower case, accents.
		{"ＭＡＩＬ ﬁle Café", []string{"mail", "file", "cafe"}},
		// Geresh, gershayim and apostrophes stay inside the word; maqaf splits.
		{"צה״ל ג'ירפה don't בית־ספר", []string{"צהל", "גירפה", "dont", "בית", "ספר"}},
		{"order #1234, please!", []string{"order", "1234", "please"}},
	}
	for _, c := range cases {
		if got := normalize.Words(c.in); !slices.Equal(got, c.want) {
			t.Errorf("Words(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestHebrewForms(t *testing.T) {
	vocab := map[string]bool{"משלוח": true, "הזמנה": true, "בית": true, "חבילה": true, "לוח": true}
	known := func(w string) bool { return vocab[w] }
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"משלוח", "משלוח", true},         // begins with מ but "שלוח" is not a word here
		{"המשלוח", "משלוח", true},        // ה
		{"והמשלוח", "משלוח", true},       // וה
		{"במשלוח", "משלוח", true},        // ב
		{"ובמשלוח", "משלוח", true},       // וב
		{"שהמשלוח", "משלוח", true},       // שה
		{"וכשהמשלוח", "משלוח", true},     // וכשה
		{"לַמִּשְׁלוֹחַ", "משלוח", true}, // with niqqud
		{"הזמנה", "הזמנה", true},         // "זמנה" unknown: kept
		{"ההזמנה", "הזמנה", true},
		{"בבית", "בית", true},
		{"לבית", "בית", true},
		{"חבילות", "חבילות", true}, // plurals are not stemmed
		{"ומה", "", false},         // prefix + stop word
		{"והוא", "", false},
		{"של", "", false},
		{"the", "", false},
		{"Delivery", "delivery", true},
		{"2025", "", false},
	}
	for _, c := range cases {
		w := normalize.Words(c.in)
		if len(w) != 1 {
			t.Fatalf("Words(%q) = %q", c.in, w)
		}
		got, ok := normalize.Token(w[0], known)
		if got != c.want || ok != c.ok {
			t.Errorf("Token(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
	// A lexicon knows stems seen alone or behind two different prefixes.
	var all []string
	for _, s := range []string{"והמשלוח", "במשלוח", "לבית", "החבילה", "ממשרד"} {
		all = append(all, normalize.Words(s)...)
	}
	lex := normalize.NewLexicon(all)
	for _, c := range []struct {
		in, want string
	}{{"והמשלוח", "משלוח"}, {"במשלוח", "משלוח"}, {"לבית", "לבית"}, {"החבילה", "החבילה"}, {"ממשרד", "ממשרד"}} {
		if got, _ := normalize.Token(c.in, lex.Known); got != c.want {
			t.Errorf("Token(%q, lexicon) = %q, want %q", c.in, got, c.want)
		}
	}
	// Without a vocabulary the length rule alone strips (consistently).
	for _, c := range []struct{ in, want string }{{"והמשלוח", "משלוח"}, {"בבית", "בית"}, {"ביתי", "יתי"}, {"משלוח", "שלוח"}, {"בית", "בית"}, {"לי", "לי"}} {
		if got := normalize.StripPrefix(normalize.Fold(c.in), nil); got != c.want {
			t.Errorf("StripPrefix(%q, nil) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := normalize.Tokens("שלום, המשלוח שלי לא הגיע!", known); !slices.Equal(got, []string{"משלוח", "הגיע"}) {
		t.Errorf("Tokens = %q", got)
	}
	for in, want := range map[string]string{"שלומ": "שלום", "משלוח": "משלוח", "ארצ ישראל": "ארץ ישראל", "כנ": "כן"} {
		if got := normalize.Display(in); got != want {
			t.Errorf("Display(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestVariants: a Hebrew word's prefix-stripped forms, as search indexes
// them beside the word (niqqud and final letters folded first).
func TestVariants(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"והמשלוח", []string{"המשלוח", "משלוח"}}, // ו, וה (not "שלוח": no ומה prefix)
		{"משלוח", []string{"שלוח"}},
		{"בהזמנה", []string{"הזמנה"}},
		{"הזמנה", []string{"זמנה"}},
		{"וּבַבַּיִת", []string{"בבית", "בית"}},        // niqqud removed; ו, וב
		{"שבחשבונות", []string{"בחשבונות", "חשבונות"}}, // ש, שב
		{"לְקוֹחוֹתֵיהֶם", []string{"קוחותיהמ"}},       // final ם folded to מ
		{"כשהחבילה", []string{"שהחבילה", "החבילה", "חבילה"}},
		{"ולכם", nil},                // "לכמ" is a stop word; "כמ" too short
		{"בית", nil},                 // the rest would be shorter than 3 letters
		{"delivery", nil},            // not Hebrew
		{"צה״ל", nil},                // gershayim removed: "צהל"
		{"הצ'יפס", []string{"ציפס"}}, // geresh removed: "הציפס"
		{"הצ׳יפס", []string{"ציפס"}}, // Hebrew geresh, same
	}
	for _, c := range cases {
		w := normalize.Words(c.in)
		if len(w) != 1 {
			t.Fatalf("Words(%q) = %q", c.in, w)
		}
		if got := normalize.Variants(w[0]); !slices.Equal(got, c.want) {
			t.Errorf("Variants(%q → %q) = %q, want %q", c.in, w[0], got, c.want)
		}
	}
}

// TestSpans: words with their byte ranges in the raw text, niqqud inside
// the word, joiners inside, punctuation outside.
func TestSpans(t *testing.T) {
	s := `שָׁלוֹם, צה"ל <b>don't</b>`
	var got []string
	for _, sp := range normalize.Spans(s) {
		got = append(got, s[sp.Start:sp.End]+"="+sp.Word)
	}
	want := []string{"שָׁלוֹם=שלומ", `צה"ל=צהל`, "b=b", "don't=dont", "b=b"}
	if !slices.Equal(got, want) {
		t.Errorf("Spans = %q, want %q", got, want)
	}
}
