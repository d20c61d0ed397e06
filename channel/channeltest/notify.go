package channeltest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
)

// FlakyProvider is a fake channel.Provider that refuses a share of the
// messages at random and counts how often it took each one: the test of
// "delivered once" reads Taken.
type FlakyProvider struct {
	mu       sync.Mutex
	failRate float64
	rng      *rand.Rand
	taken    map[uuid.UUID]int
	refused  int
}

// NewFlakyProvider refuses each message with probability failRate (0..1),
// from a seeded generator so a failing run can be repeated.
func NewFlakyProvider(failRate float64, seed uint64) *FlakyProvider {
	return &FlakyProvider{failRate: failRate, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), taken: map[uuid.UUID]int{}}
}

// Send implements channel.Provider.
func (p *FlakyProvider) Send(_ context.Context, m channel.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.rng.Float64() < p.failRate {
		p.refused++
		return errors.New("flaky provider: try again")
	}
	p.taken[m.ID]++
	return nil
}

// Taken returns how often each message was taken.
func (p *FlakyProvider) Taken() map[uuid.UUID]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[uuid.UUID]int, len(p.taken))
	for k, v := range p.taken {
		out[k] = v
	}
	return out
}

// Refused is how many sends it refused.
func (p *FlakyProvider) Refused() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.refused
}

// consents is a fake consent port: customer → media consented to.
type consents map[string][]channel.Medium

func (c consents) MarketingConsent(_ context.Context, customerID string, m channel.Medium) (bool, error) {
	for _, x := range c[customerID] {
		if x == m {
			return true, nil
		}
	}
	return false, nil
}

type notifyEnv struct {
	ctx   context.Context
	clock *calendar.ManualClock
	svc   *channel.Notifier
	flaky *FlakyProvider
}

func newNotifyEnv(t *testing.T, newStore func(*testing.T) channel.NotificationStore, failRate float64, cfg channel.NotifyConfig) *notifyEnv {
	t.Helper()
	e := &notifyEnv{ctx: context.Background(), clock: calendar.NewManualClock(Start), flaky: NewFlakyProvider(failRate, 42)}
	providers := map[channel.Medium]channel.Provider{}
	for _, m := range channel.Media() {
		providers[m] = e.flaky
	}
	var err error
	e.svc, err = channel.NewNotifier(newStore(t), providers, channel.WithNotifyClock(e.clock), channel.WithNotifyConfig(cfg),
		channel.WithConsents(consents{"alice": {channel.MediumPush}}))
	require.NoError(t, err)
	return e
}

func notice(customer, key string) channel.Notice {
	return channel.Notice{CustomerID: customer, Category: "transfer.received", Key: key, Subject: "Money in",
		Body: "CNY 250.50 from Bob"}
}

type notifyTest struct {
	name string
	run  func(t *testing.T, newStore func(*testing.T) channel.NotificationStore)
}

// RunNotifications runs the notifications contract suite; newStore must
// return a fresh, empty store for each call.
func RunNotifications(t *testing.T, newStore func(t *testing.T) channel.NotificationStore) {
	t.Helper()
	for _, tc := range notifyTests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newStore)
		})
	}
}

func media(ms []channel.Message) []channel.Medium {
	var out []channel.Medium
	for _, m := range ms {
		out = append(out, m.Medium)
	}
	return out
}

