// Package wealthport adapts the ledger and the customer subsystem to
// wealth's ports: holds on customers' demand accounts and their capture,
// entries under wealth's idempotency keys, the balances of each product's
// chart accounts, and customers' KYC status. It lives on the server's
// side, so wealth imports neither.
package wealthport

import (
	"context"
	"errors"
	"fmt"

	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/wealth"
)

// Ledger is wealth.Ledger over a *ledger.Service.
type Ledger struct {
	svc *ledger.Service
}

var _ wealth.Ledger = (*Ledger)(nil)

// New returns the adapter over svc.
func New(svc *ledger.Service) *Ledger { return &Ledger{svc: svc} }

// refusal maps the ledger's answer: a sentinel that refuses the request
// (bad input, a business rule, a state, a missing account) means nothing
// posted, wealth.ErrRefused; anything else (the store down, a bug) leaves
// the outcome unknown and is returned as it is.
func refusal(err error) error {
	switch fault.KindOf(err) {
	case fault.Invalid, fault.Unprocessable, fault.Conflict, fault.NotFound, fault.Forbidden, fault.PreconditionFailed:
		return fmt.Errorf("%w: %w", wealth.ErrRefused, err)
	}
	return err
}

// CheckDemandAccount implements wealth.Ledger.
func (l *Ledger) CheckDemandAccount(ctx context.Context, account, cust wealth.ID, c money.Currency) error {
	a, err := l.svc.Account(ctx, account)
	if err != nil {
		return refusal(err)
	}
	if a.Product != ledger.ProductDemand || a.OwnerID != cust.String() || a.Currency != c || a.Status != ledger.StatusActive {
		return fmt.Errorf("%w: account %s is not an active %s demand account of customer %s", wealth.ErrRefused, account, c, cust)
	}
	return nil
}

// PlaceHold implements wealth.Ledger.
func (l *Ledger) PlaceHold(ctx context.Context, r wealth.HoldRequest) (wealth.ID, error) {
	rc, err := l.svc.PlaceHold(ctx, ledger.HoldRequest{AccountID: r.Account, Amount: r.Amount, Description: r.Description, IdempotencyKey: r.Key})
	if err != nil {
		return wealth.NilID, refusal(err)
	}
	return rc.Hold.ID, nil
}

// CaptureHold implements wealth.Ledger: the hold's account is debited and
// the product's chart account credited, the rest of the hold released.
func (l *Ledger) CaptureHold(ctx context.Context, r wealth.CaptureRequest) error {
	to, err := l.chart(ctx, r.Amount.Currency, r.ToChart)
	if err != nil {
		return err
	}
	_, err = l.svc.CaptureHold(ctx, ledger.CaptureRequest{HoldID: r.Hold, ToAccountID: to, Amount: r.Amount, Description: r.Description, IdempotencyKey: r.Key})
	if err != nil {
		return refusal(err)
	}
	return nil
}

// CaptureHolds implements wealth.Ledger over ledger.Service.CaptureHolds:
// one call for the batch (the store posts up to ledger.MaxBatch captures
// in a transaction), each capture under its own key, as CaptureHold's.
func (l *Ledger) CaptureHolds(ctx context.Context, rs []wealth.CaptureRequest) ([]error, error) {
	charts := map[string]ledger.ID{}
	cs := make([]ledger.HeldCapture, len(rs))
	for i, r := range rs {
		ck := string(r.Amount.Currency) + "/" + r.ToChart
		to, ok := charts[ck]
		if !ok {
			var err error
			if to, err = l.chart(ctx, r.Amount.Currency, r.ToChart); err != nil {
				return nil, err
			}
			charts[ck] = to
		}
		cs[i] = ledger.HeldCapture{AccountID: r.Account, CaptureRequest: ledger.CaptureRequest{HoldID: r.Hold, ToAccountID: to, Amount: r.Amount,
			Description: r.Description, IdempotencyKey: r.Key}}
	}
	res, err := l.svc.CaptureHolds(ctx, cs)
	if err != nil {
		return nil, err
	}
	errs := make([]error, len(res))
	for i, r := range res {
		if r.Err != nil {
			errs[i] = refusal(r.Err)
		}
	}
	return errs, nil
}

// ReleaseHold implements wealth.Ledger.
func (l *Ledger) ReleaseHold(ctx context.Context, id wealth.ID) error {
	if _, err := l.svc.ReleaseHold(ctx, id); err != nil {
		return refusal(err)
	}
	return nil
}

