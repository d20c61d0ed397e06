package credittest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/money"
)

// Simulation sizes a run of Simulate.
type Simulation struct {
	Loans int    // loans booked on the first day
	Days  int    // business days run (two years: 522)
	Seed  uint64 // the run is a function of the seed
}

// borrower kinds of the simulation.
const (
	payer     = iota // pays each instalment on its due date
	sloppy           // often pays days or weeks late
	defaulter        // stops paying after some instalment
)

type simLoan struct {
	id, acct credit.ID
	kind     int
	stopAt   int           // a defaulter's last instalment paid
	lateTill calendar.Date // a sloppy borrower pays nothing before it
}

// Simulate books a book of loans on 2 March 2026 (annuity and equal
// principal, 5,000 to 100,000 CNY over 12 to 36 months) and runs the
// credit end of day through the business days that follow, with the
// borrowers' money arriving on time, late or never, random teller
// repayments, partial prepayments and payoffs, restructurings of loans
// long overdue and write-offs past 360 days. After every day it checks
// that each loan's ledger account holds the loan's outstanding
// principal, that interest and fees receivable and advances in the ledger equal
// the loans' sums, and that each active loan's days past due, bucket and
// classification follow from its schedule and what it was paid (never
// better than its floor).
func Simulate(t *testing.T, store credit.Store, sim Simulation) {
	e := newEnv(t, func(*testing.T) credit.Store { return store })
	rng := rand.New(rand.NewPCG(sim.Seed, 2026))
	annuity := e.product("SIM-ANNUITY")
	ep := Product("SIM-EP")
	ep.Method = credit.EqualPrincipal
	ep, err := e.svc.CreateProduct(e.ctx, ep)
	require.NoError(t, err)

	loans := make([]*simLoan, sim.Loans)
	for i := range loans {
		p := annuity
		if i%3 == 2 {
			p = ep
		}
		amount := decimal.NewFromInt(int64(5000 + rng.IntN(951)*100))
		loans[i] = e.simBook(p, amount, 12+rng.IntN(25))
		switch r := rng.IntN(10); {
		case r < 6:
			loans[i].kind = payer
		case r < 9:
			loans[i].kind = sloppy
		default:
			loans[i].kind = defaulter
			loans[i].stopAt = rng.IntN(6)
		}
	}

	day := calendar.MustParseDate("2026-03-02")
	stats := map[string]int{}
	for n := 0; n < sim.Days; n++ {
		if n > 0 {
			day = day.AddDays(1)
			for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
				day = day.AddDays(1)
			}
		}
		e.clock.Set(day.In(time.UTC).Add(10 * time.Hour))
		for i, sl := range loans {
			e.simDay(rng, sl, day, fmt.Sprintf("%d-%s", i, day), stats)
		}
		e.clock.Set(day.In(time.UTC).Add(20 * time.Hour))
		_, err := e.svc.RunEndOfDay(e.ctx, day)
		require.NoError(t, err, "end of day %s", day)
		e.simCheck(day)
	}
	classes := map[string]int{}
	for _, sl := range loans {
		l := e.loan(sl.id)
		classes[string(l.Status)+"/"+string(l.Standing.Classification)]++
	}
	t.Logf("simulation of %d loans over %d business days to %s: %v; %v", sim.Loans, sim.Days, day, stats, classes)
}

// simBook takes an application of amount over term months through
// scoring, approval and acceptance, pays it out, and has the borrower
// spend the cash.
func (e *env) simBook(p credit.Product, amount decimal.Decimal, term int) *simLoan {
	t := e.t
	c := e.customer()
	e.strong(c)
	n := application(c, p.ID)
	n.Amount, n.Term, n.Maker = money.Money{Amount: amount, Currency: "CNY"}, term, "teller-1"
	a := e.submit(n)
	a, err := e.svc.Score(e.ctx, a.ID)
	require.NoError(t, err)
	a, err = e.decide(a.ID, 1, "officer-1", "loan_officer", credit.Approve, "")
	require.NoError(t, err)
	if a.Status == credit.StatusScored {
		a, err = e.decide(a.ID, 2, "manager-1", "branch_manager", credit.Approve, "")
		require.NoError(t, err)
	}
	require.Equal(t, credit.StatusApproved, a.Status)
	cs, err := e.svc.Contracts(e.ctx, a.ID)
	require.NoError(t, err)
	acct := e.ledger.OpenDemand(c, cny("0.00"))
	_, l, err := e.svc.AcceptContract(e.ctx, cs[len(cs)-1].ID, credit.AcceptRequest{Version: cs[len(cs)-1].Version,
		Channel: credit.ChannelMobile, By: c.String(), DisbursementAccount: acct})
	require.NoError(t, err)
	l, err = e.svc.Disburse(e.ctx, l.ID, money.Money{})
	require.NoError(t, err)
	e.move(acct, e.balance(acct), "spend-"+l.ID.String(), true)
	return &simLoan{id: l.ID, acct: acct}
}

