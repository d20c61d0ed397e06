package credit

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/shopspring/decimal"
)

// A Scorecard is a points-based credit scorecard read from a file, so that
// changing the model is data, not code. Each characteristic reads one
// input (an application fact, a bureau field, a behavioural feature),
// puts its value in a bin and gives the bin's points; the score is the
// sum. The points are on a scale fixed by three numbers: BaseScore points
// are odds of BaseOdds to 1 (good to bad), and every PDO points more
// double the odds. So the probability of default of a score s is
//
//	odds = BaseOdds × 2^((s − BaseScore) / PDO),  PD = 1 / (1 + odds).
//
// A score below CutOff is declined; Grades map the rest to A–E.
type Scorecard struct {
	Name            string           `json:"name"`
	Version         string           `json:"version"`
	BaseScore       int              `json:"base_score"`
	BaseOdds        decimal.Decimal  `json:"base_odds"`
	PDO             int              `json:"pdo"`
	CutOff          int              `json:"cut_off"`
	Grades          []GradeBand      `json:"grades"`
	Characteristics []Characteristic `json:"characteristics"`
}

// GradeBand gives Grade to scores from MinScore up to the next band.
type GradeBand struct {
	Grade    string `json:"grade"`
	MinScore int    `json:"min_score"`
}

// Characteristic is one scored input.
type Characteristic struct {
	Name        string `json:"name"`
	Input       string `json:"input"`       // one of InputNames
	Reason      string `json:"reason"`      // the reason code reported when it costs points: "R01"
	Description string `json:"description"` // what the reason means to the customer
	// MissingPoints are given when the input has no value (no bureau
	// record, a new customer).
	MissingPoints int   `json:"missing_points"`
	Bins          []Bin `json:"bins"`
}

// Bin is a range or a set of values of an input and its points. A numeric
// characteristic's bins are ranges: each bin holds the values below its
// Below and at or above the previous bin's, and the last has no Below. A
// categorical one's bins list Values; a last bin without values takes
// any other value.
type Bin struct {
	Below  *decimal.Decimal `json:"below,omitempty"`
	Values []string         `json:"values,omitempty"`
	Points int              `json:"points"`
}

// The inputs a characteristic may read, and whether each is numeric
// (docs/credit.md describes each).
var inputs = map[string]bool{
	"application.monthly_income":   true,  // declared, in the loan's currency
	"application.debt_to_income":   true,  // as measured by the eligibility rule
	"application.loan_to_income":   true,  // amount over a year's income
	"application.term":             true,  // periods
	"application.purpose":          false, // a Purpose
	"application.secured":          false, // "yes" with collateral or a guarantor, else "no"
	"bureau.score":                 true,
	"bureau.enquiries_6m":          true,
	"bureau.delinquencies_24m":     true,
	"bureau.open_accounts":         true,
	"bureau.revolving_utilisation": true,
	"behaviour.average_balance":    true,
	"behaviour.salary_regularity":  true,
	"behaviour.overdrawn_days":     true,
	"behaviour.months_as_customer": true,
}

