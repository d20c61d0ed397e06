package risk

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
	"github.com/shopspring/decimal"
)

// Env is what a rule sees of a transaction: the fields a rule names, in
// expr-lang, by their tags (amount, from.customer, agg.many_out).
//
// Amounts are float64 here and only here: expr-lang compares numbers, and
// a rule only compares an amount with a literal written the same way, so
// both round to the same float (exact for any amount below 2^53 minor
// units). Money itself, and every sum the stores keep, stays decimal.
type Env struct {
	Amount      float64 `expr:"amount"`
	Currency    string  `expr:"currency"`
	Kind        string  `expr:"kind"`
	Channel     string  `expr:"channel"`
	Device      string  `expr:"device"`
	Cash        bool    `expr:"cash"`
	CrossBorder bool    `expr:"cross_border"`
	// Hour (0-23) and Weekday (0 Sunday - 6 Saturday) of the transaction
	// in the rule set's time zone.
	Hour    int      `expr:"hour"`
	Weekday int      `expr:"weekday"`
	From    PartyEnv `expr:"from"`
	To      PartyEnv `expr:"to"`
	// Staff is a staff action's (kind staff_action; zero otherwise).
	Staff StaffEnv `expr:"staff"`
	// Agg holds the set's aggregates by name.
	Agg map[string]float64 `expr:"agg"`
}

// StaffEnv is what a rule sees of a staff action.
type StaffEnv struct {
	Action       string `expr:"action"`
	Status       int    `expr:"status"`
	PII          bool   `expr:"pii"`
	TeamApproval bool   `expr:"team_approval"`
}

// PartyEnv is what a rule sees of one side.
type PartyEnv struct {
	Account      string `expr:"account"`
	Customer     string `expr:"customer"`
	CustomerKind string `expr:"customer_kind"`
	// AccountAgeDays is the days since the account opened on the
	// transaction's business date (-1 when unknown).
	AccountAgeDays int    `expr:"account_age_days"`
	External       bool   `expr:"external"`
	Country        string `expr:"country"`
}

func partyEnv(p Party, on time.Time) PartyEnv {
	age := -1
	if !p.OpenedOn.IsZero() {
		age = int(on.Sub(p.OpenedOn.In(time.UTC)).Hours() / 24)
	}
	kind := string(p.CustomerKind)
	if kind == "" && p.Customer != "" {
		kind = string(Individual)
	}
	country := p.Country
	if country == "" && p.Account != "" {
		country = "CN"
	}
	return PartyEnv{Account: p.Account, Customer: p.Customer, CustomerKind: kind, AccountAgeDays: age,
		External: p.External, Country: country}
}

func envOf(t Transaction, loc *time.Location) Env {
	local := t.At.In(loc)
	amt, _ := t.Amount.Amount.Float64()
	day := t.BusinessDate.In(time.UTC)
	e := Env{Amount: amt, Currency: string(t.Amount.Currency), Kind: string(t.Kind), Channel: t.Channel,
		Device: t.Device, Cash: t.Cash, CrossBorder: t.CrossBorder(), Hour: local.Hour(), Weekday: int(local.Weekday()),
		From: partyEnv(t.From, day), To: partyEnv(t.To, day)}
	if t.Staff != nil {
		e.Staff = StaffEnv{Action: t.Staff.Action, Status: t.Staff.Status, PII: t.Staff.PII, TeamApproval: t.Staff.TeamApproval}
	}
	return e
}

// sampleEnv is the transaction a rule runs on at save, to refuse one that
// exceeds its budget on an ordinary transaction.
func sampleEnv(aggs []Aggregate) Env {
	e := Env{Amount: 1000, Currency: "CNY", Kind: string(KindTransfer), Channel: "online", Device: "d", Hour: 12, Weekday: 3,
		From: PartyEnv{Account: "a", Customer: "c", CustomerKind: string(Individual), AccountAgeDays: 400, Country: "CN"},
		To:   PartyEnv{Account: "b", Customer: "d", CustomerKind: string(Individual), AccountAgeDays: 400, Country: "CN"},
		Agg:  map[string]float64{}}
	for _, a := range aggs {
		e.Agg[a.Name] = 1
	}
	return e
}

