package credit

import (
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/money"
)

// EventSource is the Source of the credit subsystem's events.
const EventSource = "credit"

// The event types credit publishes so far, and the version of each
// payload. Subjects hold the application's (or product's) id, and the
// customer's.
const (
	EventProductCreated         = "credit.product_created"         // payload ProductCreated
	EventApplicationSubmitted   = "credit.application_submitted"   // payload ApplicationChanged
	EventApplicationScored      = "credit.application_scored"      // payload ApplicationScored
	EventApplicationWithdrawn   = "credit.application_withdrawn"   // payload ApplicationChanged
	EventApplicationDecided     = "credit.application_decided"     // payload ApplicationDecided
	EventApplicationResubmitted = "credit.application_resubmitted" // payload ApplicationChanged
	EventContractIssued         = "credit.contract_issued"         // payload ContractChanged
	EventContractAccepted       = "credit.contract_accepted"       // payload ContractChanged
	EventLoanDisbursed          = "credit.loan_disbursed"          // payload LoanDisbursed
	EventRepaymentReceived      = "credit.repayment_received"      // payload RepaymentReceived
	EventLoanOverdue            = "credit.loan_overdue"            // payload LoanOverdue
	EventBucketChanged          = "credit.bucket_changed"          // payload StandingChanged
	EventLoanClassified         = "credit.loan_classified"         // payload StandingChanged
	EventReminder               = "credit.reminder"                // payload Reminder
	EventUpgradeRequested       = "credit.upgrade_requested"       // payload StandingChanged
	EventCollectionAction       = "credit.collection_action"       // payload CollectionRecorded
	EventPromiseMade            = "credit.promise_made"            // payload PromiseChanged
	EventPromiseBroken          = "credit.promise_broken"          // payload PromiseChanged
	EventPromiseKept            = "credit.promise_kept"            // payload PromiseChanged
	EventRestructureProposed    = "credit.restructure_proposed"    // payload LoanRestructured
	EventRestructureDecided     = "credit.restructure_decided"     // payload RestructureDecided (a step short of the final approval)
	EventLoanRestructured       = "credit.loan_restructured"       // payload LoanRestructured
	EventLoanWrittenOff         = "credit.loan_written_off"        // payload WrittenOff

	EventVersion = 1 // of every payload above
)

// ProductCreated is the payload of EventProductCreated.
type ProductCreated struct {
	ProductID ID     `json:"product_id"`
	Code      string `json:"code"`
}

// ApplicationChanged is the payload of a submission or withdrawal.
type ApplicationChanged struct {
	ApplicationID ID     `json:"application_id"`
	CustomerID    ID     `json:"customer_id"`
	ProductID     ID     `json:"product_id"`
	Status        Status `json:"status"`
}

// ApplicationScored is the payload of EventApplicationScored: the
// decision and its grade, not the inputs (which stay with the
// application).
type ApplicationScored struct {
	ApplicationID ID     `json:"application_id"`
	CustomerID    ID     `json:"customer_id"`
	Status        Status `json:"status"` // scored or declined
	Score         int    `json:"score"`
	Grade         string `json:"grade"`
}

// ApplicationDecided is the payload of EventApplicationDecided: one
// approver's verdict on a step, and the application's status after it.
// The opinion stays with the application.
type ApplicationDecided struct {
	ApplicationID ID      `json:"application_id"`
	CustomerID    ID      `json:"customer_id"`
	Round         int     `json:"round"`
	Step          int     `json:"step"`
	Verdict       Verdict `json:"verdict"`
	Status        Status  `json:"status"`
}

// ContractChanged is the payload of a contract's issue or acceptance.
type ContractChanged struct {
	ContractID    ID             `json:"contract_id"`
	ApplicationID ID             `json:"application_id"`
	CustomerID    ID             `json:"customer_id"`
	Version       int            `json:"version"`
	Status        ContractStatus `json:"status"`
	PDFSHA256     string         `json:"pdf_sha256"`
	LoanID        ID             `json:"loan_id,omitzero"` // on acceptance
}

// LoanDisbursed is the payload of EventLoanDisbursed: one tranche.
type LoanDisbursed struct {
	LoanID      ID          `json:"loan_id"`
	CustomerID  ID          `json:"customer_id"`
	Tranche     int         `json:"tranche"`
	Principal   money.Money `json:"principal"`
	Cash        money.Money `json:"cash"`
	Fee         money.Money `json:"fee"`
	Outstanding money.Money `json:"outstanding"`
	Status      LoanStatus  `json:"status"`
}

