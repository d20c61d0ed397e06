package calendar_test

import (
	"fmt"
	"time"

	"github.com/bankkit/bankkit/calendar"
)

func ExampleDate_AddMonths() {
	// Monthly due dates from a loan opened on 31 January: the month-end rule
	// keeps each one inside its month.
	opened := calendar.MustParseDate("2024-01-31")
	for i := 1; i <= 3; i++ {
		fmt.Println(opened.AddMonths(i))
	}
	// Output:
	// 2024-02-29
	// 2024-03-31
	// 2024-04-30
}

func ExampleBusinessCalendar_Adjust() {
	// A due date on the last Saturday of October rolls back into October
	// under modified following, and forward into November under following.
	cal, err := calendar.NewBusinessCalendar()
	if err != nil {
		fmt.Println(err)
		return
	}
	due := calendar.MustParseDate("2026-10-31")
	following, _ := cal.Adjust(due, calendar.Following)
	modified, _ := cal.Adjust(due, calendar.ModifiedFollowing)
	fmt.Println(due.Weekday(), following, modified)
	// Output:
	// Saturday 2026-11-02 2026-10-30
}

func ExampleNewBusinessCalendar() {
	// The National Day week with its make-up working days.
	var holidays []calendar.Date
	for d := calendar.MustParseDate("2026-10-01"); d.Day <= 7; d = d.AddDays(1) {
		holidays = append(holidays, d)
	}
	cal, err := calendar.NewBusinessCalendar(
		calendar.WithHolidays(holidays...),
		calendar.WithWorkingDays(calendar.MustParseDate("2026-09-27"), calendar.MustParseDate("2026-10-10")),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	settle, _ := cal.AddBusinessDays(calendar.MustParseDate("2026-09-30"), 2)
	fmt.Println(settle)
	// Output:
	// 2026-10-09
}

func ExampleManualClock() {
	// A test moves the business day forward without sleeping.
	clock := calendar.NewManualClock(time.Date(2026, time.September, 30, 23, 0, 0, 0, time.UTC))
	fmt.Println(calendar.Today(clock, time.UTC))
	clock.Advance(2 * time.Hour)
	fmt.Println(calendar.Today(clock, time.UTC))
	// Output:
	// 2026-09-30
	// 2026-10-01
}
