package kb

import (
	"bytes"
	"strings"
	"unicode"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Renderer turns article Markdown into sanitized HTML: CommonMark plus GFM
// (tables, strikethrough, autolinks, task lists) by goldmark, whose output
// then goes through bluemonday's UGC policy (no script, style, event
// handler attributes or javascript:/data: links; links get
// rel="nofollow noopener" and open in a new tab). Raw HTML inside the
// Markdown is dropped by goldmark and, were it kept, removed by bluemonday.
// A Renderer is safe for concurrent use.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// NewRenderer returns the article renderer.
func NewRenderer() *Renderer {
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("dir").Matching(bluemonday.Direction).Globally()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowURLSchemes("http", "https", "mailto", "tel")
	return &Renderer{md: goldmark.New(goldmark.WithExtensions(extension.GFM)), policy: p}
}

// HTML renders markdown (UTF-8) to sanitized HTML. Errors: none in
// practice (goldmark only fails on writer errors, and the writer is a
// buffer); an error renders as the escaped source.
func (r *Renderer) HTML(markdown string) string {
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(markdown), &buf); err != nil {
		return r.policy.Sanitize("<pre>" + markdown + "</pre>")
	}
	return r.policy.Sanitize(buf.String())
}

// maxSlugRunes is the longest slug, in characters.
const maxSlugRunes = 80

// Slugify derives a URL slug from s: letters (any script — Hebrew stays
// Hebrew) and digits lower-cased, every other run of characters one "-",
// no leading or trailing "-", at most maxSlugRunes characters. Empty when
// s has no letter or digit.
func Slugify(s string) string {
	var b strings.Builder
	dash, n := false, 0
	for _, r := range s {
		if n >= maxSlugRunes {
			break
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
				n++
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
			n++
			continue
		}
		if unicode.Is(unicode.Mn, r) { // niqqud and other combining marks
			continue
		}
		dash = true
	}
	return strings.Trim(b.String(), "-")
}
