package refserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/refserver/bank"
	"github.com/bankkit/bankkit/refserver/creditport"
)

// Who may do what with credit. Customers apply, accept, read and repay
// their own; the approval steps are the loan officer's and, above 50,000,
// the risk officer's (the credit approver of the reference bank).
var (
	lendingReaders = staff(channel.RoleAdmin, channel.RoleLoanOfficer, channel.RoleRiskOfficer, channel.RoleTeller, channel.RoleSupport, channel.RoleFinance)
	productMakers  = staff(channel.RoleAdmin, channel.RoleRiskOfficer)
	lenders        = staff(channel.RoleAdmin, channel.RoleLoanOfficer, channel.RoleTeller)
	scorers        = staff(channel.RoleAdmin, channel.RoleLoanOfficer, channel.RoleRiskOfficer)
	approvers      = staff(channel.RoleLoanOfficer, channel.RoleRiskOfficer)
	disbursers     = staff(channel.RoleAdmin, channel.RoleLoanOfficer, channel.RoleTeller)
	loanTellers    = staff(channel.RoleAdmin, channel.RoleTeller)
	portfolioRead  = staff(channel.RoleAdmin, channel.RoleRiskOfficer, channel.RoleFinance, channel.RoleAnalyst)
	customersOnly  = staff().andCustomers()
	// Collections are the collectors', the loan officers' and the risk
	// officers'; a
	// restructuring is decided through the product's approval chain (its
	// steps' roles: loan and risk officers), a write-off approved by a
	// risk officer, neither by the one who asked.
	loanCollectors = staff(channel.RoleAdmin, channel.RoleLoanOfficer, channel.RoleRiskOfficer, channel.RoleCollector)
	// loanReaders read loans: the lending readers and the collectors,
	// who see loans but not applications or contracts.
	loanReaders = staff(channel.RoleAdmin, channel.RoleLoanOfficer, channel.RoleRiskOfficer, channel.RoleTeller, channel.RoleSupport,
		channel.RoleFinance, channel.RoleCollector)
	writeOffApprovers = staff(channel.RoleAdmin, channel.RoleRiskOfficer)
	// A loan's classification is the credit risk side's: loan and risk
	// officers downgrade and ask for upgrades, a risk officer other than
	// the one who asked approves an upgrade.
	loanClassifiers  = staff(channel.RoleAdmin, channel.RoleLoanOfficer, channel.RoleRiskOfficer)
	upgradeApprovers = staff(channel.RoleAdmin, channel.RoleRiskOfficer)
)

// BankApprovalPolicy is the reference bank's approval chains, for a
// product created without its own: up to 50,000 a loan officer; up to
// 500,000 a loan officer, then a risk officer; above that a committee of
// three risk officers. The roles are the server's staff roles, so every
// step has someone who may decide it.
func BankApprovalPolicy() credit.ApprovalPolicy {
	return credit.ApprovalPolicy{Bands: []credit.Band{
		{UpTo: decimal.NewFromInt(50_000), Steps: []credit.StepRule{{Role: string(channel.RoleLoanOfficer)}}},
		{UpTo: decimal.NewFromInt(500_000), Steps: []credit.StepRule{{Role: string(channel.RoleLoanOfficer)}, {Role: string(channel.RoleRiskOfficer)}}},
		{Steps: []credit.StepRule{{Role: string(channel.RoleRiskOfficer), Approvers: 3, DueDays: 5}}},
	}}
}

// BankAuthority is the reference bank's final-approval limits: a loan
// officer approves alone up to 50,000.00 CNY (or about as much in the
// bank's other currencies); a risk officer has no limit.
func BankAuthority() credit.Authority {
	limits := map[money.Currency]string{money.CNY: "50000", money.USD: "7000", money.EUR: "6500", money.HKD: "55000",
		money.JPY: "1000000", money.GBP: "5500"}
	var officer []money.Money
	for _, c := range bank.Currencies {
		if v, ok := limits[c]; ok {
			officer = append(officer, money.Money{Amount: decimal.RequireFromString(v), Currency: c})
		}
	}
	return credit.Authority{string(channel.RoleLoanOfficer): officer}
}

// creditServices builds credit over its store: its ports adapted to the
// customer subsystem (KYC facts), the ledger (behavioural features, loan
// accounts and money movement, the business date) and a fake bureau, the
// default scorecard, and the bank's calendar.
func (s *Server) creditServices(st stores) error {
	svc, err := credit.NewService(st.credit, s.creditOptions(s.clock, s.bankCalendar)...)
	if err != nil {
		return fmt.Errorf("refserver: credit: %w", err)
	}
	s.loans = bank.NewLoanDesk(svc)
	return nil
}

// creditOptions are the credit Service's options: its day is the ledger's
// business date (creditport.BusinessDates) on the bank's calendar, its
// actions stamped by clock.
func (s *Server) creditOptions(clock calendar.Clock, cal *calendar.BusinessCalendar) []credit.Option {
	return []credit.Option{credit.WithClock(clock), credit.WithCalendar(cal), credit.WithBusinessDate(creditport.BusinessDates(s.ledger)),
		credit.WithCustomers(bank.CreditCustomers{Customers: s.customer}), credit.WithBureau(bank.FakeBureau{}),
		credit.WithBehaviour(bank.CreditBehaviour{Ledger: s.ledger}), credit.WithLedger(creditport.New(s.ledger)),
		credit.WithAuthority(BankAuthority())}
}

