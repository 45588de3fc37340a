package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"github.com/kesherdesk/kesher/internal/errs"
)

// Problem is an RFC 9457 problem document. Errors names the offending
// fields for validation problems.
type Problem struct {
	Type     string            `json:"type"`
	Title    string            `json:"title"`
	Status   int               `json:"status"`
	Detail   string            `json:"detail,omitempty"`
	Instance string            `json:"instance,omitempty"`
	Errors   []errs.FieldError `json:"errors,omitempty"`
}

// problemBase prefixes problem type URIs (they name, they need not resolve).
const problemBase = "https://kesher.dev/problems/"

func writeProblem(w http.ResponseWriter, r *http.Request, p Problem) {
	if p.Type == "" {
		p.Type = "about:blank"
	}
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	p.Instance = r.URL.Path
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// WriteProblem answers with an RFC 9457 problem of the API's own format, for
// handlers outside the route table (the WebSocket upgrade). kind becomes the
// type URI's last segment ("unauthenticated", "forbidden", …).
func WriteProblem(w http.ResponseWriter, r *http.Request, status int, kind, title, detail string) {
	writeProblem(w, r, Problem{Status: status, Type: problemBase + kind, Title: title, Detail: detail})
}

// errorProblem maps a domain error to a problem; unknown errors become 500
// with no detail (the cause is logged, never sent to the client).
func errorProblem(err error) Problem {
	var ve *errs.ValidationError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &ve):
		return Problem{Type: problemBase + "validation", Title: "Invalid input", Status: http.StatusBadRequest,
			Detail: ve.Error(), Errors: ve.Fields}
	case errors.As(err, &tooBig):
		return Problem{Type: problemBase + "too-large", Title: "Request body too large", Status: http.StatusRequestEntityTooLarge,
			Detail: fmt.Sprintf("the body may be at most %d bytes", tooBig.Limit)}
	case errors.Is(err, errs.ErrNotFound):
		return Problem{Type: problemBase + "not-found", Title: "Not found", Status: http.StatusNotFound, Detail: err.Error()}
	case errors.Is(err, errs.ErrConflict):
		return Problem{Type: problemBase + "conflict", Title: "Conflict", Status: http.StatusConflict, Detail: err.Error()}
	case errors.Is(err, errs.ErrForbidden):
		return Problem{Type: problemBase + "forbidden", Title: "Forbidden", Status: http.StatusForbidden, Detail: err.Error()}
	case errors.Is(err, errs.ErrUnauthenticated):
		return Problem{Type: problemBase + "unauthenticated", Title: "Unauthenticated", Status: http.StatusUnauthorized,
			Detail: "send Authorization: Bearer <token> or sign in"}
	}
	return Problem{Type: problemBase + "internal", Title: "Internal error", Status: http.StatusInternalServerError,
		Detail: "the server failed; the error was logged"}
}

func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	p := errorProblem(err)
	if p.Status >= 500 {
		a.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="kesher"`)
	}
	writeProblem(w, r, p)
}

// decodeJSON reads a JSON object body into dst, rejecting unknown or
// case-mismatched fields, duplicate keys, NUL characters, invalid UTF-8,
// trailing data and bodies over max bytes. Errors are *errs.ValidationError
// naming the field ("body" for malformed JSON).
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any, max int64) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, params, err := mime.ParseMediaType(ct)
		// curl's -d sends application/x-www-form-urlencoded; accept it as JSON
		// so the plain curl examples work (cross-site forms are stopped by
		// the CSRF check, and token requests are not CSRF-prone).
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json") && mt != "application/x-www-form-urlencoded") {
			return errs.Invalid("Content-Type", "unsupported", "send application/json (got %s)", ct)
		}
		if cs := params["charset"]; cs != "" && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
			return errs.Invalid("Content-Type", "unsupported", "the body must be UTF-8 (got charset %s)", cs)
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		return jsonError(err)
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return errs.Invalid("body", "malformed", "the body is empty or cut short")
	}
	if trimmed[0] != '{' {
		return errs.Invalid("body", "malformed", "the body must be a JSON object")
	}
	if err := checkStrictJSON(body, dst); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errs.Invalid("body", "malformed", "the body must hold exactly one JSON value")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return err
	case errors.As(err, &syn):
		return errs.Invalid("body", "malformed", "malformed JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errs.Invalid("body", "malformed", "the body is empty or cut short")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		if strings.HasPrefix(typ.Value, "number ") && strings.HasPrefix(goTypeName(typ.Type.String()), "a number") {
			return errs.Invalid(field, "out_of_range", "the number %s is out of range", strings.TrimPrefix(typ.Value, "number "))
		}
		return errs.Invalid(field, "wrong_type", "expected %s, got JSON %s", goTypeName(typ.Type.String()), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return errs.Invalid(name, "unknown_field", "unknown field %q", name)
	}
	return errs.Invalid("body", "malformed", "%s", err.Error())
}

func goTypeName(t string) string {
	switch {
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"), strings.HasPrefix(t, "float"):
		return "a number"
	case t == "string":
		return "a string"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "[]"):
		return "an array"
	case strings.HasPrefix(t, "map"), strings.Contains(t, "."):
		return "an object"
	}
	return t
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		slog.Default().Debug("write response", "err", err)
	}
}

// DecodeJSON is decodeJSON for handlers outside the route table (the chat
// widget's public API): a strict JSON object body of at most max bytes into
// dst. Errors are *errs.ValidationError naming the field, or
// *http.MaxBytesError.
func DecodeJSON(w http.ResponseWriter, r *http.Request, dst any, max int64) error {
	return decodeJSON(w, r, dst, max)
}

// WriteError answers with the problem document for err as the API would
// (validation 400 naming the fields, 404, 409, 403, 401, 413; anything else
// 500, logged on log and never shown).
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	p := errorProblem(err)
	if p.Status >= 500 && log != nil {
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeProblem(w, r, p)
}

// WriteJSON answers with v as JSON (no caching) and the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) { writeJSON(w, status, v) }
