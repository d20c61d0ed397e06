package refserver

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/refserver/bank"
)

// The figures the loan book, the ATM fleet and the login path publish to
// risk's indicators (docs/risk.md, Limits and key risk indicators). Each
// is computed when an indicator reads it, from the owning subsystem's own
// query: nothing is kept twice.

// errNoNonPerforming is the provision coverage's answer for a currency
// without non-performing loans: the ratio has no value, so an indicator
// over it keeps its level (risk's rule for a figure it cannot read).
var errNoNonPerforming = errors.New("no non-performing loans: the provision coverage has no value")

// registerBookFigures publishes, per currency of the bank, the
// non-performing loan ratio, the provision coverage and the largest
// customer's share of the book; and the fleet's devices short of cash and
// the failed logins of the last hour.
func (s *Server) registerBookFigures() {
	r := s.riskState.figures
	for _, c := range bank.Currencies {
		r.register("credit.npl_ratio."+string(c), func(ctx context.Context) (decimal.Decimal, error) {
			b, err := s.loanBook(ctx, c)
			if err != nil || b.outstanding.IsZero() {
				return decimal.Zero, err
			}
			return b.nonPerforming.DivRound(b.outstanding, 6), nil
		})
		r.register("credit.provision_coverage."+string(c), func(ctx context.Context) (decimal.Decimal, error) {
			b, err := s.loanBook(ctx, c)
			if err != nil {
				return decimal.Zero, err
			}
			if b.nonPerforming.IsZero() {
				return decimal.Zero, fmt.Errorf("%s: %w", c, errNoNonPerforming)
			}
			return b.provision.DivRound(b.nonPerforming, 6), nil
		})
		r.register("credit.top_customer_share."+string(c), func(ctx context.Context) (decimal.Decimal, error) {
			if s.loans == nil {
				return decimal.Zero, nil
			}
			ls, err := s.loans.Credit().Concentration(ctx, credit.ByCustomer, credit.MaxConcentrationTop)
			if err != nil {
				return decimal.Zero, err
			}
			for _, l := range ls { // largest first
				if l.Currency == c {
					return l.Share, nil
				}
			}
			return decimal.Zero, nil
		})
	}
	r.register("atm.devices_short_of_cash", func(ctx context.Context) (decimal.Decimal, error) {
		if s.fleet == nil {
			return decimal.Zero, nil
		}
		as, err := s.fleet.Alerts(ctx)
		if err != nil {
			return decimal.Zero, err
		}
		n := 0
		for _, a := range as {
			if len(a.Low) > 0 || a.Status == channel.ATMCashLow || a.Status == channel.ATMCashOut {
				n++
			}
		}
		return decimal.NewFromInt(int64(n)), nil
	})
	r.register("channel.failed_logins_last_hour", func(context.Context) (decimal.Decimal, error) {
		return decimal.NewFromInt(int64(s.failedLogins.count(s.clock.Now()))), nil
	})
}

// loanBook is one currency's book by classification, from credit's
// provisions report.
type loanBook struct {
	outstanding, nonPerforming, provision decimal.Decimal
}

func (s *Server) loanBook(ctx context.Context, c money.Currency) (loanBook, error) {
	var b loanBook
	if s.loans == nil {
		return b, nil
	}
	ls, err := s.loans.Credit().Provisions(ctx)
	if err != nil {
		return b, err
	}
	for _, l := range ls {
		if l.Currency != c {
			continue
		}
		b.outstanding = b.outstanding.Add(l.Outstanding.Amount)
		b.provision = b.provision.Add(l.Provision.Amount)
		if credit.Worse(l.Classification, credit.ClassSubstandard) == l.Classification {
			b.nonPerforming = b.nonPerforming.Add(l.Outstanding.Amount)
		}
	}
	return b, nil
}

// loginFailures counts this process's refused logins (wrong credentials,
// a locked identity, too many attempts from one address) per minute over
// the last hour. It is the process's own count: a bank running several
// servers has an indicator per server, each over its share of the logins.
type loginFailures struct {
	mu      sync.Mutex
	minutes [60]struct {
		at time.Time // the minute the slot counts
		n  int
	}
}

// add counts one refused login at now.
func (f *loginFailures) add(now time.Time) {
	m := now.Truncate(time.Minute)
	f.mu.Lock()
	defer f.mu.Unlock()
	slot := &f.minutes[m.Unix()/60%60]
	if !slot.at.Equal(m) {
		slot.at, slot.n = m, 0
	}
	slot.n++
}

// count is the refused logins of the hour up to now (the current minute
// and the 59 before it).
func (f *loginFailures) count(now time.Time) int {
	from := now.Truncate(time.Minute).Add(-59 * time.Minute)
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, slot := range f.minutes {
		if !slot.at.Before(from) && !slot.at.After(now) {
			n += slot.n
		}
	}
	return n
}

// refusedLogin says whether a login's error counts as a failed login:
// wrong credentials (a locked identity answers the same), or a wrong or
// locked second factor. A login asked for its code is a step, not a
// failure.
func refusedLogin(err error) bool {
	return errors.Is(err, channel.ErrInvalidCredentials) || errors.Is(err, channel.ErrInvalidCode) ||
		errors.Is(err, channel.ErrSecondFactorLocked)
}
