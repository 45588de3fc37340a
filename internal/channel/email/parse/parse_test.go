package parse

import "testing"

// TestParseHebrew checks the baseline: a windows-1255 body and an
// ISO-8859-8 encoded-word subject decode to UTF-8, threading headers are
// split, and addresses keep their Hebrew display names.
func TestParseHebrew(t *testing.T) {
	raw := "From: =?windows-1255?B?5On46Q==?= <dana@example.com>\r\n" +
		"To: support@kesher.test\r\n" +
		"Subject: =?ISO-8859-8?B?6+Xr4A==?=\r\n" +
		"Message-ID: <abc@example.com>\r\n" +
		"In-Reply-To: <k1@kesher.test>\r\n" +
		"References: <k0@kesher.test> <k1@kesher.test>\r\n" +
		"Date: Thu, 26 Mar 2026 16:00:00 +0200\r\n" +
		"Content-Type: text/plain; charset=windows-1255\r\n\r\n" +
		"\xf9\xec\xe5\xed\r\n"
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.From.Name != "הירי" {
		t.Errorf("from name %q", m.From.Name)
	}
	if m.From.Email != "dana@example.com" || m.MessageID != "abc@example.com" || len(m.References) != 2 || m.InReplyTo[0] != "k1@kesher.test" {
		t.Errorf("headers: %+v", m)
	}
	if m.Text != "שלום\n" {
		t.Errorf("text %q", m.Text)
	}
	if m.Date.Hour() != 14 {
		t.Errorf("date %v", m.Date)
	}
}
