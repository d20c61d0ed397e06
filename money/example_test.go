package money_test

import (
	"encoding/json"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

func ExampleParse() {
	price, err := money.Parse("1234.5", "CNY")
	if err != nil {
		fmt.Println(err)
		return
	}
	fee := money.MustParse("2.75", "CNY")
	total, err := price.Add(fee)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(total)

	_, err = money.Parse("1.5", "JPY") // the yen has no minor unit
	fmt.Println(err)
	_, err = total.Add(money.MustParse("1", "USD"))
	fmt.Println(err)
	// Output:
	// 1237.25 CNY
	// money: invalid amount: "1.5" has more than 0 decimal places for JPY
	// money: currency mismatch: CNY and USD
}

func ExampleMoney_Allocate() {
	// Share 100 yuan 50:30:20, then three ways: the parts always add up.
	interest := money.MustParse("100.00", "CNY")
	parts, _ := interest.Allocate(decimal.NewFromInt(50), decimal.NewFromInt(30), decimal.NewFromInt(20))
	fmt.Println(parts)

	thirds, _ := interest.Split(3)
	fmt.Println(thirds) // the leftover cent goes to the first part
	// Output:
	// [50.00 CNY 30.00 CNY 20.00 CNY]
	// [33.34 CNY 33.33 CNY 33.33 CNY]
}

func ExampleMoney_Mul() {
	// A 0.125% fee on 1,000.00 is 1.25 exactly; on 100.00 it is 0.125: a tie.
	rate := decimal.RequireFromString("0.00125")
	amount := money.MustParse("100.00", "USD")
	fmt.Println(amount.Mul(rate, money.HalfEven)) // banker's rounding: to the even cent
	fmt.Println(amount.Mul(rate, money.HalfUp))
	fmt.Println(amount.Mul(rate, money.Down))
	// Output:
	// 0.12 USD
	// 0.13 USD
	// 0.12 USD
}

func ExampleMoney_MarshalJSON() {
	type transfer struct {
		Amount money.Money `json:"amount"`
	}
	b, _ := json.Marshal(transfer{Amount: money.MustParse("12.3", "CNY")})
	fmt.Println(string(b))

	var in transfer
	err := json.Unmarshal([]byte(`{"amount":{"value":12.30,"currency":"CNY"}}`), &in)
	fmt.Println(err)
	// Output:
	// {"amount":{"value":"12.30","currency":"CNY"}}
	// money: invalid amount: field "value" must be a JSON string, got a number
}

func ExampleDayCount_YearFraction() {
	start := calendar.MustParseDate("2024-01-01")
	end := calendar.MustParseDate("2024-07-01") // 182 days, in a leap year
	for _, dc := range []money.DayCount{money.Act365Fixed, money.Act360, money.Thirty360ISDA, money.ActActISDA} {
		fmt.Printf("%-8s %3d days %s\n", dc, dc.Days(start, end), dc.YearFraction(start, end).StringFixed(6))
	}
	// Output:
	// ACT/365F 182 days 0.498630
	// ACT/360  182 days 0.505556
	// 30/360   180 days 0.500000
	// ACT/ACT  182 days 0.497268
}

func ExampleSimpleInterest() {
	// Three months of a 10,000.00 deposit at 1.35% a year, ACT/360.
	principal := money.MustParse("10000.00", "CNY")
	rate := decimal.RequireFromString("0.0135")
	start, end := calendar.MustParseDate("2026-01-01"), calendar.MustParseDate("2026-04-01")

	accrued := money.SimpleInterest(principal.Amount, rate, money.Act360, start, end)
	interest, _ := money.Round(accrued, principal.Currency, money.HalfEven)
	fmt.Println(accrued.StringFixed(4), "->", interest)

	// One day's accrual on the same balance.
	daily := money.DailyAccrual(principal.Amount, rate, money.Act360, start)
	fmt.Println(daily.StringFixed(6))
	// Output:
	// 33.7500 -> 33.75 CNY
	// 0.375000
}

func ExampleMaxAmount() {
	for _, c := range []money.Currency{money.CNY, money.JPY, money.BHD} {
		fmt.Println(money.MaxAmount(c), "accepted;", money.Capacity(c), "carried")
	}
	// Output:
	// 999999999999.99 CNY accepted; 9999999999999999.99 CNY carried
	// 99999999999999 JPY accepted; 999999999999999999 JPY carried
	// 99999999999.999 BHD accepted; 999999999999999.999 BHD carried
}
