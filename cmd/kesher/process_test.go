package main

// Process-level tests: they build the real binary, run it as a server and
// talk to it over HTTP on 127.0.0.1, the way an operator would.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

const testToken = "ksr_process_test_token_0123456789abcdef"

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// kesherBinary builds cmd/kesher once per test run.
func kesherBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kesher-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "kesher")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// store is where a server process keeps its data: an SQLite data dir, or a
// PostgreSQL schema URL plus a data dir for attachments.
type store struct {
	name    string
	dataDir string
	url     string
}

func stores(t *testing.T) []store {
	out := []store{{name: "sqlite", dataDir: t.TempDir()}}
	if os.Getenv(testkit.PostgresURLEnv) != "" {
		out = append(out, store{name: "postgres", dataDir: t.TempDir()})
	}
	return out
}

func (s *store) env() []string {
	env := append(os.Environ(), "KESHER_BOOTSTRAP_API_TOKEN="+testToken, "KESHER_ADMIN_PASSWORD=process-test-pw", "KESHER_DATA="+s.dataDir)
	if s.url != "" {
		env = append(env, "KESHER_DATABASE_URL="+s.url)
	}
	return env
}

func (s *store) open(t *testing.T) *db.DB {
	d, err := db.Open(context.Background(), db.Options{URL: s.url, DataDir: s.dataDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

type server struct {
	cmd  *exec.Cmd
	base string
	log  *bytes.Buffer
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs `kesher serve` on a free port and waits until /readyz answers.
func start(t *testing.T, s *store) *server {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(kesherBinary(t), "serve", "--addr", addr)
	cmd.Env = s.env()
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	srv := &server{cmd: cmd, base: "http://" + addr, log: &log}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(srv.base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return srv
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server did not become ready:\n%s", log.String())
	return nil
}

func (s *server) call(method, path string, body any) (int, map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	var m map[string]any
	b, _ := io.ReadAll(res.Body)
	_ = json.Unmarshal(b, &m)
	return res.StatusCode, m, nil
}

// TestCrashDuringWriteBurst kills the server with SIGKILL in the middle of
// 1,000 concurrent conversation creates. After a restart every create that
// was answered 2xx is there, complete, and no create left a partial row.
func TestCrashDuringWriteBurst(t *testing.T) {
	for _, s := range stores(t) {
		t.Run(s.name, func(t *testing.T) {
			if s.name == "postgres" {
				s.url, _ = testkit.PostgresSchemaURL(t)
			}
			srv := start(t, &s)
			code, box, err := srv.call("POST", "/api/v1/inboxes", map[string]any{"name": "API", "channel": "api"})
			if err != nil || code != 201 {
				t.Fatalf("create inbox: %d %v", code, err)
			}
			inboxID := box["id"]

			type ack struct {
				i  int
				id float64
			}
			var mu sync.Mutex
			var acked []ack
			var wg sync.WaitGroup
			jobs := make(chan int)
			killed := make(chan struct{})
			var killOnce sync.Once
			for range 32 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range jobs {
						code, c, err := srv.call("POST", "/api/v1/conversations", map[string]any{
							"inbox_id": inboxID, "subject": fmt.Sprintf("crash %d", i), "tags": []string{"crash"},
							"requester": map[string]any{"email": fmt.Sprintf("crash-%d@example.com", i), "name": fmt.Sprintf("Crash %d", i)},
							"message":   map[string]any{"direction": "inbound", "body": fmt.Sprintf("body %d", i)}})
						if err == nil && code == 201 {
							mu.Lock()
							acked = append(acked, ack{i, c["id"].(float64)})
							n := len(acked)
							mu.Unlock()
							if n == 300 {
								killOnce.Do(func() {
									_ = srv.cmd.Process.Signal(syscall.SIGKILL)
									close(killed)
								})
							}
						}
					}
				}()
			}
			for i := range 1000 {
				jobs <- i
			}
			close(jobs)
			wg.Wait()
			select {
			case <-killed:
			default:
				t.Fatalf("the burst finished before the kill (%d acked)", len(acked))
			}
			_ = srv.cmd.Wait()
			if len(acked) >= 1000 {
				t.Fatalf("all 1000 requests succeeded; the kill came too late")
			}
			t.Logf("%d of 1000 creates were acknowledged before SIGKILL", len(acked))

			srv2 := start(t, &s)
			for _, a := range acked {
				code, c, err := srv2.call("GET", fmt.Sprintf("/api/v1/conversations/%.0f", a.id), nil)
				if err != nil || code != 200 {
					t.Fatalf("acknowledged conversation %.0f (request %d) missing after restart: %d %v", a.id, a.i, code, err)
				}
				req := c["requester"].(map[string]any)
				if c["subject"] != fmt.Sprintf("crash %d", a.i) || req["email"] != fmt.Sprintf("crash-%d@example.com", a.i) ||
					c["message_count"].(float64) != 1 || fmt.Sprint(c["tags"]) != "[crash]" {
					t.Fatalf("conversation %.0f incomplete after restart: %v", a.id, c)
				}
			}
			_ = srv2.cmd.Process.Signal(syscall.SIGTERM)
			_ = srv2.cmd.Wait()

			// No partial rows: every conversation has its message, tag and
			// requester; every burst contact has its conversation.
			d := s.open(t)
			ctx := context.Background()
			checks := map[string]string{
				"conversations without a message":     `SELECT COUNT(*) FROM conversations c WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id)`,
				"message counts that do not add up":   `SELECT COUNT(*) FROM conversations c WHERE message_count <> (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.kind <> 'event')`,
				"burst conversations without the tag": `SELECT COUNT(*) FROM conversations c WHERE c.subject LIKE 'crash %' AND NOT EXISTS (SELECT 1 FROM conversation_tags t WHERE t.conversation_id = c.id)`,
				"burst contacts without conversation": `SELECT COUNT(*) FROM contacts p WHERE p.name LIKE 'Crash %' AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.requester_id = p.id)`,
				"contacts without their email":        `SELECT COUNT(*) FROM contacts p WHERE p.name LIKE 'Crash %' AND NOT EXISTS (SELECT 1 FROM contact_identities i WHERE i.contact_id = p.id)`,
				"events left undelivered":             `SELECT COUNT(*) FROM event_outbox`,
			}
			for what, q := range checks {
				var n int
				if err := d.R().QueryRow(ctx, q).Scan(&n); err != nil || n != 0 {
					t.Errorf("%s: %d (%v)", what, n, err)
				}
			}
			var total int
			_ = d.R().QueryRow(ctx, `SELECT COUNT(*) FROM conversations WHERE subject LIKE 'crash %'`).Scan(&total)
			if total < len(acked) {
				t.Fatalf("%d burst conversations stored, %d acknowledged", total, len(acked))
			}
		})
	}
}

// TestBackupDuringWritesRestores takes an online backup while clients keep
// writing, restores it into a new data directory (restore refuses a
// non-empty desk without --force), and checks the restored desk opens,
// passes the integrity check and serves its conversations.
func TestBackupDuringWritesRestores(t *testing.T) {
	s := store{name: "sqlite", dataDir: t.TempDir()}
	srv := start(t, &s)
	code, box, _ := srv.call("POST", "/api/v1/inboxes", map[string]any{"name": "API", "channel": "api"})
	if code != 201 {
		t.Fatal("create inbox")
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var written sync.Map
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				code, c, err := srv.call("POST", "/api/v1/conversations", map[string]any{"inbox_id": box["id"], "subject": fmt.Sprintf("w%d-%d", w, i),
					"requester": map[string]any{"email": fmt.Sprintf("w%d-%d@example.com", w, i)}, "message": map[string]any{"body": "x", "direction": "inbound"}})
				if err == nil && code == 201 {
					written.Store(c["id"], true)
				}
			}
		}()
	}
	time.Sleep(500 * time.Millisecond)
	backup := filepath.Join(t.TempDir(), "desk.backup")
	out, err := exec.Command(kesherBinary(t), "--data", s.dataDir, "backup", "--out", backup).CombinedOutput()
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()
	if err := db.CheckIntegrity(context.Background(), backup); err != nil {
		t.Fatalf("backup integrity: %v", err)
	}

	// Restoring over the live, non-empty desk is refused (exit code 2).
	cmd := exec.Command(kesherBinary(t), "--data", s.dataDir, "restore", "--from", backup)
	out, err = cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "--force") {
		t.Fatalf("restore over a non-empty desk: %v\n%s", err, out)
	}

	fresh := store{name: "restored", dataDir: t.TempDir()}
	out, err = exec.Command(kesherBinary(t), "--data", fresh.dataDir, "restore", "--from", backup).CombinedOutput()
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	if err := db.CheckIntegrity(context.Background(), filepath.Join(fresh.dataDir, db.FileName)); err != nil {
		t.Fatalf("restored desk integrity: %v", err)
	}
	srv2 := start(t, &fresh)
	var n int
	d := fresh.open(t)
	if err := d.R().QueryRow(context.Background(), `SELECT COUNT(*) FROM conversations`).Scan(&n); err != nil || n == 0 {
		t.Fatalf("restored conversations: %d %v", n, err)
	}
	code, page, _ := srv2.call("GET", "/api/v1/conversations?limit=5", nil)
	if code != 200 || len(page["data"].([]any)) != 5 {
		t.Fatalf("restored desk list: %d %v", code, page)
	}
	var total int
	written.Range(func(_, _ any) bool { total++; return true })
	t.Logf("backup holds %d conversations of %d written during the burst", n, total)
	if n > total || n < 1 {
		t.Fatalf("backup has %d conversations, %d were written in all", n, total)
	}
}
