package credittest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/money"
)

// approved takes the standard application (100,000.00 over 12 months,
// grade A: 6%) through both approval steps; the final approval issues
// contract version 1.
func (e *env) approved(p credit.Product) credit.Application {
	e.t.Helper()
	a := e.scored(p, "100000.00")
	_, err := e.decide(a.ID, 1, "officer-1", "loan_officer", credit.Approve, "")
	require.NoError(e.t, err)
	a, err = e.decide(a.ID, 2, "manager-1", "branch_manager", credit.Approve, "")
	require.NoError(e.t, err)
	require.Equal(e.t, credit.StatusApproved, a.Status)
	return a
}

// accepted is an approved application's contract accepted into a demand
// account holding 50,000.00; it returns the loan and the account.
func (e *env) accepted(p credit.Product) (credit.Loan, credit.ID) {
	e.t.Helper()
	a := e.approved(p)
	cs, err := e.svc.Contracts(e.ctx, a.ID)
	require.NoError(e.t, err)
	require.Len(e.t, cs, 1)
	acct := e.ledger.OpenDemand(a.CustomerID, cny("50000.00"))
	_, l, err := e.svc.AcceptContract(e.ctx, cs[0].ID, credit.AcceptRequest{Version: 1, Channel: credit.ChannelMobile,
		By: a.CustomerID.String(), DisbursementAccount: acct})
	require.NoError(e.t, err)
	return l, acct
}

func (e *env) balance(id credit.ID) string {
	e.t.Helper()
	m, err := e.ledger.Balance(e.ctx, id)
	require.NoError(e.t, err)
	return m.ValueString()
}

func field(err error) string {
	var fe *fault.FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}

func hexSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// The final approval issues version 1: the offer's 100,000.00 at 6% over
// 12 months from the business date, 8,606.64 a month, with the 1% fee
// (1,000.00) deducted. A re-issue supersedes it; accepting the superseded
// version is refused naming "version", a wrong digest naming "sha256";
// the stored documents are what their digests name.
func testContracts(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p := e.product("CONSUMER")
	a := e.approved(p)
	cs, err := e.svc.Contracts(e.ctx, a.ID)
	require.NoError(t, err)
	require.Len(t, cs, 1)
	v1 := cs[0]
	require.Equal(t, credit.ContractIssued, v1.Status)
	require.Equal(t, 1, v1.Version)
	require.Equal(t, "1000.00", v1.OriginationFee.ValueString())
	require.Equal(t, today, v1.Schedule.Terms().Start)
	first, err := v1.Schedule.Instalment(1)
	require.NoError(t, err)
	require.Equal(t, "8606.64", first.Total().ValueString())
	require.Equal(t, "99000.00", v1.Schedule.Terms().Disbursed.ValueString())
	// Total cost: interest 3,279.73 plus the 1,000.00 fee.
	require.Equal(t, "4279.73", v1.Rates.TotalCost.ValueString())
	require.True(t, v1.Rates.APR.GreaterThan(dec("0.06")), "a deducted fee raises the APR above the rate")

	for _, f := range []credit.DocumentFormat{credit.FormatHTML, credit.FormatPDF} {
		doc, err := e.svc.ContractDocument(e.ctx, v1.ID, f)
		require.NoError(t, err)
		want := v1.HTMLSHA256
		if f == credit.FormatPDF {
			want = v1.PDFSHA256
			require.True(t, bytes.HasPrefix(doc, []byte("%PDF-")))
		} else {
			require.Contains(t, string(doc), "8606.64")
		}
		require.Equal(t, want, hexSHA(doc), f)
	}
	_, err = e.svc.ContractDocument(e.ctx, v1.ID, "docx")
	require.Equal(t, "format", field(err))

	// Re-issued a week later from the new business date: version 2.
	e.clock.Set(time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC))
	v2, err := e.svc.IssueContract(e.ctx, a.ID, credit.IssueRequest{})
	require.NoError(t, err)
	require.Equal(t, 2, v2.Version)
	require.Equal(t, calendar.MustParseDate("2026-03-09"), v2.Schedule.Terms().Start)
	v1, err = e.svc.Contract(e.ctx, v1.ID)
	require.NoError(t, err)
	require.Equal(t, credit.ContractSuperseded, v1.Status)

	acct := e.ledger.OpenDemand(a.CustomerID, cny("0.00"))
	req := credit.AcceptRequest{Version: 1, Channel: credit.ChannelOnline, By: "customer", DisbursementAccount: acct}
	_, _, err = e.svc.AcceptContract(e.ctx, v1.ID, req)
	require.ErrorIs(t, err, credit.ErrSuperseded)
	require.Equal(t, "version", field(err))
	req.Version = 2
	_, _, err = e.svc.AcceptContract(e.ctx, v1.ID, req)
	require.ErrorIs(t, err, credit.ErrSuperseded, "the id names version 1")
	req.SHA256 = v1.PDFSHA256
	_, _, err = e.svc.AcceptContract(e.ctx, v2.ID, req)
	require.Equal(t, "sha256", field(err))
	req.SHA256 = v2.PDFSHA256
	req.DisbursementAccount = e.ledger.OpenDemand(credit.NewID(), cny("0.00")) // someone else's
	_, _, err = e.svc.AcceptContract(e.ctx, v2.ID, req)
	require.Equal(t, "disbursement_account", field(err))
	req.DisbursementAccount = acct
	loans, err := e.svc.Loans(e.ctx, credit.LoanFilter{CustomerID: a.CustomerID}, credit.Page{})
	require.NoError(t, err)
	require.Empty(t, loans, "refusals make no loan")

	c, l, err := e.svc.AcceptContract(e.ctx, v2.ID, req)
	require.NoError(t, err)
	require.Equal(t, credit.ContractAccepted, c.Status)
	require.Equal(t, credit.ChannelOnline, c.Acceptance.Channel)
	require.Equal(t, calendar.MustParseDate("2026-03-09"), c.Acceptance.BusinessDate)
	require.Equal(t, l.ID, c.LoanID)
	require.Equal(t, credit.LoanAccepted, l.Status)
	require.Equal(t, "0.00", l.Outstanding.ValueString())
	require.Equal(t, acct, l.DemandAccount)
	got, err := e.svc.Loan(e.ctx, l.ID)
	require.NoError(t, err)
	sameJSON(t, l, got)

	_, _, err = e.svc.AcceptContract(e.ctx, v2.ID, req)
	require.ErrorIs(t, err, credit.ErrInvalidTransition, "accepted once")
	_, err = e.svc.IssueContract(e.ctx, a.ID, credit.IssueRequest{})
	require.ErrorIs(t, err, credit.ErrInvalidTransition, "nothing supersedes an accepted contract")
	_, err = e.svc.IssueContract(e.ctx, a.ID, credit.IssueRequest{Start: calendar.MustParseDate("2026-03-01")})
	require.Equal(t, "start", field(err))

	// Only an approved application has a contract.
	open := e.scored(p, "20000.00")
	_, err = e.svc.IssueContract(e.ctx, open.ID, credit.IssueRequest{})
	require.ErrorIs(t, err, credit.ErrInvalidTransition)
}

