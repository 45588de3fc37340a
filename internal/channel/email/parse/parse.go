// Package parse turns a raw RFC 5322 message into what the email channel
// needs: addresses, threading headers, text and HTML bodies (any charset,
// decoded to UTF-8), attachments and inline parts, and a classification for
// loop and noise protection (auto-replies, bulk mail, bounces). MIME work is
// done by github.com/jhillyerd/enmime/v2; this package adds the help-desk
// rules on top. It never panics on input: a message that cannot be parsed at
// all gives an error, one that parses with problems lists them in Errors.
//
// On top of enmime it adds: a lenient retry for unreadable headers and part
// headers, raw 8-bit headers decoded (windows-1255 and others), RFC 2231
// file names in any charset, x-uuencode parts, forwarded message/rfc822
// parts parsed into Part.Embedded, NewText (the reply without quoted
// history and signature), Kind (auto-reply per RFC 3834 and common headers
// and subjects, bulk, bounce per RFC 3464 and common non-standard bounces)
// and the subject helpers NormalizeSubject, SubjectTag and
// FormatSubjectTag. TNEF (winmail.dat) is kept as an ordinary attachment:
// no maintained Go TNEF library is available.
package parse

import (
	"bytes"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2"
)

// Address is a mailbox: the display name decoded from RFC 2047 encoded
// words (Hebrew names kept as written) and the address as given, trimmed.
type Address struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email"`
}

// Part is an attachment or an inline part (an image referenced by cid:).
// ContentID is without angle brackets; Filename is decoded (RFC 2047 / RFC
// 2231) and may be empty for inline parts. Inline is true only when the
// HTML body refers to the part by "cid:<ContentID>"; every other part,
// whatever its Content-Disposition, is to be listed as an attachment.
type Part struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	ContentID   string `json:"content_id,omitempty"`
	Inline      bool   `json:"inline"`
	Data        []byte `json:"-"`
	// Embedded is the parsed content of a message/rfc822 part (a forwarded
	// or returned mail), nil for other parts or when it could not be read.
	Embedded *Message `json:"-"`
}

// Kinds of message for loop and noise protection.
const (
	KindNormal    = ""           // written by a person
	KindAutoReply = "auto_reply" // out of office, vacation, autoresponder (RFC 3834 and common headers)
	KindBulk      = "bulk"       // Precedence bulk/junk/list, List-Id, newsletters
	KindBounce    = "bounce"     // delivery status notification (RFC 3464) or a common non-standard bounce
)

// Bounce describes a delivery failure report. OriginalMessageID is the
// Message-ID of the returned message (without angle brackets) when found.
type Bounce struct {
	OriginalMessageID string   `json:"original_message_id,omitempty"`
	Recipients        []string `json:"recipients,omitempty"`
	Status            string   `json:"status,omitempty"` // e.g. "5.1.1"
	Diagnostic        string   `json:"diagnostic,omitempty"`
	// Permanent is true for a failure: in an RFC 3464 report, a recipient
	// with "Action: failed" and a status that is not 4.x.x; in a
	// non-standard bounce, unless its status is 4.x.x or it says the
	// delivery is delayed. It is false for delays ("Action: delayed") and
	// temporary failures (4.x.x). Recipients are the failed addresses (all
	// addresses of the report when none failed); Status
	// and Diagnostic (without its "smtp;" type) are those of the first
	// failed recipient, else of the first one.
	Permanent bool `json:"permanent"`
}

// Message is a parsed mail. Message-IDs are without angle brackets. Date is
// UTC (zero when missing or unreadable). Text is the plain-text body (from
// the text part, or derived from the HTML), UTF-8 with "\n" line ends; HTML
// is the HTML body as sent — NOT sanitized: callers must sanitize it before
// showing it. NewText is Text without quoted history and signature.
type Message struct {
	MessageID   string    `json:"message_id"`
	InReplyTo   []string  `json:"in_reply_to"`
	References  []string  `json:"references"`
	Subject     string    `json:"subject"`
	From        Address   `json:"from"`
	ReplyTo     []Address `json:"reply_to"`
	To          []Address `json:"to"`
	Cc          []Address `json:"cc"`
	Date        time.Time `json:"date"`
	Text        string    `json:"text"`
	HTML        string    `json:"html"`
	NewText     string    `json:"new_text"`
	Attachments []Part    `json:"attachments"`
	// Kind classifies the message (KindNormal, KindAutoReply, KindBulk,
	// KindBounce); KindReason says which header or subject decided it.
	Kind       string  `json:"kind"`
	KindReason string  `json:"kind_reason,omitempty"`
	Bounce     *Bounce `json:"bounce,omitempty"`
	// Header gives access to any other header (first value, decoded).
	Header func(name string) string `json:"-"`
	// Errors lists problems met while parsing (broken MIME structure,
	// unknown charset, malformed header); the message is still usable.
	Errors []string `json:"errors"`
}

