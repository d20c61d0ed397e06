// Package credittest is the contract suite every credit.Store must pass,
// and fakes of credit's ports (Customers, Bureau, Behaviour) for tests.
// A backend's tests call Run with a constructor that returns a fresh,
// empty store; the suite drives it through credit.Service, so it checks
// what users see: errors, ordering, atomicity, concurrency and events.
//
//	func TestContract(t *testing.T) {
//		credittest.Run(t, func(t *testing.T) credit.Store { return memcredit.New() })
//	}
package credittest

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/money"
)

// Run runs the contract suite. newStore must return a fresh, empty store on
// every call.
func Run(t *testing.T, newStore func(t *testing.T) credit.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, newStore func(t *testing.T) credit.Store)
	}{
		{"ProductsCreateAndRead", testProducts},
		{"ProductRefusedForEveryField", testProductValidation},
		{"SubmitAndRead", testSubmit},
		{"EligibilityRefusalsNameTheRule", testEligibility},
		{"ApplicationRefusedForEveryField", testApplicationValidation},
		{"OneOpenApplicationPerCustomerAndProduct", testOneOpen},
		{"ConcurrentSubmissionsOpenOne", testConcurrentSubmissions},
		{"ScoreAndPrice", testScore},
		{"ScoreDeclinesBelowTheCutOff", testDecline},
		{"ScoreTransitionsAndPorts", testScoreTransitions},
		{"Withdraw", testWithdraw},
		{"UpdateIsAtomic", testUpdateAtomic},
		{"SwapApplicationOverTheVersionRead", testSwapApplication},
		{"ConcurrentUpdatesAreSerialised", testConcurrentUpdates},
		{"ListAndPaginate", testList},
		{"ApprovalChain", testApprovalChain},
		{"CreditCommittee", testCommittee},
		{"ReturnResubmitReject", testReturnAndReject},
		{"AuthorityLimits", testAuthority},
		{"LateSteps", testLateSteps},
		{"ConcurrentDecisionsOnOneStep", testConcurrentDecisions},
		{"DecisionRefusedForEveryField", testDecisionValidation},
		{"EventsAtLeastOnceInOrder", testEvents},
		{"ContractIssueSupersedeAccept", testContracts},
		{"DisburseOnceInTranches", testDisburse},
		{"DisbursementFinishedAfterACrash", testDisburseCrash},
		{"RepayAllocatePrepayPayoff", testRepayments},
		{"RepaymentRefusalsAndReplays", testRepaymentRefusals},
		{"LoanEvents", testLoanEvents},
		{"ConcurrentDisbursementsAndRepayments", testConcurrentMoney},
		{"RandomPaymentsKeepLedgerAndLoanEqual", testRandomPayments},
		{"IssueRacesAcceptance", testIssueRacesAcceptance},
		{"EndOfDayDebitsAndDaysPastDue", testEndOfDay},
		{"EndOfDayPagedAndResumed", testEndOfDayPagedAndResumed},
		{"EndOfDayBatchStore", testEndOfDayBatchStore},
		{"EndOfDayBatchEqualsPerLoan", testEndOfDayBatchEqualsPerLoan},
		{"EndOfDayBatchResumed", testEndOfDayBatchResumed},
		{"EndOfDayBatchRaces", testEndOfDayBatchRaces},
		{"InterestAccruesDaily", testAccrual},
		{"RemindersBeforeAndAfterDueDates", testReminders},
		{"ManualClassification", testManualClassification},
		{"CollectionsQueueActionsPromises", testCollections},
		{"CollectionsHistoryBesideTheLoan", testCollectionsHistory},
		{"NonAccrualOffBalanceSheet", testNonAccrual},
		{"RestructureOnNonAccrualHoldsInterestInSuspense", testRestructureOnNonAccrual},
		{"WriteOffWithInterestInSuspense", testWriteOffWithSuspense},
		{"RestructureWriteOffRecover", testRestructureWriteOff},
		{"RestructureThroughTheApprovalChain", testRestructureChain},
		{"RiskMeasures", testRiskMeasures},
		{"ProvisionsPostedToTheAllowance", testPostProvisions},
		{"BusinessDateFromThePort", testBusinessDateFromThePort},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newStore)
		})
	}
}

// env is a Service over a fresh store, with fake ports and a clock at
// 2026-03-02 10:00 UTC.
type env struct {
	t         *testing.T
	ctx       context.Context
	store     credit.Store
	svc       *credit.Service
	clock     *calendar.ManualClock
	customers *Customers
	bureau    *Bureau
	behaviour *Behaviour
	ledger    *Ledger
}

