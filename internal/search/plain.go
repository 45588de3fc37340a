package search

import (
	"html"
	"strings"
)

// PlainSnippet turns a Hit's Snippet (escaped text with <mark> around the
// matched words) back into plain text, for places that show text, not HTML
// (the answer bot's article cards, agent assist).
func PlainSnippet(s string) string {
	return html.UnescapeString(strings.NewReplacer("<mark>", "", "</mark>", "").Replace(s))
}

// CutQuery cuts text to MaxQueryRunes characters, so that a long customer
// message can be used as a query.
func CutQuery(text string) string {
	if r := []rune(text); len(r) > MaxQueryRunes {
		return string(r[:MaxQueryRunes])
	}
	return text
}