// Parse parses raw. It returns an error only when the input is not a mail
// at all (no header could be read); it recovers from panics in the MIME
// library and reports them as errors, so the caller can keep the raw
// message and flag it.
func Parse(raw []byte) (m *Message, err error) {
	return parse(raw, 0)
}

// maxDepth bounds the parsing of nested message/rfc822 parts.
const maxDepth = 3

// Parsers are shared and read-only: enmime.Parser holds only options. The
// lenient one skips parts whose headers cannot be read; it is tried when the
// first fails.
var (
	parser        = enmime.NewParser(enmime.MultipartWOBoundaryAsSinglePart(true))
	utf8Parser    = enmime.NewParser(enmime.MultipartWOBoundaryAsSinglePart(true), enmime.DisableCharacterDetection(true))
	lenientParser = enmime.NewParser(enmime.MultipartWOBoundaryAsSinglePart(true), enmime.SkipMalformedParts(true))
)

// readEnvelope tries the normal parser, then the lenient one, then both
// again on raw with a repaired header block (leading blank or indented
// lines and lines that are not "Name: value" or continuations dropped).
// notes lists what was done, for Message.Errors.
func readEnvelope(raw []byte) (env *enmime.Envelope, notes []string, err error) {
	// Fast path: charset detection (chardet) costs most of the parse of a
	// typical mail. Every text part that declares UTF-8 and holds valid
	// UTF-8 is read as declared; any other case parses again with
	// detection, exactly as before.
	if env, err := utf8Parser.ReadEnvelope(bytes.NewReader(raw)); err == nil && declaredUTF8(env) {
		return env, nil, nil
	}
	env, err = parser.ReadEnvelope(bytes.NewReader(raw))
	if err == nil {
		return env, nil, nil
	}
	notes = append(notes, "strict parse failed: "+err.Error())
	if env, err2 := lenientParser.ReadEnvelope(bytes.NewReader(raw)); err2 == nil {
		return env, append(notes, "malformed parts skipped"), nil
	}
	fixed := repairHeader(raw)
	if env, err2 := lenientParser.ReadEnvelope(bytes.NewReader(fixed)); err2 == nil {
		return env, append(notes, "header block repaired"), nil
	}
	return nil, notes, err
}

// declaredUTF8 tells whether every text part of env that declares a
// charset declares UTF-8 and decoded to valid UTF-8 without charset
// warnings, so the parse without charset detection is what detection would
// have given.
func declaredUTF8(env *enmime.Envelope) bool {
	ok := true
	walk(env.Root, func(p *enmime.Part) {
		if !ok || !strings.HasPrefix(p.ContentType, "text/") {
			return
		}
		cs := strings.ToLower(p.Charset)
		if cs == "" {
			return // detected as before: the option only skips detection for declared charsets
		}
		if cs != "utf-8" || !utf8.Valid(p.Content) {
			ok = false
		}
	})
	return ok && len(env.Errors) == 0
}

// repairHeader drops what makes a header block unreadable: leading blank
// or whitespace-indented lines and lines with no colon.
func repairHeader(raw []byte) []byte {
	var out bytes.Buffer
	rest := raw
	started := false
	for len(rest) > 0 {
		i := bytes.IndexByte(rest, '\n')
		line := rest
		if i >= 0 {
			line, rest = rest[:i+1], rest[i+1:]
		} else {
			rest = nil
		}
		t := bytes.TrimRight(line, "\r\n")
		if !started {
			t = bytes.TrimLeft(t, " \t")
			if len(t) == 0 {
				continue
			}
			started = true
		}
		if len(t) == 0 {
			out.WriteString("\r\n")
			out.Write(rest)
			return out.Bytes()
		}
		if t[0] != ' ' && t[0] != '\t' && bytes.IndexByte(t, ':') <= 0 {
			continue
		}
		out.Write(t)
		out.WriteString("\r\n")
	}
	return out.Bytes()
}

