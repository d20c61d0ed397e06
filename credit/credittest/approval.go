package credittest

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
)

// scored submits and scores the standard application (100,000.00: the
// officer-then-manager band) of a strong customer.
func (e *env) scored(p credit.Product, amount string) credit.Application {
	e.t.Helper()
	c := e.customer()
	e.strong(c)
	n := application(c, p.ID)
	n.Amount = cny(amount)
	n.Maker = "teller-1"
	a := e.submit(n)
	s, err := e.svc.Score(e.ctx, a.ID)
	require.NoError(e.t, err)
	require.Equal(e.t, credit.StatusScored, s.Status)
	return s
}

func (e *env) decide(id credit.ID, step int, who, role string, v credit.Verdict, opinion string) (credit.Application, error) {
	return e.svc.Decide(e.ctx, id, credit.DecisionRequest{Step: step, Approver: who, Role: role, Verdict: v, Opinion: opinion})
}

// 100,000.00 falls in the band up to 500,000: a loan officer, then a branch
// manager. Scored on Monday 2 March 2026, the officer's step is due two
// business days later, on Wednesday the 4th; approved on Friday the 6th,
// the manager's step is due on Tuesday the 10th.
func testApprovalChain(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p := e.product("CONSUMER")
	a := e.scored(p, "100000.00")
	require.NotNil(t, a.Approval)
	require.Equal(t, []credit.StepRule{{Role: "loan_officer"}, {Role: "branch_manager"}}, a.Approval.Steps)
	require.Equal(t, 1, a.Approval.Current)
	require.Equal(t, calendar.MustParseDate("2026-03-04"), a.Approval.Due)

	e.clock.Set(time.Date(2026, 3, 6, 9, 0, 0, 0, time.UTC))
	a, err := e.decide(a.ID, 1, "officer-1", "loan_officer", credit.Approve, "income verified")
	require.NoError(t, err)
	require.Equal(t, credit.StatusScored, a.Status)
	require.Equal(t, 2, a.Approval.Current)
	require.Equal(t, calendar.MustParseDate("2026-03-10"), a.Approval.Due)

	// Out of order, the wrong role, the maker, the same person twice:
	// refused, changing nothing.
	_, err = e.decide(a.ID, 1, "officer-2", "loan_officer", credit.Approve, "")
	require.ErrorIs(t, err, credit.ErrOutOfOrder)
	_, err = e.decide(a.ID, 3, "manager-1", "branch_manager", credit.Approve, "")
	require.ErrorIs(t, err, credit.ErrOutOfOrder)
	_, err = e.decide(a.ID, 2, "officer-2", "loan_officer", credit.Approve, "")
	require.ErrorIs(t, err, credit.ErrForbidden)
	_, err = e.decide(a.ID, 2, "teller-1", "branch_manager", credit.Approve, "")
	require.ErrorIs(t, err, credit.ErrMakerChecker)
	_, err = e.decide(a.ID, 2, "officer-1", "branch_manager", credit.Approve, "")
	require.ErrorIs(t, err, credit.ErrMakerChecker)
	got, err := e.svc.Application(e.ctx, a.ID)
	require.NoError(t, err)
	sameJSON(t, a, got)

	a, err = e.decide(a.ID, 2, "manager-1", "branch_manager", credit.Approve, "")
	require.NoError(t, err)
	require.Equal(t, credit.StatusApproved, a.Status)
	require.Len(t, a.Approval.Decisions, 2)
	d := a.Approval.Decisions[1]
	require.Equal(t, credit.Decision{Round: 1, Step: 2, Approver: "manager-1", Role: "branch_manager", Verdict: credit.Approve,
		At: d.At, BusinessDate: calendar.MustParseDate("2026-03-06")}, d)
	_, err = e.decide(a.ID, 3, "manager-2", "branch_manager", credit.Approve, "")
	require.ErrorIs(t, err, credit.ErrInvalidTransition)

	// Approved is closed: the customer may apply for the product again.
	e.submit(application(a.CustomerID, p.ID))
}

