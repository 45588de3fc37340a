package bot

import "testing"

func TestClassify(t *testing.T) {
	cases := []struct {
		text    string
		pending bool
		want    string
	}{
		{"אני רוצה לדבר עם נציג", false, IntentPerson},
		{"אני רוצה לדבר עם נָצִיג", false, IntentPerson}, // niqqud
		{"אפשר לנציגה בבקשה?", true, IntentPerson},       // prefix ל
		{"תעבירו אותי לבן אדם", false, IntentPerson},
		{"אני רוצה לדבר עם מישהו", false, IntentPerson},
		{"I want a human", false, IntentPerson},
		{"Can I talk to an AGENT please", true, IntentPerson},
		{"speak to someone now", false, IntentPerson},
		{"כן", true, IntentYes},
		{"כן, תודה!", true, IntentYes},
		{"תודה זה עזר", true, IntentYes},
		{"Yes thanks", true, IntentYes},
		{"לא", true, IntentNo},
		{"לא, זה לא עזר", true, IntentNo},
		{"no", true, IntentNo},
		{"No thanks, it didn't help", true, IntentNo},
		{"כן", false, IntentQuestion}, // no offer pending: just text
		{"כמה זה עולה?", true, IntentQuestion},
		{"איפה המשלוח שלי? הזמנתי לפני שבוע ועדיין לא הגיע שום דבר הביתה", true, IntentQuestion}, // long: a question
		{"where is my order", true, IntentQuestion},
		{"", true, IntentQuestion},
	}
	for _, c := range cases {
		if got := Classify(c.text, c.pending); got != c.want {
			t.Errorf("Classify(%q, %v) = %s, want %s", c.text, c.pending, got, c.want)
		}
	}
}

func TestQuestionHash(t *testing.T) {
	base := QuestionHash("מה מדיניות ההחזרות?")
	if base == "" || len(base) != 64 {
		t.Fatalf("hash %q", base)
	}
	same := []string{"מַה מְדִינִיּוּת הַהַחְזָרוֹת", "מה מדיניות החזרות", "  מה   מדיניות ההחזרות!!! "}
	for _, s := range same {
		if got := QuestionHash(s); got != base {
			t.Errorf("QuestionHash(%q) = %s, want the hash of the base question %s", s, got, base)
		}
	}
	if QuestionHash("מה מדיניות המשלוחים?") == base {
		t.Error("a different question has the same hash")
	}
	if QuestionHash("Where is MY order?") != QuestionHash("where is my order") {
		t.Error("case changes the hash")
	}
	if got := QuestionHash("שלום!"); got != "" && got == QuestionHash("?") {
		t.Errorf("greeting hash %q", got)
	}
	if got := QuestionHash("?!"); got != "" {
		t.Errorf("no words: hash %q, want empty", got)
	}
}
