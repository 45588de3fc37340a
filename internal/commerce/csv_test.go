package commerce_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/commerce"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestOrderCSVImport imports testdata/orders.csv, re-imports it (all
// unchanged), and checks exact amounts and contact matching.
func TestOrderCSVImport(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc, _ := setup(t, d)
		file, err := os.ReadFile("testdata/orders.csv")
		if err != nil {
			t.Fatal(err)
		}
		res, err := svc.Import(ctx, audit.System, bytes.NewReader(file))
		if err != nil || res != (commerce.ImportResult{Created: 3}) {
			t.Fatalf("import: %+v %v", res, err)
		}
		res, err = svc.Import(ctx, audit.System, bytes.NewReader(file))
		if err != nil || res != (commerce.ImportResult{Unchanged: 3}) {
			t.Fatalf("re-import: %+v %v", res, err)
		}
		page, err := svc.List(ctx, commerce.ListParams{})
		if err != nil {
			t.Fatal(err)
		}
		by := map[string]commerce.Order{}
		for _, o := range page.Data {
			by[o.ExternalID] = o
		}
		a := by["A-2001"]
		if a.TotalMinor != 25990 || a.ShippingMinor != 2900 || a.Source != "csv" || len(a.Items) != 2 ||
			a.Items[0] != (commerce.Item{SKU: "MUG-1", Name: "ספל קרמיקה", Quantity: 2, PriceMinor: 11545}) || a.Contact.Name != "נועה לוי" {
			t.Errorf("A-2001 = %+v", a)
		}
		if by["A-2002"].ContactID != a.ContactID {
			t.Errorf("plus-address did not match the same contact")
		}
		if c := by["A-2003"]; c.Currency != "USD" || c.TotalMinor != 4550 || c.Channel != "phone" || c.PromisedBy != nil {
			t.Errorf("A-2003 = %+v", c)
		}
		// A changed line updates that order only.
		changed := strings.Replace(string(file), "45.5,5.5", "47.5,5.5", 1)
		res, err = svc.Import(ctx, audit.System, strings.NewReader(changed))
		if err != nil || res != (commerce.ImportResult{Updated: 1, Unchanged: 2}) {
			t.Fatalf("changed import: %+v %v", res, err)
		}
	})
}