// Above 500,000 a credit committee of three decides one step: three
// different members, the third's approval completing it. Small amounts
// need one officer.
func testCommittee(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	q := Product("BIG")
	q.MaxAmount = dec("2000000.00")
	p, err := e.svc.CreateProduct(e.ctx, q)
	require.NoError(t, err)
	// 600,000 for the strong customer: debt-to-income (2000 + 51,639.86) / 30000 is too high,
	// so raise the income.
	c := e.customer()
	e.strong(c)
	n := application(c, p.ID)
	n.Amount, n.MonthlyIncome, n.Maker = cny("600000.00"), cny("200000.00"), "teller-1"
	a := e.submit(n)
	a, err = e.svc.Score(e.ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, []credit.StepRule{{Role: "credit_committee", Approvers: 3, DueDays: 5}}, a.Approval.Steps)
	for i, member := range []string{"cc-1", "cc-2"} {
		a, err = e.decide(a.ID, 1, member, "credit_committee", credit.Approve, "")
		require.NoError(t, err)
		require.Equal(t, credit.StatusScored, a.Status, "after %d of 3", i+1)
	}
	_, err = e.decide(a.ID, 1, "cc-2", "credit_committee", credit.Approve, "")
	require.ErrorIs(t, err, credit.ErrMakerChecker, "one member, one vote")
	a, err = e.decide(a.ID, 1, "cc-3", "credit_committee", credit.Approve, "")
	require.NoError(t, err)
	require.Equal(t, credit.StatusApproved, a.Status)

	small := e.scored(p, "20000.00")
	require.Equal(t, []credit.StepRule{{Role: "loan_officer"}}, small.Approval.Steps)
	small, err = e.decide(small.ID, 1, "officer-1", "loan_officer", credit.Approve, "")
	require.NoError(t, err)
	require.Equal(t, credit.StatusApproved, small.Status)
}

// A return sends the application back; resubmitted with the document asked
// for, it goes through the chain again from the first step, and the
// officer who returned it may decide again in the new round. A rejection
// is final.
func testReturnAndReject(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p := e.product("CONSUMER")
	a := e.scored(p, "100000.00")
	_, err := e.decide(a.ID, 1, "officer-1", "loan_officer", credit.Return, "")
	requireField(t, err, "opinion")
	a, err = e.decide(a.ID, 1, "officer-1", "loan_officer", credit.Return, "need the car's purchase contract")
	require.NoError(t, err)
	require.Equal(t, credit.StatusReturned, a.Status)
	_, err = e.svc.Submit(e.ctx, application(a.CustomerID, p.ID))
	require.ErrorIs(t, err, credit.ErrOpenApplication, "a returned application is still open")
	_, err = e.decide(a.ID, 1, "officer-2", "loan_officer", credit.Approve, "")
	require.ErrorIs(t, err, credit.ErrInvalidTransition)

	a, err = e.svc.Resubmit(e.ctx, a.ID, "teller-1", []string{"doc/car-purchase-contract"})
	require.NoError(t, err)
	require.Equal(t, credit.StatusScored, a.Status)
	require.Equal(t, 2, a.Approval.Round)
	require.Equal(t, 1, a.Approval.Current)
	require.Contains(t, a.Documents, "doc/car-purchase-contract")
	_, err = e.svc.Resubmit(e.ctx, a.ID, "teller-1", nil)
	require.ErrorIs(t, err, credit.ErrInvalidTransition)

	a, err = e.decide(a.ID, 1, "officer-1", "loan_officer", credit.Approve, "contract seen")
	require.NoError(t, err)
	a, err = e.decide(a.ID, 2, "manager-1", "branch_manager", credit.Reject, "the car is overpriced")
	require.NoError(t, err)
	require.Equal(t, credit.StatusRejected, a.Status)
	require.Len(t, a.Approval.Decisions, 3)
	_, err = e.svc.Resubmit(e.ctx, a.ID, "teller-1", nil)
	require.ErrorIs(t, err, credit.ErrInvalidTransition)

	events, err := e.svc.Events().Read(e.ctx, 0, 100)
	require.NoError(t, err)
	var types []string
	for _, ev := range events[2:] { // after the product and the submission
		types = append(types, ev.Type)
	}
	require.Equal(t, []string{credit.EventApplicationScored, credit.EventApplicationDecided, credit.EventApplicationResubmitted,
		credit.EventApplicationDecided, credit.EventApplicationDecided}, types)
	var last credit.ApplicationDecided
	require.NoError(t, json.Unmarshal(events[len(events)-1].Payload, &last))
	require.Equal(t, credit.ApplicationDecided{ApplicationID: a.ID, CustomerID: a.CustomerID, Round: 2, Step: 2,
		Verdict: credit.Reject, Status: credit.StatusRejected}, last)
}

