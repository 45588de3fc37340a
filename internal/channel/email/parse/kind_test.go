package parse

import (
	"strings"
	"testing"
)

func rawMail(headers, body string) []byte {
	h := "From: Dana Levi <dana@example.com>\r\nTo: support@kesher.test\r\nMessage-ID: <m1@example.com>\r\nDate: Thu, 26 Mar 2026 16:00:00 +0200\r\n"
	return []byte(h + strings.ReplaceAll(headers, "\n", "\r\n") + "\r\n" + strings.ReplaceAll(body, "\n", "\r\n"))
}

func TestKind(t *testing.T) {
	cases := []struct {
		name, headers, kind, reason string
	}{
		{"person", "Subject: Printer broken\n", KindNormal, ""},
		{"auto-submitted no", "Subject: Printer\nAuto-Submitted: no\n", KindNormal, ""},
		{"auto-submitted auto-replied", "Subject: Printer\nAuto-Submitted: auto-replied\n", KindAutoReply, "Auto-Submitted: auto-replied"},
		{"auto-submitted auto-generated", "Subject: Printer\nAuto-Submitted: auto-generated\n", KindAutoReply, "Auto-Submitted: auto-generated"},
		{"x-autoreply", "Subject: Printer\nX-Autoreply: yes\n", KindAutoReply, "X-Autoreply header"},
		{"x-autorespond", "Subject: Printer\nX-Autorespond: 1\n", KindAutoReply, "X-Autorespond header"},
		{"x-auto-response-suppress", "Subject: Printer\nX-Auto-Response-Suppress: All\n", KindAutoReply, "X-Auto-Response-Suppress header"},
		{"precedence auto_reply", "Subject: Printer\nPrecedence: auto_reply\n", KindAutoReply, "Precedence: auto_reply"},
		{"subject out of office", "Subject: Out of Office: Printer\n", KindAutoReply, "subject"},
		{"subject automatic reply", "Subject: Automatic reply: [#12] Printer\n", KindAutoReply, "subject"},
		{"subject auto:", "Subject: Auto: Printer\n", KindAutoReply, "subject"},
		{"subject hebrew auto reply", "Subject: מענה אוטומטי: המדפסת\n", KindAutoReply, "subject"},
		{"subject hebrew out of office", "Subject: אני מחוץ למשרד עד יום ראשון\n", KindAutoReply, "subject"},
		{"subject re out of office", "Subject: RE: Out of office\n", KindAutoReply, "subject"},
		{"subject german outlook", "Subject: Automatische Antwort: Drucker\n", KindAutoReply, "subject"},
		{"subject mentions office", "Subject: The office printer is out of toner\n", KindNormal, ""},
		{"precedence bulk", "Subject: News\nPrecedence: bulk\n", KindBulk, "Precedence: bulk"},
		{"precedence list", "Subject: News\nPrecedence: list\n", KindBulk, "Precedence: list"},
		{"precedence junk", "Subject: News\nPrecedence: junk\n", KindBulk, "Precedence: junk"},
		{"list-id", "Subject: News\nList-Id: <news.example.com>\n", KindBulk, "List-Id header"},
		{"list-unsubscribe from a person", "Subject: News\nList-Unsubscribe: <mailto:u@example.com>\n", KindNormal, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse(rawMail(c.headers, "Hello\n"))
			if err != nil {
				t.Fatal(err)
			}
			if m.Kind != c.kind || m.KindReason != c.reason {
				t.Errorf("kind %q (%q), want %q (%q)", m.Kind, m.KindReason, c.kind, c.reason)
			}
		})
	}
	m, _ := Parse([]byte("From: News <noreply@shop.example>\r\nSubject: Sale\r\nList-Unsubscribe: <https://shop.example/u>\r\n\r\nx\r\n"))
	if m.Kind != KindBulk {
		t.Errorf("no-reply List-Unsubscribe: kind %q", m.Kind)
	}
}

