package bank

import (
	"context"
	"sync"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

// profile is what a transfer checks of an account before the ledger
// posts: who owns it, its currency, and whether it is one of the bank's
// own. None of them changes once the account is open, so they are kept
// after the first read and a transfer reads no account at all; what does
// change (status, balance, limits) the ledger checks in the posting
// itself.
type profile struct {
	OwnerID  string
	Currency money.Currency
	Internal bool
}

// maxProfiles bounds the profiles kept; a full cache starts again empty.
const maxProfiles = 100000

type profiles struct {
	mu sync.Mutex
	m  map[ledger.ID]profile
}

// profileOf returns the profile of account id, read once.
func (b *Bank) profileOf(ctx context.Context, id ledger.ID) (profile, error) {
	b.profiles.mu.Lock()
	p, ok := b.profiles.m[id]
	b.profiles.mu.Unlock()
	if ok {
		return p, nil
	}
	a, err := b.accounts.Account(ctx, id)
	if err != nil {
		return profile{}, err
	}
	p = profile{OwnerID: a.OwnerID, Currency: a.Currency, Internal: a.Product == ledger.ProductInternal}
	b.profiles.mu.Lock()
	if b.profiles.m == nil || len(b.profiles.m) >= maxProfiles {
		b.profiles.m = map[ledger.ID]profile{}
	}
	b.profiles.m[id] = p
	b.profiles.mu.Unlock()
	return p, nil
}

// namedProfile is namedAccount for the profile only: required, an account
// id, one the caller may reach, in the amount's currency.
func (b *Bank) namedProfile(ctx context.Context, field, raw string, amount money.Money) (ledger.ID, error) {
	if raw == "" {
		return ledger.ID{}, invalid(field, "is required")
	}
	id, err := ledger.ParseID(raw)
	if err != nil {
		return ledger.ID{}, invalid(field, "must be an account id")
	}
	p, err := b.profileOf(ctx, id)
	if err != nil {
		return ledger.ID{}, err
	}
	if !owns(ctx, p.OwnerID) {
		return ledger.ID{}, ErrNotFound
	}
	return id, sameCurrency(p.Currency, amount)
}
