package interest_test

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
)

// threeMonths is 100 000.00 CNY at 2.75% for three months from 31 January
// 2027, ACT/365F: it matures on 30 April (the month-end rule) after
// 28 + 31 + 30 = 89 days, earning 100000 × 0.0275 × 89/365 = 670.5479… →
// 670.55.
func threeMonths(instruction interest.Instruction) interest.TimeDeposit {
	return interest.TimeDeposit{
		Principal:   money.MustParse("100000.00", "CNY"),
		Rate:        dec("0.0275"),
		TermMonths:  3,
		Start:       day("2027-01-31"),
		DayCount:    money.Act365Fixed,
		Instruction: instruction,
	}
}

func TestTimeDepositMaturityDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		start string
		term  int
		want  string
	}{
		{"2027-01-31", 3, "2027-04-30"},  // April has no 31st
		{"2027-11-30", 3, "2028-02-29"},  // leap February
		{"2027-11-30", 15, "2029-02-28"}, // common February
		{"2027-03-15", 12, "2028-03-15"},
		{"2027-06-01", 600, "2077-06-01"},
	}
	for _, tt := range tests {
		td := threeMonths(interest.PayOut)
		td.Start, td.TermMonths = day(tt.start), tt.term
		require.Equal(t, day(tt.want), td.Maturity(), "%s + %d months", tt.start, tt.term)
	}
}

func TestTimeDepositInterest(t *testing.T) {
	t.Parallel()
	got, err := threeMonths(interest.PayOut).Interest()
	require.NoError(t, err)
	require.Equal(t, money.MustParse("670.55", "CNY"), got)

	// ACT/360 over the same 89 days: 100000 × 0.0275 × 89/360 = 679.8611… → 679.86.
	td := threeMonths(interest.PayOut)
	td.DayCount = money.Act360
	got, err = td.Interest()
	require.NoError(t, err)
	require.Equal(t, money.MustParse("679.86", "CNY"), got)
}

func TestMatureUnderEachInstruction(t *testing.T) {
	t.Parallel()
	current := dec("0.02") // the rate on offer at maturity
	principal := money.MustParse("100000.00", "CNY")
	interestDue := money.MustParse("670.55", "CNY")
	total := money.MustParse("100670.55", "CNY")
	zero := money.Zero(money.CNY)
	tests := []struct {
		instruction   interest.Instruction
		payout, held  money.Money
		rollPrincipal *money.Money
	}{
		{interest.PayOut, total, zero, nil},
		{interest.RolloverAll, zero, zero, &total},
		{interest.RolloverPrincipal, interestDue, zero, &principal},
		{interest.Hold, zero, total, nil},
	}
	for _, tt := range tests {
		t.Run(tt.instruction.String(), func(t *testing.T) {
			t.Parallel()
			got, err := threeMonths(tt.instruction).Mature(current)
			require.NoError(t, err)
			require.Equal(t, day("2027-04-30"), got.Date)
			require.Equal(t, interestDue, got.Interest)
			require.Equal(t, principal, got.Principal)
			require.Equal(t, tt.payout, got.Payout)
			require.Equal(t, tt.held, got.Held)
			if tt.rollPrincipal == nil {
				require.Nil(t, got.Rollover)
				return
			}
			require.NotNil(t, got.Rollover)
			require.Equal(t, *tt.rollPrincipal, got.Rollover.Principal)
			requireDecimal(t, current, got.Rollover.Rate, "a rollover takes the then-current rate")
			require.Equal(t, day("2027-04-30"), got.Rollover.Start)
			require.Equal(t, 3, got.Rollover.TermMonths)
			require.Equal(t, tt.instruction, got.Rollover.Instruction)
			// Money is conserved: what rolls over plus what is paid out is
			// principal plus interest.
			out, err := got.Rollover.Principal.Add(got.Payout)
			require.NoError(t, err)
			require.Equal(t, total, out)
		})
	}
}

func TestRolloverEarnsTheNewRate(t *testing.T) {
	t.Parallel()
	first, err := threeMonths(interest.RolloverAll).Mature(dec("0.02"))
	require.NoError(t, err)
	second, err := first.Rollover.Mature(dec("0.02"))
	require.NoError(t, err)
	// 30 April to 30 July is 91 days: 100670.55 × 0.02 × 91/365 = 501.97…
	require.Equal(t, day("2027-07-30"), second.Date)
	require.Equal(t, money.MustParse("501.97", "CNY"), second.Interest)
}

