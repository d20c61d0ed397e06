package refserver

import (
	"context"
	"errors"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/endofday"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/refserver/closing"
)

func (s *Server) endOfDayRoutes() []route {
	return tagged("operations", []route{
		{method: "POST", pattern: "/v1/end-of-day",
			summary: "Run end of day for the current business date (interest accrual and posting, maturities, hold expiry, dormancy, then every other step in order) and advance it",
			access:  admins, idempotency: idemOptional, handler: handle(s.runEndOfDay)},
		{method: "GET", pattern: "/v1/end-of-day/{date}", summary: "Where the end of day of a business date stands: each step's status, attempts and last error, and the ledger's summary once it has one",
			access: admins, handler: handle(s.endOfDayReport)},
	})
}

// eventRetention is how long delivered events stay in the outboxes before
// end of day prunes them, so a consumer that has not subscribed yet can
// still read the last week.
const eventRetention = 7 * 24 * time.Hour

// endOfDaySteps is the reference bank's end of day, in the order the
// steps run (refserver/closing runs them). A subsystem with work at the
// close of a business day adds its step here, before the ledger's
// deposits when that work moves money the interest must see (credit's
// repayments), and always before the business-date advance, which stays
// last.
func (s *Server) endOfDaySteps() []closing.Step {
	return []closing.Step{
		{Name: "wealth.day", Run: func(ctx context.Context, d calendar.Date) error {
			_, err := s.wealth.EndOfDay(ctx, d)
			return err
		}},
		{Name: "credit.loans", Run: s.creditEndOfDay},
		// The loan-loss allowance brought to the provisions the book,
		// as credit's end of day left it, calls for.
		{Name: "credit.provisions", Run: func(ctx context.Context, d calendar.Date) error {
			_, err := s.loans.Credit().PostProvisions(ctx, d)
			return err
		}},
		{Name: "ledger.deposits", Run: func(ctx context.Context, d calendar.Date) error {
			_, err := s.eod.RunSteps(ctx, d)
			return err
		}},
		{Name: "fx.revaluation", Run: func(ctx context.Context, d calendar.Date) error {
			_, err := s.fx.Revalue(ctx, d)
			return err
		}},
		{Name: "channel.atm", Run: s.atmEndOfDay},
		{Name: "channel.limits", Run: s.limitsEndOfDay},
		{Name: "risk.indicators", Run: s.riskEndOfDay},
		{Name: "channel.prune", Run: s.channelPrune},
		{Name: "events.prune", Run: func(ctx context.Context, _ calendar.Date) error {
			return pruneEvents(ctx, s.clock.Now().Add(-eventRetention), s.customer.Events(), s.ledger.Events(), s.loans.Credit().Events())
		}},
		{Name: "ledger.advance", Run: func(ctx context.Context, d calendar.Date) error {
			_, err := s.eod.Advance(ctx, d)
			return err
		}},
	}
}

// messageRetention is how long sent and failed messages to customers stay
// in the notification outbox (the customer's inbox and the delivery
// record) before end of day prunes them: far beyond the week an event can
// be redelivered, so deduplication holds.
const messageRetention = 90 * 24 * time.Hour

// channelPrune is the end-of-day step "channel.prune": expired step-up
// proofs, and messages sent or failed more than messageRetention ago.
func (s *Server) channelPrune(ctx context.Context, _ calendar.Date) error {
	proofs, err := s.online.PruneStepUps(ctx)
	if err != nil {
		return err
	}
	messages, err := s.notify.Prune(ctx, messageRetention)
	if err != nil {
		return err
	}
	if proofs+messages > 0 {
		s.log.InfoContext(ctx, "end of day pruned", "step_up_proofs", proofs, "messages", messages)
	}
	return nil
}

// pruneEvents prunes every feed of what all its subscribers have had
// and occurred before before.
func pruneEvents(ctx context.Context, before time.Time, feeds ...*event.Feed) error {
	for _, f := range feeds {
		if _, err := f.Prune(ctx, before); err != nil {
			return err
		}
	}
	return nil
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
		Steps           []stepView                     `json:"steps"`
	}
	// stepView is one step of the bank-wide end of day.
	stepView struct {
		Name       string     `json:"name"`
		Status     string     `json:"status"` // pending, running, done or failed
		Attempts   int        `json:"attempts"`
		StartedAt  *time.Time `json:"started_at,omitempty"`
		FinishedAt *time.Time `json:"finished_at,omitempty"`
		Error      string     `json:"error,omitempty"`
	}
	endOfDayReportView struct {
		BusinessDate calendar.Date `json:"business_date"`
		Done         bool          `json:"done"`
		Steps        []stepView    `json:"steps"`
		// Ledger is the ledger's summary, once its run of the date has
		// started.
		Ledger *endOfDayView `json:"ledger,omitempty"`
	}
	endOfDayDate struct {
		Date calendar.Date `path:"date"`
	}
	failureView struct {
		Step   string `json:"step"`
		ID     string `json:"id"`
		Reason string `json:"reason"`
	}
)

func endOfDayOf(sum endofday.Summary) endOfDayView {
	v := endOfDayView{BusinessDate: sum.Date, NextDate: sum.Next, AccountsAccrued: sum.AccountsAccrued, DaysAccrued: sum.DaysAccrued,
		Postings: sum.Postings, InterestPosted: sum.InterestPosted, TaxWithheld: sum.TaxWithheld, DebitInterest: sum.DebitInterest,
		Maturities: sum.Maturities, HoldsExpired: sum.HoldsExpired, MarkedDormant: sum.MarkedDormant, Failures: []failureView{}}
	for _, f := range sum.Failures {
		v.Failures = append(v.Failures, failureView{Step: string(f.Step), ID: f.ID.String(), Reason: f.Reason})
	}
	return v
}

func stepsOf(r closing.Report) []stepView {
	out := make([]stepView, len(r.Steps))
	for i, st := range r.Steps {
		out[i] = stepView{Name: st.Name, Status: string(st.Status), Attempts: st.Attempts, Error: st.Error}
		if !st.StartedAt.IsZero() {
			out[i].StartedAt = &st.StartedAt
		}
		if !st.FinishedAt.IsZero() {
			out[i].FinishedAt = &st.FinishedAt
		}
	}
	return out
}

func (s *Server) runEndOfDay(ctx context.Context, _ none) (endOfDayView, error) {
	today, err := s.ledger.BusinessDate(ctx)
	if err != nil {
		return endOfDayView{}, err
	}
	report, err := s.closing.Run(ctx, today)
	if err != nil {
		return endOfDayView{}, err
	}
	sum, err := s.eod.Summary(ctx, today)
	if err != nil {
		return endOfDayView{}, err
	}
	v := endOfDayOf(sum)
	v.Steps = stepsOf(report)
	return v, nil
}

func (s *Server) endOfDayReport(ctx context.Context, req endOfDayDate) (endOfDayReportView, error) {
	report, err := s.closing.Report(ctx, req.Date)
	if err != nil {
		return endOfDayReportView{}, err
	}
	v := endOfDayReportView{BusinessDate: report.Date, Done: report.Done, Steps: stepsOf(report)}
	sum, err := s.eod.Summary(ctx, req.Date)
	switch {
	case err == nil:
		ledgerView := endOfDayOf(sum)
		v.Ledger = &ledgerView
	case !errors.Is(err, ledger.ErrNotFound):
		return endOfDayReportView{}, err
	}
	return v, nil
}
