package realtime_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/realtime"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestFanout1000 is the benchmark: 1,000 authenticated sockets on
// 127.0.0.1 (20 agents of one team, 50 tabs each), then 50 replies posted
// one after another through the REST API. For each reply it measures the
// time from the POST returning (the message is stored and committed) to the
// last of the 1,000 clients having read its message.created frame, and
// reports p50 / p99 / max; the target is p99 < 50 ms. It always runs as a
// functional test (every one of the 1,000 clients must get every message,
// about a second per backend); the latency target is enforced only when
// KESHER_WS_BENCH=1, since speed belongs to benchmarks, not to pass/fail of
// the ordinary suite (KESHER_WS_CLIENTS and KESHER_WS_MESSAGES change the
// counts):
//
//	KESHER_WS_BENCH=1 go test -run TestFanout1000 -v ./internal/realtime/
func TestFanout1000(t *testing.T) {
	enforce := os.Getenv("KESHER_WS_BENCH") != ""
	clients, messages := envInt(t, "KESHER_WS_CLIENTS", 1000), envInt(t, "KESHER_WS_MESSAGES", 50)
	raiseFileLimit(t, uint64(3*clients+512)) // a client and a server socket each, plus the database
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d, realtime.Options{})
		support, box := k.team("Support")
		const agents = 20
		tokens := make([]string, agents)
		for i := range tokens {
			_, tokens[i] = k.agentWithToken(fmt.Sprintf("Agent%02d", i), "agent", support)
		}
		convID := k.conversation(box, "Fan-out")

		arrivals := make(chan arrival, clients*4)
		connectStart := time.Now()
		conns := make([]*websocket.Conn, clients)
		errs := make([]error, clients)
		sem := make(chan struct{}, 64) // dials in flight
		var wg sync.WaitGroup
		for i := range clients {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				ws, _, err := websocket.Dial(context.Background(), k.wsURL(),
					&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + tokens[i%agents]}}})
				if err != nil {
					errs[i] = err
					return
				}
				conns[i] = ws
				go listen(ws, arrivals)
			})
		}
		wg.Wait()
		t.Cleanup(func() {
			for _, ws := range conns {
				if ws != nil {
					_ = ws.CloseNow()
				}
			}
		})
		for _, err := range errs {
			if err != nil {
				t.Fatalf("connect: %v", err)
			}
		}
		for k.hub.Connections() != clients {
			time.Sleep(10 * time.Millisecond)
		}
		t.Logf("%d sockets connected in %s", clients, time.Since(connectStart).Round(time.Millisecond))

		complete := collect(arrivals, clients)
		var fromReturn, fromStart []time.Duration
		for i := range messages {
			start := time.Now()
			m := k.must(201, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", convID), tokens[i%agents],
				map[string]any{"body": fmt.Sprintf("Reply %d", i)})
			returned := time.Now()
			id := num(m["id"])
			var last time.Time
		wait:
			for {
				select {
				case c := <-complete:
					if c.messageID == id {
						last = c.last
						break wait
					}
				case <-time.After(10 * time.Second):
					t.Fatalf("message %d did not reach all %d clients within 10 s", id, clients)
				}
			}
			fromReturn = append(fromReturn, max(last.Sub(returned), 0))
			fromStart = append(fromStart, last.Sub(start))
		}
		p50, p99, worst := percentiles(fromReturn)
		s50, s99, _ := percentiles(fromStart)
		t.Logf("%d messages to %d sockets: POST returned → last client received: p50 %s, p99 %s, max %s", messages, clients, p50, p99, worst)
		t.Logf("POST sent → last client received (includes the POST itself): p50 %s, p99 %s", s50, s99)
		if enforce && p99 > 50*time.Millisecond {
			t.Errorf("p99 %s exceeds the 50 ms target", p99)
		}
	})
}

type arrival struct {
	messageID int64
	at        time.Time
}

type completion struct {
	messageID int64
	last      time.Time
}

var createdPrefix = []byte(`{"type":"message.created"`)

// listen reports each message.created frame's message id and arrival time.
// It finds the id by scanning rather than decoding the whole frame, so the
// measurement is the server's delivery, not this process's JSON decoding.
func listen(ws *websocket.Conn, out chan<- arrival) {
	key := []byte(`"message_id":`)
	buf := bytes.NewBuffer(make([]byte, 0, 4096))
	for {
		_, r, err := ws.Reader(context.Background())
		if err != nil {
			return
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			return
		}
		at := time.Now()
		b := buf.Bytes()
		if !bytes.HasPrefix(b, createdPrefix) {
			continue
		}
		i := bytes.Index(b, key)
		if i < 0 {
			continue
		}
		rest := b[i+len(key):]
		j := bytes.IndexAny(rest, ",}")
		id, err := strconv.ParseInt(string(rest[:j]), 10, 64)
		if err == nil {
			out <- arrival{id, at}
		}
	}
}

// collect counts arrivals per message and reports a message once all n
// clients have it, with the latest arrival time.
func collect(in <-chan arrival, n int) <-chan completion {
	out := make(chan completion, 64)
	go func() {
		type tally struct {
			n    int
			last time.Time
		}
		seen := map[int64]*tally{}
		for a := range in {
			c := seen[a.messageID]
			if c == nil {
				c = &tally{}
				seen[a.messageID] = c
			}
			c.n++
			if a.at.After(c.last) {
				c.last = a.at
			}
			if c.n == n {
				out <- completion{a.messageID, c.last}
			}
		}
	}()
	return out
}

func percentiles(ds []time.Duration) (p50, p99, worst time.Duration) {
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(q float64) time.Duration { return s[min(len(s)-1, int(q*float64(len(s))))] }
	return at(0.50).Round(10 * time.Microsecond), at(0.99).Round(10 * time.Microsecond), s[len(s)-1].Round(10 * time.Microsecond)
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive number", name, v)
	}
	return n
}

// raiseFileLimit lifts the soft open-file limit to at least want (within
// the hard limit).
func raiseFileLimit(t *testing.T, want uint64) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Cur >= want {
		return
	}
	lim.Cur = min(max(want, lim.Cur), lim.Max)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Cur < want {
		t.Fatalf("open-file limit %d is below the %d sockets needed; raise the hard limit", lim.Cur, want)
	}
}
