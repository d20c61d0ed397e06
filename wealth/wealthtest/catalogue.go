package wealthtest

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/wealth"
)

func requireField(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, wealth.ErrInvalidInput)
	var fe *fault.FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, field, fe.Field, "%v", err)
}

func testProducts(t *testing.T, e *Env) {
	p := e.OpenEnded("OE1")
	got, err := e.Svc.Product(e.Ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, p.Code, got.Code)
	require.Equal(t, wealth.Open, got.Status)
	require.Equal(t, "R3", got.RiskName())
	require.Len(t, got.RedemptionFees, 3)
	byCode, err := e.Svc.ProductByCode(e.Ctx, "OE1")
	require.NoError(t, err)
	require.Equal(t, p.ID, byCode.ID)

	// A code is taken once.
	_, err = e.Svc.CreateProduct(e.Ctx, wealth.ProductSpec{Code: "OE1", Name: "x", Issuer: "y", Currency: "CNY", Type: wealth.OpenEnded,
		Risk: 1, MinFirst: CNY("1.00"), MinAdditional: CNY("1.00"), Step: CNY("1.00")})
	require.ErrorIs(t, err, wealth.ErrDuplicate)

	// Every bad field is named.
	for field, mod := range map[string]func(*wealth.ProductSpec){
		"code":             func(s *wealth.ProductSpec) { s.Code = "bad code" },
		"name":             func(s *wealth.ProductSpec) { s.Name = "a\x00b" },
		"currency":         func(s *wealth.ProductSpec) { s.Currency = "XXX" },
		"type":             func(s *wealth.ProductSpec) { s.Type = "hedge" },
		"risk":             func(s *wealth.ProductSpec) { s.Risk = 6 },
		"min_first":        func(s *wealth.ProductSpec) { s.MinFirst = CNY("0.00") },
		"step":             func(s *wealth.ProductSpec) { s.Step = CNY("-1.00") },
		"subscription_fee": func(s *wealth.ProductSpec) { s.SubscriptionFee = Dec("1.5") },
		"redemption_fees[1].min_days": func(s *wealth.ProductSpec) {
			s.RedemptionFees = []wealth.FeeTier{{MinDays: 7, Rate: Dec("0.01")}, {MinDays: 7, Rate: Dec("0")}}
		},
		"settlement_days":     func(s *wealth.ProductSpec) { s.SettlementDays = -1 },
		"fast_limit":          func(s *wealth.ProductSpec) { s.FastLimit = CNY("100.00") },
		"documents[0].sha256": func(s *wealth.ProductSpec) { s.Documents[0].SHA256 = "abc" },
		"window_open":         func(s *wealth.ProductSpec) { s.WindowOpen = Date("2026-03-02") },
	} {
		zero := 0
		spec := wealth.ProductSpec{Code: "BAD", Name: "n", Issuer: "i", Currency: "CNY", Type: wealth.OpenEnded, Risk: 2,
			MinFirst: CNY("1.00"), MinAdditional: CNY("1.00"), Step: CNY("1.00"), CoolingOffHours: &zero,
			Documents: []wealth.Document{{Kind: "prospectus", SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}}
		mod(&spec)
		_, err := e.Svc.CreateProduct(e.Ctx, spec)
		requireField(t, err, field)
	}
	_, err = e.Svc.ProductByCode(e.Ctx, "BAD")
	require.ErrorIs(t, err, wealth.ErrNotFound, "no refused product was stored")

	// Professional-only products are hidden from retail listings.
	e.OpenEnded("PRO", func(s *wealth.ProductSpec) { s.ProfessionalOnly = true; s.Risk = 5 })
	e.CashManagement("CM1", wealth.IncomeReinvest)
	retail, err := e.Svc.Products(e.Ctx, wealth.Page{}, false)
	require.NoError(t, err)
	require.Len(t, retail, 2)
	all, err := e.Svc.Products(e.Ctx, wealth.Page{}, true)
	require.NoError(t, err)
	require.Len(t, all, 3)
	first, err := e.Svc.Products(e.Ctx, wealth.Page{Limit: 2}, true)
	require.NoError(t, err)
	rest, err := e.Svc.Products(e.Ctx, wealth.Page{After: first[1].ID, Limit: 2}, true)
	require.NoError(t, err)
	require.Len(t, rest, 1)
	require.Equal(t, all[2].ID, rest[0].ID)

	// Sales status: paused refuses orders; closed stays closed.
	paused, err := e.Svc.SetStatus(e.Ctx, p.ID, wealth.Paused)
	require.NoError(t, err)
	require.Equal(t, wealth.Paused, paused.Status)
	c, acct := e.Customer("50000.00", 5)
	_, err = e.Svc.Subscribe(e.Ctx, wealth.SubscribeRequest{CustomerID: c, ProductID: p.ID, Account: acct, Amount: CNY("1000.00"), Key: "k"})
	require.ErrorIs(t, err, wealth.ErrNotOnSale)
	require.False(t, e.Ledger.Account(acct).Held.IsPositive(), "nothing held")
	_, err = e.Svc.SetStatus(e.Ctx, p.ID, wealth.Closed)
	require.NoError(t, err)
	_, err = e.Svc.SetStatus(e.Ctx, p.ID, wealth.Open)
	require.ErrorIs(t, err, wealth.ErrInvalidTransition)
}

func testNAV(t *testing.T, e *Env) {
	p := e.OpenEnded("NAV1")
	e.NAV(p, "2026-03-02", "1.0250")
	e.NAV(p, "2026-03-03", "1.0300")
	e.NAV(p, "2026-03-05", "1.0100")

	// Twice for a date, zero, negative, too many places, a weekend: refused.
	for _, tc := range []struct {
		date, nav string
		want      error
		field     string
	}{
		{"2026-03-02", "1.0500", wealth.ErrDuplicate, ""},
		{"2026-03-04", "0", wealth.ErrInvalidInput, "nav"},
		{"2026-03-04", "-1.2", wealth.ErrInvalidInput, "nav"},
		{"2026-03-04", "1.00001", wealth.ErrInvalidInput, "nav"},
		{"2026-03-07", "1.0000", wealth.ErrInvalidInput, "date"},
	} {
		_, err := e.Svc.PublishNAV(e.Ctx, wealth.NAVRequest{ProductID: p.ID, Date: Date(tc.date), Value: Dec(tc.nav), PublishedBy: "issuer"})
		require.ErrorIs(t, err, tc.want, "%s %s", tc.date, tc.nav)
		if tc.field != "" {
			requireField(t, err, tc.field)
		}
	}
	n, err := e.Svc.NAV(e.Ctx, p.ID, Date("2026-03-02"))
	require.NoError(t, err)
	require.True(t, n.Value.Equal(Dec("1.0250")), "the first publication stands")

	hist, err := e.Svc.NAVHistory(e.Ctx, p.ID, Date("2026-03-01"), Date("2026-03-31"))
	require.NoError(t, err)
	require.Len(t, hist, 3)
	require.Equal(t, Date("2026-03-05"), hist[2].Date)
	latest, err := e.Svc.LatestNAV(e.Ctx, p.ID, Date("2026-03-04"))
	require.NoError(t, err)
	require.Equal(t, Date("2026-03-03"), latest.Date)
	_, err = e.Svc.LatestNAV(e.Ctx, p.ID, Date("2026-03-01"))
	require.ErrorIs(t, err, wealth.ErrNotFound)
	_, err = e.Svc.PublishNAV(e.Ctx, wealth.NAVRequest{ProductID: wealth.NewID(), Date: Date("2026-03-04"), Value: Dec("1"), PublishedBy: "x"})
	require.ErrorIs(t, err, wealth.ErrNotFound)
}

func testYield(t *testing.T, e *Env) {
	// By hand: seven days at 0.5 per 10,000 compound to 1.00005^365 − 1
	// = 0.0184170843... -> 0.01842.
	y, err := wealth.Yield7D([]decimal.Decimal{Dec("0.5"), Dec("0.5"), Dec("0.5"), Dec("0.5"), Dec("0.5"), Dec("0.5"), Dec("0.5")})
	require.NoError(t, err)
	require.Equal(t, "0.01842", y.String())
	// Uneven days: 0.6012 0.5988 0.5 0.5 0.5 0.6123 0.6001 -> 0.0206092945... -> 0.02061.
	y, err = wealth.Yield7D([]decimal.Decimal{Dec("0.6012"), Dec("0.5988"), Dec("0.5"), Dec("0.5"), Dec("0.5"), Dec("0.6123"), Dec("0.6001")})
	require.NoError(t, err)
	require.Equal(t, "0.02061", y.String())
	_, err = wealth.Yield7D([]decimal.Decimal{Dec("0.5")})
	requireField(t, err, "incomes")

	// Through publications: 0.6 a day; Monday's 1.8 covers Saturday,
	// Sunday and Monday. Wednesday 03-11's window is Thu 03-05 .. Wed
	// 03-11, 0.6 each day: (1.00006^7)^(365/7) − 1 = 0.0221408936... ->
	// 0.02214. Earlier days have too little history: zero.
	p := e.CashManagement("CMY", wealth.IncomeReinvest)
	for _, d := range []string{"2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06"} {
		e.Income(p, d, "0.6")
	}
	e.Income(p, "2026-03-09", "1.8")
	e.Income(p, "2026-03-10", "0.6")
	n, err := e.Svc.PublishNAV(e.Ctx, wealth.NAVRequest{ProductID: p.ID, Date: Date("2026-03-11"), IncomePer10K: Dec("0.6"), PublishedBy: "issuer"})
	require.NoError(t, err)
	require.Equal(t, "0.02214", n.Yield7D.String())
	require.True(t, n.Value.Equal(Dec("1")))
	early, err := e.Svc.NAV(e.Ctx, p.ID, Date("2026-03-06"))
	require.NoError(t, err)
	require.True(t, early.Yield7D.IsZero(), "five days of history give no 7-day yield")
	_, err = e.Svc.PublishNAV(e.Ctx, wealth.NAVRequest{ProductID: p.ID, Date: Date("2026-03-12"), Value: Dec("1.01"), IncomePer10K: Dec("0.5"), PublishedBy: "issuer"})
	requireField(t, err, "nav")
	_, err = e.Svc.PublishNAV(e.Ctx, wealth.NAVRequest{ProductID: p.ID, Date: Date("2026-03-12"), IncomePer10K: Dec("-0.5"), PublishedBy: "issuer"})
	requireField(t, err, "income_per_10k")
}

func testSuitability(t *testing.T, e *Env) {
	q := e.Svc.Questionnaire()
	for level := 1; level <= 5; level++ {
		_, got, err := q.Score(AnswersFor(level))
		require.NoError(t, err)
		require.Equal(t, level, got)
	}
	_, _, err := q.Score(map[string]string{"age": "a"})
	requireField(t, err, "answers")
	bad := AnswersFor(3)
	bad["age"] = "z"
	_, _, err = q.Score(bad)
	requireField(t, err, "answers.age")

	p := e.OpenEnded("R3P") // R3
	// No assessment: refused and recorded.
	c, acct := e.Customer("10000.00", 0)
	_, err = e.Svc.Subscribe(e.Ctx, wealth.SubscribeRequest{CustomerID: c, ProductID: p.ID, Account: acct, Amount: CNY("1000.00"), Key: "k1"})
	require.ErrorIs(t, err, wealth.ErrUnsuitable)
	// C2 under R3: refused with the reason.
	a, err := e.Svc.Assess(e.Ctx, c, AnswersFor(2))
	require.NoError(t, err)
	require.Equal(t, "C2", a.LevelName())
	require.Equal(t, Date("2027-03-02"), a.Expires)
	_, err = e.Svc.Subscribe(e.Ctx, wealth.SubscribeRequest{CustomerID: c, ProductID: p.ID, Account: acct, Amount: CNY("1000.00"), Key: "k2"})
	require.ErrorIs(t, err, wealth.ErrUnsuitable)
	require.Contains(t, err.Error(), "R3 is above the customer's level C2")
	refusals, err := e.Svc.Refusals(e.Ctx, c)
	require.NoError(t, err)
	require.Len(t, refusals, 2)
	require.Equal(t, "no risk assessment", refusals[0].Reason)
	require.False(t, e.Ledger.Account(acct).Held.IsPositive(), "a refused order holds nothing")

	// C3 buys; a year later the assessment has expired.
	_, err = e.Svc.Assess(e.Ctx, c, AnswersFor(3))
	require.NoError(t, err)
	e.Subscribe(c, acct, p, "1000.00", "k3")
	e.At("2027-03-02", 10, 0)
	_, err = e.Svc.Subscribe(e.Ctx, wealth.SubscribeRequest{CustomerID: c, ProductID: p.ID, Account: acct, Amount: CNY("1000.00"), Key: "k4"})
	require.ErrorIs(t, err, wealth.ErrUnsuitable)
	require.Contains(t, err.Error(), "expired")

	// Professional-only: hidden (not found) from others, open to the
	// certified.
	e.At("2026-03-02", 10, 0)
	pro := e.OpenEnded("PRO", func(s *wealth.ProductSpec) { s.ProfessionalOnly = true; s.Risk = 4 })
	c2, acct2 := e.Customer("10000.00", 5)
	_, err = e.Svc.Subscribe(e.Ctx, wealth.SubscribeRequest{CustomerID: c2, ProductID: pro.ID, Account: acct2, Amount: CNY("1000.00"), Key: "p1"})
	require.ErrorIs(t, err, wealth.ErrNotFound)
	require.ErrorIs(t, e.Svc.Visible(e.Ctx, c2, pro), wealth.ErrNotFound)
	_, err = e.Svc.Certify(e.Ctx, c2, true)
	require.NoError(t, err)
	require.NoError(t, e.Svc.Visible(e.Ctx, c2, pro))
	e.Subscribe(c2, acct2, pro, "1000.00", "p2")

	// KYC not verified: refused.
	c3, acct3 := e.Customer("10000.00", 5)
	e.Customers.Unverify(c3)
	_, err = e.Svc.Subscribe(e.Ctx, wealth.SubscribeRequest{CustomerID: c3, ProductID: p.ID, Account: acct3, Amount: CNY("1000.00"), Key: "x"})
	require.ErrorIs(t, err, wealth.ErrUnsuitable)
}
