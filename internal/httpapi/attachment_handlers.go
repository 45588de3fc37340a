package httpapi

import (
	"errors"
	"mime"
	"net/http"
	"strings"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/errs"
)

// uploadAttachment takes one multipart/form-data field "file" and returns
// the stored attachment (not yet linked to a message; pass its id in
// attachment_ids when posting the message).
func (a *API) uploadAttachment(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	r.Body = http.MaxBytesReader(w, r.Body, a.svc.Files.MaxSize+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return errs.Invalid("Content-Type", "unsupported", "send multipart/form-data with a field named file")
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return err
			}
			return errs.Invalid("file", "required", "no field named file in the form")
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		att, err := a.svc.Files.Save(r.Context(), p.AgentID, part.FileName(), part)
		part.Close()
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, att)
		return nil
	}
}

// downloadAttachment streams an attachment. It is always sent as a download
// (Content-Disposition: attachment) with nosniff and a sandboxing CSP, so a
// hostile file cannot run in Kesher's origin. Unlinked uploads are visible
// to their uploader only; linked ones follow the conversation's visibility.
func (a *API) downloadAttachment(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	att, err := a.svc.Files.Get(r.Context(), id)
	if err != nil {
		return err
	}
	if att.MessageID != nil {
		convID, err := a.svc.Conversations.MessageConversation(r.Context(), *att.MessageID)
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
	} else if p.Role != auth.RoleAdmin {
		var uploader int64
		_ = a.svc.DB.R().QueryRow(r.Context(), `SELECT COALESCE(uploader_id, 0) FROM attachments WHERE id = ?`, id).Scan(&uploader)
		if uploader != p.AgentID {
			return errs.ErrNotFound
		}
	}
	f, err := a.svc.Files.Open(r.Context(), att)
	if err != nil {
		return err
	}
	defer f.Close()
	disp := "attachment"
	if r.URL.Query().Get("inline") == "1" && strings.HasPrefix(att.ContentType, "image/") && att.ContentType != "image/svg+xml" {
		disp = "inline"
	}
	w.Header().Set("Content-Type", att.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": att.Filename}))
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	http.ServeContent(w, r, "", att.CreatedAt, f)
	return nil
}
