package clearingtest

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/ledger/internal/suite"
	"github.com/bankkit/bankkit/ledger/iso20022"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// NewStores returns a fresh, empty backend for one test: its
// ledger.Store, clearing.Store and clearing.ReconStore, which must share
// their data (usually one value implementing all three).
type NewStores func(t *testing.T) (ledger.Store, clearing.Store, clearing.ReconStore)

// Run runs the clearing contract suite: outbound transfers, batches and
// their pacs.008, settlement, returns (pacs.004) before and after
// settlement, payment status reports (pacs.002) settling, returning and
// leaving open, inbound credits with returns of the ones that cannot be
// applied, idempotent re-uploads, invalid files and concurrent batch cuts.
// Subtests run in parallel, each on a fresh backend.
func Run(t *testing.T, newStores NewStores) {
	suite.Run(t, func(t *testing.T) *fixture { return newFixture(t, newStores) },
		outboundTests, returnTests, statusTests, inboundTests, boundTests, concurrencyTests, channelTests, refTests, classTests)
}

// RunReconciliation runs the reconciliation contract suite: statements
// (camt.053, camt.052, camt.054 and CSV, in any currency, with clearing's
// accounts made on demand) matched with the postings on a nostro account by
// reference, amount and sums, re-imports, breaks and their resolution.
// Subtests run in parallel, each on a fresh backend.
func RunReconciliation(t *testing.T, newStores NewStores) {
	suite.Run(t, func(t *testing.T) *fixture { return newFixture(t, newStores) }, reconTests, reconBoundTests, currencyTests)
}

type test = suite.Test[*fixture]

// The bank's identity in the suite's messages.
const (
	testBIC      = "BKKTCNSHXXX"
	testMemberID = "BKKT0001"
)

// fixture is a bank (see suite.Bank) and a clearing Service over one fresh
// backend, with a network that records what is sent.
type fixture struct {
	*suite.Bank
	cstore     clearing.Store
	recon      clearing.ReconStore
	net        *fakeNetwork
	clr        *clearing.Service
	settlement ledger.Account
	suspense   ledger.Account // clearing suspense
	research   ledger.Account // suspense, for unexplained items
}

func newFixture(t *testing.T, newStores NewStores, opts ...clearing.Option) *fixture {
	t.Helper()
	store, cstore, recon := newStores(t)
	f := &fixture{Bank: suite.NewBank(t, store), cstore: cstore, recon: recon, net: &fakeNetwork{}}
	f.clr = f.newService(f.net, opts...)
	f.settlement = f.chart(money.CNY, ledger.CodeSettlement)
	f.suspense = f.chart(money.CNY, ledger.CodeClearingSuspense)
	f.research = f.chart(money.CNY, ledger.CodeSuspense)
	return f
}

// newService is a clearing Service over f's backend sending through
// network, with the suite's bank identity and opts.
func (f *fixture) newService(network clearing.Network, opts ...clearing.Option) *clearing.Service {
	f.T.Helper()
	all := append([]clearing.Option{clearing.WithBankIdentity(testBIC, testMemberID), clearing.WithClock(f.Clock)}, opts...)
	c, err := clearing.NewService(f.Svc, f.cstore, f.recon, network, all...)
	require.NoError(f.T, err)
	return c
}

// Shorthands for the shared helpers.
var (
	start           = suite.Start
	cny             = suite.CNY
	usd             = suite.USD
	requireInvalid  = suite.RequireInvalid
	requirePostings = suite.RequirePostings
)

func (f *fixture) chart(c money.Currency, code string) ledger.Account {
	f.T.Helper()
	a, err := f.Svc.ChartAccount(f.Ctx, c, code)
	require.NoError(f.T, err)
	return a
}

// funded opens a CNY demand account with a cash deposit.
func (f *fixture) funded(owner, amount string) ledger.Account {
	f.T.Helper()
	a := f.Open(owner)
	f.Deposit(a.ID, amount)
	return a
}

func (f *fixture) out(from ledger.ID, amount, key string) clearing.Transfer {
	f.T.Helper()
	t, err := f.clr.TransferOut(f.Ctx, clearing.TransferOutRequest{
		FromAccountID: from, Amount: cny(amount), IdempotencyKey: key,
		To: clearing.ExternalAccount{BankCode: "0102", AccountNumber: "6222000011112222", Name: "Li Wei"},
	})
	require.NoError(f.T, err)
	return t
}

func (f *fixture) transferStatus(id ledger.ID) clearing.Status {
	f.T.Helper()
	t, err := f.clr.Transfer(f.Ctx, id)
	require.NoError(f.T, err)
	return t.Status
}

// fakeNetwork records the messages sent; set fail to refuse them.
type fakeNetwork struct {
	mu   sync.Mutex
	sent []clearing.OutboundMessage
	fail error
}

func (n *fakeNetwork) Send(ctx context.Context, m clearing.OutboundMessage) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fail != nil {
		return n.fail
	}
	n.sent = append(n.sent, clearing.OutboundMessage{MessageID: m.MessageID, Kind: m.Kind, XML: bytes.Clone(m.XML), Channel: m.Channel})
	return nil
}

func (n *fakeNetwork) messages() []clearing.OutboundMessage {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]clearing.OutboundMessage(nil), n.sent...)
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
func returnOf(t *testing.T, msgID string, reason iso20022.ReturnReason, ts ...clearing.Transfer) []byte {
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
func (f *fixture) snapshot() map[ledger.ID]string {
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
