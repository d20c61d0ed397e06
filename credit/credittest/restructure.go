package credittest

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
)

func (e *env) decideRestructure(id credit.ID, step int, who, role string, v credit.Verdict, opinion string) (credit.Loan, error) {
	return e.svc.DecideRestructure(e.ctx, id, credit.DecisionRequest{Step: step, Approver: who, Role: role, Verdict: v, Opinion: opinion})
}

// approveRestructure approves the restructuring waiting on the loan
// through its whole chain, a different approver for every vote.
func (e *env) approveRestructure(id credit.ID) credit.Loan {
	e.t.Helper()
	for n := 1; ; n++ {
		l := e.loan(id)
		p := l.Collections.Proposal
		if p == nil {
			return l
		}
		step := p.Approval.Current
		role := p.Approval.Steps[step-1].Role
		_, err := e.decideRestructure(id, step, fmt.Sprintf("%s-%d", role, n), role, credit.Approve, "")
		require.NoError(e.t, err)
	}
}

// A restructuring goes through the product's chain for its new principal
// like an application: returned, a new proposal may follow; a new
// proposal replaces one waiting; a rejection ends it; the final approval
// needs a role whose authority covers the new principal (the branch
// manager here may approve 100,000.00: the loan, not the 100,582.63 it
// becomes). Every decided proposal is kept with its decisions.
func testRestructureChain(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnvWith(t, newStore, credit.WithAuthority(credit.Authority{"branch_manager": {cny("100000.00")}}))
	l, acct := e.disbursed(e.product("CONSUMER"))
	e.move(acct, "149000.00", "empty", true)
	e.eod("2026-04-02")
	e.eod("2026-04-03")
	req := credit.RestructureRequest{Term: 24, Reason: "hardship", By: "officer-1"}

	l, err := e.svc.ProposeRestructure(e.ctx, l.ID, req)
	require.NoError(t, err)
	_, err = e.decideRestructure(l.ID, 1, "officer-2", "loan_officer", credit.Return, "")
	require.Equal(t, "opinion", field(err), "a return says why")
	l, err = e.decideRestructure(l.ID, 1, "officer-2", "loan_officer", credit.Return, "payslips from the new job, please")
	require.NoError(t, err)
	require.Nil(t, l.Collections.Proposal)
	require.Equal(t, credit.RestructureReturned, l.Collections.Decided[0].Status)

	l, err = e.svc.ProposeRestructure(e.ctx, l.ID, req)
	require.NoError(t, err)
	require.Equal(t, 2, l.Collections.Proposal.Number)
	req.Term = 36
	l, err = e.svc.ProposeRestructure(e.ctx, l.ID, req)
	require.NoError(t, err)
	require.Equal(t, 3, l.Collections.Proposal.Number)
	require.Equal(t, credit.RestructureReplaced, l.Collections.Decided[1].Status)

	l, err = e.decideRestructure(l.ID, 1, "officer-2", "loan_officer", credit.Approve, "")
	require.NoError(t, err)
	_, err = e.decideRestructure(l.ID, 2, "manager-1", "branch_manager", credit.Approve, "")
	require.ErrorIs(t, err, credit.ErrAuthority, "100,582.63 is beyond the branch manager's 100,000.00")
	l, err = e.decideRestructure(l.ID, 2, "manager-1", "branch_manager", credit.Reject, "a second restructuring in a year")
	require.NoError(t, err)
	require.Nil(t, l.Collections.Proposal)
	require.Equal(t, credit.RestructureRejected, l.Collections.Decided[2].Status)
	require.Len(t, l.Collections.Decided[2].Approval.Decisions, 2)
	require.Equal(t, 0, l.Collections.Restructured)
	require.Equal(t, 12, l.Schedule.Len(), "nothing restructured")
	require.Equal(t, "100000.00", e.balance(l.Account))

	var statuses []string
	for _, ev := range e.events(credit.EventRestructureDecided) {
		var d credit.RestructureDecided
		require.NoError(t, json.Unmarshal(ev.Payload, &d))
		statuses = append(statuses, fmt.Sprintf("%d/%d %s %s", d.Proposal, d.Step, d.Verdict, d.Status))
	}
	require.Equal(t, []string{"1/1 return returned", "3/1 approve pending", "3/2 reject rejected"}, statuses)
	require.Empty(t, e.events(credit.EventLoanRestructured))
	got := e.loan(l.ID)
	require.Equal(t, l.Collections, got.Collections, "the store keeps every proposal")
}

// The loan-loss allowance follows the book's provisions: the standard
// loan, normal, calls for 100,000.00 × 1% = 1,000.00, posted as expense;
// a re-run posts nothing; downgraded to substandard it calls for 25%,
// 25,000.00, and 24,000.00 more is posted; written off, the book calls
// for nothing in CNY (a product's currency) and the 25,000.00 is
// released.
func testPostProvisions(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	l, _ := e.disbursed(e.product("CONSUMER"))
	e.eod("2026-03-02")
	day := calendar.MustParseDate("2026-03-02")
	allowance := func() string { return e.ledger.ChartBalance(credit.ChartLoanLossAllowance).StringFixed(2) }
	expense := func() string { return e.ledger.ChartBalance(credit.ChartProvisionExpense).Neg().StringFixed(2) }

	_, err := e.svc.PostProvisions(e.ctx, day.AddDays(1))
	require.Equal(t, "date", field(err), "not after the business date")
	ps, err := e.svc.PostProvisions(e.ctx, day)
	require.NoError(t, err)
	require.Len(t, ps, 1)
	require.Equal(t, []string{"CNY", "1000.00", "0.00", "1000.00"}, []string{string(ps[0].Currency), ps[0].Target.ValueString(),
		ps[0].Before.ValueString(), ps[0].Change.ValueString()})
	require.NotEmpty(t, ps[0].Entry)
	require.Equal(t, "1000.00", allowance())
	require.Equal(t, "1000.00", expense())
	posted := e.ledger.Posted()
	ps, err = e.svc.PostProvisions(e.ctx, day)
	require.NoError(t, err)
	require.True(t, ps[0].Change.Amount.IsZero())
	require.Empty(t, ps[0].Entry)
	require.Equal(t, posted, e.ledger.Posted(), "a re-run posts nothing")

	_, err = e.svc.Downgrade(e.ctx, l.ID, credit.ClassificationChange{To: credit.ClassSubstandard, Reason: "fraud alert", By: "risk-1"})
	require.NoError(t, err)
	ps, err = e.svc.PostProvisions(e.ctx, day)
	require.NoError(t, err)
	require.Equal(t, "24000.00", ps[0].Change.ValueString())
	require.Equal(t, "25000.00", allowance())

	_, err = e.svc.WriteOff(e.ctx, l.ID, credit.WriteOffRequest{Reason: "fraud", By: "cro", ApprovedBy: "board"})
	require.NoError(t, err)
	ps, err = e.svc.PostProvisions(e.ctx, day)
	require.NoError(t, err)
	require.Equal(t, "-25000.00", ps[0].Change.ValueString(), "released")
	require.Equal(t, "0.00", allowance())
	require.Equal(t, "0.00", expense())
}
