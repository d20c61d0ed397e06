package refserver

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/fx"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/refserver/bank"
	"github.com/bankkit/bankkit/risk"
)

// The movements that do not pass the ledger's Screener (it screens
// deposits, withdrawals and transfers between the bank's accounts) are
// screened at the bank's ports instead, so that no route reaches them
// unscreened: a payment to another bank (clearing posts it as a journal
// entry) and the capture of a hold (a card authorisation's settlement).
// The ports are the only way the bank's routes reach clearing and holds.

// screenedInterbank screens a payment to another bank before clearing
// debits the account.
type screenedInterbank struct {
	bank.Interbank
	s *Server
}

func (i screenedInterbank) SendOut(ctx context.Context, p bank.Payment) (bank.InterbankTransfer, error) {
	sc := &riskScreener{s: i.s, accounts: i.s.ledger}
	from, err := sc.party(ctx, p.FromAccountID)
	if err != nil {
		return bank.InterbankTransfer{}, err
	}
	to := risk.Party{Account: "ext:" + p.To.BankCode + "/" + p.To.AccountNumber, External: true, Country: bankCountry(p.To.BankCode)}
	key := ""
	if p.IdempotencyKey != "" {
		key = "interbank/" + p.IdempotencyKey
	}
	if err := i.s.screenMovement(ctx, risk.KindPaymentOut, from, to, p.Amount, key, false); err != nil {
		return bank.InterbankTransfer{}, err
	}
	return i.Interbank.SendOut(ctx, p)
}

// bankCountry is the country of another bank from its code: a SWIFT BIC
// (8 or 11 characters, the country at the 5th and 6th) names it; a
// domestic clearing code (CNAPS, digits) is CN.
func bankCountry(code string) string {
	if (len(code) == 8 || len(code) == 11) && isUpper(code[4]) && isUpper(code[5]) && isUpper(code[0]) {
		return strings.ToUpper(code[4:6])
	}
	return "CN"
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// screenedHolds screens the capture of a hold (money leaving the held
// account for the capture's account) before the ledger posts it.
type screenedHolds struct {
	bank.Holds
	s *Server
}

func (h screenedHolds) CaptureHold(ctx context.Context, r ledger.CaptureRequest) (ledger.Receipt, error) {
	hold, err := h.Hold(ctx, r.HoldID)
	if err != nil || r.ToAccountID == ledger.NilID {
		return h.Holds.CaptureHold(ctx, r) // the ledger names what is wrong
	}
	sc := &riskScreener{s: h.s, accounts: h.s.ledger}
	from, err := sc.party(ctx, hold.AccountID)
	if err != nil {
		return ledger.Receipt{}, err
	}
	to, err := sc.party(ctx, r.ToAccountID)
	if err != nil {
		return ledger.Receipt{}, err
	}
	amount := r.Amount
	if amount.Currency == "" {
		amount = hold.Amount
	}
	key := ""
	if r.IdempotencyKey != "" {
		key = "capture/" + r.IdempotencyKey
	}
	if err := h.s.screenMovement(ctx, risk.KindTransfer, from, to, amount, key, false); err != nil {
		return ledger.Receipt{}, err
	}
	return h.Holds.CaptureHold(ctx, r)
}

// fxRatesPort is risk's FXRates port over the ledger's FX rates, which
// are quoted in the home currency: from → to is from's middle rate over
// to's (the home currency's is 1).
type fxRatesPort struct{ s *Server }

func (p fxRatesPort) Rate(ctx context.Context, from, to money.Currency, at time.Time) (decimal.Decimal, error) {
	home := p.s.fx.Home()
	mid := func(c money.Currency) (decimal.Decimal, error) {
		if c == home {
			return decimal.NewFromInt(1), nil
		}
		r, err := p.s.fx.RateAt(ctx, fx.Pair{Base: c, Quote: home}, at)
		return r.Mid, err
	}
	f, err := mid(from)
	if err != nil {
		return decimal.Zero, err
	}
	t, err := mid(to)
	if err != nil {
		return decimal.Zero, err
	}
	if !t.IsPositive() {
		return decimal.Zero, fmt.Errorf("refserver: no positive %s rate", to)
	}
	return f.DivRound(t, 10), nil
}

// screenMovement screens a movement the ledger's Screener does not see,
// with the published rule set: a block refuses it with
// ledger.ErrScreeningRefused (HTTP 422 screening-refused), as the ledger
// does; a review lets it go on with its alert raised. With no rule set
// published nothing is screened.
func (s *Server) screenMovement(ctx context.Context, kind risk.Kind, from, to risk.Party, amount money.Money, key string, cash bool) error {
	svc := s.riskState.svc
	if svc == nil {
		return nil
	}
	now := s.clock.Now()
	day, err := s.ledger.BusinessDate(ctx)
	if err != nil {
		return err
	}
	t := risk.Transaction{ID: risk.NewID(), Kind: kind, Amount: amount, From: from, To: to, At: now, BusinessDate: day,
		Channel: channelOf(ctx), Device: screeningDevice(ctx), Cash: cash}
	v, err := svc.Screen(ctx, t, key)
	if errors.Is(err, risk.ErrNoRuleSet) {
		return nil
	}
	if err != nil {
		return err
	}
	if !v.Allowed() {
		return fmt.Errorf("%w: %s (decision %s)", ledger.ErrScreeningRefused, v.Decision.Reason(), v.Decision.ID)
	}
	return nil
}
