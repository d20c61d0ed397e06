package refserver

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/ledger/endofday"
	"github.com/bankkit/bankkit/refserver/bank"
	"github.com/bankkit/bankkit/refserver/closing"
	"github.com/bankkit/bankkit/refserver/idempotency"
)

// The reference bank's identity in the clearing system.
const (
	BankBIC      = "BKKTCNSHXXX"
	BankMemberID = "999001"
)

// DemoPassword is the password of every demo login.
const DemoPassword = bank.DemoPassword

// services builds each subsystem's Service over its store, and the bank
// over them.
func (s *Server) services(st stores, keys customer.Keyring) error {
	var err error
	if s.ledger, err = ledger.NewService(st.ledger, ledger.WithClock(s.clock),
		ledger.WithScreener(&riskScreener{s: s, accounts: st.ledger})); err != nil {
		return fmt.Errorf("refserver: ledger: %w", err)
	}
	weekdays, err := calendar.NewBusinessCalendar() // Saturday and Sunday off
	if err != nil {
		return err
	}
	s.bankCalendar = weekdays
	s.eod, err = endofday.NewService(s.ledger, st.ledger,
		endofday.WithClock(s.clock),
		endofday.WithBusinessCalendar(weekdays),
		endofday.WithDormancyAfter(s.cfg.dormancyDays()),
		endofday.WithPageSize(2000),
		endofday.WithProgress(func(p endofday.Progress) {
			s.log.Info("end of day", "progress", fmt.Sprintf("%+v", p))
		}))
	if err != nil {
		return fmt.Errorf("refserver: end of day: %w", err)
	}
	network, err := s.clearingNetwork()
	if err != nil {
		return err
	}
	s.clearing, err = clearing.NewService(s.ledger, st.ledger, st.ledger, network,
		append([]clearing.Option{clearing.WithBankIdentity(BankBIC, BankMemberID), clearing.WithClock(s.clock)},
			s.clearingOptions(weekdays)...)...)
	if err != nil {
		return fmt.Errorf("refserver: clearing: %w", err)
	}
	if s.customer, err = customer.NewService(st.customer, keys, customer.WithClock(s.clock)); err != nil {
		return fmt.Errorf("refserver: customer: %w", err)
	}
	chanOpts := []channel.Option{channel.WithClock(s.clock), channel.WithStaffSecondFactor(staffFactors{s}, s.cfg.staffSecondFactorRoles()...)}
	if s.cfg.passwordParams != nil {
		chanOpts = append(chanOpts, channel.WithParams(*s.cfg.passwordParams))
	}
	if s.channel, err = channel.NewService(st.channel, chanOpts...); err != nil {
		return fmt.Errorf("refserver: channel: %w", err)
	}
	s.idem = idempotency.Sealed(st.idem, s.customer.Sealer("refserver/idempotency-reply"))
	s.runLease = st.closing
	if s.closing, err = closing.New(st.closing, s.endOfDaySteps(), closing.WithClock(s.clock)); err != nil {
		return fmt.Errorf("refserver: end of day: %w", err)
	}
	// Payments to other banks and hold captures are screened by risk at
	// these ports (refserver/risk_ports.go); the rest in the ledger.
	s.bank, err = bank.New(bank.Ports{Accounts: s.ledger, Postings: s.ledger, Holds: screenedHolds{s.ledger, s},
		Deposits: bank.EndOfDayDeposits(s.eod), Interbank: screenedInterbank{bank.ClearingInterbank(s.clearing), s},
		Customers: s.customer, Complaints: s.customer, Logins: s.channel})
	if err != nil {
		return err
	}
	if err := s.onlineServices(st); err != nil {
		return err
	}
	if err := s.atmServices(st); err != nil {
		return err
	}
	if err := s.contactServices(st); err != nil {
		return err
	}
	if err := s.creditServices(st); err != nil {
		return err
	}
	if err := s.wealthService(st, weekdays); err != nil {
		return err
	}
	if err := s.fxServices(st); err != nil {
		return err
	}
	return s.riskServices(st)
}

// clearingNetwork is the built-in file network: outbound messages are
// written to the clearing directory for the clearing house to collect.
// Without one configured, a bank on a database uses DefaultClearingDir, so
// every start finds the files of the ones before; a bank in memory, which
// dies with its process, uses a temporary directory removed at Close.
func (s *Server) clearingNetwork() (*clearing.FileNetwork, error) {
	dir := s.cfg.ClearingDir
	switch {
	case dir != "":
	case s.cfg.DatabaseURL != "":
		d, err := DefaultClearingDir()
		if err != nil {
			return nil, fmt.Errorf("refserver: clearing directory: %w; set one (-clearing-dir)", err)
		}
		dir = d
	default:
		tmp, err := os.MkdirTemp("", "bankkit-clearing-")
		if err != nil {
			return nil, fmt.Errorf("refserver: clearing directory: %w", err)
		}
		dir, s.tempClearingDir = tmp, tmp
	}
	n, err := clearing.NewFileNetwork(dir)
	if err != nil {
		return nil, fmt.Errorf("refserver: clearing directory %s: %w", dir, err)
	}
	s.clearingDir = dir
	s.log.Info("clearing network", "dir", dir, "temporary", s.tempClearingDir != "")
	return n, nil
}

// DefaultClearingDir is where a bank on a database keeps its clearing files
// unless told otherwise: bankkit/clearing under the user's state directory,
// $XDG_STATE_HOME or else ~/.local/state.
func DefaultClearingDir() (string, error) {
	state := os.Getenv("XDG_STATE_HOME")
	if !filepath.IsAbs(state) { // the XDG specification ignores a relative path
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		state = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(state, "bankkit", "clearing"), nil
}
