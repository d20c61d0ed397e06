package ledger

import (
	"context"
	"fmt"
	"unicode/utf8"

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
// Service. It is safe for concurrent use.
type Clearing struct {
	svc     *Service
	store   ClearingStore
	network ClearingNetwork

	bic        string
	memberID   string
	name       string
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
// one is required before transfers go out.
func WithBankIdentity(bic, memberID, name string) ClearingOption {
	return func(c *Clearing) { c.bic, c.memberID, c.name = bic, memberID, name }
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
	case utf8.RuneCountInString(c.name) > 140:
		c.configErr = invalid("bank_identity.name", "is longer than 140 characters")
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