// The whole loan is paid out once: 100,000.00 onto the loan account,
// 99,000.00 into the demand account (the 1,000.00 fee deducted, to fee
// income). A second disbursement is refused and moves nothing. In
// tranches, the first carries the fee and the last completes the loan.
func testDisburse(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p := e.product("CONSUMER")
	l, acct := e.accepted(p)
	l, err := e.svc.Disburse(e.ctx, l.ID, money.Money{})
	require.NoError(t, err)
	require.Equal(t, credit.LoanActive, l.Status)
	require.Equal(t, "100000.00", l.Outstanding.ValueString())
	require.Len(t, l.Tranches, 1)
	require.Equal(t, "loan/"+l.ID.String()+"/disbursement", l.Tranches[0].Key)
	require.Equal(t, "99000.00", l.Tranches[0].Cash.ValueString())
	require.Equal(t, "100000.00", e.balance(l.Account), "the loan account carries the outstanding principal")
	require.Equal(t, "149000.00", e.balance(acct))
	require.Equal(t, "1000", e.ledger.ChartBalance(credit.ChartFeesIncome).String())

	posted := e.ledger.Posted()
	_, err = e.svc.Disburse(e.ctx, l.ID, money.Money{})
	require.ErrorIs(t, err, credit.ErrAlreadyDisbursed)
	_, err = e.svc.Disburse(e.ctx, l.ID, cny("10.00"))
	require.ErrorIs(t, err, credit.ErrAlreadyDisbursed)
	require.Equal(t, posted, e.ledger.Posted(), "never pays twice")
	require.Equal(t, "149000.00", e.balance(acct))

	// Tranches: 30,000.00 (29,000.00 paid out after the fee), then the
	// remaining 70,000.00.
	l2, acct2 := e.accepted(e.product("TRANCHES"))
	_, err = e.svc.Disburse(e.ctx, l2.ID, cny("900.00"))
	require.Equal(t, "amount", field(err), "the first tranche must cover the fee")
	_, err = e.svc.Disburse(e.ctx, l2.ID, cny("100000.01"))
	require.Equal(t, "amount", field(err))
	_, err = e.svc.Disburse(e.ctx, l2.ID, money.MustParse("10", "USD"))
	require.Equal(t, "amount.currency", field(err))
	_, err = e.svc.Disburse(e.ctx, l2.ID, cny("-5.00"))
	require.Equal(t, "amount", field(err))
	l2, err = e.svc.Disburse(e.ctx, l2.ID, cny("30000.00"))
	require.NoError(t, err)
	require.Equal(t, credit.LoanDisbursing, l2.Status)
	require.Equal(t, "30000.00", e.balance(l2.Account))
	require.Equal(t, "79000.00", e.balance(acct2))
	_, _, err = e.svc.Repay(e.ctx, l2.ID, credit.RepaymentRequest{Amount: cny("100.00"), Source: credit.FromAccount,
		Channel: credit.ChannelMobile, By: "c", Key: "k1"})
	require.ErrorIs(t, err, credit.ErrInvalidTransition, "repaid once paid out in full")
	l2, err = e.svc.Disburse(e.ctx, l2.ID, money.Money{})
	require.NoError(t, err)
	require.Equal(t, credit.LoanActive, l2.Status)
	require.Equal(t, "loan/"+l2.ID.String()+"/disbursement/2", l2.Tranches[1].Key)
	require.Equal(t, "70000.00", l2.Tranches[1].Cash.ValueString())
	require.Equal(t, "100000.00", e.balance(l2.Account))
	require.Equal(t, "149000.00", e.balance(acct2))

	// A financed fee is added to the principal: 101,000.00 owed, the whole
	// 100,000.00 paid out, 1,000.00 to fee income.
	fin := Product("FINANCED")
	fin.Origination.Financed = true
	fp, err := e.svc.CreateProduct(e.ctx, fin)
	require.NoError(t, err)
	feesBefore := e.ledger.ChartBalance(credit.ChartFeesIncome)
	l4, acct4 := e.accepted(fp)
	require.Equal(t, "101000.00", l4.Schedule.Terms().Principal.ValueString())
	l4, err = e.svc.Disburse(e.ctx, l4.ID, money.Money{})
	require.NoError(t, err)
	require.Equal(t, "101000.00", l4.Outstanding.ValueString())
	require.Equal(t, "101000.00", e.balance(l4.Account))
	require.Equal(t, "150000.00", e.balance(acct4))
	require.Equal(t, "1000", e.ledger.ChartBalance(credit.ChartFeesIncome).Sub(feesBefore).String())

	// Before the contract's value date nothing is paid out.
	a := e.approved(e.product("LATER"))
	c, err := e.svc.IssueContract(e.ctx, a.ID, credit.IssueRequest{Start: calendar.MustParseDate("2026-03-05")})
	require.NoError(t, err)
	_, l3, err := e.svc.AcceptContract(e.ctx, c.ID, credit.AcceptRequest{Version: c.Version, Channel: credit.ChannelBranch, By: "teller-2",
		DisbursementAccount: e.ledger.OpenDemand(a.CustomerID, cny("0.00"))})
	require.NoError(t, err)
	_, err = e.svc.Disburse(e.ctx, l3.ID, money.Money{})
	require.ErrorIs(t, err, credit.ErrInvalidTransition)
}

