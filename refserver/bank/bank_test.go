package bank_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/refserver/bank"
)

func newBank(t *testing.T) (*bank.Bank, *fakes) {
	t.Helper()
	f := newFakes()
	b, err := bank.New(f.ports())
	require.NoError(t, err)
	return b, f
}

// person adds a customer with a KYC status and returns their id.
func (f *fakes) person(kyc customer.KYCStatus) customer.ID {
	id := uuid.New()
	f.customers[id] = customer.Masked{ID: id, KYC: customer.KYC{Status: kyc}, Status: customer.StatusActive}
	return id
}

// demand adds a funded CNY demand account of owner.
func (f *fakes) demand(owner customer.ID) ledger.Account {
	a := ledger.Account{ID: ledger.NewID(), OwnerID: owner.String(), Product: ledger.ProductDemand, Currency: money.CNY,
		Status: ledger.StatusActive, Balance: money.MustParse("1000.00", "CNY")}
	f.accounts[a.ID] = a
	return a
}

func asCustomer(ctx context.Context, id customer.ID) context.Context {
	return bank.WithCaller(ctx, channel.Principal{Kind: channel.KindCustomer, IdentityID: uuid.New(), CustomerID: id.String()})
}

func asTeller(ctx context.Context) context.Context {
	return bank.WithCaller(ctx, channel.Principal{Kind: channel.KindStaff, IdentityID: uuid.New(), Roles: []channel.Role{channel.RoleTeller}})
}

func TestNewRefusesAMissingPort(t *testing.T) {
	t.Parallel()
	p := newFakes().ports()
	p.Interbank = nil
	_, err := bank.New(p)
	require.ErrorContains(t, err, "Interbank")
}

func TestOpeningAnAccountForAnUnverifiedCustomerOpensNothing(t *testing.T) {
	t.Parallel()
	b, f := newBank(t)
	ctx := asTeller(context.Background())
	for name, id := range map[string]customer.ID{
		"pending KYC":  f.person(customer.KYCPending),
		"rejected KYC": f.person(customer.KYCRejected),
		"unknown":      uuid.New(),
	} {
		_, err := b.OpenAccount(ctx, bank.OpenAccountRequest{CustomerID: id.String(), Product: ledger.ProductDemand, Currency: money.CNY})
		require.ErrorIs(t, err, bank.ErrCustomerNotVerified, name)
	}
	require.Empty(t, f.accounts, "no account is opened")
	require.Empty(t, f.earning)
	require.Empty(t, f.links)
}

func TestOpenAccountRunsEveryStep(t *testing.T) {
	t.Parallel()
	b, f := newBank(t)
	id := f.person(customer.KYCVerified)
	a, err := b.OpenAccount(asTeller(context.Background()),
		bank.OpenAccountRequest{CustomerID: id.String(), Product: ledger.ProductDemand, Currency: money.USD})
	require.NoError(t, err)
	require.Equal(t, id.String(), a.OwnerID)
	require.Equal(t, "demand-USD", f.earning[a.ID], "a demand account earns its currency's demand interest")
	require.Equal(t, id, f.links[a.ID.String()].CustomerID, "the account shows on the customer's record")
}

// A crash after the ledger opened the account but before the customer
// record was linked: the client's retry, with the same Idempotency-Key,
// finishes the workflow with the same account and opens no second one.
func TestOpenAccountReRunAfterACrashBetweenStepsOpensOnce(t *testing.T) {
	t.Parallel()
	b, f := newBank(t)
	id := f.person(customer.KYCVerified)
	ctx := bank.WithRequestKey(asTeller(context.Background()), "teller-1:open-7")
	req := bank.OpenAccountRequest{CustomerID: id.String(), Product: ledger.ProductDemand, Currency: money.CNY}

	f.failLinks = 1
	_, err := b.OpenAccount(ctx, req)
	require.Error(t, err)
	require.Len(t, f.accounts, 1, "the ledger step ran")
	require.Empty(t, f.links, "the crash came before the link")

	a, err := b.OpenAccount(ctx, req)
	require.NoError(t, err)
	require.Len(t, f.accounts, 1, "the re-run opened no second account")
	require.Contains(t, f.accounts, a.ID)
	require.Len(t, f.links, 1)
	require.Len(t, f.earning, 1)

	// A linked account linked again (the crash came after the link) is
	// not an error either.
	again, err := b.OpenAccount(ctx, req)
	require.NoError(t, err)
	require.Equal(t, a.ID, again.ID)
}