var notifyTests = []notifyTest{
	{"OldMessagesArePruned", func(t *testing.T, newStore func(*testing.T) channel.NotificationStore) {
		cfg := channel.DefaultNotifyConfig()
		cfg.MaxAttempts = 1
		e := newNotifyEnv(t, newStore, 0, cfg)
		_, err := e.svc.SetPreferences(e.ctx, channel.Preferences{CustomerID: "bob", Media: []channel.Medium{channel.MediumSMS}})
		require.NoError(t, err)
		_, err = e.svc.Notify(e.ctx, notice("alice", "old-sent"))
		require.NoError(t, err)
		_, err = e.svc.Deliver(e.ctx, 10) // alice's two: sent
		require.NoError(t, err)
		// Quiet hours hold bob's sms: pending, however old it gets.
		e.clock.Set(time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)) // 23:00 UTC+8
		_, err = e.svc.Notify(e.ctx, channel.Notice{CustomerID: "bob", Category: "balance.low", Key: "old-pending", Body: "low"})
		require.NoError(t, err)
		_, err = e.svc.Prune(e.ctx, time.Hour)
		require.ErrorIs(t, err, channel.ErrInvalidInput)

		e.clock.Advance(47 * time.Hour)
		_, err = e.svc.Notify(e.ctx, notice("alice", "recent"))
		require.NoError(t, err)
		e.clock.Advance(2 * time.Hour)
		n, err := e.svc.Prune(e.ctx, 48*time.Hour)
		require.NoError(t, err)
		require.Equal(t, 2, n, "alice's old push and inbox messages")
		alice, err := e.svc.Messages(e.ctx, "alice", "", uuid.Nil, 10)
		require.NoError(t, err)
		require.Len(t, alice, 2, "the recent ones stay")
		require.Contains(t, alice[0].DedupKey, "recent")
		bob, err := e.svc.Messages(e.ctx, "bob", "", uuid.Nil, 10)
		require.NoError(t, err)
		require.Len(t, bob, 2, "pending (sms and the inbox, never delivered) stays, however old")
		n, err = e.svc.Prune(e.ctx, 48*time.Hour)
		require.NoError(t, err)
		require.Zero(t, n)
	}},
	{"PreferencesAndQuietHours", func(t *testing.T, newStore func(*testing.T) channel.NotificationStore) {
		e := newNotifyEnv(t, newStore, 0, channel.DefaultNotifyConfig())
		// 09:00 UTC is 17:00 in UTC+8: not quiet. Defaults: push and inbox.
		n, err := e.svc.Notify(e.ctx, notice("alice", "evt-1"))
		require.NoError(t, err)
		require.Equal(t, 2, n)
		// 15:00 UTC is 23:00 in UTC+8: push waits for 08:00 (00:00 UTC),
		// the inbox does not.
		e.clock.Set(time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC))
		_, err = e.svc.Notify(e.ctx, notice("alice", "evt-2"))
		require.NoError(t, err)
		ms, err := e.svc.Messages(e.ctx, "alice", "", uuid.Nil, 10)
		require.NoError(t, err)
		require.Len(t, ms, 4)
		for _, m := range ms[:2] { // newest first: evt-2's
			require.Equal(t, "evt-2/"+string(m.Medium), m.DedupKey)
			want := e.clock.Now()
			if m.Medium == channel.MediumPush {
				want = time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
			}
			require.Equal(t, want, m.NextAttemptAt, m.Medium)
		}
		// Urgent notices are not held.
		urgent := notice("alice", "evt-3")
		urgent.Urgent = true
		_, err = e.svc.Notify(e.ctx, urgent)
		require.NoError(t, err)
		rep, err := e.svc.Deliver(e.ctx, 100)
		require.NoError(t, err)
		require.Equal(t, channel.DeliveryReport{Claimed: 5, Sent: 5}, rep, "evt-1 ×2, evt-2 inbox, evt-3 ×2; evt-2 push waits")

		// Chosen media; the inbox is always kept.
		p, err := e.svc.SetPreferences(e.ctx, channel.Preferences{CustomerID: "bob", Media: []channel.Medium{channel.MediumEmail, channel.MediumSMS}})
		require.NoError(t, err)
		require.Equal(t, []channel.Medium{channel.MediumSMS, channel.MediumEmail, channel.MediumInbox}, p.Media)
		_, err = e.svc.Notify(e.ctx, notice("bob", "evt-4"))
		require.NoError(t, err)
		ms, err = e.svc.Messages(e.ctx, "bob", "", uuid.Nil, 10)
		require.NoError(t, err)
		require.ElementsMatch(t, []channel.Medium{channel.MediumSMS, channel.MediumEmail, channel.MediumInbox}, media(ms))
		got, err := e.svc.Preferences(e.ctx, "bob")
		require.NoError(t, err)
		require.Equal(t, p, got)
		inbox, err := e.svc.Messages(e.ctx, "bob", channel.MediumInbox, uuid.Nil, 10)
		require.NoError(t, err)
		require.Len(t, inbox, 1)
		_, err = e.svc.Message(e.ctx, "alice", inbox[0].ID)
		require.ErrorIs(t, err, channel.ErrNotFound, "bob's message is not alice's")
	}},
	{"DuplicatesAndConsent", func(t *testing.T, newStore func(*testing.T) channel.NotificationStore) {
		e := newNotifyEnv(t, newStore, 0, channel.DefaultNotifyConfig())
		n, err := e.svc.Notify(e.ctx, notice("alice", "evt-1"))
		require.NoError(t, err)
		require.Equal(t, 2, n)
		n, err = e.svc.Notify(e.ctx, notice("alice", "evt-1"))
		require.NoError(t, err)
		require.Zero(t, n, "the same event again adds nothing")
		offer := notice("alice", "campaign-7/alice")
		offer.Category, offer.Marketing = "campaign.offer", true
		n, err = e.svc.Notify(e.ctx, offer)
		require.NoError(t, err)
		require.Equal(t, 1, n, "alice consented to push only: not the inbox")
		offer.CustomerID, offer.Key = "bob", "campaign-7/bob"
		n, err = e.svc.Notify(e.ctx, offer)
		require.NoError(t, err)
		require.Zero(t, n, "bob did not consent")
		for _, bad := range []channel.Notice{
			{CustomerID: "", Category: "x", Key: "k", Body: "b"},
			{CustomerID: "a", Category: "x", Key: "", Body: "b"},
			{CustomerID: "a", Category: "x", Key: "k", Body: ""},
			{CustomerID: "a", Category: "x\x00", Key: "k", Body: "b"},
		} {
			_, err := e.svc.Notify(e.ctx, bad)
			require.ErrorIs(t, err, channel.ErrInvalidInput, bad)
		}
		_, err = e.svc.SetPreferences(e.ctx, channel.Preferences{CustomerID: "a", Media: []channel.Medium{"fax"}})
		require.ErrorIs(t, err, channel.ErrInvalidInput)
		_, err = e.svc.Deliver(e.ctx, 0)
		require.ErrorIs(t, err, channel.ErrInvalidInput)
	}},
	{"RetriesDeliverEachMessageOnce", func(t *testing.T, newStore func(*testing.T) channel.NotificationStore) {
		// 60 notices to 6 customers on four media (240 messages), a
		// provider refusing 40% at random, three deliverers at once.
		cfg := channel.DefaultNotifyConfig()
		cfg.MaxAttempts = 1000
		e := newNotifyEnv(t, newStore, 0.4, cfg)
		for c := range 6 {
			_, err := e.svc.SetPreferences(e.ctx, channel.Preferences{CustomerID: fmt.Sprintf("c%d", c), Media: channel.Media()})
			require.NoError(t, err)
		}
		for i := range 60 {
			n, err := e.svc.Notify(e.ctx, notice(fmt.Sprintf("c%d", i%6), fmt.Sprintf("evt-%d", i)))
			require.NoError(t, err)
			require.Equal(t, 4, n)
		}
		for round := 0; ; round++ {
			require.Less(t, round, 200, "every message is delivered in the end")
			var mu sync.Mutex
			claimed := 0
			for _, err := range parallel(3, func(int) error {
				rep, err := e.svc.Deliver(e.ctx, 25)
				mu.Lock()
				claimed += rep.Claimed
				mu.Unlock()
				return err
			}) {
				require.NoError(t, err)
			}
			if claimed == 0 {
				break
			}
			e.clock.Advance(time.Hour) // past every backoff and lease
		}
		taken := e.flaky.Taken()
		require.Len(t, taken, 240)
		for id, n := range taken {
			require.Equal(t, 1, n, "message %s taken %d times", id, n)
		}
		require.Positive(t, e.flaky.Refused())
		for c := range 6 {
			ms, err := e.svc.Messages(e.ctx, fmt.Sprintf("c%d", c), "", uuid.Nil, 100)
			require.NoError(t, err)
			require.Len(t, ms, 40)
			for _, m := range ms {
				require.Equal(t, channel.MessageSent, m.Status)
				require.GreaterOrEqual(t, m.Attempts, 1)
				require.Equal(t, 1, taken[m.ID])
			}
		}
	}},
	{"BackoffThenFailure", func(t *testing.T, newStore func(*testing.T) channel.NotificationStore) {
		cfg := channel.DefaultNotifyConfig()
		cfg.MaxAttempts = 3
		e := newNotifyEnv(t, newStore, 1, cfg) // refuses everything
		_, err := e.svc.SetPreferences(e.ctx, channel.Preferences{CustomerID: "bob"})
		require.NoError(t, err)
		_, err = e.svc.Notify(e.ctx, channel.Notice{CustomerID: "bob", Category: "balance.low", Key: "low-1", Body: "Balance below CNY 100.00"})
		require.NoError(t, err)
		// Attempt 1 fails: due again 30 s later; attempt 2: 60 s later.
		rep, err := e.svc.Deliver(e.ctx, 10)
		require.NoError(t, err)
		require.Equal(t, channel.DeliveryReport{Claimed: 1, Retried: 1}, rep)
		ms, err := e.svc.Messages(e.ctx, "bob", "", uuid.Nil, 10)
		require.NoError(t, err)
		require.Equal(t, e.clock.Now().Add(30*time.Second), ms[0].NextAttemptAt)
		require.Contains(t, ms[0].LastError, "try again")
		e.clock.Advance(29 * time.Second)
		rep, err = e.svc.Deliver(e.ctx, 10)
		require.NoError(t, err)
		require.Zero(t, rep.Claimed, "not yet due")
		e.clock.Advance(time.Second)
		rep, err = e.svc.Deliver(e.ctx, 10)
		require.NoError(t, err)
		require.Equal(t, 1, rep.Retried)
		ms, err = e.svc.Messages(e.ctx, "bob", "", uuid.Nil, 10)
		require.NoError(t, err)
		require.Equal(t, e.clock.Now().Add(time.Minute), ms[0].NextAttemptAt)
		e.clock.Advance(time.Minute)
		rep, err = e.svc.Deliver(e.ctx, 10)
		require.NoError(t, err)
		require.Equal(t, channel.DeliveryReport{Claimed: 1, Failed: 1}, rep)
		m, err := e.svc.Message(e.ctx, "bob", ms[0].ID)
		require.NoError(t, err)
		require.Equal(t, channel.MessageFailed, m.Status)
		require.Equal(t, 3, m.Attempts)
		e.clock.Advance(time.Hour)
		rep, err = e.svc.Deliver(e.ctx, 10)
		require.NoError(t, err)
		require.Zero(t, rep.Claimed, "a failed message is not tried again")
	}},
}
