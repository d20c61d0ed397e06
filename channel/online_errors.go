package channel

import "github.com/bankkit/bankkit/fault"

// Sentinels of online and mobile banking (second factor, devices, step-up,
// payees, limits, notifications), matched with errors.Is.
var (
	// ErrNotEnrolled: the identity has no confirmed second factor (or no
	// enrolment to confirm).
	ErrNotEnrolled = fault.New(fault.Conflict, "second-factor-not-enrolled", "channel: no second factor enrolled")
	// ErrInvalidCode: a one-time or recovery code is wrong, or was used
	// already (a replay). Every refused code counts towards the lock.
	ErrInvalidCode = fault.New(fault.Unprocessable, "invalid-code", "channel: invalid or reused code")
	// ErrSecondFactorLocked: too many wrong codes; no code is checked until
	// the lock ends.
	ErrSecondFactorLocked = fault.New(fault.TooManyRequests, "second-factor-locked", "channel: second factor locked after too many wrong codes")
	// ErrStepUpRequired: the action needs a step-up proof for exactly this
	// request, and none (or a spent, expired or mismatched one) was given.
	ErrStepUpRequired = fault.New(fault.Forbidden, "step-up-required", "channel: step-up required")
	// ErrDeviceNotBound: the device is not bound to the identity (or was
	// revoked); binding it needs the second factor.
	ErrDeviceNotBound = fault.New(fault.Forbidden, "device-not-bound", "channel: device not bound")
	// ErrOwnAccount: a payee cannot be one of the customer's own accounts.
	ErrOwnAccount = fault.New(fault.Unprocessable, "payee-own-account", "channel: payee is the customer's own account")
	// ErrCoolingOff: the payee is new and the amount is above what it may
	// receive until its cooling-off period ends.
	ErrCoolingOff = fault.New(fault.Unprocessable, "payee-cooling-off", "channel: payee in cooling-off period")
	// ErrLimitExceeded: the transfer does not fit a per-transaction, daily
	// or monthly limit.
	ErrLimitExceeded = fault.New(fault.Unprocessable, "limit-exceeded", "channel: limit exceeded")
	// ErrSecondFactorRequired: the login's password was right, but the
	// identity's role requires a second factor and no code came with it.
	ErrSecondFactorRequired = fault.New(fault.Unauthenticated, "second-factor-required", "channel: a second-factor code is required to log in")
	// ErrSecondFactorEnrolment: the session may only enrol a second factor
	// (Principal.EnrolmentOnly) until one is confirmed and the identity
	// logs in again with a code.
	ErrSecondFactorEnrolment = fault.New(fault.Forbidden, "second-factor-enrolment-required", "channel: enrol a second factor first")
	// ErrAboveMaximum: a limit asked for is above the bank's maximum.
	ErrAboveMaximum = fault.New(fault.Unprocessable, "limit-above-maximum", "channel: limit above the bank's maximum")
)
