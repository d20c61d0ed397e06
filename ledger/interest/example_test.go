package interest_test

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
)

// A month of daily accrual and the month-end posting on a demand deposit:
// 50 000.00 CNY for the first half of March and 80 000.00 after a deposit
// on the 16th, at 1.5% on ACT/365F, with 20% withholding tax. The month
// earns 15 × 50000 × 0.015/365 + 16 × 80000 × 0.015/365 = 30450/365 =
// 83.4246575…: 83.42 is paid and 0.0046575… carried to April.
func Example() {
	product := interest.Product{
		Currency: money.CNY,
		DayCount: money.Act365Fixed,
		Basis:    interest.EndOfDayBalance,
		Credit: interest.RateSchedule{
			{Effective: calendar.MustParseDate("2027-01-01"), Rate: interest.Flat(decimal.RequireFromString("0.015"))},
		},
		Compounding:    interest.Monthly,
		Posting:        interest.Monthly,
		WithholdingTax: decimal.RequireFromString("0.2"),
	}

	var state interest.Accrual
	for d := calendar.MustParseDate("2027-03-01"); d.Month == 3; d = d.AddDays(1) {
		balance := decimal.RequireFromString("50000.00")
		if d.Day >= 16 {
			balance = decimal.RequireFromString("80000.00")
		}
		next, _, err := interest.Accrue(product, state, d, balance)
		if err != nil {
			fmt.Println(err)
			return
		}
		state = next
		if interest.IsPeriodEnd(product.Posting, d, calendar.Date{}) {
			next, posting, err := interest.Post(product, state, d)
			if err != nil {
				fmt.Println(err)
				return
			}
			state = next
			fmt.Println("posted on", posting.Day)
			fmt.Println("gross:  ", posting.Gross)
			fmt.Println("tax:    ", posting.Tax)
			fmt.Println("net:    ", posting.Net)
			fmt.Println("carried:", state.CreditCarry.StringFixed(6))
		}
	}
	// Output:
	// posted on 2027-03-31
	// gross:   83.42 CNY
	// tax:     16.68 CNY
	// net:     66.74 CNY
	// carried: 0.004658
}

// A three-month time deposit maturing with an instruction to roll over
// principal and interest: the new deposit takes the rate on offer at
// maturity.
func ExampleTimeDeposit_Mature() {
	deposit := interest.TimeDeposit{
		Principal:   money.MustParse("100000.00", "CNY"),
		Rate:        decimal.RequireFromString("0.0275"),
		TermMonths:  3,
		Start:       calendar.MustParseDate("2027-01-31"),
		DayCount:    money.Act365Fixed,
		Instruction: interest.RolloverAll,
	}
	result, err := deposit.Mature(decimal.RequireFromString("0.02"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("matures:  ", result.Date)
	fmt.Println("interest: ", result.Interest)
	fmt.Println("paid out: ", result.Payout)
	fmt.Println("rolled:   ", result.Rollover.Principal, "at", result.Rollover.Rate, "until", result.Rollover.Maturity())
	// Output:
	// matures:   2027-04-30
	// interest:  670.55 CNY
	// paid out:  0.00 CNY
	// rolled:    100670.55 CNY at 0.02 until 2027-07-30
}

// Closing a time deposit early pays the demand-deposit rate for the days
// held, and says so.
func ExampleTimeDeposit_EarlyClosure() {
	deposit := interest.TimeDeposit{
		Principal:   money.MustParse("100000.00", "CNY"),
		Rate:        decimal.RequireFromString("0.0275"),
		TermMonths:  3,
		Start:       calendar.MustParseDate("2027-01-31"),
		DayCount:    money.Act365Fixed,
		Instruction: interest.PayOut,
	}
	closure, err := deposit.EarlyClosure(calendar.MustParseDate("2027-03-02"), decimal.RequireFromString("0.0035"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("interest:", closure.Interest)
	fmt.Println("forgone: ", closure.Forgone)
	fmt.Println("paid:    ", closure.Payout)
	fmt.Println(closure.Note)
	// Output:
	// interest: 28.77 CNY
	// forgone:  197.26 CNY
	// paid:     100028.77 CNY
	// Closed before maturity (2027-04-30) after 30 days: interest paid at the demand-deposit rate of 0.35% instead of the term rate of 2.75%.
}

// Tier modes side by side on 15 000.00 with bands of 1% below 10 000 and
// 2% from 10 000.
func ExampleTierMode() {
	bands := []interest.Tier{
		{From: decimal.Zero, Rate: decimal.RequireFromString("0.01")},
		{From: decimal.NewFromInt(10000), Rate: decimal.RequireFromString("0.02")},
	}
	balance := decimal.RequireFromString("15000.00")
	for _, mode := range []interest.TierMode{interest.WholeBalance, interest.Marginal} {
		fmt.Println(mode, interest.Tiered(mode, bands...).AnnualInterest(balance).StringFixed(2))
	}
	// Output:
	// whole_balance 300.00
	// marginal 200.00
}

// The People's Bank of China's settlement of demand deposits: the
// quarter's interest is worked out to the 20th of its last month and
// credited on the 21st.
func ExampleCycle() {
	c := interest.Cycle{Day: 20}
	for _, d := range []string{"2027-01-05", "2027-03-21", "2027-12-20"} {
		end, _ := c.NextEnd(interest.Quarterly, calendar.MustParseDate(d), calendar.Date{})
		fmt.Println(d, "is settled on", end, "and credited on", end.AddDays(1))
	}
	// Output:
	// 2027-01-05 is settled on 2027-03-20 and credited on 2027-03-21
	// 2027-03-21 is settled on 2027-06-20 and credited on 2027-06-21
	// 2027-12-20 is settled on 2027-12-20 and credited on 2027-12-21
}

// A one-year deposit by the rules of Chinese banks pays the year's rate
// whatever the days: 100 000.00 at 1.50% from 15 March 2027 to 15 March
// 2028 (366 days, 29 February between) pays 1 500.00. Closed early on 1
// September after 170 days, it earns the demand rate of 0.35% on a
// 360-day year instead: 100000 × 0.0035 × 170/360 = 165.28.
func ExampleChineseTermRules() {
	td := interest.TimeDeposit{
		Principal: money.MustParse("100000.00", "CNY"), Rate: decimal.RequireFromString("0.015"), TermMonths: 12,
		Start: calendar.MustParseDate("2027-03-15"), DayCount: money.Act360, Instruction: interest.PayOut,
		Rounding: money.HalfUp, Rules: interest.ChineseTermRules(decimal.NewFromInt(50)),
	}
	full, _ := td.Interest()
	early, _ := td.EarlyClosure(calendar.MustParseDate("2027-09-01"), decimal.RequireFromString("0.0035"))
	fmt.Println("at maturity", td.Maturity(), full)
	fmt.Println("closed early after", early.DaysHeld, "days", early.Interest)
	// Output:
	// at maturity 2028-03-15 1500.00 CNY
	// closed early after 170 days 165.28 CNY
}
