// Package assist is agent assist (docs/knowledge.md "Agent assist"): while
// an agent views a conversation, the knowledge-base articles and canned
// responses most relevant to what the customer wrote, for one-click
// insertion into the reply.
package assist

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/canned"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/search/normalize"
)

// Limits of the suggestions.
const (
	MaxArticles = 5 // articles suggested
	MaxCanned   = 5 // canned responses suggested
	// ContextMessages is how many of the latest customer messages (with
	// the subject) make the context the suggestions are for.
	ContextMessages = 3
	// maxQueryTerms is the most distinct words sent to the search.
	maxQueryTerms = 12
	// snippetRunes is the length of a canned response's snippet.
	snippetRunes = 160
)

// Article is a suggested knowledge-base article. URL is the public help
// center page (/help/{lang}/a/{id}, under the base URL) for a public
// article, "" for an internal-only one (agents read it in the app; it is
// never linked to a customer).
type Article struct {
	ID       int64  `json:"id"`
	Title    string `json:"title"`
	Snippet  string `json:"snippet"`
	URL      string `json:"url"`
	Language string `json:"language"`
	Internal bool   `json:"internal"`
}

// Canned is a suggested canned response; Snippet is the start of its body
// (placeholders unfilled: insert it through the render endpoint).
type Canned struct {
	ID       int64  `json:"id"`
	Title    string `json:"title"`
	Snippet  string `json:"snippet"`
	Shortcut string `json:"shortcut"`
}

// Suggestions are the articles and canned responses for a conversation,
// best first.
type Suggestions struct {
	Articles []Article `json:"articles"`
	Canned   []Canned  `json:"canned"`
}

// ArticleHit is an article a finder found. Snippet is plain text.
type ArticleHit struct {
	ID       int64
	Title    string
	Snippet  string
	Language string
}

// ArticleFinder finds articles for query text in language lang, best
// first, at most limit: with publicOnly, only published public articles;
// otherwise every article principal p may read (internal-only ones
// included). SearchFinder is the production one.
type ArticleFinder interface {
	FindArticles(ctx context.Context, p *auth.Principal, text, lang string, publicOnly bool, limit int) ([]ArticleHit, error)
}

// Service builds suggestions. It holds no mutable state.
type Service struct {
	db      *db.DB
	canned  *canned.Service
	finder  ArticleFinder
	baseURL string
}

// New returns the assist service; article links start with baseURL ("" for
// relative /help/… links).
func New(d *db.DB, cannedSvc *canned.Service, finder ArticleFinder, baseURL string) *Service {
	return &Service{db: d, canned: cannedSvc, finder: finder, baseURL: strings.TrimRight(baseURL, "/")}
}

// Context returns the text suggestions are for: the conversation's subject
// and its ContextMessages latest customer replies, newest first.
func (s *Service) Context(ctx context.Context, c conversation.Conversation) (string, error) {
	rows, err := s.db.R().Query(ctx, `SELECT body_text FROM messages WHERE conversation_id = ? AND direction = ? AND kind = ?
		ORDER BY id DESC LIMIT ?`, c.ID, conversation.DirectionInbound, conversation.KindReply, ContextMessages)
	if err != nil {
		return "", fmt.Errorf("assist: read messages: %w", err)
	}
	defer rows.Close()
	parts := []string{c.Subject}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return "", err
		}
		parts = append(parts, t)
	}
	return strings.Join(parts, "\n"), rows.Err()
}

