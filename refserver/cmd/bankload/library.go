package main

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/pgledger"
	"github.com/bankkit/bankkit/money"
)

// library is the ledger used as a library on the server's database: the
// same accounts, pgledger's Service.Transfer, each with an idempotency key
// as the server passes one.
type library struct {
	svc *ledger.Service
	ids []ledger.ID
	key atomic.Int64
	run string // sets this run's keys apart from earlier runs'
}

func newLibrary(db *sqlx.DB, accounts []string, run string) (*library, error) {
	svc, err := ledger.NewService(pgledger.New(db))
	if err != nil {
		return nil, err
	}
	l := &library{svc: svc, run: run}
	for _, a := range accounts {
		id, err := ledger.ParseID(a)
		if err != nil {
			return nil, fmt.Errorf("account %q: %w", a, err)
		}
		l.ids = append(l.ids, id)
	}
	return l, nil
}

func (l *library) transfer(from, to, cents int) error {
	amount, err := money.New(decimal.New(int64(cents), -2), money.CNY)
	if err != nil {
		return err
	}
	_, err = l.svc.Transfer(context.Background(), ledger.TransferRequest{FromAccountID: l.ids[from], ToAccountID: l.ids[to],
		Amount: amount, IdempotencyKey: "bankload-lib-" + l.run + "-" + strconv.FormatInt(l.key.Add(1), 10)})
	return err
}
