// Package web embeds the agent web app's built assets (web/dist, made by
// `npm run build` in web/) into the binary. When the app has not been built,
// a small placeholder page is served instead, so `go build` alone always
// yields a working binary.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed all:dist
var dist embed.FS

const placeholder = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Kesher</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2937}code{background:#f3f4f6;padding:.1rem .3rem;border-radius:.25rem}</style>
</head><body><h1>Kesher</h1>
<p>The server is running, but the agent web app was not built into this binary. Run <code>make run</code> in the source tree (it needs Node.js and npm) to build and embed it.</p>
<p>The REST API is at <a href="/api/v1/openapi.json"><code>/api/v1</code></a>.</p>
</body></html>
`

// Handler serves the built app: static files by path, and index.html for
// every other path so the client-side router can handle deep links. Hashed
// assets under /assets/ are cached for a year; index.html never.
func Handler() http.Handler {
	sub, _ := fs.Sub(dist, "dist")
	if _, err := fs.Stat(sub, "index.html"); err != nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "no-cache")
			_, _ = w.Write([]byte(placeholder))
		})
	}
	files := http.FileServer(http.FS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if p == "" || p == "index.html" {
			p = "index.html"
		}
		if _, err := fs.Stat(sub, p); err != nil || p == "index.html" {
			index, err := fs.ReadFile(sub, "index.html")
			if err != nil {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "no-cache")
			_, _ = w.Write(index)
			return
		}
		if strings.HasPrefix(p, "assets/") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		}
		files.ServeHTTP(w, r)
	})
}
