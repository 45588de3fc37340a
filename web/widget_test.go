package web

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"net/http/httptest"
	"strings"
	"testing"
)

// widgetBudget is the largest /widget.js may be, gzipped (issue 6: under
// 50 KB).
const widgetBudget = 50_000

// TestWidgetSize checks the built widget against its budget and that the
// binary serves it as JavaScript. It needs `npm run build` (make test builds
// the web app before the Go tests, so CI always runs it);
// without a built app it is skipped.
func TestWidgetSize(t *testing.T) {
	sub, _ := fs.Sub(dist, "dist")
	if _, err := fs.Stat(sub, "index.html"); err != nil {
		t.Skip("the web app is not built (run make build)")
	}
	raw, err := fs.ReadFile(sub, "widget.js")
	if err != nil {
		t.Fatalf("the build has no widget.js: %v", err)
	}
	var gz bytes.Buffer
	w, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	_, _ = w.Write(raw)
	_ = w.Close()
	t.Logf("widget.js: %d bytes, %d gzipped", len(raw), gz.Len())
	if gz.Len() >= widgetBudget {
		t.Errorf("widget.js is %d bytes gzipped, over the %d budget", gz.Len(), widgetBudget)
	}
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/widget.js", nil))
	if ct := rec.Header().Get("Content-Type"); rec.Code != 200 || !strings.Contains(ct, "javascript") {
		t.Errorf("GET /widget.js: %d %s", rec.Code, ct)
	}
}
