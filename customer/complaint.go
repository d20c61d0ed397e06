package customer

import (
	"fmt"
	"time"

	"github.com/bankkit/bankkit/calendar"
)

// ComplaintStatus is where a complaint stands.
type ComplaintStatus string

// Complaint statuses: open -> in_progress -> resolved -> closed. A
// resolved or closed complaint can be reopened (back to open, with a new
// due date).
const (
	ComplaintOpen       ComplaintStatus = "open"
	ComplaintInProgress ComplaintStatus = "in_progress"
	ComplaintResolved   ComplaintStatus = "resolved"
	ComplaintClosed     ComplaintStatus = "closed"
)

// ComplaintCategory classifies complaints for reporting to the regulator.
type ComplaintCategory string

// Complaint categories.
const (
	CategoryFees    ComplaintCategory = "fees"
	CategoryService ComplaintCategory = "service"
	CategoryProduct ComplaintCategory = "product"
	CategoryFraud   ComplaintCategory = "fraud"
	CategoryPrivacy ComplaintCategory = "privacy"
	CategoryOther   ComplaintCategory = "other"
)

// DefaultComplaintSLA is the number of business days a complaint may stay
// unresolved; WithComplaintSLA changes it.
const DefaultComplaintSLA = 15

// Complaint is a customer complaint and its handling.
type Complaint struct {
	ID           ID
	CustomerID   ID
	Category     ComplaintCategory
	Description  string
	Channel      Channel
	Status       ComplaintStatus
	Assignee     string // staff id; "" while unassigned
	OpenedAt     time.Time
	DueOn        calendar.Date // the SLA: resolve by this business date
	Resolution   string        // set when resolved
	ResolvedAt   time.Time
	Satisfaction int // 1-5 given on closing; 0 when not given
	ClosedAt     time.Time
	Reopened     int // how many times it was reopened
	Version      int64
}

// NewComplaint is what Service.OpenComplaint takes.
type NewComplaint struct {
	Category    ComplaintCategory
	Description string
	Channel     Channel
}

func (n NewComplaint) validate() error {
	switch n.Category {
	case CategoryFees, CategoryService, CategoryProduct, CategoryFraud, CategoryPrivacy, CategoryOther:
	default:
		return invalid("category", "must be fees, service, product, fraud, privacy or other")
	}
	if err := validateMultiline("description", n.Description, true); err != nil {
		return err
	}
	return validateChannel("channel", n.Channel)
}

// Overdue reports whether the complaint is unresolved past its due date on
// day on.
func (c Complaint) Overdue(on calendar.Date) bool {
	return (c.Status == ComplaintOpen || c.Status == ComplaintInProgress) && on.After(c.DueOn)
}

func complaintStep(from, to ComplaintStatus) error {
	ok := false
	switch to {
	case ComplaintInProgress:
		ok = from == ComplaintOpen
	case ComplaintResolved:
		ok = from == ComplaintOpen || from == ComplaintInProgress
	case ComplaintClosed:
		ok = from == ComplaintResolved
	case ComplaintOpen:
		ok = from == ComplaintResolved || from == ComplaintClosed
	}
	if !ok {
		return fmt.Errorf("%w: complaint %s -> %s", ErrInvalidTransition, from, to)
	}
	return nil
}
