package bank

import (
	"context"
	"errors"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/endofday"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
)

// EndOfDayDeposits adapts the ledger's end of day, which keeps the interest
// products and the time deposits, to the Deposits port.
func EndOfDayDeposits(eod *endofday.Service) Deposits { return endOfDayDeposits{eod} }

type endOfDayDeposits struct{ eod *endofday.Service }

func (d endOfDayDeposits) DefineProduct(ctx context.Context, code string, p interest.Product) error {
	return d.eod.SetInterestProduct(ctx, code, p)
}

func (d endOfDayDeposits) EarnInterest(ctx context.Context, accountID ledger.ID, product string) error {
	_, err := d.eod.AssignInterestProduct(ctx, accountID, product)
	if errors.Is(err, ledger.ErrDuplicate) {
		return nil
	}
	return err
}

func (d endOfDayDeposits) OpenTimeDeposit(ctx context.Context, t TimeDeposit) (ledger.ID, error) {
	r, err := d.eod.OpenTimeDeposit(ctx, endofday.OpenTimeDepositRequest{DemandAccountID: t.FundingAccountID, Principal: t.Principal,
		TermMonths: t.TermMonths, ProductCode: t.Product, Instruction: t.Instruction, ExternalRef: t.ExternalRef,
		IdempotencyKey: t.IdempotencyKey})
	return r.Deposit.ID, err
}

func (d endOfDayDeposits) RenewTimeDeposit(ctx context.Context, id ledger.ID, termMonths int, instr interest.Instruction) error {
	_, err := d.eod.RenewHeldTimeDeposit(ctx, id, termMonths, instr)
	return err
}

func (d endOfDayDeposits) CloseTimeDeposit(ctx context.Context, id ledger.ID) error {
	_, _, err := d.eod.CloseTimeDepositEarly(ctx, id)
	return err
}

func (d endOfDayDeposits) WithdrawTimeDepositPart(ctx context.Context, id ledger.ID, amount money.Money) error {
	_, _, err := d.eod.WithdrawTimeDepositPart(ctx, id, amount)
	return err
}