// creditEndOfDay is the bank's end-of-day step of credit for a business
// date: automatic debits, penalty and late fees, days past due, buckets
// and classification (credit.Service.RunEndOfDay: idempotent per loan and
// date, resumable).
func (s *Server) creditEndOfDay(ctx context.Context, d calendar.Date) error {
	_, err := s.loans.Credit().RunEndOfDay(ctx, d)
	return err
}

func (s *Server) creditRoutes() []route {
	own := func(a access) access { return a.andCustomers() }
	return tagged("credit", []route{
		{method: "POST", pattern: "/v1/credit/products", summary: "Create a loan product: amounts, terms, repayment and interest method, rates, fees, allocation order, eligibility bounds and approval chains",
			access: productMakers, idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.createLoanProduct)},
		{method: "GET", pattern: "/v1/credit/products", summary: "List loan products",
			access: own(lendingReaders), handler: handle(s.listLoanProducts)},
		{method: "GET", pattern: "/v1/credit/products/{id}", summary: "Read a loan product",
			access: own(lendingReaders), handler: handle(s.getLoanProduct)},
		{method: "POST", pattern: "/v1/credit/applications", summary: "Apply for a loan (a customer for themselves, staff for a customer): eligibility is checked and the caller recorded as its maker",
			access: own(lenders), idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.applyForLoan)},
		{method: "GET", pattern: "/v1/credit/applications", summary: "List loan applications (a customer's own)",
			access: own(lendingReaders), handler: handle(s.listLoanApplications)},
		{method: "GET", pattern: "/v1/credit/applications/{id}", summary: "Read a loan application with its score, reasons, offer and approval chain",
			access: own(lendingReaders), handler: handle(s.getLoanApplication)},
		{method: "POST", pattern: "/v1/credit/applications/{id}/score", summary: "Score a submitted application (bureau, behaviour, scorecard) and price it; an offer starts its approval chain",
			access: scorers, idempotency: idemOptional, handler: handle(s.scoreLoanApplication)},
		{method: "POST", pattern: "/v1/credit/applications/{id}/decisions", summary: "Decide the awaited approval step as the caller (approve, reject, return); the maker never approves, nor one person two steps",
			access: approvers, idempotency: idemOptional, handler: handle(s.decideLoanApplication)},
		{method: "POST", pattern: "/v1/credit/applications/{id}/withdraw", summary: "Withdraw an open application",
			access: own(lenders), idempotency: idemOptional, handler: handle(s.withdrawLoanApplication)},
		{method: "POST", pattern: "/v1/credit/applications/{id}/resubmit", summary: "Send a returned application through its chain again, with the documents asked for",
			access: own(lenders), idempotency: idemOptional, handler: handle(s.resubmitLoanApplication)},
		{method: "GET", pattern: "/v1/credit/applications/{id}/contracts", summary: "An approved application's contract versions, oldest first",
			access: own(lendingReaders), handler: handle(s.listLoanContracts)},
		{method: "POST", pattern: "/v1/credit/applications/{id}/contracts", summary: "Issue the next contract version of an approved application (a new value date, a broken first period, a floating rate's benchmark); the earlier one is superseded",
			access: scorers, idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.issueLoanContract)},
		{method: "GET", pattern: "/v1/credit/inbox", summary: "The caller's approval inbox: applications awaiting a step of their role (or ?role=) that they may decide",
			access: approvers, handler: handle(s.creditInbox)},
		{method: "GET", pattern: "/v1/credit/late-steps", summary: "Applications whose awaited approval step was due before a business date (default today)",
			access: scorers, handler: handle(s.lateCreditSteps)},
		{method: "GET", pattern: "/v1/credit/contracts/{id}", summary: "Read a contract version: terms, schedule, APR, total cost of credit, digests, acceptance",
			access: own(lendingReaders), handler: handle(s.getLoanContract)},
		{method: "GET", pattern: "/v1/credit/contracts/{id}/html", summary: "A contract version's HTML, byte for byte as issued (text/html)",
			access: own(lendingReaders), handler: handle(s.loanContractHTML)},
		{method: "GET", pattern: "/v1/credit/contracts/{id}/pdf", summary: "A contract version's PDF, byte for byte as issued (application/pdf)",
			access: own(lendingReaders), handler: handle(s.loanContractPDF)},
		{method: "POST", pattern: "/v1/credit/contracts/{id}/accept", summary: "Accept one's own contract version (customers only): the loan is made, to be paid into the demand account named",
			access: customersOnly, idempotency: idemOptional, handler: handle(s.acceptLoanContract)},
		{method: "GET", pattern: "/v1/credit/loans", summary: "List loans (a customer's own)",
			access: own(loanReaders), handler: handle(s.listLoans)},
		{method: "GET", pattern: "/v1/credit/loans/{id}", summary: "Read a loan: outstanding principal, what is paid, advance held, standing",
			access: own(loanReaders), handler: handle(s.getLoan)},
		{method: "POST", pattern: "/v1/credit/loans/{id}/disbursements", summary: "Pay out a loan (or a tranche) into its demand account through the ledger; the origination fee with the first",
			access: disbursers, idempotency: idemRequired, status: http.StatusCreated, handler: handle(s.disburseLoan)},
		{method: "GET", pattern: "/v1/credit/loans/{id}/schedule", summary: "A loan's repayment schedule as it stands",
			access: own(loanReaders), handler: handle(s.loanSchedule)},
		{method: "POST", pattern: "/v1/credit/loans/{id}/repayments", summary: "Repay a loan (a customer from their own account, a teller from an account or in cash), allocated by the product's order",
			access: own(loanTellers), idempotency: idemRequired, status: http.StatusCreated, handler: handle(s.repayLoan)},
		{method: "GET", pattern: "/v1/credit/loans/{id}/repayments", summary: "A loan's repayments with their allocation, in the order received",
			access: own(loanReaders), handler: handle(s.listLoanRepayments)},
		{method: "POST", pattern: "/v1/credit/loans/{id}/prepayment-quote", summary: "What an early repayment, in full or in part, would cost today",
			access: own(loanTellers), idempotency: idemOptional, handler: handle(s.quoteLoanPrepayment)},
		{method: "POST", pattern: "/v1/credit/loans/{id}/prepayments", summary: "Repay a loan early, in full or in part, with the product's prepayment fee",
			access: own(loanTellers), idempotency: idemRequired, status: http.StatusCreated, handler: handle(s.prepayLoan)},
		{method: "GET", pattern: "/v1/credit/loans/{id}/statement", summary: "A loan's statement: each instalment with what is paid of it and its state, and the repayments",
			access: own(loanReaders), handler: handle(s.loanStatement)},
		{method: "GET", pattern: "/v1/credit/collections", summary: "The collections queue: active loans past due, in one delinquency bucket or all, with what is overdue, the last action, an open promise and the strategy's next action",
			access: loanCollectors, handler: handle(s.collectionsQueue)},
		{method: "POST", pattern: "/v1/credit/loans/{id}/collection-actions", summary: "Record a collections action taken by the caller (sms, call, visit, letter) and its outcome",
			access: loanCollectors, idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.recordCollectionAction)},
		{method: "GET", pattern: "/v1/credit/loans/{id}/collection-actions", summary: "A loan's collections actions, oldest first",
			access: loanCollectors, handler: handle(s.listCollectionActions)},
		{method: "POST", pattern: "/v1/credit/loans/{id}/promises", summary: "Record the customer's promise to pay an amount by a date (one open at a time; kept once that much is received, broken the day after)",
			access: loanCollectors, idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.promiseToPay)},
		{method: "GET", pattern: "/v1/credit/loans/{id}/promises", summary: "A loan's promises to pay, oldest first, each kept, broken or open",
			access: loanCollectors, handler: handle(s.listPromises)},
		{method: "POST", pattern: "/v1/credit/loans/{id}/restructuring", summary: "Propose a restructuring of a loan in difficulty as the caller: the arrears capitalised into a new schedule of the term given; it goes through the product's approval chain for the new principal",
			access: loanCollectors, idempotency: idemOptional, handler: handle(s.proposeRestructure)},
		{method: "POST", pattern: "/v1/credit/loans/{id}/restructuring/decisions", summary: "Decide the awaited step of the restructuring waiting on a loan as the caller (approve, reject, return); never its proposer, nor one person two steps; only the final approval restructures",
			access: approvers, idempotency: idemOptional, handler: handle(s.decideRestructure)},
		{method: "POST", pattern: "/v1/credit/loans/{id}/restructuring/approve", summary: "Approve the awaited step of the restructuring waiting on a loan as the caller in the step's role; the final approval capitalises the arrears through the ledger and the new schedule replaces the old; the classification does not improve on it",
			access: approvers, idempotency: idemOptional, handler: handle(s.approveRestructure)},
		{method: "GET", pattern: "/v1/credit/loans/{id}/classification", summary: "A loan's five-category classification: the category, its floor, an upgrade waiting, and every change of category with reason, by and approved_by",
			access: own(loanReaders), handler: handle(s.loanClassification)},
		{method: "POST", pattern: "/v1/credit/loans/{id}/classification/downgrade", summary: "Classify an active loan worse at once, as the caller, with a reason: the category becomes its floor until an approved upgrade",
			access: loanClassifiers, idempotency: idemOptional, handler: handle(s.downgradeLoan)},
		{method: "POST", pattern: "/v1/credit/loans/{id}/classification/upgrade", summary: "Ask, as the caller, for an active loan to be classified better, with a reason; it waits for another member of staff's approval",
			access: loanClassifiers, idempotency: idemOptional, handler: handle(s.requestLoanUpgrade)},
		{method: "POST", pattern: "/v1/credit/loans/{id}/classification/upgrade/approve", summary: "Approve the upgrade asked for on a loan (not by the one who asked): the floor is lowered, and the loan takes the worse of it and what its days past due say",
			access: upgradeApprovers, idempotency: idemOptional, handler: handle(s.approveLoanUpgrade)},
		{method: "POST", pattern: "/v1/credit/loans/{id}/write-off", summary: "Ask for a loan to be written off; it waits for another member of staff's approval",
			access: loanCollectors, idempotency: idemOptional, handler: handle(s.requestWriteOff)},
		{method: "POST", pattern: "/v1/credit/loans/{id}/write-off/approve", summary: "Approve the write-off asked for on a loan (not by the one who asked): principal to loan losses, receivables reversed, what was owed tracked off balance sheet",
			access: writeOffApprovers, idempotency: idemOptional, handler: handle(s.approveWriteOff)},
		{method: "POST", pattern: "/v1/credit/loans/{id}/recoveries", summary: "Receive money on a written-off loan (from an account, or in cash at a teller): income of loan recoveries, at most what was written off",
			access: own(loanTellers), idempotency: idemRequired, status: http.StatusCreated, handler: handle(s.recoverLoan)},
		{method: "GET", pattern: "/v1/credit/reports/provisions", summary: "Loan loss provisions: outstanding principal × the classification's rate, by currency and five-category classification",
			access: portfolioRead, handler: handle(s.creditProvisions)},
		{method: "GET", pattern: "/v1/credit/reports/expected-loss", summary: "Expected loss = PD × LGD × EAD by currency, product and grade",
			access: portfolioRead, handler: handle(s.creditExpectedLoss)},
		{method: "GET", pattern: "/v1/credit/reports/migration", summary: "Classification migration matrix: loans by their category (or closed, written off) on one date and on a later one",
			access: portfolioRead, handler: handle(s.creditMigration)},
		{method: "GET", pattern: "/v1/credit/reports/concentration", summary: "Concentration: the largest exposures by customer or product, with their share of the currency's book against the limit",
			access: portfolioRead, handler: handle(s.creditConcentration)},
		{method: "GET", pattern: "/v1/credit/reports/portfolio", summary: "The loan book: loans by status, active loans by delinquency bucket and five-category classification, outstanding principal per currency",
			access: portfolioRead, handler: handle(s.creditPortfolio)},
	})
}

