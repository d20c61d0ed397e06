package credit

import (
	"strings"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/text"
)

// ContractStatus is where a contract version is in its life.
type ContractStatus string

// The contract statuses. Only the latest version of an application's
// contract is issued; issuing another supersedes it; an accepted version
// is final (its loan exists) and nothing supersedes it.
const (
	ContractIssued     ContractStatus = "issued"     // awaiting the customer's acceptance
	ContractSuperseded ContractStatus = "superseded" // a later version replaced it
	ContractAccepted   ContractStatus = "accepted"   // the customer accepted it: a loan exists
)

// Contract is one version of the loan contract of an approved
// application: the terms, the full schedule, the APR and the total cost
// of credit, and the digests of its rendered documents. Its documents are
// stored with it, byte for byte as the customer saw them.
type Contract struct {
	ID            ID             `json:"id"`
	ApplicationID ID             `json:"application_id"`
	CustomerID    ID             `json:"customer_id"`
	ProductID     ID             `json:"product_id"`
	Version       int            `json:"version"` // from 1
	Status        ContractStatus `json:"status"`

	ProductCode string      `json:"product_code"`
	ProductName string      `json:"product_name"`
	Amount      money.Money `json:"amount"` // lent, before a financed fee
	// OriginationFee is the fee charged at disbursement, and whether it is
	// financed (in the principal) or deducted from the cash paid out.
	OriginationFee money.Money    `json:"origination_fee"`
	FeeFinanced    bool           `json:"fee_financed"`
	PenaltyRate    string         `json:"penalty_rate"` // annual, on overdue principal
	PrepaymentFee  Fee            `json:"prepayment_fee"`
	PrepaymentMode PrepaymentMode `json:"prepayment_mode"`
	Schedule       Schedule       `json:"schedule"` // its terms are the loan's
	Rates          Rates          `json:"rates"`    // APR, effective annual rate, total cost of credit

	// HTMLSHA256 and PDFSHA256 are the lower-case hex SHA-256 digests of
	// the rendered documents: what the customer accepts is named by them.
	HTMLSHA256 string `json:"html_sha256"`
	PDFSHA256  string `json:"pdf_sha256"`

	IssuedOn calendar.Date `json:"issued_on"` // business date
	IssuedAt time.Time     `json:"issued_at"`
	// Acceptance is the customer's acceptance, once given.
	Acceptance *Acceptance `json:"acceptance,omitempty"`
	// LoanID is the loan made from the contract on acceptance.
	LoanID ID `json:"loan_id,omitzero"`
}

// Acceptance records the customer's acceptance of a contract version.
type Acceptance struct {
	At           time.Time     `json:"at"`
	BusinessDate calendar.Date `json:"business_date"`
	Channel      Channel       `json:"channel"`
	By           string        `json:"by"` // who recorded it: the customer, or staff on their behalf
	// DisbursementAccount is the customer's demand account the loan is
	// paid into and repaid from by default.
	DisbursementAccount ID `json:"disbursement_account"`
}

// Channel is where a customer acted.
type Channel string

// The channels.
const (
	ChannelBranch Channel = "branch"
	ChannelOnline Channel = "online"
	ChannelMobile Channel = "mobile"
	ChannelPhone  Channel = "phone"
)

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	switch c {
	case ChannelBranch, ChannelOnline, ChannelMobile, ChannelPhone:
		return true
	}
	return false
}

// Documents are a contract version's rendered documents.
type Documents struct {
	HTML []byte
	PDF  []byte
}

// DocumentFormat names a rendered form of a contract.
type DocumentFormat string

// The document formats.
const (
	FormatHTML DocumentFormat = "html"
	FormatPDF  DocumentFormat = "pdf"
)

// IssueRequest is what a contract is issued with: the loan's value date
// and, for a broken first period, its first due date.
type IssueRequest struct {
	// Start is the value date interest runs from (zero: the business
	// date). The loan is disbursed on or after it.
	Start calendar.Date `json:"start,omitzero"`
	// FirstDue is the first due date (zero: one period after Start).
	FirstDue calendar.Date `json:"first_due,omitzero"`
}

// AcceptRequest is the customer's acceptance of a contract version as
// sent: the version they read (a later one supersedes it, and accepting
// it is refused naming "version"), optionally the digest of the document
// they read, the channel, who records it, and the demand account to pay
// the loan into.
type AcceptRequest struct {
	Version             int     `json:"version"`
	SHA256              string  `json:"sha256,omitempty"` // of the HTML or the PDF the customer read
	Channel             Channel `json:"channel"`
	By                  string  `json:"by"`
	DisbursementAccount ID      `json:"disbursement_account"`
}

// Validate checks the request's own fields.
func (r AcceptRequest) Validate() error {
	if r.Version < 1 {
		return invalid("version", "must be at least 1")
	}
	if r.SHA256 != "" && (len(r.SHA256) != 64 || strings.Trim(r.SHA256, "0123456789abcdef") != "") {
		return invalid("sha256", "must be 64 lower-case hex digits")
	}
	if !r.Channel.Valid() {
		return invalid("channel", "must be branch, online, mobile or phone")
	}
	if strings.TrimSpace(r.By) == "" || len(r.By) > maxRefLen {
		return invalid("by", "must be 1-%d bytes", maxRefLen)
	}
	if err := text.Line(ErrInvalidInput, "by", r.By); err != nil {
		return err
	}
	if r.DisbursementAccount == NilID {
		return invalid("disbursement_account", "is required")
	}
	return nil
}
