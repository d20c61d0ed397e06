package ledger

import (
	"testing"
	"time"

	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// applyFixture is two CNY deposit accounts, the first holding 100.00 of
// which 40.00 is held, and a capture entry of amount from the first to the
// second.
func applyFixture(t *testing.T, amount string) (Entry, []Movement, []Account, *Hold) {
	t.Helper()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	a := Account{ID: NewID(), Number: "a", Currency: money.CNY, NormalSide: Credit, Status: StatusActive,
		Balance: money.MustParse("100.00", "CNY"), Held: money.MustParse("40.00", "CNY")}
	b := Account{ID: NewID(), Number: "b", Currency: money.CNY, NormalSide: Credit, Status: StatusActive,
		Balance: money.Zero(money.CNY), Held: money.Zero(money.CNY)}
	h := &Hold{ID: NewID(), AccountID: a.ID, Amount: money.MustParse("40.00", "CNY"), Status: HoldActive}
	e := Entry{ID: NewID(), Kind: KindCapture, HoldID: h.ID, BookedAt: now, Postings: []Posting{
		{AccountID: a.ID, Side: Debit, Amount: money.MustParse(amount, "CNY")},
		{AccountID: b.ID, Side: Credit, Amount: money.MustParse(amount, "CNY")},
	}}
	return e, e.Movements(), []Account{a, b}, h
}

func TestApplyCapture(t *testing.T) {
	t.Parallel()
	e, moves, accounts, h := applyFixture(t, "25.00")
	require.NoError(t, Apply(e, moves, accounts, h))
	require.Equal(t, "75.00", accounts[0].Balance.ValueString())
	require.Equal(t, "0.00", accounts[0].Held.ValueString(), "the rest of the hold is released")
	require.Equal(t, "25.00", accounts[1].Balance.ValueString())
	require.Equal(t, HoldCaptured, h.Status)
	require.Equal(t, "25.00", h.Captured.ValueString())
	require.Equal(t, e.ID, h.CaptureEntryID)
}

func TestApplyRefusalChangesNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		amount string
		edit   func(accounts []Account, h *Hold)
		want   error
	}{
		{"capture above the hold", "40.01", nil, ErrInvalidInput},
		{"released hold", "10.00", func(_ []Account, h *Hold) { h.Status = HoldReleased }, ErrHoldNotActive},
		{"expired hold", "10.00", func(_ []Account, h *Hold) { h.ExpiresAt = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }, ErrHoldNotActive},
		{"payee closed", "10.00", func(a []Account, _ *Hold) { a[1].Status = StatusClosed }, ErrAccountClosed},
		{"payer frozen for debits", "10.00", func(a []Account, _ *Hold) { a[0].Status = StatusFrozenDebits }, ErrAccountFrozen},
		{"payee in USD", "10.00", func(a []Account, _ *Hold) { a[1].Currency = money.USD }, ErrCurrencyMismatch},
		{"balance below the hold", "40.00", func(a []Account, _ *Hold) {
			a[0].Balance = money.MustParse("30.00", "CNY")
		}, ErrInsufficientFunds},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, moves, accounts, h := applyFixture(t, tc.amount)
			if tc.edit != nil {
				tc.edit(accounts, h)
			}
			beforeAccounts := append([]Account(nil), accounts...)
			beforeHold := *h
			require.ErrorIs(t, Apply(e, moves, accounts, h), tc.want)
			require.Equal(t, beforeAccounts, accounts)
			require.Equal(t, beforeHold, *h)
		})
	}
}

func TestApplyOverdraftBoundary(t *testing.T) {
	t.Parallel()
	payer := Account{ID: NewID(), Number: "p", Currency: money.CNY, NormalSide: Credit, Status: StatusActive,
		Policy: Overdraft(decimal.RequireFromString("50")), Balance: money.MustParse("10.00", "CNY"), Held: money.MustParse("5.00", "CNY")}
	payee := Account{ID: NewID(), Number: "q", Currency: money.CNY, NormalSide: Credit, Status: StatusActive}
	entry := func(amount string) Entry {
		return Entry{ID: NewID(), Kind: KindTransfer, Postings: []Posting{
			{AccountID: payer.ID, Side: Debit, Amount: money.MustParse(amount, "CNY")},
			{AccountID: payee.ID, Side: Credit, Amount: money.MustParse(amount, "CNY")},
		}}
	}
	// Available: 10 - 5 + 50 = 55.
	over := entry("55.01")
	err := Apply(over, over.Movements(), []Account{payer, payee}, nil)
	require.ErrorIs(t, err, ErrInsufficientFunds)
	exact := entry("55.00")
	accounts := []Account{payer, payee}
	require.NoError(t, Apply(exact, exact.Movements(), accounts, nil))
	require.Equal(t, "-45.00", accounts[0].Balance.ValueString())
}

