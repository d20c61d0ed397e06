package risk

import (
	"time"
)

// AlertSource is what raised an alert.
type AlertSource string

// The sources of alerts.
const (
	SourceScreening AlertSource = "screening" // a decision of review or block and review
	SourceIndicator AlertSource = "indicator" // a limit or indicator crossed a threshold
)

// Alert is one thing for an investigator to look at. Alerts about a
// customer gather in that customer's open case.
type Alert struct {
	ID         ID          `json:"id"`
	Source     AlertSource `json:"source"`
	CustomerID string      `json:"customer_id,omitempty"`
	CaseID     ID          `json:"case_id,omitzero"`
	// DecisionID and TransactionID: the screening that raised it.
	DecisionID    ID       `json:"decision_id,omitzero"`
	TransactionID ID       `json:"transaction_id,omitzero"`
	Outcome       Outcome  `json:"outcome,omitempty"`
	Score         int      `json:"score,omitempty"`
	Rules         []string `json:"rules,omitempty"`
	// IndicatorID and Level: the crossing that raised it.
	IndicatorID ID        `json:"indicator_id,omitzero"`
	Level       Level     `json:"level,omitempty"`
	Summary     string    `json:"summary"`
	RaisedAt    time.Time `json:"raised_at"`
}

// CaseStatus is where an investigation is.
type CaseStatus string

// The statuses of a case.
const (
	CaseOpen          CaseStatus = "open"
	CaseInvestigating CaseStatus = "investigating"
	CaseEscalated     CaseStatus = "escalated"
	CaseClosed        CaseStatus = "closed"
)

// CaseOutcome is how a closed case ended.
type CaseOutcome string

// The outcomes of a case: the suspicion was confirmed (a suspicious
// transaction report follows), it was a false positive, or it was not
// suspicious but valuable (it taught the rules something).
const (
	Confirmed     CaseOutcome = "confirmed"
	FalsePositive CaseOutcome = "false_positive"
	Valuable      CaseOutcome = "valuable"
)

// Comment is an investigator's note on a case.
type Comment struct {
	By   string    `json:"by"`
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

// Attachment is evidence kept elsewhere (a document store, a ticket),
// named by reference.
type Attachment struct {
	Ref  string    `json:"ref"`
	Name string    `json:"name"`
	By   string    `json:"by"`
	At   time.Time `json:"at"`
}

// AttachmentRef names evidence to attach to a case.
type AttachmentRef struct {
	Ref  string `json:"ref"`
	Name string `json:"name,omitempty"`
}

// Case gathers a customer's alerts for one investigation. A customer has
// at most one case that is not closed; an alert about them joins it, or
// opens a new one.
type Case struct {
	ID          ID           `json:"id"`
	CustomerID  string       `json:"customer_id"`
	Status      CaseStatus   `json:"status"`
	Outcome     CaseOutcome  `json:"outcome,omitempty"`
	Assignee    string       `json:"assignee,omitempty"`
	Alerts      []ID         `json:"alerts"`
	Comments    []Comment    `json:"comments"`
	Attachments []Attachment `json:"attachments"`
	OpenedAt    time.Time    `json:"opened_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
	ClosedAt    time.Time    `json:"closed_at,omitzero"`
	// ClosedBy is who closed it.
	ClosedBy string `json:"closed_by,omitempty"`
}

// TimeToClose is how long the case was open; zero while it is.
func (c Case) TimeToClose() time.Duration {
	if c.ClosedAt.IsZero() {
		return 0
	}
	return c.ClosedAt.Sub(c.OpenedAt)
}

// caseMoves lists the statuses each status may move to.
var caseMoves = map[CaseStatus][]CaseStatus{
	CaseOpen:          {CaseInvestigating, CaseEscalated, CaseClosed},
	CaseInvestigating: {CaseEscalated, CaseClosed},
	CaseEscalated:     {CaseInvestigating, CaseClosed},
}

func canMove(from, to CaseStatus) bool {
	for _, s := range caseMoves[from] {
		if s == to {
			return true
		}
	}
	return false
}
