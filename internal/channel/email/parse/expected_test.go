package parse

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Stalwart mail-parser's expected output (resources/eml/**/*.json): a part
// list with decoded headers and bodies.
type swMessage struct {
	TextBody    []int    `json:"text_body"`
	HTMLBody    []int    `json:"html_body"`
	Attachments []int    `json:"attachments"`
	Parts       []swPart `json:"parts"`
}

type swPart struct {
	Headers []struct {
		Name  json.RawMessage `json:"name"` // "subject", or {"Other": "X-…"}
		Value json.RawMessage `json:"value"`
	} `json:"headers"`
	Body json.RawMessage `json:"body"`
}

type swValue struct {
	Text    *string `json:"Text"`
	Address *struct {
		List []struct {
			Name    *string
			Address string
		}
	}
	ContentType *struct {
		Attributes []struct{ Name, Value string } `json:"attributes"`
	}
}

type swBody struct {
	Text *string `json:"Text"`
	HTML *string `json:"Html"`
}

func (p swPart) header(name string) *swValue {
	for _, h := range p.Headers {
		if string(h.Name) == `"`+name+`"` {
			var v swValue
			if json.Unmarshal(h.Value, &v) == nil {
				return &v
			}
		}
	}
	return nil
}

// filename is the name a part declares (disposition filename, else
// content-type name).
func (p swPart) filename() string {
	for _, h := range []string{"content_disposition", "content_type"} {
		if v := p.header(h); v != nil && v.ContentType != nil {
			for _, a := range v.ContentType.Attributes {
				if a.Name == "filename" || a.Name == "name" {
					return a.Value
				}
			}
		}
	}
	return ""
}

// stalwartDivergences lists, per file, the expected values we knowingly do
// not match and why (see the report in the commit message).
var stalwartDivergences = map[string]string{
	// The first related part has two Content-Type headers (multipart/
	// alternative, then text/plain): stalwart keeps the last and takes the
	// raw alternative (boundary lines and HTML included) as plain text;
	// enmime keeps the first, misses the text/plain part (it has no opening
	// boundary) and derives the text from the HTML part ("HTML Body").
	"malformed/020.eml": "text",
	"malformed/021.eml": "text",
	// enmime joins the five text parts with "\n--\n"; the UTF-16 parts and
	// EUC-JP part decode like stalwart's, checked by containment.
}

// TestStalwartExpected compares subject, sender, text body and attachment
// names with stalwart mail-parser's expected output.
func TestStalwartExpected(t *testing.T) {
	root := filepath.Join(corpusDir(t), "stalwart-mail-parser", "resources", "eml")
	files, _ := filepath.Glob(filepath.Join(root, "*", "*.json"))
	if len(files) != 11 {
		t.Fatalf("expected 11 stalwart json files, found %d", len(files))
	}
	for _, jf := range files {
		rel, _ := filepath.Rel(root, strings.TrimSuffix(jf, ".json")+".eml")
		t.Run(rel, func(t *testing.T) {
			data, err := os.ReadFile(jf)
			if err != nil {
				t.Fatal(err)
			}
			var want swMessage
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			m := parseCorpus(t, filepath.Join("stalwart-mail-parser", "resources", "eml", rel))
			top := want.Parts[0]
			if v := top.header("subject"); v != nil && v.Text != nil && m.Subject != *v.Text {
				t.Errorf("subject %q, want %q", m.Subject, *v.Text)
			}
			if v := top.header("from"); v != nil && v.Address != nil && len(v.Address.List) > 0 {
				if w := v.Address.List[0]; m.From.Email != w.Address || (w.Name != nil && m.From.Name != *w.Name) {
					t.Errorf("from %+v, want %s %v", m.From, w.Address, w.Name)
				}
			}
			if stalwartDivergences[rel] != "text" {
				var texts []string
				for _, i := range want.TextBody {
					var b swBody
					if json.Unmarshal(want.Parts[i].Body, &b) == nil && b.Text != nil && ws(*b.Text) != "" {
						texts = append(texts, ws(*b.Text))
					}
				}
				got := ws(m.Text)
				switch {
				case len(texts) == 1 && got != texts[0]:
					t.Errorf("text %q, want %q", got, texts[0])
				case len(texts) > 1:
					for _, w := range texts {
						if !strings.Contains(got, w) {
							t.Errorf("text %q does not contain %q", got, w)
						}
					}
				}
			}
			var wantNames []string
			for _, i := range want.Attachments {
				wantNames = append(wantNames, want.Parts[i].filename())
			}
			gotNames := attachmentNames(m)
			if len(gotNames) != len(wantNames) {
				t.Fatalf("attachments %q, want %q", gotNames, wantNames)
			}
			sort.Strings(wantNames)
			sort.Strings(gotNames)
			for i, w := range wantNames {
				if w != "" && gotNames[i] != w {
					t.Errorf("attachments %q, want %q", gotNames, wantNames)
				}
			}
		})
	}
}

