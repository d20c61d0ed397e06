// Package creditport adapts the ledger to credit's Ledger port: a loan's
// ledger account, its entries posted under credit's idempotency keys, and
// balances read back. It lives on the server's side, so neither credit nor
// ledger imports the other.
package creditport

import (
	"context"
	"errors"
	"fmt"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

// Ledger is credit.Ledger over a *ledger.Service.
type Ledger struct {
	svc *ledger.Service
}

var _ credit.Ledger = (*Ledger)(nil)

// New returns the adapter over svc.
func New(svc *ledger.Service) *Ledger { return &Ledger{svc: svc} }

// LoanAdvances is the chart account of repayments held ahead of what is
// due: a liability to the borrowers, so credit-normal.
var LoanAdvances = ledger.ChartAccount{Code: credit.ChartLoanAdvances, Name: "Loan repayments received in advance", NormalSide: ledger.Credit}

// LoanLosses is the chart account a write-off charges: an expense, so
// debit-normal.
var LoanLosses = ledger.ChartAccount{Code: credit.ChartLoanLosses, Name: "Loan losses written off", NormalSide: ledger.Debit}

// LoanRecoveries is the chart account of money recovered on loans
// written off: income, so credit-normal.
var LoanRecoveries = ledger.ChartAccount{Code: credit.ChartLoanRecoveries, Name: "Recoveries on loans written off", NormalSide: ledger.Credit}

// FeesReceivable is the chart account of penalty interest and fees
// charged on loans and not yet paid: an asset, so debit-normal.
var FeesReceivable = ledger.ChartAccount{Code: credit.ChartFeesReceivable, Name: "Loan penalties and fees receivable", NormalSide: ledger.Debit}

// InterestSuspense is the chart account of the unpaid interest and
// charges a restructuring on non-accrual capitalised: not income until
// paid, a contra-asset to the loans, so credit-normal.
var InterestSuspense = ledger.ChartAccount{Code: credit.ChartInterestSuspense, Name: "Loan interest in suspense", NormalSide: ledger.Credit}

// LoanLossAllowance is the allowance for loan losses: a contra-asset to
// the loans, so credit-normal.
var LoanLossAllowance = ledger.ChartAccount{Code: credit.ChartLoanLossAllowance, Name: "Allowance for loan losses", NormalSide: ledger.Credit}

// ProvisionExpense is the expense of raising the allowance: debit-normal.
var ProvisionExpense = ledger.ChartAccount{Code: credit.ChartProvisionExpense, Name: "Loan-loss provision expense", NormalSide: ledger.Debit}

// onDemand are credit's chart accounts beyond the ledger's default chart,
// created in a currency the first time an entry names them.
var onDemand = map[string]ledger.ChartAccount{credit.ChartLoanAdvances: LoanAdvances, credit.ChartLoanLosses: LoanLosses,
	credit.ChartLoanRecoveries: LoanRecoveries, credit.ChartFeesReceivable: FeesReceivable, credit.ChartInterestSuspense: InterestSuspense,
	credit.ChartLoanLossAllowance: LoanLossAllowance, credit.ChartProvisionExpense: ProvisionExpense}

// refusal maps the ledger's answer: a sentinel that refuses the request
// (bad input, a business rule, a state, a missing account) means nothing
// posted, credit.ErrRefused; anything else (the store down, a bug) leaves
// the outcome unknown and is returned as it is.
func refusal(err error) error {
	switch fault.KindOf(err) {
	case fault.Invalid, fault.Unprocessable, fault.Conflict, fault.NotFound, fault.Forbidden, fault.PreconditionFailed:
		return fmt.Errorf("%w: %w", credit.ErrRefused, err)
	}
	return err
}

// OpenLoanAccount implements credit.Ledger: a loan account (debit-normal,
// never below zero) owned by the customer, opened once per key.
func (l *Ledger) OpenLoanAccount(ctx context.Context, r credit.LoanAccountRequest) (credit.ID, error) {
	a, err := l.svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: r.CustomerID.String(), Product: ledger.ProductLoan,
		Currency: r.Currency, Policy: ledger.NonNegative(), IdempotencyKey: r.Key})
	if err != nil {
		return credit.NilID, refusal(err)
	}
	return a.ID, nil
}

