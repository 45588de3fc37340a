package httpapi

import (
	"net/http"
	"slices"
	"strings"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/search"
)

// search answers GET /api/v1/search?q=&type=&lang=&inbox_id=&team_id=&status=&from=&to=&limit=
// (docs/knowledge.md): hits the caller may see, best first. type is a
// comma-separated list of conversation, message, contact, article.
func (a *API) search(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if err := checkQuery(r, "q", "type", "lang", "inbox_id", "team_id", "status", "from", "to", "limit"); err != nil {
		return err
	}
	v := r.URL.Query()
	q := search.Query{Text: v.Get("q"), Language: v.Get("lang"), Status: v.Get("status"), Principal: p}
	if t := strings.TrimSpace(v.Get("type")); t != "" {
		q.Types = strings.Split(t, ",")
	}
	var err error
	if q.InboxID, err = queryInt(r, "inbox_id"); err != nil {
		return err
	}
	if q.TeamID, err = queryInt(r, "team_id"); err != nil {
		return err
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	q.Limit = int(min(limit, 1000))
	if q.Status != "" && !slices.Contains(conversation.Statuses, q.Status) {
		return errs.Invalid("status", "invalid", "unknown status %q (%s)", q.Status, strings.Join(conversation.Statuses, ", "))
	}
	from, err := queryTime(r, "from")
	if err != nil {
		return err
	}
	to, err := queryTime(r, "to")
	if err != nil {
		return err
	}
	if from != nil {
		q.From = from.UTC()
	}
	if to != nil {
		q.To = to.UTC()
	}
	res, err := a.svc.Search.Search(r.Context(), q)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
