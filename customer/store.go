package customer

import (
	"context"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
)

// Record is a customer as the Store keeps it: personal data sealed, blind
// indexes for exact lookups, everything else in clear. A Store never sees
// plaintext national ids, phones, e-mail, addresses or dates of birth.
type Record struct {
	ID              ID
	FullName        string // kept in clear for name search (see docs/customer.md)
	NameKey         string // normalised FullName: lower case, single spaces
	Gender          Gender
	NationalIDType  NationalIDType
	NationalIDIndex []byte   // blind index; unique across customers
	PhoneIndexes    [][]byte // blind indexes, one per phone
	KeyID           string   // the key every sealed field below is sealed under
	Sealed          SealedPII
	Occupation      string
	IncomeBand      IncomeBand
	Preferences     Preferences
	KYC             KYC
	Risk            RiskRating
	Status          Status
	Version         int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
	// ExternalRef is fixed at creation; stores keep the one CreateCustomer
	// was given whatever UpdateCustomer's fn returns.
	ExternalRef ExternalRef
}

// SealedPII holds the sealed personal data of one customer.
type SealedPII struct {
	NationalID  []byte
	Phones      []byte
	Email       []byte
	Address     []byte
	DateOfBirth []byte
}

// Get returns the sealed value of a customer field (nil for others).
func (s SealedPII) Get(f Field) []byte {
	switch f {
	case FieldNationalID:
		return s.NationalID
	case FieldPhones:
		return s.Phones
	case FieldEmail:
		return s.Email
	case FieldAddress:
		return s.Address
	case FieldDateOfBirth:
		return s.DateOfBirth
	}
	return nil
}

// Set replaces the sealed value of a customer field.
func (s *SealedPII) Set(f Field, b []byte) {
	switch f {
	case FieldNationalID:
		s.NationalID = b
	case FieldPhones:
		s.Phones = b
	case FieldEmail:
		s.Email = b
	case FieldAddress:
		s.Address = b
	case FieldDateOfBirth:
		s.DateOfBirth = b
	}
}

// DocumentRecord is an identity document as the Store keeps it.
type DocumentRecord struct {
	ID             ID
	CustomerID     ID
	Type           DocumentType
	SealedNumber   []byte
	KeyID          string
	IssuingCountry string
	IssuedOn       calendar.Date
	ExpiresOn      calendar.Date
	Primary        bool
	Verification   KYCStatus
	AddedAt        time.Time
}

// Page selects a slice of an id-ordered list: items after the id After
// (NilID: from the start), at most Limit of them.
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

// ListFilter selects customers for ListCustomers. Empty fields do not
// filter.
type ListFilter struct {
	NamePrefix string // normalised (see Record.NameKey)
	Status     Status
	KYC        KYCStatus
	Risk       RiskRating
	Page
}

