package httpapi

import (
	"net/http"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/notification"
)

type notificationList struct {
	Items       []notification.Notification `json:"data"`
	UnreadCount int                         `json:"unread_count"`
}

// listNotifications answers the caller's notifications, newest first, and
// how many are unread.
func (a *API) listNotifications(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if err := checkQuery(r, "unread", "limit"); err != nil {
		return err
	}
	unread := false
	switch v := r.URL.Query().Get("unread"); v {
	case "", "false":
	case "true":
		unread = true
	default:
		return errs.Invalid("unread", "invalid", "unread is true or false")
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	items, err := a.svc.Notifications.List(r.Context(), p.AgentID, unread, int(limit))
	if err != nil {
		return err
	}
	n, err := a.svc.Notifications.UnreadCount(r.Context(), p.AgentID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, notificationList{Items: items, UnreadCount: n})
	return nil
}

type markReadRequest struct {
	IDs []int64 `json:"ids"`
	All bool    `json:"all"`
}

// markNotificationsRead marks the caller's notifications read: the listed
// ids, or all of them.
func (a *API) markNotificationsRead(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in markReadRequest
	if err := decodeJSON(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	if _, err := a.svc.Notifications.MarkRead(r.Context(), p.AgentID, in.IDs, in.All); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
