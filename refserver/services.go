package refserver

import (
	"fmt"
	"os"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/refserver/bank"
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
	s.ledger = ledger.NewService(st.ledger, ledger.WithClock(s.clock))
	weekdays, err := calendar.NewBusinessCalendar() // Saturday and Sunday off
	if err != nil {
		return err
	}
	s.eod = ledger.NewEndOfDay(s.ledger, st.ledger,
		ledger.WithBusinessCalendar(weekdays),
		ledger.WithDormancyAfter(s.cfg.dormancyDays()),
		ledger.WithPageSize(2000),
		ledger.WithProgress(func(p ledger.Progress) {
			s.log.Info("end of day", "progress", fmt.Sprintf("%+v", p))
		}))
	network, err := s.clearingNetwork()
	if err != nil {
		return err
	}
	s.clearing = ledger.NewClearing(s.ledger, st.ledger, network, ledger.WithBankIdentity(BankBIC, BankMemberID))
	if s.customer, err = customer.NewService(st.customer, keys, customer.WithClock(s.clock)); err != nil {
		return fmt.Errorf("refserver: customer: %w", err)
	}
	chanOpts := []channel.Option{channel.WithClock(s.clock)}
	if s.cfg.passwordParams != nil {
		chanOpts = append(chanOpts, channel.WithParams(*s.cfg.passwordParams))
	}
	if s.channel, err = channel.NewService(st.channel, chanOpts...); err != nil {
		return fmt.Errorf("refserver: channel: %w", err)
	}
	s.idem = st.idem
	s.bank, err = bank.New(bank.Ports{Accounts: s.ledger, Postings: s.ledger, Holds: s.ledger,
		Deposits: bank.EndOfDayDeposits(s.eod), Interbank: bank.ClearingInterbank(s.clearing),
		Customers: s.customer, Complaints: s.customer, Logins: s.channel})
	return err
}

// clearingNetwork is the built-in file network: outbound messages are
// written to the clearing directory for the clearing house to collect.
func (s *Server) clearingNetwork() (*ledger.FileNetwork, error) {
	dir := s.cfg.ClearingDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "bankkit-clearing-")
		if err != nil {
			return nil, fmt.Errorf("refserver: clearing directory: %w", err)
		}
		dir = tmp
	}
	n, err := ledger.NewFileNetwork(dir)
	if err != nil {
		return nil, fmt.Errorf("refserver: clearing directory %s: %w", dir, err)
	}
	s.log.Info("clearing network", "dir", dir)
	return n, nil
}
