package httpapi

import (
	"errors"
	"fmt"
	"mime"
	"net/http"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/importer"
)

// maxNDJSONBody is the largest conversation import body (bytes).
const maxNDJSONBody = 256 << 20

// importConversations imports a JSON Lines body (application/x-ndjson),
// each line in its own transaction (internal/importer). It answers 200 with
// the counts when every line was imported or already there, and a 400
// validation problem naming each failed line and field
// ("line[12].messages[3].created_at") otherwise — the good lines of that
// body were imported; sending the corrected file again imports the rest.
func (a *API) importConversations(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/x-ndjson" && mt != "application/jsonl" && mt != "application/json-lines") {
		return errs.Invalid("Content-Type", "unsupported", "send the conversations as application/x-ndjson (got %q)",
			r.Header.Get("Content-Type"))
	}
	res, err := a.svc.Importer.Import(r.Context(), actorOf(p), http.MaxBytesReader(w, r.Body, maxNDJSONBody))
	if err != nil {
		if errors.Is(err, importer.ErrLineTooLong) {
			return errs.Invalid("body", "too_long", "%v (before it: created %d, unchanged %d, failed %d)", err, res.Created,
				res.Unchanged, res.Failed)
		}
		return err
	}
	// The import publishes no events: the report days it touched are
	// marked stale here so the rollups catch up.
	if res.Created > 0 && a.svc.Reports != nil {
		if err := a.svc.Reports.MarkDays(r.Context(), res.FirstCreated, res.LastCreated); err != nil {
			return err
		}
	}
	if res.Failed == 0 {
		writeJSON(w, http.StatusOK, res)
		return nil
	}
	fields := make([]errs.FieldError, len(res.Errors))
	for i, e := range res.Errors {
		f := fmt.Sprintf("line[%d]", e.Line)
		if e.Field != "" {
			f += "." + e.Field
		}
		fields[i] = errs.FieldError{Field: f, Code: "invalid", Message: e.Error()}
	}
	writeProblem(w, r, Problem{Type: problemBase + "validation", Title: "Invalid input", Status: http.StatusBadRequest,
		Detail: fmt.Sprintf("created %d, unchanged %d, failed %d: each line is its own transaction, so the other lines "+
			"were imported; fix the failed lines and send the file again", res.Created, res.Unchanged, res.Failed),
		Errors: fields})
	return nil
}
