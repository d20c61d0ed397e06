package channel

import "github.com/bankkit/bankkit/fault"

// Sentinels of the ATM fleet, matched with errors.Is.
var (
	// ErrDeviceUnauthenticated: the device's credential is missing,
	// malformed or unknown.
	ErrDeviceUnauthenticated = fault.New(fault.Unauthenticated, "device-unauthenticated", "channel: device credential missing or unknown")
	// ErrImpossibleCount: a device reported note counts that cannot be
	// (negative, above a cassette's capacity, or not what was loaded less
	// what was dispensed). The error names the field.
	ErrImpossibleCount = fault.New(fault.Unprocessable, "impossible-count", "channel: impossible note count")
	// ErrCannotDispense: the cassettes cannot make up the amount (more
	// than they hold, or not in the denominations they hold).
	ErrCannotDispense = fault.New(fault.Unprocessable, "cannot-dispense", "channel: the cassettes cannot dispense the amount")
	// ErrWithdrawalState: the withdrawal is not in a state that takes the
	// step (a result for a declined withdrawal; another result than the
	// one recorded).
	ErrWithdrawalState = fault.New(fault.Conflict, "withdrawal-state", "channel: the withdrawal is not in a state for this")
	// ErrReplenishmentState: the order is not in a state that takes the
	// step (loading a confirmed order, confirming a scheduled one).
	ErrReplenishmentState = fault.New(fault.Conflict, "replenishment-state", "channel: the replenishment order is not in a state for this")
	// ErrDeviceNotReady: the device is offline, faulty or out of service
	// and takes no withdrawal.
	ErrDeviceNotReady = fault.New(fault.Unprocessable, "device-not-ready", "channel: the device is not in service")
)
