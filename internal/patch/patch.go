// Package patch gives PATCH request bodies three states per field: absent
// (leave as is), null (clear) and a value (set).
package patch

import (
	"bytes"
	"encoding/json"
)

// Field is one optional JSON field. Set is true when the key was present in
// the body; Null when its value was JSON null; V holds the value otherwise.
type Field[T any] struct {
	Set  bool
	Null bool
	V    T
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *Field[T]) UnmarshalJSON(b []byte) error {
	f.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		f.Null = true
		return nil
	}
	return json.Unmarshal(b, &f.V)
}

// Of returns a Field set to v (for Go callers).
func Of[T any](v T) Field[T] { return Field[T]{Set: true, V: v} }

// Clear returns a Field set to null.
func Clear[T any]() Field[T] { return Field[T]{Set: true, Null: true} }
