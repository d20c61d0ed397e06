package bank

import (
	"context"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
)

// The ports: what the bank needs of each subsystem, in as few methods as
// it uses. *ledger.Service is Accounts, Postings and Holds;
// *customer.Service is Customers and Complaints; *channel.Service is
// Logins; EndOfDayDeposits and ClearingInterbank adapt the ledger's end of
// day and clearing.

// Accounts opens, reads and closes ledger accounts.
type Accounts interface {
	BusinessDate(ctx context.Context) (calendar.Date, error)
	OpenAccount(ctx context.Context, r ledger.OpenAccountRequest) (ledger.Account, error)
	Account(ctx context.Context, id ledger.ID) (ledger.Account, error)
	ListAccounts(ctx context.Context, f ledger.AccountFilter) ([]ledger.Account, ledger.ID, error)
	History(ctx context.Context, q ledger.HistoryQuery) ([]ledger.StatementLine, error)
	Close(ctx context.Context, id ledger.ID) (ledger.Account, error)
}

// Postings moves money inside the bank.
type Postings interface {
	Entry(ctx context.Context, id ledger.ID) (ledger.Entry, error)
	EntryByRef(ctx context.Context, r ledger.ExternalRef) (ledger.Entry, error)
	Deposit(ctx context.Context, r ledger.DepositRequest) (ledger.Receipt, error)
	Withdraw(ctx context.Context, r ledger.WithdrawalRequest) (ledger.Receipt, error)
	Transfer(ctx context.Context, r ledger.TransferRequest) (ledger.Receipt, error)
	Reverse(ctx context.Context, r ledger.ReversalRequest) (ledger.Receipt, error)
}

// Holds reserves money and settles or frees it.
type Holds interface {
	Hold(ctx context.Context, id ledger.ID) (ledger.Hold, error)
	HoldByRef(ctx context.Context, r ledger.ExternalRef) (ledger.Hold, error)
	PlaceHold(ctx context.Context, r ledger.HoldRequest) (ledger.HoldReceipt, error)
	CaptureHold(ctx context.Context, r ledger.CaptureRequest) (ledger.Receipt, error)
	ReleaseHold(ctx context.Context, id ledger.ID) (ledger.Hold, error)
}

// Deposits are the deposit products: interest and time deposits.
type Deposits interface {
	// DefineProduct sets an interest product's terms; setting the same
	// terms again changes nothing.
	DefineProduct(ctx context.Context, code string, p interest.Product) error
	// EarnInterest makes an account earn the product's interest; an
	// account that already does is left as it is.
	EarnInterest(ctx context.Context, accountID ledger.ID, product string) error
	// OpenTimeDeposit opens a time deposit funded from a demand account and
	// returns the deposit's account id.
	OpenTimeDeposit(ctx context.Context, t TimeDeposit) (ledger.ID, error)
	// RenewTimeDeposit renews a deposit held at maturity for a new term.
	RenewTimeDeposit(ctx context.Context, id ledger.ID, termMonths int, instr interest.Instruction) error
	// CloseTimeDeposit pays a deposit out to its demand account: early
	// (the penalty rule), or as it stands when held at maturity.
	CloseTimeDeposit(ctx context.Context, id ledger.ID) error
	// WithdrawTimeDepositPart pays part of a deposit's principal out to
	// its demand account before maturity, at the demand rate; the rest
	// keeps its rate and maturity.
	WithdrawTimeDepositPart(ctx context.Context, id ledger.ID, amount money.Money) error
}

// TimeDeposit is what opening a time deposit takes.
type TimeDeposit struct {
	FundingAccountID ledger.ID
	Principal        money.Money
	TermMonths       int
	Product          string
	Instruction      interest.Instruction
	ExternalRef      ledger.ExternalRef
	IdempotencyKey   string
}

// Interbank sends money to other banks.
type Interbank interface {
	// SendOut debits the account at once and queues the payment for
	// clearing.
	SendOut(ctx context.Context, p Payment) (InterbankTransfer, error)
	// Transfer reads an outbound payment; one that does not exist is an
	// error of kind fault.NotFound.
	Transfer(ctx context.Context, id ledger.ID) (InterbankTransfer, error)
	// TransferByRef reads the outbound payment sent with the external
	// reference; none is an error of kind fault.NotFound.
	TransferByRef(ctx context.Context, r ledger.ExternalRef) (InterbankTransfer, error)
}

// Payment is an outbound inter-bank payment to be sent.
type Payment struct {
	FromAccountID ledger.ID
	To            ExternalAccount
	Amount        money.Money
	Description   string
	Urgent        bool
	// ExternalRef is the sending client's own reference: unique among the
	// client's transfers, carried by the debit entry.
	ExternalRef    ledger.ExternalRef
	IdempotencyKey string
}

// ExternalAccount is an account at another bank.
type ExternalAccount struct {
	BankCode      string `json:"bank_code"`
	AccountNumber string `json:"account_number"`
	Name          string `json:"name"`
}

// InterbankTransfer is an outbound payment as clearing reports it.
type InterbankTransfer struct {
	ID            ledger.ID
	EntryID       ledger.ID // the entry that debited the customer
	FromAccountID ledger.ID
	To            ExternalAccount
	Amount        money.Money
	Description   string
	Status        string // pending_clearing, batched, settled or returned
	ReturnReason  string // the ISO 20022 reason code, once returned
	CreatedAt     time.Time
	ExternalRef   ledger.ExternalRef
	// Through a channel (a bank that routes by channel): its code, the
	// payment's progress through it and the reason shown to the customer,
	// when it will be sent, and the channel's fee.
	Channel   string
	Progress  string
	Reason    string
	SendAfter time.Time
	Fee       money.Money
}

// Customers reads and changes customer records.
type Customers interface {
	Get(ctx context.Context, id customer.ID) (customer.Masked, error)
	Update(ctx context.Context, id customer.ID, expectedVersion int64, p customer.Patch) (customer.Masked, error)
	LinkAccount(ctx context.Context, customerID customer.ID, accountID string, rel customer.Relationship) (customer.AccountLink, error)
	FindByNationalID(ctx context.Context, n customer.NationalID) (customer.Masked, error)
	Create(ctx context.Context, n customer.NewCustomer) (customer.Masked, error)
	SetKYC(ctx context.Context, id customer.ID, d customer.KYCDecision) (customer.Masked, error)
}

// Complaints runs the complaint lifecycle.
type Complaints interface {
	Complaint(ctx context.Context, id customer.ID) (customer.Complaint, error)
	Complaints(ctx context.Context, customerID customer.ID) ([]customer.Complaint, error)
	OpenComplaint(ctx context.Context, customerID customer.ID, n customer.NewComplaint) (customer.Complaint, error)
	AssignComplaint(ctx context.Context, id customer.ID, staffID string) (customer.Complaint, error)
	ResolveComplaint(ctx context.Context, id customer.ID, note string) (customer.Complaint, error)
	CloseComplaint(ctx context.Context, id customer.ID, satisfaction int) (customer.Complaint, error)
	ReopenComplaint(ctx context.Context, id customer.ID) (customer.Complaint, error)
}

// Logins creates customers' online-banking logins.
type Logins interface {
	CreateCustomerLogin(ctx context.Context, r channel.NewCustomerLogin) (channel.Identity, error)
}
