package refserver

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger/clearing"
)

// TestSendDueTimer: the SendDue timer sends a bulk payment at its cut-off
// and not before, skips a tick while the run lease is held (end of day, or
// another process on the database), and stops when told to; driven by a
// tick channel of the test's and the server's manual clock.
func TestSendDueTimer(t *testing.T) {
	t.Parallel()
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			// Monday 2026-03-09 12:30 in Beijing: BEPS's next cut-off is 13:00.
			clock := calendar.NewManualClock(time.Date(2026, time.March, 9, 12, 30, 0, 0, clearing.Beijing))
			b := newChannelBank(t, storage, clock)
			teller, fin := b.staff("teller"), b.staff("finance")
			a := b.openAccount(teller, b.onboard(teller))
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": a, "amount": cny("100000.00")}))
			to := map[string]any{"bank_code": "0102", "account_number": "6222000011112222", "name": "Li Wei"}
			bulk := b.must(201, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": a, "to_external": to, "amount": cny("20000.00")})).str("id")
			progress := func(id string) string {
				return b.must(200, b.do("GET", "/v1/clearing/transfers/"+id, fin, nil)).str("progress")
			}

			ticks, handled := make(chan time.Time), make(chan int)
			stop := b.srv.startSendingDue(context.Background(), ticks, handled)
			// tick gives the timer one tick and waits until it is done,
			// returning the number of batches it sent.
			tick := func() int {
				ticks <- clock.Now()
				return <-handled
			}
			require.Zero(t, tick())
			require.Equal(t, "queued", progress(bulk), "before the cut-off nothing goes")
			clock.Set(time.Date(2026, time.March, 9, 13, 0, 0, 0, clearing.Beijing))
			require.Equal(t, 1, tick())
			require.Equal(t, "sent", progress(bulk), "the timer sent it at the cut-off")

			// While end of day (or another process) holds the run lease, a
			// tick sends nothing; the next one after it is released does.
			ctx := context.Background()
			now := clock.Now()
			online := b.must(201, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": a, "to_external": to, "amount": cny("300.00")})).str("id")
			require.NoError(t, b.srv.runLease.Acquire(ctx, "end-of-day", now, now.Add(time.Minute)))
			require.Zero(t, tick())
			require.Equal(t, "queued", progress(online), "the lease is held")
			require.NoError(t, b.srv.runLease.Release(ctx, "end-of-day"))
			require.Equal(t, 1, tick())
			require.Equal(t, "sent", progress(online))
			// The timer gives the lease back: end of day can take it.
			require.NoError(t, b.srv.runLease.Acquire(ctx, "end-of-day", now, now.Add(time.Minute)))
			require.NoError(t, b.srv.runLease.Release(ctx, "end-of-day"))

			stop()
			select {
			case ticks <- clock.Now():
				t.Fatal("the timer still takes ticks after stop")
			case <-time.After(50 * time.Millisecond):
			}
		})
	}
}

// The timer is off unless configured, and a negative interval is refused
// naming the setting.
func TestSendDueIntervalConfig(t *testing.T) {
	t.Parallel()
	require.Zero(t, Config{}.SendDueInterval)
	err := Config{Addr: ":8080", SendDueInterval: -time.Second}.Validate()
	require.ErrorContains(t, err, "send-due interval")
}