// arrears is what the loan owes on date: instalments due on or before
// it, with their charges, less what was paid, less the advance held.
func arrears(l credit.Loan, date calendar.Date) decimal.Decimal {
	owed := l.Advance.Amount.Neg()
	for i, in := range l.Schedule.Instalments() {
		if in.DueDate.After(date) {
			break
		}
		p := l.Paid[i]
		owed = owed.Add(in.Total().Amount).Sub(p.Principal.Amount).Sub(p.Interest.Amount).
			Add(p.PenaltyCharged.Amount).Sub(p.Penalty.Amount).Add(p.FeeCharged.Amount).Sub(p.Fee.Amount)
	}
	return owed
}

// simDay is one borrower's day before the end of day runs.
func (e *env) simDay(rng *rand.Rand, sl *simLoan, day calendar.Date, key string, stats map[string]int) {
	t := e.t
	l := e.loan(sl.id)
	if l.Status == credit.LoanClosed {
		return
	}
	if l.Status == credit.LoanWrittenOff {
		if rng.IntN(60) == 0 {
			_, _, err := e.svc.Recover(e.ctx, l.ID, credit.RepaymentRequest{Amount: cny("100.00"), Source: credit.FromCash,
				Channel: credit.ChannelBranch, By: "teller", Key: "rec-" + key})
			if err == nil {
				stats["recoveries"]++
			} else {
				require.Equal(t, "amount", field(err), "only a recovery beyond what was written off is refused")
			}
		}
		return
	}
	dpd := l.Standing.DaysPastDue
	switch {
	case dpd > 360:
		_, err := e.svc.WriteOff(e.ctx, l.ID, credit.WriteOffRequest{Reason: "over 360 days past due", By: "cro", ApprovedBy: "board"})
		require.NoError(t, err)
		stats["write-offs"]++
		return
	case dpd > 120 && l.Collections.Restructured == 0 && rng.IntN(20) == 0:
		_, err := e.svc.ProposeRestructure(e.ctx, l.ID, credit.RestructureRequest{Term: 24, Reason: "hardship", By: "collector"})
		require.NoError(t, err)
		e.approveRestructure(l.ID)
		sl.kind = payer // the new schedule is kept
		stats["restructurings"]++
		return
	case dpd > 0 && rng.IntN(15) == 0:
		_, err := e.svc.RecordAction(e.ctx, l.ID, credit.ActionRequest{Kind: credit.DefaultCollectionStrategy.For(dpd),
			Outcome: credit.OutcomeNoAnswer, By: "collector"})
		require.NoError(t, err)
	}

	// Money arriving in the demand account for the end of day's debit.
	owed := arrears(l, day)
	pay := false
	switch sl.kind {
	case payer:
		pay = true
	case sloppy:
		if day.Before(sl.lateTill) {
			break
		}
		if owed.IsPositive() && rng.IntN(4) == 0 { // late this time
			sl.lateTill = day.AddDays(1 + rng.IntN(40))
			break
		}
		pay = true
	case defaulter:
		paidUp := 0
		for i, in := range l.Schedule.Instalments() {
			if l.Paid[i].Principal.Equal(in.Principal) && l.Paid[i].Interest.Equal(in.Interest) {
				paidUp = i + 1
			}
		}
		pay = paidUp < sl.stopAt
	}
	if pay && owed.IsPositive() {
		e.move(sl.acct, owed.StringFixed(2), "in-"+key, false)
	}

	switch r := rng.IntN(1000); {
	case r < 3: // a teller repayment of some cash
		amount := decimal.NewFromInt(int64(100 + rng.IntN(2000)))
		_, _, err := e.svc.Repay(e.ctx, l.ID, credit.RepaymentRequest{Amount: money.Money{Amount: amount, Currency: "CNY"},
			Source: credit.FromCash, Channel: credit.ChannelBranch, By: "teller", Key: "cash-" + key})
		require.NoError(t, err)
		stats["teller repayments"]++
	case r < 5 && owed.IsZero() || r < 6: // a prepayment: partial, or in full
		full := r == 5
		amount := money.Money{}
		if !full {
			amount = cny(l.Outstanding.Amount.Div(decimal.NewFromInt(5)).RoundBank(2).StringFixed(2))
		}
		q, err := e.svc.QuotePrepayment(e.ctx, l.ID, full, amount, "")
		if errors.Is(err, credit.ErrInvalidTransition) || field(err) == "amount" {
			return // something has fallen due, or no instalment paid yet
		}
		require.NoError(t, err)
		e.move(sl.acct, q.Payable.ValueString(), "pre-"+key, false)
		_, _, err = e.svc.Prepay(e.ctx, l.ID, credit.PrepaymentRequest{Full: full, Amount: amount, Source: credit.FromAccount,
			Channel: credit.ChannelOnline, By: "c", Key: "pre-" + key})
		require.NoError(t, err)
		stats[map[bool]string{true: "payoffs", false: "partial prepayments"}[full]]++
	}
}

