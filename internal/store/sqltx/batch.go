package sqltx

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"sync"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
)

// Batcher runs writes in shared transactions (group commit): one goroutine
// takes every write queued while the last batch committed and runs each in
// its own SAVEPOINT of one transaction, which it then commits, so they share
// one fsync. Each write is still all-or-nothing: its error or panic rolls
// back to its savepoint, and it is acknowledged only once the batch has
// committed.
type Batcher struct {
	d     *Dialect
	db    *DB
	opts  *sql.TxOptions
	queue chan *job
	quit  chan struct{}
	done  chan struct{}
}

// maxBatch bounds the writes of one transaction, so that one batch does
// not hold the others' answers back for long.
const maxBatch = 64

type job struct {
	ctx   context.Context
	fn    func(portal.Tx) error
	clock portal.Clock
	err   error
	panic any // what fn panicked with, to panic with again in Run
	ended chan struct{}
}

// NewBatcher starts the goroutine that writes to db, in transactions begun
// with opts; Close stops it.
func (d *Dialect) NewBatcher(db *DB, opts *sql.TxOptions) *Batcher {
	b := &Batcher{d: d, db: db, opts: opts, queue: make(chan *job), quit: make(chan struct{}), done: make(chan struct{})}
	go b.loop()
	return b
}

// Run runs fn in the next batch and returns once that batch has committed
// or fn has failed. The transaction's time is clock's (portal.SystemClock's
// if nil). ctx cancels the wait for a batch; once fn runs, it runs to the
// end, as interrupting a statement would roll the whole batch back.
func (b *Batcher) Run(ctx context.Context, clock portal.Clock, fn func(portal.Tx) error) error {
	if clock == nil {
		clock = portal.SystemClock
	}
	j := &job{ctx: ctx, fn: fn, clock: clock, ended: make(chan struct{})}
	select {
	case b.queue <- j:
	case <-ctx.Done():
		return ctx.Err()
	case <-b.quit:
		return fmt.Errorf("%s: the store is closed", b.d.Name)
	}
	<-j.ended
	if j.panic != nil {
		panic(j.panic)
	}
	return j.err
}

// Close stops taking writes, after the batch under way.
func (b *Batcher) Close() {
	close(b.quit)
	<-b.done
}

func (b *Batcher) loop() {
	defer close(b.done)
	for {
		var batch []*job
		select {
		case j := <-b.queue:
			batch = append(batch, j)
		case <-b.quit:
			return
		}
	more:
		for len(batch) < maxBatch {
			select {
			case j := <-b.queue:
				batch = append(batch, j)
			default:
				break more
			}
		}
		b.commit(batch)
	}
}

// commit runs a batch in one transaction and ends its jobs.
func (b *Batcher) commit(batch []*job) {
	ctx := context.Background()
	var ran []*tx
	defer func() {
		for _, j := range batch {
			close(j.ended)
		}
		for _, t := range ran {
			t.prepareWhatRanUnprepared()
		}
	}()
	fail := func(err error) {
		for _, j := range batch {
			if j.err == nil && j.panic == nil {
				j.err = err
			}
		}
	}
	sqlTx, err := b.db.BeginTx(ctx, b.opts)
	if err != nil {
		fail(fmt.Errorf("%s: begin: %w", b.d.Name, err))
		return
	}
	defer func() { _ = sqlTx.Rollback() }()
	// The sites locked by the writes that committed so far: the lock lasts
	// as long as the transaction, so the next write starts with them and
	// does not lock and read them again. What a write that failed locked or
	// changed was rolled back with it, and is not passed on.
	locked := map[string]contract.Site{}
	for _, j := range batch {
		if j.err = j.ctx.Err(); j.err != nil {
			continue
		}
		t := b.d.newTx(context.WithoutCancel(j.ctx), b.db, sqlTx, j.clock())
		maps.Copy(t.locked, locked)
		if err := b.savepoint(t, j, len(ran) > 0); err != nil {
			fail(fmt.Errorf("%s: savepoint: %w", b.d.Name, err))
			return
		}
		if j.err == nil && j.panic == nil {
			locked = t.locked
		}
		ran = append(ran, t)
	}
	if err := sqlTx.Commit(); err != nil {
		fail(fmt.Errorf("%s: commit: %w", b.d.Name, err))
	}
}

// savepoint runs j's fn in a savepoint of t's transaction, rolled back if
// fn fails or panics. The savepoint of the write before, if any (after),
// is released by the statement that opens this one, and the last by the
// commit: one round trip per write, not two. Its error is the savepoint's
// own, which breaks the whole batch; fn's is j's.
func (b *Batcher) savepoint(t *tx, j *job, after bool) (err error) {
	open := "SAVEPOINT write"
	if after {
		open = "RELEASE write; SAVEPOINT write"
	}
	if _, err := t.tx.ExecContext(t.ctx, open); err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			j.panic = p
		}
		if j.err != nil || j.panic != nil {
			_, err = t.tx.ExecContext(t.ctx, "ROLLBACK TO write")
		}
	}()
	j.err = j.fn(t)
	return nil
}

// SiteBatchers runs the writes of each site in batches of their own, on a
// pool of many connections: a Batcher for each site with writes under way,
// stopped when its last write has returned. The writers of different sites
// then run side by side, and a batch only ever takes the lock of one site:
// two batches that each locked several sites, in two processes, could
// deadlock. Site names come from requests, so no Batcher outlives its
// writes.
type SiteBatchers struct {
	d    *Dialect
	db   *DB
	opts *sql.TxOptions

	mu   sync.Mutex
	live map[string]*siteBatcher
}

type siteBatcher struct {
	*Batcher
	writes int // Run calls using it
}

// NewSiteBatchers writes to db in transactions begun with opts.
func (d *Dialect) NewSiteBatchers(db *DB, opts *sql.TxOptions) *SiteBatchers {
	return &SiteBatchers{d: d, db: db, opts: opts, live: map[string]*siteBatcher{}}
}

// Run runs fn in the next batch of site's writes (see Batcher.Run).
func (s *SiteBatchers) Run(ctx context.Context, site string, clock portal.Clock, fn func(portal.Tx) error) error {
	s.mu.Lock()
	b := s.live[site]
	if b == nil {
		b = &siteBatcher{Batcher: s.d.NewBatcher(s.db, s.opts)}
		s.live[site] = b
	}
	b.writes++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		b.writes--
		idle := b.writes == 0
		if idle {
			delete(s.live, site)
		}
		s.mu.Unlock()
		if idle {
			b.Close()
		}
	}()
	return b.Run(ctx, clock, fn)
}
