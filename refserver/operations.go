package refserver

import (
	"fmt"
	"net/http"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/money"
)

var (
	rolesReports = []channel.Role{channel.RoleAdmin, channel.RoleFinance, channel.RoleAnalyst}
	rolesAdmin   = []channel.Role{channel.RoleAdmin}
	rolesFinance = []channel.Role{channel.RoleAdmin, channel.RoleFinance}
)

// currencies are the currencies the reference bank keeps books in: the
// chart of internal accounts is set up for each at start.
var currencies = []money.Currency{money.CNY, money.USD, money.EUR, money.HKD, money.JPY, money.GBP}

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

func (s *Server) operationRoutes() []route {
	return []route{
		{
			method: "GET", pattern: "/v1/business-date", tag: "operations", summary: "The bank's current business date",
			access: access{roles: channel.Roles(), customer: true}, response: businessDateView{}, status: http.StatusOK,
			handle: func(rc *reqCtx) (any, error) {
				d, err := s.ledger.BusinessDate(rc.ctx())
				if err != nil {
					return nil, err
				}
				return businessDateView{BusinessDate: d}, nil
			},
		},
		{
			method: "GET", pattern: "/v1/reports/trial-balance", tag: "operations", summary: "Trial balance per currency; the difference is always zero",
			access: access{roles: rolesReports}, response: trialBalanceView{}, status: http.StatusOK,
			handle: func(rc *reqCtx) (any, error) {
				d, err := s.ledger.BusinessDate(rc.ctx())
				if err != nil {
					return nil, err
				}
				out := trialBalanceView{BusinessDate: d, Currencies: []trialBalanceLine{}}
				for _, c := range currencies {
					tb, err := s.ledger.TrialBalance(rc.ctx(), c)
					if err != nil {
						return nil, fmt.Errorf("trial balance %s: %w", c, err)
					}
					if tb.Accounts == 0 {
						continue
					}
					out.Currencies = append(out.Currencies, trialBalanceLine{Currency: c, Debits: tb.Debits, Credits: tb.Credits,
						Difference: tb.Difference, Accounts: tb.Accounts})
				}
				return out, nil
			},
		},
	}
}