// Requests and views of credit in the API's words. Products, applications,
// contracts, loans and repayments answer as credit holds them (their JSON
// is credit's); docs/credit.md says what each field means.
type (
	creditPath struct {
		ID credit.ID `path:"id"`
	}
	productRequest struct {
		Code              string                 `json:"code" doc:"unique, e.g. CONSUMER-36"`
		Name              string                 `json:"name"`
		Currency          money.Currency         `json:"currency"`
		MinAmount         decimal.Decimal        `json:"min_amount" doc:"decimal string"`
		MaxAmount         decimal.Decimal        `json:"max_amount" doc:"decimal string"`
		MinTerm           int                    `json:"min_term" doc:"in periods of the frequency"`
		MaxTerm           int                    `json:"max_term"`
		Method            credit.RepaymentMethod `json:"repayment_method" doc:"annuity, equal_principal, interest_only or bullet"`
		InterestMethod    credit.InterestMethod  `json:"interest_method,omitempty" doc:"declining (default) or flat"`
		DayCount          money.DayCount         `json:"day_count,omitzero" doc:"ACT/365F (default), ACT/360, 30/360 or ACT/ACT"`
		Frequency         credit.Frequency       `json:"frequency,omitempty" doc:"monthly (default), biweekly or weekly"`
		Adjustment        *calendar.Adjustment   `json:"adjustment,omitempty" doc:"business-day convention of due dates; default following"`
		RateType          credit.RateType        `json:"rate_type,omitempty" doc:"fixed (default) or floating (base_rate is the spread over the LPR)"`
		BaseRate          decimal.Decimal        `json:"base_rate,omitzero" doc:"annual, before the risk add-on: 0.0435 is 4.35%; default 0"`
		MaxRate           decimal.Decimal        `json:"max_rate" doc:"caps every contract rate"`
		GracePrincipal    int                    `json:"grace_principal,omitempty"`
		GraceInterest     int                    `json:"grace_interest,omitempty"`
		Origination       *credit.OriginationFee `json:"origination_fee,omitempty"`
		LateFee           decimal.Decimal        `json:"late_fee,omitzero" doc:"per missed instalment"`
		PenaltyMultiplier decimal.Decimal        `json:"penalty_multiplier,omitzero" doc:"penalty rate = contract rate × this; default 1.5"`
		PrepaymentFee     *credit.Fee            `json:"prepayment_fee,omitempty"`
		PrepaymentMode    credit.PrepaymentMode  `json:"prepayment_mode,omitempty" doc:"reduce_term (default) or reduce_instalment"`
		Allocation        credit.AllocationOrder `json:"allocation_order,omitempty" doc:"the twelve (stage, component) buckets; default penalty, fee, interest, principal"`
		MinAge            int                    `json:"min_age,omitempty"`
		MaxAgeAtMaturity  int                    `json:"max_age_at_maturity,omitempty"`
		MaxDebtToIncome   decimal.Decimal        `json:"max_debt_to_income,omitzero"`
		Approval          *credit.ApprovalPolicy `json:"approval,omitempty" doc:"approval chains by amount band; default the bank's (BankApprovalPolicy); every step's role a staff role"`
	}
	productsQuery struct {
		page
	}
	applyRequest struct {
		bank.ApplyRequest
	}
	applicationsQuery struct {
		CustomerID credit.ID     `query:"customer_id"`
		ProductID  credit.ID     `query:"product_id"`
		Status     credit.Status `query:"status" doc:"submitted, scored, returned, approved, rejected, declined or withdrawn"`
		page
	}
	decideRequest struct {
		ID credit.ID `path:"id" json:"-"`
		bank.DecideRequest
	}
	withdrawRequest struct {
		ID     credit.ID `path:"id" json:"-"`
		Reason string    `json:"reason,omitempty"`
	}
	resubmitRequest struct {
		ID        credit.ID `path:"id" json:"-"`
		Documents []string  `json:"documents,omitempty" doc:"references to the documents asked for"`
	}
	issueRequest struct {
		ID        credit.ID        `path:"id" json:"-"`
		Start     calendar.Date    `json:"start,omitzero" doc:"value date; default the business date"`
		FirstDue  calendar.Date    `json:"first_due,omitzero" doc:"first due date (a broken first period); default one period after start"`
		Benchmark *decimal.Decimal `json:"benchmark,omitempty" doc:"the day's LPR, for a floating-rate product"`
	}
	inboxQuery struct {
		Role  channel.Role `query:"role" doc:"one of the caller's roles; default all of them"`
		Limit pageLimit    `query:"limit" doc:"1-500, default 50"`
		After cursor       `query:"after" doc:"cursor: the next of the previous page"`
	}
	lateQuery struct {
		AsOf calendar.Date `query:"as_of" doc:"business date; default today"`
		page
	}
	acceptRequest struct {
		ID credit.ID `path:"id" json:"-"`
		bank.AcceptRequest
	}
	acceptView struct {
		Contract credit.Contract `json:"contract"`
		Loan     credit.Loan     `json:"loan"`
	}
	loansQuery struct {
		CustomerID credit.ID         `query:"customer_id"`
		Status     credit.LoanStatus `query:"status" doc:"accepted, disbursing, active, closed or written_off"`
		page
	}
	disburseRequest struct {
		ID     credit.ID    `path:"id" json:"-"`
		Amount *money.Money `json:"amount,omitempty" doc:"the tranche's principal; default all that is left"`
	}
	repayRequest struct {
		ID credit.ID `path:"id" json:"-"`
		bank.RepayRequest
	}
	prepayRequest struct {
		ID credit.ID `path:"id" json:"-"`
		bank.PrepayRequest
	}
	repaymentsQuery struct {
		ID credit.ID `path:"id"`
		page
	}
	repaymentView struct {
		Repayment credit.Repayment `json:"repayment"`
		Loan      credit.Loan      `json:"loan"`
	}
	scheduleView struct {
		LoanID        credit.ID           `json:"loan_id"`
		Instalments   []credit.Instalment `json:"instalments"`
		TotalInterest money.Money         `json:"total_interest"`
		TotalPayable  money.Money         `json:"total_payable"`
		Maturity      calendar.Date       `json:"maturity"`
	}
	statementView struct {
		LoanID        credit.ID          `json:"loan_id"`
		CustomerID    credit.ID          `json:"customer_id"`
		Status        credit.LoanStatus  `json:"status"`
		BusinessDate  calendar.Date      `json:"business_date"`
		Disbursed     money.Money        `json:"disbursed"`
		Outstanding   money.Money        `json:"outstanding"`
		Advance       money.Money        `json:"advance"`
		Standing      credit.Delinquency `json:"standing"`
		Instalments   []statementLine    `json:"instalments"`
		Repayments    []credit.Repayment `json:"repayments"`
		MoreRepayment bool               `json:"more_repayments" doc:"more repayments than shown: list them with /repayments"`
	}
	statementLine struct {
		Number         int           `json:"number"`
		DueDate        calendar.Date `json:"due_date"`
		State          string        `json:"state" doc:"paid, overdue, due (today), partly_paid or scheduled"`
		Principal      money.Money   `json:"principal"`
		Interest       money.Money   `json:"interest"`
		PaidPrincipal  money.Money   `json:"paid_principal"`
		PaidInterest   money.Money   `json:"paid_interest"`
		PenaltyCharged money.Money   `json:"penalty_charged"`
		PenaltyPaid    money.Money   `json:"penalty_paid"`
		FeeCharged     money.Money   `json:"fee_charged"`
		FeePaid        money.Money   `json:"fee_paid"`
	}
)