func TestBounceNonStandard(t *testing.T) {
	cases := []struct {
		name, raw string
		want      Bounce
	}{
		{"postfix plain", "From: MAILER-DAEMON@mx.example.com (Mail Delivery System)\r\nTo: support@kesher.test\r\nSubject: Undelivered Mail Returned to Sender\r\n\r\n" +
			"I'm sorry to have to inform you that your message could not\r\nbe delivered.\r\n\r\n<dana@example.com>: host mx.example.com said: 550 5.1.1 User unknown\r\n\r\n" +
			"------ This is a copy of the message, including all the headers. ------\r\n\r\nFrom: support@kesher.test\r\nMessage-ID: <kesher.12.34.abc@kesher.test>\r\nSubject: [#12] Printer\r\n\r\nHello\r\n",
			Bounce{OriginalMessageID: "kesher.12.34.abc@kesher.test", Recipients: []string{"dana@example.com"}, Status: "5.1.1", Permanent: true}},
		{"exim", "From: Mail Delivery System <Mailer-Daemon@mail.example.org>\r\nSubject: Mail delivery failed: returning message to sender\r\n\r\n" +
			"This message was created automatically by mail delivery software.\r\n\r\n  dana@example.org\r\n    retry timeout exceeded\r\n\r\n------ This is a copy of the message, including all the headers. ------\r\n\r\nMessage-Id: <kesher.1.2.x@kesher.test>\r\n",
			Bounce{OriginalMessageID: "kesher.1.2.x@kesher.test", Permanent: true}},
		{"gmail dsn text", "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\r\nSubject: Delivery Status Notification (Delay)\r\n\r\nDelivery to the following recipient has been delayed:\r\n\r\n     dana@example.com\r\n\r\nMessage will be retried for 2 more day(s)\r\n\r\nTechnical details of temporary failure:\r\nThe recipient server did not accept our requests: 4.4.1 timeout\r\n",
			Bounce{Status: "4.4.1", Permanent: false}},
		{"postmaster failure", "From: postmaster@example.net\r\nSubject: Delivery Status Notification (Failure)\r\n\r\nDelivery has failed to these recipients:\r\n<x@example.net>: 550 5.7.1 rejected\r\n",
			Bounce{Recipients: []string{"x@example.net"}, Status: "5.7.1", Permanent: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse([]byte(c.raw))
			if err != nil {
				t.Fatal(err)
			}
			if m.Kind != KindBounce || m.Bounce == nil {
				t.Fatalf("kind %q", m.Kind)
			}
			if !equalBounce(*m.Bounce, c.want) {
				t.Errorf("bounce %+v, want %+v", *m.Bounce, c.want)
			}
		})
	}
	// A postmaster writing a normal answer is not a bounce.
	m, _ := Parse([]byte("From: postmaster@example.net\r\nSubject: Re: your question\r\n\r\nHello\r\n"))
	if m.Kind != KindNormal {
		t.Errorf("postmaster reply: kind %q", m.Kind)
	}
}

func TestBounceRFC3464Headers(t *testing.T) {
	raw := "From: MAILER-DAEMON@mx.example.com\r\nTo: support@kesher.test\r\nSubject: Delayed Mail (still being retried)\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n" +
		"--B\r\nContent-Type: text/plain\r\n\r\nStill trying.\r\n" +
		"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\nFinal-Recipient: rfc822; dana@example.com\r\nAction: delayed\r\nStatus: 4.4.7\r\nDiagnostic-Code: smtp; 451 4.4.7 try later\r\n\r\n" +
		"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: support@kesher.test\r\nMessage-ID: <kesher.5.6.r@kesher.test>\r\nSubject: [#5] x\r\n\r\n--B--\r\n"
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := Bounce{OriginalMessageID: "kesher.5.6.r@kesher.test", Recipients: []string{"dana@example.com"}, Status: "4.4.7", Diagnostic: "451 4.4.7 try later"}
	if m.Kind != KindBounce || m.Bounce == nil || !equalBounce(*m.Bounce, want) {
		t.Errorf("kind %q bounce %+v", m.Kind, m.Bounce)
	}
	if ws(m.NewText) != "Still trying." {
		t.Errorf("text %q", m.NewText)
	}
}

func TestBounceNonStandardAttachedOriginal(t *testing.T) {
	raw := "From: MAILER-DAEMON@mx.example.com\r\nSubject: Returned mail: see transcript for details\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\n----- The following addresses had permanent fatal errors -----\r\n<dana@example.com>: 550 5.1.1 unknown\r\n" +
		"--B\r\nContent-Type: message/rfc822\r\n\r\nFrom: support@kesher.test\r\nMessage-ID: <kesher.7.8.z@kesher.test>\r\nSubject: [#7] Printer\r\n\r\nHello\r\n--B--\r\n"
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := Bounce{OriginalMessageID: "kesher.7.8.z@kesher.test", Recipients: []string{"dana@example.com"}, Status: "5.1.1", Permanent: true}
	if m.Kind != KindBounce || m.Bounce == nil || !equalBounce(*m.Bounce, want) {
		t.Fatalf("kind %q bounce %+v", m.Kind, m.Bounce)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "[#7] Printer.eml" || m.Attachments[0].Embedded.Text != "Hello" {
		t.Errorf("attachments %+v", m.Attachments)
	}
}