var today = calendar.MustParseDate("2026-03-02")

func newEnv(t *testing.T, newStore func(*testing.T) credit.Store) *env {
	t.Helper()
	return newEnvWith(t, newStore)
}

// newEnvWith is newEnv with more options of the Service.
func newEnvWith(t *testing.T, newStore func(*testing.T) credit.Store, opts ...credit.Option) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), store: newStore(t),
		clock:     calendar.NewManualClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)),
		customers: &Customers{}, bureau: &Bureau{}, behaviour: &Behaviour{}, ledger: &Ledger{}}
	svc, err := credit.NewService(e.store, append([]credit.Option{credit.WithClock(e.clock), credit.WithCustomers(e.customers),
		credit.WithBureau(e.bureau), credit.WithBehaviour(e.behaviour), credit.WithLedger(e.ledger)}, opts...)...)
	require.NoError(t, err)
	e.svc = svc
	return e
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func cny(s string) money.Money { return money.MustParse(s, "CNY") }

// Product returns a valid product: a 12-to-60-month annuity consumer loan
// of 1,000.00 to 500,000.00 CNY at 6% (cap 24%), for customers 18 and
// over who are under 65 at maturity, with debt-to-income at most 50%.
func Product(code string) credit.Product {
	return credit.Product{Code: code, Name: "Consumer loan " + code, Currency: "CNY",
		MinAmount: dec("1000.00"), MaxAmount: dec("500000.00"), MinTerm: 12, MaxTerm: 60,
		Method: credit.Annuity, InterestMethod: credit.Declining, DayCount: money.Act365Fixed,
		Frequency: credit.Monthly, Adjustment: calendar.Following, RateType: credit.Fixed,
		BaseRate: dec("0.06"), MaxRate: dec("0.24"),
		Origination:    credit.OriginationFee{Fee: credit.Fee{Rate: dec("0.01"), Max: dec("2000.00")}},
		LateFee:        dec("50.00"),
		PrepaymentFee:  credit.Fee{Rate: dec("0.02")},
		PrepaymentMode: credit.ReduceTerm,
		MinAge:         18, MaxAgeAtMaturity: 65, MaxDebtToIncome: dec("0.5"),
		Approval: credit.DefaultApprovalPolicy()}
}

func (e *env) product(code string) credit.Product {
	e.t.Helper()
	p, err := e.svc.CreateProduct(e.ctx, Product(code))
	require.NoError(e.t, err)
	return p
}

// customer registers a verified customer born in 1986 (40 on the test
// date) and returns their id.
func (e *env) customer() credit.ID {
	id := credit.NewID()
	e.customers.Set(id, credit.CustomerFacts{KYCVerified: true, DateOfBirth: calendar.MustParseDate("1986-05-20"),
		CustomerSince: calendar.MustParseDate("2020-01-01")})
	return id
}

// application is 100,000.00 over 12 months of a customer with 30,000.00 a
// month and 2,000.00 of other monthly debt.
func application(customer, product credit.ID) credit.NewApplication {
	return credit.NewApplication{CustomerID: customer, ProductID: product, Amount: cny("100000.00"), Term: 12,
		Purpose: credit.PurposeCar, MonthlyIncome: cny("30000.00"), MonthlyDebt: cny("2000.00"),
		Documents: []string{"doc/payslip-2026-02"}, Maker: customer.String()}
}

func (e *env) submit(n credit.NewApplication) credit.Application {
	e.t.Helper()
	a, err := e.svc.Submit(e.ctx, n)
	require.NoError(e.t, err)
	return a
}

// strong gives the customer a clean bureau record and a long, regular
// history with the bank.
func (e *env) strong(id credit.ID) {
	e.bureau.Set(id, credit.BureauReport{Score: 720, Enquiries6M: 1, OpenAccounts: 3, RevolvingUtilisation: dec("0.2")})
	e.behaviour.Set(id, credit.Features{AverageBalance: dec("60000"), SalaryRegularity: dec("1"), MonthsAsCustomer: 72})
}

// thin gives the customer no bureau record and a new account with the
// bank.
func (e *env) thin(id credit.ID) {
	e.behaviour.Set(id, credit.Features{AverageBalance: dec("500"), OverdrawnDays: 10, MonthsAsCustomer: 1})
}

func (e *env) count() int {
	e.t.Helper()
	all, err := e.svc.Applications(e.ctx, credit.ApplicationFilter{}, credit.Page{Limit: credit.MaxPageLimit})
	require.NoError(e.t, err)
	return len(all)
}