// Post implements wealth.Ledger: the legs become one journal entry under
// wealth's key.
func (l *Ledger) Post(ctx context.Context, e wealth.LedgerEntry) error {
	postings := make([]ledger.Posting, 0, len(e.Legs))
	for i, g := range e.Legs {
		id := g.Account
		if g.Chart != "" {
			var err error
			if id, err = l.chart(ctx, g.Amount.Currency, g.Chart); err != nil {
				return fmt.Errorf("leg %d: %w", i, err)
			}
		}
		side := ledger.Debit
		if g.Side == wealth.Credit {
			side = ledger.Credit
		}
		postings = append(postings, ledger.Posting{AccountID: id, Side: side, Amount: g.Amount})
	}
	if _, err := l.svc.PostEntry(ctx, ledger.JournalRequest{Postings: postings, Description: e.Description, IdempotencyKey: e.Key}); err != nil {
		return refusal(err)
	}
	return nil
}

// batchScope is the ledger key scope of PostBatch's entries.
const batchScope = "wealth"

// PostBatch implements wealth.Ledger over ledger.Service.PostJournal,
// under the key scope "wealth" (apart from Post's).
func (l *Ledger) PostBatch(ctx context.Context, es []wealth.LedgerEntry) ([]error, error) {
	charts := map[string]ledger.ID{}
	reqs := make([]ledger.JournalRequest, len(es))
	for i, e := range es {
		postings := make([]ledger.Posting, 0, len(e.Legs))
		for _, g := range e.Legs {
			id := g.Account
			if g.Chart != "" {
				ck := string(g.Amount.Currency) + "/" + g.Chart
				var ok bool
				if id, ok = charts[ck]; !ok {
					var err error
					if id, err = l.chart(ctx, g.Amount.Currency, g.Chart); err != nil {
						return nil, fmt.Errorf("entry %d: %w", i, err)
					}
					charts[ck] = id
				}
			}
			side := ledger.Debit
			if g.Side == wealth.Credit {
				side = ledger.Credit
			}
			postings = append(postings, ledger.Posting{AccountID: id, Side: side, Amount: g.Amount})
		}
		reqs[i] = ledger.JournalRequest{Postings: postings, Description: e.Description, IdempotencyKey: e.Key}
	}
	res, err := l.svc.PostJournal(ctx, ledger.JournalBatch{Scope: batchScope, Entries: reqs})
	if err != nil {
		return nil, err
	}
	errs := make([]error, len(res))
	for i, r := range res {
		if r.Err != nil {
			errs[i] = refusal(r.Err)
		}
	}
	return errs, nil
}

// chart returns the chart account of code in c: one of the ledger's own
// (fees income), or a product's, created the first time it is used.
func (l *Ledger) chart(ctx context.Context, c money.Currency, code string) (ledger.ID, error) {
	side, ok := wealth.ChartNormalSide(code)
	if !ok {
		id, err := l.svc.ChartAccountID(ctx, c, code)
		if err != nil {
			return ledger.NilID, refusal(err)
		}
		return id, nil
	}
	ns := ledger.Credit
	if side == wealth.Debit {
		ns = ledger.Debit
	}
	a, err := l.svc.EnsureChartAccount(ctx, c, ledger.ChartAccount{Code: code, Name: "Wealth " + code, NormalSide: ns})
	if err != nil {
		return ledger.NilID, refusal(err)
	}
	return a.ID, nil
}

// ChartBalance implements wealth.Ledger: zero when the account does not
// exist yet.
func (l *Ledger) ChartBalance(ctx context.Context, c money.Currency, code string) (money.Money, error) {
	a, err := l.svc.ChartAccount(ctx, c, code)
	if errors.Is(err, ledger.ErrNotFound) {
		return money.Zero(c), nil
	}
	if err != nil {
		return money.Money{}, err
	}
	return a.Balance, nil
}

// Customers is wealth.Customers over a *customer.Service.
type Customers struct {
	svc *customer.Service
}

var _ wealth.Customers = (*Customers)(nil)

// NewCustomers returns the adapter over svc.
func NewCustomers(svc *customer.Service) *Customers { return &Customers{svc: svc} }

// KYCVerified implements wealth.Customers.
func (c *Customers) KYCVerified(ctx context.Context, id wealth.ID) (bool, error) {
	m, err := c.svc.Get(ctx, id)
	if errors.Is(err, customer.ErrNotFound) {
		return false, fmt.Errorf("%w: customer %s", wealth.ErrNotFound, id)
	}
	if err != nil {
		return false, err
	}
	return m.KYC.Status == customer.KYCVerified && m.Status == customer.StatusActive, nil
}