// Money leaves a time deposit only by the journal entries of maturity and
// early closure (and by reversal, the bank's own correction).
func TestTimeDepositsPayOutOnlyByJournal(t *testing.T) {
	t.Parallel()
	deposit := func() Account {
		return Account{ID: NewID(), Number: "td", Product: ProductTime, Currency: money.CNY, NormalSide: Credit,
			Status: StatusActive, Balance: money.MustParse("1000.00", "CNY"), Held: money.Zero(money.CNY)}
	}
	demand := Account{ID: NewID(), Number: "dd", Product: ProductDemand, Currency: money.CNY, NormalSide: Credit,
		Status: StatusActive, Balance: money.Zero(money.CNY), Held: money.Zero(money.CNY)}
	for _, tc := range []struct {
		kind EntryKind
		want error
	}{
		{KindTransfer, ErrTimeDepositLocked},
		{KindWithdrawal, ErrTimeDepositLocked},
		{KindJournal, nil},
		{KindReversal, nil},
	} {
		td := deposit()
		e := Entry{ID: NewID(), Kind: tc.kind, Postings: []Posting{
			{AccountID: td.ID, Side: Debit, Amount: money.MustParse("10.00", "CNY")},
			{AccountID: demand.ID, Side: Credit, Amount: money.MustParse("10.00", "CNY")},
		}}
		moves := e.Movements()
		accounts := inMoveOrder(moves, td, demand)
		err := Apply(e, moves, accounts, nil)
		got := accounts[0]
		if got.ID != td.ID {
			got = accounts[1]
		}
		if tc.want != nil {
			require.ErrorIs(t, err, tc.want, tc.kind)
			require.Equal(t, "1000.00", got.Balance.ValueString(), "a refused entry changes nothing")
			continue
		}
		require.NoError(t, err, tc.kind)
		require.Equal(t, "990.00", got.Balance.ValueString())
	}

	// Funding (a credit) is fine; a hold is not.
	td := deposit()
	e := Entry{ID: NewID(), Kind: KindTransfer, Postings: []Posting{
		{AccountID: demand.ID, Side: Debit, Amount: money.MustParse("10.00", "CNY")},
		{AccountID: td.ID, Side: Credit, Amount: money.MustParse("10.00", "CNY")},
	}}
	payer := demand
	payer.Balance = money.MustParse("10.00", "CNY")
	require.NoError(t, Apply(e, e.Movements(), inMoveOrder(e.Movements(), payer, td), nil))
	require.ErrorIs(t, AdmitHold(&td, Hold{AccountID: td.ID, Amount: money.MustParse("1.00", "CNY")}), ErrTimeDepositLocked)
}

// inMoveOrder lists the accounts in the order of the movements, as a store
// passes them to Apply.
func inMoveOrder(moves []Movement, accounts ...Account) []Account {
	out := make([]Account, 0, len(moves))
	for _, m := range moves {
		for _, a := range accounts {
			if a.ID == m.AccountID {
				out = append(out, a)
			}
		}
	}
	return out
}

// An account beyond the bounds (a balance booked before they existed) can
// be drawn down by any posting, and by none can it grow.
func TestApplyLetsABalanceBeyondTheBoundsShrink(t *testing.T) {
	huge := money.Money{Amount: decimal.New(1, 20), Currency: money.CNY}
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, kind := range []EntryKind{KindTransfer, KindJournal} {
		rich := Account{ID: NewID(), Number: "rich", Currency: money.CNY, NormalSide: Credit, Status: StatusActive, Balance: huge, Held: money.Zero(money.CNY)}
		other := Account{ID: NewID(), Number: "other", Currency: money.CNY, NormalSide: Credit, Status: StatusActive,
			Balance: money.MustParse("100.00", "CNY"), Held: money.Zero(money.CNY)}
		move := func(from, to Account) error {
			e := Entry{ID: NewID(), Kind: kind, BookedAt: now, Postings: []Posting{
				{AccountID: from.ID, Side: Debit, Amount: money.MustParse("10.00", "CNY")},
				{AccountID: to.ID, Side: Credit, Amount: money.MustParse("10.00", "CNY")},
			}}
			moves := e.Movements()
			accounts := make([]Account, len(moves))
			for i, m := range moves {
				accounts[i] = map[ID]Account{rich.ID: rich, other.ID: other}[m.AccountID]
			}
			return Apply(e, moves, accounts, nil)
		}
		require.NoError(t, move(rich, other), kind)
		require.ErrorIs(t, move(other, rich), ErrBalanceLimit, kind)
	}
}
