package wealthport_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/memledger"
	"github.com/bankkit/bankkit/ledger/pgledger"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/refserver/wealthport"
	"github.com/bankkit/bankkit/wealth"
	"github.com/bankkit/bankkit/wealth/memwealth"
	"github.com/bankkit/bankkit/wealth/wealthtest"
)

func TestOnMemledger(t *testing.T) {
	t.Parallel()
	run(t, memledger.New())
	runBatch(t, memledger.New())
}

func TestOnPgledger(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	require.NoError(t, pgledger.Migrate(context.Background(), db))
	run(t, pgledger.New(db))
	runBatch(t, pgledger.New(db))
}

func cny(s string) money.Money { return money.MustParse(s, "CNY") }

// run takes the worked example through the adapter on a real ledger:
// 20,000.00 deposited; 10,000.00 subscribed is held (available 10,000.00);
// confirmed at 1.5% and NAV 1.0250, the customer's balance is 10,000.00,
// the product's custody account 9,852.22 and fees income 147.78; 5,000
// units redeemed at 1.1000 (held under 7 days: 1.5%) give gross 5,500.00,
// fee 82.50, proceeds 5,417.50, cost 9852.22 × 5000/9611.92 = 5125.001..
// -> 5,125.00, paid T+2 to the demand account; the books reconcile and
// the trial balance is zero at every step.
func run(t *testing.T, store ledger.Store) {
	ctx := context.Background()
	clock := calendar.NewManualClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	lsvc, err := ledger.NewService(store, ledger.WithClock(clock))
	require.NoError(t, err)
	_, err = lsvc.SetupChart(ctx, money.CNY)
	require.NoError(t, err)
	port := wealthport.New(lsvc)
	svc, err := wealth.NewService(memwealth.New(), wealth.WithClock(clock), wealth.WithLedger(port))
	require.NoError(t, err)
	zero := 0
	p, err := svc.CreateProduct(ctx, wealth.ProductSpec{Code: "WX", Name: "Steady", Issuer: "Bankkit Wealth", Currency: "CNY",
		Type: wealth.OpenEnded, Risk: 3, MinFirst: cny("1000.00"), MinAdditional: cny("100.00"), Step: cny("100.00"),
		SubscriptionFee: decimal.RequireFromString("0.015"), SettlementDays: 2, CoolingOffHours: &zero,
		RedemptionFees: []wealth.FeeTier{{MinDays: 0, Rate: decimal.RequireFromString("0.015")}, {MinDays: 7, Rate: decimal.Zero}}})
	require.NoError(t, err)
	c := wealth.NewID()
	acct, err := lsvc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: c.String(), Product: ledger.ProductDemand, Currency: "CNY"})
	require.NoError(t, err)
	_, err = lsvc.Deposit(ctx, ledger.DepositRequest{AccountID: acct.ID, Amount: cny("20000.00")})
	require.NoError(t, err)
	_, err = svc.Assess(ctx, c, wealthtest.AnswersFor(3))
	require.NoError(t, err)

	balanced := func() {
		tb, err := lsvc.TrialBalance(ctx, "CNY")
		require.NoError(t, err)
		require.True(t, tb.Difference.IsZero())
		r, err := svc.Reconcile(ctx)
		require.NoError(t, err)
		require.True(t, r.Agrees, "%+v", r)
	}
	balance := func(id ledger.ID) (money.Money, money.Money) {
		a, err := lsvc.Account(ctx, id)
		require.NoError(t, err)
		return a.Balance, a.Available()
	}
	chart := func(code string) money.Money {
		m, err := port.ChartBalance(ctx, "CNY", code)
		require.NoError(t, err)
		return m
	}

	o, err := svc.Subscribe(ctx, wealth.SubscribeRequest{CustomerID: c, ProductID: p.ID, Account: acct.ID, Amount: cny("10000.00"), Key: "k1"})
	require.NoError(t, err)
	bal, avail := balance(acct.ID)
	require.Equal(t, "20000.00", bal.ValueString())
	require.Equal(t, "10000.00", avail.ValueString())
	_, err = svc.PublishNAV(ctx, wealth.NAVRequest{ProductID: p.ID, Date: calendar.MustParseDate("2026-03-02"), Value: decimal.RequireFromString("1.0250"), PublishedBy: "issuer"})
	require.NoError(t, err)
	_, err = svc.EndOfDay(ctx, calendar.MustParseDate("2026-03-02"))
	require.NoError(t, err)
	bal, avail = balance(acct.ID)
	require.Equal(t, "10000.00", bal.ValueString())
	require.Equal(t, "10000.00", avail.ValueString())
	ch := wealth.ChartsOf("WX")
	require.Equal(t, "9852.22", chart(ch.Custody).ValueString())
	fees, err := lsvc.ChartAccount(ctx, "CNY", ledger.CodeFeesIncome)
	require.NoError(t, err)
	require.Equal(t, "147.78", fees.Balance.ValueString())
	balanced()

	// A captured hold cannot be released: the ledger's refusal maps to
	// wealth.ErrRefused.
	o.Order, err = svc.Order(ctx, wealth.NilID, o.Order.ID)
	require.NoError(t, err)
	require.ErrorIs(t, port.ReleaseHold(ctx, o.Order.HoldID), wealth.ErrRefused)

	clock.Set(time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC))
	_, err = svc.Redeem(ctx, wealth.RedeemRequest{CustomerID: c, ProductID: p.ID, Account: acct.ID, Units: decimal.NewFromInt(5000), Key: "r1"})
	require.NoError(t, err)
	_, err = svc.PublishNAV(ctx, wealth.NAVRequest{ProductID: p.ID, Date: calendar.MustParseDate("2026-03-03"), Value: decimal.RequireFromString("1.1000"), PublishedBy: "issuer"})
	require.NoError(t, err)
	_, err = svc.EndOfDay(ctx, calendar.MustParseDate("2026-03-03"))
	require.NoError(t, err)
	require.Equal(t, "5417.50", chart(ch.Settlement).ValueString())
	require.Equal(t, "4727.22", chart(ch.Custody).ValueString(), "9852.22 − 5125.00")
	require.Equal(t, "375.00", chart(ch.Result).ValueString(), "5500.00 − 5125.00")
	balanced()
	_, err = svc.EndOfDay(ctx, calendar.MustParseDate("2026-03-05"))
	require.NoError(t, err)
	bal, _ = balance(acct.ID)
	require.Equal(t, "15417.50", bal.ValueString())
	require.Equal(t, "0.00", chart(ch.Settlement).ValueString())
	balanced()
}