// InputNames lists the inputs a characteristic may read, sorted.
func InputNames() []string {
	out := make([]string, 0, len(inputs))
	for k := range inputs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

//go:embed scorecards/default.json
var defaultScorecard []byte

// DefaultScorecard returns the scorecard bankkit ships
// (scorecards/default.json, explained in docs/credit.md): an illustration
// built by hand, not a model fitted to data; a bank brings its own.
func DefaultScorecard() *Scorecard {
	sc, err := ParseScorecard(defaultScorecard)
	if err != nil {
		panic("credit: the shipped scorecard is invalid: " + err.Error())
	}
	return sc
}

// ParseScorecard reads and checks a scorecard file. Unknown fields are
// refused, so a misspelt key is an error rather than a silent default.
func ParseScorecard(data []byte) (*Scorecard, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var sc Scorecard
	if err := dec.Decode(&sc); err != nil {
		return nil, invalid("scorecard", "is not a scorecard file: %v", err)
	}
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	return &sc, nil
}

// Validate checks the scorecard, naming the field at fault.
func (sc *Scorecard) Validate() error {
	if strings.TrimSpace(sc.Name) == "" || strings.TrimSpace(sc.Version) == "" {
		return invalid("name", "and version are required")
	}
	if !sc.BaseOdds.IsPositive() {
		return invalid("base_odds", "must be positive")
	}
	if sc.PDO < 1 {
		return invalid("pdo", "must be at least 1")
	}
	if len(sc.Grades) == 0 {
		return invalid("grades", "must not be empty")
	}
	for i, g := range sc.Grades {
		if g.Grade == "" {
			return invalid(fmt.Sprintf("grades[%d].grade", i), "is required")
		}
		if i > 0 && g.MinScore >= sc.Grades[i-1].MinScore {
			return invalid(fmt.Sprintf("grades[%d].min_score", i), "must be below the grade before it")
		}
	}
	if len(sc.Characteristics) == 0 {
		return invalid("characteristics", "must not be empty")
	}
	names := map[string]bool{}
	for i, c := range sc.Characteristics {
		if err := c.validate(); err != nil {
			return within(fmt.Sprintf("characteristics[%d]", i), err)
		}
		if names[c.Name] {
			return invalid(fmt.Sprintf("characteristics[%d].name", i), "%q appears twice", c.Name)
		}
		names[c.Name] = true
	}
	return nil
}

func (c Characteristic) validate() error {
	if strings.TrimSpace(c.Name) == "" {
		return invalid("name", "is required")
	}
	numeric, known := inputs[c.Input]
	if !known {
		return invalid("input", "%q is not an input", c.Input)
	}
	if c.Reason == "" || c.Description == "" {
		return invalid("reason", "and description are required")
	}
	if len(c.Bins) == 0 {
		return invalid("bins", "must not be empty")
	}
	for i, b := range c.Bins {
		f := fmt.Sprintf("bins[%d]", i)
		last := i == len(c.Bins)-1
		if numeric {
			if len(b.Values) > 0 {
				return invalid(f+".values", "a numeric input's bins have bounds, not values")
			}
			if last != (b.Below == nil) {
				return invalid(f+".below", "every bin but the last has a bound")
			}
			if i > 0 && !last && !b.Below.GreaterThan(*c.Bins[i-1].Below) {
				return invalid(f+".below", "bounds must rise")
			}
			continue
		}
		if b.Below != nil {
			return invalid(f+".below", "a categorical input's bins have values, not bounds")
		}
		if len(b.Values) == 0 && !last {
			return invalid(f+".values", "only the last bin may take any other value")
		}
	}
	return nil
}

// value is an input's value: a number, a category, or missing.
type value struct {
	num     decimal.Decimal
	cat     string
	missing bool
}

func (v value) String() string {
	switch {
	case v.missing:
		return "missing"
	case v.cat != "":
		return v.cat
	}
	return v.num.String()
}

// points is the characteristic's points for v, and the most it gives.
func (c Characteristic) points(v value) (int, int) {
	most := c.MissingPoints
	for _, b := range c.Bins {
		most = max(most, b.Points)
	}
	if v.missing {
		return c.MissingPoints, most
	}
	for _, b := range c.Bins {
		switch {
		case inputs[c.Input] && (b.Below == nil || v.num.LessThan(*b.Below)):
			return b.Points, most
		case !inputs[c.Input] && (len(b.Values) == 0 || slices.Contains(b.Values, v.cat)):
			return b.Points, most
		}
	}
	return c.MissingPoints, most // a category no bin lists, without a catch-all
}

// ScoreResult is a scored application: enough to explain the decision
// later without the scorecard file at hand.
type ScoreResult struct {
	Scorecard string          `json:"scorecard"` // name and version
	Score     int             `json:"score"`
	PD        decimal.Decimal `json:"pd"` // probability of default, 0-1
	Grade     string          `json:"grade"`
	Declined  bool            `json:"declined"` // below the cut-off
	Points    []Points        `json:"points"`
	// Reasons are the (up to) four characteristics that cost the most
	// points against their best bin, most first: the reason codes.
	Reasons []Reason `json:"reasons"`
}

// Points is one characteristic's part of a score.
type Points struct {
	Characteristic string `json:"characteristic"`
	Value          string `json:"value"`
	Points         int    `json:"points"`
	Max            int    `json:"max"`
}

// Reason is a reason code.
type Reason struct {
	Code           string `json:"code"`
	Characteristic string `json:"characteristic"`
	Description    string `json:"description"`
	PointsLost     int    `json:"points_lost"`
}

// MaxReasons is how many reason codes a score reports.
const MaxReasons = 4

// score scores the inputs (keys of inputs; an absent key is missing).
func (sc *Scorecard) score(in map[string]value) ScoreResult {
	r := ScoreResult{Scorecard: sc.Name + "@" + sc.Version}
	for _, c := range sc.Characteristics {
		v, ok := in[c.Input]
		if !ok {
			v = value{missing: true}
		}
		p, most := c.points(v)
		r.Score += p
		r.Points = append(r.Points, Points{Characteristic: c.Name, Value: v.String(), Points: p, Max: most})
		if most > p {
			r.Reasons = append(r.Reasons, Reason{Code: c.Reason, Characteristic: c.Name, Description: c.Description, PointsLost: most - p})
		}
	}
	sort.SliceStable(r.Reasons, func(i, j int) bool { return r.Reasons[i].PointsLost > r.Reasons[j].PointsLost })
	if len(r.Reasons) > MaxReasons {
		r.Reasons = r.Reasons[:MaxReasons]
	}
	r.PD = sc.PD(r.Score)
	r.Grade = sc.Grades[len(sc.Grades)-1].Grade
	for _, g := range sc.Grades {
		if r.Score >= g.MinScore {
			r.Grade = g.Grade
			break
		}
	}
	r.Declined = r.Score < sc.CutOff
	return r
}

// PD is the probability of default of a score on the scorecard's scale,
// to six decimals.
func (sc *Scorecard) PD(score int) decimal.Decimal {
	exp := decimal.NewFromInt(int64(score-sc.BaseScore)).DivRound(decimal.NewFromInt(int64(sc.PDO)), 16)
	// 2^exp: the whole part exactly, the fraction through decimal's
	// power series (ln and exp) at 16 digits.
	whole := exp.Floor()
	frac := exp.Sub(whole)
	two := decimal.NewFromInt(2)
	factor, err := two.PowWithPrecision(frac, 16)
	if err != nil {
		factor = decimal.NewFromInt(1)
	}
	w := whole.IntPart()
	if w >= 0 {
		factor = factor.Mul(powRound(two, int(w), 16))
	} else {
		factor = factor.DivRound(powRound(two, int(-w), 16), 30)
	}
	odds := sc.BaseOdds.Mul(factor)
	one := decimal.NewFromInt(1)
	return one.DivRound(one.Add(odds), 6)
}
