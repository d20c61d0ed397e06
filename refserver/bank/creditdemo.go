package bank

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

// CreditAt returns a credit Service whose day is date (a clock stopped
// on it), over the bank's credit store: the demo makes loans in the past
// with it, so they have fallen due by today.
type CreditAt func(date calendar.Date) (*credit.Service, error)

// demoLoan is one loan of the demo book: whose, how many days ago it was
// made, and what became of it.
type demoLoan struct {
	person  int    // index in demoCustomers
	product string // demo product code
	amount  string
	daysAgo int
	// keep: the cash stays in the account, so the end of day debits the
	// instalments (a loan kept current); otherwise it is spent at once and
	// the instalments fall overdue. payoff: repaid in full the same day.
	keep, payoff bool
	// writeOff: once brought to yesterday, the loan is written off (asked
	// by the collector, approved by the officer) and part recovered in
	// cash; chase: the collector has called and sent a letter.
	writeOff, chase bool
	state           string // what it shows: current, 1-30, 31-60, 61-90, 90+, closed, written_off
}

// demoLoans put a loan in every state the credit subsystem reaches today:
// current (two instalments debited on time), overdue in each delinquency
// bucket (first due a month after the loan, nothing paid), closed, and
// written off (with a recovery); the loans 61 days and more past due have
// been chased.
var demoLoans = []demoLoan{
	{person: 0, product: "DEMO-CONSUMER", amount: "30000.00", daysAgo: 65, keep: true, state: "current"},
	{person: 0, product: "DEMO-CAR", amount: "20000.00", daysAgo: 0, keep: true, payoff: true, state: "closed"},
	{person: 1, product: "DEMO-CONSUMER", amount: "40000.00", daysAgo: 45, state: "1-30"},
	{person: 2, product: "DEMO-CONSUMER", amount: "25000.00", daysAgo: 75, state: "31-60"},
	{person: 3, product: "DEMO-CONSUMER", amount: "35000.00", daysAgo: 105, chase: true, state: "61-90"},
	{person: 4, product: "DEMO-CONSUMER", amount: "20000.00", daysAgo: 150, chase: true, state: "90+"},
	{person: 3, product: "DEMO-CAR", amount: "15000.00", daysAgo: 400, writeOff: true, state: "written_off"},
}

// demoCollector is the member of staff who chases the demo's overdue
// loans and asks for the write-off.
const demoCollector = "demo-collector"

// demoProduct is a demo loan product: 1,000.00-50,000.00 over 6-36
// months, annuity at 7.2% before the grade's add-on, a 1% origination
// fee deducted, a 50.00 late fee, no prepayment fee; one loan officer
// approves.
func demoProduct(code, name string) credit.Product {
	d := decimal.RequireFromString
	return credit.Product{Code: code, Name: name, Currency: money.CNY, MinAmount: d("1000.00"), MaxAmount: d("50000.00"),
		MinTerm: 6, MaxTerm: 36, Method: credit.Annuity, InterestMethod: credit.Declining, DayCount: money.Act365Fixed,
		Frequency: credit.Monthly, Adjustment: calendar.Following, RateType: credit.Fixed, BaseRate: d("0.072"), MaxRate: d("0.24"),
		Origination: credit.OriginationFee{Fee: credit.Fee{Rate: d("0.01")}}, LateFee: d("50.00"), PrepaymentMode: credit.ReduceTerm,
		MinAge: 18, MaxAgeAtMaturity: 65, MaxDebtToIncome: d("0.5"),
		Approval: credit.ApprovalPolicy{Bands: []credit.Band{{Steps: []credit.StepRule{{Role: "loan_officer"}}}}}}
}

// demoOfficer is the loan officer of the demo's approvals.
const demoOfficer = "demo-loan-officer"

