package httpapi

import (
	"net/http"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/bot"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/report"
)

// botStats answers the answer bot's figures per inbox:
// GET /api/v1/bot/stats?from=&to=&inbox_id= (from and to: YYYY-MM-DD in the
// desk's zone or RFC 3339; the period is [from, to)).
func (a *API) botStats(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r, "from", "to", "inbox_id"); err != nil {
		return err
	}
	q := r.URL.Query()
	loc := a.svc.Reports.Location()
	var p bot.StatsParams
	var err error
	if p.From, err = report.ParseTime("from", q.Get("from"), loc); err != nil {
		return err
	}
	if p.To, err = report.ParseTime("to", q.Get("to"), loc); err != nil {
		return err
	}
	if p.InboxID, err = queryInt(r, "inbox_id"); err != nil {
		return err
	}
	st, err := a.svc.Bot.Stats(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// conversationSuggestions answers agent assist's articles and canned
// responses for a conversation the caller may see (403 otherwise, as
// everywhere); it needs kb:read besides conversations:read. Canned
// responses follow the caller's canned scope; without canned:read there
// are none.
func (a *API) conversationSuggestions(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if err := checkQuery(r); err != nil {
		return err
	}
	if !p.Can(auth.KBRead) {
		return errs.ErrForbidden
	}
	c, err := a.conversationFor(r, p)
	if err != nil {
		return err
	}
	s, err := a.svc.Assist.For(r.Context(), p, cannedScope(p), c)
	if err != nil {
		return err
	}
	if !p.Can(auth.CannedRead) {
		s.Canned = s.Canned[:0]
	}
	writeJSON(w, http.StatusOK, s)
	return nil
}