// The ledger posts the disbursement but its answer is lost: the loan
// keeps the tranche pending, and the retry finishes it under the same key
// without paying again.
func testDisburseCrash(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	l, acct := e.accepted(e.product("CONSUMER"))
	e.ledger.LoseReplies(1)
	_, err := e.svc.Disburse(e.ctx, l.ID, money.Money{})
	require.ErrorIs(t, err, credit.ErrUnavailable)
	l, err = e.svc.Loan(e.ctx, l.ID)
	require.NoError(t, err)
	require.NotNil(t, l.Pending)
	require.Equal(t, "149000.00", e.balance(acct), "the entry posted")
	posted := e.ledger.Posted()
	l, err = e.svc.Disburse(e.ctx, l.ID, money.Money{})
	require.NoError(t, err)
	require.Nil(t, l.Pending)
	require.Equal(t, credit.LoanActive, l.Status)
	require.Equal(t, posted, e.ledger.Posted(), "the retry replayed the entry")
	require.Equal(t, "149000.00", e.balance(acct))
	require.Equal(t, l.Outstanding.ValueString(), e.balance(l.Account))
}

func (e *env) repay(id credit.ID, amount, key string) (credit.Repayment, credit.Loan, error) {
	return e.svc.Repay(e.ctx, id, credit.RepaymentRequest{Amount: cny(amount), Source: credit.FromAccount,
		Channel: credit.ChannelMobile, By: "customer", Key: key})
}

