package risk

import (
	"github.com/bankkit/bankkit/calendar"
)

// EventSource is the Source of risk's events.
const EventSource = "risk"

// The events risk publishes, version 1 each. Payloads carry ids, states
// and figures, never personal data.
const (
	EventRuleSetChanged   = "risk.rule_set_changed"  // RuleSetChanged
	EventAlertRaised      = "risk.alert_raised"      // AlertRaised
	EventCaseChanged      = "risk.case_changed"      // CaseChanged
	EventIndicatorCrossed = "risk.indicator_crossed" // IndicatorCrossed
	EventReportDrafted    = "risk.report_drafted"    // ReportDrafted
	EventVersion          = 1
)

// RuleSetChanged: a version was created, edited, shadowed, published or
// retired.
type RuleSetChanged struct {
	RuleSetID ID     `json:"rule_set_id"`
	Version   int    `json:"version"`
	Status    Status `json:"status"`
	By        string `json:"by,omitempty"`
}

// AlertRaised: an alert was raised.
type AlertRaised struct {
	AlertID       ID          `json:"alert_id"`
	Source        AlertSource `json:"source"`
	CustomerID    string      `json:"customer_id,omitempty"`
	DecisionID    ID          `json:"decision_id,omitzero"`
	TransactionID ID          `json:"transaction_id,omitzero"`
	IndicatorID   ID          `json:"indicator_id,omitzero"`
	Outcome       Outcome     `json:"outcome,omitempty"`
	Level         Level       `json:"level,omitempty"`
}

// CaseChanged: a case was assigned, moved or closed.
type CaseChanged struct {
	CaseID   ID          `json:"case_id"`
	Status   CaseStatus  `json:"status"`
	Outcome  CaseOutcome `json:"outcome,omitempty"`
	Assignee string      `json:"assignee,omitempty"`
}

// IndicatorCrossed: an indicator's level changed (to normal: it cleared).
type IndicatorCrossed struct {
	IndicatorID ID     `json:"indicator_id"`
	Name        string `json:"name"`
	From        Level  `json:"from"`
	To          Level  `json:"to"`
	Value       string `json:"value"`
}

// ReportDrafted: an AML report was drafted.
type ReportDrafted struct {
	ReportID     ID            `json:"report_id"`
	Kind         string        `json:"kind"`
	BusinessDate calendar.Date `json:"business_date,omitzero"`
	CaseID       ID            `json:"case_id,omitzero"`
	Lines        int           `json:"lines,omitempty"`
}
