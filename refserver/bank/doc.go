// Package bank is the reference bank's application layer: the workflows
// that span subsystems, and the rule that a customer reaches only their own
// objects.
//
// Opening an account checks the customer's KYC, opens the account in the
// ledger, makes it earn interest and links it to the customer; a transfer
// goes through the ledger, or out to another bank through clearing; setting
// up online banking checks the customer and creates the login. Each step
// carries an idempotency key derived from the request's own (see
// WithRequestKey), so a request re-run after a crash finishes the workflow
// without doing any step twice.
//
// The bank reaches the subsystems only through the ports it declares
// (ports.go): the subsystems' Services satisfy most of them as they are,
// and the adapters beside them (endofday.go, clearing.go) fit the rest. Its
// tests run the workflows on fakes.
//
// The caller comes from the context (WithCaller, CallerOf): staff reach
// every object, a customer only their own, and anyone else's is ErrNotFound,
// exactly as if it did not exist.
package bank