// For returns the suggestions for conversation c seen by principal p,
// whose canned responses are those of scope sc (canned visibility rules).
//
// Articles: the search service's ranking (BM25, title boosted) of the
// context's distinct meaningful words (at most 12: the subject's, then
// the newest message's, …)
// over the articles p may read in the conversation's language, internal
// ones included and marked; at most MaxArticles.
//
// Canned responses: those in sc in the conversation's language or for any
// language, ranked in Go: each distinct context word (normalize.Stems, so
// niqqud, final letters, prefixes and case do not matter) found among a
// response's title words scores 3, found among its body words 1; a
// response scoring 0 is left out; ties go to more words matched, then the
// title, then the id; at most MaxCanned.
// Errors: database and search errors.
func (s *Service) For(ctx context.Context, p *auth.Principal, sc canned.Scope, c conversation.Conversation) (Suggestions, error) {
	text, err := s.Context(ctx, c)
	if err != nil {
		return Suggestions{}, err
	}
	terms := distinct(normalize.Stems(text))
	out := Suggestions{Articles: []Article{}, Canned: []Canned{}}
	if len(terms) == 0 {
		return out, nil
	}
	lang := c.Language
	if lang != "he" && lang != "en" {
		lang = ""
	}
	if out.Articles, err = s.articles(ctx, p, text, lang); err != nil {
		return Suggestions{}, err
	}
	rs, err := s.canned.List(ctx, sc, canned.ListParams{Language: lang})
	if err != nil {
		return Suggestions{}, err
	}
	out.Canned = RankCanned(terms, rs, MaxCanned)
	return out, nil
}

// articles searches the articles p may read and marks those the public
// cannot find as internal.
func (s *Service) articles(ctx context.Context, p *auth.Principal, text, lang string) ([]Article, error) {
	words := distinct(normalize.Words(text))
	var q []string
	for _, w := range words {
		if t, ok := normalize.Token(w, nil); ok && t != "" && len(q) < maxQueryTerms {
			q = append(q, w)
		}
	}
	if len(q) == 0 {
		return []Article{}, nil
	}
	query := strings.Join(q, " ")
	all, err := s.finder.FindArticles(ctx, p, query, lang, false, MaxArticles)
	if err != nil {
		return nil, fmt.Errorf("assist: search articles: %w", err)
	}
	public, err := s.finder.FindArticles(ctx, nil, query, lang, true, 100)
	if err != nil {
		return nil, fmt.Errorf("assist: search public articles: %w", err)
	}
	isPublic := map[int64]bool{}
	for _, h := range public {
		isPublic[h.ID] = true
	}
	out := make([]Article, 0, len(all))
	for _, h := range all {
		a := Article{ID: h.ID, Title: h.Title, Snippet: h.Snippet, Language: h.Language, Internal: !isPublic[h.ID]}
		if !a.Internal {
			l := h.Language
			if l == "" {
				l = "he"
			}
			a.URL = fmt.Sprintf("%s/help/%s/a/%d", s.baseURL, l, h.ID)
		}
		out = append(out, a)
	}
	return out, nil
}

// RankCanned ranks responses rs against context terms (normalize.Stems,
// distinct) as described at For and returns the best limit.
func RankCanned(terms []string, rs []canned.Response, limit int) []Canned {
	type scored struct {
		r              canned.Response
		score, matched int
	}
	var ss []scored
	for _, r := range rs {
		title, body := set(normalize.Stems(r.Title)), set(normalize.Stems(r.Body))
		sc := scored{r: r}
		for _, t := range terms {
			hit := false
			if title[t] {
				sc.score += 3
				hit = true
			}
			if body[t] {
				sc.score++
				hit = true
			}
			if hit {
				sc.matched++
			}
		}
		if sc.score > 0 {
			ss = append(ss, sc)
		}
	}
	sort.SliceStable(ss, func(i, j int) bool {
		a, b := ss[i], ss[j]
		if a.score != b.score {
			return a.score > b.score
		}
		if a.matched != b.matched {
			return a.matched > b.matched
		}
		if a.r.Title != b.r.Title {
			return a.r.Title < b.r.Title
		}
		return a.r.ID < b.r.ID
	})
	out := []Canned{}
	for _, x := range ss[:min(limit, len(ss))] {
		out = append(out, Canned{ID: x.r.ID, Title: x.r.Title, Snippet: snippet(x.r.Body), Shortcut: x.r.Shortcut})
	}
	return out
}

func snippet(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= snippetRunes {
		return s
	}
	return string([]rune(s)[:snippetRunes]) + "…"
}

func set(ws []string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

func distinct(ws []string) []string {
	seen := map[string]bool{}
	out := ws[:0:0]
	for _, w := range ws {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}
