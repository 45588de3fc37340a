package inbox

import (
	"context"
	"fmt"
)

// IMAPServer is an email inbox's IMAP server with its password decrypted,
// for the IMAP poller. TLS is "tls" (default), "starttls" or "none"; Port
// defaults by TLS mode (993, else 143); Folder defaults to "INBOX".
// Processed says what happens to a mail once ingested: "seen" (default:
// set \Seen), "flag" (set \Seen and \Flagged) or "move:<folder>".
type IMAPServer struct {
	Host      string
	Port      int
	TLS       string
	Username  string
	Password  string
	Folder    string
	Processed string
}

// IMAP returns the IMAP server of inbox id, ok false when its settings name
// none. Errors: errs.ErrNotFound, *errs.ValidationError when the stored
// password cannot be decrypted.
func (s *Service) IMAP(ctx context.Context, id int64) (IMAPServer, bool, error) {
	b, err := s.getRaw(ctx, s.db.R(), id)
	if err != nil {
		return IMAPServer{}, false, err
	}
	m, ok := b.Settings[settingsIMAP].(map[string]any)
	if !ok || b.Channel != ChannelEmail {
		return IMAPServer{}, false, nil
	}
	srv, err := s.mailServer(settingsIMAP, m)
	if err != nil {
		return IMAPServer{}, false, fmt.Errorf("inbox %d: %w", id, err)
	}
	out := IMAPServer{Host: srv.host, Port: srv.port, TLS: srv.tls, Username: srv.username, Password: srv.password,
		Folder: srv.folder}
	out.Processed, _ = m["processed"].(string)
	if out.Folder == "" {
		out.Folder = "INBOX"
	}
	return out, true, nil
}
