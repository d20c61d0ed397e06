// Package calendar is banking time: the civil business Date (no clock, no
// time zone), an injectable Clock, and business-day calendars with the
// date-adjustment conventions used for due dates.
//
// Banks run on a business date that is separate from wall time: interest,
// due dates, maturities and end of day key on it. Every service takes a Clock
// so tests and simulations can move time.
package calendar
