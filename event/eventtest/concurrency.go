package eventtest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/event"
)

// Writers append from many goroutines while readers read after the last
// sequence they saw. Every reader must find each next page starting right
// after what it has seen: a sequence that appeared behind one already read
// would be lost to every subscriber past it.
func testConcurrentAppends(t *testing.T, f *fixture) {
	const writers, rounds, readers = 8, 12, 3
	var appended sync.Map // id -> true
	var writing atomic.Int32
	writing.Store(writers)
	var wg sync.WaitGroup
	errs := make(chan error, writers*rounds)
	for w := range writers {
		wg.Go(func() {
			defer writing.Add(-1)
			for r := range rounds {
				batch := events(1+(w+r)%3, start)
				if err := f.append(f.ctx, batch...); err != nil {
					errs <- err
					return
				}
				for _, e := range batch {
					appended.Store(e.ID, true)
				}
			}
		})
	}
	seen := make([][]event.Envelope, readers)
	readErrs := make([]error, readers)
	for r := range readers {
		wg.Go(func() {
			var last int64
			for {
				done := writing.Load() == 0 // read once more after the writers finish
				page, err := f.log.Read(f.ctx, last, 7)
				if err != nil {
					readErrs[r] = err
					return
				}
				for _, e := range page {
					if e.Sequence != last+1 {
						readErrs[r] = errGap{after: last, got: e.Sequence}
						return
					}
					last = e.Sequence
				}
				seen[r] = append(seen[r], page...)
				if done && len(page) == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	for _, err := range readErrs {
		require.NoError(t, err)
	}

	var want int
	appended.Range(func(any, any) bool { want++; return true })
	all := f.read(0)
	require.Len(t, all, want, "every appended event is read exactly once")
	unique := map[uuid.UUID]bool{}
	for _, e := range all {
		unique[e.ID] = true
		_, ok := appended.Load(e.ID)
		require.True(t, ok)
	}
	require.Len(t, unique, want)
	for r := range readers {
		require.Equal(t, ids(all), ids(seen[r]), "reader %d saw the same events at the same sequences", r)
		require.Equal(t, sequences(all), sequences(seen[r]))
	}
}

type errGap struct{ after, got int64 }

func (e errGap) Error() string {
	return fmt.Sprintf("read sequence %d right after %d", e.got, e.after)
}