// htmlDocument and pdfDocument are documents answered as themselves, not
// as JSON.
type (
	htmlDocument []byte
	pdfDocument  []byte
)

func (htmlDocument) mediaType() string  { return "text/html; charset=utf-8" }
func (d htmlDocument) document() []byte { return d }
func (pdfDocument) mediaType() string   { return "application/pdf" }
func (d pdfDocument) document() []byte  { return d }

// rawDocument is a response written as its bytes with its media type.
type rawDocument interface {
	mediaType() string
	document() []byte
}

var rawDocumentType = reflect.TypeFor[rawDocument]()

// creditPage is the credit page of an API page.
func creditPage(p page) credit.Page { return credit.Page{After: p.After.id(), Limit: p.Limit.n()} }

// listOf is a page of items, with the cursor of the next when the page
// is full.
func listOf[T any](items []T, limit int, id func(T) credit.ID, err error) (list[T], error) {
	if err != nil {
		return list[T]{}, err
	}
	out := list[T]{Items: nonNil(items)}
	if len(items) == limit && limit > 0 {
		out.Next = id(items[len(items)-1]).String()
	}
	return out, nil
}

// staffRoleSteps refuses an approval policy whose steps name a role no
// staff member can hold: its applications could never be approved.
func staffRoleSteps(p *credit.ApprovalPolicy) error {
	if p == nil {
		return nil
	}
	for i, b := range p.Bands {
		for j, st := range b.Steps {
			if !channel.Role(st.Role).Valid() {
				return fault.Field(errInvalidInput, fmt.Sprintf("approval.bands[%d].steps[%d].role", i, j),
					fmt.Sprintf("must be a staff role: one of %v", channel.Roles()))
			}
		}
	}
	return nil
}

