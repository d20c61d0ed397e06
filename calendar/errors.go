package calendar

import "errors"

// Sentinel errors, matched with errors.Is.
var (
	// ErrInvalidDate: the date does not exist (2026-02-30), is outside years
	// 1..9999, or is not written YYYY-MM-DD.
	ErrInvalidDate = errors.New("calendar: invalid date")
	// ErrInvalidCalendar: a business calendar's definition contradicts
	// itself or leaves no working weekday.
	ErrInvalidCalendar = errors.New("calendar: invalid business calendar")
	// ErrInvalidAdjustment: the Adjustment is not one of the constants.
	ErrInvalidAdjustment = errors.New("calendar: invalid date adjustment")
)
