package refserver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"

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
// reservation and the posting leaves the amount counted; the day's
// reconciliation releases reservations whose key has no posting
// (docs/channel.md). Staff transfers pass straight through.
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
	if req.Key == "" {
		return bank.Transfer{}, fault.Field(channel.ErrInvalidInput, "Idempotency-Key", "is required")
	}
	sum := sha256.Sum256([]byte("transfer-limits\x00" + p.CustomerID + "\x00" + req.Key))
	key := hex.EncodeToString(sum[:])
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
