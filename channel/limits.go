package channel

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/money"
)

// Channel is the way a customer reaches the bank; limits are per channel.
type Channel string

// The channels of online banking.
const (
	ChannelOnline Channel = "online" // the web
	ChannelMobile Channel = "mobile" // the app on a bound device
)

// Validate checks the channel is known.
func (c Channel) Validate() error {
	if c != ChannelOnline && c != ChannelMobile {
		return invalid("channel", fmt.Sprintf("%q is not online or mobile", c))
	}
	return nil
}

// Limits are the most a customer may move out in one channel and
// currency: per transaction, per calendar day and per calendar month (in
// OnlineConfig.Location).
type Limits struct {
	PerTransaction decimal.Decimal
	PerDay         decimal.Decimal
	PerMonth       decimal.Decimal
}

func (l Limits) validate(c money.Currency) error {
	for _, f := range []struct {
		name string
		v    decimal.Decimal
	}{{"per_transaction", l.PerTransaction}, {"per_day", l.PerDay}, {"per_month", l.PerMonth}} {
		if f.v.IsNegative() {
			return invalid(f.name, "must not be negative")
		}
		if _, err := money.New(f.v, c); err != nil {
			return invalid(f.name, fmt.Sprintf("more decimal places than %s has", c))
		}
		if f.v.GreaterThan(money.MaxAmount(c).Amount) {
			return invalid(f.name, "is above the largest amount")
		}
	}
	if l.PerTransaction.GreaterThan(l.PerDay) {
		return invalid("per_transaction", "must not be above per_day")
	}
	if l.PerDay.GreaterThan(l.PerMonth) {
		return invalid("per_day", "must not be above per_month")
	}
	return nil
}

// within reports whether every limit of l is at most max's.
func (l Limits) within(max Limits) bool {
	return !l.PerTransaction.GreaterThan(max.PerTransaction) && !l.PerDay.GreaterThan(max.PerDay) &&
		!l.PerMonth.GreaterThan(max.PerMonth)
}

// raises reports whether any limit of next is above cur's.
func (next Limits) raises(cur Limits) bool {
	return next.PerTransaction.GreaterThan(cur.PerTransaction) || next.PerDay.GreaterThan(cur.PerDay) ||
		next.PerMonth.GreaterThan(cur.PerMonth)
}

// Params are what a step-up for raising limits to l is bound to.
func (l Limits) Params(ch Channel, c money.Currency) ActionParams {
	return ActionParams{"channel": string(ch), "currency": string(c), "per_transaction": l.PerTransaction.String(),
		"per_day": l.PerDay.String(), "per_month": l.PerMonth.String()}
}

// LimitKey names one set of limits: a customer's in a channel and currency.
type LimitKey struct {
	CustomerID string
	Channel    Channel
	Currency   money.Currency
}

func (k LimitKey) validate() error {
	if k.CustomerID == "" || len(k.CustomerID) > 64 {
		return invalid("customer_id", "must be 1 to 64 bytes")
	}
	if err := k.Channel.Validate(); err != nil {
		return err
	}
	if !k.Currency.Valid() {
		return invalid("currency", fmt.Sprintf("%q is not a currency", k.Currency))
	}
	return nil
}

// Reservation is an amount counted against a customer's limits for one
// transfer, under the transfer's idempotency key. It stays counted once
// the transfer posts; ReleaseLimits takes it back when the transfer
// fails.
type Reservation struct {
	Key LimitKey
	// IdempotencyKey is the transfer's; reserving again under it counts
	// nothing more.
	IdempotencyKey string
	Amount         decimal.Decimal
	// Day and Month are the periods counted (2026-03-02, 2026-03).
	Day       string
	Month     string
	CreatedAt time.Time
	// PayeeAccountID is the destination when it is an account of this
	// bank: if it is one of the customer's payees still cooling off at
	// CreatedAt, the reservation is refused (ErrCoolingOff) above
	// CoolingCap. Checked with the limits, in the same step.
	PayeeAccountID string
	CoolingCap     decimal.Decimal
	// Replayed: the reservation was there already under the key (set by
	// the store on a retry).
	Replayed bool
}

