package credit

import (
	"context"
	"errors"

	"github.com/bankkit/bankkit/calendar"

	"github.com/bankkit/bankkit/event"
)

// Store is what the credit Service needs from storage. Implementations:
// memcredit (in memory) and pgcredit (PostgreSQL); credittest.Run proves
// one. Every write appends its events to the Store's outbox in the same
// operation, so an event exists exactly when its change does.
type Store interface {
	// CreateProduct stores a new product. ErrDuplicate when its id or its
	// code is taken.
	CreateProduct(ctx context.Context, p Product, events ...event.Envelope) error
	// Product returns the product with id; ErrNotFound.
	Product(ctx context.Context, id ID) (Product, error)
	// ProductByCode returns the product with code; ErrNotFound.
	ProductByCode(ctx context.Context, code string) (Product, error)
	// Products lists products in id order after page.After, at most
	// page.Limit (the Service normalises the page).
	Products(ctx context.Context, page Page) ([]Product, error)

	// CreateApplication stores a new application. ErrOpenApplication when
	// a.Status is open and the customer has another open application for
	// the product; ErrDuplicate when the id is taken.
	CreateApplication(ctx context.Context, a Application, events ...event.Envelope) error
	// Application returns the application with id; ErrNotFound.
	Application(ctx context.Context, id ID) (Application, error)
	// UpdateApplication applies fn to the application atomically: fn gets
	// the stored application and returns the new one and the events of the
	// change; the store raises Version by one and keeps UpdatedAt as fn
	// sets it. An error of fn is returned and nothing changes. ErrNotFound.
	UpdateApplication(ctx context.Context, id ID, fn func(Application) (Application, []event.Envelope, error)) (Application, error)
	// Applications lists applications matching the filter in id order
	// after page.After, at most page.Limit.
	Applications(ctx context.Context, f ApplicationFilter, page Page) ([]Application, error)

	// CreateContract stores a new contract version with its documents
	// and marks every earlier version of its application superseded, in
	// one operation. ErrInvalidTransition when a version of the
	// application is accepted (its loan exists); ErrDuplicate when the
	// version number is taken (another issue came first).
	CreateContract(ctx context.Context, c Contract, docs Documents, events ...event.Envelope) error
	// Contract returns the contract version with id; ErrNotFound.
	Contract(ctx context.Context, id ID) (Contract, error)
	// Contracts lists an application's contract versions, oldest first.
	Contracts(ctx context.Context, applicationID ID) ([]Contract, error)
	// ContractDocument returns a contract version's rendered document,
	// byte for byte as stored; ErrNotFound.
	ContractDocument(ctx context.Context, id ID, f DocumentFormat) ([]byte, error)
	// AcceptContract applies fn to the contract atomically and creates the
	// loan fn returns, with its events, in the same operation. An error of
	// fn is returned and nothing changes. ErrNotFound; ErrDuplicate when
	// the contract already has a loan.
	AcceptContract(ctx context.Context, id ID, fn func(Contract) (Contract, Loan, []event.Envelope, error)) (Contract, Loan, error)

	// Loan returns the loan with id; ErrNotFound.
	Loan(ctx context.Context, id ID) (Loan, error)
	// Loans lists loans matching f (LoanFilter.Matches) in id order
	// after page.After.
	Loans(ctx context.Context, f LoanFilter, page Page) ([]Loan, error)
	// UpdateLoan applies fn to the loan atomically: fn gets the stored
	// loan and returns the new one, a repayment to record (or nil) and the
	// events of the change; the store raises Version by one. An error of
	// fn is returned and nothing changes. ErrNotFound; ErrDuplicate when
	// the loan has a repayment with the repayment's key.
	UpdateLoan(ctx context.Context, id ID, fn func(Loan) (Loan, *Repayment, []event.Envelope, error)) (Loan, error)
	// Repayments lists a loan's repayments in the order received, after
	// page.After.
	Repayments(ctx context.Context, loanID ID, page Page) ([]Repayment, error)
	// RepaymentByKey returns the loan's repayment with the caller's key;
	// ErrNotFound.
	RepaymentByKey(ctx context.Context, loanID ID, key string) (Repayment, error)

	// Exposure aggregates the loans on the books (active or disbursing)
	// as q says, in SortExposure's order, at most q.Top rows (0: all).
	// Exposure is the reference for stores that hold loans in memory.
	Exposure(ctx context.Context, q ExposureQuery) ([]ExposureRow, error)
	// Migration counts loans by their state (Loan.ClassificationOn) on
	// from and on to, in SortMigration's order.
	Migration(ctx context.Context, from, to calendar.Date) ([]MigrationCell, error)

	// Events is the outbox of credit's events.
	Events() event.Log

	EndOfDayStore
	CollectionsStore
}

// ApplicationFilter selects applications; zero fields select all.
type ApplicationFilter struct {
	CustomerID ID
	ProductID  ID
	Status     Status
	// StepDueBefore selects applications in an approval chain (status
	// scored) whose awaited step is due before it.
	StepDueBefore calendar.Date
}

// Late reports whether a is in a chain whose awaited step is due before
// d: what StepDueBefore selects.
func (a Application) Late(d calendar.Date) bool {
	return a.Status == StatusScored && a.Approval != nil && a.Approval.Due.Before(d)
}

// Page selects a slice of an id-ordered list: items after After (NilID:
// from the start), at most Limit of them.
type Page struct {
	After ID
	Limit int
}

// Page limits.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 500
)

func (p Page) normalize() (Page, error) {
	switch {
	case p.Limit == 0:
		p.Limit = DefaultPageLimit
	case p.Limit < 0 || p.Limit > MaxPageLimit:
		return p, invalid("limit", "must be 1-%d", MaxPageLimit)
	}
	return p, nil
}

// ApplicationSwapper is a Store that can also write an application over
// the version its caller read, without reading it again: the decision
// path's last write (Score) saves a locked read. A Store without it is
// updated through UpdateApplication.
type ApplicationSwapper interface {
	// SwapApplication stores next as the application with id, with the
	// events, only if the stored one is still at version; the store raises
	// Version by one and keeps the id, customer and product. Otherwise
	// ErrApplicationChanged and nothing changes. ErrNotFound;
	// ErrOpenApplication as UpdateApplication.
	SwapApplication(ctx context.Context, id ID, version int64, next Application, events ...event.Envelope) (Application, error)
}

// ErrApplicationChanged: an application changed since it was read.
var ErrApplicationChanged = errors.New("credit: the application changed since it was read")
