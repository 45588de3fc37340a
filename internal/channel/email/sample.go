package email

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"mime/quotedprintable"
	"strings"
)

// SampleMail returns a realistic customer mail for benchmarks: a Hebrew
// reply (multipart/alternative, quoted-printable UTF-8 text and HTML) with
// three earlier messages quoted Gmail-style, about 10–14 KB. seq makes the
// Message-ID, sender (one of 500) and order number distinct.
func SampleMail(seq int) []byte {
	var b bytes.Buffer
	order := 10000 + seq
	fmt.Fprintf(&b, "Return-Path: <customer%d@example.co.il>\r\n", seq%500)
	b.WriteString("Received: from mail-wr1-f41.google.com (mail-wr1-f41.google.com [209.85.221.41])\r\n" +
		"\tby mx.kesher.example with ESMTPS id 4f1b2c; Sun, 29 Nov 2026 10:00:00 +0200\r\n")
	b.WriteString("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.co.il; s=20230601; t=1732867200;\r\n" +
		"\th=to:subject:message-id:date:from:in-reply-to:references:mime-version;\r\n" +
		"\tbh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=Yx3kY1cV2nN4aP8W0Tz7q9fKk1d2G5HhJjLl\r\n")
	b.WriteString("MIME-Version: 1.0\r\n")
	fmt.Fprintf(&b, "From: =?UTF-8?B?15PXoNeUINeb15TXnw==?= <customer%d@example.co.il>\r\n", seq%500)
	b.WriteString("To: support@kesher.example\r\n")
	fmt.Fprintf(&b, "Subject: =?UTF-8?B?%s?=\r\n", base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("השב: הזמנה %d לא הגיעה", order))))
	fmt.Fprintf(&b, "Date: Sun, 29 Nov 2026 10:%02d:00 +0200\r\n", seq%60)
	fmt.Fprintf(&b, "Message-ID: <CAbench%d.%d@mail.gmail.com>\r\n", seq, order)
	fmt.Fprintf(&b, "In-Reply-To: <CAprev%d@mail.gmail.com>\r\n", seq)
	fmt.Fprintf(&b, "References: <CAfirst%d@mail.gmail.com> <CAprev%d@mail.gmail.com>\r\n", seq, seq)
	boundary := fmt.Sprintf("000000000000b%08x", seq)
	fmt.Fprintf(&b, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", boundary)

	newText := fmt.Sprintf("שלום,\n\nעדיין לא קיבלתי את ההזמנה %d. הזמנתי לפני שבועיים ושילמתי על משלוח מהיר.\n"+
		"אשמח אם תבדקו מה קרה ותעדכנו אותי מתי היא תגיע. מספר המעקב שקיבלתי לא מראה שום תנועה מאז יום ראשון.\n\n"+
		"תודה,\nדנה כהן\n050-1234567\n", order)
	history := []string{
		"שלום דנה,\n\nבדקנו את ההזמנה שלך. החבילה נמסרה לחברת השליחויות ביום חמישי ואמורה להגיע תוך שלושה ימי עסקים.\n" +
			"אם לא תגיע עד יום שני, נא לענות למייל הזה ונפתח בירור מול חברת השליחויות.\n\nבברכה,\nצוות התמיכה\n",
		"היי,\n\nהזמנתי שני פריטים ורק אחד מופיע בחשבון שלי. האם ההזמנה נקלטה במלואה? צירפתי את אישור התשלום.\n" +
			"בנוסף, אשמח לדעת אם אפשר לשנות את כתובת המשלוח לכתובת העבודה שלי ברחוב הרצל 12 בתל אביב.\n\nדנה\n",
		"שלום,\n\nתודה על הזמנתך! מספר ההזמנה שלך הוא " + fmt.Sprint(order) + ".\nנעדכן אותך כשההזמנה תצא למשלוח.\n" +
			"לשאלות ניתן לפנות אלינו בכל עת בכתובת support@kesher.example או בטלפון 03-1234567.\n\nצוות השירות\n",
	}
	var text, html strings.Builder
	text.WriteString(newText)
	html.WriteString(`<div dir="rtl">` + htmlLines(newText) + `</div><br><div class="gmail_quote">`)
	depth := 0
	for i, h := range history {
		attr := fmt.Sprintf("בתאריך יום ה׳, %d בנוב׳ 2026 ב-1%d:00 מאת צוות התמיכה <support@kesher.example>:", 26-i, i)
		text.WriteString("\n" + strings.Repeat(">", depth) + map[bool]string{true: " ", false: ""}[depth > 0] + attr + "\n")
		depth++
		for _, line := range strings.Split(strings.TrimRight(h, "\n"), "\n") {
			text.WriteString(strings.Repeat(">", depth) + " " + line + "\n")
		}
		fmt.Fprintf(&html, `<div dir="rtl" class="gmail_attr">%s<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex"><div dir="rtl">%s</div>`,
			htmlEscape(attr), htmlLines(h))
	}
	html.WriteString(strings.Repeat("</blockquote>", len(history)) + "</div>")

	part := func(ctype, body string) {
		fmt.Fprintf(&b, "--%s\r\nContent-Type: %s; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", boundary, ctype)
		w := quotedprintable.NewWriter(&b)
		_, _ = w.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n")))
		_ = w.Close()
		b.WriteString("\r\n")
	}
	part("text/plain", text.String())
	part("text/html", html.String())
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.Bytes()
}

func htmlLines(s string) string {
	var out strings.Builder
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if line == "" {
			out.WriteString("<div><br></div>")
			continue
		}
		out.WriteString("<div>" + htmlEscape(line) + "</div>")
	}
	return out.String()
}

func htmlEscape(s string) string {
	return html.EscapeString(s)
}
