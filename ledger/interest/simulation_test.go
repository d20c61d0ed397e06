package interest_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
)

// simAccount is one account of the year simulation: its product, opening
// balance, the movements booked on business days, and the test's own model
// of one day's annual interest numerator (balance × rate, before the day
// count's denominator), written without the package.
type simAccount struct {
	name      string
	product   interest.Product
	opening   decimal.Decimal
	movements map[calendar.Date]decimal.Decimal
	// creditPerYear and debitPerYear return balance × annual rate for the
	// day's closing balance (zero when the side does not apply).
	creditPerYear func(d calendar.Date, balance decimal.Decimal) decimal.Decimal
	debitPerYear  func(balance decimal.Decimal) decimal.Decimal
	denominator   int64 // 365 for ACT/365F, 360 for ACT/360
	tax           decimal.Decimal
}

// monthFigures is one month's posting: gross credit, tax and debit.
type monthFigures struct{ gross, tax, debit decimal.Decimal }

// testCalendar is a made-up business calendar for 2027 with a weekend
// month end (31 January, 31 October), a run of weekday holidays, a
// make-up working Saturday and a holiday on 31 December, so the year's
// last posting happens at the first run of 2028.
func testCalendar(t *testing.T) *calendar.BusinessCalendar {
	holidays := []calendar.Date{day("2027-01-01"), day("2027-12-31")}
	for d := day("2027-02-08"); !d.After(day("2027-02-12")); d = d.AddDays(1) {
		holidays = append(holidays, d)
	}
	for d := day("2027-10-01"); !d.After(day("2027-10-07")); d = d.AddDays(1) {
		holidays = append(holidays, d)
	}
	cal, err := calendar.NewBusinessCalendar(
		calendar.WithHolidays(holidays...),
		calendar.WithWorkingDays(day("2027-02-20")),
	)
	require.NoError(t, err)
	return cal
}

// monthly books amount on the given day of every month of 2027, moved to
// the following business day.
func monthly(t *testing.T, cal *calendar.BusinessCalendar, into map[calendar.Date]decimal.Decimal, dayOfMonth int, amount string) {
	for m := time.January; m <= time.December; m++ {
		d, err := cal.Adjust(calendar.MustDate(2027, m, dayOfMonth), calendar.Following)
		require.NoError(t, err)
		if d.Year == 2027 {
			into[d] = into[d].Add(dec(amount))
		}
	}
}

func simAccounts(t *testing.T, cal *calendar.BusinessCalendar) []simAccount {
	saver := simAccount{
		name:    "saver: flat 1.5%, 1.2% from July, 20% tax, ACT/365F",
		opening: dec("20000.00"), movements: map[calendar.Date]decimal.Decimal{},
		denominator: 365, tax: dec("0.2"),
		creditPerYear: func(d calendar.Date, b decimal.Decimal) decimal.Decimal {
			if b.Sign() <= 0 {
				return decimal.Zero
			}
			if d.Month >= time.July {
				return b.Mul(dec("0.012"))
			}
			return b.Mul(dec("0.015"))
		},
		debitPerYear: func(decimal.Decimal) decimal.Decimal { return decimal.Zero },
	}
	saver.product = flatProduct("0.015", money.Act365Fixed)
	saver.product.Credit = append(saver.product.Credit, interest.RateChange{Effective: day("2027-07-01"), Rate: interest.Flat(dec("0.012"))})
	saver.product.WithholdingTax = dec("0.2")
	monthly(t, cal, saver.movements, 1, "8000.00")
	monthly(t, cal, saver.movements, 20, "-6500.00")

	tiered := simAccount{
		name:    "tiered: marginal 0.5% to 50 000, 1.8% above, ACT/360",
		opening: dec("60000.00"), movements: map[calendar.Date]decimal.Decimal{},
		denominator: 360, tax: decimal.Zero,
		creditPerYear: func(_ calendar.Date, b decimal.Decimal) decimal.Decimal {
			if b.Sign() <= 0 {
				return decimal.Zero
			}
			low := decimal.Min(b, dec("50000"))
			high := decimal.Max(b.Sub(dec("50000")), decimal.Zero)
			return low.Mul(dec("0.005")).Add(high.Mul(dec("0.018")))
		},
		debitPerYear: func(decimal.Decimal) decimal.Decimal { return decimal.Zero },
	}
	tiered.product = flatProduct("0", money.Act360)
	tiered.product.Credit[0].Rate = interest.Tiered(interest.Marginal,
		interest.Tier{From: dec("0"), Rate: dec("0.005")},
		interest.Tier{From: dec("50000"), Rate: dec("0.018")})
	monthly(t, cal, tiered.movements, 10, "-15000.00")
	monthly(t, cal, tiered.movements, 25, "15000.00")

	overdraft := simAccount{
		name:    "overdraft: credit 0.35%, debit 18.25%, ACT/365F",
		opening: dec("1000.00"), movements: map[calendar.Date]decimal.Decimal{},
		denominator: 365, tax: decimal.Zero,
		creditPerYear: func(_ calendar.Date, b decimal.Decimal) decimal.Decimal {
			return decimal.Max(b, decimal.Zero).Mul(dec("0.0035"))
		},
		debitPerYear: func(b decimal.Decimal) decimal.Decimal {
			return decimal.Max(b.Neg(), decimal.Zero).Mul(dec("0.1825"))
		},
	}
	overdraft.product = flatProduct("0.0035", money.Act365Fixed)
	overdraft.product.Debit = interest.RateSchedule{{Effective: day("2000-01-01"), Rate: interest.Flat(dec("0.1825"))}}
	monthly(t, cal, overdraft.movements, 5, "-3000.00")
	monthly(t, cal, overdraft.movements, 25, "3000.00")

	return []simAccount{saver, tiered, overdraft}
}

