package bank

import (
	"context"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/fx"
	"github.com/bankkit/bankkit/money"
)

// Exchange is the port to foreign exchange: what the FX desk asks of it.
// *fx.Service satisfies it; this file is the only code in the layer that
// names ledger/fx.
type Exchange interface {
	Quote(ctx context.Context, r fx.QuoteRequest) (fx.Quote, error)
	Convert(ctx context.Context, r fx.ConvertRequest) (fx.ConvertReceipt, error)
	Conversion(ctx context.Context, id ledger.ID) (fx.Conversion, error)
}

// FXDesk is the reference bank's foreign-exchange counter: quotes and
// conversions for customers on their own accounts and for tellers on any,
// with the caller's ownership checked here and each conversion's
// idempotency key derived from the request's.
type FXDesk struct {
	bank *Bank
	fx   Exchange
}

// NewFXDesk returns the desk over b's accounts and the exchange.
func NewFXDesk(b *Bank, e Exchange) *FXDesk { return &FXDesk{bank: b, fx: e} }

// QuoteRequest asks what Pays converts to in Receive.
type QuoteRequest struct {
	Pays    money.Money    `json:"pays"`
	Receive money.Currency `json:"receive"`
}

// Quote fixes the rate in force for a short time. A customer's quote is
// bound to them: no one else's account can use it.
func (d *FXDesk) Quote(ctx context.Context, r QuoteRequest) (fx.Quote, error) {
	owner := ""
	if isCustomer(ctx) {
		owner = CallerOf(ctx).CustomerID
	}
	return d.fx.Quote(ctx, fx.QuoteRequest{OwnerID: owner, Pays: r.Pays, Receive: r.Receive})
}

// ConvertRequest converts Amount out of one account into another of the
// same owner's in another currency, at a quote's rate or the rate in force.
type ConvertRequest struct {
	FromAccountID string      `json:"from_account_id"`
	ToAccountID   string      `json:"to_account_id"`
	Amount        money.Money `json:"amount"`
	QuoteID       string      `json:"quote_id,omitempty"`
	Description   string      `json:"description,omitempty"`
	ExternalRef   string      `json:"external_ref,omitempty" doc:"your own reference for the conversion, unique among your entries; its ledger entry carries it (GET /v1/transfers?external_ref= finds the entry)"`
}

// Convert posts a conversion. Both accounts must be ones the caller
// reaches (a customer's own: anyone else's is ErrNotFound), and the
// destination a customer account.
func (d *FXDesk) Convert(ctx context.Context, r ConvertRequest) (fx.ConvertReceipt, error) {
	from, err := d.bank.namedAccount(ctx, "from_account_id", r.FromAccountID)
	if err != nil {
		return fx.ConvertReceipt{}, err
	}
	to, err := d.bank.namedAccount(ctx, "to_account_id", r.ToAccountID)
	if err != nil {
		return fx.ConvertReceipt{}, err
	}
	if to.Product == ledger.ProductInternal && isCustomer(ctx) {
		return fx.ConvertReceipt{}, ErrNotFound
	}
	var quote ledger.ID
	if r.QuoteID != "" {
		if quote, err = ledger.ParseID(r.QuoteID); err != nil {
			return fx.ConvertReceipt{}, invalid("quote_id", "must be a quote id")
		}
	}
	return d.fx.Convert(ctx, fx.ConvertRequest{FromAccountID: from.ID, ToAccountID: to.ID, Amount: r.Amount,
		QuoteID: quote, Description: r.Description, ExternalRef: refOf(ctx, r.ExternalRef), IdempotencyKey: keyFor(ctx, "fx-conversion")})
}

// Conversion reads a conversion the caller may reach: a customer only
// those out of their own accounts.
func (d *FXDesk) Conversion(ctx context.Context, id ledger.ID) (fx.Conversion, error) {
	c, err := d.fx.Conversion(ctx, id)
	if err != nil {
		return fx.Conversion{}, err
	}
	if !owns(ctx, c.OwnerID) {
		return fx.Conversion{}, ErrNotFound
	}
	return c, nil
}
