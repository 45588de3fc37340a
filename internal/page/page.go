// Package page implements keyset pagination with opaque cursors. A cursor
// names the last row returned (its sort key and id), so a page never skips
// or repeats rows when new rows are inserted meanwhile.
package page

import (
	"encoding/base64"
	"encoding/json"

	"github.com/kesherdesk/kesher/internal/errs"
)

// Default and maximum page sizes.
const (
	DefaultLimit = 25
	MaxLimit     = 100
)

// Cursor is the position after which the next page starts: Key is the sort
// column's value (Unix ms for time sorts, 0 when sorting by id) and ID the
// row id. Sort records the order the cursor belongs to.
type Cursor struct {
	Sort string `json:"s,omitempty"`
	Key  int64  `json:"k,omitempty"`
	ID   int64  `json:"i"`
}

// Encode returns the opaque string form.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Decode parses an opaque cursor made by Encode for the given sort. An empty
// string yields nil. A malformed or foreign cursor is a *errs.ValidationError
// on field "cursor".
func Decode(s, sort string) (*Cursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c Cursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.ID <= 0 {
		return nil, errs.Invalid("cursor", "invalid", "cursor is malformed; pass next_cursor from a previous page unchanged")
	}
	if c.Sort != sort {
		return nil, errs.Invalid("cursor", "invalid", "cursor belongs to sort %q, not %q", c.Sort, sort)
	}
	return &c, nil
}

// Limit clamps a requested page size: 0 means DefaultLimit; values above
// MaxLimit or below 0 are a validation error on field "limit".
func Limit(n int) (int, error) {
	switch {
	case n == 0:
		return DefaultLimit, nil
	case n < 0 || n > MaxLimit:
		return 0, errs.Invalid("limit", "out_of_range", "limit must be between 1 and %d", MaxLimit)
	}
	return n, nil
}

// Result is one page: Data and the cursor for the next page (nil at the end).
type Result[T any] struct {
	Data       []T     `json:"data"`
	NextCursor *string `json:"next_cursor"`
}

// Of makes a page of rows read with LIMIT limit+1: at most limit rows
// (never nil, so the JSON is [] rather than null), and when there were
// more, the cursor that cursorOf gives for the last row kept.
func Of[T any](rows []T, limit int, cursorOf func(last T) Cursor) Result[T] {
	res := Result[T]{Data: rows}
	if res.Data == nil {
		res.Data = []T{}
	}
	if len(rows) > limit {
		res.Data = rows[:limit]
		next := cursorOf(rows[limit-1]).Encode()
		res.NextCursor = &next
	}
	return res
}
