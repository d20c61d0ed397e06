package credittest

import (
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/money"
)

// The debt-to-income of the standard application: 100,000.00 over 12
// months at the product's 6% is 8,606.64 a month (the largest instalment
// but the last); with 2,000.00 of other debt, (2000 + 8606.64) / 30000 =
// 0.353554… → 0.3536.
func testSubmit(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p := e.product("CONSUMER")
	c := e.customer()
	a := e.submit(application(c, p.ID))
	require.Equal(t, credit.StatusSubmitted, a.Status)
	require.Equal(t, "0.3536", a.DebtToIncome.String())
	require.Equal(t, today, a.AppliedOn)
	require.Equal(t, int64(1), a.Version)
	require.Nil(t, a.Score)

	got, err := e.svc.Application(e.ctx, a.ID)
	require.NoError(t, err)
	sameJSON(t, a, got)
	_, err = e.svc.Application(e.ctx, credit.NewID())
	require.ErrorIs(t, err, credit.ErrNotFound)

	// An unknown product or customer is not found; nothing is stored.
	n := application(e.customer(), credit.NewID())
	_, err = e.svc.Submit(e.ctx, n)
	require.ErrorIs(t, err, credit.ErrNotFound)
	_, err = e.svc.Submit(e.ctx, application(credit.NewID(), p.ID))
	require.ErrorIs(t, err, credit.ErrNotFound)
	require.Equal(t, 1, e.count())
}

func testEligibility(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p := e.product("CONSUMER")
	for _, tc := range []struct {
		rule  string
		facts credit.CustomerFacts
		edit  func(*credit.NewApplication)
	}{
		{credit.RuleKYC, credit.CustomerFacts{DateOfBirth: calendar.MustParseDate("1986-05-20")}, nil},
		// 17 on 2 March 2026: born 3 March 2008.
		{credit.RuleMinAge, credit.CustomerFacts{KYCVerified: true, DateOfBirth: calendar.MustParseDate("2008-03-03")}, nil},
		{credit.RuleMinAge, credit.CustomerFacts{KYCVerified: true}, nil},
		// 64 today, 65 at maturity on 2 March 2027: the limit is below 65.
		{credit.RuleAgeAtMaturity, credit.CustomerFacts{KYCVerified: true, DateOfBirth: calendar.MustParseDate("1962-01-10")}, nil},
		// (10000 + 8606.64) / 30000 = 0.62 > 0.5
		{credit.RuleDebtToIncome, credit.CustomerFacts{KYCVerified: true, DateOfBirth: calendar.MustParseDate("1986-05-20")},
			func(n *credit.NewApplication) { n.MonthlyDebt = cny("10000.00") }},
	} {
		c := credit.NewID()
		e.customers.Set(c, tc.facts)
		n := application(c, p.ID)
		if tc.edit != nil {
			tc.edit(&n)
		}
		_, err := e.svc.Submit(e.ctx, n)
		require.ErrorIs(t, err, credit.ErrIneligible)
		rule, ok := credit.RefusedRule(err)
		require.True(t, ok)
		require.Equal(t, tc.rule, rule, "%v", err)
	}
	// One day younger and the age rule at maturity passes: 64 on the
	// last due date.
	c := credit.NewID()
	e.customers.Set(c, credit.CustomerFacts{KYCVerified: true, DateOfBirth: calendar.MustParseDate("1962-03-03")})
	_, err := e.svc.Submit(e.ctx, application(c, p.ID))
	require.NoError(t, err)

	// Product limits are bad input, naming the field.
	c = e.customer()
	for _, tc := range []struct {
		field string
		edit  func(*credit.NewApplication)
	}{
		{"amount", func(n *credit.NewApplication) { n.Amount = cny("999.99") }},
		{"amount", func(n *credit.NewApplication) { n.Amount = cny("500000.01") }},
		{"amount.currency", func(n *credit.NewApplication) {
			n.Amount, n.MonthlyIncome, n.MonthlyDebt = money.MustParse("5000.00", "USD"), money.MustParse("9000.00", "USD"), money.MustParse("0", "USD")
		}},
		{"term", func(n *credit.NewApplication) { n.Term = 11 }},
		{"term", func(n *credit.NewApplication) { n.Term = 61 }},
	} {
		n := application(c, p.ID)
		tc.edit(&n)
		_, err := e.svc.Submit(e.ctx, n)
		requireField(t, err, tc.field)
	}
	require.Equal(t, 1, e.count(), "no refused application is stored")
}

