package parse

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestUTF8FastPath checks that, for every corpus mail the fast path (no
// charset detection) accepts, the parse equals the one with detection.
func TestUTF8FastPath(t *testing.T) {
	root := corpusDir(t)
	fast := 0
	for _, name := range corpusFiles(t, root) {
		raw, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		env, err := utf8Parser.ReadEnvelope(bytes.NewReader(raw))
		if err != nil || !declaredUTF8(env) {
			continue
		}
		fast++
		slow, err := parser.ReadEnvelope(bytes.NewReader(raw))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if env.Text != slow.Text || env.HTML != slow.HTML || len(env.Attachments) != len(slow.Attachments) ||
			len(env.Inlines) != len(slow.Inlines) || !reflect.DeepEqual(env.Errors, slow.Errors) {
			t.Errorf("%s: fast path differs from detection", name)
		}
		for i := range env.Attachments {
			if !bytes.Equal(env.Attachments[i].Content, slow.Attachments[i].Content) {
				t.Errorf("%s: attachment %d differs", name, i)
			}
		}
	}
	t.Logf("%d corpus mails take the UTF-8 fast path", fast)
	if fast == 0 {
		t.Error("no corpus mail takes the fast path")
	}
}
