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

			ticks := make(chan time.Time)
			stop := b.srv.startSendingDue(context.Background(), ticks)
			// The loop takes a tick only when done with the one before, so
			// two ticks sent mean the first was handled.
			tick := func() {
				ticks <- clock.Now()
				ticks <- clock.Now()
			}
			tick()
			require.Equal(t, "queued", progress(bulk), "before the cut-off nothing goes")
			clock.Set(time.Date(2026, time.March, 9, 13, 0, 0, 0, clearing.Beijing))
			tick()
			require.Equal(t, "sent", progress(bulk), "the timer sent it at the cut-off")

			// While end of day (or another process) holds the run lease, a
			// tick sends nothing; the next one after it is released does.
			ctx := context.Background()
			now := clock.Now()
			acquire := func() {
				require.Eventually(t, func() bool {
					return b.srv.runLease.Acquire(ctx, "end-of-day", now, now.Add(time.Minute)) == nil
				}, 10*time.Second, 10*time.Millisecond)
			}
			// The tick in hand (tick's second) may still be sending: wait
			// for it to give the lease back before the new transfer, or it
			// could send that one too.
			acquire()
			require.NoError(t, b.srv.runLease.Release(ctx, "end-of-day"))
			online := b.must(201, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": a, "to_external": to, "amount": cny("300.00")})).str("id")
			acquire()
			require.Zero(t, b.srv.sendDueOnce(ctx, "send-due/test"))
			tick()
			require.Equal(t, "queued", progress(online), "the lease is held")
			require.NoError(t, b.srv.runLease.Release(ctx, "end-of-day"))
			tick()
			require.Equal(t, "sent", progress(online))
			// The timer gives the lease back: end of day can take it once
			// the tick in hand (the second of tick's two) is done.
			require.Eventually(t, func() bool {
				return b.srv.runLease.Acquire(ctx, "end-of-day", now, now.Add(time.Minute)) == nil
			}, 10*time.Second, 10*time.Millisecond)
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
