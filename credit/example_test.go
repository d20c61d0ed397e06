package credit_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/credit/credittest"
	"github.com/bankkit/bankkit/credit/memcredit"
	"github.com/bankkit/bankkit/money"
)

// The schedule of 100,000.00 CNY at 6% over 12 monthly equal instalments
// (等额本息), and what it costs.
func ExampleNewSchedule() {
	s, err := credit.NewSchedule(credit.Terms{
		Principal: money.MustParse("100000.00", "CNY"), AnnualRate: decimal.RequireFromString("0.06"), Term: 12,
		Method: credit.Annuity, InterestMethod: credit.Declining, DayCount: money.Act365Fixed,
		Frequency: credit.Monthly, Start: calendar.MustParseDate("2026-01-15"),
	}, nil)
	if err != nil {
		panic(err)
	}
	for _, in := range s.Instalments() {
		if in.Number <= 2 || in.Number == 12 {
			fmt.Println(in.Number, in.DueDate, in.Total().ValueString(), "=", in.Principal.ValueString(), "+", in.Interest.ValueString())
		}
	}
	r, err := s.Rates()
	if err != nil {
		panic(err)
	}
	fmt.Println("interest", s.TotalInterest(), "APR", r.APR.StringFixed(4), "EAR", r.EffectiveAnnual.StringFixed(4))
	// Output:
	// 1 2026-02-15 8606.64 = 8106.64 + 500.00
	// 2 2026-03-15 8606.64 = 8147.17 + 459.47
	// 12 2027-01-15 8606.69 = 8563.87 + 42.82
	// interest 3279.73 CNY APR 0.0600 EAR 0.0617
}

