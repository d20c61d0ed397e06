package bank

import (
	"context"
	"errors"
	"strings"

	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
)

// ClearingInterbank adapts the ledger's clearing service to the Interbank port.
func ClearingInterbank(c *clearing.Service) Interbank { return clearingInterbank{c} }

type clearingInterbank struct{ c *clearing.Service }

func (a clearingInterbank) SendOut(ctx context.Context, p Payment) (InterbankTransfer, error) {
	t, err := a.c.TransferOut(ctx, clearing.TransferOutRequest{FromAccountID: p.FromAccountID,
		To:     clearing.ExternalAccount{BankCode: p.To.BankCode, AccountNumber: p.To.AccountNumber, Name: p.To.Name},
		Amount: p.Amount, Description: p.Description, Urgent: p.Urgent, ExternalRef: p.ExternalRef, IdempotencyKey: p.IdempotencyKey})
	return interbankOf(t), externalField(err)
}

// externalField names a refused creditor field as the API does
// (to_external.name), not as clearing's request (to.name).
func externalField(err error) error {
	var fe *fault.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	rest, ok := strings.CutPrefix(fe.Field, "to.")
	if !ok {
		return err
	}
	return &fault.FieldError{Field: "to_external." + rest, Reason: fe.Reason, Err: fe.Err}
}

func (a clearingInterbank) Transfer(ctx context.Context, id ledger.ID) (InterbankTransfer, error) {
	t, err := a.c.Transfer(ctx, id)
	return interbankOf(t), err
}

func (a clearingInterbank) TransferByRef(ctx context.Context, r ledger.ExternalRef) (InterbankTransfer, error) {
	t, err := a.c.TransferByRef(ctx, r)
	return interbankOf(t), err
}

func interbankOf(t clearing.Transfer) InterbankTransfer {
	it := InterbankTransfer{ID: t.ID, EntryID: t.EntryID, FromAccountID: t.FromAccountID,
		To:     ExternalAccount{BankCode: t.To.BankCode, AccountNumber: t.To.AccountNumber, Name: t.To.Name},
		Amount: t.Amount, Description: t.Description, Status: string(t.Status), ReturnReason: t.ReturnReason, CreatedAt: t.CreatedAt,
		ExternalRef: t.ExternalRef}
	if t.Channel != "" {
		p, why := t.Progress()
		it.Channel, it.Progress, it.Reason, it.SendAfter, it.Fee = t.Channel, string(p), why, t.SendAfter, t.Fee
	}
	return it
}
