package bank

import (
	"context"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
)

// ClearingInterbank adapts the ledger's clearing service to the Interbank port.
func ClearingInterbank(c *clearing.Service) Interbank { return clearingInterbank{c} }

type clearingInterbank struct{ c *clearing.Service }

func (a clearingInterbank) SendOut(ctx context.Context, p Payment) (InterbankTransfer, error) {
	t, err := a.c.TransferOut(ctx, clearing.TransferOutRequest{FromAccountID: p.FromAccountID,
		To:     clearing.ExternalAccount{BankCode: p.To.BankCode, AccountNumber: p.To.AccountNumber, Name: p.To.Name},
		Amount: p.Amount, Description: p.Description, IdempotencyKey: p.IdempotencyKey})
	return interbankOf(t), err
}

func (a clearingInterbank) Transfer(ctx context.Context, id ledger.ID) (InterbankTransfer, error) {
	t, err := a.c.Transfer(ctx, id)
	return interbankOf(t), err
}

func interbankOf(t clearing.Transfer) InterbankTransfer {
	return InterbankTransfer{ID: t.ID, EntryID: t.EntryID, FromAccountID: t.FromAccountID,
		To:     ExternalAccount{BankCode: t.To.BankCode, AccountNumber: t.To.AccountNumber, Name: t.To.Name},
		Amount: t.Amount, Description: t.Description, Status: string(t.Status), ReturnReason: t.ReturnReason, CreatedAt: t.CreatedAt}
}