// SeedCreditDemo adds the demo book of loans (demoLoans) to a bank whose
// demo customers are seeded: each loan is applied for, scored, approved,
// accepted and paid out on its day in the past into a demand account of
// its own, then credit's end of day brings the book to yesterday. Seeding
// again adds nothing: a customer with a loan of the product has it.
func (b *Bank) SeedCreditDemo(ctx context.Context, at CreditAt) error {
	today, err := b.accounts.BusinessDate(ctx)
	if err != nil {
		return err
	}
	now, err := at(today)
	if err != nil {
		return err
	}
	products := map[string]credit.ID{}
	for code, name := range map[string]string{"DEMO-CONSUMER": "Demo consumer loan", "DEMO-CAR": "Demo car loan"} {
		p, err := now.ProductByCode(ctx, code)
		if errors.Is(err, credit.ErrNotFound) {
			p, err = now.CreateProduct(ctx, demoProduct(code, name))
		}
		if err != nil {
			return fmt.Errorf("demo product %s: %w", code, err)
		}
		products[code] = p.ID
	}
	made := map[int]credit.ID{}
	for n, dl := range demoLoans {
		id, err := b.demoLoan(ctx, at, today, n, dl, products[dl.product])
		if err != nil {
			return fmt.Errorf("demo loan %d (%s): %w", n, dl.state, err)
		}
		if id != credit.NilID {
			made[n] = id
		}
	}
	if len(made) == 0 {
		return nil
	}
	if _, err = now.RunEndOfDay(ctx, today.AddDays(-1)); err != nil {
		return err
	}
	for n, id := range made {
		if err := demoCollections(ctx, now, demoLoans[n], id, n); err != nil {
			return fmt.Errorf("demo loan %d (%s): %w", n, demoLoans[n].state, err)
		}
	}
	return nil
}

// demoCollections is what collections did on a demo loan: calls and a
// letter on a loan chased; on one written off, the write-off (asked by
// the collector, approved by the officer) and 500.00 recovered in cash.
func demoCollections(ctx context.Context, svc *credit.Service, dl demoLoan, id credit.ID, n int) error {
	if dl.chase || dl.writeOff {
		for _, a := range []credit.ActionRequest{
			{Kind: credit.ActionSMS, Outcome: credit.OutcomeSent, Note: "reminder of the overdue instalment", By: demoCollector},
			{Kind: credit.ActionCall, Outcome: credit.OutcomeNoAnswer, By: demoCollector},
			{Kind: credit.ActionLetter, Outcome: credit.OutcomeSent, Note: "formal demand", By: demoCollector},
		} {
			if _, err := svc.RecordAction(ctx, id, a); err != nil {
				return err
			}
		}
	}
	if !dl.writeOff {
		return nil
	}
	if _, err := svc.RequestWriteOff(ctx, id, "over 360 days past due, the borrower unreachable", demoCollector); err != nil {
		return err
	}
	if _, err := svc.ApproveWriteOff(ctx, id, demoOfficer); err != nil {
		return err
	}
	_, _, err := svc.Recover(ctx, id, credit.RepaymentRequest{Amount: money.MustParse("500.00", "CNY"), Source: credit.FromCash,
		Channel: credit.ChannelBranch, By: demoCollector, Key: fmt.Sprintf("demo/loan/%d/recovery", n)})
	return err
}

