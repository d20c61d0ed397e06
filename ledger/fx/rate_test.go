package fx_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/fx"
	"github.com/bankkit/bankkit/money"
)

func rate(pair string, mid, buy, sell string) fx.Rate {
	p, err := fx.ParsePair(pair)
	if err != nil {
		panic(err)
	}
	return fx.Rate{ID: ledger.NewID(), Pair: p, Mid: decimal.RequireFromString(mid), Buy: decimal.RequireFromString(buy),
		Sell: decimal.RequireFromString(sell), Source: "treasury", BusinessDate: calendar.DateOf(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)),
		PublishedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

func TestPrice(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                                 string
		rate                                 fx.Rate
		pays                                 money.Money
		side                                 fx.Side
		receives, homeAtMid, income, foreign string
	}{
		// 100.00 × 7.10 = 710.00; at mid 715.00; spread 5.00.
		{"sale", rate("USD/CNY", "7.15", "7.10", "7.20"), money.MustParse("100.00", "USD"), fx.Sell, "710.00 CNY", "715.00 CNY", "5.00 CNY", "100.00 USD"},
		// 33.33 × 7.1234 = 237.422922 → 237.42 (down); mid 33.33 × 7.15 =
		// 238.3095 → 238.31 (half-even, not a tie); income 0.89.
		{"sale rounded down", rate("USD/CNY", "7.15", "7.1234", "7.20"), money.MustParse("33.33", "USD"), fx.Sell, "237.42 CNY", "238.31 CNY", "0.89 CNY", "33.33 USD"},
		// 1000.00 / 7.20 = 138.888… → 138.88; mid 992.992 → 992.99; 7.01.
		{"purchase", rate("USD/CNY", "7.15", "7.10", "7.20"), money.MustParse("1000.00", "CNY"), fx.Buy, "138.88 USD", "992.99 CNY", "7.01 CNY", "138.88 USD"},
		// 720.00 / 7.20 = 100 exactly: nothing to round.
		{"purchase exact", rate("USD/CNY", "7.15", "7.10", "7.20"), money.MustParse("720.00", "CNY"), fx.Buy, "100.00 USD", "715.00 CNY", "5.00 CNY", "100.00 USD"},
		// A mid tie rounds to even: 0.05 × 7.25 = 0.3625 → 0.36; paid 0.37
		// / 7.30 = 0.0506… → 0.05; income 0.37 − 0.36 = 0.01.
		{"mid half-even", rate("USD/CNY", "7.25", "7.20", "7.30"), money.MustParse("0.37", "CNY"), fx.Buy, "0.05 USD", "0.36 CNY", "0.01 CNY", "0.05 USD"},
		// No spread, no income.
		{"flat", rate("USD/CNY", "7", "7", "7"), money.MustParse("7.00", "CNY"), fx.Buy, "1.00 USD", "7.00 CNY", "0.00 CNY", "1.00 USD"},
		// Three decimals: 1.000 BHD × 19.1234 = 19.1234 → 19.12.
		{"BHD sale", rate("BHD/CNY", "19.15", "19.1234", "19.20"), money.MustParse("1.000", "BHD"), fx.Sell, "19.12 CNY", "19.15 CNY", "0.03 CNY", "1.000 BHD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := fx.Price(tc.rate, tc.pays)
			require.NoError(t, err)
			require.Equal(t, tc.side, p.Side)
			require.Equal(t, tc.receives, p.Receives.String())
			require.Equal(t, tc.homeAtMid, p.HomeAtMid.String())
			require.Equal(t, tc.income, p.Income.String())
			require.Equal(t, tc.foreign, p.Foreign.String())
		})
	}
}