// TestOrderCSVErrors: a bad line names its line and column, and nothing of
// the file is imported.
func TestOrderCSVErrors(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		svc, _ := setup(t, d)
		head := "external_id,customer_email,status,total,promised_by,items\n"
		good := "B-1,b@example.com,placed,10.00,2026-12-01,X:1:10\n"
		for _, c := range []struct {
			name, body, field, msg string
		}{
			{"empty", "", "line[1]", "empty"},
			{"unknown column", "external_id,colour\nB-1,red\n", "line[1].colour", "unknown column"},
			{"no external_id column", "number\n1\n", "line[1].external_id", "required"},
			{"bad amount", head + good + "B-2,b@example.com,placed,12.345,,\n", "line[3].total", `line 3, column "total"`},
			{"float-looking amount", head + good + "B-2,b@example.com,placed,1e3,,\n", "line[3].total", "decimal"},
			{"bad status", head + good + "B-2,b@example.com,lost,1,,\n", "line[3].status", "must be one of"},
			{"bad date", head + good + "B-2,b@example.com,placed,1,31/12/2026,\n", "line[3].promised_by", "line 3"},
			{"bad items", head + good + "B-2,b@example.com,placed,1,,X:two:1\n", "line[3].items", "quantity"},
			{"zero quantity", head + good + "B-2,b@example.com,placed,1,,X:0:1\n", "line[3].items", "from 1 to 1000000"},
			{"missing customer", head + good + "B-2,,placed,1,,\n", "line[3].contact_id", "contact_id"},
			{"bad email", head + good + "B-2,nobody,placed,1,,\n", "line[3].customer_email", "email"},
			{"duplicate", head + good + good, "line[3].external_id", "line 2"},
			{"short line", head + good + "B-2,b@example.com\n", "line[3]", "wrong number of fields"},
			{"lone dot amount", head + good + "B-2,b@example.com,placed,.,,\n", "line[3].total", "decimal"},
			{"total MaxInt64", head + good + "B-2,b@example.com,placed,92233720368547758.07,,\n", "line[3].total", "too large"},
			{"total over max", head + good + "B-2,b@example.com,placed,1000000000.01,,\n", "line[3].total", "too large"},
			{"price over max", head + good + "B-2,b@example.com,placed,1,,X:1:1000000000.01\n", "line[3].items", "too large"},
			{"quantity MaxInt64", head + good + "B-2,b@example.com,placed,1,,X:9223372036854775807:1\n", "line[3].items", "from 1 to 1000000"},
			{"year 1", head + good + "B-2,b@example.com,placed,1,0001-01-01,\n", "line[3].promised_by", "1970 to 2200"},
			{"year 9999", head + good + "B-2,b@example.com,placed,1,9999-12-31,\n", "line[3].promised_by", "1970 to 2200"},
			{"invalid UTF-8", "external_id,number,customer_email\nB-2,\xff\xfe,b@example.com\n", "line[2].number", "UTF-8"},
			{"invalid UTF-8 header", "external_id,\xffnumber\nB-2,1\n", "line[1]", "UTF-8"},
			{"CRLF in number", "external_id,number,customer_email\nB-2,\"1\r\nBcc: evil@example.com\",b@example.com\n", "line[2].number", "control characters"},
			{"NUL in carrier", "external_id,carrier,customer_email\nB-2,HFD\x00,b@example.com\n", "line[2].carrier", "control characters"},
			{"LF in item name", "external_id,items,customer_email\nB-2,\"X:1:1:a\nb\",b@example.com\n", "line[2].items", "control characters"},
			{"LF in customer name", "external_id,customer_name,customer_email\nB-2,\"Dana\nCohen\",b@example.com\n", "line[2].customer_name", "control characters"},
		} {
			_, err := svc.Import(context.Background(), audit.System, strings.NewReader(c.body))
			ve, _ := err.(*errs.ValidationError)
			if ve == nil || ve.Fields[0].Field != c.field || !strings.Contains(ve.Fields[0].Message, c.msg) {
				t.Errorf("%s: %v, want field %s with %q", c.name, err, c.field, c.msg)
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM orders`); n != 0 {
			t.Errorf("orders = %d after bad files, want 0 (all or nothing)", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM contacts`); n != 0 {
			t.Errorf("contacts = %d after bad files, want 0", n)
		}
	})
}

// TestOrderCSVByteOrderMark: a UTF-8 byte order mark before a quoted header
// (spreadsheet exports) is skipped.
func TestOrderCSVByteOrderMark(t *testing.T) {
	for _, body := range []string{
		"\ufeff\"external_id\",\"customer_email\"\n\"B-1\",\"b@example.com\"\n",
		"\ufeffexternal_id,customer_email\nB-1,b@example.com\n",
	} {
		rows, err := commerce.ParseCSV(strings.NewReader(body))
		if err != nil || len(rows) != 1 || rows[0].Input.ExternalID != "B-1" {
			t.Errorf("%q: %+v, %v", body, rows, err)
		}
	}
}

// TestOrderCSVImportMaxRows: a file of MaxCSVRows (20,000) orders, within
// the documented limits, imports in one transaction (one order.updated
// event each: 20,000 events stored by one commit).
func TestOrderCSVImportMaxRows(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		svc, _ := setup(t, d)
		var b strings.Builder
		b.WriteString("external_id,contact_id,total\n")
		var cid int64
		err := d.WriteTx(context.Background(), func(tx *db.Tx) error {
			var err error
			cid, err = tx.InsertID(context.Background(), `INSERT INTO contacts (name, created_at, updated_at) VALUES ('Bulk', 0, 0)`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := range commerce.MaxCSVRows {
			fmt.Fprintf(&b, "M-%d,%d,%d.90\n", i, cid, i)
		}
		res, err := svc.Import(context.Background(), audit.System, strings.NewReader(b.String()))
		if err != nil || res != (commerce.ImportResult{Created: commerce.MaxCSVRows}) {
			t.Fatalf("import: %+v, %v", res, err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM event_outbox WHERE topic = ?`, commerce.OrderUpdated); n != commerce.MaxCSVRows {
			t.Errorf("events = %d, want %d", n, commerce.MaxCSVRows)
		}
	})
}
