package parse

import (
	"os"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParse feeds corpus mails and their mutations to Parse: it must never
// panic, and whatever it returns must be consistent.
func FuzzParse(f *testing.F) {
	root := corpusDir(f)
	for _, rel := range corpusFiles(f, root) {
		raw, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(""))
	f.Add([]byte("Subject: x\r\n\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var m *Message
		var err error
		done := make(chan bool)
		go func() { m, err = Parse(raw); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("Parse did not return within 10s")
		}
		if err != nil {
			if m != nil {
				t.Fatal("message and error both returned")
			}
			return
		}
		if m.Kind == KindBounce && m.Bounce == nil {
			t.Fatal("bounce without details")
		}
		_ = NewText(m.Text)
		_ = NormalizeSubject(m.Subject)
		if !utf8.ValidString(m.Subject) {
			t.Logf("subject not valid UTF-8: %q", m.Subject)
		}
	})
}
