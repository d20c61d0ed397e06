package money

import "time"

// Day numbers: the day-count conventions work on consecutive day numbers
// (days since 1970-01-01 in the proleptic Gregorian calendar), computed
// here with integer arithmetic so that no time zone or time.Duration limit
// can shift or clip a date.

// civilDays returns d's day number, or false when d is nil or not a real
// calendar day in years 1..9999.
func civilDays(d CivilDate) (int64, bool) {
	if d == nil {
		return 0, false
	}
	y, m, day := d.Date()
	if y < 1 || y > 9999 || m < time.January || m > time.December || day < 1 || day > daysInMonth(int64(y), m) {
		return 0, false
	}
	return daysFromCivil(int64(y), m, day), true
}

// daysFromCivil counts days from 1970-01-01 to y-m-d. It shifts the year to
// start on 1 March, so the leap day is the last day of the shifted year, and
// counts whole 400-year eras of 146097 days.
func daysFromCivil(y int64, m time.Month, d int) int64 {
	if m <= time.February {
		y--
	}
	era := floorDiv(y, 400)
	yearOfEra := y - era*400                           // 0..399
	shiftedMonth := (int64(m) + 9) % 12                // March = 0 .. February = 11
	dayOfYear := (153*shiftedMonth+2)/5 + int64(d) - 1 // 0..365
	dayOfEra := yearOfEra*365 + yearOfEra/4 - yearOfEra/100 + dayOfYear
	return era*146097 + dayOfEra - 719468 // 719468: days from 0000-03-01 to 1970-01-01
}

// civilDay is a date made from a day number; it satisfies CivilDate.
type civilDay struct {
	year  int64
	month time.Month
	day   int
}

func (c civilDay) Date() (int, time.Month, int) { return int(c.year), c.month, c.day }

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(n int64) civilDay {
	n += 719468
	era := floorDiv(n, 146097)
	dayOfEra := n - era*146097                                                       // 0..146096
	yearOfEra := (dayOfEra - dayOfEra/1460 + dayOfEra/36524 - dayOfEra/146096) / 365 // 0..399
	dayOfYear := dayOfEra - (365*yearOfEra + yearOfEra/4 - yearOfEra/100)
	shiftedMonth := (5*dayOfYear + 2) / 153
	day := int(dayOfYear - (153*shiftedMonth+2)/5 + 1)
	month := time.Month((shiftedMonth+2)%12 + 1)
	year := yearOfEra + era*400
	if month <= time.February {
		year++
	}
	return civilDay{year: year, month: month, day: day}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func isLeap(y int64) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysInMonth(y int64, m time.Month) int {
	switch m {
	case time.February:
		if isLeap(y) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}
