package refserver

import (
	"context"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

func (s *Server) endOfDayRoutes() []route {
	return tagged("operations", []route{
		{method: "POST", pattern: "/v1/end-of-day",
			summary: "Run end of day for the current business date (interest accrual and posting, maturities, hold expiry, dormancy) and advance it",
			access:  admins, idempotency: idemOptional, handler: handle(s.runEndOfDay)},
	})
}

type (
	endOfDayView struct {
		BusinessDate    calendar.Date                  `json:"business_date"`
		NextDate        calendar.Date                  `json:"next_business_date"`
		AccountsAccrued int                            `json:"accounts_accrued"`
		DaysAccrued     int                            `json:"account_days_accrued"`
		Postings        int                            `json:"interest_postings"`
		InterestPosted  map[money.Currency]money.Money `json:"interest_posted"`
		TaxWithheld     map[money.Currency]money.Money `json:"tax_withheld"`
		DebitInterest   map[money.Currency]money.Money `json:"debit_interest"`
		Maturities      int                            `json:"maturities"`
		HoldsExpired    int                            `json:"holds_expired"`
		MarkedDormant   int                            `json:"marked_dormant"`
		Failures        []failureView                  `json:"failures"`
	}
	failureView struct {
		Step   string `json:"step"`
		ID     string `json:"id"`
		Reason string `json:"reason"`
	}
)

func endOfDayOf(sum ledger.EndOfDaySummary) endOfDayView {
	v := endOfDayView{BusinessDate: sum.Date, NextDate: sum.Next, AccountsAccrued: sum.AccountsAccrued, DaysAccrued: sum.DaysAccrued,
		Postings: sum.Postings, InterestPosted: sum.InterestPosted, TaxWithheld: sum.TaxWithheld, DebitInterest: sum.DebitInterest,
		Maturities: sum.Maturities, HoldsExpired: sum.HoldsExpired, MarkedDormant: sum.MarkedDormant, Failures: []failureView{}}
	for _, f := range sum.Failures {
		v.Failures = append(v.Failures, failureView{Step: string(f.Step), ID: f.ID.String(), Reason: f.Reason})
	}
	return v
}

func (s *Server) runEndOfDay(ctx context.Context, _ none) (endOfDayView, error) {
	today, err := s.ledger.BusinessDate(ctx)
	if err != nil {
		return endOfDayView{}, err
	}
	sum, err := s.eod.RunEndOfDay(ctx, today)
	if err != nil {
		return endOfDayView{}, err
	}
	return endOfDayOf(sum), nil
}
