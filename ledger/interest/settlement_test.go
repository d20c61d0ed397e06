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

// pbocDemand is a demand deposit as the People's Bank of China settles
// it: 0.35% a year on a 360-day year, settled quarterly on the 20th of
// March, June, September and December, credited on the 21st.
func pbocDemand() interest.Product {
	p := flatProduct("0.0035", money.Act360)
	p.Compounding, p.Posting = interest.Quarterly, interest.Quarterly
	p.Settlement = interest.Cycle{Day: 20}
	p.PayNextDay = true
	return p
}

func TestCycleEnds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		c     interest.Cycle
		p     interest.Period
		count int      // period ends in 2027 and 2028
		first string   // the first end on or after 2027-01-01
		some  []string // other ends
	}{
		{"PBoC quarterly on the 20th", interest.Cycle{Day: 20}, interest.Quarterly, 8, "2027-03-20", []string{"2027-06-20", "2028-09-20", "2028-12-20"}},
		{"monthly on the 20th", interest.Cycle{Day: 20}, interest.Monthly, 24, "2027-01-20", []string{"2028-02-20"}},
		{"monthly on the 31st is every month end", interest.Cycle{Day: 31}, interest.Monthly, 24, "2027-01-31", []string{"2027-02-28", "2028-02-29", "2027-04-30"}},
		{"yearly on 30 June", interest.Cycle{Day: 30, Month: time.June}, interest.Annual, 2, "2027-06-30", []string{"2028-06-30"}},
		{"half-yearly from January", interest.Cycle{Day: 15, Month: time.January}, interest.SemiAnnual, 4, "2027-01-15", []string{"2027-07-15"}},
		{"calendar quarters", interest.Cycle{}, interest.Quarterly, 8, "2027-03-31", []string{"2028-12-31"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var ends []calendar.Date
			for d := day("2027-01-01"); d.Year < 2029; d = d.AddDays(1) {
				if tt.c.IsEnd(tt.p, d, calendar.Date{}) {
					ends = append(ends, d)
				}
				// NextEnd agrees with IsEnd: the first end on or after d.
				next, err := tt.c.NextEnd(tt.p, d, calendar.Date{})
				require.NoError(t, err)
				require.True(t, tt.c.IsEnd(tt.p, next, calendar.Date{}), "%s from %s", next, d)
				for between := d; between.Before(next); between = between.AddDays(1) {
					require.False(t, tt.c.IsEnd(tt.p, between, calendar.Date{}))
				}
			}
			require.Len(t, ends, tt.count)
			require.Equal(t, day(tt.first), ends[0])
			for _, s := range tt.some {
				require.Contains(t, ends, day(s))
			}
		})
	}
}

func TestCycleValidation(t *testing.T) {
	t.Parallel()
	p := pbocDemand()
	p.Settlement.Day = 32
	requireField(t, p.Validate(), interest.ErrInvalidProduct, "Settlement.Day")
	p.Settlement = interest.Cycle{Day: 20, Month: 13}
	requireField(t, p.Validate(), interest.ErrInvalidProduct, "Settlement.Month")
	require.False(t, interest.Cycle{Day: -1}.IsEnd(interest.Monthly, day("2027-01-31"), calendar.Date{}))
}

// 10 000.00 from 21 December 2026 to 20 March 2027 is 11 + 31 + 28 + 20
// = 90 days: 10000 × 0.35% × 90 / 360 = 8.75, settled on the 20th and
// credited (value-dated) on 21 March. The next quarter earns on 10 008.75
// from the 21st: 21 March to 20 June is 11 + 30 + 31 + 20 = 92 days,
// 10008.75 × 0.0035 × 92 / 360 = 3222.8175 / 360 = 8.9522708... → 8.95,
// carry 0.0022708...
func TestPBoCQuarterlySettlementOnThe20th(t *testing.T) {
	t.Parallel()
	p := pbocDemand()
	balance := dec("10000.00")
	var s interest.Accrual
	var postings []interest.Posting
	for d := day("2026-12-21"); !d.After(day("2027-06-21")); d = d.AddDays(1) {
		next, _, err := interest.Accrue(p, s, d, balance)
		require.NoError(t, err, "accrue %s", d)
		s = next
		require.Equal(t, d.Day == 20 && int(d.Month)%3 == 0, p.IsPostingEnd(d, calendar.Date{}), "%s", d)
		if p.IsPostingEnd(d, calendar.Date{}) {
			next, posting, err := interest.Post(p, s, d)
			require.NoError(t, err)
			s = next
			postings = append(postings, posting)
			balance = balance.Add(posting.Net.Amount) // credited before the 21st is accrued
		}
	}
	require.Len(t, postings, 2)
	require.Equal(t, day("2027-03-20"), postings[0].Day)
	require.Equal(t, day("2027-03-21"), postings[0].Paid)
	require.Equal(t, "8.75", postings[0].Gross.ValueString())
	require.Equal(t, day("2027-06-21"), postings[1].Paid)
	require.Equal(t, "8.95", postings[1].Gross.ValueString())
	want := dec("10008.75").Mul(dec("0.0035")).Mul(decimal.NewFromInt(92)).Div(decimal.NewFromInt(360)).Sub(dec("8.95"))
	require.True(t, want.Sub(s.CreditCarry).Abs().LessThan(dec("1e-15")), "carry %s, want %s", s.CreditCarry, want)

	// Passing 20 March unposted is refused: the settlement is due.
	var fresh interest.Accrual
	for d := day("2027-03-19"); !d.After(day("2027-03-20")); d = d.AddDays(1) {
		fresh, _, _ = interest.Accrue(p, fresh, d, balance)
	}
	_, _, err := interest.Accrue(p, fresh, day("2027-03-21"), balance)
	require.ErrorIs(t, err, interest.ErrPostingDue)
}

// FuzzCycle checks that NextEnd and IsEnd agree for any cycle, period
// and day: the end found is an end, not before the day, with none between.
func FuzzCycle(f *testing.F) {
	f.Add(20, 0, 3, 0)
	f.Add(31, 6, 12, 400)
	f.Add(0, 1, 6, 59)
	f.Fuzz(func(t *testing.T, dayOfMonth, month, period, offset int) {
		c := interest.Cycle{Day: dayOfMonth, Month: time.Month(month)}
		periods := []interest.Period{interest.Monthly, interest.Quarterly, interest.SemiAnnual, interest.Annual}
		p := periods[((period%4)+4)%4]
		d := day("2027-01-01").AddDays(((offset % 3000) + 3000) % 3000)
		end, err := c.NextEnd(p, d, calendar.Date{})
		if c.Validate() != nil {
			require.Error(t, err)
			require.False(t, c.IsEnd(p, d, calendar.Date{}))
			return
		}
		require.NoError(t, err)
		require.True(t, c.IsEnd(p, end, calendar.Date{}), "%v %s from %s gave %s", c, p, d, end)
		require.False(t, end.Before(d))
		for between := d; between.Before(end); between = between.AddDays(1) {
			require.False(t, c.IsEnd(p, between, calendar.Date{}))
		}
	})
}