func parts(r credit.Repayment) map[string]string {
	out := map[string]string{}
	for _, p := range r.Allocation {
		out[p.Bucket.String()] = p.Amount.ValueString()
	}
	return out
}

// Figures by hand, 100,000.00 at 6% (0.5% a month), 8,606.64 a month,
// first due Thursday 2 April 2026, penalty-first allocation:
//
//   - 2 April, 8,606.64: interest 100,000.00 × 0.5% = 500.00, principal
//     8,106.64; outstanding 91,893.36.
//   - 2 May (the Service has no business calendar, so due dates stay
//     where they fall), 10,000.00: interest 91,893.36 × 0.5% =
//     459.4668 → 459.47, principal 8,606.64 − 459.47 = 8,147.17, the
//     remaining 1,393.36 held as advance; outstanding 83,746.19.
//   - 2 May, prepay 20,000.00 of principal, reduce term: fee 2% = 400.00;
//     the advance pays 1,393.36 of the 20,400.00, the account 19,006.64;
//     outstanding 63,746.19. Keeping 8,606.64 a month at 0.5%, 63,746.19
//     takes 8 more instalments (7 repay 59,059.37, 8 would repay
//     67,329.77), so the loan now has 10.
//   - 20 May, repay in full: interest from the period end, 2 May, 18 days
//     ACT/365: 63,746.19 × 6% × 18/365 = 188.6189 → 188.62; fee 2% of
//     63,746.19 = 1,274.9238 → 1,274.92; total 65,209.73. The loan
//     closes and its ledger account is back to zero.
func testRepayments(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	l, acct := e.accepted(e.product("CONSUMER"))
	l, err := e.svc.Disburse(e.ctx, l.ID, money.Money{})
	require.NoError(t, err)

	e.clock.Set(time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC))
	r, l, err := e.repay(l.ID, "8606.64", "april")
	require.NoError(t, err)
	require.Equal(t, map[string]string{"due.interest": "500.00", "due.principal": "8106.64"}, parts(r))
	require.Equal(t, "91893.36", l.Outstanding.ValueString())
	require.Equal(t, "91893.36", e.balance(l.Account))
	require.Equal(t, "500", e.ledger.ChartBalance(credit.ChartInterestIncome).String())

	e.clock.Set(time.Date(2026, 5, 2, 9, 0, 0, 0, time.UTC))
	r, l, err = e.repay(l.ID, "10000.00", "may")
	require.NoError(t, err)
	require.Equal(t, map[string]string{"due.interest": "459.47", "due.principal": "8147.17"}, parts(r))
	require.Equal(t, "1393.36", r.AdvanceHeld.ValueString())
	require.Equal(t, "1393.36", l.Advance.ValueString())
	require.Equal(t, "83746.19", l.Outstanding.ValueString())
	require.Equal(t, "83746.19", e.balance(l.Account))
	require.Equal(t, "1393.36", e.ledger.ChartBalance(credit.ChartLoanAdvances).StringFixed(2))

	// The same key again: the first repayment, nothing moved.
	posted := e.ledger.Posted()
	again, _, err := e.repay(l.ID, "10000.00", "may")
	require.NoError(t, err)
	require.Equal(t, r.ID, again.ID)
	require.Equal(t, posted, e.ledger.Posted())
	_, _, err = e.repay(l.ID, "10.00", "may")
	require.ErrorIs(t, err, credit.ErrKeyReused)

	// Reducing the instalment instead keeps the 10 periods left:
	// 63,746.19 × 0.005 / (1 − 1.005^−10) = 6,551.2325 → 6,551.23, of
	// which interest 63,746.19 × 0.005 = 318.73 and principal 6,232.50.
	qi, err := e.svc.QuotePrepayment(e.ctx, l.ID, false, cny("20000.00"), credit.ReduceInstalment)
	require.NoError(t, err)
	require.Equal(t, 12, qi.Schedule.Len())
	in3, err := qi.Schedule.Instalment(3)
	require.NoError(t, err)
	require.Equal(t, []string{"6551.23", "318.73", "6232.50"},
		[]string{in3.Total().ValueString(), in3.Interest.ValueString(), in3.Principal.ValueString()})

	q, err := e.svc.QuotePrepayment(e.ctx, l.ID, false, cny("20000.00"), "")
	require.NoError(t, err)
	require.Equal(t, "400.00", q.Fee.ValueString())
	require.Equal(t, "19006.64", q.Payable.ValueString())
	r, l, err = e.svc.Prepay(e.ctx, l.ID, credit.PrepaymentRequest{Amount: cny("20000.00"), Source: credit.FromAccount,
		Channel: credit.ChannelOnline, By: "customer", Key: "prepay-1"})
	require.NoError(t, err)
	require.Equal(t, "19006.64", r.Amount.ValueString())
	require.Equal(t, "1393.36", r.AdvanceUsed.ValueString())
	require.Equal(t, "63746.19", l.Outstanding.ValueString())
	require.Equal(t, "63746.19", e.balance(l.Account))
	require.Equal(t, "0.00", l.Advance.ValueString())
	require.Equal(t, 10, l.Schedule.Len())
	third, err := l.Schedule.Instalment(3)
	require.NoError(t, err)
	require.Equal(t, "8606.64", third.Total().ValueString(), "reduce term keeps the instalment")
	require.Len(t, l.Paid, 10)

	e.clock.Set(time.Date(2026, 5, 20, 9, 0, 0, 0, time.UTC))
	q, err = e.svc.QuotePrepayment(e.ctx, l.ID, true, money.Money{}, "")
	require.NoError(t, err)
	require.Equal(t, "188.62", q.Interest.ValueString())
	require.Equal(t, "1274.92", q.Fee.ValueString())
	require.Equal(t, "65209.73", q.Payable.ValueString())
	_, _, err = e.svc.Prepay(e.ctx, l.ID, credit.PrepaymentRequest{Full: true, Amount: cny("65000.00"), Source: credit.FromAccount,
		Channel: credit.ChannelOnline, By: "customer", Key: "payoff"})
	require.Equal(t, "amount", field(err))
	r, l, err = e.svc.Prepay(e.ctx, l.ID, credit.PrepaymentRequest{Full: true, Amount: cny("65209.73"), Source: credit.FromAccount,
		Channel: credit.ChannelOnline, By: "customer", Key: "payoff"})
	require.NoError(t, err)
	require.Equal(t, credit.OpPayoff, r.Kind)
	require.Equal(t, credit.LoanClosed, l.Status)
	require.Equal(t, "0.00", l.Outstanding.ValueString())
	require.Equal(t, "0.00", e.balance(l.Account))
	// 50,000 + 99,000 − 8,606.64 − 10,000 − 19,006.64 − 65,209.73
	require.Equal(t, "46176.99", e.balance(acct))

	_, _, err = e.repay(l.ID, "100.00", "after-close")
	require.ErrorIs(t, err, credit.ErrLoanClosed)
	rs, err := e.svc.Repayments(e.ctx, l.ID, credit.Page{})
	require.NoError(t, err)
	require.Len(t, rs, 4)
	require.Equal(t, []string{"april", "may", "prepay-1", "payoff"}, []string{rs[0].Key, rs[1].Key, rs[2].Key, rs[3].Key})
}

