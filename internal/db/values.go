package db

import (
	"database/sql"
	"encoding/json"
	"time"
)

// Kesher stores every instant as BIGINT Unix milliseconds (UTC) on both
// dialects, so comparisons, indexes and scans behave the same everywhere.

// Ms returns t as Unix milliseconds.
func Ms(t time.Time) int64 { return t.UnixMilli() }

// Time converts Unix milliseconds to a UTC time.
func Time(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// NullMs is a nullable instant for Scan.
type NullMs = sql.NullInt64

// TimePtr converts a nullable Unix-ms column to *time.Time (nil for NULL).
func TimePtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := Time(v.Int64)
	return &t
}

// MsArg converts an optional instant to a query argument (nil for NULL).
func MsArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

// IDArg converts an optional id (0 meaning none) to a query argument.
func IDArg(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// JSON encodes v for a TEXT JSON column; nil maps and slices become {} / [].
func JSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return "{}"
	}
	return string(b)
}
