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

// notImplemented is a documented part of the contract this server does not
// serve yet: a 501, never a silent success.
type notImplemented struct{ what string }

func (e *notImplemented) Error() string {
	return e.what + " are not available in this version of the server"
}

func errNotImplemented(what string) error { return &notImplemented{what} }

var probNotImplemented = problemKind{"not-implemented", http.StatusNotImplemented, "Not implemented yet"}

func (s *Server) operationRoutes() []route {
	pending := func(method, pattern, summary, what string, roles []channel.Role) route {
		return route{method: method, pattern: pattern, tag: "operations", summary: summary + " (not yet served: 501)",
			access: access{roles: roles}, idempotency: idemOptional, status: http.StatusOK,
			handle: func(rc *reqCtx) (any, error) { return nil, errNotImplemented(what) }}
	}
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
		pending("POST", "/v1/end-of-day", "Run end of day and advance the business date", "end-of-day runs", rolesAdmin),
		pending("POST", "/v1/clearing/batches", "Cut pending inter-bank transfers into a clearing batch (ISO 20022 pacs.008)", "clearing batches", rolesFinance),
		pending("POST", "/v1/clearing/inbound", "Upload an inbound ISO 20022 message (pacs.008 credits, pacs.004 returns)", "inbound clearing files", rolesFinance),
		pending("POST", "/v1/reconciliation/statements", "Upload a camt.053 statement for a nostro account and get the match report", "statement reconciliations", rolesFinance),
	}
}
