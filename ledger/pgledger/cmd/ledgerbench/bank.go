package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/pgledger"
	"github.com/bankkit/bankkit/money"
)

// bank is the ledger under test: a Service on pgledger with customer
// accounts funded well beyond what the run can spend, so no transfer is
// refused for want of money.
type bank struct {
	svc      *ledger.Service
	accounts []ledger.ID
}

// openingBalance is each account's first deposit.
var openingBalance = money.MustParse("1000000.00", "CNY")

// setupBank migrates the ledger schema, sets up the chart and opens and
// funds n accounts from 16 goroutines. db should not wait for fsync at
// commit: set-up is not what is measured.
func setupBank(ctx context.Context, db *sqlx.DB, n int) (*bank, error) {
	if err := pgledger.Migrate(ctx, db); err != nil {
		return nil, err
	}
	svc, err := ledger.NewService(pgledger.New(db))
	if err != nil {
		return nil, err
	}
	if _, err := svc.SetupChart(ctx, money.CNY); err != nil {
		return nil, fmt.Errorf("set up chart: %w", err)
	}
	b := &bank{svc: svc, accounts: make([]ledger.ID, n)}
	const workers = 16
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				a, err := svc.OpenAccount(ctx, ledger.OpenAccountRequest{
					OwnerID: "bench-" + strconv.Itoa(i), Product: ledger.ProductDemand, Currency: money.CNY})
				if err != nil {
					errs <- fmt.Errorf("open account %d: %w", i, err)
					return
				}
				if _, err := svc.Deposit(ctx, ledger.DepositRequest{AccountID: a.ID, Amount: openingBalance}); err != nil {
					errs <- fmt.Errorf("fund account %d: %w", i, err)
					return
				}
				b.accounts[i] = a.ID
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	return b, nil
}

// withService returns a bank that posts through svc instead, on the same
// accounts: the measured runs use a pool without the set-up shortcuts.
func (b *bank) withService(svc *ledger.Service) *bank {
	return &bank{svc: svc, accounts: b.accounts}
}

// smallAmount is between 0.01 and 1.00 CNY.
func smallAmount() money.Money {
	return money.Money{Amount: decimal.New(int64(1+rand.IntN(100)), -2), Currency: money.CNY}
}

// randomPair returns two different accounts, uniformly.
func (b *bank) randomPair() (ledger.ID, ledger.ID) {
	i := rand.IntN(len(b.accounts))
	j := rand.IntN(len(b.accounts) - 1)
	if j >= i {
		j++
	}
	return b.accounts[i], b.accounts[j]
}

// transfer is one transfer between two random customer accounts.
func (b *bank) transfer(ctx context.Context, _ int) (int, error) {
	from, to := b.randomPair()
	_, err := b.svc.Transfer(ctx, ledger.TransferRequest{FromAccountID: from, ToAccountID: to, Amount: smallAmount()})
	return 1, err
}

// depositFromVault is one cash deposit: it debits the bank's vault cash
// account, so every transaction of the run touches that one account.
func (b *bank) depositFromVault(ctx context.Context, _ int) (int, error) {
	to := b.accounts[rand.IntN(len(b.accounts))]
	_, err := b.svc.Deposit(ctx, ledger.DepositRequest{AccountID: to, Amount: smallAmount()})
	return 1, err
}

// transferBatch returns an op posting size random transfers in one call.
func (b *bank) transferBatch(size int) op {
	return func(ctx context.Context, _ int) (int, error) {
		reqs := make([]ledger.TransferRequest, size)
		for i := range reqs {
			from, to := b.randomPair()
			reqs[i] = ledger.TransferRequest{FromAccountID: from, ToAccountID: to, Amount: smallAmount()}
		}
		results, err := b.svc.TransferBatch(ctx, reqs)
		if err != nil {
			return 0, err
		}
		for i, r := range results {
			if r.Err != nil {
				return 0, fmt.Errorf("batch transfer %d: %w", i, r.Err)
			}
		}
		return size, nil
	}
}
