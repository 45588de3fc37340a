package normalize

import "strings"

// stopWordList holds common Hebrew and English function words and
// greetings, as written (Fold is applied when the set is built), and the
// English contractions as Words leaves them once apostrophes are dropped
// ("I'm" → "im", "don't" → "dont"; "ill", "id" and "wont" are left out:
// they are words too).
const stopWordList = `
של את על עם זה זו זאת זהו הזה הזאת גם לא כן אני אתה את הוא היא אנחנו אתם אתן הם הן יש אין מה מי איך למה מתי איפה
כי אם או אבל רק עוד כל כבר אז היה היתה הייתה היו להיות יהיה שלי שלך שלכם שלנו שלו שלה שלהם לי לך לו לה לנו לכם להם
אותו אותי אותה אותם אותך פה כאן שם עד אחרי לפני בין תודה רבה שלום היי הי בבקשה אפשר צריך צריכה רוצה רציתי מאוד עכשיו
בוקר טוב ערב אחד אחת שני שתי כמה הרבה קצת אצל אליכם אליי אלי אל מן מאת ללא בלי כמו כדי גבי לגבי בנוגע יותר פחות
the a an and or but if of to in on at for from by with about as is are was were be been being am do does did have has
had not no yes it its this that these those there here i me my we our you your he him his she her they them their
what which who whom when where why how can could would should will shall may might must please thanks thank hi hello
dear regards best just also very so than then too any some all into out up down over again
im ive youre youve youll dont doesnt didnt cant couldnt wouldnt isnt arent wasnt werent hasnt havent hadnt shouldnt
thats theres whats lets hey ok okay
`

// stopWords is the folded stop-word set; it is built once and only read.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(stopWordList) {
		m[Fold(w)] = true
	}
	return m
}()

// IsStopWord reports whether folded word w is a Hebrew or English stop
// word.
func IsStopWord(w string) bool { return stopWords[w] }
