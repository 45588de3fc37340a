package parse

import (
	"encoding/base64"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"
)

// TestCharsets decodes bodies, subjects, display names and file names in
// the charsets Israeli and international senders use.
func TestCharsets(t *testing.T) {
	heb := "שלום, המדפסת לא עובדת"
	w1255, _ := charmap.Windows1255.NewEncoder().String(heb)
	iso88598, _ := charmap.ISO8859_8.NewEncoder().String(heb)
	w1252, _ := charmap.Windows1252.NewEncoder().String("Grüße, café €")
	jis, _ := japanese.ISO2022JP.NewEncoder().String("こんにちは")
	eucjp, _ := japanese.EUCJP.NewEncoder().String("こんにちは")
	utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String("Test message")
	cases := []struct {
		name, charset, cte, body, want string
	}{
		{"utf-8", "utf-8", "8bit", heb, heb},
		{"windows-1255", "windows-1255", "8bit", w1255, heb},
		{"iso-8859-8", "ISO-8859-8", "8bit", iso88598, heb},
		{"iso-8859-8-i", "iso-8859-8-i", "8bit", iso88598, heb},
		{"windows-1255 base64", "windows-1255", "base64", base64.StdEncoding.EncodeToString([]byte(w1255)), heb},
		{"windows-1252", "windows-1252", "8bit", w1252, "Grüße, café €"},
		{"iso-2022-jp", "ISO-2022-JP", "7bit", jis, "こんにちは"},
		{"euc-jp", "EUC-JP", "8bit", eucjp, "こんにちは"},
		{"utf-16le bom", "utf-16", "base64", base64.StdEncoding.EncodeToString([]byte(utf16)), "Test message"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := "From: a@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=" + c.charset +
				"\r\nContent-Transfer-Encoding: " + c.cte + "\r\n\r\n" + c.body + "\r\n"
			m, err := Parse([]byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(m.Text) != c.want {
				t.Errorf("text %q, want %q (errors %q)", m.Text, c.want, m.Errors)
			}
		})
	}

	// Headers: RFC 2047 in subject and names (windows-1255 B, ISO-8859-8-I Q,
	// UTF-8), RFC 2231 file names (windows-1255 and UTF-8), RFC 2047 file name.
	raw := "From: =?windows-1255?B?" + base64.StdEncoding.EncodeToString([]byte(mustEnc(charmap.Windows1255, "דנה לוי"))) + "?= <dana@example.co.il>\r\n" +
		"To: =?iso-8859-8-i?Q?=FA=EE=E9=EB=E4?= <support@kesher.test>, =?utf-8?B?157XqdeUINeb15TXnw==?= <moshe@example.co.il>\r\n" +
		"Subject: =?UTF-8?B?16nXnNeV150=?= =?UTF-8?B?INei15XXnNedIFsjNDJd?=\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"X\"\r\n\r\n" +
		"--X\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nמצורף\r\n" +
		"--X\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename*=windows-1255''%E7%F9%E1%E5%EF.pdf\r\n\r\n%PDF\r\n" +
		"--X\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment;\r\n filename*0*=utf-8''%D7%94%D7%A6%D7%A2%D7%AA%20;\r\n filename*1*=%D7%9E%D7%97%D7%99%D7%A8.pdf\r\n\r\n%PDF\r\n" +
		"--X\r\nContent-Type: image/png; name=\"=?UTF-8?B?16rXnteV16DXlC5wbmc=?=\"\r\nContent-Disposition: attachment\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n" +
		"--X--\r\n"
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.From.Name != "דנה לוי" || m.Subject != "שלום עולם [#42]" {
		t.Errorf("from %+v subject %q", m.From, m.Subject)
	}
	if len(m.To) != 2 || m.To[0].Name != "תמיכה" || m.To[1].Name != "משה כהן" {
		t.Errorf("to %+v", m.To)
	}
	if n, ok := SubjectTag(m.Subject); !ok || n != 42 {
		t.Errorf("tag %d %v", n, ok)
	}
	names := attachmentNames(m)
	if strings.Join(names, "|") != "חשבון.pdf|הצעת מחיר.pdf|תמונה.png" {
		t.Errorf("attachments %q", names)
	}
}

func mustEnc(cm *charmap.Charmap, s string) string {
	out, err := cm.NewEncoder().String(s)
	if err != nil {
		panic(err)
	}
	return out
}

// TestRaw8bitHeaders: old Israeli clients send windows-1255 bytes in headers
// without RFC 2047; they are decoded with the body's charset or by guess.
func TestRaw8bitHeaders(t *testing.T) {
	cases := []struct{ name, ctype, subject, from string }{
		{"body charset", "text/plain; charset=windows-1255", "\xf9\xec\xe5\xed", "\xe3\xf0\xe4 <a@example.com>"},
		{"guess hebrew", "text/plain", "\xf9\xec\xe5\xed", "\"\xe3\xf0\xe4\" <a@example.com>"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse([]byte("From: " + c.from + "\r\nSubject: " + c.subject + "\r\nContent-Type: " + c.ctype + "\r\n\r\nx\r\n"))
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != "שלום" || m.From.Name != "דנה" || m.From.Email != "a@example.com" {
				t.Errorf("subject %q from %+v errors %q", m.Subject, m.From, m.Errors)
			}
		})
	}
	m, _ := Parse([]byte("From: a@example.com\r\nSubject: caf\xe9\r\n\r\nx\r\n"))
	if m.Subject != "café" {
		t.Errorf("latin subject %q", m.Subject)
	}
}
