// Package clearing moves money between this bank and others through a
// clearing house, in ISO 20022 messages, and reconciles the bank's nostro
// account with its correspondent's statements. It posts through a
// ledger.Service, so every posting keeps the ledger's rules, idempotency
// and events.
//
//	clr, err := clearing.NewService(svc, store, store, network,
//		clearing.WithBankIdentity("BKKTCNSHXXX", "999001"))
//
// where store is a backend implementing Store and ReconStore (memledger
// and pgledger do), and network is the bank's connection to the clearing
// house (FileNetwork for one that exchanges files).
//
// An outbound Transfer debits the customer at once and credits clearing
// suspense: the money is in flight, status pending_clearing. CutBatch
// gathers the pending transfers of one currency into a Batch and sends it
// as one pacs.008; its transfers are batched. When the clearing house
// confirms, Settle moves the batch total from clearing suspense to the
// settlement (nostro) account and the transfers are settled. A payment the
// other side rejects or returns (pacs.004) goes back to the customer with
// the reason: status returned.
//
//	pending_clearing -> batched -> settled
//	                        \          \
//	                         -> returned <-
//
// Inbound credits (a pacs.008 from the clearing house) are credited to the
// beneficiaries by account number, against the settlement account; a
// payment to an unknown, closed or frozen account is sent back in a
// pacs.004, never parked.
//
// A pacs.002 payment status report on a batch (Receive) returns each
// rejected transfer to its customer with the reason, by the path a pacs.004
// return takes; settles the batch once the report accepts every transfer
// left in it; and leaves pending ones, and their batch, as they are.
// Settlement stays per batch (one entry for the batch's total less its
// returns), as the clearing house settles it.
//
// ImportStatement (and ImportBankToCustomer for camt.053, camt.052 and
// camt.054, ImportCamt053, ImportCSV) reconciles the statement of a nostro
// account with its postings; ResolveBreak settles what is left with an
// authorised adjustment. Clearing's accounts (settlement, clearing
// suspense, suspense) are made on demand in the currency of the message or
// statement at hand, or up front with SetUpCurrency, so any ISO 4217
// currency can be cleared and reconciled; a currency other than the
// account's is ledger.ErrCurrencyMismatch wherever it is found.
//
// Every posting carries a key derived from the record it belongs to
// (clearing/out/<key>, clearing/batch/<id>/settle, clearing/<transfer
// id>/return, clearing/in/<message>/<n>; a pacs.002 uses the return and
// settle keys), so a step cut short by a crash
// is finished by running the operation again.
//
// With WithChannels a bank routes its transfers in one currency to
// inter-bank channels, as data (DefaultChannels: CNAPS's HVPS large-value,
// BEPS bulk and IBPS online): by amount and urgency (Channels.Route), each
// channel with its per-item limit, hours and batch cut-offs on the business
// calendar, fee, and settlement and clearing suspense accounts of its own.
// A transfer after its channel's cut-off waits (Transfer.SendAfter);
// SendDue sends what is due. A bank without channels keeps the one network.
//
// The package clearing/clearingtest holds the contract suites a backend
// passes.
package clearing
