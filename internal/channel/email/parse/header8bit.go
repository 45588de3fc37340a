package parse

import (
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
)

// fallbackCharset guesses the charset of raw 8-bit header bytes (sent
// without RFC 2047 by old clients): the charset declared by the first text
// part when it is not UTF-8, else windows-1255 when most high bytes are
// Hebrew letters (0xE0–0xFA) in runs, else windows-1252.
func fallbackCharset(env *enmime.Envelope, s string) string {
	declared := ""
	walk(env.Root, func(p *enmime.Part) {
		if declared != "" || !strings.HasPrefix(p.ContentType, "text/") {
			return
		}
		cs := p.OrigCharset
		if cs == "" {
			cs = p.ContentTypeParams["charset"]
		}
		if cs != "" && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "us-ascii") {
			declared = cs
		}
	})
	if declared != "" {
		if _, err := htmlindex.Get(declared); err == nil {
			return declared
		}
	}
	high, hebrew, pairs := 0, 0, 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 {
			high++
			if c >= 0xE0 && c <= 0xFA {
				hebrew++
			}
			if i+1 < len(s) && s[i+1] >= 0x80 {
				pairs++
			}
		}
	}
	// Hebrew words are runs of high bytes; Latin accents stand alone.
	if high > 1 && hebrew*10 >= high*7 && pairs*2 >= high {
		return "windows-1255"
	}
	return "windows-1252"
}

// decode8bit converts s from the fallback charset when it is not valid
// UTF-8; valid UTF-8 is returned as is.
func decode8bit(env *enmime.Envelope, s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var out string
	var err error
	if enc, e := htmlindex.Get(fallbackCharset(env, s)); e == nil {
		out, err = enc.NewDecoder().String(s)
	} else {
		out, err = charmap.Windows1252.NewDecoder().String(s)
	}
	if err != nil {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	return out
}

// rawHeader8bit fixes subject and addresses whose header carries raw 8-bit
// bytes that are not UTF-8.
func rawHeader8bit(env *enmime.Envelope, m *Message) {
	if !utf8.ValidString(m.Subject) {
		m.Subject = decode8bit(env, m.Subject)
		m.Errors = append(m.Errors, "Subject: raw 8-bit bytes decoded as "+fallbackCharset(env, env.GetHeader("Subject")))
	}
	fix := func(header string) ([]Address, bool) {
		v := env.Root.Header.Get(header)
		if v == "" || utf8.ValidString(v) {
			return nil, false
		}
		list, err := mail.ParseAddressList(decode8bit(env, v))
		if err != nil {
			return nil, false
		}
		out := []Address{}
		for _, a := range list {
			out = append(out, address(a))
		}
		return out, true
	}
	if l, ok := fix("From"); ok && len(l) > 0 {
		m.From = l[0]
		m.Errors = removeString(m.Errors, "From: unreadable address")
	}
	if l, ok := fix("To"); ok {
		m.To = l
	}
	if l, ok := fix("Cc"); ok {
		m.Cc = l
	}
	if l, ok := fix("Reply-To"); ok {
		m.ReplyTo = l
	}
}

func removeString(list []string, s string) []string {
	out := list[:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}
