package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

func (k *desk) upload(token, filename string, content []byte) resp {
	k.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", filename)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest("POST", k.srv.URL+"/api/v1/attachments", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := k.client.Do(req)
	if err != nil {
		k.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

// TestAttachments: uploads are stored content-addressed (small ones in the
// database, large ones on disk), typed by sniffing, linked to a message,
// downloaded safely, and hidden from agents outside the conversation's team.
func TestAttachments(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		tA := num(k.must(201, "POST", "/api/v1/teams", k.admin, map[string]any{"name": "A"})["id"])
		tB := num(k.must(201, "POST", "/api/v1/teams", k.admin, map[string]any{"name": "B"})["id"])
		_, tokA := k.agentWithToken("Ami", "agent", tA)
		_, tokB := k.agentWithToken("Ben", "agent", tB)
		box := num(k.must(201, "POST", "/api/v1/inboxes", k.admin, map[string]any{"name": "API", "channel": "api", "team_id": tA})["id"])
		conv := num(k.must(201, "POST", "/api/v1/conversations", k.admin, map[string]any{"inbox_id": box,
			"requester": map[string]any{"email": "c@x.com"}, "message": map[string]any{"body": "b", "direction": "inbound"}})["id"])

		png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 100)...)
		small := k.upload(tokA, "../../etc/קבלה.txt", png) // the name says .txt, the bytes say PNG
		if small.status != 201 {
			t.Fatalf("upload: %d %s", small.status, small.body)
		}
		s := small.json(t)
		if s["content_type"] != "image/png" || s["filename"] != "קבלה.txt" || num(s["size"]) != int64(len(png)) || s["message_id"] != nil {
			t.Fatalf("small upload: %v", s)
		}
		big := bytes.Repeat([]byte("%PDF-1.4 lorem "), 10000) // 150 KB: stored on disk
		b := k.upload(tokA, "invoice.pdf", big).json(t)
		if b["content_type"] != "application/pdf" {
			t.Fatalf("big upload: %v", b)
		}
		sum := b["sha256"].(string)
		if _, err := os.Stat(filepath.Join(k.data, "blobs", sum[:2], sum[2:4], sum)); err != nil {
			t.Fatalf("large blob not on disk: %v", err)
		}
		// Same bytes again: one blob, two attachments.
		again := k.upload(tokA, "copy.pdf", big).json(t)
		var blobs int
		_ = d.R().QueryRow(context.Background(), `SELECT COUNT(*) FROM blobs`).Scan(&blobs)
		if blobs != 2 || again["sha256"] != b["sha256"] {
			t.Fatalf("blobs = %d, want 2 (content-addressed)", blobs)
		}
		if r := k.upload(tokA, "empty.txt", nil); r.status != 400 {
			t.Fatalf("empty upload: %d", r.status)
		}
		// Another agent cannot attach my upload; I can.
		if r := k.do("POST", fmt.Sprintf("/api/v1/conversations/%d/messages", conv), k.admin,
			map[string]any{"body": "see file", "attachment_ids": []int64{num(s["id"])}}); r.status != 400 {
			t.Fatalf("attaching someone else's upload: %d", r.status)
		}
		m := k.must(201, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", conv), tokA,
			map[string]any{"body": "see files", "attachment_ids": []int64{num(s["id"]), num(b["id"])}})
		if n := len(m["attachments"].([]any)); n != 2 {
			t.Fatalf("create response lists %d attachments, want 2", n)
		}
		thread := k.must(200, "GET", fmt.Sprintf("/api/v1/conversations/%d/messages", conv), tokA, nil)["data"].([]any)
		var lastMsg map[string]any
		for _, m := range thread {
			if mm := m.(map[string]any); mm["kind"] == "reply" {
				lastMsg = mm
			}
		}
		if atts := lastMsg["attachments"].([]any); len(atts) != 2 {
			t.Fatalf("message attachments: %v", lastMsg)
		}
		get := k.do("GET", fmt.Sprintf("/api/v1/attachments/%d", num(b["id"])), tokA, nil)
		if get.status != 200 || !bytes.Equal(get.body, big) || !strings.HasPrefix(get.header.Get("Content-Disposition"), "attachment") ||
			get.header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(get.header.Get("Content-Security-Policy"), "sandbox") {
			t.Fatalf("download: %d %v", get.status, get.header)
		}
		if r := k.do("GET", fmt.Sprintf("/api/v1/attachments/%d", num(s["id"])), tokB, nil); r.status != 403 {
			t.Fatalf("agent outside the team downloading: %d", r.status)
		}
		if r := k.do("GET", fmt.Sprintf("/api/v1/attachments/%d", num(again["id"])), tokB, nil); r.status != 404 {
			t.Fatalf("someone else's unlinked upload: %d", r.status)
		}
	})
}

// TestTokenLastUsedIsBatched: authenticating does not write; the last-use
// time appears after the periodic flush.
func TestTokenLastUsedIsBatched(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		for range 5 {
			k.must(200, "GET", "/api/v1/me", k.admin, nil)
		}
		var used db.NullMs
		_ = d.R().QueryRow(context.Background(), `SELECT last_used_at FROM api_tokens WHERE name = 'bootstrap'`).Scan(&used)
		if used.Valid {
			t.Fatal("last_used_at written on the request path")
		}
		if err := k.core.Auth.FlushLastUsed(context.Background()); err != nil {
			t.Fatal(err)
		}
		_ = d.R().QueryRow(context.Background(), `SELECT last_used_at FROM api_tokens WHERE name = 'bootstrap'`).Scan(&used)
		if !used.Valid {
			t.Fatal("last_used_at not set after the flush")
		}
	})
}
