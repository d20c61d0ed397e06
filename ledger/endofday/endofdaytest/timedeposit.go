package endofdaytest

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/endofday"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
	"github.com/stretchr/testify/require"
)

var depositTests = []test{
	{Name: "TimeDepositOpensFromDemand", Run: testTimeDepositOpens},
	{Name: "TimeDepositFundingRefused", Run: testTimeDepositFundingRefused},
	{Name: "TimeDepositMaturityInstructions", Run: testMaturityInstructions},
	{Name: "TimeDepositEarlyClosurePenalty", Run: testEarlyClosure},
	{Name: "TimeDepositHeldRenewedOnInstruction", Run: testHeldDepositRenewed},
	{Name: "TimeDepositRateFromTiers", Run: testTimeDepositTieredRate},
	{Name: "TimeDepositValidation", Run: testTimeDepositValidation},
	{Name: "TimeDepositExternalRef", Run: testTimeDepositExternalRef},
}

// A time deposit carries its client's reference on its account: found by
// it, in the account's opening event; a second deposit with it is refused
// before anything moves, and a replay of the first answers it.
func testTimeDepositExternalRef(t *testing.T, f *fixture) {
	f.setProduct("term", termProduct())
	demand := f.Open("alice")
	f.Deposit(demand.ID, "10000.00")
	ref := ledger.ExternalRef{Client: "app/1", Ref: "td-alice-1"}
	open := func(key string, r ledger.ExternalRef) (endofday.TimeDepositReceipt, error) {
		return f.eod.OpenTimeDeposit(f.Ctx, endofday.OpenTimeDepositRequest{DemandAccountID: demand.ID, Principal: cny("3000.00"),
			TermMonths: 12, ProductCode: "term", Instruction: interest.PayOut, ExternalRef: r, IdempotencyKey: key})
	}
	first, err := open("td-1", ref)
	require.NoError(t, err)
	found, err := f.Svc.AccountByRef(f.Ctx, ref)
	require.NoError(t, err)
	require.Equal(t, first.Deposit.ID, found.ID)
	require.Equal(t, ledger.ProductTime, found.Product)
	require.Equal(t, ref, found.ExternalRef)

	again, err := open("td-1", ref)
	require.NoError(t, err)
	require.True(t, again.Replayed)
	_, err = open("td-1", ledger.ExternalRef{Client: "app/1", Ref: "td-alice-2"})
	require.ErrorIs(t, err, ledger.ErrIdempotencyConflict, "the key with another reference is another request")
	_, err = open("td-2", ref)
	require.ErrorIs(t, err, ledger.ErrExternalRefTaken)
	_, err = open("td-3", ledger.ExternalRef{Client: "app/1", Ref: "bad\nref"})
	requireInvalid(t, err, "external_ref")
	f.RequireBalance(demand.ID, "7000.00")

	evs, err := f.Store.Events().Read(f.Ctx, 0, 1000)
	require.NoError(t, err)
	opened := 0
	for _, ev := range evs {
		if ev.Type == ledger.EventAccountOpened && ev.Subjects[0] == first.Deposit.ID {
			require.Contains(t, string(ev.Payload), `"ref":"td-alice-1"`)
			opened++
		}
	}
	require.Equal(t, 1, opened)
}

// termProduct pays 3.65% until 1 April 2026 and 7.30% from then on.
func termProduct() interest.Product {
	p := product("0.0365", interest.AtMaturity)
	p.Credit = append(p.Credit, interest.RateChange{Effective: calendar.MustDate(2026, time.April, 1), Rate: interest.Flat(dec("0.073"))})
	return p
}

func (f *fixture) openDeposit(demand ledger.ID, principal string, months int, in interest.Instruction, key string) (endofday.TimeDepositReceipt, error) {
	return f.eod.OpenTimeDeposit(f.Ctx, endofday.OpenTimeDepositRequest{
		DemandAccountID: demand, Principal: cny(principal), TermMonths: months,
		ProductCode: "term", Instruction: in, IdempotencyKey: key,
	})
}