// A partial prepayment of 20,000.00 after the sixth instalment, keeping
// the instalment so the loan ends four months early.
func ExampleSchedule_Prepay() {
	s, _ := credit.NewSchedule(credit.Terms{
		Principal: money.MustParse("100000.00", "CNY"), AnnualRate: decimal.RequireFromString("0.06"), Term: 12,
		Method: credit.Annuity, InterestMethod: credit.Declining, DayCount: money.Act365Fixed,
		Frequency: credit.Monthly, Start: calendar.MustParseDate("2026-01-15"),
	}, nil)
	shorter, err := s.Prepay(6, money.MustParse("20000.00", "CNY"), credit.ReduceTerm, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(shorter.Len(), "instalments, maturity", shorter.Maturity(), "interest", shorter.TotalInterest())
	// Output: 10 instalments, maturity 2026-11-15 interest 2748.47 CNY
}

// An application from submission to a priced offer, with fakes for the
// customer, bureau and behaviour ports.
func ExampleService_Score() {
	ctx := context.Background()
	customers, bureau, behaviour := &credittest.Customers{}, &credittest.Bureau{}, &credittest.Behaviour{}
	svc, err := credit.NewService(memcredit.New(), credit.WithCustomers(customers), credit.WithBureau(bureau),
		credit.WithBehaviour(behaviour), credit.WithClock(calendar.NewManualClock(calendar.MustParseDate("2026-03-02").In(time.UTC))))
	if err != nil {
		panic(err)
	}
	product, err := svc.CreateProduct(ctx, credittest.Product("CONSUMER"))
	if err != nil {
		panic(err)
	}
	c := credit.NewID()
	customers.Set(c, credit.CustomerFacts{KYCVerified: true, DateOfBirth: calendar.MustParseDate("1986-05-20")})
	bureau.Set(c, credit.BureauReport{Score: 720, Enquiries6M: 1, RevolvingUtilisation: decimal.RequireFromString("0.2")})
	behaviour.Set(c, credit.Features{AverageBalance: decimal.NewFromInt(60000), SalaryRegularity: decimal.NewFromInt(1), MonthsAsCustomer: 72})

	a, err := svc.Submit(ctx, credit.NewApplication{CustomerID: c, ProductID: product.ID,
		Amount: money.MustParse("100000.00", "CNY"), Term: 12, Purpose: credit.PurposeCar,
		MonthlyIncome: money.MustParse("30000.00", "CNY"), MonthlyDebt: money.MustParse("2000.00", "CNY"), Maker: c.String()})
	if err != nil {
		panic(err)
	}
	a, err = svc.Score(ctx, a.ID)
	if err != nil {
		panic(err)
	}
	fmt.Println(a.Status, a.Score.Score, a.Score.Grade, "PD", a.Score.PD.StringFixed(4))
	for _, r := range a.Score.Reasons {
		fmt.Println(r.Code, r.Description)
	}
	fmt.Println("offer", a.Offer.Amount, "at", a.Offer.Rate)
	// Output:
	// scored 675 A PD 0.0015
	// R05 Debt payments are high relative to income
	// R12 No collateral or guarantor
	// offer 100000.00 CNY at 0.06
}

// A refusal names the rule.
func ExampleRefusedRule() {
	ctx := context.Background()
	customers := &credittest.Customers{}
	svc, _ := credit.NewService(memcredit.New(), credit.WithCustomers(customers))
	product, _ := svc.CreateProduct(ctx, credittest.Product("CONSUMER"))
	c := credit.NewID()
	customers.Set(c, credit.CustomerFacts{KYCVerified: false})
	_, err := svc.Submit(ctx, credit.NewApplication{CustomerID: c, ProductID: product.ID,
		Amount: money.MustParse("10000.00", "CNY"), Term: 12, Purpose: credit.PurposeEducation,
		MonthlyIncome: money.MustParse("8000.00", "CNY"), MonthlyDebt: money.MustParse("0", "CNY"), Maker: "teller-7"})
	rule, _ := credit.RefusedRule(err)
	fmt.Println(rule)
	// Output: kyc
}

// An approval chain: 100,000.00 falls in the band that needs a loan
// officer, then a branch manager. The maker may not approve.
func ExampleService_Decide() {
	ctx := context.Background()
	customers, bureau := &credittest.Customers{}, &credittest.Bureau{}
	svc, _ := credit.NewService(memcredit.New(), credit.WithCustomers(customers), credit.WithBureau(bureau),
		credit.WithClock(calendar.NewManualClock(calendar.MustParseDate("2026-03-02").In(time.UTC))))
	product, _ := svc.CreateProduct(ctx, credittest.Product("CONSUMER"))
	c := credit.NewID()
	customers.Set(c, credit.CustomerFacts{KYCVerified: true, DateOfBirth: calendar.MustParseDate("1986-05-20")})
	bureau.Set(c, credit.BureauReport{Score: 720, RevolvingUtilisation: decimal.RequireFromString("0.1")})
	a, _ := svc.Submit(ctx, credit.NewApplication{CustomerID: c, ProductID: product.ID,
		Amount: money.MustParse("100000.00", "CNY"), Term: 12, Purpose: credit.PurposeHomeImprovement,
		MonthlyIncome: money.MustParse("40000.00", "CNY"), MonthlyDebt: money.MustParse("0", "CNY"), Maker: "teller-3"})
	a, _ = svc.Score(ctx, a.ID)
	fmt.Println(a.Status, a.Score.Grade, "step 1 of", len(a.Approval.Steps), "due", a.Approval.Due)

	_, err := svc.Decide(ctx, a.ID, credit.DecisionRequest{Step: 1, Approver: "teller-3", Role: "loan_officer", Verdict: credit.Approve})
	fmt.Println(errors.Is(err, credit.ErrMakerChecker))
	a, _ = svc.Decide(ctx, a.ID, credit.DecisionRequest{Step: 1, Approver: "officer-7", Role: "loan_officer", Verdict: credit.Approve})
	a, _ = svc.Decide(ctx, a.ID, credit.DecisionRequest{Step: 2, Approver: "manager-2", Role: "branch_manager", Verdict: credit.Approve,
		Opinion: "stable income"})
	fmt.Println(a.Status, len(a.Approval.Decisions), "decisions")
	// Output:
	// scored C step 1 of 2 due 2026-03-04
	// true
	// approved 2 decisions
}

// From approval to a repaid instalment: the final approval issues the
// contract, the customer accepts it, the loan is paid out through the
// ledger port (a fake here; refserver/creditport adapts the ledger) and
// the first instalment is repaid, split by the product's order. Grade C
// prices it at 7.5%: the first month's interest is 100,000.00 × 7.5% / 12
// = 625.00 of the 8,675.74 instalment.
func ExampleService_AcceptContract() {
	ctx := context.Background()
	clock := calendar.NewManualClock(calendar.MustParseDate("2026-03-02").In(time.UTC))
	customers, bureau, ledger := &credittest.Customers{}, &credittest.Bureau{}, &credittest.Ledger{}
	svc, _ := credit.NewService(memcredit.New(), credit.WithCustomers(customers), credit.WithBureau(bureau),
		credit.WithLedger(ledger), credit.WithClock(clock))
	product, _ := svc.CreateProduct(ctx, credittest.Product("CONSUMER"))
	c := credit.NewID()
	customers.Set(c, credit.CustomerFacts{KYCVerified: true, DateOfBirth: calendar.MustParseDate("1986-05-20")})
	bureau.Set(c, credit.BureauReport{Score: 720, RevolvingUtilisation: decimal.RequireFromString("0.1")})
	a, _ := svc.Submit(ctx, credit.NewApplication{CustomerID: c, ProductID: product.ID,
		Amount: money.MustParse("100000.00", "CNY"), Term: 12, Purpose: credit.PurposeHomeImprovement,
		MonthlyIncome: money.MustParse("40000.00", "CNY"), MonthlyDebt: money.MustParse("0", "CNY"), Maker: "teller-3"})
	a, _ = svc.Score(ctx, a.ID)
	_, _ = svc.Decide(ctx, a.ID, credit.DecisionRequest{Step: 1, Approver: "officer-7", Role: "loan_officer", Verdict: credit.Approve})
	_, _ = svc.Decide(ctx, a.ID, credit.DecisionRequest{Step: 2, Approver: "manager-2", Role: "branch_manager", Verdict: credit.Approve})

	contracts, _ := svc.Contracts(ctx, a.ID)
	k := contracts[0]
	fmt.Println("version", k.Version, "rate", k.Schedule.Terms().AnnualRate, "APR", k.Rates.APR.StringFixed(4), "total cost", k.Rates.TotalCost)
	account := ledger.OpenDemand(c, money.MustParse("0.00", "CNY"))
	_, loan, err := svc.AcceptContract(ctx, k.ID, credit.AcceptRequest{Version: k.Version, SHA256: k.PDFSHA256,
		Channel: credit.ChannelMobile, By: c.String(), DisbursementAccount: account})
	if err != nil {
		panic(err)
	}
	loan, _ = svc.Disburse(ctx, loan.ID, money.Money{})
	paidOut, _ := ledger.Balance(ctx, account)
	fmt.Println(loan.Status, "owed", loan.Outstanding, "paid out", paidOut)

	clock.Set(calendar.MustParseDate("2026-04-02").In(time.UTC))
	first, _ := loan.Schedule.Instalment(1)
	r, loan, _ := svc.Repay(ctx, loan.ID, credit.RepaymentRequest{Amount: first.Total(), Source: credit.FromAccount,
		Channel: credit.ChannelMobile, By: c.String(), Key: "2026-04"})
	for _, p := range r.Allocation {
		fmt.Println(p.Bucket, p.Amount.ValueString())
	}
	fmt.Println("owed", loan.Outstanding)
	// Output:
	// version 1 rate 0.075 APR 0.0939 total cost 5108.91 CNY
	// active owed 100000.00 CNY paid out 99000.00 CNY
	// due.interest 625.00
	// due.principal 8050.74
	// owed 91949.26 CNY
}

// The five-category classification from days past due, never better
// than a loan's floor (a manual downgrade or a restructuring), and what
// the default collections strategy calls for.
func ExampleWorse() {
	for _, dpd := range []int{0, 45, 120, 300, 400} {
		c := credit.ClassifyDaysPastDue(dpd)
		fmt.Printf("%3d days: %-15s %s; floored at substandard: %s; next action: %q\n", dpd, c, c.Chinese(),
			credit.Worse(c, credit.ClassSubstandard), credit.DefaultCollectionStrategy.For(dpd))
	}
	// Output:
	//   0 days: normal          正常; floored at substandard: substandard; next action: ""
	//  45 days: special_mention 关注; floored at substandard: substandard; next action: "letter"
	// 120 days: substandard     次级; floored at substandard: substandard; next action: "visit"
	// 300 days: doubtful        可疑; floored at substandard: doubtful; next action: "visit"
	// 400 days: loss            损失; floored at substandard: loss; next action: "visit"
}
