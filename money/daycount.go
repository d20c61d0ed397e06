package money

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// CivilDate is a calendar day. time.Time and calendar.Date both satisfy it,
// so the day-count conventions work on either without money depending on
// the calendar package.
type CivilDate interface {
	Date() (year int, month time.Month, day int)
}

// DayCount is an interest day-count convention: how the time between two
// dates becomes a fraction of a year. The zero value is not a convention:
// a product must say which one it uses.
type DayCount int

// The supported conventions, as the ISDA 2006 definitions (section 4.16)
// name them.
const (
	// Act365Fixed counts actual days over 365, leap year or not.
	Act365Fixed DayCount = iota + 1
	// Act360 counts actual days over 360 (money markets; RMB deposits).
	Act360
	// Thirty360ISDA counts every month as 30 days, over 360 (bond basis):
	// a start on the 31st counts as the 30th, and an end on the 31st counts
	// as the 30th when the start is the 30th or 31st.
	Thirty360ISDA
	// ActActISDA counts the days falling in leap years over 366 plus the
	// days falling in other years over 365.
	ActActISDA
)

// DayCountPrecision is the number of decimal places YearFraction,
// SimpleInterest and DailyAccrual keep: each computes its exact rational
// value and makes a single half-up division to this many places. Twenty
// places leave every amount bankkit handles exact to far below a minor unit
// before the caller rounds to the currency.
const DayCountPrecision int32 = 20

var dayCountNames = map[DayCount]string{
	Act365Fixed:   "ACT/365F",
	Act360:        "ACT/360",
	Thirty360ISDA: "30/360",
	ActActISDA:    "ACT/ACT",
}

// Valid reports whether dc is one of the declared conventions.
func (dc DayCount) Valid() bool {
	_, ok := dayCountNames[dc]
	return ok
}

// String returns the market name: "ACT/365F", "ACT/360", "30/360", "ACT/ACT".
func (dc DayCount) String() string {
	if name, ok := dayCountNames[dc]; ok {
		return name
	}
	return fmt.Sprintf("DayCount(%d)", int(dc))
}

// ParseDayCount reads a convention by the name String gives it, in any
// letter case; anything else is ErrUnknownDayCount.
func ParseDayCount(name string) (DayCount, error) {
	for dc, n := range dayCountNames {
		if strings.EqualFold(name, n) {
			return dc, nil
		}
	}
	return 0, fmt.Errorf("%w: %q (want ACT/365F, ACT/360, 30/360 or ACT/ACT)", ErrUnknownDayCount, name)
}

// MarshalText implements encoding.TextMarshaler with the String name.
func (dc DayCount) MarshalText() ([]byte, error) {
	if !dc.Valid() {
		return nil, fmt.Errorf("%w: %d", ErrUnknownDayCount, int(dc))
	}
	return []byte(dc.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseDayCount.
func (dc *DayCount) UnmarshalText(b []byte) error {
	parsed, err := ParseDayCount(string(b))
	if err != nil {
		return err
	}
	*dc = parsed
	return nil
}

// Days returns the day count from start to end as the convention counts it:
// actual days for the ACT conventions, 30-day months for 30/360. It is
// negative when end is before start, and 0 when dc is not Valid or a date is
// not a real calendar day.
func (dc DayCount) Days(start, end CivilDate) int {
	s, okS := civilDays(start)
	e, okE := civilDays(end)
	switch {
	case !okS || !okE || !dc.Valid():
		return 0
	case dc != Thirty360ISDA:
		return int(e - s)
	case e < s:
		return -int(thirty360Days(end, start))
	}
	return int(thirty360Days(start, end))
}

// YearFraction returns the time from start to end in years under the
// convention, to DayCountPrecision places; negative when end is before
// start. It returns 0 when dc is not Valid or a date is not a real calendar
// day (the result cannot carry an error; check dc.Valid() on configuration).
func (dc DayCount) YearFraction(start, end CivilDate) decimal.Decimal {
	num, den, ok := dc.fraction(start, end)
	if !ok {
		return decimal.Zero
	}
	return decimal.NewFromInt(num).DivRound(decimal.NewFromInt(den), DayCountPrecision)
}

// SimpleInterest returns principal × annualRate × YearFraction(start, end),
// unrounded to any currency (to DayCountPrecision places): the caller rounds
// once, at posting, with Round. annualRate is a fraction (0.035 for 3.5%).
// It returns 0 when dc is not Valid or a date is not a real calendar day.
func SimpleInterest(principal, annualRate decimal.Decimal, dc DayCount, start, end CivilDate) decimal.Decimal {
	num, den, ok := dc.fraction(start, end)
	if !ok {
		return decimal.Zero
	}
	return principal.Mul(annualRate).Mul(decimal.NewFromInt(num)).
		DivRound(decimal.NewFromInt(den), DayCountPrecision)
}

// DailyAccrual returns one day's unrounded interest on balance: balance ×
// annualRate × YearFraction(day, the next day). Under 30/360 that is zero on
// the 30th of a 31-day month and three days' worth on 28 February of a
// common year: how the convention spreads a month's interest over its days. It returns 0 when dc is not
// Valid or day is not a real calendar day.
func DailyAccrual(balance, annualRate decimal.Decimal, dc DayCount, day CivilDate) decimal.Decimal {
	n, ok := civilDays(day)
	if !ok {
		return decimal.Zero
	}
	return SimpleInterest(balance, annualRate, dc, day, civilFromDays(n+1))
}

// fraction returns the year fraction from start to end as num/den exactly.
func (dc DayCount) fraction(start, end CivilDate) (num, den int64, ok bool) {
	s, okS := civilDays(start)
	e, okE := civilDays(end)
	if !okS || !okE || !dc.Valid() {
		return 0, 0, false
	}
	if e < s {
		num, den, _ = dc.fraction(end, start)
		return -num, den, true
	}
	switch dc {
	case Act365Fixed:
		return e - s, 365, true
	case Act360:
		return e - s, 360, true
	case Thirty360ISDA:
		return thirty360Days(start, end), 360, true
	default: // ActActISDA
		return actActNumerator(s, e), 365 * 366, true
	}
}

// thirty360Days counts from start to end (start not after end) with 30-day
// months, adjusting the 31st as ISDA 2006 4.16(f) says.
func thirty360Days(start, end CivilDate) int64 {
	y1, m1, d1 := start.Date()
	y2, m2, d2 := end.Date()
	if d1 == 31 {
		d1 = 30
	}
	if d2 == 31 && d1 >= 30 {
		d2 = 30
	}
	return 360*int64(y2-y1) + 30*int64(m2-m1) + int64(d2-d1)
}

// actActNumerator returns the ACT/ACT ISDA fraction from day s to day e
// (s <= e) over the common denominator 365×366: days in leap years count 365
// each, days in common years 366 each.
func actActNumerator(s, e int64) int64 {
	ys, ye := civilFromDays(s).year, civilFromDays(e).year
	weight := func(y int64) int64 {
		if isLeap(y) {
			return 365
		}
		return 366
	}
	if ys == ye {
		return (e - s) * weight(ys)
	}
	firstYearDays := daysFromCivil(ys+1, 1, 1) - s
	lastYearDays := e - daysFromCivil(ye, 1, 1)
	wholeYears := ye - ys - 1
	return firstYearDays*weight(ys) + wholeYears*365*366 + lastYearDays*weight(ye)
}