func testTimeDepositOpens(t *testing.T, f *fixture) {
	f.setProduct("term", termProduct())
	demand := f.Open("alice")
	f.Deposit(demand.ID, "10000.00")
	r, err := f.openDeposit(demand.ID, "5000.00", 12, interest.PayOut, "td-1")
	require.NoError(t, err)
	require.False(t, r.Replayed)
	td := r.Deposit
	require.Equal(t, endofday.TimeDepositOpen, td.Status)
	requireDec(t, dec("0.0365"), td.Terms.Rate, "rate fixed at opening")
	require.Equal(t, calendar.MustDate(2027, time.March, 2), td.Terms.Maturity())
	f.RequireBalance(demand.ID, "5000.00")
	f.RequireBalance(td.ID, "5000.00")
	acct := f.Account(td.ID)
	require.Equal(t, ledger.ProductTime, acct.Product)
	require.Equal(t, "alice", acct.OwnerID)

	again, err := f.openDeposit(demand.ID, "5000.00", 12, interest.PayOut, "td-1")
	require.NoError(t, err)
	require.True(t, again.Replayed)
	require.Equal(t, td.ID, again.Deposit.ID)
	f.RequireBalance(demand.ID, "5000.00")
	_, err = f.openDeposit(demand.ID, "4000.00", 12, interest.PayOut, "td-1")
	require.ErrorIs(t, err, ledger.ErrIdempotencyConflict)
	f.RequireBalance(demand.ID, "5000.00")
}

func testTimeDepositFundingRefused(t *testing.T, f *fixture) {
	f.setProduct("term", termProduct())
	demand := f.Open("alice")
	f.Deposit(demand.ID, "100.00")
	_, err := f.openDeposit(demand.ID, "5000.00", 3, interest.PayOut, "td-big")
	require.ErrorIs(t, err, ledger.ErrInsufficientFunds)
	f.RequireBalance(demand.ID, "100.00")
	open, _, err := f.Svc.ListAccounts(f.Ctx, ledger.AccountFilter{Product: ledger.ProductTime, Status: ledger.StatusActive})
	require.NoError(t, err)
	require.Empty(t, open, "the unfunded deposit's account is closed")
}

