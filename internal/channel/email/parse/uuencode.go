package parse

import (
	"bufio"
	"bytes"
	"strings"

	"github.com/jhillyerd/enmime/v2"
)

// uudecodeParts decodes parts sent with Content-Transfer-Encoding
// x-uuencode (or uuencode), which enmime leaves encoded: each
// "begin <mode> <name>" … "end" block becomes the attachment's data.
func uudecodeParts(env *enmime.Envelope, m *Message) {
	walk(env.Root, func(p *enmime.Part) {
		if p.Header == nil {
			return
		}
		cte := strings.ToLower(strings.TrimSpace(p.Header.Get("Content-Transfer-Encoding")))
		if cte != "x-uuencode" && cte != "uuencode" && cte != "x-uue" {
			return
		}
		name, data, ok := uudecode(p.Content)
		if !ok {
			return
		}
		for i := range m.Attachments {
			a := &m.Attachments[i]
			if bytes.Equal(a.Data, p.Content) {
				a.Data = data
				if a.Filename == "" {
					a.Filename = name
				}
				return
			}
		}
		m.Attachments = append(m.Attachments, Part{Filename: name, ContentType: "application/octet-stream", Data: data})
	})
}

// uudecode decodes the first begin/end block of uuencoded data, or the
// data lines alone when there is no begin line.
func uudecode(src []byte) (name string, out []byte, ok bool) {
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	inBlock := false
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if !inBlock {
			if strings.TrimSpace(line) == "" {
				continue
			}
			inBlock = true
			if f := strings.Fields(line); len(f) >= 3 && f[0] == "begin" {
				name = strings.Join(f[2:], " ")
				continue
			}
			// Some mailers (Eudora) send the data lines without "begin".
		}
		if line == "end" {
			return name, out, true
		}
		if line == "" || line == "`" {
			continue
		}
		n := int((line[0] - ' ') & 0x3f)
		if n == 0 {
			continue
		}
		b := make([]byte, 0, (len(line)-1)*3/4+3)
		for i := 1; i+3 < len(line)+3; i += 4 {
			var c [4]byte
			for k := 0; k < 4; k++ {
				if i+k < len(line) {
					c[k] = (line[i+k] - ' ') & 0x3f
				}
			}
			b = append(b, c[0]<<2|c[1]>>4, c[1]<<4|c[2]>>2, c[2]<<6|c[3])
		}
		if n > len(b) {
			n = len(b)
		}
		out = append(out, b[:n]...)
	}
	return name, out, inBlock
}
