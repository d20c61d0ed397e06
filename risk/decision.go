package risk

import (
	"strconv"
	"time"
)

// Mode is how a decision came about.
type Mode string

// The modes: screened before posting (its outcome enforced), observed
// after posting from the ledger's events (recorded, not enforced), or a
// shadow version's decision on either (recorded, not enforced).
const (
	ModeScreened Mode = "screened"
	ModeObserved Mode = "observed"
	ModeShadow   Mode = "shadow"
)

// Decision is a rule-set version's verdict on one transaction, kept so it
// can be explained: the version, the rules that fired with their scores,
// the rules that failed or were snoozed, and the aggregate figures read.
type Decision struct {
	ID            ID            `json:"id"`
	TransactionID ID            `json:"transaction_id"`
	RuleSetID     ID            `json:"rule_set_id"`
	Version       int           `json:"version"`
	Mode          Mode          `json:"mode"`
	Outcome       Outcome       `json:"outcome"`
	Score         int           `json:"score"`
	Fired         []Fired       `json:"fired"`
	Failures      []RuleFailure `json:"failures,omitempty"`
	Snoozed       []string      `json:"snoozed,omitempty"`
	// Figures are the aggregates the rules read, by name, as decimals.
	Figures     map[string]string `json:"figures,omitempty"`
	Transaction Transaction       `json:"transaction"`
	// AlertID is the alert the decision raised, if any.
	AlertID   ID        `json:"alert_id,omitzero"`
	DecidedAt time.Time `json:"decided_at"`
}

// Reason is a decision in one line, for the ledger's refusal.
func (d Decision) Reason() string {
	s := string(d.Outcome) + " by rule set v" + strconv.Itoa(d.Version)
	for i, f := range d.Fired {
		if i == 0 {
			s += ": "
		} else {
			s += ", "
		}
		s += f.Rule
	}
	return s
}

// Verdict is what screening answers: the live decision, and whether the
// transaction may go ahead.
type Verdict struct {
	Decision Decision
	// Replayed: the transaction was screened before; this is that
	// decision.
	Replayed bool
}

// Allowed: the live outcome lets the transaction post.
func (v Verdict) Allowed() bool { return !v.Decision.Outcome.Blocks() }

// Snooze silences one rule for one entity (a customer or an account id)
// until a time: the rule still runs and the decision lists it as
// snoozed, but it adds no score.
type Snooze struct {
	ID     ID        `json:"id"`
	Rule   string    `json:"rule"`
	Entity string    `json:"entity"`
	Until  time.Time `json:"until"`
	Reason string    `json:"reason,omitempty"`
	By     string    `json:"by,omitempty"`
	At     time.Time `json:"at"`
}

// entities is what a snooze can name in a transaction.
func (t Transaction) entities() []string {
	var out []string
	for _, s := range []string{t.From.Customer, t.From.Account, t.To.Customer, t.To.Account} {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
