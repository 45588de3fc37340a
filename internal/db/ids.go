package db

import (
	"context"
	"strings"
)

// QueryIDs runs query (whose only column is an id) through q and returns the
// ids in the order the rows came. Errors: the database's.
func QueryIDs(ctx context.Context, q Querier, query string, args ...any) ([]int64, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Placeholders returns n '?' placeholders joined by commas ("?,?,?"), for
// IN lists and multi-row VALUES; "" for n ≤ 0.
func Placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}
