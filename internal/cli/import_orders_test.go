package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportOrders imports a CSV file twice (the second time unchanged);
// a bad file or a missing one exits 2 and imports nothing.
func TestImportOrders(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	good := filepath.Join(data, "orders.csv")
	bad := filepath.Join(data, "bad.csv")
	if err := os.WriteFile(good, []byte("external_id,customer_email,customer_name,status,total,items\n"+
		"Q-1,dana@example.com,דנה,paid,259.90,MUG-1:2:115.45\nQ-2,ron@example.com,Ron,placed,12,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("external_id,customer_email,total\nQ-3,x@example.com,1\nQ-4,y@example.com,12.345\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := Run(ctx, append([]string{"--data", data, "--log-level", "error"}, args...), &out, &errOut)
		return code, out.String() + errOut.String()
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"import", "orders", bad}, 2, `line 3, column "total"`},
		{[]string{"import", "orders", filepath.Join(data, "missing.csv")}, 2, "missing.csv\": no such file"},
		{[]string{"import", "orders", good}, 0, "created 2, updated 0, unchanged 0"},
		{[]string{"import", "orders", good}, 0, "created 0, updated 0, unchanged 2"},
	} {
		code, out := run(c.args...)
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("kesher %s: exit %d, want %d; output:\n%s", strings.Join(c.args, " "), code, c.code, out)
		}
	}
}
