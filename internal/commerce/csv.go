package commerce

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
)

// CSVColumns are the columns an order CSV file may have, in any order,
// named in its first line (docs/commerce.md "CSV import"). Only
// external_id is required; an empty cell keeps the stored value.
var CSVColumns = []string{"external_id", "number", "contact_id", "customer_email", "customer_name", "customer_phone",
	"status", "currency", "total", "shipping", "channel", "placed_at", "promised_from", "promised_by", "shipped_at",
	"delivered_at", "carrier", "tracking_number", "carrier_status", "carrier_eta", "items"}

// MaxCSVRows bounds the orders in one CSV file.
const MaxCSVRows = 20000

// CSVRow is one parsed line of an order CSV file.
type CSVRow struct {
	Line  int
	Input UpsertInput
}

// ImportResult counts what an import did.
type ImportResult struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// csvErr names a line and column: field "line[N].column".
func csvErr(line int, column, code, format string, args ...any) *errs.ValidationError {
	msg := fmt.Sprintf(format, args...)
	if column == "" {
		return errs.Invalid(fmt.Sprintf("line[%d]", line), code, "line %d: %s", line, msg)
	}
	return errs.Invalid(fmt.Sprintf("line[%d].%s", line, column), code, "line %d, column %q: %s", line, column, msg)
}

// ParseCSV reads an order CSV file: a header line naming columns from
// CSVColumns, then one order per line. Amounts (total, shipping, item
// prices) are decimal strings in major units ("259.90"), converted exactly
// to minor units of the row's currency (ILS when empty), at most
// MaxAmountMinor. The file must be UTF-8 (a leading byte order mark is
// skipped); single-line cells must hold no control characters. items is
// "sku:quantity:price[:name]" entries separated by ";". Errors are
// *errs.ValidationError naming the line and column (field
// "line[3].total"); the first bad line stops the parse.
func ParseCSV(r io.Reader) ([]CSVRow, error) {
	br := bufio.NewReader(r)
	// A UTF-8 byte order mark (spreadsheet exports) is dropped before the
	// CSV reader sees it, so a quoted first header still parses.
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, csvErr(1, "", "required", "the file is empty; the first line must name the columns")
	}
	if err != nil {
		return nil, csvParseErr(err)
	}
	cols := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		if !utf8.ValidString(h) {
			return nil, csvErr(1, "", "invalid_utf8", "column %d: the header is not valid UTF-8; save the file as UTF-8", i+1)
		}
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(CSVColumns, h) {
			return nil, csvErr(1, h, "unknown_column", "unknown column (known: %s)", strings.Join(CSVColumns, ", "))
		}
		if seen[h] {
			return nil, csvErr(1, h, "duplicate_column", "the column appears twice")
		}
		seen[h], cols[i] = true, h
	}
	if !seen["external_id"] {
		return nil, csvErr(1, "external_id", "required", "the external_id column is required")
	}
	var rows []CSVRow
	lineOf := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvParseErr(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rows) >= MaxCSVRows {
			return nil, csvErr(line, "", "too_many", "at most %d orders per file", MaxCSVRows)
		}
		cells := map[string]string{}
		for i, v := range rec {
			if !utf8.ValidString(v) {
				return nil, csvErr(line, cols[i], "invalid_utf8", "the cell is not valid UTF-8; save the file as UTF-8")
			}
			cells[cols[i]] = strings.TrimSpace(v)
		}
		in, err := csvInput(line, cells)
		if err != nil {
			return nil, err
		}
		if prev, ok := lineOf[in.ExternalID]; ok {
			return nil, csvErr(line, "external_id", "duplicate", "order %q is already on line %d", in.ExternalID, prev)
		}
		lineOf[in.ExternalID] = line
		if _, err := in.check(); err != nil {
			return nil, csvField(line, err)
		}
		rows = append(rows, CSVRow{Line: line, Input: in})
	}
	return rows, nil
}

func csvParseErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return csvErr(pe.Line, "", "malformed", "column %d: %v", pe.Column, pe.Err)
	}
	return fmt.Errorf("commerce: read csv: %w", err)
}

