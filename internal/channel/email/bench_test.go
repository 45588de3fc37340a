package email_test

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"sync/atomic"
	"testing"

	"github.com/kesherdesk/kesher/internal/channel/email"
	"github.com/kesherdesk/kesher/internal/testkit"
)

var messageIDHeader = regexp.MustCompile(`(?im)^message-id:`)

// withMessageID returns raw with a fresh Message-ID header first and any
// earlier one renamed, so the pipeline's dedupe does not short-circuit.
func withMessageID(raw []byte, id string) []byte {
	eol := "\r\n"
	if i := bytes.IndexByte(raw, '\n'); i <= 0 || raw[i-1] != '\r' {
		eol = "\n"
	}
	out := make([]byte, 0, len(raw)+80)
	out = append(out, "Message-ID: <"+id+">"+eol...)
	return append(out, messageIDHeader.ReplaceAll(raw, []byte("X-Original-Message-ID:"))...)
}

// BenchmarkIngest measures parse + store throughput through
// Service.Ingest on each store: "corpus" ingests every corpus mail per
// iteration (fresh Message-IDs, so each one is stored and processed
// again), "typical" ingests one generated 11 KB Hebrew multipart reply
// (email.SampleMail) per iteration. msgs/s is the throughput.
func BenchmarkIngest(b *testing.B) {
	corpus := loadCorpus(b)
	for _, be := range testkit.Backends() {
		b.Run(be.Name+"/corpus", func(b *testing.B) {
			f := setup(b, be.Open(b))
			ctx := context.Background()
			var bytesIn int64
			for _, m := range corpus {
				bytesIn += int64(len(m.Raw))
			}
			b.SetBytes(bytesIn)
			b.ResetTimer()
			for i := range b.N {
				for j, m := range corpus {
					raw := withMessageID(m.Raw, fmt.Sprintf("bench.%d.%d@bench.example", i, j))
					if _, err := f.svc.Ingest(ctx, f.box.ID, raw, email.SourceImport); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.N*len(corpus))/b.Elapsed().Seconds(), "msgs/s")
		})
		b.Run(be.Name+"/typical", func(b *testing.B) {
			f := setup(b, be.Open(b))
			ctx := context.Background()
			mails := sampleMails(b.N)
			b.SetBytes(int64(len(mails[0])))
			b.ResetTimer()
			for i := range b.N {
				res, err := f.svc.Ingest(ctx, f.box.ID, mails[i], email.SourceSMTP)
				if err != nil || res.Status != email.StatusParsed {
					b.Fatalf("%+v %v", res, err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
		// One ordered source (an import): the next mail is parsed while
		// the previous one is stored.
		b.Run(be.Name+"/typical-sequence", func(b *testing.B) {
			f := setup(b, be.Open(b))
			ctx := context.Background()
			mails := sampleMails(b.N)
			b.SetBytes(int64(len(mails[0])))
			b.ResetTimer()
			seq := f.svc.NewSequence(ctx, f.box.ID, email.SourceImport, func(res email.Result, err error) {
				if err != nil || res.Status != email.StatusParsed {
					b.Errorf("%+v %v", res, err)
				}
			})
			for _, raw := range mails {
				if err := seq.Add(raw); err != nil {
					b.Fatal(err)
				}
			}
			seq.Close()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
		// Concurrent receivers (SMTP sessions, IMAP and import at once):
		// 4 goroutines per CPU; parsing runs in parallel and the store
		// groups their commits.
		b.Run(be.Name+"/typical-parallel", func(b *testing.B) {
			f := setup(b, be.Open(b))
			ctx := context.Background()
			var seq atomic.Int64
			mails := sampleMails(b.N)
			b.SetBytes(int64(len(mails[0])))
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					res, err := f.svc.Ingest(ctx, f.box.ID, mails[int(seq.Add(1))-1], email.SourceSMTP)
					if err != nil || res.Status != email.StatusParsed {
						b.Errorf("%+v %v", res, err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

// sampleMails generates n typical mails (email.SampleMail) before a
// benchmark's clock starts, so only parse + store is timed.
func sampleMails(n int) [][]byte {
	mails := make([][]byte, n)
	for i := range mails {
		mails[i] = email.SampleMail(i)
	}
	return mails
}