// compiledSet is a rule set ready to run.
type compiledSet struct {
	set   RuleSet
	loc   *time.Location
	rules []compiledRule
	aggs  []compiledAgg
}

type compiledRule struct {
	rule Rule
	prog *vm.Program
}

type compiledAgg struct {
	agg   Aggregate
	where *vm.Program // nil: every transaction
	spec  string      // the state's identity: what is counted, per what, in which buckets
	width int64
	n     int64
}

var vms = sync.Pool{New: func() any { return &vm.VM{} }}

func run(p *vm.Program, env *Env) (v any, err error) {
	m := vms.Get().(*vm.VM)
	defer vms.Put(m)
	m.MemoryBudget = MemoryBudget
	return m.Run(p, env)
}

// ruleError turns an expr-lang error into a *RuleError with its position.
func ruleError(field, name string, err error) *RuleError {
	re := &RuleError{Field: field, Rule: name, Message: err.Error()}
	var fe *file.Error
	if errors.As(err, &fe) {
		re.Line, re.Column, re.Message = fe.Line, fe.Column+1, fe.Message
	}
	return re
}

// position returns the 1-based line and column of a byte offset... of a
// rune offset in src, as expr-lang's locations count.
func position(src string, at int) (int, int) {
	line, col, i := 1, 1, 0
	for _, r := range src {
		if i == at {
			break
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i++
	}
	return line, col
}

// aggChecker walks a tree for the aggregates it reads: agg.<name> must name
// one of the set's, and agg may be read no other way.
type aggChecker struct {
	known  map[string]bool
	allow  bool // aggregates may be read (a rule, not a filter)
	src    string
	err    *RuleError
	field  string
	name   string
	parent map[ast.Node]bool
	bare   []*ast.IdentifierNode
}

func (c *aggChecker) Visit(node *ast.Node) {
	if c.err != nil {
		return
	}
	switch n := (*node).(type) {
	case *ast.MemberNode:
		id, ok := n.Node.(*ast.IdentifierNode)
		if !ok || id.Value != "agg" {
			return
		}
		c.parent[id] = true
		prop, ok := n.Property.(*ast.StringNode)
		switch {
		case !c.allow:
			c.fail(n, "an aggregate filter cannot read aggregates")
		case !ok:
			c.fail(n, "agg must be read by name: agg.<name>")
		case !c.known[prop.Value]:
			c.fail(n.Property, fmt.Sprintf("unknown aggregate %q", prop.Value))
		}
	case *ast.IdentifierNode:
		if n.Value == "agg" {
			c.bare = append(c.bare, n)
		}
	}
}

// done reports an agg read other than by name, once the walk (children
// before parents) has seen every member access.
func (c *aggChecker) done() {
	for _, n := range c.bare {
		if c.err == nil && !c.parent[n] {
			c.fail(n, "agg must be read by name: agg.<name>")
		}
	}
}

func (c *aggChecker) fail(n ast.Node, msg string) {
	line, col := position(c.src, n.Location().From)
	c.err = &RuleError{Field: c.field, Rule: c.name, Line: line, Column: col, Message: msg}
}

func compileExpr(field, name, src string, known map[string]bool, allowAgg bool) (*vm.Program, error) {
	prog, err := expr.Compile(src, expr.Env(Env{}), expr.AsBool(), expr.MaxNodes(MaxExprNodes))
	if err != nil {
		return nil, ruleError(field, name, err)
	}
	c := &aggChecker{known: known, allow: allowAgg, src: src, field: field, name: name, parent: map[ast.Node]bool{}}
	root := prog.Node()
	ast.Walk(&root, c)
	c.done()
	if c.err != nil {
		return nil, c.err
	}
	return prog, nil
}

// compile checks a rule set and readies it to run: every expression must
// compile against Env, name only known aggregates, and stay within its
// budget on the sample transaction.
func compile(r RuleSet) (*compiledSet, error) {
	if err := r.validateShape(); err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(r.zone())
	if err != nil {
		return nil, invalid("time_zone", "%q is not an IANA time zone", r.TimeZone)
	}
	c := &compiledSet{set: r, loc: loc}
	known := map[string]bool{}
	for _, a := range r.Aggregates {
		known[a.Name] = true
	}
	sample := sampleEnv(r.Aggregates)
	for i, a := range r.Aggregates {
		ca := compiledAgg{agg: a, width: a.Window.bucketWidth(), n: a.Window.buckets()}
		if strings.TrimSpace(a.Where) != "" {
			field := fmt.Sprintf("aggregates[%d].where", i)
			if ca.where, err = compileExpr(field, a.Name, a.Where, known, false); err != nil {
				return nil, err
			}
			if _, err := run(ca.where, &sample); err != nil {
				return nil, ruleError(field, a.Name, err)
			}
		}
		ca.spec = specID(a, ca.width)
		c.aggs = append(c.aggs, ca)
	}
	for i, ru := range r.Rules {
		field := fmt.Sprintf("rules[%d].expr", i)
		prog, err := compileExpr(field, ru.Name, ru.Expr, known, true)
		if err != nil {
			return nil, err
		}
		if _, err := run(prog, &sample); err != nil {
			return nil, ruleError(field, ru.Name, err)
		}
		c.rules = append(c.rules, compiledRule{rule: ru, prog: prog})
	}
	return c, nil
}

// specID names an aggregate's state: two aggregates that count the same
// transactions per the same key in the same buckets share it. Reverse and
// the measure are not part of it (they change what is read, not what is
// kept).
func specID(a Aggregate, width int64) string {
	base := a.Entity
	h := sha256.Sum256([]byte(fmt.Sprintf("%s|%s|%t|%d|%s", base, a.Side, a.ByHour, width, strings.TrimSpace(a.Where))))
	return hex.EncodeToString(h[:8])
}

// Record is one transaction counted in one aggregate state: in bucket
// Bucket of state Spec for entity Key, adding Amount and, when Distinct
// (a distinct measure reads the state), the counterparty.
type Record struct {
	Spec         string
	Key          string
	Bucket       int64
	Amount       decimal.Decimal
	Counterparty string
	Distinct     bool
	// Keep is how many buckets back (this one included) any read of the
	// state looks: older buckets may be dropped.
	Keep int64
}

// Read is one aggregate figure a rule set reads: state Spec for entity
// Key over buckets From to To (both included).
type Read struct {
	Spec     string
	Key      string
	From, To int64
	Measure  Measure
}

// Figure is what the store returns for a Read: the count and sum of the
// transactions in the window, and the distinct counterparties when the
// read's measure asks for them.
type Figure struct {
	Count    int64
	Sum      decimal.Decimal
	Distinct int64
}

func (f Figure) value(m Measure) float64 {
	switch m {
	case Sum:
		v, _ := f.Sum.Float64()
		return v
	case Average:
		if f.Count == 0 {
			return 0
		}
		v, _ := f.Sum.DivRound(decimal.NewFromInt(f.Count), 8).Float64()
		return v
	case Distinct:
		return float64(f.Distinct)
	}
	return float64(f.Count)
}

func party(t Transaction, s Side) (self, other Party) {
	if s == SideTo {
		return t.To, t.From
	}
	return t.From, t.To
}

// keys returns the entity key a transaction is recorded under and the one
// read; empty when the transaction has no such entity (cash has no payer
// account).
func (a compiledAgg) keys(t Transaction, env *Env) (record, read string) {
	self, other := party(t, a.agg.Side)
	switch a.agg.Entity {
	case EntityCustomer:
		record = self.Customer
	case EntityAccount:
		record = self.Account
	case EntityCounterparty:
		record = other.Account
	case EntityDevice:
		record = t.Device
	case EntityPair:
		if self.Account == "" || other.Account == "" {
			return "", ""
		}
		record = self.Account + ">" + other.Account
		read = record
		if a.agg.Reverse {
			read = other.Account + ">" + self.Account
		}
	}
	if record == "" {
		return "", ""
	}
	if read == "" {
		read = record
	}
	if a.agg.ByHour {
		h := fmt.Sprintf("@%02d", env.Hour)
		record, read = record+h, read+h
	}
	return record, read
}

// plan works out what a transaction adds to the aggregates of the given
// sets and what they read, deduplicated: a state two aggregates share is
// counted once.
type plan struct {
	records []Record
	reads   []Read
	// index[s][i] is the read of set s's aggregate i, -1 when it has no
	// entity in this transaction (its figure is zero).
	index [][]int
	envs  []Env
}

func planFor(t Transaction, sets ...*compiledSet) (*plan, error) {
	p := &plan{index: make([][]int, len(sets)), envs: make([]Env, len(sets))}
	recorded := map[[2]string]int{}
	readAt := map[Read]int{}
	for s, cs := range sets {
		env := envOf(t, cs.loc)
		p.envs[s] = env
		p.index[s] = make([]int, len(cs.aggs))
		for i, a := range cs.aggs {
			p.index[s][i] = -1
			rec, rd := a.keys(t, &env)
			if rec == "" {
				continue
			}
			counts := true
			if a.where != nil {
				v, err := run(a.where, &env)
				if err != nil {
					return nil, &RuleError{Field: fmt.Sprintf("aggregates[%d].where", i), Rule: a.agg.Name, Message: err.Error()}
				}
				counts = v == true
			}
			_, other := party(t, a.agg.Side)
			if k := [2]string{a.spec, rec}; counts {
				if j, ok := recorded[k]; ok {
					p.records[j].Keep = max(p.records[j].Keep, a.n)
				} else {
					recorded[k] = len(p.records)
					p.records = append(p.records, Record{Spec: a.spec, Key: rec, Bucket: bucketOf(t.At, a.width),
						Amount: t.Amount.Amount, Counterparty: other.Account, Keep: a.n})
				}
			}
			cur := bucketOf(t.At, a.width)
			rd2 := Read{Spec: a.spec, Key: rd, From: cur - a.n + 1, To: cur, Measure: a.agg.Measure}
			if rd2.Measure != Distinct {
				rd2.Measure = Count // count and sum come together
			}
			j, ok := readAt[rd2]
			if !ok {
				j = len(p.reads)
				readAt[rd2] = j
				p.reads = append(p.reads, rd2)
			}
			p.index[s][i] = j
		}
	}
	// Counterparties are kept only for states a distinct measure reads.
	distinct := map[string]bool{}
	for _, rd := range p.reads {
		if rd.Measure == Distinct {
			distinct[rd.Spec] = true
		}
	}
	for i := range p.records {
		p.records[i].Distinct = distinct[p.records[i].Spec] && p.records[i].Counterparty != ""
	}
	return p, nil
}

// Fired is a rule that fired in a decision, with its score.
type Fired struct {
	Rule  string `json:"rule"`
	Score int    `json:"score"`
}

// RuleFailure is a rule that failed on a transaction: it did not fire and
// the others ran.
type RuleFailure struct {
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// evaluation is a set's verdict on one transaction.
type evaluation struct {
	score    int
	outcome  Outcome
	fired    []Fired
	failures []RuleFailure
	snoozed  []string
	figures  map[string]string
}

// evaluate runs set s of the plan with the figures read, leaving out the
// rules snoozed for the transaction.
func (cs *compiledSet) evaluate(p *plan, s int, figures []Figure, snoozed func(rule string) bool) evaluation {
	env := p.envs[s]
	env.Agg = make(map[string]float64, len(cs.aggs))
	ev := evaluation{figures: map[string]string{}}
	for i, a := range cs.aggs {
		v := 0.0
		if j := p.index[s][i]; j >= 0 {
			v = figures[j].value(a.agg.Measure)
		}
		env.Agg[a.agg.Name] = v
		ev.figures[a.agg.Name] = decimal.NewFromFloat(v).String()
	}
	for _, r := range cs.rules {
		out, err := run(r.prog, &env)
		if err != nil {
			ev.failures = append(ev.failures, RuleFailure{Rule: r.rule.Name, Message: err.Error()})
			continue
		}
		if out != true {
			continue
		}
		if snoozed != nil && snoozed(r.rule.Name) {
			ev.snoozed = append(ev.snoozed, r.rule.Name)
			continue
		}
		ev.fired = append(ev.fired, Fired{Rule: r.rule.Name, Score: r.rule.Score})
		ev.score += r.rule.Score
	}
	ev.outcome = cs.set.Thresholds.Outcome(ev.score)
	return ev
}