// csvInput turns one line's cells into an upsert input.
func csvInput(line int, c map[string]string) (UpsertInput, error) {
	in := UpsertInput{ExternalID: c["external_id"], Source: "csv", Number: c["number"], Status: c["status"],
		Currency: strings.ToUpper(c["currency"]), Channel: c["channel"]}
	cur := in.Currency
	if cur == "" {
		cur = DefaultCurrency
	}
	if v := c["contact_id"]; v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return in, csvErr(line, "contact_id", "invalid", "want a contact id number")
		}
		in.ContactID = id
	}
	if c["customer_email"] != "" || c["customer_phone"] != "" {
		in.Customer = &Customer{Email: c["customer_email"], Name: c["customer_name"], Phone: c["customer_phone"]}
	}
	for _, m := range []struct {
		col string
		dst **int64
	}{{"total", &in.TotalMinor}, {"shipping", &in.ShippingMinor}} {
		if v := c[m.col]; v != "" {
			n, err := ParseAmount(v, cur)
			if err != nil {
				return in, csvErr(line, m.col, "invalid", "%q: %v", v, err)
			}
			*m.dst = &n
		}
	}
	for _, m := range []struct {
		col string
		dst **string
	}{{"placed_at", &in.PlacedAt}, {"promised_from", &in.PromisedFrom}, {"promised_by", &in.PromisedBy},
		{"shipped_at", &in.ShippedAt}, {"delivered_at", &in.DeliveredAt}, {"carrier", &in.Carrier},
		{"tracking_number", &in.TrackingNumber}, {"carrier_status", &in.CarrierStatus}, {"carrier_eta", &in.CarrierETA}} {
		if v, ok := c[m.col]; ok && v != "" {
			*m.dst = &v
		}
	}
	if v := c["items"]; v != "" {
		in.Items = []Item{}
		for i, part := range strings.Split(v, ";") {
			if strings.TrimSpace(part) == "" {
				continue
			}
			f := strings.SplitN(part, ":", 4)
			if len(f) < 3 {
				return in, csvErr(line, "items", "invalid", "item %d %q: want sku:quantity:price[:name]", i+1, part)
			}
			qty, err := strconv.ParseInt(strings.TrimSpace(f[1]), 10, 64)
			if err != nil {
				return in, csvErr(line, "items", "invalid", "item %d %q: the quantity must be a whole number", i+1, part)
			}
			price, err := ParseAmount(f[2], cur)
			if err != nil {
				return in, csvErr(line, "items", "invalid", "item %d %q: price: %v", i+1, part, err)
			}
			it := Item{SKU: strings.TrimSpace(f[0]), Quantity: qty, PriceMinor: price}
			if len(f) == 4 {
				it.Name = strings.TrimSpace(f[3])
			}
			in.Items = append(in.Items, it)
		}
	}
	return in, nil
}

// csvColumnOf maps an upsert input field to its CSV column.
func csvColumnOf(field string) string {
	switch {
	case strings.HasPrefix(field, "items"):
		return "items"
	case field == "total_minor":
		return "total"
	case field == "shipping_minor":
		return "shipping"
	case strings.HasPrefix(field, "customer.phone"):
		return "customer_phone"
	case strings.HasPrefix(field, "customer.name"):
		return "customer_name"
	case strings.HasPrefix(field, "customer"):
		return "customer_email"
	}
	return field
}

// csvField rewrites a validation error of one row to name its line and
// column; other errors pass unchanged.
func csvField(line int, err error) error {
	var ve *errs.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) == 0 {
		return err
	}
	f := ve.Fields[0]
	return csvErr(line, csvColumnOf(f.Field), f.Code, "%s", f.Message)
}

// Import upserts every order of a CSV file (ParseCSV) in one transaction:
// all or nothing. Importing the same file again changes nothing (every
// order counts as unchanged). Errors: *errs.ValidationError naming line and
// column; nothing is imported then.
func (s *Service) Import(ctx context.Context, actor audit.Actor, r io.Reader) (ImportResult, error) {
	rows, err := ParseCSV(r)
	if err != nil {
		return ImportResult{}, err
	}
	var res ImportResult
	err = s.db.WriteTx(ctx, func(tx *db.Tx) error {
		res = ImportResult{}
		for _, row := range rows {
			t, err := row.Input.check()
			if err != nil {
				return csvField(row.Line, err)
			}
			u, err := s.upsertTx(ctx, tx, actor, row.Input, t)
			if err != nil {
				return csvField(row.Line, err)
			}
			switch {
			case u.created:
				res.Created++
			case u.changed:
				res.Updated++
			default:
				res.Unchanged++
			}
		}
		return nil
	})
	return res, err
}
