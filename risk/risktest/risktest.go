// Package risktest is the contract suite every risk.Store must pass. A
// backend's tests call Run with a constructor of fresh, empty stores; the
// suite drives them through risk.Service, so it checks what users see:
// decisions, aggregates, alerts and cases, reports and indicators, and
// their atomicity under concurrency.
//
//	func TestContract(t *testing.T) {
//		risktest.Run(t, func(t *testing.T) risk.Store { return memrisk.New() })
//	}
package risktest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/risk"
)

// Run runs the contract suite. newStore must return a fresh, empty store
// on every call.
func Run(t *testing.T, newStore func(t *testing.T) risk.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, e *env)
	}{
		{"RuleSetsRefusedWithPosition", testRefused},
		{"VersionsDraftShadowPublish", testVersions},
		{"StarterManyOutgoing", testManyOutgoing},
		{"StarterStructuring", testStructuring},
		{"StarterNewPayeeLarge", testNewPayee},
		{"StarterDormantReactivated", testDormant},
		{"StarterUnusualHour", testUnusualHour},
		{"StarterRoundTrip", testRoundTrip},
		{"StarterMuleManySenders", testMule},
		{"StarterStaffPIIReveals", testStaffPIIReveals},
		{"StarterStaffOutsideHours", testStaffOutsideHours},
		{"StarterStaffTeamApprovals", testStaffTeamApprovals},
		{"ScreeningIsIdempotent", testIdempotent},
		{"RunTimeFailureRecorded", testRunTimeFailure},
		{"ShadowComparedWithLive", testShadow},
		{"SnoozeSilencesARule", testSnooze},
		{"AlertsGroupIntoCases", testCases},
		{"ConcurrentScreeningCountsEveryTransaction", testConcurrent},
		{"LargeValueReport", testLargeValue},
		{"SuspiciousReportFromConfirmedCase", testSuspicious},
		{"IndicatorsCrossOnceAndClear", testIndicators},
		{"EventsPublished", testEvents},
		{"ObserveBatchAsOneByOne", testObserveBatch},
		{"LargeValueReportForeignCurrency", testLargeValueForeign},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newEnv(t, newStore(t)))
		})
	}
}

// start is Monday 2026-03-02 10:00 in Shanghai.
var start = time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)

type env struct {
	t       *testing.T
	ctx     context.Context
	store   risk.Store
	svc     *risk.Service
	clock   *calendar.ManualClock
	figures *Figures
	filer   *MemoryFiler
}

func newEnv(t *testing.T, st risk.Store) *env {
	e := &env{t: t, ctx: context.Background(), store: st, clock: calendar.NewManualClock(start),
		figures: &Figures{values: map[string]decimal.Decimal{}}, filer: &MemoryFiler{}}
	svc, err := risk.NewService(st, risk.WithClock(e.clock), risk.WithFigures(e.figures), risk.WithFiler(e.filer),
		risk.WithRuleSetRefresh(0))
	require.NoError(t, err)
	e.svc = svc
	return e
}

// publish saves and publishes a draft.
func (e *env) publish(d risk.Draft) risk.RuleSet {
	e.t.Helper()
	r, err := e.svc.CreateDraft(e.ctx, d, "alice")
	require.NoError(e.t, err)
	r, err = e.svc.Publish(e.ctx, r.ID, "bob")
	require.NoError(e.t, err)
	return r
}

// tx is a transfer of amount CNY from account from (of customer
// "c-"+from) to account to (of "c-"+to) at the clock's time.
func (e *env) tx(from, to, amount string) risk.Transaction {
	return risk.Transaction{ID: risk.NewID(), Kind: risk.KindTransfer, Amount: money.MustParse(amount, "CNY"),
		From:    risk.Party{Account: from, Customer: "c-" + from, OpenedOn: calendar.MustDate(2025, 1, 1)},
		To:      risk.Party{Account: to, Customer: "c-" + to, OpenedOn: calendar.MustDate(2025, 1, 1)},
		Channel: "online", At: e.clock.Now(), BusinessDate: calendar.DateOf(e.clock.Now().In(shanghai))}
}

// deposit is cash paid into account to.
func (e *env) deposit(to, amount string) risk.Transaction {
	t := e.tx("", to, amount)
	t.Kind, t.Cash, t.From = risk.KindDeposit, true, risk.Party{}
	return t
}

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

func (e *env) screen(t risk.Transaction) risk.Decision {
	e.t.Helper()
	v, err := e.svc.Screen(e.ctx, t, "")
	require.NoError(e.t, err)
	return v.Decision
}

func fired(d risk.Decision) []string {
	out := []string{}
	for _, f := range d.Fired {
		out = append(out, f.Rule)
	}
	return out
}

// Figures is a fake risk.Figures: values set by the test.
type Figures struct {
	mu     sync.Mutex
	values map[string]decimal.Decimal
}

// Set sets a figure.
func (f *Figures) Set(name, value string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.values[name] = decimal.RequireFromString(value)
}

// Figure implements risk.Figures.
func (f *Figures) Figure(_ context.Context, name string) (decimal.Decimal, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.values[name]
	if !ok {
		return decimal.Zero, fmt.Errorf("%w: figure %s", risk.ErrNotFound, name)
	}
	return v, nil
}

// MemoryFiler is a fake risk.Filer keeping what it is given.
type MemoryFiler struct {
	mu    sync.Mutex
	Filed []risk.Filing
}

// File implements risk.Filer.
func (f *MemoryFiler) File(_ context.Context, fl risk.Filing) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Filed = append(f.Filed, fl)
	return nil
}

func (f *MemoryFiler) filed() []risk.Filing {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]risk.Filing(nil), f.Filed...)
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }
