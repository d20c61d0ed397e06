package refserver

import (
	"context"
	"fmt"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/refserver/bank"
)

// Who may run and read the bank's operations.
var (
	reporters    = staff(channel.RoleAdmin, channel.RoleFinance, channel.RoleAnalyst)
	admins       = staff(channel.RoleAdmin)
	financeStaff = staff(channel.RoleAdmin, channel.RoleFinance)
)

func (s *Server) operationRoutes() []route {
	return tagged("operations", []route{
		{method: "GET", pattern: "/v1/business-date", summary: "The bank's current business date",
			access: signedIn, handler: handle(s.businessDate)},
		{method: "GET", pattern: "/v1/reports/trial-balance", summary: "Trial balance per currency; the difference is always zero",
			access: reporters, handler: handle(s.trialBalance)},
	})
}

type (
	businessDateView struct {
		BusinessDate calendar.Date `json:"business_date"`
	}
	trialBalanceLine struct {
		Currency   money.Currency `json:"currency"`
		Debits     money.Money    `json:"debits"`
		Credits    money.Money    `json:"credits"`
		Difference money.Money    `json:"difference"`
		Accounts   int            `json:"accounts"`
	}
	trialBalanceView struct {
		BusinessDate calendar.Date      `json:"business_date"`
		Currencies   []trialBalanceLine `json:"currencies"`
	}
)

func (s *Server) businessDate(ctx context.Context, _ none) (businessDateView, error) {
	d, err := s.ledger.BusinessDate(ctx)
	return businessDateView{BusinessDate: d}, err
}

func (s *Server) trialBalance(ctx context.Context, _ none) (trialBalanceView, error) {
	d, err := s.ledger.BusinessDate(ctx)
	if err != nil {
		return trialBalanceView{}, err
	}
	out := trialBalanceView{BusinessDate: d, Currencies: []trialBalanceLine{}}
	for _, c := range bank.Currencies {
		tb, err := s.ledger.TrialBalance(ctx, c)
		if err != nil {
			return trialBalanceView{}, fmt.Errorf("trial balance %s: %w", c, err)
		}
		if tb.Accounts == 0 {
			continue
		}
		out.Currencies = append(out.Currencies, trialBalanceLine{Currency: c, Debits: tb.Debits, Credits: tb.Credits,
			Difference: tb.Difference, Accounts: tb.Accounts})
	}
	return out, nil
}