func (s *Server) createLoanProduct(ctx context.Context, r productRequest) (credit.Product, error) {
	if err := staffRoleSteps(r.Approval); err != nil {
		return credit.Product{}, err
	}
	p := credit.Product{Code: r.Code, Name: r.Name, Currency: r.Currency, MinAmount: r.MinAmount, MaxAmount: r.MaxAmount,
		MinTerm: r.MinTerm, MaxTerm: r.MaxTerm, Method: r.Method, InterestMethod: r.InterestMethod, DayCount: r.DayCount,
		Frequency: r.Frequency, Adjustment: calendar.Following, RateType: r.RateType, BaseRate: r.BaseRate, MaxRate: r.MaxRate,
		GracePrincipal: r.GracePrincipal, GraceInterest: r.GraceInterest, LateFee: r.LateFee, PenaltyMultiplier: r.PenaltyMultiplier,
		PrepaymentMode: r.PrepaymentMode, Allocation: r.Allocation, MinAge: r.MinAge, MaxAgeAtMaturity: r.MaxAgeAtMaturity,
		MaxDebtToIncome: r.MaxDebtToIncome, Approval: BankApprovalPolicy()}
	if p.InterestMethod == "" {
		p.InterestMethod = credit.Declining
	}
	if p.DayCount == 0 {
		p.DayCount = money.Act365Fixed
	}
	if p.Frequency == "" {
		p.Frequency = credit.Monthly
	}
	if r.Adjustment != nil {
		p.Adjustment = *r.Adjustment
	}
	if p.RateType == "" {
		p.RateType = credit.Fixed
	}
	if p.PrepaymentMode == "" {
		p.PrepaymentMode = credit.ReduceTerm
	}
	if r.Origination != nil {
		p.Origination = *r.Origination
	}
	if r.PrepaymentFee != nil {
		p.PrepaymentFee = *r.PrepaymentFee
	}
	if r.Approval != nil {
		p.Approval = *r.Approval
	}
	return s.loans.Credit().CreateProduct(ctx, p)
}

