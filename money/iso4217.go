package money

// minorUnits maps each active ISO 4217 code to its minor-unit exponent.
// TODO(foundation): the full table is being filled in.
var minorUnits = map[string]int32{
	"CNY": 2, "USD": 2, "EUR": 2, "GBP": 2, "JPY": 0, "HKD": 2, "BHD": 3,
}
