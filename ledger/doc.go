// Package ledger is core accounting: a double-entry journal of immutable,
// balanced entries over accounts (customer deposits, loans, and the bank's
// own internal accounts), with deposits, withdrawals, transfers, holds,
// reversals, balances and statements. Every other subsystem moves money
// through it.
package ledger
