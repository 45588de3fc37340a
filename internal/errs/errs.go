// Package errs holds the error values every domain package returns, so that
// internal/httpapi alone can map them to HTTP status codes and RFC 9457
// problem documents.
package errs

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Wrap them with fmt.Errorf("…: %w", ErrX) to add context.
var (
	// ErrNotFound: the addressed record does not exist (or is not visible).
	ErrNotFound = errors.New("not found")
	// ErrConflict: the write clashes with existing data (duplicate email, …).
	ErrConflict = errors.New("conflict")
	// ErrForbidden: the actor may not do this.
	ErrForbidden = errors.New("forbidden")
	// ErrUnauthenticated: no valid credentials.
	ErrUnauthenticated = errors.New("unauthenticated")
)

// FieldError names one offending input field. Field is a JSON pointer-like
// dotted path ("requester.email", "tags[2]"); Code is a stable machine code
// ("required", "too_long", "invalid", "unknown_field", "wrong_type",
// "not_found"); Message is English prose for developers.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ValidationError is bad input: one or more fields are wrong. Nothing was
// written.
type ValidationError struct {
	Fields []FieldError
}

func (v *ValidationError) Error() string {
	parts := make([]string, len(v.Fields))
	for i, f := range v.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Invalid returns a ValidationError for a single field.
func Invalid(field, code, format string, args ...any) *ValidationError {
	return &ValidationError{Fields: []FieldError{{Field: field, Code: code, Message: fmt.Sprintf(format, args...)}}}
}

// Checker collects field errors; Err returns nil when there are none.
type Checker struct{ fields []FieldError }

// Add records a field error.
func (c *Checker) Add(field, code, format string, args ...any) {
	c.fields = append(c.fields, FieldError{Field: field, Code: code, Message: fmt.Sprintf(format, args...)})
}

// Check adds the error when ok is false.
func (c *Checker) Check(ok bool, field, code, format string, args ...any) {
	if !ok {
		c.Add(field, code, format, args...)
	}
}

// MaxLen checks that s has at most n characters (runes).
func (c *Checker) MaxLen(field, s string, n int) {
	if l := len([]rune(s)); l > n {
		c.Add(field, "too_long", "must be at most %d characters (got %d)", n, l)
	}
}

// OneOf checks that s is one of allowed.
func (c *Checker) OneOf(field, s string, allowed ...string) {
	for _, a := range allowed {
		if s == a {
			return
		}
	}
	c.Add(field, "invalid", "must be one of %s", strings.Join(allowed, ", "))
}

// Err returns the collected errors as a *ValidationError, or nil.
func (c *Checker) Err() error {
	if len(c.fields) == 0 {
		return nil
	}
	return &ValidationError{Fields: c.fields}
}