// expectedYear works out each month's posting of 2027 from the formula:
// every calendar day earns its closing balance × rate / denominator; the
// month's figures are the exact running total rounded half-even to the fen
// less what earlier months posted (the fractions are carried, never
// dropped); tax is the rate times the running gross posted, treated the
// same way; the net interest and the debit interest are booked to the
// balance after the month's last day.
func expectedYear(a simAccount) [12]monthFigures {
	var out [12]monthFigures
	balance := a.opening
	exactCredit, exactDebit := decimal.Zero, decimal.Zero
	postedCredit, postedDebit, postedTax := decimal.Zero, decimal.Zero, decimal.Zero
	den := decimal.NewFromInt(a.denominator)
	for d := day("2027-01-01"); d.Year == 2027; d = d.AddDays(1) {
		balance = balance.Add(a.movements[d])
		exactCredit = exactCredit.Add(a.creditPerYear(d, balance).DivRound(den, 40))
		exactDebit = exactDebit.Add(a.debitPerYear(balance).DivRound(den, 40))
		if d.AddDays(1).Day != 1 {
			continue
		}
		m := &out[d.Month-1]
		m.gross = exactCredit.Sub(postedCredit).RoundBank(2)
		postedCredit = postedCredit.Add(m.gross)
		m.tax = postedCredit.Mul(a.tax).Sub(postedTax).RoundBank(2)
		postedTax = postedTax.Add(m.tax)
		m.debit = exactDebit.Sub(postedDebit).RoundBank(2)
		postedDebit = postedDebit.Add(m.debit)
		balance = balance.Add(m.gross).Sub(m.tax).Sub(m.debit)
	}
	return out
}

// TestYearOfEndOfDayRuns plays the ledger's end-of-day runner through 2027
// on a settable clock: it runs only on business days, and each run accrues
// every calendar day since the last one (the weekend and holidays with the
// balance they closed on), posting each month end it passes, with the
// month end's date. The monthly postings must equal the figures the test
// works out day by day from the formula.
func TestYearOfEndOfDayRuns(t *testing.T) {
	t.Parallel()
	cal := testCalendar(t)
	accounts := simAccounts(t, cal)
	yearEnd := day("2027-12-31")

	type ledgerAccount struct {
		state    interest.Accrual
		balance  decimal.Decimal
		accrued  int
		postings map[calendar.Date]interest.Posting
	}
	books := make([]ledgerAccount, len(accounts))
	for i, a := range accounts {
		books[i] = ledgerAccount{balance: a.opening, postings: map[calendar.Date]interest.Posting{}}
	}
	accrueDay := func(i int, d calendar.Date) {
		a, b := accounts[i], &books[i]
		next, _, err := interest.Accrue(a.product, b.state, d, b.balance)
		require.NoError(t, err, "%s: accrue %s", a.name, d)
		b.state, b.accrued = next, b.accrued+1
		if !a.product.IsPostingEnd(d, calendar.Date{}) {
			return
		}
		next, posting, err := interest.Post(a.product, b.state, d)
		require.NoError(t, err, "%s: post %s", a.name, d)
		b.state, b.postings[d] = next, posting
		b.balance = b.balance.Add(posting.Net.Amount).Sub(posting.Debit.Amount)
	}

	clock := calendar.NewManualClock(time.Date(2027, time.January, 1, 20, 0, 0, 0, time.UTC))
	runs := 0
	for today := calendar.Today(clock, time.UTC); today.Before(day("2028-01-08")); today = calendar.Today(clock, time.UTC) {
		if cal.IsBusinessDay(today) {
			runs++
			for i := range accounts {
				from := day("2027-01-01")
				if !books[i].state.LastAccrued.IsZero() {
					from = books[i].state.LastAccrued.AddDays(1)
				}
				// Catch up the days before today on the balance they closed with.
				for d := from; d.Before(today) && !d.After(yearEnd); d = d.AddDays(1) {
					accrueDay(i, d)
				}
				if today.After(yearEnd) {
					continue
				}
				books[i].balance = books[i].balance.Add(accounts[i].movements[today])
				accrueDay(i, today)
			}
		}
		clock.Advance(24 * time.Hour)
	}

	businessDays, err := cal.BusinessDaysBetween(day("2027-01-01"), day("2028-01-08"))
	require.NoError(t, err)
	require.Equal(t, businessDays, runs)
	require.Less(t, runs, 365, "the runner must not run on weekends and holidays")

	for i, a := range accounts {
		t.Run(a.name, func(t *testing.T) {
			b := books[i]
			require.Equal(t, 365, b.accrued, "every calendar day accrued once")
			require.Equal(t, yearEnd, b.state.LastAccrued)
			require.Len(t, b.postings, 12)
			want := expectedYear(a)
			for m := time.January; m <= time.December; m++ {
				end := calendar.MustDate(2027, m, 1).EndOfMonth()
				got, ok := b.postings[end]
				require.True(t, ok, "no posting dated %s", end)
				requireDecimal(t, want[m-1].gross, got.Gross.Amount, "%s gross", end)
				requireDecimal(t, want[m-1].tax, got.Tax.Amount, "%s tax", end)
				requireDecimal(t, want[m-1].debit, got.Debit.Amount, "%s debit", end)
			}
		})
	}
}
