package ledger

import (
	"context"
	"fmt"

	"github.com/bankkit/bankkit/money"
)

// ClearingNetwork is the port to the clearing house: a bank plugs in its
// real connection; ledger/iso20022 writes what it carries. Send must be
// idempotent by MessageID: the Clearing may send a message again after a
// crash or a failed call.
type ClearingNetwork interface {
	Send(ctx context.Context, m OutboundMessage) error
}

// OutboundMessage is one ISO 20022 message for the clearing house.
type OutboundMessage struct {
	MessageID string
	Kind      string // "pacs.008" or "pacs.004"
	XML       []byte
}

// Clearing runs inter-bank transfers and nostro reconciliation over a
// Service: it moves money between this bank and others through a clearing
// house, in ISO 20022 messages. It is safe for concurrent use.
//
// An outbound ClearingTransfer debits the customer at once and credits
// clearing suspense: the money is in flight, status pending_clearing.
// CutBatch gathers the pending transfers of one currency into a
// ClearingBatch and sends it as one pacs.008; its transfers are batched.
// When the clearing house confirms, Settle moves the batch total from
// clearing suspense to the settlement (nostro) account and the transfers
// are settled. A payment the other side rejects or returns (pacs.004) goes
// back to the customer with the reason: status returned.
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
// ImportStatement (and ImportCamt053, ImportCSV) reconciles the statement
// of a nostro account with its postings; ResolveBreak settles what is left
// with an authorised adjustment.
//
// Every posting goes through the Service with a key derived from the
// record it belongs to (clearing/out/<key>, clearing/batch/<id>/settle,
// clearing/<transfer id>/return, clearing/in/<message>/<n>), so a step cut
// short by a crash is finished by running the operation again.
type Clearing struct {
	svc     *Service
	store   ClearingStore
	network ClearingNetwork

	bic        string
	memberID   string
	batchLimit int
	window     int // reconciliation value-date window, days
	configErr  error
}

// ClearingOption configures a Clearing.
type ClearingOption func(*Clearing)

// Defaults of the options.
const (
	DefaultBatchLimit  = 1000 // transfers per batch
	DefaultMatchWindow = 2    // days either side of a value date
)

// WithBankIdentity sets the bank's BIC and its member id in the clearing
// system, as they appear as debtor agent in outbound messages; at least
// one is required.
func WithBankIdentity(bic, memberID string) ClearingOption {
	return func(c *Clearing) { c.bic, c.memberID = bic, memberID }
}

// WithBatchLimit sets the most transfers CutBatch puts in one batch (1 to
// 10000).
func WithBatchLimit(n int) ClearingOption {
	return func(c *Clearing) {
		if n < 1 || n > 10000 {
			c.configErr = invalid("batch_limit", "must be 1 to 10000")
			return
		}
		c.batchLimit = n
	}
}

// WithMatchWindow sets how many days a statement line's value date may
// differ from a posting's when they are matched by amount (0 to 30).
func WithMatchWindow(days int) ClearingOption {
	return func(c *Clearing) {
		if days < 0 || days > 30 {
			c.configErr = invalid("match_window", "must be 0 to 30 days")
			return
		}
		c.window = days
	}
}

// NewClearing returns a Clearing that posts through svc, keeps its records
// in store and sends messages through network. A bad option is returned by
// every operation as ErrInvalidInput.
func NewClearing(svc *Service, store ClearingStore, network ClearingNetwork, opts ...ClearingOption) *Clearing {
	c := &Clearing{svc: svc, store: store, network: network, batchLimit: DefaultBatchLimit, window: DefaultMatchWindow}
	for _, o := range opts {
		o(c)
	}
	switch {
	case c.configErr != nil:
	case svc == nil || store == nil || network == nil:
		c.configErr = invalid("clearing", "needs a Service, a ClearingStore and a ClearingNetwork")
	case c.bic == "" && c.memberID == "":
		c.configErr = invalid("bank_identity", "give the bank's BIC or clearing member id (WithBankIdentity)")
	}
	return c
}

// internal returns the ID of the chart account code in currency cur.
func (c *Clearing) internal(ctx context.Context, cur money.Currency, code string) (ID, error) {
	a, err := c.svc.ChartAccount(ctx, cur, code)
	if err != nil {
		return NilID, fmt.Errorf("clearing needs the %s chart: %w", cur, err)
	}
	return a.ID, nil
}
