package parse

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkParse parses the whole corpus per iteration; it reports
// messages/s and MB/s (from SetBytes).
func BenchmarkParse(b *testing.B) {
	root := corpusDir(b)
	var mails [][]byte
	total := 0
	for _, rel := range corpusFiles(b, root) {
		raw, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			b.Fatal(err)
		}
		mails = append(mails, raw)
		total += len(raw)
	}
	b.SetBytes(int64(total))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, raw := range mails {
			if _, err := Parse(raw); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(mails))/b.Elapsed().Seconds(), "msgs/s")
}

// largeMail builds a mail of about size bytes: a short text part and
// base64 attachments of 5 MB each (the last one cut short) (random data, so nothing compresses).
func largeMail(size int) []byte {
	var buf bytes.Buffer
	buf.WriteString("From: Dana <dana@example.com>\r\nTo: support@kesher.test\r\nSubject: Big files\r\nMessage-ID: <big@example.com>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"BIG\"\r\n\r\n--BIG\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAttached.\r\n")
	rng := rand.New(rand.NewSource(1))
	chunk := make([]byte, 5<<20)
	for n := 0; buf.Len() < size; n++ {
		rng.Read(chunk)
		fmt.Fprintf(&buf, "--BIG\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"file%d.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", n)
		enc := base64.StdEncoding.EncodeToString(chunk)
		for len(enc) > 0 && buf.Len() < size {
			l := min(76, len(enc))
			buf.WriteString(enc[:l])
			buf.WriteString("\r\n")
			enc = enc[l:]
		}
	}
	buf.WriteString("--BIG--\r\n")
	return buf.Bytes()
}

// heapLive reads the bytes held by live and not yet swept heap objects.
func heapLive() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// parsePeak parses raw while sampling the heap every 200µs; it returns the
// peak heap growth during Parse and the heap still held with the result
// alive, both over the heap before (after a GC).
func parsePeak(tb testing.TB, raw []byte) (peak, retained int64) {
	runtime.GC()
	runtime.GC() // a second cycle empties the sync.Pool victim caches
	base := heapLive()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	baseAlloc := ms.HeapAlloc
	var max atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if h := heapLive(); h > max.Load() {
				max.Store(h)
			}
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Microsecond):
			}
		}
	}()
	m, err := Parse(raw)
	close(stop)
	<-done
	if err != nil {
		tb.Fatal(err)
	}
	if h := heapLive(); h > max.Load() {
		max.Store(h)
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	retained = int64(ms.HeapAlloc) - int64(baseAlloc)
	runtime.KeepAlive(m)
	return int64(max.Load()) - int64(base), retained
}

// BenchmarkParseLarge parses a 25 MB mail with base64 attachments and
// reports B/op (all allocations), peak-x (peak heap growth during Parse as
// a multiple of the mail size) and held-x (heap held by the result).
func BenchmarkParseLarge(b *testing.B) {
	raw := largeMail(25 << 20)
	peak, held := parsePeak(b, raw) // measured first, before the loop's garbage
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(raw); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(peak)/float64(len(raw)), "peak-x")
	b.ReportMetric(float64(held)/float64(len(raw)), "held-x")
}

// TestLargeMailMemory bounds the memory a 25 MB mail costs: the parsed
// result holds the decoded attachments (about 3/4 of the base64 size) and
// the peak heap during Parse stays a small multiple of the mail size.
func TestLargeMailMemory(t *testing.T) {
	raw := largeMail(25 << 20)
	peak, held := parsePeak(t, raw)
	t.Logf("mail %d MB: peak heap growth %.1f MB (%.2fx), held by the result %.1f MB (%.2fx)",
		len(raw)>>20, float64(peak)/(1<<20), float64(peak)/float64(len(raw)), float64(held)/(1<<20), float64(held)/float64(len(raw)))
	m, _ := Parse(raw)
	if n := len(m.Attachments); n != 4 { // 25 MB of base64 holds 3.6 parts of 5 MB
		t.Errorf("attachments %d", n)
	}
	if held > 2*int64(len(raw)) {
		t.Errorf("result holds %d bytes for a %d byte mail", held, len(raw))
	}
	if peak > 8*int64(len(raw)) {
		t.Errorf("peak heap growth %d bytes for a %d byte mail", peak, len(raw))
	}
}
