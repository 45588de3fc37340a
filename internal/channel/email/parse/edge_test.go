package parse

import (
	"strings"
	"testing"
)

// TestEdgeInputs: degenerate inputs parse (or fail) without panicking, and
// mails with only a body or only headers still give a usable message.
func TestEdgeInputs(t *testing.T) {
	cases := []struct {
		name, raw string
		ok        bool
		text      string
	}{
		{"empty", "", true, ""},
		{"headers only", "From: a@example.com\r\nSubject: hi\r\n", true, ""},
		{"lf line ends", "From: a@example.com\nSubject: hi\n\nbody\n", true, "body\n"},
		{"bare cr line ends", "From: a@example.com\rSubject: hi\r\rbody\r", true, ""},
		{"leading blank line", "\r\nFrom: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n", true, ""},
		{"nul bytes", "From: a@example.com\r\nSubject: h\x00i\r\n\r\nbo\x00dy\r\n", true, ""},
		{"invalid utf-8 body", "From: a@example.com\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\xff\xfe bad\r\n", true, ""},
		{"8bit header no charset", "From: \xe3\xf0 <a@example.com>\r\nSubject: \xf9\xec\xe5\xed\r\n\r\nx\r\n", true, ""},
		{"deep nesting", "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n" + strings.Repeat("--a\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n", 200), true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse([]byte(c.raw))
			if (err == nil) != c.ok {
				t.Fatalf("err %v", err)
			}
			if err == nil && c.text != "" && m.Text != c.text {
				t.Errorf("text %q", m.Text)
			}
		})
	}
}