// Usage is what a customer has moved in a channel and currency in the day
// and month of at.
type Usage struct {
	Day       string
	Month     string
	DayUsed   decimal.Decimal
	MonthUsed decimal.Decimal
}

// LimitView is a customer's limits with the bank's maximum and what is
// used so far today and this month.
type LimitView struct {
	Key    LimitKey
	Limits Limits
	Max    Limits
	Usage  Usage
	// Own: the customer chose these limits (false: the bank's default).
	Own bool
}

func (o *Online) rangeOf(k LimitKey) (LimitRange, error) {
	r, ok := o.cfg.Limits[k.Channel][k.Currency]
	if !ok {
		return LimitRange{}, fault.Field(ErrLimitExceeded, "currency",
			fmt.Sprintf("the bank takes no %s transfers in the %s channel", k.Currency, k.Channel))
	}
	return r, nil
}

// periods returns the day and month of t where the limits count.
func (o *Online) periods(t time.Time) (day, month string) {
	local := t.In(o.cfg.Location)
	return local.Format("2006-01-02"), local.Format("2006-01")
}

// Limits returns the customer's limits in a channel and currency (the
// bank's default until they choose their own) with their use so far.
func (o *Online) Limits(ctx context.Context, k LimitKey) (LimitView, error) {
	if err := k.validate(); err != nil {
		return LimitView{}, err
	}
	r, err := o.rangeOf(k)
	if err != nil {
		return LimitView{}, err
	}
	v := LimitView{Key: k, Limits: r.Default, Max: r.Max}
	own, err := o.store.Limits(ctx, k)
	switch {
	case err == nil:
		v.Limits, v.Own = own, true
	case !errors.Is(err, ErrNotFound):
		return LimitView{}, err
	}
	day, month := o.periods(o.now())
	if v.Usage, err = o.store.Usage(ctx, k, day, month); err != nil {
		return LimitView{}, err
	}
	return v, nil
}

// SetLimits sets p's customer's limits in a channel and currency. Each
// must be within the bank's maximum (ErrAboveMaximum). Lowering takes
// effect at once; raising any limit spends a step-up proof for
// ActionRaiseLimits with next.Params.
func (o *Online) SetLimits(ctx context.Context, p Principal, k LimitKey, next Limits, stepUp string) (LimitView, error) {
	customerID, err := customerOf(p)
	if err != nil {
		return LimitView{}, err
	}
	if k.CustomerID != customerID {
		return LimitView{}, fmt.Errorf("%w: limits of another customer", ErrNotFound)
	}
	if err := k.validate(); err != nil {
		return LimitView{}, err
	}
	if err := next.validate(k.Currency); err != nil {
		return LimitView{}, err
	}
	cur, err := o.Limits(ctx, k)
	if err != nil {
		return LimitView{}, err
	}
	if !next.within(cur.Max) {
		return LimitView{}, fault.Field(ErrAboveMaximum, "limits", fmt.Sprintf("the bank's maximum is %s a transaction, %s a day, %s a month",
			cur.Max.PerTransaction, cur.Max.PerDay, cur.Max.PerMonth))
	}
	if next.raises(cur.Limits) {
		if err := o.ConsumeStepUp(ctx, p, stepUp, ActionRaiseLimits, next.Params(k.Channel, k.Currency)); err != nil {
			return LimitView{}, err
		}
	}
	if err := o.store.PutLimits(ctx, k, next, o.now()); err != nil {
		return LimitView{}, err
	}
	return o.Limits(ctx, k)
}

