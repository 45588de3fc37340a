package routing

import "testing"

func TestDetectLanguage(t *testing.T) {
	tests := []struct {
		name, text string
		want       string
		minConf    float64 // confidence must be at least this (ignored when want is "")
	}{
		// Hebrew
		{"he order", "שלום, ההזמנה שלי לא הגיעה עדיין ועברו כבר שבועיים. אפשר לבדוק מה קרה?", "he", 0.95},
		{"he refund", "אני רוצה לבטל את המנוי ולקבל החזר כספי", "he", 0.95},
		{"he with English product name", "שלום, ה-iPhone 15 Pro שלי לא נטען מאז העדכון האחרון", "he", 0.6},
		{"he with long English names", "יש בעיה עם Microsoft Office Business Premium", "he", 0.1},
		{"he single word", "תודה", "he", 0.5},
		// English
		{"en order", "Hi, my order still hasn't arrived and it has been two weeks. Can you check what happened?", "en", 0.8},
		{"en login", "I can't log in to my account since the last update, please help", "en", 0.8},
		{"en typographic apostrophe", "I don’t see the invoice in my account, could you send it again?", "en", 0.8},
		{"en with Hebrew name", "Hello, the package for משה was not delivered to the address we gave you", "en", 0.8},
		{"en thank you", "Thank you", "en", 0.5},
		// Arabic
		{"ar order", "مرحبا، لم يصل طلبي حتى الآن. هل يمكنكم التحقق من حالة الشحنة؟", "ar", 0.95},
		{"ar password", "لا أستطيع تسجيل الدخول إلى حسابي بعد تغيير كلمة المرور", "ar", 0.95},
		// Russian / Ukrainian
		{"ru order", "Здравствуйте, мой заказ до сих пор не пришёл. Подскажите, пожалуйста, что случилось?", "ru", 0.95},
		{"ru with product", "Не работает синхронизация в Google Drive после обновления", "ru", 0.6},
		{"uk", "Доброго дня, моє замовлення ще не прийшло, перевірте будь ласка", "uk", 0.95},
		// Other Latin languages
		{"es", "Hola, todavía no he recibido mi pedido y ya pasaron dos semanas", "es", 0.5},
		{"fr", "Bonjour, je n'ai toujours pas reçu ma commande, pouvez-vous vérifier ?", "fr", 0.5},
		{"de", "Hallo, ich habe meine Bestellung noch nicht erhalten, können Sie bitte nachsehen?", "de", 0.5},
		// Quoted history, URLs, emails, numbers
		{"en reply over Hebrew history", "Thanks, that fixed it!\n\nOn Mon, Jan 1, 2024 at 10:00 AM Support <help@kesher.example> wrote:\n> שלום, נסה להפעיל מחדש את המכשיר\n> בברכה, צוות התמיכה", "en", 0.5},
		{"he reply over English quote", "עדיין לא עובד, ניסיתי הכל\n> Please restart the device and try again, it should work then", "he", 0.95},
		{"he reply over Outlook history", "תודה רבה, הבעיה נפתרה\n-----Original Message-----\nFrom: support@example.com\nThe issue is with your account settings, please check them", "he", 0.9},
		{"he reply over Hebrew Gmail header", "מעולה, תודה\n\u202bבתאריך יום ב׳, 1 בינו׳ 2024 ב-10:00 מאת Support <s@example.com>\u202c:\nThe order is on the way and you will get it soon", "he", 0.6},
		{"URL only", "https://the-shop.example.com/and/the/order/is/for/you", "", 0},
		{"email and numbers", "order 12345, ref 998877 — john.the.doe@example.com", "", 0},
		// Unsure
		{"empty", "", "", 0},
		{"spaces", "   \n\t ", "", 0},
		{"ok", "ok", "", 0},
		{"emoji", "👍🙏", "", 0},
		{"single Latin word", "Hello", "", 0},
		{"product names only", "iPhone Pro Max", "", 0},
		{"one Hebrew letter", "ב 5", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, conf := DetectLanguage(tt.text)
			if got != tt.want {
				t.Fatalf("DetectLanguage(%q) = %q (%.2f), want %q", tt.text, got, conf, tt.want)
			}
			if tt.want == "" && conf != 0 {
				t.Errorf("confidence = %.2f, want 0 when unsure", conf)
			}
			if tt.want != "" && (conf < tt.minConf || conf > 1) {
				t.Errorf("confidence = %.2f, want in [%.2f, 1]", conf, tt.minConf)
			}
		})
	}
}

// TestDetectLanguageConfidence pins hand-computed confidences.
func TestDetectLanguageConfidence(t *testing.T) {
	tests := []struct {
		text string
		lang string
		conf float64
	}{
		// 4 Hebrew letters of 4: share 1 × length factor 0.5+4/40 = 0.6.
		{"תודה", "he", 0.6},
		// 20 letters, all Cyrillic: share 1, factor 1.
		{"Здравствуйте помогите", "ru", 1},
		// "ה-iPhone שלי" → Hebrew ה,ש,ל,י = 4 of 10 letters: share 0.4 × factor 0.75 = 0.3.
		{"ה-iPhone שלי", "he", 0.3},
		// 4 words, 2 English hits (thank, you): share 0.5 → min(1, 0.5/0.4) = 1; margin 1;
		// 18 letters → factor 0.5+18/40 = 0.95.
		{"Thank you kindly, Dana", "en", 0.95},
	}
	for _, tt := range tests {
		lang, conf := DetectLanguage(tt.text)
		if lang != tt.lang || conf != tt.conf {
			t.Errorf("DetectLanguage(%q) = %q, %.2f; want %q, %.2f", tt.text, lang, conf, tt.lang, tt.conf)
		}
	}
}

func TestLatinWordsDisjoint(t *testing.T) {
	seen := map[string]string{}
	for lang, ws := range latinWords {
		for _, w := range ws {
			if other, dup := seen[w]; dup {
				t.Errorf("word %q listed for %s and %s", w, other, lang)
			}
			seen[w] = lang
		}
	}
}

func BenchmarkDetectLanguage(b *testing.B) {
	text := "שלום, ה-iPhone 15 Pro שלי לא נטען מאז העדכון האחרון. ניסיתי כבל אחר ולא עזר.\n\nOn Mon, Jan 1, 2024 Support <s@example.com> wrote:\n> Please restart the device"
	for b.Loop() {
		if lang, _ := DetectLanguage(text); lang != "he" {
			b.Fatal(lang)
		}
	}
}