func (s *Server) listLoanProducts(ctx context.Context, q productsQuery) (list[credit.Product], error) {
	ps, err := s.loans.Credit().Products(ctx, creditPage(q.page))
	return listOf(ps, q.Limit.n(), func(p credit.Product) credit.ID { return p.ID }, err)
}

func (s *Server) getLoanProduct(ctx context.Context, r creditPath) (credit.Product, error) {
	return s.loans.Credit().Product(ctx, r.ID)
}

func (s *Server) applyForLoan(ctx context.Context, r applyRequest) (credit.Application, error) {
	a, err := s.loans.Apply(ctx, r.ApplyRequest)
	if errors.Is(err, credit.ErrOpenApplication) {
		return a, fault.Field(credit.ErrOpenApplication, "product_id", err.Error())
	}
	return a, refusalField(err)
}

// refusalField names the field an eligibility refusal is about, with the
// rule in its message: kyc and min_age are the customer's, age at
// maturity the term's, debt to income the monthly debt's.
func refusalField(err error) error {
	var r *credit.Refusal
	if !errors.As(err, &r) {
		return err
	}
	field := map[string]string{credit.RuleKYC: "customer_id", credit.RuleMinAge: "customer_id",
		credit.RuleAgeAtMaturity: "term", credit.RuleDebtToIncome: "monthly_debt", credit.RuleCutOff: "customer_id"}[r.Rule]
	if field == "" {
		field = "customer_id"
	}
	return fault.Field(credit.ErrIneligible, field, "rule "+r.Rule+": "+r.Reason)
}

