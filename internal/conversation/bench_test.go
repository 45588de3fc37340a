package conversation_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/loadgen"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// BenchmarkCreate measures Service.Create with a new contact each time from
// 8 concurrent goroutines, on each backend.
func BenchmarkCreate(b *testing.B) {
	for _, be := range testkit.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			core := app.NewCoreFromDB(be.Open(b), app.CoreOptions{Password: auth.FastPasswordParams, Store: db.Options{DataDir: b.TempDir()}}, testkit.Logger())
			ctx := context.Background()
			box, err := core.Inboxes.Create(ctx, audit.System, inbox.Input{Name: "API", Channel: "api"})
			if err != nil {
				b.Fatal(err)
			}
			var n atomic.Int64
			b.SetParallelism(4) // 4 × GOMAXPROCS(2) = 8 goroutines
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					_, _, err := core.Conversations.Create(ctx, audit.Actor{Type: "agent", ID: 0}, conversation.CreateInput{
						InboxID: box.ID, Subject: "Order has not arrived",
						Requester: conversation.RequesterInput{Email: fmt.Sprintf("c%d@example.com", i)},
						Message:   &conversation.MessageInput{Direction: "inbound", Body: "Hello, my order has not arrived."}})
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// BenchmarkList measures the inbox list (25 open conversations, newest
// first) over a store of KESHER_BENCH_CONVERSATIONS conversations (default
// 100,000; the closing-note figures use 1,000,000).
func BenchmarkList(b *testing.B) {
	size := 100_000
	if v, err := strconv.Atoi(os.Getenv("KESHER_BENCH_CONVERSATIONS")); err == nil && v > 0 {
		size = v
	}
	for _, be := range testkit.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			d := be.Open(b)
			core := app.NewCoreFromDB(d, app.CoreOptions{Password: auth.FastPasswordParams, Store: db.Options{DataDir: b.TempDir()}}, testkit.Logger())
			ctx := context.Background()
			if _, err := loadgen.Seed(ctx, d, size, nil); err != nil {
				b.Fatal(err)
			}
			for _, q := range []struct {
				name string
				p    conversation.ListParams
			}{
				{"open", conversation.ListParams{Statuses: []string{"open"}, Visibility: conversation.Visibility{All: true}}},
				{"open+pending/agent", conversation.ListParams{Statuses: []string{"open", "pending"}, Visibility: conversation.Visibility{AgentID: 1, TeamIDs: []int64{1}}}},
				{"all/updated", conversation.ListParams{Sort: "-updated_at", Visibility: conversation.Visibility{All: true}}},
				{"tag", conversation.ListParams{TagID: 1, Visibility: conversation.Visibility{All: true}}},
			} {
				b.Run(q.name, func(b *testing.B) {
					b.ResetTimer()
					for b.Loop() {
						res, err := core.Conversations.List(ctx, q.p)
						if err != nil || len(res.Data) != 25 {
							b.Fatalf("list: %d rows, %v", len(res.Data), err)
						}
					}
				})
			}
		})
	}
}
