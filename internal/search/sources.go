package search

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/kesherdesk/kesher/internal/db"
)

// This file reads the indexed records from their own tables, for the
// paths that write them with SQL of their own (the historical importer)
// and for Reindex. The conversation and contact services index what they
// write directly (ConversationDoc, MessageDoc and IndexContactsTx).

// ConversationDoc is the document of a conversation (its subject) with its
// filter columns.
func ConversationDoc(id int64, subject, language string, f ConversationFilters, created int64) Doc {
	return Doc{Kind: KindConversation, ID: id, ConversationID: id, Language: language, Title: subject,
		InboxID: f.InboxID, TeamID: f.TeamID, AssigneeID: f.AssigneeID, Status: f.Status, Time: db.Time(created)}
}

// MessageDoc is the document of a message (its plain text); internal is
// true for an internal note.
func MessageDoc(id, conversationID int64, text, language string, internal bool, f ConversationFilters, created int64) Doc {
	return Doc{Kind: KindMessage, ID: id, ConversationID: conversationID, Language: language, Body: text, Internal: internal,
		InboxID: f.InboxID, TeamID: f.TeamID, AssigneeID: f.AssigneeID, Status: f.Status, Time: db.Time(created)}
}

// conversationDocs reads the documents of the conversations with these
// ids and of their replies and notes (not timeline events).
func conversationDocs(ctx context.Context, q db.Querier, ids []int64) ([]Doc, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := q.Query(ctx, `SELECT id, subject, language, inbox_id, COALESCE(team_id, 0), COALESCE(assignee_id, 0), status, created_at
		FROM conversations WHERE id IN (`+db.Placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("search: read conversations: %w", err)
	}
	var docs []Doc
	conv := map[int64]Doc{}
	for rows.Next() {
		var id, created int64
		var subject, lang string
		var f ConversationFilters
		if err := rows.Scan(&id, &subject, &lang, &f.InboxID, &f.TeamID, &f.AssigneeID, &f.Status, &created); err != nil {
			rows.Close()
			return nil, err
		}
		d := ConversationDoc(id, subject, lang, f, created)
		conv[id] = d
		docs = append(docs, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.Query(ctx, `SELECT id, conversation_id, kind, body_text, created_at FROM messages
		WHERE conversation_id IN (`+db.Placeholders(len(ids))+`) AND kind IN ('reply', 'note') ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("search: read messages: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, cid, created int64
		var kind string
		var text sql.NullString
		if err := rows.Scan(&id, &cid, &kind, &text, &created); err != nil {
			return nil, err
		}
		c := conv[cid]
		docs = append(docs, MessageDoc(id, cid, text.String, c.Language, kind == "note",
			ConversationFilters{InboxID: c.InboxID, TeamID: c.TeamID, AssigneeID: c.AssigneeID, Status: c.Status}, created))
	}
	return docs, rows.Err()
}

// IndexConversationsTx (re)indexes the conversations with these ids and
// their replies and notes from the tables, inside tx (the importer, which
// writes them with its own SQL). Errors: database errors.
func (s *Service) IndexConversationsTx(ctx context.Context, tx *db.Tx, ids ...int64) error {
	docs, err := conversationDocs(ctx, tx, ids)
	if err != nil {
		return err
	}
	return s.IndexTx(ctx, tx, docs...)
}

// contactDocs reads the documents of the contacts with these ids (name in
// the title; emails, phones and organization in the body) and the ids of
// those that were merged into another (to remove).
func contactDocs(ctx context.Context, q db.Querier, ids []int64) ([]Doc, []int64, error) {
	if len(ids) == 0 {
		return nil, nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := q.Query(ctx, `SELECT c.id, c.name, c.language, c.merged_into_id IS NOT NULL, COALESCE(o.name, ''), c.created_at
		FROM contacts c LEFT JOIN organizations o ON o.id = c.organization_id WHERE c.id IN (`+db.Placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("search: read contacts: %w", err)
	}
	var docs []Doc
	var gone []int64
	body := map[int64][]string{}
	for rows.Next() {
		var id, created int64
		var name, lang, org string
		var merged bool
		if err := rows.Scan(&id, &name, &lang, &merged, &org, &created); err != nil {
			rows.Close()
			return nil, nil, err
		}
		if merged {
			gone = append(gone, id)
			continue
		}
		docs = append(docs, Doc{Kind: KindContact, ID: id, Language: lang, Title: name, Time: db.Time(created)})
		if org != "" {
			body[id] = append(body[id], org)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows, err = q.Query(ctx, `SELECT contact_id, value FROM contact_identities WHERE contact_id IN (`+db.Placeholders(len(ids))+`)
		AND kind IN ('email', 'phone') ORDER BY contact_id, kind, position`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("search: read identities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var v string
		if err := rows.Scan(&id, &v); err != nil {
			return nil, nil, err
		}
		body[id] = append(body[id], v)
	}
	for i := range docs {
		docs[i].Body = strings.Join(body[docs[i].ID], "\n")
	}
	return docs, gone, rows.Err()
}

// IndexContactsTx (re)indexes the contacts with these ids from the tables,
// inside tx, and removes those merged into another contact (contact
// create, update and merge call it). Errors: database errors.
func (s *Service) IndexContactsTx(ctx context.Context, tx *db.Tx, ids ...int64) error {
	docs, gone, err := contactDocs(ctx, tx, ids)
	if err != nil {
		return err
	}
	if err := s.IndexTx(ctx, tx, docs...); err != nil {
		return err
	}
	return s.DeleteTx(ctx, tx, KindContact, gone...)
}
