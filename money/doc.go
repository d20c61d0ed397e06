// Package money is bankkit's one notion of an amount of money: a decimal
// amount in an ISO 4217 currency, rounded to that currency's minor unit.
//
// Money never touches float64. Amounts are shopspring decimals, parsed from
// and written as strings (JSON carries {"value":"12.30","currency":"CNY"});
// arithmetic across currencies is an error, never a silent conversion or a
// panic. Rounding is explicit (half-even unless a product says otherwise),
// and Allocate splits an amount without creating or losing a minor unit.
//
// MaxAmount and Capacity bound an amount per currency by what every
// carrier of the books holds (ISO 20022's 18 digits): the largest amount a
// request may carry, and the largest any posting or balance may reach.
//
// The package also holds the interest day-count conventions (ACT/365 Fixed,
// ACT/360, 30/360 ISDA, ACT/ACT ISDA) every interest calculation keys on.
package money
