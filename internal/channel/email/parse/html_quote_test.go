package parse

import "testing"

// TestNewTextFromHTML: HTML-only replies (Gmail, Outlook) get their text
// from the HTML; the quoted history is cut there too.
func TestNewTextFromHTML(t *testing.T) {
	cases := []struct{ name, html, want string }{
		{"gmail", `<div dir="ltr">Thanks, it works.</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Thu, Mar 26, 2026 at 4:00 PM Kesher Support &lt;<a href="mailto:support@kesher.test">support@kesher.test</a>&gt; wrote:<br></div><blockquote class="gmail_quote">Please restart it.</blockquote></div>`, "Thanks, it works."},
		{"gmail hebrew", `<div dir="rtl">תודה, עובד.</div><br><div class="gmail_quote"><div dir="rtl" class="gmail_attr">‫בתאריך יום ה׳, 26 במרץ 2026 ב-16:00 מאת ‪Kesher Support‬‏ &lt;‪<a href="mailto:support@kesher.test">support@kesher.test</a>‬‏&gt;:‬<br></div><blockquote class="gmail_quote">נא להפעיל מחדש.</blockquote></div>`, "תודה, עובד."},
		{"outlook", `<div>Done.</div><div><br></div><hr><div id="divRplyFwdMsg"><b>From:</b> Kesher Support &lt;support@kesher.test&gt;<br><b>Sent:</b> Thursday, March 26, 2026 4:00 PM<br><b>To:</b> Dana<br><b>Subject:</b> Printer</div><div>Please restart it.</div>`, "Done."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := "From: dana@example.com\r\nSubject: Re: x\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body>" + c.html + "</body></html>\r\n"
			m, err := Parse([]byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			if m.NewText != c.want {
				t.Errorf("new text %q (text %q)", m.NewText, m.Text)
			}
		})
	}
}