// One month from 2 March to 2 April: 31 days of 5000.00 at 3.65% is
// 15.50. The product's rate is 7.30% from 1 April, so a rollover on 2
// April takes 7.30%.
func testMaturityInstructions(t *testing.T, f *fixture) {
	f.setProduct("term", termProduct())
	tests := []struct {
		in             interest.Instruction
		demand, tdBal  string
		status         endofday.TimeDepositStatus
		principalAfter string
	}{
		{interest.PayOut, "10015.50", "0.00", endofday.TimeDepositClosed, "5000.00"},
		{interest.RolloverAll, "5000.00", "5015.50", endofday.TimeDepositOpen, "5015.50"},
		{interest.RolloverPrincipal, "5015.50", "5000.00", endofday.TimeDepositOpen, "5000.00"},
		{interest.Hold, "5000.00", "5015.50", endofday.TimeDepositHeld, "5000.00"},
	}
	demands := make([]ledger.Account, len(tests))
	deposits := make([]endofday.TimeDeposit, len(tests))
	for i, tc := range tests {
		demands[i] = f.Open("owner-" + tc.in.String())
		f.Deposit(demands[i].ID, "10000.00")
		r, err := f.openDeposit(demands[i].ID, "5000.00", 1, tc.in, "td-"+tc.in.String())
		require.NoError(t, err)
		deposits[i] = r.Deposit
	}
	sums := f.runThrough(calendar.MustDate(2026, time.April, 1))
	for _, s := range sums {
		require.Zero(t, s.Maturities, "nothing matures before 2 April")
	}
	sum := f.runEOD()
	require.Equal(t, len(tests), sum.Maturities)
	require.Empty(t, sum.Failures)
	for i, tc := range tests {
		t.Run(tc.in.String(), func(t *testing.T) {
			f.RequireBalance(demands[i].ID, tc.demand)
			f.RequireBalance(deposits[i].ID, tc.tdBal)
			td, err := f.eod.TimeDeposit(f.Ctx, deposits[i].ID)
			require.NoError(t, err)
			require.Equal(t, tc.status, td.Status)
			require.Equal(t, tc.principalAfter, td.Terms.Principal.ValueString())
			if tc.status == endofday.TimeDepositOpen {
				require.Equal(t, 1, td.Rollovers)
				require.Equal(t, calendar.MustDate(2026, time.April, 2), td.Terms.Start)
				requireDec(t, dec("0.073"), td.Terms.Rate, "a rollover takes the rate then current")
			}
			if tc.status == endofday.TimeDepositClosed {
				require.Equal(t, ledger.StatusClosed, f.Account(td.ID).Status)
			}
		})
	}
	// Running on matures nothing twice.
	next := f.runEOD()
	require.Zero(t, next.Maturities)
	f.RequireBalance(demands[0].ID, tests[0].demand)
	// Opening again with the first key finds the rolled-over deposit and
	// moves nothing: its funding is repeated as first made, not at the
	// principal, rate and start the rollover gave it.
	again, err := f.openDeposit(demands[1].ID, "5000.00", 1, interest.RolloverAll, "td-"+interest.RolloverAll.String())
	require.NoError(t, err)
	require.True(t, again.Replayed)
	require.Equal(t, deposits[1].ID, again.Deposit.ID)
	f.RequireBalance(demands[1].ID, tests[1].demand)
	f.RequireBalance(deposits[1].ID, tests[1].tdBal)

	// The held deposit is paid out on request, as it stands.
	closure, _, err := f.eod.CloseTimeDepositEarly(f.Ctx, deposits[3].ID)
	require.NoError(t, err)
	require.False(t, closure.PenaltyApplied)
	f.RequireBalance(demands[3].ID, "10015.50")
	f.RequireBalance(deposits[3].ID, "0.00")
	requireDec(t, dec("62.00"), f.chartBalance(ledger.CodeInterestExpense), "four maturities of 15.50")
	f.RequireTrialBalanced()
}

// Closed after 10 days, the deposit earns the demand account's 0.73% (1.00
// on 5000.00) instead of its own 3.65% (5.00), and the statement says so.
func testEarlyClosure(t *testing.T, f *fixture) {
	f.setProduct("term", termProduct())
	f.setProduct("savings", product("0.0073", interest.Monthly))
	demand := f.saver("alice", "10000.00", "savings")
	r, err := f.openDeposit(demand.ID, "5000.00", 12, interest.PayOut, "td-early")
	require.NoError(t, err)
	f.runThrough(calendar.MustDate(2026, time.March, 11))
	require.Equal(t, calendar.MustDate(2026, time.March, 12), f.Today)

	closure, receipt, err := f.eod.CloseTimeDepositEarly(f.Ctx, r.Deposit.ID)
	require.NoError(t, err)
	require.True(t, closure.PenaltyApplied)
	require.Equal(t, 10, closure.DaysHeld)
	require.Equal(t, "1.00", closure.Interest.ValueString())
	require.Equal(t, "4.00", closure.Forgone.ValueString())
	require.Equal(t, "5001.00", closure.Payout.ValueString())
	require.Equal(t, closure.Note, receipt.Entry.Description)
	require.Contains(t, closure.Note, "demand-deposit rate")

	st, err := f.Svc.Statement(f.Ctx, demand.ID, f.Today, f.Today)
	require.NoError(t, err)
	found := false
	for _, l := range st.Lines {
		found = found || (strings.Contains(l.Description, "demand-deposit rate") && l.Amount.Equal(cny("5001.00")))
	}
	require.True(t, found, "the statement line names the penalty rule")
	f.RequireBalance(r.Deposit.ID, "0.00")
	require.Equal(t, ledger.StatusClosed, f.Account(r.Deposit.ID).Status)

	_, _, err = f.eod.CloseTimeDepositEarly(f.Ctx, r.Deposit.ID)
	require.ErrorIs(t, err, endofday.ErrTimeDepositState)
}