func TestEachStepDerivesItsOwnKeyFromTheRequestsKey(t *testing.T) {
	t.Parallel()
	b, f := newBank(t)
	id := f.person(customer.KYCVerified)
	funding := f.demand(id)
	ctx := bank.WithRequestKey(asTeller(context.Background()), "teller-1:k")
	_, err := b.OpenAccount(ctx, bank.OpenAccountRequest{CustomerID: id.String(), Product: ledger.ProductDemand, Currency: money.CNY})
	require.NoError(t, err)
	p := money.MustParse("100.00", "CNY")
	_, err = b.OpenAccount(ctx, bank.OpenAccountRequest{CustomerID: id.String(), Product: ledger.ProductTime, Currency: money.CNY,
		TermMonths: 3, Principal: &p, FundingAccountID: funding.ID.String()})
	require.NoError(t, err)
	require.Len(t, f.opened, 1)
	require.Len(t, f.deposits, 1)
	var openKey, depositKey string
	for k := range f.opened {
		openKey = k
	}
	for k := range f.deposits {
		depositKey = k
	}
	require.NotEqual(t, openKey, depositKey, "one request key, a key per step")
	require.Len(t, openKey, 64, "a fixed-length digest, not the client's text")
	require.NotContains(t, openKey, "teller-1")

	// Without a request key the steps carry none: the request asked for no
	// idempotency.
	_, err = b.OpenAccount(asTeller(context.Background()), bank.OpenAccountRequest{CustomerID: id.String(), Product: ledger.ProductDemand, Currency: money.CNY})
	require.NoError(t, err)
	require.Contains(t, f.opened, "")
}

func TestCustomersOpenAccountsOnlyForThemselves(t *testing.T) {
	t.Parallel()
	b, f := newBank(t)
	alice, bob := f.person(customer.KYCVerified), f.person(customer.KYCVerified)
	_, err := b.OpenAccount(asCustomer(context.Background(), alice),
		bank.OpenAccountRequest{CustomerID: bob.String(), Product: ledger.ProductDemand, Currency: money.CNY})
	require.ErrorIs(t, err, bank.ErrNotFound, "another customer is not found, as every object not theirs")
	require.Empty(t, f.accounts)

	a, err := b.OpenAccount(asCustomer(context.Background(), alice),
		bank.OpenAccountRequest{CustomerID: alice.String(), Product: ledger.ProductDemand, Currency: money.CNY})
	require.NoError(t, err)
	require.Equal(t, alice.String(), a.OwnerID)
}

func TestOpenAccountRefusesBadRequestsNamingTheField(t *testing.T) {
	t.Parallel()
	b, f := newBank(t)
	alice, bob := f.person(customer.KYCVerified), f.person(customer.KYCVerified)
	bobs := f.demand(bob)
	p := money.MustParse("100.00", "CNY")
	usd := money.MustParse("100.00", "USD")
	for field, req := range map[string]bank.OpenAccountRequest{
		"customer_id":        {CustomerID: "nobody", Product: ledger.ProductDemand, Currency: money.CNY},
		"product":            {CustomerID: alice.String(), Product: "loan", Currency: money.CNY},
		"currency":           {CustomerID: alice.String(), Product: ledger.ProductDemand, Currency: money.Currency("CHF")},
		"term_months":        {CustomerID: alice.String(), Product: ledger.ProductTime, Currency: money.CNY, Principal: &p, FundingAccountID: bobs.ID.String()},
		"principal":          {CustomerID: alice.String(), Product: ledger.ProductTime, Currency: money.CNY, TermMonths: 3},
		"funding_account_id": {CustomerID: alice.String(), Product: ledger.ProductTime, Currency: money.CNY, TermMonths: 3, Principal: &p, FundingAccountID: bobs.ID.String()},
	} {
		_, err := b.OpenAccount(asTeller(context.Background()), req)
		var fe *fault.FieldError
		require.ErrorAs(t, err, &fe, field)
		require.Equal(t, field, fe.Field)
		require.ErrorIs(t, err, bank.ErrInvalidInput)
	}
	_, err := b.OpenAccount(asTeller(context.Background()), bank.OpenAccountRequest{CustomerID: alice.String(), Product: ledger.ProductTime,
		Currency: money.CNY, TermMonths: 3, Principal: &usd, FundingAccountID: bobs.ID.String()})
	require.ErrorIs(t, err, ledger.ErrCurrencyMismatch)
	require.Len(t, f.accounts, 1, "only bob's own account")
	require.Empty(t, f.deposits)
}

func TestATransferGoesThroughTheLedgerOrOutThroughClearing(t *testing.T) {
	t.Parallel()
	b, f := newBank(t)
	alice, bob := f.person(customer.KYCVerified), f.person(customer.KYCVerified)
	from, to := f.demand(alice), f.demand(bob)
	ctx := bank.WithRequestKey(asCustomer(context.Background(), alice), "alice:pay-1")
	amount := money.MustParse("10.00", "CNY")

	inside, err := b.Transfer(ctx, bank.TransferRequest{FromAccountID: from.ID.String(), ToAccountID: to.ID.String(), Amount: amount})
	require.NoError(t, err)
	require.Nil(t, inside.Interbank)
	require.Equal(t, ledger.KindTransfer, inside.Entry.Kind)
	require.Empty(t, f.payments)

	out, err := b.Transfer(ctx, bank.TransferRequest{FromAccountID: from.ID.String(), Amount: amount,
		ToExternal: &bank.ExternalAccount{BankCode: "0102", AccountNumber: "6222000011112222", Name: "Li Wei"}})
	require.NoError(t, err)
	require.NotNil(t, out.Interbank)
	require.Equal(t, "Li Wei", out.Interbank.To.Name)
	require.Equal(t, out.Interbank.EntryID, out.Entry.ID, "with the entry that debited the customer")
	require.Len(t, f.posted, 1, "the ledger posted only the transfer inside the bank")

	// Both at once is refused; so is another customer's account.
	_, err = b.Transfer(ctx, bank.TransferRequest{FromAccountID: from.ID.String(), ToAccountID: to.ID.String(), Amount: amount,
		ToExternal: &bank.ExternalAccount{BankCode: "0102"}})
	require.ErrorIs(t, err, bank.ErrInvalidInput)
	_, err = b.Transfer(ctx, bank.TransferRequest{FromAccountID: to.ID.String(), ToAccountID: from.ID.String(), Amount: amount})
	require.ErrorIs(t, err, bank.ErrNotFound)
	require.Len(t, f.posted, 1)
}