// TestZammadExpected checks the Zammad mails against Zammad's .yml results
// and the expectations restated in zammad/EXPECTED.md.
func TestZammadExpected(t *testing.T) {
	t.Run("mail033 bounce", func(t *testing.T) {
		m := parseCorpus(t, "zammad/mail033-undelivered-mail-returned-to-sender-notification.box")
		yml := readYML(t, "zammad/mail033-undelivered-mail-returned-to-sender-notification.yml")
		if m.Subject != yml["subject"] || m.From.Email != yml["from_email"] || m.From.Name != yml["from_display_name"] {
			t.Errorf("headers %q %+v, want %q", m.Subject, m.From, yml)
		}
		if len(m.To) != 1 || m.To[0].Email != yml["to"] {
			t.Errorf("to %+v", m.To)
		}
		if ws(m.Text) != ws(yml["body"]) {
			t.Errorf("text %q\nwant %q", ws(m.Text), ws(yml["body"]))
		}
		names := attachmentNames(m)
		if len(names) != 2 || names[0] != "Delivery report.txt" || names[1] != "test [Ticket#10010].eml" {
			t.Errorf("attachments %q", names)
		}
		if m.Attachments[1].Embedded == nil || !strings.Contains(m.Attachments[1].Embedded.Text, "is somebody there?") {
			t.Errorf("embedded original not parsed")
		}
		want := Bounce{OriginalMessageID: "notification.20150830145600.1.4.5f4fd063-f69b-4e64-a92d-5e7128bd6682@127.0.0.1:3000",
			Recipients: []string{"not_existing@znuny.com"}, Status: "5.1.1",
			Diagnostic: "550 5.1.1 <not_existing@znuny.com>: Recipient address rejected: User unknown", Permanent: true}
		if m.Kind != KindBounce || m.Bounce == nil || !equalBounce(*m.Bounce, want) {
			t.Errorf("kind %q bounce %+v", m.Kind, m.Bounce)
		}
		if n, ok := SubjectTag(m.Attachments[1].Embedded.Subject); ok {
			t.Errorf("Zammad tag [Ticket#…] is not ours, got %d", n)
		}
	})
	t.Run("mail072 windows-1258", func(t *testing.T) {
		m := parseCorpus(t, "zammad/mail072.box")
		yml := readYML(t, "zammad/mail072.yml")
		if m.Subject != yml["subject"] || m.From.Email != yml["from_email"] || m.From.Name != yml["from_display_name"] {
			t.Errorf("headers %q %+v, want %q", m.Subject, m.From, yml)
		}
		// Zammad's yml body shows a windows-1250-like mis-decode ("ŕ", "aoűt");
		// EXPECTED.md gives the correct windows-1258 text.
		if !strings.Contains(ws(m.Text), "Je vous contacte suite à ma commande du 14 août 2018 référencée ci-dessus.") {
			t.Errorf("text %q", m.Text)
		}
	})
	t.Run("mail091 ISO-2022-JP", func(t *testing.T) {
		m := parseCorpus(t, "zammad/mail091.box")
		if m.Subject != "メルマガ解除" || strings.TrimSpace(m.Text) != "このアドレスへのメルマガを解除してください。" {
			t.Errorf("subject %q text %q", m.Subject, m.Text)
		}
	})
	t.Run("mail078 x-uuencode", func(t *testing.T) {
		m := parseCorpus(t, "zammad/mail078-content_transfer_encoding_x_uuencode.box")
		if len(m.Attachments) != 1 || m.Attachments[0].Filename != "PGP_Cmts_on_12-14-01_Pkg.txt" || string(m.Attachments[0].Data) != "Hello Zammad" {
			t.Errorf("attachments %+v", m.Attachments)
		}
	})
	t.Run("mail071 spaces in address", func(t *testing.T) {
		m := parseCorpus(t, "zammad/mail071.box")
		if m.From.Email != "powerquadrantsystem@example.com" || len(m.Errors) == 0 {
			t.Errorf("from %+v errors %q", m.From, m.Errors)
		}
	})
}

