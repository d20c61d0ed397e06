package money

import "github.com/bankkit/bankkit/fault"

// Sentinel errors, matched with errors.Is.
var (
	// ErrUnknownCurrency: the code is not an active ISO 4217 currency.
	ErrUnknownCurrency = fault.New(fault.Invalid, "invalid-input", "money: unknown currency")
	// ErrCurrencyMismatch: an operation combined amounts in two currencies.
	ErrCurrencyMismatch = fault.New(fault.Unprocessable, "currency-mismatch", "money: currency mismatch")
	// ErrInvalidAmount: the amount is not a plain decimal, or has more decimal
	// places than the currency's minor unit.
	ErrInvalidAmount = fault.New(fault.Invalid, "invalid-input", "money: invalid amount")
	// ErrInvalidRatios: Allocate was given no ratios, a negative ratio, or
	// ratios that sum to zero; or Split was asked for fewer than one part.
	ErrInvalidRatios = fault.New(fault.Invalid, "invalid-input", "money: invalid allocation ratios")
	// ErrInvalidRoundingMode: the RoundingMode is not one of the constants.
	ErrInvalidRoundingMode = fault.New(fault.Invalid, "invalid-input", "money: invalid rounding mode")
	// ErrUnknownDayCount: the name or value is not a supported day-count
	// convention.
	ErrUnknownDayCount = fault.New(fault.Invalid, "invalid-input", "money: unknown day-count convention")
)
