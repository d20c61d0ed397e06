package refserver

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/wealth"
	"github.com/bankkit/bankkit/wealth/wealthtest"
)

// demoProducts are the demo bank's wealth products, one of each type.
func demoProducts(today calendar.Date, cal *calendar.BusinessCalendar) ([]wealth.ProductSpec, error) {
	cny := func(v string) money.Money { return money.MustParse(v, "CNY") }
	zero := 0
	open, err := cal.NextBusinessDay(today.AddDays(-1))
	if err != nil {
		return nil, err
	}
	closeOn, err := cal.AddBusinessDays(open, 4)
	if err != nil {
		return nil, err
	}
	establish, err := cal.AddBusinessDays(closeOn, 2)
	if err != nil {
		return nil, err
	}
	mature, err := cal.Adjust(establish.AddDays(91), calendar.Following)
	if err != nil {
		return nil, err
	}
	docs := []wealth.Document{{Kind: "prospectus", Title: "Prospectus", SHA256: "4a5c2f7e0b9d3c1a8e6f2b4d0c9a7e5f3b1d8c6a4e2f0b9d7c5a3e1f8b6d4c2a"},
		{Kind: "risk_disclosure", Title: "Risk disclosure", SHA256: "b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a6c8e0b2d4"}}
	return []wealth.ProductSpec{
		{Code: "DEMO-CASH", Name: "Daily Cash (demo)", Issuer: "Bankkit Wealth Co.", Currency: "CNY", Type: wealth.CashManagement,
			Risk: 1, MinFirst: cny("1.00"), MinAdditional: cny("1.00"), Step: cny("0.01"), SettlementDays: 1,
			FastLimit: cny("10000.00"), IncomeMode: wealth.IncomeReinvest, CoolingOffHours: &zero, Documents: docs},
		{Code: "DEMO-GROWTH", Name: "Steady Growth (demo)", Issuer: "Bankkit Wealth Co.", Currency: "CNY", Type: wealth.OpenEnded,
			Risk: 3, MinFirst: cny("1000.00"), MinAdditional: cny("100.00"), Step: cny("100.00"), MinHoldingUnits: decimal.NewFromInt(100),
			SubscriptionFee: decimal.RequireFromString("0.015"), ManagementFee: decimal.RequireFromString("0.008"),
			CustodyFee: decimal.RequireFromString("0.0002"), SettlementDays: 2, CoolingOffHours: &zero, Documents: docs,
			RedemptionFees: []wealth.FeeTier{{MinDays: 0, Rate: decimal.RequireFromString("0.015")}, {MinDays: 7, Rate: decimal.RequireFromString("0.005")}, {MinDays: 30}}},
		{Code: "DEMO-TERM", Name: "Fixed Term 91 Days (demo)", Issuer: "Bankkit Wealth Co.", Currency: "CNY", Type: wealth.ClosedEnded,
			Risk: 2, MinFirst: cny("10000.00"), MinAdditional: cny("1000.00"), Step: cny("1000.00"), SettlementDays: 2,
			WindowOpen: open, WindowClose: closeOn, Establishment: establish, Maturity: mature, Benchmark: decimal.RequireFromString("0.032"),
			MinRaise: cny("100000.00"), Status: wealth.Open, Documents: docs},
	}, nil
}

// seedWealthDemo lists the demo products with a month of NAVs and gives
// the first three demo customers an assessment and holdings in the cash
// and growth products, confirmed by the wealth end of day of their trade
// date (the NAV history ends on it). Seeding again adds nothing: products
// are found by code, NAVs already published are kept, and orders carry
// demo keys.
func (s *Server) seedWealthDemo(ctx context.Context, cal *calendar.BusinessCalendar) error {
	today := calendar.Today(s.clock, time.UTC)
	specs, err := demoProducts(today, cal)
	if err != nil {
		return err
	}
	var products []wealth.Product
	for _, spec := range specs {
		p, err := s.wealth.ProductByCode(ctx, spec.Code)
		if errors.Is(err, wealth.ErrNotFound) {
			p, err = s.wealth.CreateProduct(ctx, spec)
		}
		if err != nil {
			return fmt.Errorf("demo product %s: %w", spec.Code, err)
		}
		products = append(products, p)
	}
	trade, err := cal.NextBusinessDay(today.AddDays(-1))
	if err != nil {
		return err
	}
	// 22 business days of history ending on the trade date: the growth
	// product's NAV climbs from 1.0000 by a little each day; the cash
	// product earns 0.45-0.55 per 10,000 units.
	days := []calendar.Date{trade}
	for len(days) < 22 {
		d, err := cal.PreviousBusinessDay(days[0])
		if err != nil {
			return err
		}
		days = append([]calendar.Date{d}, days...)
	}
	for i, d := range days {
		nav := decimal.NewFromInt(10000 + int64(i*7) - int64((i%5)*9)).Shift(-4)
		income := decimal.NewFromInt(int64(4500 + (i%11)*100)).Shift(-4)
		for _, r := range []wealth.NAVRequest{{ProductID: products[0].ID, Date: d, IncomePer10K: income, PublishedBy: "demo"},
			{ProductID: products[1].ID, Date: d, Value: nav, PublishedBy: "demo"}} {
			if _, err := s.wealth.PublishNAV(ctx, r); err != nil && !errors.Is(err, wealth.ErrDuplicate) {
				return fmt.Errorf("demo NAV: %w", err)
			}
		}
	}
	for i, username := range []string{"wangfang", "liqiang", "chenjing"} {
		who, err := s.channel.IdentityByUsername(ctx, username)
		if err != nil {
			return fmt.Errorf("demo customer %s: %w", username, err)
		}
		c, err := wealth.ParseID(who.CustomerID)
		if err != nil {
			return err
		}
		accts, _, err := s.ledger.ListAccounts(ctx, ledger.AccountFilter{OwnerID: who.CustomerID, Product: ledger.ProductDemand, Limit: 1})
		if err != nil || len(accts) == 0 {
			return fmt.Errorf("demo account of %s: %v", username, err)
		}
		if _, err := s.wealth.Assessment(ctx, c); errors.Is(err, wealth.ErrNotFound) {
			if _, err := s.wealth.Assess(ctx, c, wealthtest.AnswersFor(3+i%2)); err != nil {
				return fmt.Errorf("demo assessment of %s: %w", username, err)
			}
		}
		for j, buy := range []struct {
			p      wealth.Product
			amount string
		}{{products[0], fmt.Sprintf("%d.00", 2000+1000*i)}, {products[1], fmt.Sprintf("%d.00", 3000+1000*i)}} {
			_, err := s.wealth.Subscribe(ctx, wealth.SubscribeRequest{CustomerID: c, ProductID: buy.p.ID, Account: accts[0].ID,
				Amount: money.MustParse(buy.amount, "CNY"), Key: fmt.Sprintf("demo/%s/%d", username, j)})
			if err != nil {
				return fmt.Errorf("demo subscription of %s: %w", username, err)
			}
		}
	}
	if _, err := s.wealth.EndOfDay(ctx, trade); err != nil {
		return fmt.Errorf("demo wealth end of day: %w", err)
	}
	return nil
}