func (s *Server) listLoanApplications(ctx context.Context, q applicationsQuery) (list[credit.Application], error) {
	as, err := s.loans.Applications(ctx, credit.ApplicationFilter{CustomerID: q.CustomerID, ProductID: q.ProductID, Status: q.Status}, creditPage(q.page))
	return listOf(as, q.Limit.n(), func(a credit.Application) credit.ID { return a.ID }, err)
}

func (s *Server) getLoanApplication(ctx context.Context, r creditPath) (credit.Application, error) {
	return s.loans.Application(ctx, r.ID)
}

func (s *Server) scoreLoanApplication(ctx context.Context, r creditPath) (credit.Application, error) {
	return s.loans.Credit().Score(ctx, r.ID)
}

func (s *Server) decideLoanApplication(ctx context.Context, r decideRequest) (credit.Application, error) {
	a, err := s.loans.Decide(ctx, r.ID, r.DecideRequest)
	if errors.Is(err, credit.ErrOutOfOrder) {
		return a, fault.Field(credit.ErrOutOfOrder, "step", err.Error())
	}
	return a, err
}

func (s *Server) withdrawLoanApplication(ctx context.Context, r withdrawRequest) (credit.Application, error) {
	return s.loans.Withdraw(ctx, r.ID, r.Reason)
}

func (s *Server) resubmitLoanApplication(ctx context.Context, r resubmitRequest) (credit.Application, error) {
	return s.loans.Resubmit(ctx, r.ID, r.Documents)
}

func (s *Server) listLoanContracts(ctx context.Context, r creditPath) (list[credit.Contract], error) {
	cs, err := s.loans.Contracts(ctx, r.ID)
	return listOf(cs, 0, nil, err)
}

func (s *Server) issueLoanContract(ctx context.Context, r issueRequest) (credit.Contract, error) {
	req := credit.IssueRequest{Start: r.Start, FirstDue: r.FirstDue}
	if r.Benchmark != nil {
		return s.loans.Credit().IssueFloating(ctx, r.ID, req, *r.Benchmark)
	}
	return s.loans.Credit().IssueContract(ctx, r.ID, req)
}

func (s *Server) creditInbox(ctx context.Context, q inboxQuery) (list[credit.Application], error) {
	var roles []channel.Role
	if q.Role != "" {
		if !bank.CallerOf(ctx).HasRole(q.Role) {
			return list[credit.Application]{}, fault.Field(errInvalidInput, "role", "must be one of your roles")
		}
		roles = []channel.Role{q.Role}
	}
	as, next, err := s.loans.Inbox(ctx, roles, q.After.id(), q.Limit.n())
	if err != nil {
		return list[credit.Application]{}, err
	}
	out := list[credit.Application]{Items: nonNil(as)}
	if next != credit.NilID {
		out.Next = next.String()
	}
	return out, nil
}

func (s *Server) lateCreditSteps(ctx context.Context, q lateQuery) (list[credit.Application], error) {
	as, err := s.loans.Credit().LateSteps(ctx, q.AsOf, creditPage(q.page))
	return listOf(as, q.Limit.n(), func(a credit.Application) credit.ID { return a.ID }, err)
}

func (s *Server) getLoanContract(ctx context.Context, r creditPath) (credit.Contract, error) {
	return s.loans.Contract(ctx, r.ID)
}

func (s *Server) loanContractHTML(ctx context.Context, r creditPath) (htmlDocument, error) {
	return s.loans.ContractDocument(ctx, r.ID, credit.FormatHTML)
}

func (s *Server) loanContractPDF(ctx context.Context, r creditPath) (pdfDocument, error) {
	return s.loans.ContractDocument(ctx, r.ID, credit.FormatPDF)
}

func (s *Server) acceptLoanContract(ctx context.Context, r acceptRequest) (acceptView, error) {
	c, l, err := s.loans.Accept(ctx, r.ID, r.AcceptRequest)
	return acceptView{Contract: c, Loan: l}, err
}

func (s *Server) listLoans(ctx context.Context, q loansQuery) (list[credit.Loan], error) {
	ls, err := s.loans.Loans(ctx, credit.LoanFilter{CustomerID: q.CustomerID, Status: q.Status}, creditPage(q.page))
	return listOf(ls, q.Limit.n(), func(l credit.Loan) credit.ID { return l.ID }, err)
}

func (s *Server) getLoan(ctx context.Context, r creditPath) (credit.Loan, error) {
	return s.loans.Loan(ctx, r.ID)
}

func (s *Server) disburseLoan(ctx context.Context, r disburseRequest) (credit.Loan, error) {
	l, err := s.loans.Loan(ctx, r.ID)
	if err != nil {
		return credit.Loan{}, err
	}
	amount := money.Zero(l.Currency())
	if r.Amount != nil {
		if r.Amount.Currency != l.Currency() {
			return credit.Loan{}, fault.Field(errInvalidInput, "amount.currency", "must be the loan's currency "+string(l.Currency()))
		}
		if !r.Amount.Amount.IsPositive() {
			return credit.Loan{}, fault.Field(errInvalidInput, "amount", "must be positive")
		}
		amount = *r.Amount
	}
	return s.loans.Credit().Disburse(ctx, r.ID, amount)
}

