package email

import (
	"context"
	"sync"

	"github.com/kesherdesk/kesher/internal/inbox"
)

// Sequence ingests mails one after another and in order, as an import of a
// mailbox or an IMAP folder needs (a reply must find the mail it answers
// already stored), in a three-stage pipeline: the caller stores each mail
// raw, a second goroutine parses and prepares it (only once its raw bytes
// are committed), and a third adds it to its conversation. Each stage
// keeps the mails' order, and parsing (CPU) overlaps with the store's
// writes, which roughly doubles one ingester's throughput on two cores.
// Results reach done in the mails' order, on the last stage's goroutine.
// A Sequence is used by one goroutine: Add, then Close once.
type Sequence struct {
	ctx context.Context
	s   *Service
	// box is the inbox, looked up once for the whole sequence (boxErr:
	// why it cannot take mail; every mail then gets that error).
	box    inbox.Inbox
	boxErr error
	src    string
	stored chan *received
	wg     sync.WaitGroup
}

// sequenceDepth is how many mails may wait between two stages.
const sequenceDepth = 8

// NewSequence starts a sequence of mails for inbox inboxID from source
// (SourceImport, SourceIMAP …); done receives each mail's Ingest result.
func (s *Service) NewSequence(ctx context.Context, inboxID int64, source string, done func(Result, error)) *Sequence {
	q := &Sequence{ctx: ctx, s: s, src: source, stored: make(chan *received, sequenceDepth)}
	q.box, q.boxErr = s.emailInbox(ctx, inboxID)
	prepared := make(chan *received, sequenceDepth)
	q.wg.Add(2)
	go func() {
		defer q.wg.Done()
		defer close(prepared)
		for r := range q.stored {
			prepared <- s.prepare(ctx, r)
		}
	}()
	go func() {
		defer q.wg.Done()
		for r := range prepared {
			done(s.complete(ctx, r))
		}
	}()
	return q
}

// Add stores raw now and queues it to be parsed and added after the mails
// added before it. It blocks while the pipeline is full and returns the
// context's error once it is done (mails stored but not yet added stay
// "received" and are resumed when ingested again).
func (q *Sequence) Add(raw []byte) error {
	if err := q.ctx.Err(); err != nil {
		return err
	}
	r := q.s.storeIn(q.ctx, q.box, q.boxErr, raw, q.src)
	select {
	case q.stored <- r:
		return nil
	case <-q.ctx.Done():
		return q.ctx.Err()
	}
}

// Close waits until every mail added has been processed.
func (q *Sequence) Close() {
	close(q.stored)
	q.wg.Wait()
}
