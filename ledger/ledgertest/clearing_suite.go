package ledgertest

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/internal/suite"
	"github.com/bankkit/bankkit/ledger/iso20022"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// NewClearingStores returns a fresh, empty backend for one test: its
// ledger.Store and its ledger.ClearingStore, which must share their data
// (usually one value implementing both).
type NewClearingStores func(t *testing.T) (ledger.Store, ledger.ClearingStore)

// RunClearing runs the clearing and reconciliation contract suite:
// outbound transfers, batches and their pacs.008, settlement, returns
// (pacs.004) before and after settlement, inbound credits with returns of
// the ones that cannot be applied, idempotent re-uploads, invalid files,
// concurrent batch cuts, and statement reconciliation (camt.053 and CSV).
// Subtests run in parallel, each on a fresh backend.
func RunClearing(t *testing.T, newStores NewClearingStores) {
	suite.Run(t, func(t *testing.T) *clearingFixture { return newClearingFixture(t, newStores) },
		clearingOutboundTests, clearingReturnTests, clearingInboundTests, clearingConcurrencyTests, reconTests)
}

type clearingTest = suite.Test[*clearingFixture]

// The bank's identity in the suite's messages.
const (
	testBIC      = "BKKTCNSHXXX"
	testMemberID = "BKKT0001"
)

// clearingFixture is a Service and a Clearing over one fresh backend, with
// a manual clock, the CNY chart and a network that records what is sent.
type clearingFixture struct {
	*fixture
	cstore     ledger.ClearingStore
	net        *fakeNetwork
	clr        *ledger.Clearing
	settlement ledger.Account
	suspense   ledger.Account // clearing suspense
	research   ledger.Account // suspense, for unexplained items
}

func newClearingFixture(t *testing.T, newStores NewClearingStores, opts ...ledger.ClearingOption) *clearingFixture {
	t.Helper()
	store, cstore := newStores(t)
	base := &fixture{Bank: suite.NewBank(t, store), newStore: func(*testing.T) ledger.Store { return store }}
	f := &clearingFixture{fixture: base, cstore: cstore, net: &fakeNetwork{}}
	f.clr = ledger.NewClearing(base.Svc, cstore, f.net,
		append([]ledger.ClearingOption{ledger.WithBankIdentity(testBIC, testMemberID)}, opts...)...)
	f.settlement = f.chart(money.CNY, ledger.CodeSettlement)
	f.suspense = f.chart(money.CNY, ledger.CodeClearingSuspense)
	f.research = f.chart(money.CNY, ledger.CodeSuspense)
	return f
}

func (f *clearingFixture) chart(c money.Currency, code string) ledger.Account {
	f.T.Helper()
	a, err := f.Svc.ChartAccount(f.Ctx, c, code)
	require.NoError(f.T, err)
	return a
}

// funded opens a CNY demand account with a cash deposit.
func (f *clearingFixture) funded(owner, amount string) ledger.Account {
	f.T.Helper()
	a := f.Open(owner)
	f.Deposit(a.ID, amount)
	return a
}

func (f *clearingFixture) out(from ledger.ID, amount, key string) ledger.ClearingTransfer {
	f.T.Helper()
	t, err := f.clr.TransferOut(f.Ctx, ledger.TransferOutRequest{
		FromAccountID: from, Amount: cny(amount), IdempotencyKey: key,
		To: ledger.ExternalAccount{BankCode: "0102", AccountNumber: "6222000011112222", Name: "Li Wei"},
	})
	require.NoError(f.T, err)
	return t
}

func (f *clearingFixture) transferStatus(id ledger.ID) ledger.ClearingStatus {
	f.T.Helper()
	t, err := f.clr.Transfer(f.Ctx, id)
	require.NoError(f.T, err)
	return t.Status
}

// fakeNetwork records the messages sent; set fail to refuse them.
type fakeNetwork struct {
	mu   sync.Mutex
	sent []ledger.OutboundMessage
	fail error
}

