package email_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/channel/email"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// largeMail returns a multipart/mixed mail of about size bytes: a short
// Hebrew text and three base64 attachments (random bytes, so nothing
// compresses) sharing the rest.
func largeMail(size int) []byte {
	var b bytes.Buffer
	b.Grow(size + 4096)
	b.WriteString("MIME-Version: 1.0\r\nFrom: =?UTF-8?B?15PXoNeU?= <dana@example.co.il>\r\nTo: support@kesher.example\r\n" +
		"Subject: big files\r\nMessage-ID: <large-1@example.co.il>\r\nDate: Sun, 29 Nov 2026 10:00:00 +0200\r\n" +
		"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"מצורפים הקבצים.\r\n")
	r := rand.New(rand.NewPCG(1, 2))
	per := int(float64(size-2048) / 4.11) // binary bytes per attachment: 3 × per × 4/3 × 78/76 ≈ size
	for i := range 3 {
		data := make([]byte, per)
		for j := range data {
			data[j] = byte(r.Uint32())
		}
		fmt.Fprintf(&b, "--b1\r\nContent-Type: application/octet-stream; name=\"file%d.bin\"\r\n"+
			"Content-Disposition: attachment; filename=\"file%d.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", i, i)
		enc := base64.StdEncoding.EncodeToString(data)
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n")
	}
	b.WriteString("--b1--\r\n")
	return b.Bytes()
}

// peakHeap runs fn while sampling the live heap every millisecond and
// returns the largest HeapAlloc seen minus the one before fn, and the
// bytes allocated in all (TotalAlloc) while fn ran.
func peakHeap(fn func()) (peakAbove, allocated uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, total := ms.HeapAlloc, ms.TotalAlloc
	peak := base
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(stop)
	wg.Wait()
	runtime.ReadMemStats(&ms)
	return max(peak, ms.HeapAlloc) - base, ms.TotalAlloc - total
}

// TestLargeMailMemory ingests a 25 MB mail with three attachments and
// checks the heap it needs stays under 6× its size (on top of the raw
// bytes the caller holds), and that the attachments are stored whole.
func TestLargeMailMemory(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		raw := largeMail(25 << 20)
		var res email.Result
		var err error
		extra, allocated := peakHeap(func() { res, err = f.svc.Ingest(context.Background(), f.box.ID, raw, email.SourceSMTP) })
		if err != nil || res.Status != email.StatusParsed {
			t.Fatalf("%+v %v", res, err)
		}
		ratio := float64(extra) / float64(len(raw))
		t.Logf("25 MB mail (%d bytes): peak heap above baseline (the raw bytes already held) %.1f MB = %.2f× the mail size; %.1f MB allocated in all (%.2f×)",
			len(raw), float64(extra)/1e6, ratio, float64(allocated)/1e6, float64(allocated)/float64(len(raw)))
		if ratio > 6 {
			t.Errorf("peak heap %.2f× the mail size, want ≤ 6×", ratio)
		}
		msgs := f.messages(t, res.ConversationID)
		if len(msgs) != 1 || len(msgs[0].Attachments) != 3 {
			t.Fatalf("messages %+v", msgs)
		}
		for i, a := range msgs[0].Attachments {
			if a.Filename != fmt.Sprintf("file%d.bin", i) || a.Size < 6<<20 {
				t.Errorf("attachment %+v", a)
			}
		}
	})
}
