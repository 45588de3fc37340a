package parse

import (
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/htmlindex"
)

// param2231 matches an RFC 2231 extended parameter value: name*=, name*0=,
// name*0*= …, quoted or not.
var param2231 = regexp.MustCompile(`(?i)(?:^|;)\s*(filename|name)\*(\d+)?(\*)?\s*=\s*("[^"]*"|[^;\s]*)`)

// rfc2231Name decodes an RFC 2231 file name (filename*=charset'lang'%XX…,
// with continuations) from a Content-Disposition or Content-Type header
// value, in any charset the WHATWG index knows (Go's mime package only
// decodes UTF-8 and US-ASCII). It returns "" when there is none.
func rfc2231Name(header string) string {
	type seg struct {
		n       int
		encoded bool
		v       string
	}
	found := map[string][]seg{}
	for _, m := range param2231.FindAllStringSubmatch(header, -1) {
		key := strings.ToLower(m[1])
		n := 0
		if m[2] != "" {
			n, _ = strconv.Atoi(m[2])
		}
		// "name*=" (no number) is always encoded; "name*0*=" is encoded,
		// "name*0=" is not.
		encoded := m[2] == "" || m[3] != ""
		found[key] = append(found[key], seg{n, encoded, strings.Trim(m[4], `"`)})
	}
	segs := found["filename"]
	if len(segs) == 0 {
		segs = found["name"]
	}
	if len(segs) == 0 {
		return ""
	}
	sort.SliceStable(segs, func(i, j int) bool { return segs[i].n < segs[j].n })
	charset := "utf-8"
	var raw strings.Builder
	for i, s := range segs {
		v := s.v
		if i == 0 && s.encoded {
			if parts := strings.SplitN(v, "'", 3); len(parts) == 3 {
				if parts[0] != "" {
					charset = parts[0]
				}
				v = parts[2]
			}
		}
		if s.encoded {
			if d, err := url.PathUnescape(v); err == nil {
				v = d
			}
		}
		raw.WriteString(v)
	}
	enc, err := htmlindex.Get(charset)
	if err != nil {
		return strings.ToValidUTF8(raw.String(), "\uFFFD")
	}
	out, err := enc.NewDecoder().String(raw.String())
	if err != nil {
		return strings.ToValidUTF8(raw.String(), "\uFFFD")
	}
	return out
}