// A branch manager's authority ends at 80,000: they may pass a larger
// loan on but not give it its final approval.
func testAuthority(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	svc, err := credit.NewService(e.store, credit.WithClock(e.clock), credit.WithCustomers(e.customers),
		credit.WithBureau(e.bureau), credit.WithBehaviour(e.behaviour),
		credit.WithAuthority(credit.Authority{"branch_manager": {cny("80000.00")}}))
	require.NoError(t, err)
	e.svc = svc
	p := e.product("CONSUMER")
	a := e.scored(p, "100000.00")
	_, err = e.decide(a.ID, 1, "officer-1", "loan_officer", credit.Approve, "")
	require.NoError(t, err)
	_, err = e.decide(a.ID, 2, "manager-1", "branch_manager", credit.Approve, "")
	require.ErrorIs(t, err, credit.ErrAuthority)
	a, err = e.decide(a.ID, 2, "manager-1", "branch_manager", credit.Reject, "beyond my authority; apply for less")
	require.NoError(t, err)
	require.Equal(t, credit.StatusRejected, a.Status)

	b := e.scored(p, "80000.00")
	_, err = e.decide(b.ID, 1, "officer-1", "loan_officer", credit.Approve, "")
	require.NoError(t, err)
	b, err = e.decide(b.ID, 2, "manager-1", "branch_manager", credit.Approve, "")
	require.NoError(t, err)
	require.Equal(t, credit.StatusApproved, b.Status)
}

// Steps past their due date are listed as late, on the business calendar.
func testLateSteps(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p := e.product("CONSUMER")
	a := e.scored(p, "100000.00") // officer's step due Wednesday 4 March
	b := e.scored(p, "100000.00")
	_, err := e.decide(b.ID, 1, "officer-1", "loan_officer", credit.Approve, "") // manager's step due Wednesday too
	require.NoError(t, err)

	late, err := e.svc.LateSteps(e.ctx, calendar.MustParseDate("2026-03-04"), credit.Page{})
	require.NoError(t, err)
	require.Empty(t, late, "due today is not late")
	late, err = e.svc.LateSteps(e.ctx, calendar.MustParseDate("2026-03-05"), credit.Page{})
	require.NoError(t, err)
	require.Len(t, late, 2)
	require.Equal(t, []credit.ID{a.ID, b.ID}, []credit.ID{late[0].ID, late[1].ID})

	_, err = e.decide(b.ID, 2, "manager-1", "branch_manager", credit.Approve, "")
	require.NoError(t, err)
	late, err = e.svc.LateSteps(e.ctx, calendar.MustParseDate("2026-03-05"), credit.Page{})
	require.NoError(t, err)
	require.Len(t, late, 1, "an approved application has no step awaiting")
	require.Equal(t, a.ID, late[0].ID)
}

// Two officers deciding the same step at once: one wins, the other is out
// of order; the chain never skips a step.
func testConcurrentDecisions(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p := e.product("CONSUMER")
	a := e.scored(p, "100000.00")
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.decide(a.ID, 1, "officer-"+string(rune('a'+i)), "loan_officer", credit.Approve, "")
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		require.ErrorIs(t, err, credit.ErrOutOfOrder)
	}
	require.Equal(t, 1, ok)
	got, err := e.svc.Application(e.ctx, a.ID)
	require.NoError(t, err)
	require.Len(t, got.Approval.Decisions, 1)
	require.Equal(t, 2, got.Approval.Current)
}

func testDecisionValidation(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p := e.product("CONSUMER")
	a := e.scored(p, "100000.00")
	good := credit.DecisionRequest{Step: 1, Approver: "officer-1", Role: "loan_officer", Verdict: credit.Reject, Opinion: "no"}
	for _, tc := range []struct {
		field string
		edit  func(*credit.DecisionRequest)
	}{
		{"step", func(d *credit.DecisionRequest) { d.Step = 0 }},
		{"approver", func(d *credit.DecisionRequest) { d.Approver = "" }},
		{"approver", func(d *credit.DecisionRequest) { d.Approver = "a\x00" }},
		{"role", func(d *credit.DecisionRequest) { d.Role = " loan_officer" }},
		{"verdict", func(d *credit.DecisionRequest) { d.Verdict = "maybe" }},
		{"opinion", func(d *credit.DecisionRequest) { d.Opinion = "" }},
		{"opinion", func(d *credit.DecisionRequest) { d.Opinion = "a\x07b" }},
	} {
		d := good
		tc.edit(&d)
		_, err := e.svc.Decide(e.ctx, a.ID, d)
		requireField(t, err, tc.field)
	}
	_, err := e.svc.Decide(e.ctx, credit.NewID(), good)
	require.ErrorIs(t, err, credit.ErrNotFound)
	got, err := e.svc.Application(e.ctx, a.ID)
	require.NoError(t, err)
	sameJSON(t, a, got)
}
