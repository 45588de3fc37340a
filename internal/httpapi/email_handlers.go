package httpapi

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/channel/email"
	"github.com/kesherdesk/kesher/internal/errs"
)

// downloadRawMessage streams the original source of a message that came by
// email (also one that could not be read) as message/rfc822, always as a
// download. Visibility is the conversation's.
func (a *API) downloadRawMessage(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if a.svc.Email == nil {
		return errs.ErrNotFound
	}
	convID, err := a.svc.Conversations.MessageConversation(r.Context(), id)
	if err != nil {
		return err
	}
	c, err := a.svc.Conversations.Get(r.Context(), convID)
	if err != nil {
		return err
	}
	if !p.CanSeeConversation(c.TeamIDOr0(), c.AssigneeIDOr0()) {
		return errs.ErrForbidden
	}
	f, size, err := a.svc.Email.Raw(r.Context(), id)
	if err != nil {
		return err
	}
	defer f.Close()
	w.Header().Set("Content-Type", "message/rfc822")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="message-%d.eml"`, id))
	w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	_, err = io.Copy(w, f)
	return err
}

// ingestMail takes one raw mail (Content-Type message/rfc822, at most
// email.MaxRawBytes) for email inbox {id}, as if it had arrived by SMTP:
// for inbound-mail webhooks and scripts. 201 when the mail was added to a
// conversation (also as an unreadable message), 200 when it was a
// duplicate or ignored.
func (a *API) ingestMail(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if a.svc.Email == nil {
		return errs.ErrNotFound
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "message/rfc822" {
		return errs.Invalid("Content-Type", "unsupported", "send the raw mail as message/rfc822")
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, email.MaxRawBytes))
	if err != nil {
		return err
	}
	res, err := a.svc.Email.Ingest(r.Context(), id, raw, email.SourceAPI)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if res.Status == email.StatusParsed || res.Status == email.StatusFailed {
		status = http.StatusCreated
	}
	writeJSON(w, status, res)
	return nil
}