// A payment the ledger refuses (insufficient funds) records nothing; a
// lost answer leaves the repayment pending and the retry with the same
// key finishes it; teller cash goes through vault cash; bad input names
// its field.
func testRepaymentRefusals(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	l, _ := e.accepted(e.product("CONSUMER"))
	l, err := e.svc.Disburse(e.ctx, l.ID, money.Money{})
	require.NoError(t, err)
	e.clock.Set(time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC))

	for _, tc := range []struct {
		req   credit.RepaymentRequest
		field string
	}{
		{credit.RepaymentRequest{Amount: cny("0.00"), Source: credit.FromAccount, Channel: credit.ChannelMobile, By: "c", Key: "k"}, "amount"},
		{credit.RepaymentRequest{Amount: cny("-1.00"), Source: credit.FromAccount, Channel: credit.ChannelMobile, By: "c", Key: "k"}, "amount"},
		{credit.RepaymentRequest{Amount: money.Money{Amount: dec("1.001"), Currency: "CNY"}, Source: credit.FromAccount, Channel: credit.ChannelMobile, By: "c", Key: "k"}, "amount"},
		{credit.RepaymentRequest{Amount: money.MustParse("1.00", "USD"), Source: credit.FromAccount, Channel: credit.ChannelMobile, By: "c", Key: "k"}, "amount.currency"},
		{credit.RepaymentRequest{Amount: cny("1.00"), Source: "card", Channel: credit.ChannelMobile, By: "c", Key: "k"}, "source"},
		{credit.RepaymentRequest{Amount: cny("1.00"), Source: credit.FromAccount, Channel: "fax", By: "c", Key: "k"}, "channel"},
		{credit.RepaymentRequest{Amount: cny("1.00"), Source: credit.FromAccount, Channel: credit.ChannelMobile, Key: "k"}, "by"},
		{credit.RepaymentRequest{Amount: cny("1.00"), Source: credit.FromAccount, Channel: credit.ChannelMobile, By: "c"}, "key"},
		{credit.RepaymentRequest{Amount: cny("1.00"), Source: credit.FromAccount, Account: credit.NewID(), Channel: credit.ChannelMobile, By: "c", Key: "k"}, "account"},
	} {
		_, _, err := e.svc.Repay(e.ctx, l.ID, tc.req)
		require.ErrorIs(t, err, credit.ErrInvalidInput, tc.field)
		require.Equal(t, tc.field, field(err))
	}

	poor := e.ledger.OpenDemand(l.CustomerID, cny("100.00"))
	_, _, err = e.svc.Repay(e.ctx, l.ID, credit.RepaymentRequest{Amount: cny("8606.64"), Source: credit.FromAccount, Account: poor,
		Channel: credit.ChannelMobile, By: "customer", Key: "poor"})
	require.ErrorIs(t, err, credit.ErrRefused)
	after, err := e.svc.Loan(e.ctx, l.ID)
	require.NoError(t, err)
	require.Nil(t, after.Pending)
	require.Equal(t, l.Outstanding, after.Outstanding)
	require.Equal(t, l.Paid, after.Paid)
	require.Equal(t, "100.00", e.balance(poor))

	e.ledger.LoseReplies(1)
	_, _, err = e.svc.Repay(e.ctx, l.ID, credit.RepaymentRequest{Amount: cny("8606.64"), Source: credit.FromCash,
		Channel: credit.ChannelBranch, By: "teller-3", Key: "cash-1"})
	require.ErrorIs(t, err, credit.ErrUnavailable)
	r, l, err := e.svc.Repay(e.ctx, l.ID, credit.RepaymentRequest{Amount: cny("8606.64"), Source: credit.FromCash,
		Channel: credit.ChannelBranch, By: "teller-3", Key: "cash-1"})
	require.NoError(t, err)
	require.Equal(t, "cash-1", r.Key)
	require.Equal(t, "91893.36", l.Outstanding.ValueString())
	require.Equal(t, "91893.36", e.balance(l.Account))
	require.Equal(t, "-8606.64", e.ledger.ChartBalance(credit.ChartVaultCash).StringFixed(2), "cash paid in is a debit of vault cash")

	// A partial prepayment with an instalment unpaid is refused.
	e.clock.Set(time.Date(2026, 5, 5, 9, 0, 0, 0, time.UTC))
	_, _, err = e.svc.Prepay(e.ctx, l.ID, credit.PrepaymentRequest{Amount: cny("1000.00"), Source: credit.FromAccount,
		Channel: credit.ChannelOnline, By: "customer", Key: "early"})
	require.ErrorIs(t, err, credit.ErrInvalidTransition)
	// Due on 2 May, overdue on the 5th: the payment goes to overdue buckets.
	r, _, err = e.repay(l.ID, "500.00", "late")
	require.NoError(t, err)
	require.Equal(t, map[string]string{"overdue.interest": "459.47", "overdue.principal": "40.53"}, parts(r))
}

