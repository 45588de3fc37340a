package parse

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// corpusDir finds ../shared/corpus/email relative to the repository root
// (the directory holding go.mod). It fails the test when the corpus is
// missing: the corpus is part of the acceptance tests.
func corpusDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
	c := filepath.Join(filepath.Dir(dir), "shared", "corpus", "email")
	if fi, err := os.Stat(c); err != nil || !fi.IsDir() {
		tb.Fatalf("email corpus missing at %s: %v", c, err)
	}
	return c
}

// corpusFiles lists every raw mail of the corpus (relative paths, sorted):
// everything except notes, expected results and license files.
func corpusFiles(tb testing.TB, root string) []string {
	tb.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".md", ".yml", ".yaml", ".json":
			return nil
		}
		if strings.HasPrefix(strings.ToUpper(d.Name()), "COPYING") || strings.HasPrefix(strings.ToUpper(d.Name()), "LICENSE") {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		out = append(out, rel)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	sort.Strings(out)
	if len(out) < 40 {
		tb.Fatalf("only %d corpus mails found in %s", len(out), root)
	}
	return out
}

// golden is the JSON summary of a parse kept under testdata/golden.
type golden struct {
	Subject     string       `json:"subject"`
	From        Address      `json:"from"`
	To          []Address    `json:"to"`
	Cc          []Address    `json:"cc"`
	MessageID   string       `json:"message_id"`
	Kind        string       `json:"kind"`
	KindReason  string       `json:"kind_reason,omitempty"`
	Bounce      *Bounce      `json:"bounce"`
	Text        string       `json:"text"`
	NewText     string       `json:"new_text"`
	Attachments []goldenPart `json:"attachments"`
	Errors      []string     `json:"errors"`
}

type goldenPart struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	Size      int    `json:"size"`
	Inline    bool   `json:"inline"`
	ContentID string `json:"content_id,omitempty"`
}

func summarize(m *Message) golden {
	g := golden{Subject: m.Subject, From: m.From, To: m.To, Cc: m.Cc, MessageID: m.MessageID, Kind: m.Kind,
		KindReason: m.KindReason, Bounce: m.Bounce, Text: cut(m.Text, 2000), NewText: cut(m.NewText, 2000),
		Attachments: []goldenPart{}, Errors: m.Errors}
	for _, a := range m.Attachments {
		g.Attachments = append(g.Attachments, goldenPart{Name: a.Filename, Type: a.ContentType, Size: len(a.Data), Inline: a.Inline, ContentID: a.ContentID})
	}
	return g
}

func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// TestCorpus parses every mail of the corpus: no error, no panic, and the
// summary equals the reviewed golden file (rewrite with -update).
func TestCorpus(t *testing.T) {
	root := corpusDir(t)
	for _, rel := range corpusFiles(t, root) {
		t.Run(rel, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(root, rel))
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(raw)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var out bytes.Buffer
			enc := json.NewEncoder(&out)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(summarize(m)); err != nil {
				t.Fatal(err)
			}
			got := out.Bytes()
			path := filepath.Join("testdata", "golden", rel+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("golden file missing (run go test -update): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("summary differs from %s:\n%s", path, got)
			}
		})
	}
}

// ws folds whitespace for body comparisons.
func ws(s string) string { return strings.Join(strings.Fields(s), " ") }

func parseCorpus(t *testing.T, rel string) *Message {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(corpusDir(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(raw)
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return m
}

func attachmentNames(m *Message) []string {
	out := []string{}
	for _, a := range m.Attachments {
		out = append(out, a.Filename)
	}
	return out
}