// runBatch confirms a page of subscriptions through the adapter's batch
// calls on a real ledger: five customers subscribe 1,015.00 at 1.5%; one
// account is frozen before the end of day, so its capture is refused in
// the middle of the batch: that order fails and its hold is released,
// the other four are captured (1,000.00 each into custody, 15.00 each to
// fees income). A second run posts nothing again.
func runBatch(t *testing.T, store ledger.Store) {
	ctx := context.Background()
	clock := calendar.NewManualClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	lsvc, err := ledger.NewService(store, ledger.WithClock(clock))
	require.NoError(t, err)
	_, err = lsvc.SetupChart(ctx, money.CNY)
	require.NoError(t, err)
	port := wealthport.New(lsvc)
	svc, err := wealth.NewService(memwealth.New(), wealth.WithClock(clock), wealth.WithLedger(port))
	require.NoError(t, err)
	zero := 0
	p, err := svc.CreateProduct(ctx, wealth.ProductSpec{Code: "BATCH", Name: "Batch", Issuer: "Bankkit Wealth", Currency: "CNY",
		Type: wealth.OpenEnded, Risk: 1, MinFirst: cny("1000.00"), MinAdditional: cny("100.00"), Step: cny("0.01"),
		SubscriptionFee: decimal.RequireFromString("0.015"), SettlementDays: 1, CoolingOffHours: &zero})
	require.NoError(t, err)
	var accts []ledger.ID
	var orders []wealth.ID
	for i := range 5 {
		c := wealth.NewID()
		acct, err := lsvc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: c.String(), Product: ledger.ProductDemand, Currency: "CNY"})
		require.NoError(t, err)
		_, err = lsvc.Deposit(ctx, ledger.DepositRequest{AccountID: acct.ID, Amount: cny("2000.00")})
		require.NoError(t, err)
		_, err = svc.Assess(ctx, c, wealthtest.AnswersFor(1))
		require.NoError(t, err)
		o, err := svc.Subscribe(ctx, wealth.SubscribeRequest{CustomerID: c, ProductID: p.ID, Account: acct.ID, Amount: cny("1015.00"), Key: "k" + string(rune('0'+i))})
		require.NoError(t, err)
		accts, orders = append(accts, acct.ID), append(orders, o.Order.ID)
	}
	_, err = lsvc.Freeze(ctx, accts[2], ledger.StatusFrozenDebits)
	require.NoError(t, err)
	_, err = svc.PublishNAV(ctx, wealth.NAVRequest{ProductID: p.ID, Date: calendar.MustParseDate("2026-03-02"), Value: decimal.RequireFromString("1.0000"), PublishedBy: "issuer"})
	require.NoError(t, err)
	feesBefore, err := lsvc.ChartAccount(ctx, "CNY", ledger.CodeFeesIncome) // the database may be run's too
	require.NoError(t, err)
	for run := range 2 {
		sum, err := svc.EndOfDay(ctx, calendar.MustParseDate("2026-03-02"))
		require.NoError(t, err)
		if run == 0 {
			require.Equal(t, 4, sum.Confirmed)
			require.Equal(t, 1, sum.Failed)
		} else {
			require.Zero(t, sum.Confirmed+sum.Failed, "nothing left for a second run")
		}
		for i, id := range accts {
			a, err := lsvc.Account(ctx, id)
			require.NoError(t, err)
			want := "985.00"
			if i == 2 {
				want = "2000.00" // refused: the hold released
			}
			require.Equal(t, want, a.Balance.ValueString(), "account %d", i)
			require.Equal(t, want, a.Available().ValueString(), "account %d", i)
		}
		custody, err := port.ChartBalance(ctx, "CNY", wealth.ChartsOf("BATCH").Custody)
		require.NoError(t, err)
		require.Equal(t, "4000.00", custody.ValueString())
		fees, err := lsvc.ChartAccount(ctx, "CNY", ledger.CodeFeesIncome)
		require.NoError(t, err)
		charged, _ := fees.Balance.Sub(feesBefore.Balance)
		require.Equal(t, "60.00", charged.ValueString())
		tb, err := lsvc.TrialBalance(ctx, "CNY")
		require.NoError(t, err)
		require.True(t, tb.Difference.IsZero())
		r, err := svc.Reconcile(ctx)
		require.NoError(t, err)
		require.True(t, r.Agrees, "%+v", r)
	}
	failed, err := svc.Order(ctx, wealth.NilID, orders[2])
	require.NoError(t, err)
	require.Equal(t, wealth.OrderFailed, failed.Status)
	require.Contains(t, failed.Reason, "frozen")
}
