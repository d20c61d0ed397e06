package ledgertest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

var modelTests = []test{
	{Name: "RandomOperationsMatchModel", Run: testRandomOperations},
}

// modelSeeds are the seeds testRandomOperations runs; a failure message
// names the seed and the step, so it reproduces.
var modelSeeds = []uint64{1, 2, 3}

// modelSteps is the number of random operations per seed.
const modelSteps = 150

func testRandomOperations(t *testing.T, f *fixture) {
	for _, seed := range modelSeeds {
		// Each seed on its own store: the fixture's store for the first.
		g := f
		if seed != modelSeeds[0] {
			g = newFixture(t, f.newStore)
		}
		RunModel(t, g.Svc, g.Vault, seed, modelSteps)
	}
}

// modelAccount is the model's view of a customer account; amounts are in
// fen.
type modelAccount struct {
	id      ledger.ID
	balance int64
	held    int64
	limit   int64
	status  ledger.Status
}

type modelHold struct {
	id      ledger.ID
	account int
	amount  int64
	status  ledger.HoldStatus
}

type modelEntry struct {
	id       ledger.ID
	changes  map[int]int64 // account index (-1: vault) -> change in fen
	reversal bool
	reversed bool
}

type model struct {
	t        *testing.T
	svc      *ledger.Service
	rng      *rand.Rand
	seed     uint64
	step     int
	vault    ledger.ID
	vaultBal int64
	accounts []*modelAccount
	holds    []*modelHold
	entries  []*modelEntry
	deposits []ledger.DepositRequest // keyed deposits that posted, for replays
}

// RunModel applies steps random operations, chosen by seed, to svc and to
// a simple model of the ledger written independently of it (balances in
// integer fen, the rules spelled out one by one), and requires every
// outcome — the error or the balances — to agree. vault is the CNY vault
// cash account of svc's chart. It is exported so that fuzz tests can drive
// it with their own seeds.
func RunModel(t *testing.T, svc *ledger.Service, vault ledger.Account, seed uint64, steps int) {
	m := &model{t: t, svc: svc, rng: rand.New(rand.NewPCG(seed, 0x5eed)), seed: seed, vault: vault.ID}
	ctx := t.Context()
	start, err := svc.Account(ctx, vault.ID)
	require.NoError(t, err)
	m.vaultBal = toFen(start.Balance.Amount)
	for i, limit := range []int64{0, 0, 5000, 0} {
		policy := ledger.NonNegative()
		if limit > 0 {
			policy = ledger.Overdraft(decimal.New(limit, -2))
		}
		a, err := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: fmt.Sprintf("model-%d-%d", seed, i),
			Product: ledger.ProductDemand, Currency: money.CNY, Policy: policy})
		require.NoError(t, err)
		m.accounts = append(m.accounts, &modelAccount{id: a.ID, limit: limit, status: ledger.StatusActive})
	}
	ops := []func(){m.deposit, m.deposit, m.withdraw, m.transfer, m.transfer, m.transfer,
		m.placeHold, m.releaseHold, m.captureHold, m.changeStatus, m.reverse, m.replay}
	for m.step = 0; m.step < steps; m.step++ {
		ops[m.rng.IntN(len(ops))]()
	}
	m.checkAll()
}

func toFen(d decimal.Decimal) int64 { return d.Shift(2).IntPart() }
func fen(n int64) money.Money       { return money.Money{Amount: decimal.New(n, -2), Currency: money.CNY} }

func (m *model) where() string { return fmt.Sprintf("seed %d step %d", m.seed, m.step) }

func (m *model) amount() int64 { return 1 + m.rng.Int64N(8000) }

// expect compares the service's error with the model's prediction.
func (m *model) expect(want, got error, op string) bool {
	m.t.Helper()
	if want == nil {
		require.NoError(m.t, got, "%s: %s", m.where(), op)
		return true
	}
	require.ErrorIs(m.t, got, want, "%s: %s", m.where(), op)
	return false
}

// admit is the model's rule for one account taking a change of delta fen
// (negative: a debit) in an ordinary posting, releasing rel fen of holds.
func (a *modelAccount) admit(delta, rel int64) error {
	switch {
	case a.status == ledger.StatusClosed:
		return ledger.ErrAccountClosed
	case a.status == ledger.StatusFrozen:
		return ledger.ErrAccountFrozen
	case delta < 0 && a.status == ledger.StatusFrozenDebits:
		return ledger.ErrAccountFrozen
	case delta < 0 && a.status == ledger.StatusDormant:
		return ledger.ErrAccountDormant
	case delta < 0 && a.balance-a.held+rel+a.limit+delta < 0:
		return ledger.ErrInsufficientFunds
	}
	return nil
}

