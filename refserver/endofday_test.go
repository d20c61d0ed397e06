package refserver

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
)

// The end-of-day step events.prune prunes the customer and the ledger
// feeds alike: what every subscriber has had, once the retention window
// has passed.
func TestEndOfDayPrunesEveryFeed(t *testing.T) {
	t.Parallel()
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			clock := calendar.NewManualClock(time.Now())
			b := newBankWithClock(t, storage, clock)
			teller := b.staff("teller")
			a := b.openAccount(teller, b.onboard(teller))
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": a, "amount": cny("10.00")}))

			feeds := map[string]*event.Feed{"customer": b.srv.customer.Events(), "ledger": b.srv.ledger.Events()}
			for name, feed := range feeds {
				require.NotEmpty(t, readAll(t, feed), name)
				require.NoError(t, feed.Subscribe(ctx, "risk", func(context.Context, event.Envelope) error { return nil }))
				_, err := feed.Deliver(ctx)
				require.NoError(t, err)
			}
			prune := func() {
				for _, step := range b.srv.endOfDaySteps() {
					if step.Name == "events.prune" {
						require.NoError(t, step.Run(ctx, calendar.DateOf(clock.Now())))
						return
					}
				}
				t.Fatal("no events.prune step")
			}
			prune()
			for name, feed := range feeds {
				require.NotEmpty(t, readAll(t, feed), "%s: kept within the retention window", name)
			}
			clock.Advance(eventRetention + 24*time.Hour)
			prune()
			for name, feed := range feeds {
				require.Empty(t, readAll(t, feed), "%s: pruned once delivered and old", name)
			}
		})
	}
}

func readAll(t *testing.T, feed *event.Feed) []event.Envelope {
	t.Helper()
	es, err := feed.Read(context.Background(), 0, event.PageSize)
	require.NoError(t, err)
	return es
}