// CheckDemandAccount implements credit.Ledger.
func (l *Ledger) CheckDemandAccount(ctx context.Context, account, customer credit.ID, c money.Currency) error {
	a, err := l.svc.Account(ctx, account)
	if err != nil {
		return refusal(err)
	}
	if a.Product != ledger.ProductDemand || a.OwnerID != customer.String() || a.Currency != c || a.Status != ledger.StatusActive {
		return fmt.Errorf("%w: account %s is not an active %s demand account of customer %s", credit.ErrRefused, account, c, customer)
	}
	return nil
}

// Post implements credit.Ledger: the legs become one journal entry under
// credit's key; a chart code names the bank's account in the legs'
// currency (loan advances, fees receivable, losses and recoveries are
// created the first time they are used).
func (l *Ledger) Post(ctx context.Context, e credit.LedgerEntry) (credit.EntryRef, error) {
	postings := make([]ledger.Posting, 0, len(e.Legs))
	for i, g := range e.Legs {
		id := g.Account
		if g.Chart != "" {
			var err error
			if id, err = l.chart(ctx, g.Amount.Currency, g.Chart); err != nil {
				return "", fmt.Errorf("leg %d: %w", i, err)
			}
		}
		side := ledger.Debit
		if g.Side == credit.Credit {
			side = ledger.Credit
		}
		postings = append(postings, ledger.Posting{AccountID: id, Side: side, Amount: g.Amount})
	}
	rc, err := l.svc.PostEntry(ctx, ledger.JournalRequest{Postings: postings, Description: e.Description,
		Metadata: e.Metadata, IdempotencyKey: e.Key})
	if err != nil {
		return "", refusal(err)
	}
	return credit.EntryRef(rc.Entry.ID.String()), nil
}

func (l *Ledger) chart(ctx context.Context, c money.Currency, code string) (ledger.ID, error) {
	if ca, ok := onDemand[code]; ok {
		a, err := l.svc.EnsureChartAccount(ctx, c, ca)
		if err != nil {
			return ledger.ID{}, refusal(err)
		}
		return a.ID, nil
	}
	id, err := l.svc.ChartAccountID(ctx, c, code)
	if err != nil {
		return ledger.ID{}, refusal(err)
	}
	return id, nil
}

// Balance implements credit.Ledger.
func (l *Ledger) Balance(ctx context.Context, account credit.ID) (money.Money, error) {
	a, err := l.svc.Account(ctx, account)
	if err != nil {
		return money.Money{}, err
	}
	return a.Balance, nil
}

// ChartAccountBalance implements credit.ChartBalances: a chart account of the
// bank in a currency, in its normal-side terms; zero for one of credit's
// on-demand accounts not yet created.
func (l *Ledger) ChartAccountBalance(ctx context.Context, code string, c money.Currency) (money.Money, error) {
	id, err := l.svc.ChartAccountID(ctx, c, code)
	if errors.Is(err, ledger.ErrNotFound) {
		if _, ok := onDemand[code]; ok {
			return money.Zero(c), nil
		}
	}
	if err != nil {
		return money.Money{}, err
	}
	return l.Balance(ctx, credit.ID(id))
}

var _ credit.ChartBalances = (*Ledger)(nil)

// BusinessDates is credit's business-date port over the ledger: credit's
// "today" is the ledger's business date, which the bank's end of day
// advances (ledger.Service.BusinessDate), read on every call so another
// process's end of day is seen at once.
func BusinessDates(svc *ledger.Service) credit.BusinessDates { return businessDates{svc} }

type businessDates struct{ svc *ledger.Service }

func (d businessDates) BusinessDate(ctx context.Context) (calendar.Date, error) {
	return d.svc.BusinessDate(ctx)
}
