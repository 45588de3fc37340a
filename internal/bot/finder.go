package bot

import (
	"context"

	"github.com/kesherdesk/kesher/internal/search"
)

// SearchFinder finds the bot's articles with the search service:
// published, public articles (search.Query PublicOnly, no Principal) in the
// question's language, best first.
type SearchFinder struct{ Search *search.Service }

// Find implements Finder. The question is cut to search.MaxQueryRunes
// characters. Errors: the search service's.
func (f SearchFinder) Find(ctx context.Context, question, lang string, limit int) ([]Candidate, error) {
	res, err := f.Search.Search(ctx, search.Query{Text: search.CutQuery(question), Types: []string{search.KindArticle}, PublicOnly: true,
		Language: lang, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]Candidate, 0, len(res.Hits))
	for _, h := range res.Hits {
		out = append(out, Candidate{ID: h.ID, Title: h.Title, Snippet: search.PlainSnippet(h.Snippet), Language: h.Language,
			Confidence: h.Confidence})
	}
	return out, nil
}
