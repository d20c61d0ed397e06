package channeltest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/channel"
)

func init() {
	notifyTests = append(notifyTests,
		notifyTest{"MarkFailuresInOneStep", func(t *testing.T, newStore func(*testing.T) channel.NotificationStore) {
			ctx := context.Background()
			s := newStore(t)
			var ms []channel.Message
			for i := range 3 {
				ms = append(ms, channel.Message{ID: uuid.Must(uuid.NewV7()), CustomerID: "c", Medium: channel.MediumSMS, Category: "x",
					DedupKey: fmt.Sprintf("k%d", i), Body: "b", Status: channel.MessagePending, NextAttemptAt: Start, CreatedAt: Start})
			}
			n, err := s.Enqueue(ctx, ms)
			require.NoError(t, err)
			require.Equal(t, 3, n)
			later := Start.Add(time.Minute)
			require.NoError(t, s.MarkFailures(ctx, []channel.Failure{
				{ID: ms[0].ID, LastError: "busy", Next: later},
				{ID: ms[1].ID, LastError: "gone", Next: later, Final: true},
				{ID: uuid.Must(uuid.NewV7()), LastError: "not here", Next: later}, // skipped
			}))
			got, err := s.Message(ctx, ms[0].ID)
			require.NoError(t, err)
			require.Equal(t, channel.MessagePending, got.Status)
			require.Equal(t, "busy", got.LastError)
			require.Equal(t, later, got.NextAttemptAt)
			got, err = s.Message(ctx, ms[1].ID)
			require.NoError(t, err)
			require.Equal(t, channel.MessageFailed, got.Status)
			got, err = s.Message(ctx, ms[2].ID)
			require.NoError(t, err)
			require.Equal(t, ms[2].NextAttemptAt, got.NextAttemptAt, "untouched")
			due, err := s.ClaimDue(ctx, later, later.Add(time.Minute), 10)
			require.NoError(t, err)
			require.Len(t, due, 2, "the failed one is never due again")
		}},
		notifyTest{"SchedulersHoldQuietHoursAndRetryUntilEachIsTakenOnce", func(t *testing.T, newStore func(*testing.T) channel.NotificationStore) {
			cfg := channel.DefaultNotifyConfig()
			cfg.MaxAttempts, cfg.Backoff, cfg.MaxBackoff = 1000, time.Second, time.Minute
			// The clock races ahead of the schedulers here (a minute every
			// few milliseconds): a lease shorter than the whole test would
			// lapse while a claim is being sent, and a lapsed lease is
			// claimed again (at least once, by design).
			cfg.Lease = 24 * time.Hour
			e := newNotifyEnv(t, newStore, 0.5, cfg)
			// Start is 17:00 in UTC+8: quiet from 16:00 to 18:00.
			const customers, notices = 4, 10
			for c := range customers {
				_, err := e.svc.SetPreferences(e.ctx, channel.Preferences{CustomerID: fmt.Sprintf("q%d", c),
					Media: []channel.Medium{channel.MediumSMS}, QuietFrom: 16 * 60, QuietTo: 18 * 60})
				require.NoError(t, err)
			}
			for i := range notices {
				n, err := e.svc.Notify(e.ctx, notice(fmt.Sprintf("q%d", i%customers), fmt.Sprintf("sched-%d", i)))
				require.NoError(t, err)
				require.Equal(t, 2, n, "sms and the inbox")
			}
			ctx, cancel := context.WithCancel(e.ctx)
			var wg sync.WaitGroup
			for range 2 { // two schedulers share the outbox
				wg.Add(1)
				go func() {
					defer wg.Done()
					_ = e.svc.Schedule(ctx, channel.ScheduleConfig{Every: time.Millisecond, Batch: 3}, nil)
				}()
			}
			defer func() { cancel(); wg.Wait() }()
			byMedium := func() map[channel.Medium]map[channel.MessageStatus]int {
				out := map[channel.Medium]map[channel.MessageStatus]int{channel.MediumSMS: {}, channel.MediumInbox: {}}
				for c := range customers {
					ms, err := e.svc.Messages(e.ctx, fmt.Sprintf("q%d", c), "", uuid.Nil, 100)
					require.NoError(t, err)
					for _, m := range ms {
						out[m.Medium][m.Status]++
					}
				}
				return out
			}
			deadline := time.Now().Add(30 * time.Second)
			// In the quiet hours (the clock moves a minute a step, up to
			// 17:50) the inbox is delivered and no SMS is.
			for step := 0; byMedium()[channel.MediumInbox][channel.MessageSent] < notices; step++ {
				require.True(t, time.Now().Before(deadline), "the inbox is delivered during quiet hours")
				if step < 50 {
					e.clock.Advance(time.Minute)
				}
				time.Sleep(2 * time.Millisecond)
			}
			require.Zero(t, byMedium()[channel.MediumSMS][channel.MessageSent], "no SMS in quiet hours")
			e.clock.Set(Start.Add(61 * time.Minute)) // 18:01
			for byMedium()[channel.MediumSMS][channel.MessageSent] < notices {
				require.True(t, time.Now().Before(deadline), "every SMS is delivered after the quiet hours")
				e.clock.Advance(time.Minute)
				time.Sleep(2 * time.Millisecond)
			}
			taken := e.flaky.Taken()
			require.Len(t, taken, 2*notices)
			for id, n := range taken {
				require.Equal(t, 1, n, "message %s taken %d times", id, n)
			}
			require.Positive(t, e.flaky.Refused(), "the provider failed some attempts, retried")
		}},
	)
}
