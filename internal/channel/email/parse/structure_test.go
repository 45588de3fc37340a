package parse

import "testing"

// TestTextAroundInlineImage: Apple Mail sends text, an inline image and
// more text as sibling parts; both texts are new text. The image keeps its
// Content-ID but is not Inline: there is no HTML body referring to it, so
// it must be listed as an attachment.
func TestTextAroundInlineImage(t *testing.T) {
	raw := "From: dana@example.com\r\nSubject: screenshot\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"A\"\r\n\r\n" +
		"--A\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHere is the error:\r\n" +
		"--A\r\nContent-Type: image/png; name=err.png\r\nContent-Disposition: inline; filename=err.png\r\nContent-ID: <img1@mac>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n" +
		"--A\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nIt happens every morning.\r\n\r\n-- \r\nDana\r\n--A--\r\n"
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.NewText != "Here is the error:\n\nIt happens every morning." {
		t.Errorf("new text %q", m.NewText)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "err.png" || m.Attachments[0].Inline || m.Attachments[0].ContentID != "img1@mac" {
		t.Errorf("attachments %+v", m.Attachments)
	}
}