// simCheck checks the book after the end of day of date.
func (e *env) simCheck(date calendar.Date) {
	t := e.t
	receivable, charges, advances, suspense := decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero
	after := credit.NilID
	for {
		page, err := e.svc.Loans(context.Background(), credit.LoanFilter{}, credit.Page{After: after, Limit: credit.MaxPageLimit})
		require.NoError(t, err)
		for _, l := range page {
			what := fmt.Sprintf("%s loan %s (%s)", date, l.ID, l.Status)
			require.Equal(t, l.Outstanding.ValueString(), e.balance(l.Account), what+": ledger and loan agree")
			receivable = receivable.Add(l.Receivable().Amount)
			charges = charges.Add(l.ChargesReceivable().Amount)
			advances = advances.Add(l.Advance.Amount)
			if sp := l.Suspense; sp != nil {
				suspense = suspense.Add(sp.Interest.Amount).Add(sp.Charges.Amount)
			}
			if l.Status != credit.LoanActive {
				continue
			}
			require.Nil(t, l.Pending, what)
			require.Equal(t, date, l.Standing.AsOf, what)
			dpd := 0
			for i, in := range l.Schedule.Instalments() {
				if in.DueDate.After(date) {
					break
				}
				if l.Paid[i].Principal.Amount.LessThan(in.Principal.Amount) || l.Paid[i].Interest.Amount.LessThan(in.Interest.Amount) {
					dpd = date.DaysSince(in.DueDate)
					break
				}
			}
			require.Equal(t, dpd, l.Standing.DaysPastDue, what)
			require.Equal(t, credit.DefaultDelinquencyBuckets.Of(dpd), l.Standing.Bucket, what)
			require.Equal(t, credit.Worse(credit.ClassifyDaysPastDue(dpd), l.Standing.Floor), l.Standing.Classification, what)
		}
		if len(page) < credit.MaxPageLimit {
			break
		}
		after = page[len(page)-1].ID
	}
	require.Equal(t, receivable.StringFixed(2), e.ledger.ChartBalance(credit.ChartInterestReceivable).Neg().StringFixed(2),
		"%s: interest receivable", date)
	require.Equal(t, charges.StringFixed(2), e.ledger.ChartBalance(credit.ChartFeesReceivable).Neg().StringFixed(2),
		"%s: fees receivable", date)
	require.Equal(t, advances.StringFixed(2), e.ledger.ChartBalance(credit.ChartLoanAdvances).StringFixed(2), "%s: advances", date)
	require.Equal(t, suspense.StringFixed(2), e.ledger.ChartBalance(credit.ChartInterestSuspense).StringFixed(2), "%s: interest suspense", date)
}