func testApplicationValidation(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p := e.product("CONSUMER")
	c := e.customer()
	for _, tc := range []struct {
		field string
		edit  func(*credit.NewApplication)
	}{
		{"customer_id", func(n *credit.NewApplication) { n.CustomerID = credit.NilID }},
		{"product_id", func(n *credit.NewApplication) { n.ProductID = credit.NilID }},
		{"amount", func(n *credit.NewApplication) { n.Amount = cny("0") }},
		{"amount", func(n *credit.NewApplication) { n.Amount = cny("-100.00") }},
		{"amount", func(n *credit.NewApplication) { n.Amount.Amount = dec("100.001") }},
		{"amount.currency", func(n *credit.NewApplication) { n.Amount.Currency = "" }},
		{"term", func(n *credit.NewApplication) { n.Term = 0 }},
		{"purpose", func(n *credit.NewApplication) { n.Purpose = "holiday" }},
		{"monthly_income", func(n *credit.NewApplication) { n.MonthlyIncome = cny("0") }},
		{"monthly_income.currency", func(n *credit.NewApplication) { n.MonthlyIncome = money.MustParse("1.00", "USD") }},
		{"monthly_debt", func(n *credit.NewApplication) { n.MonthlyDebt = cny("-1.00") }},
		{"collateral[0]", func(n *credit.NewApplication) { n.Collateral = []string{""} }},
		{"collateral[1]", func(n *credit.NewApplication) { n.Collateral = []string{"car/1", "a\x00b"} }},
		{"guarantors[0]", func(n *credit.NewApplication) { n.Guarantors = []credit.ID{n.CustomerID} }},
		{"documents[0]", func(n *credit.NewApplication) { n.Documents = []string{"line\nbreak"} }},
		{"maker", func(n *credit.NewApplication) { n.Maker = "" }},
	} {
		n := application(c, p.ID)
		tc.edit(&n)
		_, err := e.svc.Submit(e.ctx, n)
		requireField(t, err, tc.field)
	}
	require.Zero(t, e.count())
}

func testOneOpen(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p, q := e.product("A"), e.product("B")
	c := e.customer()
	first := e.submit(application(c, p.ID))
	_, err := e.svc.Submit(e.ctx, application(c, p.ID))
	require.ErrorIs(t, err, credit.ErrOpenApplication)
	e.submit(application(c, q.ID)) // another product
	e.submit(application(e.customer(), p.ID))

	// Still one open once scored; a new one once withdrawn.
	e.strong(c)
	_, err = e.svc.Score(e.ctx, first.ID)
	require.NoError(t, err)
	_, err = e.svc.Submit(e.ctx, application(c, p.ID))
	require.ErrorIs(t, err, credit.ErrOpenApplication)
	_, err = e.svc.Withdraw(e.ctx, first.ID, c.String(), "found a better rate")
	require.NoError(t, err)
	e.submit(application(c, p.ID))
	require.Equal(t, 4, e.count())
}

func testConcurrentSubmissions(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p := e.product("CONSUMER")
	c := e.customer()
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.svc.Submit(e.ctx, application(c, p.ID))
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		require.ErrorIs(t, err, credit.ErrOpenApplication)
	}
	require.Equal(t, 1, ok)
	require.Equal(t, 1, e.count())
}

func testWithdraw(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p := e.product("CONSUMER")
	c := e.customer()
	a := e.submit(application(c, p.ID))
	_, err := e.svc.Withdraw(e.ctx, a.ID, "", "x")
	requireField(t, err, "by")
	_, err = e.svc.Withdraw(e.ctx, a.ID, "officer-1", "bad\x00reason")
	requireField(t, err, "reason")
	_, err = e.svc.Withdraw(e.ctx, credit.NewID(), "officer-1", "")
	require.ErrorIs(t, err, credit.ErrNotFound)

	w, err := e.svc.Withdraw(e.ctx, a.ID, "officer-1", "customer asked by phone")
	require.NoError(t, err)
	require.Equal(t, credit.StatusWithdrawn, w.Status)
	require.Equal(t, int64(2), w.Version)
	require.Equal(t, "officer-1", w.ClosedBy)
	_, err = e.svc.Withdraw(e.ctx, a.ID, "officer-1", "again")
	require.ErrorIs(t, err, credit.ErrInvalidTransition)
	_, err = e.svc.Score(e.ctx, a.ID)
	require.ErrorIs(t, err, credit.ErrInvalidTransition)
	got, err := e.svc.Application(e.ctx, a.ID)
	require.NoError(t, err)
	sameJSON(t, w, got)
}

