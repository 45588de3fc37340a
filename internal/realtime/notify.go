package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/notification"
)

// Notifications is what the hub needs from the notification service: one
// notification of one agent (errs.ErrNotFound when it is gone).
type Notifications interface {
	Get(ctx context.Context, agent, id int64) (notification.Notification, error)
}

// notificationFrame is {"type":"notification","notification":{…}}, sent
// only to the sockets of the notification's agent.
type notificationFrame struct {
	Type         string                    `json:"type"`
	Notification notification.Notification `json:"notification"`
}

// onNotification pushes a new notification to its agent's open sockets.
func (h *Hub) onNotification(ctx context.Context, e events.Event) error {
	if h.svc.Notifications == nil {
		return nil
	}
	var p struct {
		NotificationID int64 `json:"notification_id"`
		AgentID        int64 `json:"agent_id"`
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return fmt.Errorf("realtime: %s event %d: %w", e.Topic, e.ID, err)
	}
	h.mu.RLock()
	online := len(h.byAgent[p.AgentID]) > 0
	h.mu.RUnlock()
	if !online {
		return nil // nobody to tell; the bell loads it on the next page load
	}
	n, err := h.svc.Notifications.Get(ctx, p.AgentID, p.NotificationID)
	if errors.Is(err, errs.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("realtime: load notification %d: %w", p.NotificationID, err)
	}
	b, err := json.Marshal(notificationFrame{Type: "notification", Notification: n})
	if err != nil {
		return err
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.byAgent[p.AgentID] {
		c.enqueue(b)
	}
	return nil
}