func parse(raw []byte, depth int) (m *Message, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("parse: MIME library panic: %v", r)
		}
	}()
	env, notes, err := readEnvelope(raw)
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	m = &Message{
		MessageID:   trimID(env.GetHeader("Message-ID")),
		InReplyTo:   ids(env.GetHeader("In-Reply-To")),
		References:  ids(env.GetHeader("References")),
		Subject:     strings.Join(strings.Fields(env.GetHeader("Subject")), " "),
		Text:        strings.TrimPrefix(normalizeNewlines(joinTextParts(env)), "\uFEFF"),
		HTML:        strings.TrimPrefix(env.HTML, "\uFEFF"),
		Header:      env.GetHeader,
		Errors:      []string{},
		Attachments: []Part{},
	}
	if list, err := env.AddressList("From"); err == nil && len(list) > 0 {
		m.From = address(list[0])
	} else if from := strings.TrimSpace(env.GetHeader("From")); from != "" {
		m.From = lenientAddress(from)
		m.Errors = append(m.Errors, "From: unreadable address")
	}
	m.ReplyTo = addressList(env, "Reply-To")
	m.To = addressList(env, "To")
	m.Cc = addressList(env, "Cc")
	if d, err := mail.ParseDate(env.GetHeader("Date")); err == nil {
		m.Date = d.UTC()
	}
	for _, group := range [][]*enmime.Part{env.Inlines, env.Attachments, env.OtherParts} {
		for _, p := range group {
			if len(p.Content) == 0 && p.FileName == "" && p.ContentID == "" {
				continue // an empty unnamed part (broken structure) is noise
			}
			a := attachment(p, depth)
			a.Inline = a.ContentID != "" && referencesCID(env.HTML, a.ContentID)
			m.Attachments = append(m.Attachments, a)
		}
	}
	m.Errors = append(m.Errors, notes...)
	for _, e := range env.Errors {
		m.Errors = append(m.Errors, e.Error())
	}
	if env.Root != nil && env.Root.Header != nil {
		rawHeader8bit(env, m)
	}
	uudecodeParts(env, m)
	bodyFromUnparsedPart(m)
	classify(env, m)
	m.NewText = NewText(m.Text)
	return m, nil
}

// attachment converts an enmime part; a message/rfc822 part is named after
// its subject ("<subject>.eml") when it has no file name, and parsed into
// Embedded; a delivery-status part is named after its Content-Description
// ("Delivery report.txt").
func attachment(p *enmime.Part, depth int) Part {
	a := Part{Filename: strings.TrimSpace(p.FileName), ContentType: strings.ToLower(p.ContentType),
		ContentID: strings.Trim(p.ContentID, "<> "), Inline: p.Disposition == "inline" || p.ContentID != "", Data: p.Content}
	if a.ContentType == "" {
		a.ContentType = "application/octet-stream"
	}
	if (a.Filename == "" || strings.ContainsRune(a.Filename, utf8.RuneError)) && p.Header != nil {
		for _, h := range []string{"Content-Disposition", "Content-Type"} {
			if n := rfc2231Name(p.Header.Get(h)); n != "" {
				a.Filename = n
				break
			}
		}
	}
	switch a.ContentType {
	case "message/rfc822", "message/global":
		if depth < maxDepth {
			if em, err := parse(p.Content, depth+1); err == nil {
				a.Embedded = em
				if a.Filename == "" && em.Subject != "" {
					a.Filename = safeName(em.Subject) + ".eml"
				}
			}
		}
		if a.Filename == "" {
			a.Filename = "message.eml"
		}
		a.Inline = false
	case "message/delivery-status", "message/global-delivery-status":
		if a.Filename == "" && p.Header != nil {
			if d := safeName(p.Header.Get("Content-Description")); d != "" {
				a.Filename = d + ".txt" // Postfix: "Delivery report"
			}
		}
		if a.Filename == "" {
			a.Filename = "delivery-status.txt"
		}
	case "text/rfc822-headers":
		if a.Filename == "" {
			a.Filename = "original-headers.txt"
		}
	}
	return a
}

