package bank_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/refserver/bank"
)

// productLog records the products a bank defines.
type productLog struct {
	bank.Deposits
	products map[string]interest.Product
}

func (l *productLog) DefineProduct(_ context.Context, code string, p interest.Product) error {
	l.products[code] = p
	return nil
}

// The reference bank's products follow the Chinese conventions: demand
// deposits settled on the 20th of the quarter's last month and credited
// on the 21st, on a 360-day year, rounded half-up; time deposits paid by
// months, the demand rate on 360 days early and after maturity, one
// partial withdrawal leaving 50.00 CNY.
func TestProductsFollowChineseConventions(t *testing.T) {
	t.Parallel()
	f := newFakes()
	log := &productLog{Deposits: f, products: map[string]interest.Product{}}
	ports := f.ports()
	ports.Deposits = log
	b, err := bank.New(ports)
	require.NoError(t, err)
	require.NoError(t, b.SetUpProducts(context.Background()))

	demand := log.products["demand-CNY"]
	require.NoError(t, demand.Validate())
	require.Equal(t, money.Act360, demand.DayCount)
	require.Equal(t, money.HalfUp, demand.Rounding)
	require.True(t, demand.IsPostingEnd(calendar.MustDate(2026, time.June, 20), calendar.Date{}))
	require.False(t, demand.IsPostingEnd(calendar.MustDate(2026, time.June, 30), calendar.Date{}))
	require.Equal(t, calendar.MustDate(2026, time.June, 21), demand.PaidOn(calendar.MustDate(2026, time.June, 20)))

	term := log.products["time-CNY"]
	require.NoError(t, term.Validate())
	require.True(t, term.Term.ByMonths)
	require.Equal(t, money.Act360, term.Term.DemandDayCount)
	require.True(t, term.Term.AfterMaturity)
	require.Equal(t, 1, term.Term.PartialWithdrawals)
	require.Equal(t, "50", term.Term.MinimumRemaining.String())
	require.Len(t, log.products, 2*len(bank.Currencies))
}
