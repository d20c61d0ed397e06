package money

import "errors"

// Sentinel errors, matched with errors.Is.
var (
	// ErrUnknownCurrency: the code is not an active ISO 4217 currency.
	ErrUnknownCurrency = errors.New("money: unknown currency")
	// ErrCurrencyMismatch: an operation combined amounts in two currencies.
	ErrCurrencyMismatch = errors.New("money: currency mismatch")
	// ErrInvalidAmount: the amount is not a plain decimal, or has more decimal
	// places than the currency's minor unit.
	ErrInvalidAmount = errors.New("money: invalid amount")
	// ErrInvalidRatios: Allocate was given no ratios, a negative ratio, or
	// ratios that sum to zero; or Split was asked for fewer than one part.
	ErrInvalidRatios = errors.New("money: invalid allocation ratios")
	// ErrInvalidRoundingMode: the RoundingMode is not one of the constants.
	ErrInvalidRoundingMode = errors.New("money: invalid rounding mode")
	// ErrUnknownDayCount: the name or value is not a supported day-count
	// convention.
	ErrUnknownDayCount = errors.New("money: unknown day-count convention")
)