// Issue, acceptance, disbursement and repayment publish their events,
// with the loan's and the customer's ids.
func testLoanEvents(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	l, _ := e.accepted(e.product("CONSUMER"))
	_, err := e.svc.Disburse(e.ctx, l.ID, money.Money{})
	require.NoError(t, err)
	e.clock.Set(time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC))
	_, _, err = e.repay(l.ID, "8606.64", "april")
	require.NoError(t, err)

	rec := &recorder{}
	require.NoError(t, e.svc.Events().Subscribe(e.ctx, "ledger", rec.handle))
	_, err = e.svc.Events().Deliver(e.ctx)
	require.NoError(t, err)
	var tail []string
	for _, ev := range rec.seen[len(rec.seen)-4:] {
		tail = append(tail, ev.Type)
	}
	require.Equal(t, []string{credit.EventContractIssued, credit.EventContractAccepted, credit.EventLoanDisbursed,
		credit.EventRepaymentReceived}, tail)
	last := rec.seen[len(rec.seen)-1]
	require.Equal(t, []credit.ID{l.ID, l.CustomerID}, last.Subjects)
	var got credit.RepaymentReceived
	require.NoError(t, json.Unmarshal(last.Payload, &got))
	require.Equal(t, "91893.36", got.Outstanding.ValueString())
	require.Equal(t, credit.LoanActive, got.Status)
}

