package calendar

import "github.com/bankkit/bankkit/fault"

// Sentinel errors, matched with errors.Is.
var (
	// ErrInvalidDate: the date does not exist (2026-02-30), is outside years
	// 1..9999, or is not written YYYY-MM-DD.
	ErrInvalidDate = fault.New(fault.Invalid, "invalid-input", "calendar: invalid date")
	// ErrInvalidCalendar: a business calendar's definition contradicts
	// itself or leaves no working weekday.
	ErrInvalidCalendar = fault.New(fault.Invalid, "invalid-input", "calendar: invalid business calendar")
	// ErrInvalidAdjustment: the Adjustment is not one of the constants.
	ErrInvalidAdjustment = fault.New(fault.Invalid, "invalid-input", "calendar: invalid date adjustment")
)
