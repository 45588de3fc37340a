package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// t0 is the fake clock's start: 2026-01-01 09:00:00 UTC.
var t0 = time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)

// quiet is how long a test waits to see that nothing happens: several polls.
const quiet = 60 * time.Millisecond

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func newRunner(d *db.DB, c *clock, worker string) *Runner {
	o := Options{WorkerID: worker, PollInterval: 5 * time.Millisecond, LockFor: time.Minute, Log: testkit.Logger()}
	if c != nil {
		o.Now = c.Now
	}
	return NewRunner(d, o)
}

// start runs r until the returned stop is called (or the test ends); stop
// returns once Run has returned.
func start(t *testing.T, r *Runner) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Errorf("Run did not stop")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func mustSchedule(t *testing.T, d *db.DB, j Job) Job {
	t.Helper()
	var out Job
	err := d.WriteTx(context.Background(), func(tx *db.Tx) error {
		var err error
		out, _, err = Schedule(context.Background(), tx, j)
		return err
	})
	if err != nil {
		t.Fatalf("schedule: %v", err)
	}
	return out
}

func status(t *testing.T, d *db.DB, id int64) Status {
	t.Helper()
	s, err := GetStatus(context.Background(), d.R(), id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.R().QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// createEffects makes the table handlers write their effect rows to.
func createEffects(t *testing.T, d *db.DB) {
	t.Helper()
	err := d.WriteTx(context.Background(), func(tx *db.Tx) error {
		_, err := tx.Exec(context.Background(), `CREATE TABLE job_effects (job_id BIGINT NOT NULL, worker TEXT NOT NULL)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func writeEffect(ctx context.Context, tx *db.Tx, j Job, worker string) error {
	_, err := tx.Exec(ctx, `INSERT INTO job_effects (job_id, worker) VALUES (?, ?)`, j.ID, worker)
	return err
}

func effects(t *testing.T, d *db.DB, id int64) int {
	t.Helper()
	return count(t, d, `SELECT COUNT(*) FROM job_effects WHERE job_id = ?`, id)
}

func TestJobRunsAtRunAtNotBefore(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		c := &clock{t: t0}
		j := mustSchedule(t, d, Job{Kind: "sla.breach", Payload: map[string]any{"conversation_id": 42}, RunAt: t0.Add(10 * time.Second)})
		type run struct {
			at   time.Time
			conv int
			j    Job
		}
		ran := make(chan run, 4)
		r := newRunner(d, c, "w1")
		r.Register("sla.breach", func(ctx context.Context, tx *db.Tx, j Job) error {
			var p struct {
				ConversationID int `json:"conversation_id"`
			}
			if err := j.Decode(&p); err != nil {
				return err
			}
			ran <- run{c.Now(), p.ConversationID, j}
			return nil
		})
		start(t, r)

		for _, now := range []time.Time{t0, t0.Add(10*time.Second - time.Millisecond)} {
			c.Set(now)
			r.Wake()
			select {
			case got := <-ran:
				t.Fatalf("job ran at %v, before its run_at %v", got.at, j.RunAt)
			case <-time.After(quiet):
			}
		}
		c.Set(t0.Add(10 * time.Second))
		r.Wake()
		select {
		case got := <-ran:
			if !got.at.Equal(t0.Add(10*time.Second)) || got.conv != 42 || got.j.ID != j.ID || got.j.Attempts != 1 || got.j.Kind != "sla.breach" {
				t.Fatalf("ran %+v, want at %v conversation 42 job %d attempt 1", got, t0.Add(10*time.Second), j.ID)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("due job did not run")
		}
		waitFor(t, "done_at", func() bool { return !status(t, d, j.ID).DoneAt.IsZero() })
		s := status(t, d, j.ID)
		if !s.DoneAt.Equal(t0.Add(10*time.Second)) || s.Attempts != 1 || s.LockedBy != "" || !s.LockedUntil.IsZero() || !s.DeadAt.IsZero() {
			t.Fatalf("status = %+v", s)
		}
	})
}

func TestUniqueKeyDedupes(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		const key = "sla:conversation:42:first_response"
		var first, second Job
		var c1, c2 bool
		err := d.WriteTx(ctx, func(tx *db.Tx) error {
			var err error
			if first, c1, err = Schedule(ctx, tx, Job{Kind: "sla.breach", UniqueKey: key, RunAt: t0, Payload: map[string]int{"n": 1}}); err != nil {
				return err
			}
			second, c2, err = Schedule(ctx, tx, Job{Kind: "sla.breach", UniqueKey: key, RunAt: t0.Add(time.Hour), Payload: map[string]int{"n": 2}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if !c1 || c2 || second.ID != first.ID || !second.RunAt.Equal(t0) || string(second.Payload.(json.RawMessage)) != `{"n":1}` {
			t.Fatalf("first %+v (created %v), second %+v (created %v)", first, c1, second, c2)
		}
		// A later transaction gets the same answer.
		var third Job
		var c3 bool
		if err := d.WriteTx(ctx, func(tx *db.Tx) error {
			var err error
			third, c3, err = Schedule(ctx, tx, Job{Kind: "sla.breach", UniqueKey: key, RunAt: t0.Add(2 * time.Hour)})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if c3 || third.ID != first.ID || third.UniqueKey != key || third.MaxAttempts != DefaultMaxAttempts {
			t.Fatalf("third %+v created %v", third, c3)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM jobs WHERE unique_key = ?`, key); n != 1 {
			t.Fatalf("%d rows with the key, want 1", n)
		}

		c := &clock{t: t0}
		var mu sync.Mutex
		runs := 0
		r := newRunner(d, c, "w1")
		r.Register("sla.breach", func(ctx context.Context, tx *db.Tx, j Job) error {
			mu.Lock()
			runs++
			mu.Unlock()
			return nil
		})
		stop := start(t, r)
		waitFor(t, "done", func() bool { return !status(t, d, first.ID).DoneAt.IsZero() })
		time.Sleep(quiet)
		stop()
		if runs != 1 {
			t.Fatalf("handler ran %d times, want 1", runs)
		}

		// Cancel: a done job is not pending; a pending one is removed and its
		// key can be scheduled again.
		var cancelledDone, cancelledPending bool
		var again Job
		var cAgain bool
		pending := mustSchedule(t, d, Job{Kind: "survey.send", UniqueKey: "survey:7", RunAt: t0.Add(time.Hour)})
		if err := d.WriteTx(ctx, func(tx *db.Tx) error {
			var err error
			if cancelledDone, err = Cancel(ctx, tx, key); err != nil {
				return err
			}
			if cancelledPending, err = Cancel(ctx, tx, "survey:7"); err != nil {
				return err
			}
			again, cAgain, err = Schedule(ctx, tx, Job{Kind: "survey.send", UniqueKey: "survey:7", RunAt: t0.Add(2 * time.Hour)})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if cancelledDone || !cancelledPending || !cAgain || again.ID == pending.ID || !again.RunAt.Equal(t0.Add(2*time.Hour)) {
			t.Fatalf("cancel done %v, cancel pending %v, rescheduled %+v created %v (old id %d)", cancelledDone, cancelledPending, again, cAgain, pending.ID)
		}
	})
}

func TestRolledBackScheduleNeverRuns(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		errBusiness := errors.New("business change failed")
		err := d.WriteTx(ctx, func(tx *db.Tx) error {
			if _, _, err := Schedule(ctx, tx, Job{Kind: "rule.run", UniqueKey: "rolled-back", RunAt: t0}); err != nil {
				return err
			}
			return errBusiness
		})
		if !errors.Is(err, errBusiness) {
			t.Fatalf("WriteTx = %v", err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM jobs`); n != 0 {
			t.Fatalf("%d jobs after rollback, want 0", n)
		}
		control := mustSchedule(t, d, Job{Kind: "rule.run", UniqueKey: "committed", RunAt: t0})

		var mu sync.Mutex
		var keys []string
		r := newRunner(d, &clock{t: t0.Add(time.Hour)}, "w1")
		r.Register("rule.run", func(ctx context.Context, tx *db.Tx, j Job) error {
			mu.Lock()
			keys = append(keys, j.UniqueKey)
			mu.Unlock()
			return nil
		})
		stop := start(t, r)
		waitFor(t, "control job done", func() bool { return !status(t, d, control.ID).DoneAt.IsZero() })
		time.Sleep(quiet)
		stop()
		if len(keys) != 1 || keys[0] != "committed" {
			t.Fatalf("ran %q, want only [committed]", keys)
		}
	})
}

func TestFailingJobBacksOffAndDies(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		createEffects(t, d)
		c := &clock{t: t0}
		j := mustSchedule(t, d, Job{Kind: "mail.poll", RunAt: t0, MaxAttempts: 3})
		var mu sync.Mutex
		var seen []Job
		r := newRunner(d, c, "w1")
		r.Register("mail.poll", func(ctx context.Context, tx *db.Tx, j Job) error {
			mu.Lock()
			seen = append(seen, j)
			mu.Unlock()
			// The effect must roll back with the failed attempt.
			if err := writeEffect(ctx, tx, j, "w1"); err != nil {
				return err
			}
			return fmt.Errorf("imap: connection refused (attempt %d)", j.Attempts)
		})
		start(t, r)

		var delays []time.Duration
		failAt := t0
		for attempt := 1; attempt <= 2; attempt++ {
			waitFor(t, fmt.Sprintf("failure %d", attempt), func() bool {
				s := status(t, d, j.ID)
				return s.Attempts == attempt && s.LockedBy == ""
			})
			s := status(t, d, j.ID)
			want := fmt.Sprintf("imap: connection refused (attempt %d)", attempt)
			if s.LastError != want || !s.DeadAt.IsZero() || !s.DoneAt.IsZero() {
				t.Fatalf("after attempt %d: %+v", attempt, s)
			}
			delay := s.RunAt.Sub(failAt)
			lo := time.Second << (attempt - 1)
			if delay < lo || delay > lo+lo/4 {
				t.Fatalf("delay after attempt %d = %v, want in [%v, %v]", attempt, delay, lo, lo+lo/4)
			}
			delays = append(delays, delay)
			// Not a millisecond early.
			c.Set(s.RunAt.Add(-time.Millisecond))
			r.Wake()
			time.Sleep(quiet)
			if st := status(t, d, j.ID); st.Attempts != attempt {
				t.Fatalf("retry ran early: attempts %d", st.Attempts)
			}
			failAt = s.RunAt
			c.Set(s.RunAt)
			r.Wake()
		}
		if delays[1] <= delays[0] {
			t.Fatalf("delays did not grow: %v", delays)
		}
		waitFor(t, "dead", func() bool { return !status(t, d, j.ID).DeadAt.IsZero() })
		s := status(t, d, j.ID)
		if s.Attempts != 3 || s.LastError != "imap: connection refused (attempt 3)" || !s.DeadAt.Equal(failAt) || !s.DoneAt.IsZero() || s.LockedBy != "" {
			t.Fatalf("dead job: %+v", s)
		}
		// Dead jobs are kept and never run again.
		c.Set(t0.Add(48 * time.Hour))
		r.Wake()
		time.Sleep(quiet)
		mu.Lock()
		defer mu.Unlock()
		if len(seen) != 3 {
			t.Fatalf("handler ran %d times, want 3", len(seen))
		}
		if seen[0].LastError != "" || seen[1].LastError != "imap: connection refused (attempt 1)" || seen[2].Attempts != 3 {
			t.Fatalf("handler saw %+v", seen)
		}
		if n := effects(t, d, j.ID); n != 0 {
			t.Fatalf("%d effects of failed attempts survived, want 0", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM jobs WHERE id = ?`, j.ID); n != 1 {
			t.Fatal("dead job deleted")
		}
	})
}

func TestBackoff(t *testing.T) {
	r := NewRunner(nil, Options{BackoffBase: time.Second, BackoffMax: time.Hour})
	for _, tc := range []struct {
		attempt int
		lo, hi  time.Duration
	}{
		{1, time.Second, 1250 * time.Millisecond},
		{2, 2 * time.Second, 2500 * time.Millisecond},
		{5, 16 * time.Second, 20 * time.Second},
		{12, 2048 * time.Second, 2560 * time.Second},
		{13, time.Hour, time.Hour}, // 4096 s is over the cap
		{200, time.Hour, time.Hour},
	} {
		for range 50 {
			if got := r.backoff(tc.attempt); got < tc.lo || got > tc.hi {
				t.Fatalf("backoff(%d) = %v, want in [%v, %v]", tc.attempt, got, tc.lo, tc.hi)
			}
		}
	}
}

func TestExactlyOnceAcrossRestart(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		createEffects(t, d)
		c := &clock{t: t0}

		// Crash: worker A claims the job, its handler writes the effect, and
		// the process dies before the transaction commits (modelled by a
		// panic that rolls the transaction back; nothing else is recorded).
		crashed := mustSchedule(t, d, Job{Kind: "survey.send", RunAt: t0})
		a := newRunner(d, c, "A")
		a.Register("survey.send", func(context.Context, *db.Tx, Job) error { return nil })
		claimed, err := a.claim(ctx, a.claimQuery(1), []string{"survey.send"}, 10)
		if err != nil || len(claimed) != 1 || claimed[0].ID != crashed.ID {
			t.Fatalf("claim = %+v, %v", claimed, err)
		}
		err = a.runHandler(ctx, func(ctx context.Context, tx *db.Tx, j Job) error {
			if err := writeEffect(ctx, tx, j, "A"); err != nil {
				return err
			}
			panic("power cut")
		}, claimed[0])
		if err == nil {
			t.Fatal("crashed handler reported success")
		}
		if s := status(t, d, crashed.ID); s.LockedBy != "A" || s.Attempts != 1 || !s.DoneAt.IsZero() || effects(t, d, crashed.ID) != 0 {
			t.Fatalf("after crash: %+v, effects %d", s, effects(t, d, crashed.ID))
		}

		// Restart as worker B: the job waits for A's lock to expire, then
		// runs once more; the effect exists exactly once.
		b := newRunner(d, c, "B")
		b.Register("survey.send", func(ctx context.Context, tx *db.Tx, j Job) error { return writeEffect(ctx, tx, j, "B") })
		stopB := start(t, b)
		time.Sleep(quiet)
		if n := effects(t, d, crashed.ID); n != 0 {
			t.Fatalf("ran under a live lock: %d effects", n)
		}
		c.Set(t0.Add(time.Minute)) // LockFor
		b.Wake()
		waitFor(t, "reclaimed job done", func() bool { return !status(t, d, crashed.ID).DoneAt.IsZero() })
		time.Sleep(quiet)
		stopB()
		if s := status(t, d, crashed.ID); s.Attempts != 2 || effects(t, d, crashed.ID) != 1 {
			t.Fatalf("after restart: %+v, effects %d, want 2 attempts and 1 effect", s, effects(t, d, crashed.ID))
		}

		// Stop: worker C is stopped while its handler is inside the
		// transaction, after writing the effect. The effect rolls back and
		// the job is given back; worker D runs it once.
		stopped := mustSchedule(t, d, Job{Kind: "survey.send", RunAt: t0})
		inside := make(chan struct{})
		cr := newRunner(d, c, "C")
		cr.Register("survey.send", func(ctx context.Context, tx *db.Tx, j Job) error {
			if err := writeEffect(ctx, tx, j, "C"); err != nil {
				return err
			}
			close(inside)
			<-ctx.Done()
			return ctx.Err()
		})
		stopC := start(t, cr)
		select {
		case <-inside:
		case <-time.After(10 * time.Second):
			t.Fatal("handler C did not start")
		}
		stopC()
		if s := status(t, d, stopped.ID); s.LockedBy != "" || s.Attempts != 0 || !s.DoneAt.IsZero() || effects(t, d, stopped.ID) != 0 {
			t.Fatalf("after stop: %+v, effects %d", s, effects(t, d, stopped.ID))
		}
		dr := newRunner(d, c, "D")
		dr.Register("survey.send", func(ctx context.Context, tx *db.Tx, j Job) error { return writeEffect(ctx, tx, j, "D") })
		stopD := start(t, dr)
		waitFor(t, "job done after restart", func() bool { return !status(t, d, stopped.ID).DoneAt.IsZero() })
		time.Sleep(quiet)
		stopD()
		if s := status(t, d, stopped.ID); s.Attempts != 1 || effects(t, d, stopped.ID) != 1 ||
			count(t, d, `SELECT COUNT(*) FROM job_effects WHERE job_id = ? AND worker = 'D'`, stopped.ID) != 1 {
			t.Fatalf("after restart: %+v, effects %d", s, effects(t, d, stopped.ID))
		}
	})
}

func TestTwoRunnersRunEachJobOnce(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		createEffects(t, d)
		const n = 200
		ids := make([]int64, 0, n)
		now := time.Now()
		if err := d.WriteTx(ctx, func(tx *db.Tx) error {
			for i := range n {
				j, _, err := Schedule(ctx, tx, Job{Kind: "rule.run", RunAt: now, UniqueKey: fmt.Sprintf("rule:%d", i)})
				if err != nil {
					return err
				}
				ids = append(ids, j.ID)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		runs := map[int64]int{}
		perWorker := map[string]int{}
		var runners []*Runner
		for _, w := range []string{"node-1", "node-2"} {
			r := newRunner(d, nil, w)
			r.Register("rule.run", func(ctx context.Context, tx *db.Tx, j Job) error {
				if err := writeEffect(ctx, tx, j, w); err != nil {
					return err
				}
				mu.Lock()
				runs[j.ID]++
				perWorker[w]++
				mu.Unlock()
				return nil
			})
			runners = append(runners, r)
		}
		stop1, stop2 := start(t, runners[0]), start(t, runners[1])
		waitFor(t, "all jobs done", func() bool {
			return count(t, d, `SELECT COUNT(*) FROM jobs WHERE done_at IS NOT NULL`) == n
		})
		time.Sleep(quiet)
		stop1()
		stop2()
		mu.Lock()
		defer mu.Unlock()
		for _, id := range ids {
			if runs[id] != 1 {
				t.Fatalf("job %d ran %d times, want 1", id, runs[id])
			}
		}
		if len(runs) != n {
			t.Fatalf("%d distinct jobs ran, want %d", len(runs), n)
		}
		if got := count(t, d, `SELECT COUNT(*) FROM job_effects`); got != n {
			t.Fatalf("%d effects, want %d", got, n)
		}
		if got := count(t, d, `SELECT COUNT(DISTINCT job_id) FROM job_effects`); got != n {
			t.Fatalf("%d distinct effects, want %d", got, n)
		}
		if got := count(t, d, `SELECT COUNT(*) FROM jobs WHERE attempts <> 1`); got != 0 {
			t.Fatalf("%d jobs with attempts != 1", got)
		}
		t.Logf("jobs per worker: %v", perWorker)
	})
}

func TestStaleLockIsReclaimed(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := &clock{t: t0}
		stale := mustSchedule(t, d, Job{Kind: "sla.breach", RunAt: t0.Add(-time.Hour)})
		live := mustSchedule(t, d, Job{Kind: "sla.breach", RunAt: t0.Add(-time.Hour)})
		last := mustSchedule(t, d, Job{Kind: "sla.breach", RunAt: t0.Add(-time.Hour), MaxAttempts: 1})
		lock := func(id int64, by string, until time.Time) {
			if err := d.WriteTx(ctx, func(tx *db.Tx) error {
				_, err := tx.Exec(ctx, `UPDATE jobs SET locked_by = ?, locked_until = ?, attempts = 1 WHERE id = ?`, by, until.UnixMilli(), id)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		lock(stale.ID, "crashed-worker", t0.Add(-time.Second))
		lock(live.ID, "busy-worker", t0.Add(time.Minute))
		lock(last.ID, "crashed-worker", t0.Add(-time.Second)) // its only attempt

		var mu sync.Mutex
		ran := map[int64]int{}
		r := newRunner(d, c, "w1")
		r.Register("sla.breach", func(ctx context.Context, tx *db.Tx, j Job) error {
			mu.Lock()
			ran[j.ID]++
			mu.Unlock()
			return nil
		})
		start(t, r)
		waitFor(t, "stale job done", func() bool { return !status(t, d, stale.ID).DoneAt.IsZero() })
		time.Sleep(quiet)
		if s := status(t, d, stale.ID); s.Attempts != 2 || !s.DoneAt.Equal(t0) {
			t.Fatalf("stale: %+v", s)
		}
		if s := status(t, d, live.ID); s.LockedBy != "busy-worker" || !s.DoneAt.IsZero() {
			t.Fatalf("live lock taken: %+v", s)
		}
		if s := status(t, d, last.ID); !s.DeadAt.Equal(t0) || s.LastError != "lock expired during the last attempt" || s.Attempts != 1 || s.LockedBy != "" {
			t.Fatalf("last attempt: %+v", s)
		}
		c.Set(t0.Add(time.Minute))
		r.Wake()
		waitFor(t, "live job done after its lock expired", func() bool { return !status(t, d, live.ID).DoneAt.IsZero() })
		mu.Lock()
		defer mu.Unlock()
		if ran[stale.ID] != 1 || ran[live.ID] != 1 || ran[last.ID] != 0 {
			t.Fatalf("runs %v", ran)
		}
	})
}

func TestRunnerScheduleWakesRunner(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := &clock{t: t0}
		// A poll interval far longer than the test: only the wake after
		// commit can make the job run.
		r := NewRunner(d, Options{WorkerID: "w1", PollInterval: time.Hour, Now: c.Now, Log: testkit.Logger()})
		ran := make(chan Job, 1)
		r.Register("csat.survey", func(ctx context.Context, tx *db.Tx, j Job) error {
			ran <- j
			return nil
		})
		start(t, r)
		time.Sleep(quiet) // let Run make its first (empty) pass and sleep
		var j Job
		if err := d.WriteTx(ctx, func(tx *db.Tx) error {
			var err error
			j, _, err = r.Schedule(ctx, tx, Job{Kind: "csat.survey", Payload: map[string]int{"conversation_id": 7}})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if !j.RunAt.Equal(t0) || !j.CreatedAt.Equal(t0) {
			t.Fatalf("scheduled %+v, want run_at and created_at %v (runner clock)", j, t0)
		}
		select {
		case got := <-ran:
			if got.ID != j.ID {
				t.Fatalf("ran job %d, want %d", got.ID, j.ID)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("job scheduled through the runner did not wake it")
		}
	})
}

// TestOutsideTxHandler: a handler registered with RegisterOutsideTx holds
// no transaction while it runs (other writes go on), is retried after a
// failure, and its job is done once it succeeds.
func TestOutsideTxHandler(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		r := NewRunner(d, Options{WorkerID: "w", PollInterval: 5 * time.Millisecond, BackoffBase: time.Millisecond,
			BackoffMax: 5 * time.Millisecond, Log: testkit.Logger()})
		release := make(chan struct{})
		var mu sync.Mutex
		runs := 0
		r.RegisterOutsideTx("slow", func(ctx context.Context, j Job) error {
			mu.Lock()
			runs++
			n := runs
			mu.Unlock()
			if n == 1 {
				return errors.New("receiver down")
			}
			<-release
			return nil
		})
		j := mustSchedule(t, d, Job{Kind: "slow"})
		start(t, r)
		waitFor(t, "the second run", func() bool { mu.Lock(); defer mu.Unlock(); return runs == 2 })
		// The handler is blocked; a write must still go through.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := d.WriteTx(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE jobs SET max_attempts = max_attempts WHERE id = ?`, j.ID)
			return err
		}); err != nil {
			t.Fatalf("a write while the handler runs: %v", err)
		}
		close(release)
		waitFor(t, "the job to be done", func() bool { return !status(t, d, j.ID).DoneAt.IsZero() })
		if s := status(t, d, j.ID); s.Attempts != 2 || s.LastError != "receiver down" {
			t.Fatalf("status = attempts %d, last error %q", s.Attempts, s.LastError)
		}
	})
}
