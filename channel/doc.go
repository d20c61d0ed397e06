// Package channel is how customers and staff reach the bank: online and
// mobile banking identities, credentials and sessions, self-service devices
// (the ATM fleet and its cash levels) and contact-centre tickets.
//
// # Identities
//
// An Identity is someone who can log in: a member of staff, with Roles
// (admin, teller, loan_officer, ...), or a customer, whose login points at
// one customer id (an opaque string: channel does not import the customer
// package). Usernames are unique across both kinds and stored normalised:
// trimmed, ASCII lower case, from a small alphabet (NormalizeUsername).
// Each customer has at most one login.
//
// # Passwords
//
// Passwords are hashed with argon2id under OWASP's recommended parameters
// (DefaultParams: 19 MiB, 2 passes, 1 lane) and stored as standard PHC
// strings ($argon2id$v=19$m=19456,t=2,p=1$salt$hash), which keep their
// parameters: when DefaultParams are raised, a password hashed under the
// old ones is rehashed at its next successful login. New passwords must be
// 12 to 128 bytes and not only white space (ValidatePassword).
//
// # Logging in and the lockout
//
// Service.Login answers every refusal with the same ErrInvalidCredentials:
// unknown username, wrong password, disabled identity, locked identity. Each
// of these costs one argon2id hash (an unknown username is checked against
// a dummy hash), so neither the answer nor its timing reveals whether a
// username exists. Saying "locked" would reveal it, because only existing
// accounts lock; the lock is therefore visible only to staff, in
// Identity.FailedLogins and Identity.LockedUntil, and lifted by time or by
// Service.Unlock.
//
// Every attempt on an existing identity is counted, atomically in the
// Store, before the password is checked, and a success resets the count.
// The tenth failure locks the identity for 30 minutes (DefaultLockout);
// while it is locked no attempt is admitted, not even one with the right
// password. Counting first means a burst of concurrent guesses cannot get
// more than ten past the lock.
//
// # Tokens and sessions
//
// A successful login opens a Session and returns its token: "bk_" and 32
// random bytes in base64url. Only the token's SHA-256 is stored, and
// Service.Authenticate looks the session up by that hash. Sessions expire
// (30 minutes for customers, 8 hours for staff, see WithSessionTTL) and can
// be revoked one by one (Revoke, RevokeSession) or all together
// (RevokeAll; disabling an identity and changing its password do it too).
// Authenticate reads the identity afresh, so role changes and disabling
// take effect on the next request. DeleteExpiredSessions keeps the table
// small. EnsureBootstrapAdmin registers an operator-chosen token for the
// first admin of a new installation, stored hashed like every other; the
// bootstrap admin holds one such token at a time, so registering a new one
// revokes the one before.
//
// # Online and mobile banking
//
// Online adds what a customer's online and mobile banking needs beyond
// login: a TOTP second factor with single-use recovery codes (a code is
// accepted once; wrong codes lock as wrong passwords do), bound mobile
// devices, step-up proofs bound to one request (action, parameters,
// session) for sensitive actions, payees with a cooling-off cap, and
// transfer limits per channel counted atomically by reservation under the
// transfer's idempotency key. Notifier is the outbox of messages to
// customers (SMS, e-mail, push, in-app inbox) with preferences, quiet
// hours, deduplication, consent for marketing, and retries.
//
// # Storage
//
// The Service keeps its records in a Store, Online in an OnlineStore and
// Notifier in a NotificationStore: memchannel in memory, pgchannel in
// PostgreSQL (schema "channel") implement all three. channeltest is the
// contract suite both pass (Run, RunOnline, RunNotifications).
package channel
