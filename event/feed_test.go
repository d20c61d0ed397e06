package event_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/internal/memoutbox"
)

// newFeed returns a Feed over a memory outbox holding n events.
func newFeed(t *testing.T, n int) (*event.Feed, *memoutbox.Outbox[event.Envelope]) {
	t.Helper()
	o := memoutbox.New("test", memoutbox.Stored)
	for range n {
		e, err := event.New("test.happened", 1, time.Now(), struct{}{})
		require.NoError(t, err)
		o.Append(e)
	}
	return event.NewFeed(o), o
}

func accept(context.Context, event.Envelope) error { return nil }

func TestSubscribeChecksItsArguments(t *testing.T) {
	ctx := context.Background()
	feed, _ := newFeed(t, 0)
	require.NoError(t, feed.Subscribe(ctx, "risk", accept))
	require.ErrorIs(t, feed.Subscribe(ctx, "risk", accept), event.ErrDuplicate)
	requireField(t, feed.Subscribe(ctx, "", accept), "name")
	requireField(t, feed.Subscribe(ctx, strings.Repeat("x", event.MaxNameLength+1), accept), "name")
	require.NoError(t, feed.Subscribe(ctx, strings.Repeat("x", event.MaxNameLength), accept))
	requireField(t, feed.Subscribe(ctx, "analytics", nil), "handler")
	_, err := feed.Cursor(ctx, "analytics")
	require.ErrorIs(t, err, event.ErrUnknownCursor, "a refused subscription registers nothing")
}

func TestUnsubscribeRetiresTheCursor(t *testing.T) {
	ctx := context.Background()
	feed, _ := newFeed(t, 3)
	var seen atomic.Int32
	require.NoError(t, feed.Subscribe(ctx, "risk", func(context.Context, event.Envelope) error { seen.Add(1); return nil }))
	require.NoError(t, feed.Unsubscribe(ctx, "risk"))
	n, err := feed.Deliver(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
	_, err = feed.Cursor(ctx, "risk")
	require.ErrorIs(t, err, event.ErrUnknownCursor)
	pruned, err := feed.Prune(ctx, time.Now().Add(time.Hour))
	require.NoError(t, err)
	require.Equal(t, 3, pruned, "nothing waits for a retired subscriber")

	require.NoError(t, feed.Subscribe(ctx, "risk", accept), "the name is free again")
	requireField(t, feed.Unsubscribe(ctx, ""), "name")
}

func TestReadChecksItsArguments(t *testing.T) {
	ctx := context.Background()
	feed, _ := newFeed(t, 3)
	got, err := feed.Read(ctx, 1, 10)
	require.NoError(t, err)
	require.Len(t, got, 2)
	_, err = feed.Read(ctx, -1, 10)
	requireField(t, err, "after")
	for _, limit := range []int{0, event.PageSize + 1} {
		_, err = feed.Read(ctx, 0, limit)
		requireField(t, err, "limit")
	}
}

func TestRunDeliversUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	feed, o := newFeed(t, 2)
	seen := make(chan event.Envelope, 10)
	refusals := 1
	require.NoError(t, feed.Subscribe(ctx, "risk", func(_ context.Context, e event.Envelope) error {
		if e.Sequence == 2 && refusals > 0 {
			refusals--
			return errors.New("not now")
		}
		seen <- e
		return nil
	}))
	heard := make(chan error, 10)
	done := make(chan error)
	go func() { done <- feed.Run(ctx, time.Millisecond, func(err error) { heard <- err }) }()

	require.Equal(t, int64(1), (<-seen).Sequence)
	require.ErrorContains(t, <-heard, `subscriber "risk": not now`)
	require.Equal(t, int64(2), (<-seen).Sequence, "retried on a later round")
	e, err := event.New("test.happened", 1, time.Now(), struct{}{})
	require.NoError(t, err)
	o.Append(e)
	require.Equal(t, e.ID, (<-seen).ID, "new events are picked up")
	cancel()
	require.NoError(t, <-done)

	requireField(t, feed.Run(context.Background(), 0, nil), "interval")
}
