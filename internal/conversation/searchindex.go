package conversation

import (
	"context"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/search"
)

// The conversation service indexes what it writes in the same transaction
// (internal/search): a conversation's subject, each reply and note, and
// the filter columns (inbox, team, assignee, status) of all of a
// conversation's documents when they change.

func searchFilters(c *Conversation) search.ConversationFilters {
	return search.ConversationFilters{InboxID: c.InboxID, TeamID: c.TeamIDOr0(), AssigneeID: c.AssigneeIDOr0(), Status: c.Status}
}

// indexConversationTx indexes conv's subject.
func (s *Service) indexConversationTx(ctx context.Context, tx *db.Tx, c *Conversation) error {
	return s.search.IndexTx(ctx, tx, search.ConversationDoc(c.ID, c.Subject, c.Language, searchFilters(c), db.Ms(c.CreatedAt)))
}

// indexMessageTx indexes a reply or note of conv.
func (s *Service) indexMessageTx(ctx context.Context, tx *db.Tx, c *Conversation, m *Message) error {
	if m.Kind != KindReply && m.Kind != KindNote {
		return nil
	}
	return s.search.IndexTx(ctx, tx, search.MessageDoc(m.ID, c.ID, m.BodyText, c.Language, m.Kind == KindNote, searchFilters(c),
		db.Ms(m.CreatedAt)))
}

// reindexFiltersTx updates the filter columns of conv's documents.
func (s *Service) reindexFiltersTx(ctx context.Context, tx *db.Tx, c *Conversation) error {
	return s.search.UpdateConversationTx(ctx, tx, c.ID, searchFilters(c))
}