// ReserveLimits counts amount against the customer's limits in the
// channel, atomically: of concurrent transfers that together exceed a
// limit, only those that fit pass. toAccountID is the destination if it
// is an account of this bank ("" otherwise): a payee still cooling off is
// capped as CheckPayeeCap says (ErrCoolingOff), in the same step. idempotencyKey is the transfer's: a
// retry under it counts nothing more and returns the first reservation.
// A transfer that does not fit is ErrLimitExceeded naming the limit.
//
// Call it before posting the transfer and ReleaseLimits if the posting
// fails. A crash between the two leaves the amount counted: the day's
// reconciliation releases reservations whose key has no posting.
func (o *Online) ReserveLimits(ctx context.Context, customerID string, ch Channel, idempotencyKey string, amount money.Money, toAccountID string) (Reservation, error) {
	k := LimitKey{CustomerID: customerID, Channel: ch, Currency: amount.Currency}
	if err := k.validate(); err != nil {
		return Reservation{}, err
	}
	if idempotencyKey == "" || len(idempotencyKey) > 512 {
		return Reservation{}, invalid("idempotency_key", "must be 1 to 512 bytes")
	}
	if !amount.Valid() || !amount.IsPositive() {
		return Reservation{}, invalid("amount", "must be a positive amount")
	}
	r, err := o.rangeOf(k)
	if err != nil {
		return Reservation{}, err
	}
	now := o.now()
	day, month := o.periods(now)
	res := Reservation{Key: k, IdempotencyKey: idempotencyKey, Amount: amount.Amount, Day: day, Month: month, CreatedAt: now,
		PayeeAccountID: toAccountID, CoolingCap: o.cfg.PayeeCoolingCap[amount.Currency]}
	got, err := o.store.Reserve(ctx, res, r.Default)
	if errors.Is(err, ErrCoolingOff) {
		if cerr := o.CheckPayeeCap(ctx, customerID, toAccountID, amount); cerr != nil {
			return Reservation{}, cerr
		}
		return Reservation{}, fault.Field(ErrCoolingOff, "amount", "above what a new payee may receive while it cools off")
	}
	if errors.Is(err, ErrLimitExceeded) {
		return Reservation{}, o.exceeded(ctx, k, r.Default, amount, day, month)
	}
	return got, err
}

// exceeded says which limit a refused reservation did not fit, from a
// fresh read (the refusal itself was atomic; this is only its message).
func (o *Online) exceeded(ctx context.Context, k LimitKey, def Limits, amount money.Money, day, month string) error {
	l, err := o.store.Limits(ctx, k)
	if err != nil {
		l = def
	}
	u, err := o.store.Usage(ctx, k, day, month)
	if err != nil {
		return fault.Field(ErrLimitExceeded, "amount", "does not fit a limit")
	}
	places := k.Currency.MinorUnits()
	switch {
	case amount.Amount.GreaterThan(l.PerTransaction):
		return fault.Field(ErrLimitExceeded, "amount", fmt.Sprintf("above the limit of %s a transaction", l.PerTransaction.StringFixed(places)))
	case u.DayUsed.Add(amount.Amount).GreaterThan(l.PerDay):
		return fault.Field(ErrLimitExceeded, "amount", fmt.Sprintf("%s left of the daily limit of %s",
			decimal.Max(l.PerDay.Sub(u.DayUsed), decimal.Zero).StringFixed(places), l.PerDay.StringFixed(places)))
	default:
		return fault.Field(ErrLimitExceeded, "amount", fmt.Sprintf("%s left of the monthly limit of %s",
			decimal.Max(l.PerMonth.Sub(u.MonthUsed), decimal.Zero).StringFixed(places), l.PerMonth.StringFixed(places)))
	}
}

// ReleaseLimits takes back the reservation under idempotencyKey (the
// transfer failed). Releasing twice, or a key never reserved, is
// ErrNotFound. A reservation of an earlier day or month no longer counts
// against today's, so releasing it changes only the periods it counted in.
func (o *Online) ReleaseLimits(ctx context.Context, idempotencyKey string) error {
	if idempotencyKey == "" || len(idempotencyKey) > 512 {
		return invalid("idempotency_key", "must be 1 to 512 bytes")
	}
	return o.store.Release(ctx, idempotencyKey)
}

// Reservations lists the reservations made on day (YYYY-MM-DD), for the
// reconciliation against the ledger.
func (o *Online) Reservations(ctx context.Context, day string) ([]Reservation, error) {
	if _, err := time.Parse("2006-01-02", day); err != nil {
		return nil, invalid("day", "must be YYYY-MM-DD")
	}
	return o.store.Reservations(ctx, day)
}
