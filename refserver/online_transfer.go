package refserver

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/refserver/bank"
)

// transferRequest is POST /v1/transfers' request: the transfer, and for a
// customer the headers online banking reads.
type transferRequest struct {
	bank.TransferRequest
	StepUp   string `header:"X-Step-Up" json:"-" doc:"customers: a step-up proof for this transfer when its amount is above the bank's step-up threshold"`
	DeviceID string `header:"X-Device-Id" json:"-" doc:"customers: the bound mobile device sending the request (the mobile channel's limits apply)"`
	Key      string `header:"Idempotency-Key" json:"-"`
}

// transferParams are what a transfer's step-up proof is bound to.
func transferParams(r bank.TransferRequest) channel.ActionParams {
	to := r.ToAccountID
	if r.ToExternal != nil {
		to = r.ToExternal.BankCode + "/" + r.ToExternal.AccountNumber
	}
	return channel.TransferParams(r.FromAccountID, to, r.Amount)
}

// limitedTransfer is a transfer under online banking's rules when a
// customer sends it: the amount is reserved against the customer's limits
// (per transaction, day, month, in the channel: mobile from a bound
// device, online otherwise), with a payee still cooling off capped, in one
// step; an amount above the step-up threshold then needs a proof for
// exactly this transfer; the transfer posts; the reservation is released
// if the step-up or the posting fails. The reservation is keyed by the
// request's idempotency key, so a retry counts once. A crash between the
// reservation and the posting leaves the amount counted; the end of day's
// reconciliation (limitsEndOfDay) releases reservations whose key has no
// posting (docs/channel.md). Staff transfers pass straight through.
func (s *Server) limitedTransfer(ctx context.Context, req transferRequest) (bank.Transfer, error) {
	p := bank.CallerOf(ctx)
	if p.Kind != channel.KindCustomer {
		return s.bank.Transfer(ctx, req.TransferRequest)
	}
	// The reservation, the device's last sighting and the step-up are
	// writes outside the posting: only once the request's key is its own
	// (see claim.go), or a request refused as in flight could release the
	// live one's reservation.
	if err := awaitClaim(ctx); err != nil {
		return bank.Transfer{}, err
	}
	amount := req.Amount
	if !amount.Valid() || !amount.IsPositive() {
		// The bank's own validation names the field.
		return s.bank.Transfer(ctx, req.TransferRequest)
	}
	ch := channel.ChannelOnline
	if req.DeviceID != "" {
		if _, err := s.online.RecogniseDevice(ctx, p.IdentityID, req.DeviceID); err != nil {
			return bank.Transfer{}, err
		}
		ch = channel.ChannelMobile
		// The bound device reaches the screening's context.
		ctx = withScreeningDevice(ctx, req.DeviceID)
	}
	// The reservation is keyed by the key the transfer's ledger entry
	// will hold, so the end of day's reconciliation (step channel.limits)
	// can tell whether it posted.
	key := bank.PostingKey(ctx, req.TransferRequest)
	if req.Key == "" || key == "" {
		return bank.Transfer{}, fault.Field(channel.ErrInvalidInput, "Idempotency-Key", "is required")
	}
	release := func() {
		if rerr := s.online.ReleaseLimits(context.WithoutCancel(ctx), key); rerr != nil && !errors.Is(rerr, channel.ErrNotFound) {
			s.log.ErrorContext(ctx, "release transfer limits", "error", rerr, "key", key)
		}
	}
	// One step checks the payee's cooling-off cap and counts the limits.
	res, err := s.online.ReserveLimits(ctx, p.CustomerID, ch, key, amount, req.ToAccountID)
	if err != nil {
		return bank.Transfer{}, err
	}
	// The step-up is spent after the reservation: a retry of a request
	// whose reservation stands (an earlier try passed the step-up, and its
	// posting may have happened) does not need the spent proof again.
	if !res.Replayed && s.online.TransferNeedsStepUp(amount) {
		if err := s.online.ConsumeStepUp(ctx, p, req.StepUp, channel.ActionTransfer, transferParams(req.TransferRequest)); err != nil {
			release()
			return bank.Transfer{}, err
		}
	}
	t, err := s.bank.Transfer(ctx, req.TransferRequest)
	if err != nil {
		release()
		return bank.Transfer{}, err
	}
	return t, nil
}

// ledgerPostings is channel.Postings over the ledger: a reservation's key
// is the key its transfer's entry holds (bank.PostingKey).
type ledgerPostings struct{ l *ledger.Service }

func (p ledgerPostings) Posted(ctx context.Context, key string) (bool, error) {
	if !strings.HasPrefix(key, "transfer/") && !strings.HasPrefix(key, "journal/") {
		// A key of an earlier form names no entry: the posting cannot be
		// told, so the amount stays counted (the safe side of a limit).
		return true, nil
	}
	_, err := p.l.EntryByIdempotencyKey(ctx, key)
	if errors.Is(err, ledger.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// limitsEndOfDay is the end-of-day step "channel.limits": the limit
// reservations of the closing date and the day before are looked up in
// the ledger, those whose transfer never posted are released, and the
// report is kept once per date (GET /v1/online/limit-reconciliations/{date}).
func (s *Server) limitsEndOfDay(ctx context.Context, d calendar.Date) error {
	rep, created, err := s.online.ReconcileReservations(ctx, d, ledgerPostings{s.ledger})
	if err != nil || !created {
		return err
	}
	if len(rep.Released) > 0 {
		s.log.WarnContext(ctx, "limit reservations without a posting released at end of day", "business_date", d.String(),
			"released", len(rep.Released), "checked", rep.Checked)
	}
	return nil
}

type (
	limitReconciliationView struct {
		Day      calendar.Date `json:"day"`
		Checked  int           `json:"checked" doc:"reservations of the day and the day before looked up in the ledger"`
		Posted   int           `json:"posted" doc:"those whose transfer posted: they stay counted"`
		Pending  int           `json:"pending" doc:"too young to tell (the transfer may be on its way): left for the next day's run"`
		Released []string      `json:"released" doc:"the keys of the reservations released: their transfer never posted"`
		ClosedAt time.Time     `json:"closed_at"`
	}
	limitDayPath struct {
		Date calendar.Date `path:"date"`
	}
)

func (s *Server) limitReconciliation(ctx context.Context, req limitDayPath) (limitReconciliationView, error) {
	rep, err := s.online.ReservationsReconciled(ctx, req.Date)
	if err != nil {
		return limitReconciliationView{}, err
	}
	return limitReconciliationView{Day: rep.Day, Checked: rep.Checked, Posted: rep.Posted, Pending: rep.Pending,
		Released: rep.Released, ClosedAt: rep.ClosedAt.UTC()}, nil
}
