package email_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/kesherdesk/kesher/internal/channel/email"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestSequenceKeepsOrder: a Sequence parses the next mail while the
// previous one is stored, yet each reply, added right after the mail it
// answers, must find that mail's conversation (threading needs the order),
// and results arrive in the order the mails were added.
func TestSequenceKeepsOrder(t *testing.T) {
	for _, be := range testkit.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			f := setup(t, be.Open(t))
			ctx := context.Background()
			const pairs = 40
			var results []email.Result
			seq := f.svc.NewSequence(ctx, f.box.ID, email.SourceImport, func(res email.Result, err error) {
				if err != nil {
					t.Errorf("ingest: %v", err)
				}
				results = append(results, res)
			})
			for i := range pairs {
				orig := mail([]string{fmt.Sprintf("From: c%d@example.com", i), "To: support@kesher.example",
					fmt.Sprintf("Subject: order %d", i), fmt.Sprintf("Message-ID: <orig%d@example.com>", i)}, "where is my order?")
				// A different subject: only In-Reply-To can thread it.
				reply := mail([]string{fmt.Sprintf("From: c%d@example.com", i), "To: support@kesher.example",
					"Subject: one more thing", fmt.Sprintf("Message-ID: <reply%d@example.com>", i),
					fmt.Sprintf("In-Reply-To: <orig%d@example.com>", i)}, "and the invoice too")
				for _, raw := range [][]byte{orig, reply} {
					if err := seq.Add(raw); err != nil {
						t.Fatal(err)
					}
				}
			}
			seq.Close()
			if len(results) != 2*pairs {
				t.Fatalf("%d results, want %d", len(results), 2*pairs)
			}
			for i := range pairs {
				orig, reply := results[2*i], results[2*i+1]
				if orig.Status != email.StatusParsed || !orig.Created || reply.Status != email.StatusParsed || reply.Created {
					t.Fatalf("pair %d: original %+v, reply %+v", i, orig, reply)
				}
				if reply.ConversationID != orig.ConversationID {
					t.Errorf("pair %d: reply in conversation %d, original in %d", i, reply.ConversationID, orig.ConversationID)
				}
				if i > 0 && orig.RawID <= results[2*i-1].RawID {
					t.Errorf("pair %d: results out of order (raw %d after %d)", i, orig.RawID, results[2*i-1].RawID)
				}
			}
		})
	}
}