func (n *fakeNetwork) Send(ctx context.Context, m ledger.OutboundMessage) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fail != nil {
		return n.fail
	}
	n.sent = append(n.sent, ledger.OutboundMessage{MessageID: m.MessageID, Kind: m.Kind, XML: bytes.Clone(m.XML)})
	return nil
}

func (n *fakeNetwork) messages() []ledger.OutboundMessage {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]ledger.OutboundMessage(nil), n.sent...)
}

func (n *fakeNetwork) setFail(err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.fail = err
}

// inboundTx is one payment of a pacs.008 the suite receives.
type inboundTx struct {
	ref     string // end-to-end and transaction id
	account string
	amount  string
}

// inboundCredits writes a pacs.008 from another bank to us.
func inboundCredits(t *testing.T, msgID string, txs ...inboundTx) []byte {
	t.Helper()
	b := iso20022.CreditTransferBatch{Header: iso20022.GroupHeader{
		MessageID: msgID, CreatedAt: start, NumberOfTransactions: len(txs), TotalAmount: cny("0"),
		SettlementDate: calendar.DateOf(start), SettlementMethod: iso20022.SettlementClearing,
	}}
	for _, tx := range txs {
		b.Header.TotalAmount.Amount = b.Header.TotalAmount.Amount.Add(cny(tx.amount).Amount)
		b.Transactions = append(b.Transactions, iso20022.CreditTransfer{
			EndToEndID: tx.ref, TransactionID: tx.ref, Amount: cny(tx.amount), ChargeBearer: iso20022.ChargesSLEV,
			Debtor: iso20022.Party{Name: "Zhang San"}, DebtorAgent: iso20022.Agent{MemberID: "0102"},
			CreditorAgent: iso20022.Agent{BIC: testBIC}, Creditor: iso20022.Party{Name: "Customer"},
			CreditorAccount: iso20022.Account{Other: tx.account}, RemittanceInfo: []string{"Invoice " + tx.ref},
		})
	}
	var buf bytes.Buffer
	require.NoError(t, iso20022.WriteCreditTransfer(&buf, b))
	return buf.Bytes()
}

// returnOf writes a pacs.004 returning our transfers with a reason.
func returnOf(t *testing.T, msgID string, reason iso20022.ReturnReason, ts ...ledger.ClearingTransfer) []byte {
	t.Helper()
	r := iso20022.PaymentReturn{Header: iso20022.GroupHeader{
		MessageID: msgID, CreatedAt: start, NumberOfTransactions: len(ts), TotalAmount: cny("0"),
		SettlementDate: calendar.DateOf(start), SettlementMethod: iso20022.SettlementClearing,
	}}
	for i, tr := range ts {
		r.Header.TotalAmount.Amount = r.Header.TotalAmount.Amount.Add(tr.Amount.Amount)
		r.Transactions = append(r.Transactions, iso20022.ReturnedTransaction{
			ReturnID: msgID + "-" + string(rune('A'+i)), OriginalEndToEndID: tr.EndToEndID,
			ReturnedAmount: tr.Amount, Reason: reason, AdditionalInfo: []string{"returned by the suite"},
		})
	}
	var buf bytes.Buffer
	require.NoError(t, iso20022.WritePaymentReturn(&buf, r))
	return buf.Bytes()
}

// snapshot returns every CNY account's balance, to show that a refused
// request changed nothing.
func (f *clearingFixture) snapshot() map[ledger.ID]string {
	f.T.Helper()
	accounts, err := f.Store.AccountBalances(f.Ctx, money.CNY)
	require.NoError(f.T, err)
	out := make(map[ledger.ID]string, len(accounts))
	for _, a := range accounts {
		out[a.ID] = a.Balance.ValueString()
	}
	return out
}

var errNetworkDown = errors.New("network down")

func decimalOf(n int) decimal.Decimal { return decimal.NewFromInt(int64(n)) }
