package httpapi_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

func TestKnowledgeBaseAPI(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		_, agentTok := k.agentWithToken("Noa", "agent")
		_, supTok := k.agentWithToken("Dana", "supervisor")

		cat := k.must(201, "POST", "/api/v1/kb/categories", supTok, map[string]any{"name_he": "משלוחים", "name_en": "Shipping"})
		sec := k.must(201, "POST", "/api/v1/kb/sections", k.admin, map[string]any{"name_he": "זמנים", "name_en": "Times",
			"category_id": num(cat["id"])})
		if sec["slug"] != "times" || num(sec["category_id"]) != num(cat["id"]) {
			t.Fatalf("section = %v", sec)
		}
		art := k.must(201, "POST", "/api/v1/kb/articles", supTok, map[string]any{"title": "זמני משלוח", "section_id": num(sec["id"]),
			"body_markdown": "# משלוח\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>"})
		id := num(art["id"])
		html := art["body_html"].(string)
		for _, bad := range []string{"<script", "javascript:", "onerror"} {
			if strings.Contains(html, bad) {
				t.Fatalf("body_html keeps %q: %s", bad, html)
			}
		}
		if !strings.Contains(html, "<h1>משלוח</h1>") || art["slug"] != "זמני-משלוח" || num(art["version"]) != 1 {
			t.Fatalf("article = %v", art)
		}

		// An agent reads everything (drafts included) but cannot write.
		got := k.must(200, "GET", fmt.Sprintf("/api/v1/kb/articles/%d", id), agentTok, nil)
		if got["status"] != "draft" {
			t.Fatalf("agent read = %v", got)
		}
		for _, w := range []struct {
			method, path string
			body         any
		}{
			{"POST", "/api/v1/kb/articles", map[string]any{"title": "x"}},
			{"PATCH", fmt.Sprintf("/api/v1/kb/articles/%d", id), map[string]any{"version": 1, "title": "x"}},
			{"POST", fmt.Sprintf("/api/v1/kb/articles/%d/publish", id), nil},
			{"DELETE", fmt.Sprintf("/api/v1/kb/articles/%d", id), nil},
			{"POST", "/api/v1/kb/categories", map[string]any{"name_en": "x"}},
			{"PUT", "/api/v1/kb/settings", map[string]any{"enabled": true}},
		} {
			if r := k.do(w.method, w.path, agentTok, w.body); r.status != 403 {
				t.Errorf("agent %s %s: %d, want 403", w.method, w.path, r.status)
			}
		}

		// Translation, edit, stale edit, versions and diff.
		en := k.must(201, "POST", "/api/v1/kb/articles", supTok, map[string]any{"title": "Shipping times", "language": "en",
			"translation_of": id, "body_markdown": "Three days."})
		if num(en["translation_id"]) != id {
			t.Fatalf("translation = %v", en)
		}
		upd := k.must(200, "PATCH", fmt.Sprintf("/api/v1/kb/articles/%d", num(en["id"])), supTok, map[string]any{"version": 1,
			"body_markdown": "Three days.\nFree pickup."})
		if num(upd["version"]) != 2 {
			t.Fatalf("update = %v", upd)
		}
		stale := k.do("PATCH", fmt.Sprintf("/api/v1/kb/articles/%d", num(en["id"])), supTok, map[string]any{"version": 1, "title": "Old"})
		if stale.status != 409 {
			t.Fatalf("stale PATCH: %d %s", stale.status, stale.body)
		}
		bad := k.do("PATCH", fmt.Sprintf("/api/v1/kb/articles/%d", num(en["id"])), supTok, map[string]any{"version": 2, "visibility": "secret"})
		if bad.status != 400 || !strings.Contains(string(bad.body), `"field":"visibility"`) {
			t.Fatalf("bad visibility: %d %s", bad.status, bad.body)
		}
		diff := k.must(200, "GET", fmt.Sprintf("/api/v1/kb/articles/%d/diff", num(en["id"])), agentTok, nil)
		if num(diff["from"]) != 1 || num(diff["to"]) != 2 || num(diff["inserted"]) != 1 || num(diff["deleted"]) != 0 {
			t.Fatalf("diff = %v", diff)
		}
		if r := k.do("GET", fmt.Sprintf("/api/v1/kb/articles/%d/diff?from=5", num(en["id"])), agentTok, nil); r.status != 400 {
			t.Fatalf("diff from=5: %d", r.status)
		}
		vs := k.must(200, "GET", fmt.Sprintf("/api/v1/kb/articles/%d/versions", num(en["id"])), agentTok, nil)
		if len(vs["data"].([]any)) != 2 {
			t.Fatalf("versions = %v", vs)
		}
		v1 := k.must(200, "GET", fmt.Sprintf("/api/v1/kb/articles/%d/versions/1", num(en["id"])), agentTok, nil)
		if v1["body_markdown"] != "Three days." {
			t.Fatalf("version 1 = %v", v1)
		}

		pub := k.must(200, "POST", fmt.Sprintf("/api/v1/kb/articles/%d/publish", id), supTok, nil)
		if pub["status"] != "published" || pub["published_at"] == nil {
			t.Fatalf("publish = %v", pub)
		}
		list := k.must(200, "GET", "/api/v1/kb/articles?status=published&lang=he", agentTok, nil)
		if got := ids(list); len(got) != 1 || got[0] != id {
			t.Fatalf("published he = %v", got)
		}
		list = k.must(200, "GET", "/api/v1/kb/articles?q="+url.QueryEscape("pickup"), agentTok, nil)
		if got := ids(list); len(got) != 1 || got[0] != num(en["id"]) {
			t.Fatalf("q=pickup = %v", got)
		}
		if r := k.do("GET", "/api/v1/kb/articles?status=live", agentTok, nil); r.status != 400 || !strings.Contains(string(r.body), `"field":"status"`) {
			t.Fatalf("status=live: %d %s", r.status, r.body)
		}
		prev := k.must(200, "POST", "/api/v1/kb/preview", agentTok, map[string]any{"body_markdown": "**hi** <script>x</script>"})
		if prev["html"] != "<p><strong>hi</strong> </p>\n" && !strings.Contains(prev["html"].(string), "<strong>hi</strong>") ||
			strings.Contains(prev["html"].(string), "script") {
			t.Fatalf("preview = %v", prev)
		}
		if r := k.do("POST", "/api/v1/kb/articles", supTok, map[string]any{"title": "x", "bogus": 1}); r.status != 400 {
			t.Fatalf("unknown field: %d", r.status)
		}

		// Settings.
		if r := k.do("PUT", "/api/v1/kb/settings", supTok, map[string]any{"enabled": true, "color": "javascript"}); r.status != 400 ||
			!strings.Contains(string(r.body), `"field":"color"`) {
			t.Fatalf("bad colour: %d %s", r.status, r.body)
		}
		st := k.must(200, "PUT", "/api/v1/kb/settings", supTok, map[string]any{"enabled": true, "brand_name": "Shop", "color": "#112233"})
		if st["brand_name"] != "Shop" || st["color"] != "#112233" {
			t.Fatalf("settings = %v", st)
		}
		if r := k.do("DELETE", fmt.Sprintf("/api/v1/kb/categories/%d", num(cat["id"])), supTok, nil); r.status != 409 {
			t.Fatalf("delete non-empty category: %d", r.status)
		}
		if r := k.do("DELETE", fmt.Sprintf("/api/v1/kb/articles/%d", num(en["id"])), supTok, nil); r.status != 204 {
			t.Fatalf("delete article: %d", r.status)
		}
	})
}