func TestPriceRefusals(t *testing.T) {
	t.Parallel()
	r := rate("USD/CNY", "7.15", "7.10", "7.20")
	_, err := fx.Price(r, money.MustParse("1.00", "EUR"))
	require.ErrorIs(t, err, fx.ErrNoRate)
	_, err = fx.Price(r, money.MustParse("0.07", "CNY"))
	require.ErrorIs(t, err, ledger.ErrInvalidInput, "less than a cent of USD")
	// CNY 999,999,999,999.99 at 0.0003 CNY a dong is some 3.3 × 10^15 VND,
	// past VND's largest accepted amount.
	_, err = fx.Price(rate("VND/CNY", "0.0003", "0.0003", "0.0003"), money.MaxAmount(money.CNY))
	require.ErrorIs(t, err, ledger.ErrInvalidInput)
}

func TestParsePair(t *testing.T) {
	t.Parallel()
	p, err := fx.ParsePair("USD/CNY")
	require.NoError(t, err)
	require.Equal(t, fx.Pair{Base: money.USD, Quote: money.CNY}, p)
	require.Equal(t, "USD/CNY", p.String())
	for _, bad := range []string{"", "USD", "USDCNY", "USD/USD", "usd/cny", "USD/XXX/CNY", "/CNY"} {
		_, err := fx.ParsePair(bad)
		require.ErrorIs(t, err, ledger.ErrInvalidInput, bad)
	}
}

// FuzzPrice checks the rounding rules on any amount and any rate with
// buy <= mid <= sell: the customer never gets a minor unit more than the
// exact product (nor one less), and the bank's income is never negative.
func FuzzPrice(f *testing.F) {
	f.Add(int64(100000), int64(715000), int64(5000), int64(5000), true)
	f.Add(int64(1), int64(1), int64(0), int64(0), false)
	f.Add(int64(99999999), int64(123456789), int64(1), int64(99999), true)
	f.Fuzz(func(t *testing.T, cents, mid, down, up int64, purchase bool) {
		if cents <= 0 || cents > 1e14 || mid <= 0 || mid > 1e12 || down < 0 || up < 0 || down >= mid || up > 1e12 {
			return
		}
		r := fx.Rate{Pair: fx.Pair{Base: money.USD, Quote: money.CNY}, Mid: decimal.New(mid, -5),
			Buy: decimal.New(mid-down, -5), Sell: decimal.New(mid+up, -5)}
		pays := money.Money{Amount: decimal.New(cents, -2), Currency: money.USD}
		if purchase {
			pays.Currency = money.CNY
		}
		p, err := fx.Price(r, pays)
		if err != nil {
			require.ErrorIs(t, err, ledger.ErrInvalidInput)
			return
		}
		cent := decimal.New(1, -2)
		require.False(t, p.Income.IsNegative(), "income %s", p.Income)
		require.True(t, p.Receives.Valid() && p.HomeAtMid.Valid() && p.Income.Valid())
		if purchase {
			spent := p.Receives.Amount.Mul(r.Sell)
			require.True(t, spent.LessThanOrEqual(pays.Amount), "%s × %s > %s", p.Receives, r.Sell, pays)
			require.True(t, p.Receives.Amount.Add(cent).Mul(r.Sell).GreaterThan(pays.Amount), "one cent more was affordable")
			require.True(t, p.HomeAtMid.Amount.Add(p.Income.Amount).Equal(pays.Amount))
		} else {
			exact := pays.Amount.Mul(r.Buy)
			require.True(t, p.Receives.Amount.LessThanOrEqual(exact) && p.Receives.Amount.Add(cent).GreaterThan(exact))
			require.True(t, p.Receives.Amount.Add(p.Income.Amount).Equal(p.HomeAtMid.Amount))
		}
	})
}