// A failing update changes nothing; the store keeps who the application
// is about whatever the function returns.
func testUpdateAtomic(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p := e.product("CONSUMER")
	a := e.submit(application(e.customer(), p.ID))
	boom := errors.New("boom")
	_, err := e.store.UpdateApplication(e.ctx, a.ID, func(old credit.Application) (credit.Application, []event.Envelope, error) {
		return credit.Application{}, nil, boom
	})
	require.ErrorIs(t, err, boom)
	got, err := e.svc.Application(e.ctx, a.ID)
	require.NoError(t, err)
	sameJSON(t, a, got)

	_, err = e.store.UpdateApplication(e.ctx, credit.NewID(), func(old credit.Application) (credit.Application, []event.Envelope, error) {
		return old, nil, nil
	})
	require.ErrorIs(t, err, credit.ErrNotFound)

	// A second open application of the same customer and product cannot
	// be made by reopening a withdrawn one.
	_, err = e.svc.Withdraw(e.ctx, a.ID, "officer", "")
	require.NoError(t, err)
	e.submit(application(a.CustomerID, p.ID))
	_, err = e.store.UpdateApplication(e.ctx, a.ID, func(old credit.Application) (credit.Application, []event.Envelope, error) {
		old.Status = credit.StatusSubmitted
		old.CustomerID = credit.NewID() // ignored: the store keeps the id, customer and product
		return old, nil, nil
	})
	require.ErrorIs(t, err, credit.ErrOpenApplication)
	got, err = e.svc.Application(e.ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, credit.StatusWithdrawn, got.Status)
	require.Equal(t, a.CustomerID, got.CustomerID)
}

func testConcurrentUpdates(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p := e.product("CONSUMER")
	a := e.submit(application(e.customer(), p.ID))
	const n = 10
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.store.UpdateApplication(e.ctx, a.ID, func(old credit.Application) (credit.Application, []event.Envelope, error) {
				old.ClosedReason += "x"
				return old, nil, nil
			})
			require.NoError(t, err)
		}()
	}
	wg.Wait()
	got, err := e.svc.Application(e.ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, int64(1+n), got.Version)
	require.Len(t, got.ClosedReason, n, "no update was lost")
}

func testList(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p, q := e.product("A"), e.product("B")
	c := e.customer()
	var ids []credit.ID
	for _, prod := range []credit.ID{p.ID, q.ID} {
		ids = append(ids, e.submit(application(c, prod)).ID)
	}
	other := e.submit(application(e.customer(), p.ID))
	_, err := e.svc.Withdraw(e.ctx, other.ID, "x", "")
	require.NoError(t, err)

	mine, err := e.svc.Applications(e.ctx, credit.ApplicationFilter{CustomerID: c}, credit.Page{})
	require.NoError(t, err)
	require.Len(t, mine, 2)
	require.Equal(t, ids, []credit.ID{mine[0].ID, mine[1].ID})
	ofP, err := e.svc.Applications(e.ctx, credit.ApplicationFilter{ProductID: p.ID}, credit.Page{})
	require.NoError(t, err)
	require.Equal(t, []credit.ID{ids[0], other.ID}, []credit.ID{ofP[0].ID, ofP[1].ID})
	withdrawn, err := e.svc.Applications(e.ctx, credit.ApplicationFilter{Status: credit.StatusWithdrawn}, credit.Page{})
	require.NoError(t, err)
	require.Len(t, withdrawn, 1)
	require.Equal(t, other.ID, withdrawn[0].ID)
	page, err := e.svc.Applications(e.ctx, credit.ApplicationFilter{}, credit.Page{After: ids[0], Limit: 1})
	require.NoError(t, err)
	require.Len(t, page, 1)
	require.Equal(t, ids[1], page[0].ID)

	_, err = e.svc.Applications(e.ctx, credit.ApplicationFilter{}, credit.Page{Limit: credit.MaxPageLimit + 1})
	requireField(t, err, "limit")
	_, err = e.svc.Applications(e.ctx, credit.ApplicationFilter{Status: "pending"}, credit.Page{})
	requireField(t, err, "status")
}
