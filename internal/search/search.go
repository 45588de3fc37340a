// Package search is Kesher's one search service: conversations and their
// messages, contacts and knowledge-base articles, on SQLite FTS5 and on
// PostgreSQL full text with the same results for the same data.
//
// Text is normalized in Go (package normalize) before it is indexed and
// before it is queried, the same way for both databases, so the databases
// only ever see already-folded words. Owners of the indexed records call
// IndexTx and DeleteTx inside the transaction that changes the record, so
// the index never disagrees with what was committed.
//
// This file is the contract other packages code against (kb, bot, assist,
// the help center and the HTTP API); see docs/knowledge.md.
package search

import (
	"sync/atomic"
	"time"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/db"
)

// Kinds of indexed documents.
const (
	KindConversation = "conversation" // a conversation's subject (ID = conversation id)
	KindMessage      = "message"      // a message's text (ID = message id, ConversationID set)
	KindContact      = "contact"      // a contact's name, email, phone, organization (ID = contact id)
	KindArticle      = "article"      // one language version of a knowledge-base article (ID = kb article id)
)

// Doc is one document to index. Title is boosted over Body in ranking.
// Text fields are raw (not normalized): the service normalizes them.
type Doc struct {
	Kind string
	ID   int64
	// ConversationID is the conversation of a message (and of a
	// conversation document, equal to ID); 0 otherwise.
	ConversationID int64
	// Language is "he", "en" or "" (unknown); it picks the English
	// stemmer for "en" and Hebrew prefix handling for "he" (both are
	// applied to mixed text by script, so "" is safe).
	Language string
	Title    string
	Body     string
	// Filters. InboxID, TeamID and AssigneeID (0: none) and Status
	// describe a conversation or message's conversation; Internal marks
	// an internal note or an internal-only article (never shown to
	// customers or in the public help center); Published is false for a
	// draft article (only found by agents).
	InboxID    int64
	TeamID     int64
	AssigneeID int64
	Status     string
	Internal   bool
	Published  bool
	// Time is the record's time (message sent, conversation created,
	// article updated), UTC; used for the "newest" order and date filters.
	Time time.Time
}

// Query is one search. Text is raw user input (at most MaxQueryRunes
// characters); the service normalizes it.
type Query struct {
	Text string
	// Types limits the kinds searched (empty: all kinds the caller may
	// see). "conversation" also finds conversations through their
	// messages' text.
	Types []string
	// Language limits articles to one language ("he", "en"; "" = any).
	Language string
	// PublicOnly limits to published, non-internal articles (the help
	// center, the widget and the answer bot's customer-facing answers).
	PublicOnly bool
	// Principal applies conversation visibility (auth.Principal's
	// CanSeeConversation) and the right to read contacts; nil means the
	// public (articles only, PublicOnly forced).
	Principal *auth.Principal
	InboxID   int64
	TeamID    int64
	Status    string
	From, To  time.Time // zero: unbounded; [From, To)
	// Limit is the number of hits wanted (1..100, default 20).
	Limit int
}

// MaxQueryRunes is the longest query text accepted, in characters.
const MaxQueryRunes = 500

// Hit is one result. Snippet is HTML-safe text with the matched words
// wrapped in <mark>…</mark> (everything else escaped). Score is the
// relevance (higher is better; BM25-based, title-boosted), comparable
// only within one result set; Confidence (0..1) is a normalized estimate
// that all query words were found, for the answer bot's threshold: the
// idf-weighted share of the query's words the document holds (a word
// found only through a Hebrew prefix variant counts 0.6; see Search).
type Hit struct {
	Kind           string    `json:"type"`
	ID             int64     `json:"id"`
	ConversationID int64     `json:"conversation_id,omitempty"`
	Title          string    `json:"title"`
	Snippet        string    `json:"snippet"`
	Language       string    `json:"language,omitempty"`
	Time           time.Time `json:"time"`
	Score          float64   `json:"score"`
	Confidence     float64   `json:"confidence"`
}

// Result is the hits of a query, best first, and the number of matching
// documents (Total; TotalIsLowerBound when counting stopped early).
type Result struct {
	Hits              []Hit `json:"hits"`
	Total             int   `json:"total"`
	TotalIsLowerBound bool  `json:"total_is_lower_bound"`
}

// Service searches and indexes. Besides the database handle it holds a
// memo of analyzed words (bounded; see analyzer) and whether it has
// already logged a failed GIN merge. Safe for concurrent use.
type Service struct {
	db        *db.DB
	an        *analyzer
	ginWarned atomic.Bool
}

// New returns the search service on d. The indexing methods (IndexTx,
// DeleteTx, UpdateConversationTx, IndexContactsTx, …) use only the
// transaction they are given, so packages without a handle may index with
// New(nil); Search, Reindex and NeedsReindex need d.
func New(d *db.DB) *Service { return &Service{db: d, an: newAnalyzer()} }
