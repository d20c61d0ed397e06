package bank_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/refserver/bank"
)

// Without a class, staff open a class I account, then class II accounts
// bound to it; a customer opening their own gets class II; a named class
// is kept, and class I is for staff only.
func TestOpenAccountDefaultClasses(t *testing.T) {
	t.Parallel()
	b, f := newBank(t)
	id := f.person(customer.KYCVerified)
	teller := asTeller(context.Background())
	req := bank.OpenAccountRequest{CustomerID: id.String(), Product: ledger.ProductDemand, Currency: money.CNY}

	one, err := b.OpenAccount(bank.WithRequestKey(teller, "k1"), req)
	require.NoError(t, err)
	require.Equal(t, ledger.ClassI, one.Class)
	two, err := b.OpenAccount(bank.WithRequestKey(teller, "k2"), req)
	require.NoError(t, err)
	require.Equal(t, ledger.ClassII, two.Class)
	require.Equal(t, []ledger.ID{one.ID}, two.Bound)
	// Re-run with its key (a crash after the ledger step), the request
	// finds the same account.
	again, err := b.OpenAccount(bank.WithRequestKey(teller, "k2"), req)
	require.NoError(t, err)
	require.Equal(t, two.ID, again.ID)
	again, err = b.OpenAccount(bank.WithRequestKey(teller, "k1"), req)
	require.NoError(t, err)
	require.Equal(t, one.ID, again.ID)
	require.Len(t, f.accounts, 2)

	// USD has a class I of its own.
	usd := req
	usd.Currency = money.USD
	a, err := b.OpenAccount(bank.WithRequestKey(teller, "k3"), usd)
	require.NoError(t, err)
	require.Equal(t, ledger.ClassI, a.Class)

	self := asCustomer(context.Background(), id)
	own, err := b.OpenAccount(bank.WithRequestKey(self, "k4"), req)
	require.NoError(t, err)
	require.Equal(t, ledger.ClassII, own.Class)
	require.Equal(t, []ledger.ID{one.ID}, own.Bound)
	three := req
	three.Class, three.BoundAccountIDs = ledger.ClassIII, []string{one.ID.String()}
	got, err := b.OpenAccount(bank.WithRequestKey(self, "k5"), three)
	require.NoError(t, err)
	require.Equal(t, ledger.ClassIII, got.Class)

	for name, c := range map[string]struct {
		ctx   context.Context
		r     bank.OpenAccountRequest
		field string
	}{
		"class I by a customer": {self, bank.OpenAccountRequest{CustomerID: id.String(), Product: ledger.ProductDemand, Currency: money.CNY, Class: ledger.ClassI}, "class"},
		"bound without a class": {teller, bank.OpenAccountRequest{CustomerID: id.String(), Product: ledger.ProductDemand, Currency: money.CNY, BoundAccountIDs: []string{one.ID.String()}}, "bound_account_ids"},
		"bound not an id":       {teller, bank.OpenAccountRequest{CustomerID: id.String(), Product: ledger.ProductDemand, Currency: money.CNY, Class: ledger.ClassII, BoundAccountIDs: []string{"x"}}, "bound_account_ids[0]"},
		"class on a time deposit": {teller, bank.OpenAccountRequest{CustomerID: id.String(), Product: ledger.ProductTime, Currency: money.CNY, Class: ledger.ClassII,
			TermMonths: 12, FundingAccountID: one.ID.String(), Principal: ptr(money.MustParse("100.00", "CNY"))}, "class"},
	} {
		_, err := b.OpenAccount(c.ctx, c.r)
		requireField(t, err, c.field, name)
	}
}

func ptr[T any](v T) *T { return &v }

// requireField checks that err is bad input naming field.
func requireField(t *testing.T, err error, field, msg string) {
	t.Helper()
	var fe *fault.FieldError
	require.ErrorAs(t, err, &fe, msg)
	require.Equal(t, field, fe.Field, msg)
}
