package parse

import "testing"

func TestNewText(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"plain", "Hello,\nthe printer is broken.\n", "Hello,\nthe printer is broken."},
		{"gmail", "Thanks, that worked.\n\nOn Thu, Mar 26, 2026 at 4:00 PM Kesher Support <support@kesher.test> wrote:\n> Please restart it.\n> \n", "Thanks, that worked."},
		{"gmail wrapped attribution", "Thanks!\n\nOn Thu, Mar 26, 2026 at 4:00 PM Kesher Support Team <\nsupport@kesher.test> wrote:\n\n> Please restart it.\n", "Thanks!"},
		{"apple mail", "Still broken.\n\nSent from my iPhone\n\n> On 26 Mar 2026, at 16:00, Kesher Support <support@kesher.test> wrote:\n> \n> Please restart it.\n", "Still broken."},
		{"apple mail unquoted attribution", "Still broken.\n\nOn 26 Mar 2026, at 16:00, Kesher Support <support@kesher.test> wrote:\n\n> Please restart it.\n", "Still broken."},
		{"thunderbird", "Done.\n\nOn 3/26/26 4:00 PM, Kesher Support wrote:\n> Please restart it.\n", "Done."},
		{"outlook original message", "Hi,\nsee below.\n\n-----Original Message-----\nFrom: Kesher Support <support@kesher.test>\nSent: Thursday, March 26, 2026 4:00 PM\nTo: Dana\nSubject: RE: Printer\n\nPlease restart it.\n", "Hi,\nsee below."},
		{"outlook underscores", "OK, thanks.\n\n________________________________\nFrom: Kesher Support <support@kesher.test>\nSent: Thursday, March 26, 2026 16:00\nTo: Dana Levi <dana@example.com>\nSubject: [#12] Printer\n\nPlease restart it.\n", "OK, thanks."},
		{"outlook bold header block", "It works now.\n\n*From:* Kesher Support [mailto:support@kesher.test]\n*Sent:* Thursday, March 26, 2026 4:00 PM\n*To:* Dana\n*Subject:* Printer\n\nPlease restart it.\n", "It works now."},
		{"hebrew gmail", "תודה רבה, זה עבד.\n\nבתאריך יום ה׳, 26 במרץ 2026 ב-16:00 מאת \u202aKesher Support\u202c\u200f <\u202asupport@kesher.test\u202c\u200f>:\u200f\n\n> נא להפעיל מחדש.\n", "תודה רבה, זה עבד."},
		{"hebrew wrote", "עדיין לא עובד.\n\nב-26 במרץ 2026, בשעה 16:00, Kesher Support <support@kesher.test> כתב/ה:\n\n> נא להפעיל מחדש.\n", "עדיין לא עובד."},
		{"hebrew gmail with wrote", "מצוין.\n\nבתאריך יום ה׳, 26 במרץ 2026 ב-16:00 מאת דנה לוי <dana@example.com> כתב:\n> שלום\n", "מצוין."},
		{"hebrew outlook", "שלום,\nמצורף הקובץ.\n\n-----הודעה מקורית-----\nמאת: Kesher Support [mailto:support@kesher.test]\nנשלח: יום חמישי 26 מרץ 2026 16:00\nאל: דנה\nנושא: המדפסת\n\nנא לשלוח את הקובץ.\n", "שלום,\nמצורף הקובץ."},
		{"hebrew outlook header block", "קיבלתי, תודה.\n\nמאת: Kesher Support <support@kesher.test>\nנשלח: יום חמישי 26 מרץ 2026 16:00\nאל: דנה לוי\nנושא: RE: המדפסת [#12]\n\nנא לשלוח את הקובץ.\n", "קיבלתי, תודה."},
		{"signature", "Please call me.\n\n-- \nDana Levi\nAcme Ltd.\n", "Please call me."},
		{"signature without space near end", "Please call me.\n--\nDana\n", "Please call me."},
		{"hebrew mobile signature", "אני בדרך.\n\nנשלח מה-iPhone שלי\n", "אני בדרך."},
		{"trailing quote only", "Yes.\n\n> Does it work?\n> Thanks\n", "Yes."},
		{"interleaved reply kept", "> Does it print?\nNo.\n> Is it on?\nYes.\n", "> Does it print?\nNo.\n> Is it on?\nYes."},
		{"quote only falls back", "> just a quote\n", "> just a quote"},
		{"crlf", "Fine.\r\n\r\nOn Thu, Mar 26, 2026 at 4:00 PM A <a@b.c> wrote:\r\n> x\r\n", "Fine."},
		{"sentence with wrote is kept", "On Monday I wrote to you about the printer and nobody answered.\nPlease help.\n", "On Monday I wrote to you about the printer and nobody answered.\nPlease help."},
		{"from in body is kept", "From: the accounting team we got no invoice.\nPlease resend.\n", "From: the accounting team we got no invoice.\nPlease resend."},
		{"german", "Danke.\n\nAm 26.03.2026 um 16:00 schrieb Kesher Support <support@kesher.test>:\n> Bitte neu starten.\n", "Danke."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := NewText(c.in); got != c.want {
				t.Errorf("NewText =\n%q\nwant\n%q", got, c.want)
			}
		})
	}
}
