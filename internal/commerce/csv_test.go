package commerce_test

import (
	"bytes"
	"context"
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
			{"zero quantity", head + good + "B-2,b@example.com,placed,1,,X:0:1\n", "line[3].items", "more than 0"},
			{"missing customer", head + good + "B-2,,placed,1,,\n", "line[3].contact_id", "contact_id"},
			{"bad email", head + good + "B-2,nobody,placed,1,,\n", "line[3].customer_email", "email"},
			{"duplicate", head + good + good, "line[3].external_id", "line 2"},
			{"short line", head + good + "B-2,b@example.com\n", "line[3]", "wrong number of fields"},
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