// demoLoan makes one demo loan and returns its id; NilID when it exists
// already.
func (b *Bank) demoLoan(ctx context.Context, at CreditAt, today calendar.Date, n int, dl demoLoan, product credit.ID) (credit.ID, error) {
	d := demoCustomers[dl.person]
	who, err := b.demoCustomerID(ctx, d)
	if err != nil {
		return credit.NilID, err
	}
	svc, err := at(today.AddDays(-dl.daysAgo))
	if err != nil {
		return credit.NilID, err
	}
	existing, err := svc.Applications(ctx, credit.ApplicationFilter{CustomerID: who, ProductID: product}, credit.Page{})
	if err != nil || len(existing) > 0 {
		return credit.NilID, err
	}
	acct, err := b.demoAccount(ctx, who, fmt.Sprintf("demo/%s/loan-account/%d", d.username, n), ledger.ClassNone)
	if err != nil {
		return credit.NilID, err
	}
	income := money.MustParse(d.salary, "CNY")
	a, err := svc.Submit(ctx, credit.NewApplication{CustomerID: who, ProductID: product, Amount: money.MustParse(dl.amount, "CNY"),
		Term: 12, Purpose: credit.PurposeCar, MonthlyIncome: income, MonthlyDebt: money.Zero(money.CNY),
		Collateral: []string{fmt.Sprintf("demo/collateral/%s/%d", d.username, n)}, Maker: who.String()})
	if err != nil {
		return credit.NilID, err
	}
	if a, err = svc.Score(ctx, a.ID); err != nil {
		return credit.NilID, err
	}
	if a.Status != credit.StatusScored {
		return credit.NilID, fmt.Errorf("application %s was %s by the scorecard", a.ID, a.Status)
	}
	if _, err = svc.Decide(ctx, a.ID, credit.DecisionRequest{Step: 1, Approver: demoOfficer, Role: "loan_officer",
		Verdict: credit.Approve, Opinion: "demo"}); err != nil {
		return credit.NilID, err
	}
	cs, err := svc.Contracts(ctx, a.ID)
	if err != nil || len(cs) == 0 {
		return credit.NilID, fmt.Errorf("no contract for application %s: %v", a.ID, err)
	}
	c := cs[len(cs)-1]
	_, l, err := svc.AcceptContract(ctx, c.ID, credit.AcceptRequest{Version: c.Version, SHA256: c.PDFSHA256,
		Channel: credit.ChannelMobile, By: who.String(), DisbursementAccount: acct.ID})
	if err != nil {
		return credit.NilID, err
	}
	if l, err = svc.Disburse(ctx, l.ID, money.Zero(money.CNY)); err != nil {
		return credit.NilID, err
	}
	key := func(what string) string { return fmt.Sprintf("demo/%s/loan/%d/%s", d.username, n, what) }
	if !dl.keep {
		paid, err := b.accounts.Account(ctx, acct.ID)
		if err != nil {
			return credit.NilID, err
		}
		if _, err := b.postings.Withdraw(ctx, ledger.WithdrawalRequest{AccountID: acct.ID, Amount: paid.Balance,
			Description: "spent the loan", IdempotencyKey: key("spent")}); err != nil {
			return credit.NilID, err
		}
	}
	if dl.payoff {
		q, err := svc.QuotePrepayment(ctx, l.ID, true, money.Zero(money.CNY), "")
		if err != nil {
			return credit.NilID, err
		}
		paid, err := b.accounts.Account(ctx, acct.ID)
		if err != nil {
			return credit.NilID, err
		}
		if short := q.Payable.Amount.Sub(paid.Balance.Amount); short.IsPositive() {
			if _, err := b.postings.Deposit(ctx, ledger.DepositRequest{AccountID: acct.ID, Amount: money.Money{Amount: short, Currency: money.CNY},
				Description: "savings for the payoff", IdempotencyKey: key("top-up")}); err != nil {
				return credit.NilID, err
			}
		}
		if _, _, err := svc.Prepay(ctx, l.ID, credit.PrepaymentRequest{Full: true, Source: credit.FromAccount, Channel: credit.ChannelMobile,
			By: who.String(), Key: "demo-payoff"}); err != nil {
			return credit.NilID, err
		}
	}
	return l.ID, nil
}

// demoCustomerID finds a demo customer by national id.
func (b *Bank) demoCustomerID(ctx context.Context, d demoCustomer) (credit.ID, error) {
	nid := customer.NationalID{Type: customer.Passport, Number: d.seq, Country: "HK"}
	if d.region != "PASSPORT" {
		nid = customer.NationalID{Type: customer.PRCResidentID, Number: prcResidentID(d.region, calendar.MustParseDate(d.born), d.seq)}
	}
	m, err := b.customers.FindByNationalID(ctx, nid)
	if err != nil {
		return credit.NilID, err
	}
	return m.ID, nil
}

// DemoLoanStates are the states the demo book shows.
func DemoLoanStates() []string {
	var out []string
	for _, dl := range demoLoans {
		if !slices.Contains(out, dl.state) {
			out = append(out, dl.state)
		}
	}
	return out
}
