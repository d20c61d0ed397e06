package bank

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

// The adapters of credit's ports to the reference bank: KYC facts from the
// customer subsystem, behavioural features from the ledger, and a fake
// credit bureau (the reference bank has no bureau contract).

// Revealer reads a customer's personal data, logged with who and why:
// *customer.Service.
type Revealer interface {
	Reveal(ctx context.Context, actor string, id customer.ID, fields []customer.Field, reason string) (customer.Customer, []customer.Document, error)
}

// CreditCustomers is credit.Customers over the customer subsystem. The
// date of birth is personal data: each read is written to the customer
// subsystem's access log as the credit subsystem's, with the reason.
type CreditCustomers struct{ Customers Revealer }

var _ credit.Customers = CreditCustomers{}

// creditActor is who the access log names for credit's reads.
const creditActor = "credit-eligibility"

// Facts implements credit.Customers.
func (c CreditCustomers) Facts(ctx context.Context, id credit.ID) (credit.CustomerFacts, error) {
	cu, _, err := c.Customers.Reveal(ctx, creditActor, id, []customer.Field{customer.FieldDateOfBirth}, "loan eligibility: age rules")
	if fault.KindOf(err) == fault.NotFound {
		return credit.CustomerFacts{}, fmt.Errorf("%w: customer %s", credit.ErrNotFound, id)
	}
	if err != nil {
		return credit.CustomerFacts{}, err
	}
	return credit.CustomerFacts{KYCVerified: cu.KYC.Status == customer.KYCVerified && cu.Status == customer.StatusActive,
		DateOfBirth: cu.DateOfBirth, CustomerSince: calendar.DateOf(cu.CreatedAt.UTC())}, nil
}

// FakeBureau is the reference bank's stand-in for a credit bureau: every
// customer is known, with a report derived from a digest of their id, so
// the same customer always gets the same report and customers differ.
// Scores run 620-799, enquiries 0-3, delinquencies mostly none (one in
// ten has one), 1-5 open accounts, utilisation 0-59%.
type FakeBureau struct{}

var _ credit.Bureau = FakeBureau{}

// Report implements credit.Bureau.
func (FakeBureau) Report(_ context.Context, id credit.ID) (credit.BureauReport, error) {
	sum := sha256.Sum256(id[:])
	n := func(i int) int { return int(binary.BigEndian.Uint16(sum[2*i:])) }
	delinquencies := 0
	if n(2)%10 == 0 {
		delinquencies = 1
	}
	return credit.BureauReport{Hit: true, Score: 620 + n(0)%180, Enquiries6M: n(1) % 4, Delinquencies24M: delinquencies,
		OpenAccounts: 1 + n(3)%5, RevolvingUtilisation: decimal.New(int64(n(4)%60), -2)}, nil
}

// History is what behavioural features read of the ledger:
// *ledger.Service.
type History interface {
	ListAccounts(ctx context.Context, f ledger.AccountFilter) ([]ledger.Account, ledger.ID, error)
	History(ctx context.Context, q ledger.HistoryQuery) ([]ledger.StatementLine, error)
}

// CreditBehaviour is credit.Behaviour over the customer's demand accounts
// in the ledger, over the year to the date asked (at most the latest
// 1,000 lines of each account):
//
//   - average balance: the mean end-of-day balance of the customer's CNY
//     demand accounts over the days of the year they were open;
//   - salary regularity: the share of those months (at most 12) with a
//     credit of at least SalaryFloor, a salary-like inflow;
//   - overdrawn days: days an account ended below zero;
//   - months as customer: since the first account opened.
type CreditBehaviour struct{ Ledger History }

var _ credit.Behaviour = CreditBehaviour{}

// SalaryFloor is the smallest credit counted as salary-like.
var SalaryFloor = decimal.NewFromInt(1000)

// Features implements credit.Behaviour.
func (b CreditBehaviour) Features(ctx context.Context, id credit.ID, asOf calendar.Date) (credit.Features, error) {
	accts, _, err := b.Ledger.ListAccounts(ctx, ledger.AccountFilter{OwnerID: id.String(), Product: ledger.ProductDemand,
		Currency: money.CNY, Limit: 50})
	if err != nil {
		return credit.Features{}, err
	}
	var f credit.Features
	if len(accts) == 0 {
		return f, nil
	}
	from := asOf.AddDays(-364)
	first := asOf
	total, days := decimal.Zero, 0
	salaryMonths := map[[2]int]bool{}
	for _, a := range accts {
		if a.OpenedOn.Before(first) {
			first = a.OpenedOn
		}
		start := from
		if a.OpenedOn.After(start) {
			start = a.OpenedOn
		}
		if start.After(asOf) {
			continue
		}
		lines, err := b.Ledger.History(ctx, ledger.HistoryQuery{AccountID: a.ID, From: start, To: asOf, Limit: ledger.MaxHistoryPage})
		if err != nil {
			return credit.Features{}, err
		}
		// Walk the days back from asOf: a day's closing balance is the
		// balance now less what arrived with a later value date.
		slices.SortFunc(lines, func(x, y ledger.StatementLine) int { return y.ValueDate.Compare(x.ValueDate) })
		bal, i := a.Balance.Amount, 0
		for d := asOf; !d.Before(start); d = d.AddDays(-1) {
			for i < len(lines) && lines[i].ValueDate.After(d) {
				bal = bal.Sub(lines[i].Amount.Amount)
				i++
			}
			total, days = total.Add(bal), days+1
			if bal.IsNegative() {
				f.OverdrawnDays++
			}
		}
		for _, l := range lines {
			if l.Amount.Amount.GreaterThanOrEqual(SalaryFloor) {
				salaryMonths[[2]int{l.ValueDate.Year, int(l.ValueDate.Month)}] = true
			}
		}
	}
	if days > 0 {
		f.AverageBalance = total.DivRound(decimal.NewFromInt(int64(days)), 2)
	}
	f.MonthsAsCustomer = monthsBetween(first, asOf)
	months := min(max(f.MonthsAsCustomer+1, 1), 12) // the month opened counts
	f.SalaryRegularity = decimal.NewFromInt(int64(min(len(salaryMonths), months))).DivRound(decimal.NewFromInt(int64(months)), 4)
	return f, nil
}

// monthsBetween is the whole months from a to b.
func monthsBetween(a, b calendar.Date) int {
	m := (b.Year-a.Year)*12 + int(b.Month) - int(a.Month)
	if b.Day < a.Day {
		m--
	}
	return max(m, 0)
}

// DemoBureau is the demo's bureau: a clean report for everyone (score
// 760, no enquiries or delinquencies, three open accounts at 15%), so the
// demo book's applications are approved whatever ids its customers have.
type DemoBureau struct{}

// Report implements credit.Bureau.
func (DemoBureau) Report(context.Context, credit.ID) (credit.BureauReport, error) {
	return credit.BureauReport{Hit: true, Score: 760, OpenAccounts: 3, RevolvingUtilisation: decimal.New(15, -2)}, nil
}
