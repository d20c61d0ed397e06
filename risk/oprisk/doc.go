// Package oprisk is the operational-risk half of risk: who may do what
// (a permission catalogue and the roles that hold each permission, as
// data an administrator changes), segregation of duties (the same person
// may not do both of two things to one object), maker-checker (an
// operation held until a second person approves it), a tamper-evident
// audit trail of staff actions (a SHA-256 hash chain), and simple windowed
// checks over that trail that raise staff-behaviour alerts.
//
// The words:
//
//   - A Permission names one thing a server lets staff do ("accounts.freeze").
//     The server that enforces the catalogue declares its permissions with
//     their default roles (EnsurePermissions); a permission the store
//     already knows keeps whatever an administrator made of it.
//   - A role is a plain string here ("teller"): oprisk does not import the
//     package that authenticates staff.
//   - A Duty rule (segregation of duties) pairs two permissions: whoever
//     performed the first on an object may not perform the second on it.
//   - A Policy says which requests of a permission are held for a checker:
//     all of them, or those whose amount is above a threshold.
//   - A Request is a held operation: what was asked (method, path, body),
//     by whom (the maker) and when; then who approved or rejected it (the
//     checker, never the maker) and when, and the outcome of running it.
//   - A Record is one entry of the audit trail; each carries the hash of
//     the one before, so an edited, deleted or reordered record breaks the
//     chain that Verify walks.
//   - An Alert is a staff-behaviour finding: many PII reveals in an hour,
//     activity outside working hours, many approvals of one's own team's
//     requests in an hour. Each is raised once per actor and window.
//
// The memory backend (memoprisk) and the PostgreSQL one (pgoprisk, schema
// "oprisk") both pass the contract suite in oprisktest.
package oprisk
