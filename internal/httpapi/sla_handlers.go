package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/sla"
)

// itemsResponse is {"data": […]}, the API's list shape for lists that are
// not paged.
type itemsResponse[T any] struct {
	Items []T `json:"data"`
}

// --- business-hours calendars, addressed by name

func (a *API) listCalendars(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r); err != nil {
		return err
	}
	cs, err := a.svc.SLA.ListCalendars(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, itemsResponse[sla.Calendar]{Items: cs})
	return nil
}

func (a *API) createCalendar(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return write(w, r, http.StatusCreated, func(ctx context.Context, in sla.CalendarInput) (sla.Calendar, error) {
		return a.svc.SLA.CreateCalendar(ctx, actorOf(p), in)
	})
}

func (a *API) getCalendar(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	c, err := a.svc.SLA.GetCalendar(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) updateCalendar(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return write(w, r, http.StatusOK, func(ctx context.Context, in sla.CalendarPatch) (sla.Calendar, error) {
		return a.svc.SLA.UpdateCalendar(ctx, actorOf(p), r.PathValue("name"), in)
	})
}

func (a *API) deleteCalendar(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if err := a.svc.SLA.DeleteCalendar(r.Context(), actorOf(p), r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type dueResponse struct {
	Due string `json:"due"`
}

type betweenResponse struct {
	Minutes int `json:"minutes"`
}

// requiredTime parses a required RFC 3339 query parameter.
func requiredTime(r *http.Request, name string) (time.Time, error) {
	t, err := queryTime(r, name)
	if err != nil {
		return time.Time{}, err
	}
	if t == nil {
		return time.Time{}, errs.Invalid(name, "required", "%s is required (RFC 3339)", name)
	}
	return *t, nil
}

func (a *API) calendarDue(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r, "start", "minutes"); err != nil {
		return err
	}
	start, err := requiredTime(r, "start")
	if err != nil {
		return err
	}
	v := r.URL.Query().Get("minutes")
	minutes, perr := strconv.Atoi(v)
	if v == "" || perr != nil {
		return errs.Invalid("minutes", "required", "minutes must be a whole number of business minutes")
	}
	due, err := a.svc.SLA.Due(r.Context(), r.PathValue("name"), start, minutes)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, dueResponse{Due: due.Format(time.RFC3339)})
	return nil
}

func (a *API) calendarBetween(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r, "from", "to"); err != nil {
		return err
	}
	from, err := requiredTime(r, "from")
	if err != nil {
		return err
	}
	to, err := requiredTime(r, "to")
	if err != nil {
		return err
	}
	n, err := a.svc.SLA.Between(r.Context(), r.PathValue("name"), from, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, betweenResponse{Minutes: n})
	return nil
}

func (a *API) calendarDays(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r, "from", "to"); err != nil {
		return err
	}
	q := r.URL.Query()
	days, err := a.svc.SLA.Days(r.Context(), r.PathValue("name"), q.Get("from"), q.Get("to"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, itemsResponse[sla.Day]{Items: days})
	return nil
}

// --- SLA policies

func (a *API) listSLAPolicies(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r); err != nil {
		return err
	}
	ps, err := a.svc.SLA.ListPolicies(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, itemsResponse[sla.Policy]{Items: ps})
	return nil
}

func (a *API) createSLAPolicy(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return write(w, r, http.StatusCreated, func(ctx context.Context, in sla.PolicyInput) (sla.Policy, error) {
		return a.svc.SLA.CreatePolicy(ctx, actorOf(p), in)
	})
}

func (a *API) getSLAPolicy(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	return read(w, r, a.svc.SLA.GetPolicy)
}

func (a *API) updateSLAPolicy(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return write(w, r, http.StatusOK, func(ctx context.Context, in sla.PolicyPatch) (sla.Policy, error) {
		return a.svc.SLA.UpdatePolicy(ctx, actorOf(p), id, in)
	})
}

func (a *API) deleteSLAPolicy(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.svc.SLA.DeletePolicy(r.Context(), actorOf(p), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) reorderSLAPolicies(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in sla.ReorderInput
	if err := decodeJSON(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	if err := a.svc.SLA.ReorderPolicies(r.Context(), actorOf(p), in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// conversationSLA reports a conversation's SLA, evaluated now; the
// conversation visibility rule applies.
func (a *API) conversationSLA(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	c, err := a.conversationFor(r, p)
	if err != nil {
		return err
	}
	v, err := a.svc.SLA.ForConversation(r.Context(), c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