func testTimeDepositValidation(t *testing.T, f *fixture) {
	f.setProduct("term", termProduct())
	usd := product("0.01", interest.AtMaturity)
	usd.Currency = money.USD
	f.setProduct("dollars", usd)
	demand := f.Open("alice")
	f.Deposit(demand.ID, "1000.00")
	loan := f.OpenWith(ledger.OpenAccountRequest{OwnerID: "alice", Product: ledger.ProductLoan, Currency: money.CNY})
	ok := endofday.OpenTimeDepositRequest{DemandAccountID: demand.ID, Principal: cny("100.00"), TermMonths: 3, ProductCode: "term", Instruction: interest.PayOut}
	tests := []struct {
		name  string
		edit  func(r *endofday.OpenTimeDepositRequest)
		field string
		is    error
	}{
		{"no account", func(r *endofday.OpenTimeDepositRequest) { r.DemandAccountID = ledger.NilID }, "demand_account_id", nil},
		{"zero term", func(r *endofday.OpenTimeDepositRequest) { r.TermMonths = 0 }, "term_months", nil},
		{"no instruction", func(r *endofday.OpenTimeDepositRequest) { r.Instruction = 0 }, "instruction", nil},
		{"negative principal", func(r *endofday.OpenTimeDepositRequest) { r.Principal = cny("-1.00") }, "principal", nil},
		{"no product", func(r *endofday.OpenTimeDepositRequest) { r.ProductCode = "" }, "product_code", nil},
		{"loan account", func(r *endofday.OpenTimeDepositRequest) { r.DemandAccountID = loan.ID }, "demand_account_id", nil},
		{"unknown product", func(r *endofday.OpenTimeDepositRequest) { r.ProductCode = "missing" }, "", ledger.ErrNotFound},
		{"product currency", func(r *endofday.OpenTimeDepositRequest) { r.ProductCode = "dollars" }, "", ledger.ErrCurrencyMismatch},
		{"principal currency", func(r *endofday.OpenTimeDepositRequest) { r.Principal = usd1() }, "", ledger.ErrCurrencyMismatch},
	}
	for _, tc := range tests {
		r := ok
		tc.edit(&r)
		_, err := f.eod.OpenTimeDeposit(f.Ctx, r)
		if tc.field != "" {
			requireInvalid(t, err, tc.field)
		} else {
			require.ErrorIs(t, err, tc.is, tc.name)
		}
	}
	f.RequireBalance(demand.ID, "1000.00")
	_, _, err := f.eod.CloseTimeDepositEarly(f.Ctx, ledger.NilID)
	requireInvalid(t, err, "time_deposit_id")
	_, _, err = f.eod.CloseTimeDepositEarly(f.Ctx, ledger.NewID())
	require.ErrorIs(t, err, ledger.ErrNotFound)
}

func usd1() money.Money { return usd("1.00") }