// Store keeps customers and everything hanging off them. Lists are in id
// order (ids are time-ordered) unless a method says otherwise. Every
// method is atomic; events and access-log entries are written in the same
// operation as the change they belong to (events after every check that
// could refuse the change). Implementations must be safe for concurrent
// use; customertest.Run checks one.
type Store interface {
	// CreateCustomer stores r (Version 1) and the event. ErrDuplicate if a
	// customer with the same NationalIDIndex or ID exists.
	CreateCustomer(ctx context.Context, r Record, e event.Envelope) error
	// CustomerByExternalRef returns the customer created with the
	// reference, or ErrNotFound. CreateCustomer refuses a second one with
	// RefTaken (checked before the national id).
	CustomerByExternalRef(ctx context.Context, r ExternalRef) (Record, error)
	// Customer returns the customer with that id, or ErrNotFound.
	Customer(ctx context.Context, id ID) (Record, error)
	// UpdateCustomer calls fn with the current record and stores what it
	// returns with Version one higher, together with the events fn returns,
	// as one atomic step. If fn fails nothing is written and its error is
	// returned. ErrNotFound if there is no such customer. fn may be called
	// more than once.
	UpdateCustomer(ctx context.Context, id ID, fn func(Record) (Record, []event.Envelope, error)) (Record, error)
	// CustomerByNationalID finds the customer with that blind index, or
	// ErrNotFound.
	CustomerByNationalID(ctx context.Context, index []byte) (Record, error)
	// CustomersByPhone returns the customers one of whose phones has that
	// blind index.
	CustomersByPhone(ctx context.Context, index []byte) ([]Record, error)
	// ListCustomers returns the customers matching f.
	ListCustomers(ctx context.Context, f ListFilter) ([]Record, error)

	// Reveal reads a customer (and, if documents, its documents) and
	// appends e to the access log in one step: Seq, PrevHash and Hash are
	// set with Link. If the customer does not exist nothing is logged and
	// ErrNotFound returned. It returns the stored entry.
	Reveal(ctx context.Context, e AccessEntry, documents bool) (Record, []DocumentRecord, AccessEntry, error)
	// AccessLog returns up to limit entries with Seq > after, in Seq order.
	AccessLog(ctx context.Context, after int64, limit int) ([]AccessEntry, error)

	// Rekey finds up to limit customers and documents, in id order, whose
	// KeyID is not keyID, replaces each sealed value v with reseal(ref, v)
	// and sets KeyID to keyID, each row atomically. It returns how many
	// rows it rewrote; 0 means none are left.
	Rekey(ctx context.Context, keyID string, limit int, reseal func(SealRef, []byte) ([]byte, error)) (int, error)
	// KeyUsage counts customers and documents sealed under keyID.
	KeyUsage(ctx context.Context, keyID string) (int, error)
	// KeySamples returns, for every key id customers or documents are
	// sealed under, one value sealed under it (the national id of its
	// first customer, or the number of its first document when only
	// documents use it), in key id order.
	KeySamples(ctx context.Context) ([]KeySample, error)
	// KeyChecks returns every key-check record, in key id order.
	KeyChecks(ctx context.Context) ([]KeyCheck, error)
	// AddKeyCheck stores c unless a record with its KeyID exists, and
	// returns the record stored under that id: c, or the earlier one.
	AddKeyCheck(ctx context.Context, c KeyCheck) (KeyCheck, error)

	// LinkAccount stores l. ErrNotFound without the customer; ErrDuplicate
	// if the account is already linked to this customer.
	LinkAccount(ctx context.Context, l AccountLink) error
	// UnlinkAccount removes the link, or returns ErrNotFound.
	UnlinkAccount(ctx context.Context, customerID ID, accountID string) error
	// AccountLinks lists a customer's links in account id order.
	AccountLinks(ctx context.Context, customerID ID) ([]AccountLink, error)

	// AddDocument stores d; when d is primary the customer's other
	// documents stop being primary in the same step. ErrNotFound without
	// the customer.
	AddDocument(ctx context.Context, d DocumentRecord) error
	// UpdateDocument calls fn with the current document and stores what
	// it returns, atomically; ErrNotFound, or fn's error with nothing
	// written. Making a document primary demotes the others in the same
	// step.
	UpdateDocument(ctx context.Context, id ID, fn func(DocumentRecord) (DocumentRecord, error)) (DocumentRecord, error)
	// Documents lists a customer's documents.
	Documents(ctx context.Context, customerID ID) ([]DocumentRecord, error)
	// ExpiredPrimaryDocuments lists primary documents whose ExpiresOn is
	// before asOf, in document id order.
	ExpiredPrimaryDocuments(ctx context.Context, asOf calendar.Date, p Page) ([]DocumentRecord, error)

	// AppendConsent stores c and the event. ErrNotFound without the
	// customer.
	AppendConsent(ctx context.Context, c Consent, e event.Envelope) error
	// Consents returns a customer's consent history in id order, which
	// is oldest first.
	Consents(ctx context.Context, customerID ID) ([]Consent, error)

	// AddInteraction stores i. ErrNotFound without the customer.
	AddInteraction(ctx context.Context, i Interaction) error
	// Interactions lists a customer's interactions.
	Interactions(ctx context.Context, customerID ID, p Page) ([]Interaction, error)

	// CreateComplaint stores c (Version 1). ErrNotFound without the
	// customer.
	CreateComplaint(ctx context.Context, c Complaint) error
	// Complaint returns a complaint, or ErrNotFound.
	Complaint(ctx context.Context, id ID) (Complaint, error)
	// UpdateComplaint calls fn with the current complaint and stores what
	// it returns with Version one higher, atomically; ErrNotFound, or fn's
	// error with nothing written.
	UpdateComplaint(ctx context.Context, id ID, fn func(Complaint) (Complaint, error)) (Complaint, error)
	// Complaints lists a customer's complaints.
	Complaints(ctx context.Context, customerID ID) ([]Complaint, error)
	// OverdueComplaints lists open or in-progress complaints whose DueOn
	// is before asOf.
	OverdueComplaints(ctx context.Context, asOf calendar.Date, p Page) ([]Complaint, error)

	// Events is the outbox the methods above append to, with Source
	// EventSource (the backends use internal/memoutbox and pgoutbox).
	Events() event.Log
}

// documentNumberField is the field name a document number is sealed under.
const documentNumberField Field = "number"

// Reseal returns s with every sealed value v replaced by reseal(ref, v),
// ref naming the customer and the field. Stores call it from Rekey.
func (s SealedPII) Reseal(customerID ID, reseal func(SealRef, []byte) ([]byte, error)) (SealedPII, error) {
	var out SealedPII
	for _, f := range customerFields {
		b, err := reseal(SealRef{CustomerID: customerID, Field: f}, s.Get(f))
		if err != nil {
			return SealedPII{}, err
		}
		out.Set(f, b)
	}
	return out, nil
}

// SealedValue returns the document's sealed number and the reference it
// is bound to.
func (d DocumentRecord) SealedValue() (SealRef, []byte) {
	return SealRef{CustomerID: d.CustomerID, DocumentID: d.ID, Field: documentNumberField}, d.SealedNumber
}

// Reseal returns d with its sealed number replaced by reseal(ref, number).
// Stores call it from Rekey; they set KeyID themselves.
func (d DocumentRecord) Reseal(reseal func(SealRef, []byte) ([]byte, error)) (DocumentRecord, error) {
	b, err := reseal(d.SealedValue())
	if err != nil {
		return DocumentRecord{}, err
	}
	d.SealedNumber = b
	return d, nil
}
