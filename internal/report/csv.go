package report

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// WriteCSV writes v — a Summary, a Series, or a slice of HeatCell,
// Breakdown or TagCount — as CSV with a header row named by the JSON keys
// (a Summary as "metric,value" rows). Null values are empty cells; times
// RFC 3339; a list cell (Customers' clv_by_currency) holds its JSON.
func WriteCSV(w io.Writer, v any) error {
	cw := csv.NewWriter(w)
	switch x := v.(type) {
	case Summary:
		_ = cw.Write([]string{"metric", "value"})
		rv := reflect.ValueOf(x)
		for i := range rv.NumField() {
			_ = cw.Write([]string{jsonName(rv.Type().Field(i)), cell(rv.Field(i))})
		}
	case Series:
		_ = cw.Write([]string{"start", x.Metric, "count"})
		for _, p := range x.Points {
			_ = cw.Write([]string{p.Start.Format(time.RFC3339), cell(reflect.ValueOf(p.Value)), strconv.FormatInt(p.Count, 10)})
		}
	default:
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Slice {
			break
		}
		et := rv.Type().Elem()
		head := make([]string, et.NumField())
		for i := range head {
			head[i] = jsonName(et.Field(i))
		}
		_ = cw.Write(head)
		for j := range rv.Len() {
			row := make([]string, et.NumField())
			for i := range row {
				row[i] = cell(rv.Index(j).Field(i))
			}
			_ = cw.Write(row)
		}
	}
	cw.Flush()
	return cw.Error()
}

func jsonName(f reflect.StructField) string {
	n, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if n == "" {
		return f.Name
	}
	return n
}

func cell(v reflect.Value) string {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	switch x := v.Interface().(type) {
	case time.Time:
		return x.Format(time.RFC3339)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case string:
		return neutralize(x)
	case []CLVCurrency:
		// A list cell is its JSON (starts with '[', never a formula).
		b, _ := json.Marshal(x)
		return string(b)
	}
	return ""
}

// neutralize keeps a text cell from being read as a formula by spreadsheet
// programs (CSV injection, OWASP): a cell that starts with =, +, -, @, a
// tab or a carriage return gets a leading apostrophe. Names and tags come
// from agents and imports, so every text cell goes through it.
func neutralize(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