// Many disbursements of one loan at once pay it out once; many
// repayments at once (each its own key, nothing due yet, so each is held
// as advance) are each applied once, and the advance the loan holds is
// what the ledger holds.
func testConcurrentMoney(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	l, acct := e.accepted(e.product("CONSUMER"))
	const n = 8
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			_, err := e.svc.Disburse(e.ctx, l.ID, money.Money{})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			require.ErrorIs(t, err, credit.ErrAlreadyDisbursed)
		}
	}
	l, err := e.svc.Loan(e.ctx, l.ID)
	require.NoError(t, err)
	require.Len(t, l.Tranches, 1)
	require.Equal(t, 1, e.ledger.Posted())
	require.Equal(t, "149000.00", e.balance(acct))
	require.Equal(t, "100000.00", e.balance(l.Account))

	results := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, _, err := e.repay(l.ID, "100.00", fmt.Sprintf("early-%d", i))
			results <- err
		})
	}
	wg.Wait()
	close(results)
	ok := 0
	for err := range results {
		if err == nil {
			ok++
			continue
		}
		require.ErrorIs(t, err, credit.ErrInvalidTransition, "only a loan too busy to wait for refuses")
	}
	require.Positive(t, ok)
	l, err = e.svc.Loan(e.ctx, l.ID)
	require.NoError(t, err)
	require.Nil(t, l.Pending)
	require.Equal(t, ok, l.Repayments)
	require.Equal(t, decimal.NewFromInt(int64(100*ok)).StringFixed(2), l.Advance.ValueString())
	require.Equal(t, l.Advance.ValueString(), e.ledger.ChartBalance(credit.ChartLoanAdvances).StringFixed(2))
	require.Equal(t, 1+ok, e.ledger.Posted())
	rs, err := e.svc.Repayments(e.ctx, l.ID, credit.Page{})
	require.NoError(t, err)
	require.Len(t, rs, ok)
}

// A loan through its year with payments drawn at random (a fixed seed):
// on each due date the exact instalment, more, less, nothing, or a
// partial or full prepayment. After every payment the loan account in the
// ledger holds the outstanding principal and loan advances the advance
// held; principal paid and prepaid plus what is outstanding is what was
// disbursed; each repayment's allocation, with what it held or paid back,
// is the payment and the advance it spent.
func testRandomPayments(t *testing.T, newStore func(*testing.T) credit.Store) {
	for seed := range uint64(3) {
		e := newEnv(t, newStore)
		rng := rand.New(rand.NewPCG(seed, 14))
		l, _ := e.accepted(e.product(fmt.Sprintf("RANDOM-%d", seed)))
		l, err := e.svc.Disburse(e.ctx, l.ID, money.Money{})
		require.NoError(t, err)
		check := func(what string) {
			t.Helper()
			require.Equal(t, l.Outstanding.ValueString(), e.balance(l.Account), what)
			require.Equal(t, l.Advance.ValueString(), e.ledger.ChartBalance(credit.ChartLoanAdvances).StringFixed(2), what)
			paid := decimal.Zero
			for i, p := range l.Paid {
				in, err := l.Schedule.Instalment(i + 1)
				require.NoError(t, err)
				paid = paid.Add(p.Principal.Amount).Add(in.Prepaid.Amount)
			}
			if l.Status != credit.LoanClosed {
				require.Equal(t, l.Disbursed.Amount.StringFixed(2), paid.Add(l.Outstanding.Amount).StringFixed(2), what)
			}
		}
		for k := 1; l.Status == credit.LoanActive && k <= l.Schedule.Len(); k++ {
			in, err := l.Schedule.Instalment(k)
			require.NoError(t, err)
			e.clock.Set(in.DueDate.In(time.UTC).Add(9 * time.Hour))
			key := fmt.Sprintf("k%d", k)
			var r credit.Repayment
			switch pick := rng.IntN(10); {
			case pick == 0: // missed
				continue
			case pick <= 5:
				r, l, err = e.repay(l.ID, in.Total().ValueString(), key)
			case pick <= 7: // 50% to 150% of the instalment
				share := decimal.NewFromInt(int64(50 + rng.IntN(101))).Div(decimal.NewFromInt(100))
				r, l, err = e.repay(l.ID, in.Total().Amount.Mul(share).Round(2).StringFixed(2), key)
			case pick == 8 && k < l.Schedule.Len()-1:
				if r, l, err = e.repay(l.ID, in.Total().ValueString(), key); err == nil {
					amount := l.Outstanding.Amount.Div(decimal.NewFromInt(4)).Round(2)
					r, l, err = e.svc.Prepay(e.ctx, l.ID, credit.PrepaymentRequest{Amount: cny(amount.StringFixed(2)),
						Source: credit.FromAccount, Channel: credit.ChannelOnline, By: "c", Key: key + "-prepay"})
					if errors.Is(err, credit.ErrInvalidTransition) { // an earlier miss is still unpaid
						err = nil
					}
				}
			default: // twice the instalment: the rest held as advance
				r, l, err = e.repay(l.ID, in.Total().Amount.Mul(decimal.NewFromInt(2)).StringFixed(2), key)
			}
			require.NoError(t, err, "seed %d instalment %d", seed, k)
			check(fmt.Sprintf("seed %d instalment %d", seed, k))
			if r.Kind == credit.OpRepayment && r.Key == key {
				sum := r.AdvanceHeld.Amount.Add(r.Refunded.Amount).Sub(r.AdvanceUsed.Amount)
				for _, p := range r.Allocation {
					sum = sum.Add(p.Amount.Amount)
				}
				require.Equal(t, r.Amount.ValueString(), sum.StringFixed(2))
			}
		}
		t.Logf("seed %d: %s after %d repayments, %d instalments, advance %s", seed, l.Status, l.Repayments, l.Schedule.Len(), l.Advance.ValueString())
		if l.Status == credit.LoanActive {
			// After maturity everything is overdue: paying it, less the
			// advance held, plus 5.00 closes the loan and pays the 5.00 back.
			e.clock.Set(time.Date(2027, 6, 1, 9, 0, 0, 0, time.UTC))
			owed := decimal.NewFromInt(5).Sub(l.Advance.Amount)
			for i, in := range l.Schedule.Instalments() {
				owed = owed.Add(in.Total().Amount).Sub(l.Paid[i].Principal.Amount).Sub(l.Paid[i].Interest.Amount)
			}
			var r credit.Repayment
			r, l, err = e.repay(l.ID, owed.StringFixed(2), "last")
			require.NoError(t, err)
			require.Equal(t, credit.LoanClosed, l.Status, "a payment of everything owed closes the loan")
			require.Equal(t, "5.00", r.Refunded.ValueString())
			check("last")
			require.Equal(t, "0.00", e.balance(l.Account))
		}
	}
}