func (s *Server) loanSchedule(ctx context.Context, r creditPath) (scheduleView, error) {
	l, err := s.loans.Loan(ctx, r.ID)
	if err != nil {
		return scheduleView{}, err
	}
	return scheduleView{LoanID: l.ID, Instalments: l.Schedule.Instalments(), TotalInterest: l.Schedule.TotalInterest(),
		TotalPayable: l.Schedule.TotalPayable(), Maturity: l.Schedule.Maturity()}, nil
}

func (s *Server) repayLoan(ctx context.Context, r repayRequest) (repaymentView, error) {
	rep, l, err := s.loans.Repay(ctx, r.ID, r.RepayRequest)
	return repaymentView{Repayment: rep, Loan: l}, err
}

func (s *Server) listLoanRepayments(ctx context.Context, q repaymentsQuery) (list[credit.Repayment], error) {
	rs, err := s.loans.Repayments(ctx, q.ID, creditPage(q.page))
	return listOf(rs, q.Limit.n(), func(r credit.Repayment) credit.ID { return r.ID }, err)
}

func (s *Server) quoteLoanPrepayment(ctx context.Context, r prepayRequest) (credit.PrepaymentQuote, error) {
	return s.loans.QuotePrepayment(ctx, r.ID, r.PrepayRequest)
}

func (s *Server) prepayLoan(ctx context.Context, r prepayRequest) (repaymentView, error) {
	rep, l, err := s.loans.Prepay(ctx, r.ID, r.PrepayRequest)
	return repaymentView{Repayment: rep, Loan: l}, err
}

func (s *Server) loanStatement(ctx context.Context, r creditPath) (statementView, error) {
	l, err := s.loans.Loan(ctx, r.ID)
	if err != nil {
		return statementView{}, err
	}
	today, err := s.ledger.BusinessDate(ctx)
	if err != nil {
		return statementView{}, err
	}
	reps, err := s.loans.Repayments(ctx, l.ID, credit.Page{Limit: credit.MaxPageLimit})
	if err != nil {
		return statementView{}, err
	}
	v := statementView{LoanID: l.ID, CustomerID: l.CustomerID, Status: l.Status, BusinessDate: today, Disbursed: l.Disbursed,
		Outstanding: l.Outstanding, Advance: l.Advance, Standing: l.Standing, Repayments: nonNil(reps),
		MoreRepayment: len(reps) == credit.MaxPageLimit, Instalments: []statementLine{}}
	zero := money.Zero(l.Currency())
	or := func(m money.Money) money.Money {
		if m.Currency == "" {
			return zero
		}
		return m
	}
	for i, in := range l.Schedule.Instalments() {
		var pd credit.InstalmentPaid
		if i < len(l.Paid) {
			pd = l.Paid[i]
		}
		line := statementLine{Number: in.Number, DueDate: in.DueDate, Principal: in.Principal, Interest: in.Interest,
			PaidPrincipal: or(pd.Principal), PaidInterest: or(pd.Interest), PenaltyCharged: or(pd.PenaltyCharged),
			PenaltyPaid: or(pd.Penalty), FeeCharged: or(pd.FeeCharged), FeePaid: or(pd.Fee)}
		paid := line.PaidPrincipal.Equal(in.Principal) && line.PaidInterest.Equal(in.Interest) &&
			line.PenaltyPaid.Equal(line.PenaltyCharged) && line.FeePaid.Equal(line.FeeCharged)
		switch {
		case paid:
			line.State = "paid"
		case in.DueDate.Before(today):
			line.State = "overdue"
		case in.DueDate == today:
			line.State = "due"
		case line.PaidPrincipal.IsPositive() || line.PaidInterest.IsPositive():
			line.State = "partly_paid"
		default:
			line.State = "scheduled"
		}
		v.Instalments = append(v.Instalments, line)
	}
	return v, nil
}

func (s *Server) creditPortfolio(ctx context.Context, _ none) (bank.Portfolio, error) {
	return s.loans.Portfolio(ctx)
}

// seedCreditDemo adds the demo book of loans (bank.SeedCreditDemo): each
// made on its day in the past by a credit Service whose business date is
// that day (and whose clock is stopped on it), scored with the demo's
// clean bureau.
func (s *Server) seedCreditDemo(ctx context.Context, st stores) error {
	return s.bank.SeedCreditDemo(ctx, func(d calendar.Date) (*credit.Service, error) {
		clock := calendar.NewManualClock(d.In(time.UTC).Add(10 * time.Hour))
		return credit.NewService(st.credit, append(s.creditOptions(clock, s.bankCalendar),
			credit.WithBusinessDate(credit.FixedBusinessDate(d)), credit.WithBureau(bank.DemoBureau{}))...)
	})
}