func TestCrossPriceByHand(t *testing.T) {
	usd := rate("USD/CNY", "7.15", "7.10", "7.20")
	eur := rate("EUR/CNY", "7.80", "7.75", "7.85")
	p, leg, err := fx.CrossPrice(usd, eur, money.MustParse("100.00", "USD"))
	require.NoError(t, err)
	// 7.10 / 7.85 = 0.904458598… → 0.90445859; × 100.00 → 90.44.
	require.Equal(t, "0.90445859", leg.CrossRate.String())
	require.Equal(t, "90.44 EUR", p.Receives.String())
	require.Equal(t, "90.44 EUR", leg.Foreign.String())
	require.Equal(t, "715.00 CNY", p.HomeAtMid.String())
	require.Equal(t, "705.43 CNY", leg.HomeAtMid.String())
	require.Equal(t, "9.57 CNY", p.Income.String())
	require.Equal(t, fx.Sell, p.Side)
	require.True(t, p.Rate.Equal(decimal.RequireFromString("7.10")) && leg.Rate.Equal(decimal.RequireFromString("7.85")))

	// JPY has no minor unit: USD 10.00 at buy 7.10 against JPY/CNY sell
	// 0.0490: 7.10 / 0.0490 = 144.89795918… → 144.89795918; × 10.00 =
	// 1448.9795918 → JPY 1448.
	jpy := rate("JPY/CNY", "0.0480", "0.0470", "0.0490")
	p, _, err = fx.CrossPrice(usd, jpy, money.MustParse("10.00", "USD"))
	require.NoError(t, err)
	require.Equal(t, "1448 JPY", p.Receives.String())

	_, _, err = fx.CrossPrice(usd, eur, money.MustParse("1.00", "EUR"))
	require.ErrorIs(t, err, fx.ErrNoRate, "the amount is in the received currency")
	_, _, err = fx.CrossPrice(usd, usd, money.MustParse("1.00", "USD"))
	require.ErrorIs(t, err, ledger.ErrInvalidInput)
	_, _, err = fx.CrossPrice(usd, eur, money.MustParse("0.01", "USD"))
	require.ErrorIs(t, err, ledger.ErrInvalidInput, "0.01 × 0.90445859 is less than a cent: too small to convert")
}

// FuzzCrossPrice checks a cross conversion's rounding on any amount and
// any two rates with buy <= mid <= sell: what arrives is the exact amount
// at the cross rate truncated (never a minor unit more or less), the cross
// rate is never above the exact quotient, and the income is never
// negative.
func FuzzCrossPrice(f *testing.F) {
	f.Add(int64(10000), int64(715000), int64(5000), int64(780000), int64(5000))
	f.Add(int64(1), int64(1), int64(0), int64(1), int64(0))
	f.Add(int64(99999999), int64(123456789), int64(1), int64(7), int64(99999))
	f.Fuzz(func(t *testing.T, cents, mid1, down, mid2, up int64) {
		if cents <= 0 || cents > 1e14 || mid1 <= 0 || mid1 > 1e12 || down < 0 || down >= mid1 || mid2 <= 0 || mid2 > 1e12 || up < 0 || up > 1e12 {
			return
		}
		sold := fx.Rate{Pair: fx.Pair{Base: money.USD, Quote: money.CNY}, Mid: decimal.New(mid1, -5),
			Buy: decimal.New(mid1-down, -5), Sell: decimal.New(mid1, -5)}
		bought := fx.Rate{Pair: fx.Pair{Base: money.EUR, Quote: money.CNY}, Mid: decimal.New(mid2, -5),
			Buy: decimal.New(mid2, -5), Sell: decimal.New(mid2+up, -5)}
		pays := money.Money{Amount: decimal.New(cents, -2), Currency: money.USD}
		p, leg, err := fx.CrossPrice(sold, bought, pays)
		if err != nil {
			require.ErrorIs(t, err, ledger.ErrInvalidInput)
			return
		}
		cent := decimal.New(1, -2)
		require.False(t, p.Income.IsNegative(), "income %s", p.Income)
		require.True(t, p.Receives.Valid() && p.HomeAtMid.Valid() && leg.HomeAtMid.Valid() && p.Income.Valid())
		require.True(t, leg.CrossRate.Mul(bought.Sell).LessThanOrEqual(sold.Buy), "cross %s above %s / %s", leg.CrossRate, sold.Buy, bought.Sell)
		exact := pays.Amount.Mul(leg.CrossRate)
		require.True(t, p.Receives.Amount.LessThanOrEqual(exact) && p.Receives.Amount.Add(cent).GreaterThan(exact))
		require.True(t, p.HomeAtMid.Amount.Sub(leg.HomeAtMid.Amount).Equal(p.Income.Amount))
	})
}