// A tiered product fixes each deposit's rate by its principal: 1.50%
// below 10,000.00 and 2.00% from there on (whole balance), or, with
// marginal tiers, 15,000.00 earns 1.50% on 10,000.00 and 2.00% on 5,000.00,
// an effective 1.6666666667%.
func testTimeDepositTieredRate(t *testing.T, f *fixture) {
	tiers := []interest.Tier{{From: dec("0"), Rate: dec("0.015")}, {From: dec("10000"), Rate: dec("0.02")}}
	whole := product("0", interest.AtMaturity)
	whole.Credit = interest.RateSchedule{{Effective: epoch, Rate: interest.Tiered(interest.WholeBalance, tiers...)}}
	marginal := whole
	marginal.Credit = interest.RateSchedule{{Effective: epoch, Rate: interest.Tiered(interest.Marginal, tiers...)}}
	f.setProduct("whole", whole)
	f.setProduct("marginal", marginal)
	demand := f.Open("alice")
	f.Deposit(demand.ID, "100000.00")
	tests := []struct {
		product, principal, rate string
	}{
		{"whole", "5000.00", "0.015"},
		{"whole", "20000.00", "0.02"},
		{"marginal", "15000.00", "0.0166666667"},
	}
	for _, tc := range tests {
		r, err := f.eod.OpenTimeDeposit(f.Ctx, endofday.OpenTimeDepositRequest{DemandAccountID: demand.ID, Principal: cny(tc.principal),
			TermMonths: 6, ProductCode: tc.product, Instruction: interest.PayOut})
		require.NoError(t, err)
		requireDec(t, dec(tc.rate), r.Deposit.Terms.Rate, tc.product+" "+tc.principal)
	}
}

// A deposit held at maturity (5000.00 + 15.50 interest, see
// testMaturityInstructions) is renewed on the customer's instruction for
// another month at the rate then current (7.30%), on everything it holds,
// and pays out at the new maturity: 5015.50 × 0.073 × days / 365.
func testHeldDepositRenewed(t *testing.T, f *fixture) {
	f.setProduct("term", termProduct())
	demand := f.Open("holder")
	f.Deposit(demand.ID, "10000.00")
	r, err := f.openDeposit(demand.ID, "5000.00", 1, interest.Hold, "td-hold")
	require.NoError(t, err)
	id := r.Deposit.ID

	_, err = f.eod.RenewHeldTimeDeposit(f.Ctx, id, 1, interest.PayOut)
	require.ErrorIs(t, err, endofday.ErrTimeDepositState, "an open deposit is not awaiting instruction")
	f.runThrough(calendar.MustDate(2026, time.April, 2))
	td, err := f.eod.TimeDeposit(f.Ctx, id)
	require.NoError(t, err)
	require.Equal(t, endofday.TimeDepositHeld, td.Status)

	_, err = f.eod.RenewHeldTimeDeposit(f.Ctx, id, 0, interest.PayOut)
	require.ErrorIs(t, err, ledger.ErrInvalidInput)
	today, err := f.Svc.BusinessDate(f.Ctx)
	require.NoError(t, err)
	renewed, err := f.eod.RenewHeldTimeDeposit(f.Ctx, id, 1, interest.PayOut)
	require.NoError(t, err)
	require.Equal(t, endofday.TimeDepositOpen, renewed.Status)
	require.Equal(t, today, renewed.Terms.Start)
	require.Equal(t, "5015.50", renewed.Terms.Principal.ValueString())
	requireDec(t, dec("0.073"), renewed.Terms.Rate, "a renewal takes the rate then current")
	_, err = f.eod.RenewHeldTimeDeposit(f.Ctx, id, 1, interest.PayOut)
	require.ErrorIs(t, err, endofday.ErrTimeDepositState, "renewing twice is refused")
	f.RequireBalance(id, "5015.50")

	// A maturity on a non-business day is booked by the next run.
	maturity := today.AddMonths(1)
	f.runThrough(maturity.AddDays(7))
	days := maturity.DaysSince(today)
	want := dec("5015.50").Mul(dec("0.073")).Mul(dec(strconv.Itoa(days))).DivRound(dec("365"), 10).RoundBank(2)
	f.RequireBalance(id, "0.00")
	f.RequireBalance(demand.ID, dec("5000.00").Add(dec("5015.50")).Add(want).StringFixed(2))
	td, err = f.eod.TimeDeposit(f.Ctx, id)
	require.NoError(t, err)
	require.Equal(t, endofday.TimeDepositClosed, td.Status)
	f.RequireTrialBalanced()
}
