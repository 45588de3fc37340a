package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/report/period"
	"github.com/kesherdesk/kesher/internal/report/roi"
)

// getROI answers the ROI inputs and outputs of ?from=&to= (docs/reports.md).
func (a *API) getROI(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r, "from", "to"); err != nil {
		return err
	}
	from, to, err := period.Parse(r.URL.Query().Get("from"), r.URL.Query().Get("to"))
	if err != nil {
		return err
	}
	p, err := a.svc.ROI.Get(r.Context(), from, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// putROI records the ROI inputs of ?from=&to= and answers the period.
func (a *API) putROI(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if err := checkQuery(r, "from", "to"); err != nil {
		return err
	}
	from, to, err := period.Parse(r.URL.Query().Get("from"), r.URL.Query().Get("to"))
	if err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err != nil {
		return jsonError(err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var in roi.Input
	if err := decodeJSON(w, r, &in, maxJSONBody); err != nil {
		return fractionalAmount(body, err)
	}
	out, err := a.svc.ROI.Put(r.Context(), actorOf(p), from, to, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// fractionalAmount turns the decoding error err of an ROI body into
// "must be an integer number of minor units" when the amount it names
// (costs.* or revenue.*) is written with a fraction or an exponent
// (10.5, 1e3); other errors are returned unchanged.
func fractionalAmount(body []byte, err error) error {
	var ve *errs.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 1 {
		return err
	}
	group, name, ok := strings.Cut(ve.Fields[0].Field, ".")
	if !ok || (group != "costs" && group != "revenue") {
		return err
	}
	var raw map[string]map[string]json.RawMessage
	if json.Unmarshal(body, &raw) != nil {
		return err
	}
	v := strings.TrimSpace(string(raw[group][name]))
	if v == "" || !strings.ContainsAny(v, ".eE") || strings.HasPrefix(v, `"`) {
		return err
	}
	return errs.Invalid(ve.Fields[0].Field, "not_integer", "%s must be an integer number of minor units (got %s)", ve.Fields[0].Field, v)
}

// roiHistory lists the stored ROI periods, newest first.
func (a *API) roiHistory(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r); err != nil {
		return err
	}
	h, err := a.svc.ROI.History(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"periods": h})
	return nil
}