func equalBounce(a, b Bounce) bool {
	return a.OriginalMessageID == b.OriginalMessageID && strings.Join(a.Recipients, ",") == strings.Join(b.Recipients, ",") &&
		a.Status == b.Status && a.Diagnostic == b.Diagnostic && a.Permanent == b.Permanent
}

// readYML reads the top-level scalar keys of a Zammad result file (plain,
// quoted and "|" block values); nested maps are skipped.
func readYML(t *testing.T, rel string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpusDir(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if l == "" || l[0] == ' ' || l[0] == '-' || !strings.Contains(l, ": ") {
			continue
		}
		k, v, _ := strings.Cut(l, ": ")
		switch {
		case v == "|":
			var b []string
			for i+1 < len(lines) && (strings.HasPrefix(lines[i+1], "  ") || lines[i+1] == "") {
				i++
				b = append(b, strings.TrimPrefix(lines[i], "  "))
			}
			v = strings.Join(b, "\n")
		case strings.HasPrefix(v, "'"):
			v = strings.ReplaceAll(strings.Trim(v, "'"), "''", "'")
		case strings.HasPrefix(v, `"`):
			continue // multi-line double-quoted scalars are not needed
		}
		out[k] = v
	}
	return out
}

// TestEnmimeExpected checks the enmime fixtures against enmime/EXPECTED.md.
func TestEnmimeExpected(t *testing.T) {
	warnings := map[string]string{ // file → a substring of the expected warning
		"bad-final-boundary.raw":      "Missing Boundary",
		"bad-header-wrap.raw":         "Malformed Header",
		"html-only-inline.raw":        "Plain Text from HTML",
		"missing-content-type2.raw":   "Missing Content-Type",
		"empty-header.raw":            "Missing Content-Type",
		"unk-encoding-part.raw":       "Content-Transfer-Encoding",
		"unk-charset-html-only.raw":   `"fakescii-7"`,
		"unk-charset-part.raw":        `"fakescii"`,
		"malformed-base64-attach.raw": "Malformed Base64",
		"incorrect-charset.raw":       "Character Set Declaration Mismatch",
		"bad-header-start.raw":        "malformed MIME header",
	}
	for file, want := range warnings {
		m := parseCorpus(t, "enmime/testdata/low-quality/"+file)
		if !strings.Contains(strings.Join(m.Errors, "\n"), want) {
			t.Errorf("%s: errors %q lack %q", file, m.Errors, want)
		}
	}
	if m := parseCorpus(t, "enmime/testdata/low-quality/missing-content-type.raw"); ws(m.Text) != "A plain text email" {
		t.Errorf("missing-content-type: text %q", m.Text)
	}
	if m := parseCorpus(t, "enmime/testdata/low-quality/bad-header-start.raw"); m.Subject != "plain text" || m.From.Email != "james@makita.skynet" {
		t.Errorf("bad-header-start: repaired header %q %+v", m.Subject, m.From)
	}

	dsns := map[string]struct {
		recipients []string
		status     string
		diag       string
		permanent  bool
		text       string
	}{
		"simple_dsn.raw":                     {[]string{"louisl@larry.slip.umd.edu"}, "4.0.0", "426 connection timed out", false, "[human-readable explanation goes here]"},
		"simple_dsn_with_html.raw":           {[]string{"louisl@larry.slip.umd.edu"}, "4.0.0", "426 connection timed out", false, "[human-readable explanation goes here]"},
		"multi_recipient_dsn.raw":            {[]string{"arathib@vnet.ibm.com", "wsnell@sdcc13.ucsd.edu"}, "5.0.0", "550 'arathib@vnet.IBM.COM' is not a registered gateway user", true, "[human-readable explanation goes here]"},
		"delayed_dsn.raw":                    {[]string{"thomas@de-montfort.ac.uk"}, "4.0.0", "", false, "[human-readable explanation goes here]"},
		"dsn_with_multipart_alternative.raw": {[]string{"non-existing@example.com"}, "5.1.10", "550 5.1.10 RESOLVER.ADR.RecipientNotFound", true, "[human-readable explanation goes here]"},
	}
	for file, w := range dsns {
		m := parseCorpus(t, "enmime/dsn/testdata/"+file)
		b := m.Bounce
		if m.Kind != KindBounce || b == nil {
			t.Errorf("%s: kind %q", file, m.Kind)
			continue
		}
		if strings.Join(b.Recipients, ",") != strings.Join(w.recipients, ",") || b.Status != w.status || b.Diagnostic != w.diag || b.Permanent != w.permanent {
			t.Errorf("%s: bounce %+v, want %+v", file, *b, w)
		}
		if ws(m.Text) != w.text {
			t.Errorf("%s: text %q", file, m.Text)
		}
	}

	mails := []struct {
		file  string
		check func(m *Message) bool
	}{
		{"html-mime-bad-charset-inline.raw", func(m *Message) bool { return ws(m.Text) == "Test of text section" }},
		{"non-mime-missing-charset.raw", func(m *Message) bool { return strings.Contains(m.HTML, "\u20ac") && !strings.Contains(m.HTML, "\x80") }},
		{"qp-utf8-header.raw", func(m *Message) bool { return m.Subject == "MIME UTF8 Test \u00a2 More Text" }},
		{"mime-bad-content-transfer-encoding.raw", func(m *Message) bool { return strings.Contains(strings.Join(m.Errors, " "), "[E] Malformed Base64") }},
		{"malformed-multiple-address-header-values.raw", func(m *Message) bool { return m.From.Email == "bob@extern" }},
		{"mime-bad-8bit-filename.raw", func(m *Message) bool {
			return ws(m.Text) == "Text part" && len(m.Attachments) == 1 && m.Attachments[0].Filename == "管理.doc"
		}},
		{"mime-unquoted-tspecials-param.raw", func(m *Message) bool {
			return len(m.Attachments) == 1 && m.Attachments[0].Filename == "Invoice_(302232133150612).pdf"
		}},
		{"multipart-wo-boundary.raw", func(m *Message) bool { return strings.Contains(m.Text, "I'm  multipart message without boundary") }},
		{"other-multi-related.raw", func(m *Message) bool {
			// enmime's "no attachments" counts env.Attachments; the two
			// multipart/related images (with Content-IDs) are enmime "other
			// parts". The HTML does not refer to them, so they are listed as
			// attachments (Inline false) rather than hidden.
			if len(m.Attachments) != 2 {
				return false
			}
			for _, a := range m.Attachments {
				if a.Inline || a.ContentID == "" {
					return false
				}
			}
			return strings.Contains(m.Text, "Plain text.") && strings.Contains(m.HTML, "<i>HTML text.</i>")
		}},
		{"ctype-bug.raw", func(m *Message) bool {
			return m.Subject == "Welcome to Papertrail" && m.From == Address{Name: "Papertrail", Email: "support@papertrailapp.com"} && m.Kind == KindNormal
		}},
	}
	for _, c := range mails {
		if m := parseCorpus(t, "enmime/testdata/mail/"+c.file); !c.check(m) {
			t.Errorf("%s: unexpected %+v", c.file, summarize(m))
		}
	}
}