// admitAll checks the accounts in ID order, as the stores lock them, and
// returns the first refusal.
func (m *model) admitAll(changes map[int]int64, rel map[int]int64) error {
	idx := make([]int, 0, len(changes))
	for i := range changes {
		if i >= 0 {
			idx = append(idx, i)
		}
	}
	slices.SortFunc(idx, func(x, y int) int { return ledger.CompareIDs(m.accounts[x].id, m.accounts[y].id) })
	for _, i := range idx {
		if err := m.accounts[i].admit(changes[i], rel[i]); err != nil {
			return err
		}
	}
	return nil
}

func (m *model) apply(id ledger.ID, changes map[int]int64, reversal bool) {
	for i, c := range changes {
		if i < 0 {
			m.vaultBal += c
		} else {
			m.accounts[i].balance += c
		}
	}
	m.entries = append(m.entries, &modelEntry{id: id, changes: changes, reversal: reversal})
}

func (m *model) deposit() {
	i, amt := m.rng.IntN(len(m.accounts)), m.amount()
	req := ledger.DepositRequest{AccountID: m.accounts[i].id, Amount: fen(amt), IdempotencyKey: fmt.Sprintf("dep-%d", m.step)}
	changes := map[int]int64{i: amt, -1: amt}
	want := m.admitAll(changes, nil)
	r, err := m.svc.Deposit(m.t.Context(), req)
	if m.expect(want, err, "deposit") {
		m.apply(r.Entry.ID, changes, false)
		m.deposits = append(m.deposits, req)
	}
	m.check(i)
}

func (m *model) withdraw() {
	i, amt := m.rng.IntN(len(m.accounts)), m.amount()
	changes := map[int]int64{i: -amt, -1: -amt}
	want := m.admitAll(changes, nil)
	r, err := m.svc.Withdraw(m.t.Context(), ledger.WithdrawalRequest{AccountID: m.accounts[i].id, Amount: fen(amt)})
	if m.expect(want, err, "withdraw") {
		m.apply(r.Entry.ID, changes, false)
	}
	m.check(i)
}

func (m *model) transfer() {
	i := m.rng.IntN(len(m.accounts))
	j := (i + 1 + m.rng.IntN(len(m.accounts)-1)) % len(m.accounts)
	amt := m.amount()
	changes := map[int]int64{i: -amt, j: amt}
	want := m.admitAll(changes, nil)
	r, err := m.svc.Transfer(m.t.Context(), ledger.TransferRequest{FromAccountID: m.accounts[i].id, ToAccountID: m.accounts[j].id, Amount: fen(amt)})
	if m.expect(want, err, "transfer") {
		m.apply(r.Entry.ID, changes, false)
	}
	m.check(i, j)
}

func (m *model) placeHold() {
	i, amt := m.rng.IntN(len(m.accounts)), m.amount()
	a := m.accounts[i]
	var want error
	switch {
	case a.status == ledger.StatusClosed:
		want = ledger.ErrAccountClosed
	case a.status == ledger.StatusFrozen || a.status == ledger.StatusFrozenDebits:
		want = ledger.ErrAccountFrozen
	case a.status == ledger.StatusDormant:
		want = ledger.ErrAccountDormant
	case a.balance-a.held+a.limit < amt:
		want = ledger.ErrInsufficientFunds
	}
	r, err := m.svc.PlaceHold(m.t.Context(), ledger.HoldRequest{AccountID: a.id, Amount: fen(amt)})
	if m.expect(want, err, "place hold") {
		a.held += amt
		m.holds = append(m.holds, &modelHold{id: r.Hold.ID, account: i, amount: amt, status: ledger.HoldActive})
	}
	m.check(i)
}

func (m *model) pickHold() *modelHold {
	if len(m.holds) == 0 {
		return nil
	}
	return m.holds[m.rng.IntN(len(m.holds))]
}

func (m *model) releaseHold() {
	h := m.pickHold()
	if h == nil {
		return
	}
	var want error
	if h.status == ledger.HoldCaptured {
		want = ledger.ErrHoldNotActive
	}
	_, err := m.svc.ReleaseHold(m.t.Context(), h.id)
	if m.expect(want, err, "release hold") && h.status == ledger.HoldActive {
		h.status = ledger.HoldReleased
		m.accounts[h.account].held -= h.amount
	}
	m.check(h.account)
}