// referencesCID reports whether html refers to the part with Content-ID
// id ("cid:" URL, RFC 2392; the scheme in any case).
func referencesCID(html, id string) bool {
	if html == "" {
		return false
	}
	lower := strings.ToLower(html)
	return strings.Contains(lower, "cid:"+strings.ToLower(id)) || strings.Contains(lower, "cid:"+strings.ToLower(url.PathEscape(id)))
}

// joinTextParts returns the plain-text body. For a multipart/mixed (or
// related) message enmime joins every text/plain part that is not an
// attachment with "\n--\n", which reads as a signature delimiter and
// includes inline text files; here the body parts without a file name are
// joined with a blank line (Apple Mail splits text around inline images),
// and named inline text files stay attachments only.
func joinTextParts(env *enmime.Envelope) string {
	if env.Root == nil || !strings.Contains(env.Text, "\n--\n") {
		return env.Text
	}
	var parts []string
	walk(env.Root.FirstChild, func(p *enmime.Part) {
		if p.ContentType == "text/plain" && p.Disposition != "attachment" && p.FileName == "" {
			parts = append(parts, strings.TrimRight(string(p.Content), "\r\n"))
		}
	})
	if len(parts) == 0 {
		return env.Text
	}
	return strings.Join(parts, "\n\n") + "\n"
}

// bodyFromUnparsedPart gives a message with no text and no HTML the
// content of its first unnamed text or multipart part (a multipart without
// boundary is read as one part) as its text, and drops that part from the
// attachments.
func bodyFromUnparsedPart(m *Message) {
	if strings.TrimSpace(m.Text) != "" || strings.TrimSpace(m.HTML) != "" {
		return
	}
	for i, a := range m.Attachments {
		if a.Filename == "" && (strings.HasPrefix(a.ContentType, "multipart/") || strings.HasPrefix(a.ContentType, "text/plain")) {
			m.Text = normalizeNewlines(strings.ToValidUTF8(string(a.Data), "\uFFFD"))
			m.Attachments = append(m.Attachments[:i], m.Attachments[i+1:]...)
			m.Errors = append(m.Errors, "text taken from an unparsed "+a.ContentType+" part")
			return
		}
	}
}

// safeName makes a subject usable as a file name: path separators and
// control characters become "_", and it is cut to 100 runes.
func safeName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == '/' || r == '\\' || r == 0x7f {
			return '_'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 100 {
		s = string(r[:100])
	}
	return strings.TrimSpace(s)
}

// lenientAddress reads an address that net/mail refused (spaces inside
// the address, missing brackets): the part in <…> or the last word with an
// "@", spaces removed.
func lenientAddress(s string) Address {
	a := Address{}
	if i, j := strings.LastIndexByte(s, '<'), strings.LastIndexByte(s, '>'); i >= 0 && j > i {
		a.Email = strings.ReplaceAll(s[i+1:j], " ", "")
		a.Name = strings.Trim(strings.TrimSpace(s[:i]), `"`)
		return a
	}
	for _, f := range strings.Fields(s) {
		if strings.Contains(f, "@") {
			a.Email = strings.Trim(f, "<>,;\"")
		}
	}
	if a.Email == "" {
		a.Email = strings.TrimSpace(s)
	}
	return a
}

func address(a *mail.Address) Address {
	return Address{Name: strings.TrimSpace(a.Name), Email: strings.TrimSpace(a.Address)}
}

func addressList(env *enmime.Envelope, header string) []Address {
	list, err := env.AddressList(header)
	out := []Address{}
	if err != nil {
		return out
	}
	for _, a := range list {
		out = append(out, address(a))
	}
	return out
}

// trimID returns a Message-ID without angle brackets and spaces.
func trimID(s string) string { return strings.Trim(strings.TrimSpace(s), "<>") }

// ids splits a References or In-Reply-To header into Message-IDs.
func ids(s string) []string {
	out := []string{}
	for _, f := range strings.Fields(strings.NewReplacer(">", "> ", ",", " ").Replace(s)) {
		if id := trimID(f); id != "" {
			out = append(out, id)
		}
	}
	return out
}

func normalizeNewlines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}