func TestCustomersReachOnlyTheirOwnObjects(t *testing.T) {
	t.Parallel()
	b, f := newBank(t)
	alice, bob := f.person(customer.KYCVerified), f.person(customer.KYCVerified)
	bobs := f.demand(bob)
	tr, err := b.Transfer(asTeller(context.Background()), bank.TransferRequest{FromAccountID: bobs.ID.String(), ToAccountID: f.demand(bob).ID.String(),
		Amount: money.MustParse("1.00", "CNY")})
	require.NoError(t, err)
	out, err := b.Transfer(asTeller(context.Background()), bank.TransferRequest{FromAccountID: bobs.ID.String(), Amount: money.MustParse("1.00", "CNY"),
		ToExternal: &bank.ExternalAccount{BankCode: "0102", AccountNumber: "1", Name: "X"}})
	require.NoError(t, err)

	ctx := asCustomer(context.Background(), alice)
	for name, err := range map[string]error{
		"account":          second(b.Account(ctx, bobs.ID)),
		"transfer":         second(b.FindTransfer(ctx, tr.Entry.ID)),
		"interbank":        second(b.FindTransfer(ctx, out.Interbank.ID)),
		"customer":         second(b.Customer(ctx, bob)),
		"complaints":       second(b.Complaints(ctx, bob)),
		"accounts":         second(b.CustomerAccounts(ctx, bob)),
		"close":            second(b.CloseAccount(ctx, bobs.ID)),
		"online banking":   second(b.SetUpOnlineBanking(ctx, bob, "bob", "bob's long password")),
		"missing transfer": second(b.FindTransfer(ctx, ledger.NewID())),
	} {
		require.ErrorIs(t, err, bank.ErrNotFound, name)
	}
	require.Equal(t, ledger.StatusActive, f.accounts[bobs.ID].Status)
	require.Empty(t, f.logins)

	// Staff reach everything.
	got, err := b.FindTransfer(asTeller(context.Background()), out.Interbank.ID)
	require.NoError(t, err)
	require.Equal(t, out.Interbank.ID, got.Interbank.ID)
}

func second[T any](_ T, err error) error { return err }

func TestOnlineBankingIsSetUpOnlyForAnExistingCustomer(t *testing.T) {
	t.Parallel()
	b, f := newBank(t)
	_, err := b.SetUpOnlineBanking(asTeller(context.Background()), uuid.New(), "ghost", "a long password")
	require.True(t, errors.Is(err, customer.ErrNotFound))
	require.Empty(t, f.logins, "no login for nobody")

	id := f.person(customer.KYCPending)
	ident, err := b.SetUpOnlineBanking(asTeller(context.Background()), id, "amy", "a long password")
	require.NoError(t, err)
	require.Equal(t, id.String(), ident.CustomerID)
}

func TestClosingATimeDepositPaysItOut(t *testing.T) {
	t.Parallel()
	b, f := newBank(t)
	id := f.person(customer.KYCVerified)
	p := money.MustParse("100.00", "CNY")
	td, err := b.OpenAccount(asTeller(context.Background()), bank.OpenAccountRequest{CustomerID: id.String(), Product: ledger.ProductTime,
		Currency: money.CNY, TermMonths: 12, Principal: &p, FundingAccountID: f.demand(id).ID.String()})
	require.NoError(t, err)
	closed, err := b.CloseAccount(asTeller(context.Background()), td.ID)
	require.NoError(t, err)
	require.Equal(t, []ledger.ID{td.ID}, f.closed, "paid out by end of day's rule, not closed in the ledger")
	require.Equal(t, ledger.StatusClosed, closed.Status)

	demand := f.demand(id)
	_, err = b.CloseAccount(asTeller(context.Background()), demand.ID)
	require.NoError(t, err)
	require.Len(t, f.closed, 1)
	require.Equal(t, ledger.StatusClosed, f.accounts[demand.ID].Status)
}

func TestCustomersCannotChangeWhatTheBankDecides(t *testing.T) {
	t.Parallel()
	b, f := newBank(t)
	id := f.person(customer.KYCVerified)
	name := "Someone Else"
	_, err := b.UpdateCustomer(asCustomer(context.Background(), id), id, 1, customer.Patch{FullName: &name})
	require.ErrorIs(t, err, bank.ErrForbidden)
	require.ErrorContains(t, err, "full_name")
}