// RepaymentReceived is the payload of EventRepaymentReceived.
type RepaymentReceived struct {
	LoanID      ID            `json:"loan_id"`
	CustomerID  ID            `json:"customer_id"`
	RepaymentID ID            `json:"repayment_id"`
	Kind        OperationKind `json:"kind"`
	Amount      money.Money   `json:"amount"`
	Outstanding money.Money   `json:"outstanding"`
	Status      LoanStatus    `json:"status"`
}

// LoanOverdue is the payload of EventLoanOverdue: an instalment left
// unpaid, in whole or part, at the end of its due date.
type LoanOverdue struct {
	LoanID      ID            `json:"loan_id"`
	CustomerID  ID            `json:"customer_id"`
	Instalment  int           `json:"instalment"`
	DueDate     calendar.Date `json:"due_date"`
	Principal   money.Money   `json:"principal"` // unpaid
	Interest    money.Money   `json:"interest"`  // unpaid
	DaysPastDue int           `json:"days_past_due"`
}

// StandingChanged is the payload of a bucket change or a classification.
type StandingChanged struct {
	LoanID      ID            `json:"loan_id"`
	CustomerID  ID            `json:"customer_id"`
	On          calendar.Date `json:"on"`
	From        string        `json:"from"`
	To          string        `json:"to"`
	DaysPastDue int           `json:"days_past_due"`
}

func (s *Service) newEvent(typ string, at time.Time, payload any, subjects ...ID) (event.Envelope, error) {
	e, err := event.New(typ, EventVersion, at, payload, subjects...)
	if err != nil {
		return event.Envelope{}, err
	}
	e.BusinessDate = calendar.DateOf(at.In(s.loc))
	return e, nil
}

// Events is credit's event feed: subscribe to it, run its delivery, prune
// what every subscriber has had. Delivery is at least once, in order.
func (s *Service) Events() *event.Feed { return s.events }

// Reminder is the payload of EventReminder: an instalment falls due in
// Days days (negative: fell due -Days days ago and is unpaid), for the
// channels to tell the customer.
type Reminder struct {
	LoanID     ID            `json:"loan_id"`
	CustomerID ID            `json:"customer_id"`
	Instalment int           `json:"instalment"`
	DueDate    calendar.Date `json:"due_date"`
	Days       int           `json:"days"`
	Amount     money.Money   `json:"amount"` // unpaid of the instalment, charges included
}

// CollectionRecorded is the payload of EventCollectionAction.
type CollectionRecorded struct {
	LoanID     ID         `json:"loan_id"`
	CustomerID ID         `json:"customer_id"`
	Action     ActionKind `json:"action"`
	Outcome    Outcome    `json:"outcome"`
}

// PromiseChanged is the payload of a promise to pay made, kept or broken.
type PromiseChanged struct {
	LoanID     ID            `json:"loan_id"`
	CustomerID ID            `json:"customer_id"`
	Promise    int           `json:"promise"` // its number on the loan, from 1
	Amount     money.Money   `json:"amount"`
	Date       calendar.Date `json:"date"`
	Paid       money.Money   `json:"paid"` // received since it was made
	Status     PromiseStatus `json:"status"`
}

// LoanRestructured is the payload of a restructuring proposed or done.
type LoanRestructured struct {
	LoanID      ID            `json:"loan_id"`
	CustomerID  ID            `json:"customer_id"`
	On          calendar.Date `json:"on"`
	Outstanding money.Money   `json:"outstanding"` // principal of the new schedule
	Term        int           `json:"term"`
	Proposal    int           `json:"proposal,omitempty"` // the proposal's number on the loan
}

// RestructureDecided is the payload of a decision on a restructuring
// proposal's chain other than its final approval (which raises
// EventLoanRestructured once applied).
type RestructureDecided struct {
	LoanID     ID                `json:"loan_id"`
	CustomerID ID                `json:"customer_id"`
	Proposal   int               `json:"proposal"`
	Step       int               `json:"step"`
	Verdict    Verdict           `json:"verdict"`
	Status     RestructureStatus `json:"status"` // pending, rejected or returned
}

// WrittenOff is the payload of EventLoanWrittenOff.
type WrittenOff struct {
	LoanID     ID            `json:"loan_id"`
	CustomerID ID            `json:"customer_id"`
	On         calendar.Date `json:"on"`
	Principal  money.Money   `json:"principal"`
	Interest   money.Money   `json:"interest"`
	Charges    money.Money   `json:"charges"`
}
