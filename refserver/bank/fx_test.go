package bank_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/fx"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/refserver/bank"
)

// exchange is a fake of the Exchange port: it records what it is asked.
type exchange struct {
	quotes      []fx.QuoteRequest
	conversions []fx.ConvertRequest
	records     map[ledger.ID]fx.Conversion
}

func (e *exchange) Quote(_ context.Context, r fx.QuoteRequest) (fx.Quote, error) {
	e.quotes = append(e.quotes, r)
	return fx.Quote{ID: ledger.NewID(), OwnerID: r.OwnerID, Pays: r.Pays}, nil
}

func (e *exchange) Convert(_ context.Context, r fx.ConvertRequest) (fx.ConvertReceipt, error) {
	e.conversions = append(e.conversions, r)
	return fx.ConvertReceipt{Conversion: fx.Conversion{ID: ledger.NewID(), FromAccountID: r.FromAccountID}}, nil
}

func (e *exchange) Conversion(_ context.Context, id ledger.ID) (fx.Conversion, error) {
	c, ok := e.records[id]
	if !ok {
		return fx.Conversion{}, ledger.ErrNotFound
	}
	return c, nil
}

func TestFXDeskKeepsCustomersToTheirOwnAccounts(t *testing.T) {
	t.Parallel()
	b, f := newBank(t)
	ex := &exchange{records: map[ledger.ID]fx.Conversion{}}
	desk := bank.NewFXDesk(b, ex)
	alice, bob := f.person(customer.KYCVerified), f.person(customer.KYCVerified)
	aliceCNY, aliceUSD, bobCNY := f.demand(alice), f.demand(alice), f.demand(bob)
	ctx := bank.WithRequestKey(asCustomer(context.Background(), alice), "alice/k1")
	usd := money.MustParse("10.00", "USD")

	// A customer's quote is bound to them; a teller's to no one.
	_, err := desk.Quote(ctx, bank.QuoteRequest{Pays: usd, Receive: money.CNY})
	require.NoError(t, err)
	_, err = desk.Quote(asTeller(context.Background()), bank.QuoteRequest{Pays: usd, Receive: money.CNY})
	require.NoError(t, err)
	require.Equal(t, alice.String(), ex.quotes[0].OwnerID)
	require.Empty(t, ex.quotes[1].OwnerID)

	// Into or out of someone else's account: not found, nothing asked.
	for _, r := range []bank.ConvertRequest{
		{FromAccountID: aliceUSD.ID.String(), ToAccountID: bobCNY.ID.String(), Amount: usd},
		{FromAccountID: bobCNY.ID.String(), ToAccountID: aliceUSD.ID.String(), Amount: usd},
	} {
		_, err := desk.Convert(ctx, r)
		require.ErrorIs(t, err, bank.ErrNotFound)
	}
	require.Empty(t, ex.conversions)
	_, err = desk.Convert(ctx, bank.ConvertRequest{FromAccountID: aliceUSD.ID.String(), ToAccountID: aliceCNY.ID.String(), Amount: usd, QuoteID: "nope"})
	require.ErrorIs(t, err, bank.ErrInvalidInput)

	// Her own: the key is derived from the request's, the same on a re-run
	// and another for another request.
	r := bank.ConvertRequest{FromAccountID: aliceUSD.ID.String(), ToAccountID: aliceCNY.ID.String(), Amount: usd}
	_, err = desk.Convert(ctx, r)
	require.NoError(t, err)
	_, err = desk.Convert(ctx, r)
	require.NoError(t, err)
	_, err = desk.Convert(bank.WithRequestKey(asCustomer(context.Background(), alice), "alice/k2"), r)
	require.NoError(t, err)
	require.Len(t, ex.conversions, 3)
	require.NotEmpty(t, ex.conversions[0].IdempotencyKey)
	require.NotEqual(t, "alice/k1", ex.conversions[0].IdempotencyKey, "never the client's key as it is")
	require.Equal(t, ex.conversions[0].IdempotencyKey, ex.conversions[1].IdempotencyKey)
	require.NotEqual(t, ex.conversions[0].IdempotencyKey, ex.conversions[2].IdempotencyKey)

	// A conversion is read only by its owner (or staff).
	id := ledger.NewID()
	ex.records[id] = fx.Conversion{ID: id, OwnerID: bob.String()}
	_, err = desk.Conversion(ctx, id)
	require.ErrorIs(t, err, bank.ErrNotFound)
	_, err = desk.Conversion(asCustomer(context.Background(), bob), id)
	require.NoError(t, err)
	_, err = desk.Conversion(asTeller(context.Background()), id)
	require.NoError(t, err)
}
