package refserver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
)

// The reference bank's identity in the clearing system.
const (
	BankBIC      = "BKKTCNSHXXX"
	BankMemberID = "999001"
)

// Interest products of the reference bank, one pair per currency. The
// rates are illustrative.
var (
	demandRate = decimal.RequireFromString("0.0035") // 0.35% a year, posted quarterly
	timeRate   = decimal.RequireFromString("0.0150") // 1.50% a year, paid at maturity
)

func demandProduct(c money.Currency) string { return "demand-" + string(c) }
func timeProduct(c money.Currency) string   { return "time-" + string(c) }

// setupProducts defines the currency's demand and time deposit products.
// Setting a product again with the same terms is harmless, so it runs at
// every start.
func (s *Server) setupProducts(ctx context.Context, c money.Currency) error {
	since := calendar.MustDate(2000, time.January, 1)
	demand := interest.Product{Currency: c, DayCount: money.Act360, Basis: interest.EndOfDayBalance,
		Credit:      interest.RateSchedule{{Effective: since, Rate: interest.Flat(demandRate)}},
		Compounding: interest.Quarterly, Posting: interest.Quarterly}
	term := interest.Product{Currency: c, DayCount: money.Act365Fixed, Basis: interest.EndOfDayBalance,
		Credit:      interest.RateSchedule{{Effective: since, Rate: interest.Flat(timeRate)}},
		Compounding: interest.AtMaturity, Posting: interest.AtMaturity}
	if err := s.eod.SetInterestProduct(ctx, demandProduct(c), demand); err != nil {
		return err
	}
	return s.eod.SetInterestProduct(ctx, timeProduct(c), term)
}

// assignDemandProduct makes a new demand account earn interest.
func (s *Server) assignDemandProduct(ctx context.Context, a ledger.Account) error {
	_, err := s.eod.AssignInterestProduct(ctx, a.ID, demandProduct(a.Currency))
	if errors.Is(err, ledger.ErrDuplicate) {
		return nil
	}
	return err
}

// clearingNetwork is the built-in file network: outbound messages are
// written to the clearing directory for the clearing house to collect.
func (s *Server) clearingNetwork() (*clearing.FileNetwork, error) {
	dir := s.cfg.ClearingDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "bankkit-clearing-")
		if err != nil {
			return nil, fmt.Errorf("refserver: clearing directory: %w", err)
		}
		dir = tmp
	}
	n, err := clearing.NewFileNetwork(dir)
	if err != nil {
		return nil, fmt.Errorf("refserver: clearing directory %s: %w", dir, err)
	}
	s.log.Info("clearing network", "dir", dir)
	return n, nil
}
