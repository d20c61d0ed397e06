package channel

import (
	"fmt"
	"time"
)

// LockoutPolicy says when repeated failed logins lock an identity.
type LockoutPolicy struct {
	MaxFailures int           // failures that lock; the count restarts after a lock ends
	Duration    time.Duration // how long the lock lasts
}

// DefaultLockout locks an identity for 30 minutes after 10 failed logins.
var DefaultLockout = LockoutPolicy{MaxFailures: 10, Duration: 30 * time.Minute}

// Validate checks that the policy can lock and unlock.
func (p LockoutPolicy) Validate() error {
	if p.MaxFailures < 1 {
		return invalid("lockout.max_failures", "must be at least 1")
	}
	if p.Duration <= 0 {
		return invalid("lockout.duration", "must be positive")
	}
	return nil
}

// Attempt applies the policy to i for one login attempt at now, the rule
// every Store's RecordAttempt follows: a locked identity is left as it is
// and the attempt is not admitted; a lock that has ended is cleared with
// its count; otherwise the attempt is counted as a failure (until a
// successful login resets the count) and the count reaching MaxFailures
// locks the identity until now + Duration.
func (p LockoutPolicy) Attempt(i Identity, now time.Time) (next Identity, admitted bool) {
	if i.Locked(now) {
		return i, false
	}
	if !i.LockedUntil.IsZero() {
		i.LockedUntil = time.Time{}
		i.FailedLogins = 0
	}
	i.FailedLogins++
	if i.FailedLogins >= p.MaxFailures {
		i.LockedUntil = now.Add(p.Duration)
	}
	return i, true
}

func (p LockoutPolicy) String() string {
	return fmt.Sprintf("%d failures lock for %s", p.MaxFailures, p.Duration)
}
