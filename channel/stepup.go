package channel

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/bankkit/bankkit/money"
)

// Action is a sensitive action a step-up proof is bound to.
type Action string

// The actions that need a step-up.
const (
	ActionTransfer        Action = "transfer"        // above OnlineConfig.StepUpAbove
	ActionAddPayee        Action = "payee.add"       // always
	ActionRaiseLimits     Action = "limits.raise"    // raising any limit
	ActionWealthPurchase  Action = "wealth.purchase" // above OnlineConfig.StepUpRiskLevel
	ActionSecondFactorOff Action = "second_factor.reset"
)

// Validate checks the action is one of the known ones.
func (a Action) Validate() error {
	switch a {
	case ActionTransfer, ActionAddPayee, ActionRaiseLimits, ActionWealthPurchase:
		return nil
	}
	return invalid("action", fmt.Sprintf("%q is not an action that takes a step-up", a))
}

// ActionParams are the parameters of one request that a step-up is bound to,
// e.g. {"from_account_id": ..., "to_account_id": ..., "amount": "8000.00",
// "currency": "CNY"}: the proof is good for a request with exactly these.
type ActionParams map[string]string

// Hash is the SHA-256 of the parameters in key order, each "key=value\n"
// (keys and values must not hold a newline or '=' in keys).
func (p ActionParams) Hash() [sha256.Size]byte {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	h := sha256.New()
	for _, k := range keys {
		h.Write([]byte(k + "=" + p[k] + "\n"))
	}
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}

func (p ActionParams) validate() error {
	if len(p) > 16 {
		return invalid("params", "at most 16 parameters")
	}
	for k, v := range p {
		if k == "" || len(k) > 64 || strings.ContainsAny(k, "=\n") {
			return invalid("params", fmt.Sprintf("bad key %q", k))
		}
		if len(v) > 256 || strings.Contains(v, "\n") {
			return invalid("params."+k, "at most 256 bytes on one line")
		}
	}
	return nil
}

// StepUp is one issued step-up proof: single use, bound to the identity,
// the session that asked for it, the action and its parameters.
type StepUp struct {
	ID         uuid.UUID
	IdentityID uuid.UUID
	SessionID  uuid.UUID
	Action     Action
	ParamsHash [sha256.Size]byte
	TokenHash  TokenHash
	CreatedAt  time.Time
	ExpiresAt  time.Time
	UsedAt     time.Time
}

// StepUpGrant is what StepUp returns: the proof (shown once) and its end.
type StepUpGrant struct {
	Token     string
	ExpiresAt time.Time
}

// StepUp verifies a second-factor code and issues a proof for one request:
// the action with exactly params, by the same session, within
// OnlineConfig.StepUpTTL, once.
func (o *Online) StepUp(ctx context.Context, p Principal, action Action, params ActionParams, code string) (StepUpGrant, error) {
	if err := validateID("identity_id", p.IdentityID); err != nil {
		return StepUpGrant{}, err
	}
	if err := action.Validate(); err != nil {
		return StepUpGrant{}, err
	}
	if err := params.validate(); err != nil {
		return StepUpGrant{}, err
	}
	if err := o.VerifySecondFactor(ctx, p.IdentityID, code); err != nil {
		return StepUpGrant{}, err
	}
	token, err := GenerateToken()
	if err != nil {
		return StepUpGrant{}, err
	}
	id, err := newID()
	if err != nil {
		return StepUpGrant{}, err
	}
	now := o.now()
	s := StepUp{ID: id, IdentityID: p.IdentityID, SessionID: p.SessionID, Action: action, ParamsHash: params.Hash(),
		TokenHash: HashToken(token), CreatedAt: now, ExpiresAt: now.Add(o.cfg.StepUpTTL)}
	if err := o.store.CreateStepUp(ctx, s); err != nil {
		return StepUpGrant{}, err
	}
	return StepUpGrant{Token: token, ExpiresAt: s.ExpiresAt}, nil
}

// ConsumeStepUp spends the proof token for the action with params by p:
// it must be unused, unexpired, issued to p's identity and session for
// that action and exactly these params. It is spent even when it does not
// match, so a leaked proof is good for one try at most. Any failure is
// ErrStepUpRequired.
func (o *Online) ConsumeStepUp(ctx context.Context, p Principal, token string, action Action, params ActionParams) error {
	if token == "" {
		return fmt.Errorf("%w: for %s", ErrStepUpRequired, action)
	}
	if len(token) > MaxTokenLength {
		return invalid("step_up", "too long")
	}
	now := o.now()
	s, err := o.store.UseStepUp(ctx, HashToken(token), now)
	switch {
	case errors.Is(err, ErrNotFound):
		return fmt.Errorf("%w: the proof is unknown", ErrStepUpRequired)
	case errors.Is(err, ErrConflict):
		return fmt.Errorf("%w: the proof was used already", ErrStepUpRequired)
	case err != nil:
		return err
	}
	switch {
	case s.IdentityID != p.IdentityID || s.SessionID != p.SessionID:
		return fmt.Errorf("%w: the proof belongs to another session", ErrStepUpRequired)
	case !now.Before(s.ExpiresAt):
		return fmt.Errorf("%w: the proof has expired", ErrStepUpRequired)
	case s.Action != action:
		return fmt.Errorf("%w: the proof is for %s, not %s", ErrStepUpRequired, s.Action, action)
	case s.ParamsHash != params.Hash():
		return fmt.Errorf("%w: the proof is for another request", ErrStepUpRequired)
	}
	return nil
}

// TransferNeedsStepUp reports whether a transfer of amount needs a step-up
// under the bank's policy.
func (o *Online) TransferNeedsStepUp(amount money.Money) bool {
	limit, ok := o.cfg.StepUpAbove[amount.Currency]
	return !ok || amount.Amount.GreaterThan(limit)
}

// WealthPurchaseNeedsStepUp reports whether buying a product of risk level
// (1..5) needs a step-up.
func (o *Online) WealthPurchaseNeedsStepUp(riskLevel int) bool {
	return riskLevel > o.cfg.StepUpRiskLevel
}

// TransferParams are the parameters a transfer's step-up is bound to: the
// source, the destination and the amount.
func TransferParams(from, to string, amount money.Money) ActionParams {
	return ActionParams{"from": from, "to": to, "amount": amount.Amount.StringFixed(amount.Currency.MinorUnits()),
		"currency": string(amount.Currency)}
}

// WealthPurchaseParams are the parameters a wealth purchase's step-up is
// bound to: the customer, the product, the paying account and the amount.
func WealthPurchaseParams(customerID, productID, accountID string, amount money.Money) ActionParams {
	return ActionParams{"customer": customerID, "product": productID, "account": accountID,
		"amount": amount.Amount.StringFixed(amount.Currency.MinorUnits()), "currency": string(amount.Currency)}
}

// PruneStepUps deletes the step-up proofs that have expired (used or not:
// none can prove anything any more; a token whose proof is gone is refused
// as an unknown one) and returns how many. Run it periodically (the
// reference server: at end of day).
func (o *Online) PruneStepUps(ctx context.Context) (int, error) {
	return o.store.DeleteStepUps(ctx, o.now())
}