// A re-issue and the acceptance of the version it supersedes, at once:
// one of them wins, never both — either the acceptance stands (and the
// re-issue is refused) or the new version stands (and the acceptance of
// the old one is refused naming "version").
func testIssueRacesAcceptance(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p := e.product("CONSUMER")
	for range 5 {
		a := e.approved(p)
		cs, err := e.svc.Contracts(e.ctx, a.ID)
		require.NoError(t, err)
		acct := e.ledger.OpenDemand(a.CustomerID, cny("0.00"))
		var issueErr, acceptErr error
		var wg sync.WaitGroup
		wg.Go(func() { _, issueErr = e.svc.IssueContract(e.ctx, a.ID, credit.IssueRequest{}) })
		wg.Go(func() {
			_, _, acceptErr = e.svc.AcceptContract(e.ctx, cs[0].ID, credit.AcceptRequest{Version: 1, Channel: credit.ChannelBranch,
				By: "teller-1", DisbursementAccount: acct})
		})
		wg.Wait()
		require.True(t, (issueErr == nil) != (acceptErr == nil), "issue: %v; accept: %v", issueErr, acceptErr)
		cs, err = e.svc.Contracts(e.ctx, a.ID)
		require.NoError(t, err)
		loans, err := e.svc.Loans(e.ctx, credit.LoanFilter{CustomerID: a.CustomerID}, credit.Page{})
		require.NoError(t, err)
		if acceptErr == nil {
			require.ErrorIs(t, issueErr, credit.ErrInvalidTransition)
			require.Len(t, cs, 1)
			require.Equal(t, credit.ContractAccepted, cs[0].Status)
			require.Len(t, loans, 1)
		} else {
			require.ErrorIs(t, acceptErr, credit.ErrSuperseded)
			require.Equal(t, "version", field(acceptErr))
			require.Equal(t, []credit.ContractStatus{credit.ContractSuperseded, credit.ContractIssued}, []credit.ContractStatus{cs[0].Status, cs[1].Status})
			require.Empty(t, loans)
		}
	}
	// A contract is not a loan: nothing is disbursed before acceptance.
	a := e.approved(p)
	cs, err := e.svc.Contracts(e.ctx, a.ID)
	require.NoError(t, err)
	_, err = e.svc.Disburse(e.ctx, cs[0].ID, money.Money{})
	require.ErrorIs(t, err, credit.ErrNotFound)
	active, err := e.svc.Loans(e.ctx, credit.LoanFilter{Status: credit.LoanActive}, credit.Page{})
	require.NoError(t, err)
	require.Empty(t, active)
	_, err = e.svc.Loans(e.ctx, credit.LoanFilter{Status: "overdue"}, credit.Page{})
	require.Equal(t, "status", field(err))
}
