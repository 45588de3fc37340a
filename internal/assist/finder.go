package assist

import (
	"context"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/search"
)

// SearchFinder finds articles with the search service (internal/search):
// as principal p (nil: the public, published public articles only).
type SearchFinder struct{ Search *search.Service }

// FindArticles implements ArticleFinder. Errors: the search service's.
func (f SearchFinder) FindArticles(ctx context.Context, p *auth.Principal, text, lang string, publicOnly bool, limit int) ([]ArticleHit, error) {
	res, err := f.Search.Search(ctx, search.Query{Text: search.CutQuery(text), Types: []string{search.KindArticle}, PublicOnly: publicOnly,
		Principal: p, Language: lang, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]ArticleHit, 0, len(res.Hits))
	for _, h := range res.Hits {
		out = append(out, ArticleHit{ID: h.ID, Title: h.Title, Snippet: search.PlainSnippet(h.Snippet), Language: h.Language})
	}
	return out, nil
}
