package email

import (
	"context"
	"sync"
)

// Sequence ingests mails one after another and in order, as an import of a
// mailbox or an IMAP folder needs (a reply must find the mail it answers
// already stored), while overlapping the two halves of Ingest: the next
// mail is stored raw, parsed and prepared on the caller's goroutine while
// the previous one is added to its conversation on the Sequence's own. On
// a two-core machine that roughly doubles the throughput of one ingester.
// Results reach done in the mails' order, on the Sequence's goroutine.
// A Sequence is used by one goroutine: Add, then Close once.
type Sequence struct {
	ctx   context.Context
	s     *Service
	inbox int64
	src   string
	next  chan *received
	wg    sync.WaitGroup
}

// NewSequence starts a sequence of mails for inbox inboxID from source
// (SourceImport, SourceIMAP …); done receives each mail's Ingest result.
func (s *Service) NewSequence(ctx context.Context, inboxID int64, source string, done func(Result, error)) *Sequence {
	q := &Sequence{ctx: ctx, s: s, inbox: inboxID, src: source, next: make(chan *received, 1)}
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		for r := range q.next {
			done(s.complete(ctx, r))
		}
	}()
	return q
}

// Add stores and parses raw now and queues it to be added after the mails
// added before it. It blocks while the previous mail is still being added
// and returns the context's error once it is done.
func (q *Sequence) Add(raw []byte) error {
	if err := q.ctx.Err(); err != nil {
		return err
	}
	r := q.s.receive(q.ctx, q.inbox, raw, q.src)
	select {
	case q.next <- r:
		return nil
	case <-q.ctx.Done():
		return q.ctx.Err()
	}
}

// Close waits until every mail added has been processed.
func (q *Sequence) Close() {
	close(q.next)
	q.wg.Wait()
}