func (m *model) captureHold() {
	h := m.pickHold()
	if h == nil {
		return
	}
	j := (h.account + 1 + m.rng.IntN(len(m.accounts)-1)) % len(m.accounts)
	amt := 1 + m.rng.Int64N(h.amount)
	changes := map[int]int64{h.account: -amt, j: amt}
	var want error
	if h.status != ledger.HoldActive {
		want = ledger.ErrHoldNotActive
	} else {
		want = m.admitAll(changes, map[int]int64{h.account: h.amount})
	}
	r, err := m.svc.CaptureHold(m.t.Context(), ledger.CaptureRequest{HoldID: h.id, ToAccountID: m.accounts[j].id, Amount: fen(amt)})
	if m.expect(want, err, "capture hold") {
		m.apply(r.Entry.ID, changes, false)
		m.accounts[h.account].held -= h.amount
		h.status = ledger.HoldCaptured
	}
	m.check(h.account, j)
}

func (m *model) changeStatus() {
	i := m.rng.IntN(len(m.accounts))
	a := m.accounts[i]
	to := []ledger.Status{ledger.StatusActive, ledger.StatusActive, ledger.StatusFrozen,
		ledger.StatusFrozenDebits, ledger.StatusDormant, ledger.StatusClosed}[m.rng.IntN(6)]
	var want error
	switch {
	case a.status == to:
	case a.status == ledger.StatusClosed:
		want = ledger.ErrAccountClosed
	case to == ledger.StatusDormant && a.status != ledger.StatusActive:
		want = ledger.ErrAccountFrozen
	case to == ledger.StatusClosed && (a.balance != 0 || a.held != 0):
		want = ledger.ErrAccountNotEmpty
	}
	ctx := m.t.Context()
	var err error
	switch to {
	case ledger.StatusActive:
		_, err = m.svc.Unfreeze(ctx, a.id)
	case ledger.StatusFrozen, ledger.StatusFrozenDebits:
		_, err = m.svc.Freeze(ctx, a.id, to)
	case ledger.StatusDormant:
		_, err = m.svc.MarkDormant(ctx, a.id)
	case ledger.StatusClosed:
		_, err = m.svc.Close(ctx, a.id)
	}
	if m.expect(want, err, "status to "+string(to)) {
		a.status = to
	}
	m.check(i)
}

func (m *model) reverse() {
	if len(m.entries) == 0 {
		return
	}
	e := m.entries[m.rng.IntN(len(m.entries))]
	if e.reversal {
		return
	}
	var want error
	mirror := map[int]int64{}
	for i, c := range e.changes {
		mirror[i] = -c
	}
	if e.reversed {
		want = ledger.ErrAlreadyReversed
	} else {
		want = m.admitReversal(mirror)
	}
	r, err := m.svc.Reverse(m.t.Context(), ledger.ReversalRequest{EntryID: e.id})
	if m.expect(want, err, "reverse") {
		e.reversed = true
		m.apply(r.Entry.ID, mirror, true)
	}
	for i := range e.changes {
		if i >= 0 {
			m.check(i)
		}
	}
}

// admitReversal: a reversal is refused only by a closed account.
func (m *model) admitReversal(changes map[int]int64) error {
	for i := range changes {
		if i >= 0 && m.accounts[i].status == ledger.StatusClosed {
			return ledger.ErrAccountClosed
		}
	}
	return nil
}

func (m *model) replay() {
	if len(m.deposits) == 0 {
		return
	}
	req := m.deposits[m.rng.IntN(len(m.deposits))]
	r, err := m.svc.Deposit(m.t.Context(), req)
	require.NoError(m.t, err, "%s: replayed deposit", m.where())
	require.True(m.t, r.Replayed, "%s: replayed deposit", m.where())
	m.checkAll()
}

// check compares the named accounts' balances and holds with the model.
func (m *model) check(idx ...int) {
	m.t.Helper()
	for _, i := range idx {
		a := m.accounts[i]
		got, err := m.svc.Account(m.t.Context(), a.id)
		require.NoError(m.t, err)
		require.Equal(m.t, a.balance, toFen(got.Balance.Amount), "%s: balance of account %d", m.where(), i)
		require.Equal(m.t, a.held, toFen(got.Held.Amount), "%s: held on account %d", m.where(), i)
		require.Equal(m.t, a.status, got.Status, "%s: status of account %d", m.where(), i)
	}
}

func (m *model) checkAll() {
	m.t.Helper()
	for i := range m.accounts {
		m.check(i)
	}
	v, err := m.svc.Account(m.t.Context(), m.vault)
	require.NoError(m.t, err)
	require.Equal(m.t, m.vaultBal, toFen(v.Balance.Amount), "%s: vault cash", m.where())
	tb, err := m.svc.TrialBalance(m.t.Context(), money.CNY)
	require.NoError(m.t, err)
	require.True(m.t, tb.Difference.IsZero(), "%s: trial balance", m.where())
}