func TestEarlyClosurePaysTheDemandRate(t *testing.T) {
	t.Parallel()
	td := threeMonths(interest.PayOut)
	got, err := td.EarlyClosure(day("2027-03-02"), dec("0.0035"))
	require.NoError(t, err)
	// 31 January to 2 March is 30 days.
	// Paid: 100000 × 0.0035 × 30/365 = 28.767… → 28.77.
	// At the term rate it would have been 100000 × 0.0275 × 30/365 = 226.027… → 226.03.
	require.Equal(t, 30, got.DaysHeld)
	require.Equal(t, money.MustParse("28.77", "CNY"), got.Interest)
	require.Equal(t, money.MustParse("197.26", "CNY"), got.Forgone)
	require.Equal(t, money.MustParse("100028.77", "CNY"), got.Payout)
	require.True(t, got.PenaltyApplied)
	require.Contains(t, got.Note, "0.35%")
	require.Contains(t, got.Note, "2.75%")
	require.Contains(t, got.Note, "30 days")

	sameDay, err := td.EarlyClosure(td.Start, dec("0.0035"))
	require.NoError(t, err)
	require.True(t, sameDay.Interest.IsZero())
	require.Equal(t, td.Principal, sameDay.Payout)

	lastDay, err := td.EarlyClosure(day("2027-04-29"), dec("0.0035"))
	require.NoError(t, err)
	require.Equal(t, 88, lastDay.DaysHeld)
}

func TestEarlyClosureRefusals(t *testing.T) {
	t.Parallel()
	td := threeMonths(interest.PayOut)
	tests := []struct {
		name  string
		asOf  calendar.Date
		rate  decimal.Decimal
		field string
	}{
		{"on maturity", day("2027-04-30"), dec("0.0035"), "asOf"},
		{"after maturity", day("2027-05-30"), dec("0.0035"), "asOf"},
		{"before the start", day("2027-01-30"), dec("0.0035"), "asOf"},
		{"not a date", calendar.Date{}, dec("0.0035"), "asOf"},
		{"negative demand rate", day("2027-03-02"), dec("-0.01"), "demandRate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := td.EarlyClosure(tt.asOf, tt.rate)
			var ve *fault.FieldError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, tt.field, ve.Field)
			require.ErrorIs(t, err, interest.ErrInvalidInput)
		})
	}
	_, err := td.Mature(dec("1.5"))
	require.ErrorIs(t, err, interest.ErrInvalidInput)
}

func TestTimeDepositValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*interest.TimeDeposit)
		field  string
	}{
		{"zero principal", func(td *interest.TimeDeposit) { td.Principal = money.Zero(money.CNY) }, "Principal"},
		{"negative principal", func(td *interest.TimeDeposit) { td.Principal = money.MustParse("-1.00", "CNY") }, "Principal"},
		{"principal without currency", func(td *interest.TimeDeposit) { td.Principal = money.Money{Amount: dec("1")} }, "Principal"},
		{"principal beyond the minor unit", func(td *interest.TimeDeposit) {
			td.Principal = money.Money{Amount: dec("1.005"), Currency: money.CNY}
		}, "Principal"},
		{"negative rate", func(td *interest.TimeDeposit) { td.Rate = dec("-0.001") }, "Rate"},
		{"rate above 100%", func(td *interest.TimeDeposit) { td.Rate = dec("1.2") }, "Rate"},
		{"zero term", func(td *interest.TimeDeposit) { td.TermMonths = 0 }, "TermMonths"},
		{"term too long", func(td *interest.TimeDeposit) { td.TermMonths = 601 }, "TermMonths"},
		{"maturity after 9999", func(td *interest.TimeDeposit) { td.Start = day("9999-06-01"); td.TermMonths = 12 }, "TermMonths"},
		{"no start", func(td *interest.TimeDeposit) { td.Start = calendar.Date{} }, "Start"},
		{"no day count", func(td *interest.TimeDeposit) { td.DayCount = 0 }, "DayCount"},
		{"no instruction", func(td *interest.TimeDeposit) { td.Instruction = 0 }, "Instruction"},
		{"bad rounding", func(td *interest.TimeDeposit) { td.Rounding = -1 }, "Rounding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			td := threeMonths(interest.PayOut)
			tt.change(&td)
			for _, err := range []error{
				td.Validate(),
				func() error { _, err := td.Interest(); return err }(),
				func() error { _, err := td.Mature(dec("0.01")); return err }(),
				func() error { _, err := td.EarlyClosure(day("2027-02-01"), dec("0.01")); return err }(),
			} {
				var ve *fault.FieldError
				require.ErrorAs(t, err, &ve)
				require.Equal(t, tt.field, ve.Field)
				require.ErrorIs(t, err, interest.ErrInvalidDeposit)
			}
		})
	}
}
