package risk

import (
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"
)

// Status is where a rule-set version is in its life.
type Status string

// The statuses of a rule-set version. A draft is edited; a shadow runs on
// live traffic with its outcomes recorded, not enforced; the published
// version decides; publishing another retires it.
const (
	StatusDraft     Status = "draft"
	StatusShadow    Status = "shadow"
	StatusPublished Status = "published"
	StatusRetired   Status = "retired"
)

// Outcome is what a decision says to do with a transaction.
type Outcome string

// The outcomes, from the mildest. Review lets the transaction through and
// raises an alert; block and review refuses it and raises an alert;
// decline refuses it.
const (
	Approve        Outcome = "approve"
	Review         Outcome = "review"
	BlockAndReview Outcome = "block_and_review"
	Decline        Outcome = "decline"
)

// Blocks: the outcome refuses the transaction.
func (o Outcome) Blocks() bool { return o == BlockAndReview || o == Decline }

// Alerts: the outcome raises an alert for review.
func (o Outcome) Alerts() bool { return o == Review || o == BlockAndReview }

// Rule is one expression over a transaction and its aggregates; when it is
// true the rule fires and adds its score.
type Rule struct {
	// Name is lower-case letters, digits and underscores, unique in the
	// set: "many_outgoing".
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Expr is an expr-lang boolean expression over the fields of Env and
	// the set's aggregates (agg.<name>).
	Expr string `json:"expr"`
	// Score is added to the total when the rule fires, from 1 to 1000.
	Score int `json:"score"`
}

// Entity is what an aggregate is kept per.
type Entity string

// The entities. The side of the aggregate picks the party: customer and
// account are that party's; counterparty is the other party's account;
// pair is the two accounts in that order; device is the transaction's.
const (
	EntityCustomer     Entity = "customer"
	EntityAccount      Entity = "account"
	EntityCounterparty Entity = "counterparty"
	EntityDevice       Entity = "device"
	EntityPair         Entity = "pair"
)

// Side is which party of a transaction an aggregate follows.
type Side string

// The sides: the party debited, or the party credited.
const (
	SideFrom Side = "from"
	SideTo   Side = "to"
)

// Measure is what an aggregate computes over its window.
type Measure string

// The measures. Sum and average add amounts as numbers, whatever their
// currency: filter on currency with Where when a set mixes them.
const (
	Count    Measure = "count"
	Sum      Measure = "sum"
	Average  Measure = "avg"
	Distinct Measure = "distinct_counterparties"
)

// Aggregate is a windowed figure per entity, read by rules as
// agg.<name>. Every screened transaction that passes Where counts in it
// (the one being screened included).
type Aggregate struct {
	Name    string  `json:"name"`
	Entity  Entity  `json:"entity"`
	Side    Side    `json:"side"`
	Measure Measure `json:"measure"`
	Window  Window  `json:"window"`
	// Where is an optional expr-lang boolean over the transaction (no
	// aggregates) choosing the transactions that count.
	Where string `json:"where,omitempty"`
	// Reverse (pair only) reads the pair the other way round: the
	// transactions from this transaction's payee to its payer.
	Reverse bool `json:"reverse,omitempty"`
	// ByHour keeps the figure per hour of the day (in the set's time
	// zone) and reads the hour of the transaction.
	ByHour bool `json:"by_hour,omitempty"`
}

// Thresholds map a transaction's total score to its outcome: at least
// Review is review, at least BlockAndReview is block and review, at least
// Decline is decline. Zero leaves an outcome out; the ones set must
// ascend.
type Thresholds struct {
	Review         int `json:"review"`
	BlockAndReview int `json:"block_and_review,omitempty"`
	Decline        int `json:"decline,omitempty"`
}

// Outcome returns the outcome of a total score.
func (t Thresholds) Outcome(score int) Outcome {
	switch {
	case t.Decline > 0 && score >= t.Decline:
		return Decline
	case t.BlockAndReview > 0 && score >= t.BlockAndReview:
		return BlockAndReview
	case t.Review > 0 && score >= t.Review:
		return Review
	}
	return Approve
}

// RuleSet is one version of the bank's transaction-monitoring rules.
type RuleSet struct {
	ID      ID     `json:"id"`
	Version int    `json:"version"`
	Status  Status `json:"status"`
	// Description says what changed in this version.
	Description string      `json:"description,omitempty"`
	Rules       []Rule      `json:"rules"`
	Aggregates  []Aggregate `json:"aggregates"`
	Thresholds  Thresholds  `json:"thresholds"`
	// TimeZone is the IANA zone of the hour and weekday rules see
	// (default Asia/Shanghai).
	TimeZone    string    `json:"time_zone"`
	CreatedBy   string    `json:"created_by,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	ShadowSince time.Time `json:"shadow_since,omitzero"`
	PublishedBy string    `json:"published_by,omitempty"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	RetiredAt   time.Time `json:"retired_at,omitzero"`
}

// DefaultTimeZone is a rule set's time zone unless it names one.
const DefaultTimeZone = "Asia/Shanghai"

// Limits of a rule set.
const (
	MaxRules      = 200
	MaxAggregates = 100
	MaxExprLength = 2000
	// MaxExprNodes bounds an expression's syntax tree: expr-lang has no
	// loops but its builtins (map, filter, ranges), so a bounded tree and
	// a bounded memory budget at run bound a rule's work.
	MaxExprNodes = 300
	// MemoryBudget is the expr-lang virtual machine's budget for one
	// rule on one transaction; a rule that exceeds it fails on that
	// transaction (recorded), and is refused at save when it exceeds it on
	// the sample transaction.
	MemoryBudget = 20_000
)

var namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// validateShape checks everything but the expressions.
func (r RuleSet) validateShape() error {
	if len(r.Rules) == 0 {
		return invalid("rules", "at least one rule is required")
	}
	if len(r.Rules) > MaxRules {
		return invalid("rules", "at most %d", MaxRules)
	}
	if len(r.Aggregates) > MaxAggregates {
		return invalid("aggregates", "at most %d", MaxAggregates)
	}
	if utf8.RuneCountInString(r.Description) > 500 {
		return invalid("description", "is longer than 500 characters")
	}
	if err := textLine("description", r.Description); err != nil {
		return err
	}
	if _, err := time.LoadLocation(r.zone()); err != nil || r.TimeZone == "Local" {
		return invalid("time_zone", "%q is not an IANA time zone", r.TimeZone)
	}
	t := r.Thresholds
	if t.Review == 0 {
		return invalid("thresholds.review", "is required: the score from which a transaction is reviewed")
	}
	if t.Review < 0 || t.BlockAndReview < 0 || t.Decline < 0 {
		return invalid("thresholds", "must not be negative")
	}
	last := 0
	for _, th := range []struct {
		field string
		v     int
	}{{"thresholds.review", t.Review}, {"thresholds.block_and_review", t.BlockAndReview}, {"thresholds.decline", t.Decline}} {
		if th.v == 0 {
			continue
		}
		if th.v <= last {
			return invalid(th.field, "must be above the milder outcome's threshold")
		}
		last = th.v
	}
	names := map[string]bool{}
	for i, ru := range r.Rules {
		f := fmt.Sprintf("rules[%d]", i)
		if !namePattern.MatchString(ru.Name) {
			return invalid(f+".name", "must be lower-case letters, digits and underscores, starting with a letter, up to 64")
		}
		if names[ru.Name] {
			return invalid(f+".name", "%s is used twice", ru.Name)
		}
		names[ru.Name] = true
		if ru.Score < 1 || ru.Score > 1000 {
			return invalid(f+".score", "must be from 1 to 1000")
		}
		if utf8.RuneCountInString(ru.Description) > 500 {
			return invalid(f+".description", "is longer than 500 characters")
		}
		if err := textLine(f+".description", ru.Description); err != nil {
			return err
		}
		if ru.Expr == "" {
			return invalid(f+".expr", "is required")
		}
		if len(ru.Expr) > MaxExprLength {
			return invalid(f+".expr", "is longer than %d bytes", MaxExprLength)
		}
	}
	aggs := map[string]bool{}
	for i, a := range r.Aggregates {
		f := fmt.Sprintf("aggregates[%d]", i)
		if !namePattern.MatchString(a.Name) {
			return invalid(f+".name", "must be lower-case letters, digits and underscores, starting with a letter, up to 64")
		}
		if aggs[a.Name] {
			return invalid(f+".name", "%s is used twice", a.Name)
		}
		aggs[a.Name] = true
		switch a.Entity {
		case EntityCustomer, EntityAccount, EntityCounterparty, EntityDevice, EntityPair:
		default:
			return invalid(f+".entity", "must be customer, account, counterparty, device or pair")
		}
		switch a.Side {
		case SideFrom, SideTo:
		default:
			return invalid(f+".side", "must be from or to")
		}
		switch a.Measure {
		case Count, Sum, Average, Distinct:
		default:
			return invalid(f+".measure", "must be count, sum, avg or distinct_counterparties")
		}
		if a.Window < MinWindow || a.Window > MaxWindow {
			return invalid(f+".window", "must be from 1m to 90d")
		}
		if a.Reverse && a.Entity != EntityPair {
			return invalid(f+".reverse", "applies to pair aggregates only")
		}
		if len(a.Where) > MaxExprLength {
			return invalid(f+".where", "is longer than %d bytes", MaxExprLength)
		}
	}
	return nil
}

func (r RuleSet) zone() string {
	if r.TimeZone == "" {
		return DefaultTimeZone
	}
	return r.TimeZone
}

var figurePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[A-Za-z0-9_]+)+$`)

// Promoted returns version r moved to status to (shadow or published) at
// a time, or ErrInvalidTransition: only a draft becomes the shadow; a
// draft or the shadow is published. Stores call it inside their
// transaction, with Demoted for the version it replaces.
func Promoted(r RuleSet, to Status, at time.Time, by string) (RuleSet, error) {
	switch {
	case to == StatusShadow && r.Status == StatusDraft:
		r.ShadowSince = at
	case to == StatusPublished && (r.Status == StatusDraft || r.Status == StatusShadow):
		r.PublishedAt, r.PublishedBy = at, by
	default:
		return RuleSet{}, fmt.Errorf("%w: version %d is %s and cannot become %s", ErrInvalidTransition, r.Version, r.Status, to)
	}
	r.Status, r.UpdatedAt = to, at
	return r, nil
}

// Demoted returns the version a promotion replaces: a shadow goes back to
// draft, a published version is retired.
func Demoted(r RuleSet, at time.Time) RuleSet {
	switch r.Status {
	case StatusShadow:
		r.Status, r.ShadowSince = StatusDraft, time.Time{}
	case StatusPublished:
		r.Status, r.RetiredAt = StatusRetired, at
	}
	r.UpdatedAt = at
	return r
}
