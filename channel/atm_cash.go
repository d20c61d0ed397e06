package channel

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/money"
)

// ScheduleReplenishment orders a device's cassettes loaded on a date:
// what each cassette is to hold afterwards (a line per currency and
// denomination; cassettes without a line are emptied). Errors:
// ErrNotFound; ErrInvalidInput naming the line (a denomination the device
// has no cassette for, a count above its capacity, the same cassette
// twice).
func (f *Fleet) ScheduleReplenishment(ctx context.Context, deviceID string, on calendar.Date, lines []ReplenishmentLine) (Replenishment, error) {
	a, err := f.Device(ctx, deviceID)
	if err != nil {
		return Replenishment{}, err
	}
	if !on.Valid() {
		return Replenishment{}, invalid("scheduled_for", "must be a date")
	}
	if len(lines) == 0 {
		return Replenishment{}, invalid("lines", "name at least one cassette")
	}
	seen := map[int]bool{}
	for i, l := range lines {
		at := fmt.Sprintf("lines[%d]", i)
		k := a.cassette(l.Currency, l.Denomination)
		switch {
		case k < 0:
			return Replenishment{}, invalid(at+".denomination", fmt.Sprintf("device %s has no %s %s cassette", a.ID, l.Denomination, l.Currency))
		case seen[k]:
			return Replenishment{}, invalid(at+".denomination", "names a cassette twice")
		case l.Count < 0:
			return Replenishment{}, invalid(at+".count", "must not be negative")
		case l.Count > a.Cassettes[k].Capacity:
			return Replenishment{}, invalid(at+".count", fmt.Sprintf("%d is above the cassette's capacity of %d", l.Count, a.Cassettes[k].Capacity))
		}
		seen[k] = true
	}
	r := Replenishment{ID: newUUID(), DeviceID: a.ID, State: ReplenishmentScheduled, ScheduledFor: on, Lines: compactLines(lines), CreatedAt: f.now()}
	if err := f.store.CreateReplenishment(ctx, r); err != nil {
		return Replenishment{}, err
	}
	return r, nil
}

func compactLines(ls []ReplenishmentLine) []ReplenishmentLine {
	var out []ReplenishmentLine
	for _, l := range ls {
		if l.Count != 0 {
			out = append(out, l)
		}
	}
	return out
}

// Replenishment returns an order. Errors: ErrNotFound.
func (f *Fleet) Replenishment(ctx context.Context, id uuid.UUID) (Replenishment, error) {
	return f.store.Replenishment(ctx, id)
}

// Replenishments returns a device's orders.
func (f *Fleet) Replenishments(ctx context.Context, deviceID string) ([]Replenishment, error) {
	if _, err := f.Device(ctx, deviceID); err != nil {
		return nil, err
	}
	return f.store.ListReplenishments(ctx, deviceID)
}

// LoadReplenishment records that the crew exchanged the cassettes: the
// notes left in them return to the vault, the order's notes are now in
// them, and the ledger moves both (device -> vault, then vault -> device)
// under keys of the order. Loading a loaded order again only posts what is
// not posted. Errors: ErrNotFound; ErrReplenishmentState if confirmed.
func (f *Fleet) LoadReplenishment(ctx context.Context, id uuid.UUID) (Replenishment, error) {
	r, err := f.store.UpdateReplenishment(ctx, id, func(r Replenishment, a ATM) (Replenishment, ATM, error) {
		switch r.State {
		case ReplenishmentLoaded:
			return r, a, nil
		case ReplenishmentConfirmed:
			return r, a, fmt.Errorf("%w: the order is confirmed", ErrReplenishmentState)
		}
		r.Returned = nil
		for i, k := range a.Cassettes {
			if k.Count > 0 {
				r.Returned = append(r.Returned, ReplenishmentLine{Currency: k.Currency, Denomination: k.Denomination, Count: k.Count})
			}
			a.Cassettes[i].Count = 0
		}
		for _, l := range r.Lines {
			k := a.cassette(l.Currency, l.Denomination)
			if k < 0 || l.Count > a.Cassettes[k].Capacity {
				return r, a, fmt.Errorf("%w: the device's cassettes changed since the order", ErrReplenishmentState)
			}
			a.Cassettes[k].Count = l.Count
		}
		r.State, r.LoadedAt = ReplenishmentLoaded, f.now()
		return r, a, nil
	})
	if err != nil {
		return Replenishment{}, err
	}
	return f.post(ctx, r)
}

// post makes a loaded order's ledger entries and marks it posted.
func (f *Fleet) post(ctx context.Context, r Replenishment) (Replenishment, error) {
	if r.Posted {
		return r, nil
	}
	a, err := f.Device(ctx, r.DeviceID)
	if err != nil {
		return r, err
	}
	for _, c := range a.Currencies() {
		acct := a.CashAccounts[c]
		back := r.ReturnedAmount(c)
		if back.Amount.IsPositive() {
			if err := f.cash.MoveCash(ctx, "atm/replenishment/"+r.ID.String()+"/return/"+string(c), acct, back, false,
				fmt.Sprintf("ATM %s cassettes returned to the vault", a.ID)); err != nil {
				return r, err
			}
		}
		in := r.Amount(c)
		if in.Amount.IsPositive() {
			if err := f.cash.MoveCash(ctx, "atm/replenishment/"+r.ID.String()+"/load/"+string(c), acct, in, true,
				fmt.Sprintf("ATM %s replenished", a.ID)); err != nil {
				return r, err
			}
		}
	}
	return f.store.UpdateReplenishment(ctx, r.ID, func(r Replenishment, a ATM) (Replenishment, ATM, error) {
		r.Posted = true
		return r, a, nil
	})
}

// ConfirmReplenishment records the device's count of its cassettes after
// a load, in the registry's order; they must be what was loaded less what
// was dispensed since. Errors: ErrNotFound (also another device's order);
// ErrReplenishmentState unless loaded; ErrImpossibleCount naming the count.
func (f *Fleet) ConfirmReplenishment(ctx context.Context, deviceID string, id uuid.UUID, counts []int) (Replenishment, error) {
	r, err := f.store.Replenishment(ctx, id)
	if err != nil {
		return Replenishment{}, err
	}
	if r.DeviceID != deviceID {
		return Replenishment{}, fmt.Errorf("%w: no replenishment %s of device %s", ErrNotFound, id, deviceID)
	}
	if !r.Posted && r.State == ReplenishmentLoaded {
		if r, err = f.post(ctx, r); err != nil {
			return Replenishment{}, err
		}
	}
	return f.store.UpdateReplenishment(ctx, id, func(r Replenishment, a ATM) (Replenishment, ATM, error) {
		switch r.State {
		case ReplenishmentScheduled:
			return r, a, fmt.Errorf("%w: the order is not loaded yet", ErrReplenishmentState)
		case ReplenishmentConfirmed:
			return r, a, nil
		}
		if err := checkCounts(a, counts, "counts"); err != nil {
			return r, a, err
		}
		r.State, r.ConfirmedAt = ReplenishmentConfirmed, f.now()
		return r, a, nil
	})
}

// ATMAlert is a device that needs someone: low or no cash, a fault, out of
// service, offline.
type ATMAlert struct {
	DeviceID string
	Status   ATMStatus
	// Low are the cassettes at or below their low mark (cash_low and
	// cash_out).
	Low []Cassette
	// Since: the open ticket's opening for a fault, the last heartbeat for
	// offline (zero if never).
	Since time.Time
	Code  string // the fault code
}

// Alerts returns every device whose status needs attention, and every
// device with a low cassette, in id order.
func (f *Fleet) Alerts(ctx context.Context) ([]ATMAlert, error) {
	as, err := f.store.ListATMs(ctx)
	if err != nil {
		return nil, err
	}
	var out []ATMAlert
	for _, a := range as {
		st := f.Status(a)
		al := ATMAlert{DeviceID: a.ID, Status: st}
		for _, k := range a.Cassettes {
			if k.Count <= k.LowAt {
				al.Low = append(al.Low, k)
			}
		}
		switch st {
		case ATMOnline:
			continue
		case ATMOffline:
			al.Since = a.LastHeartbeat
		case ATMFault:
			al.Code = a.FaultCode
			if a.OpenTicket != uuid.Nil {
				ts, err := f.store.ListATMTickets(ctx, a.ID)
				if err != nil {
					return nil, err
				}
				for _, t := range ts {
					if t.ID == a.OpenTicket {
						al.Since = t.OpenedAt
					}
				}
			}
		}
		out = append(out, al)
	}
	return out, nil
}

// CashForecast is a device's cash in one currency and when it runs out at
// the pace of its recent withdrawals.
type CashForecast struct {
	Currency money.Currency
	Cash     money.Money
	// ByWeekday is the average dispensed on each weekday (Sunday first)
	// over the forecast's weeks.
	ByWeekday [7]money.Money
	// DaysUntilEmpty: the whole days the cash lasts from today (0: it runs
	// out today); -1 when no withdrawals were made (it never runs out at
	// that pace) or it lasts beyond a year.
	DaysUntilEmpty int
	// EmptyOn is the day it runs out (zero with -1).
	EmptyOn calendar.Date
}

// Forecast returns the device's days-until-empty per currency, from its
// withdrawals of the last FleetConfig.ForecastWeeks weeks by weekday.
func (f *Fleet) Forecast(ctx context.Context, deviceID string) ([]CashForecast, error) {
	a, err := f.Device(ctx, deviceID)
	if err != nil {
		return nil, err
	}
	now := f.clock.Now().In(f.cfg.Location)
	today := calendar.DateOf(now)
	from := today.AddDays(-7 * f.cfg.ForecastWeeks)
	ws, err := f.store.ListATMWithdrawals(ctx, ATMWithdrawalFilter{DeviceID: a.ID, Since: from.In(f.cfg.Location)})
	if err != nil {
		return nil, err
	}
	var out []CashForecast
	weeks := decimal.NewFromInt(int64(f.cfg.ForecastWeeks))
	for _, c := range a.Currencies() {
		var sums [7]decimal.Decimal
		for _, w := range ws {
			day := calendar.DateOf(w.CreatedAt.In(f.cfg.Location))
			if w.Amount.Currency != c || !w.State.reported() || !day.Before(today) {
				continue // today's are not a whole day yet
			}
			sums[day.Weekday()] = sums[day.Weekday()].Add(w.DispensedAmount().Amount)
		}
		fc := CashForecast{Currency: c, Cash: a.Cash(c), DaysUntilEmpty: -1}
		any := false
		for d := range sums {
			avg := sums[d].DivRound(weeks, c.MinorUnits())
			fc.ByWeekday[d] = money.Money{Amount: avg, Currency: c}
			any = any || avg.IsPositive()
		}
		if any {
			left := fc.Cash.Amount
			for n := range 366 {
				day := today.AddDays(n)
				left = left.Sub(fc.ByWeekday[day.Weekday()].Amount)
				if !left.IsPositive() {
					fc.DaysUntilEmpty, fc.EmptyOn = n, day
					break
				}
			}
		}
		out = append(out, fc)
	}
	return out, nil
}

// ReconciliationLine compares one device's counters in one currency with
// its ledger account.
type ReconciliationLine struct {
	DeviceID  string
	Currency  money.Currency
	AccountID string
	// Counted is the cash in the cassettes by the bank's count (loaded
	// less dispensed, which every heartbeat's counts must match).
	Counted money.Money
	// Ledger is the balance of the device's cash account.
	Ledger money.Money
	// Difference is Ledger less Counted: zero when they agree.
	Difference money.Money
	// Unsettled are the withdrawals the device reported that the ledger
	// has not settled (their cash has left the cassettes, not the
	// account), and UnpostedLoads the loads not posted: the known causes
	// of a difference, which Settle clears.
	Unsettled     int
	UnpostedLoads int
}

// Reconciliation is the day's comparison of every device's counters with
// the ledger.
type Reconciliation struct {
	Day   calendar.Date
	Lines []ReconciliationLine
	// Differences counts the lines whose difference is not zero.
	Differences int
	// ClosedAt is when the end of day kept it (CloseDay); zero for a
	// reconciliation computed on request.
	ClosedAt time.Time
}

// Reconcile compares each device's counted cash with its ledger account,
// per currency, and reports every difference with its known causes.
func (f *Fleet) Reconcile(ctx context.Context) (Reconciliation, error) {
	as, err := f.store.ListATMs(ctx)
	if err != nil {
		return Reconciliation{}, err
	}
	rec := Reconciliation{Day: calendar.DateOf(f.clock.Now().In(f.cfg.Location)), Lines: []ReconciliationLine{}}
	for _, a := range as {
		ws, err := f.store.ListATMWithdrawals(ctx, ATMWithdrawalFilter{DeviceID: a.ID, Unsettled: true})
		if err != nil {
			return Reconciliation{}, err
		}
		rs, err := f.store.ListReplenishments(ctx, a.ID)
		if err != nil {
			return Reconciliation{}, err
		}
		for _, c := range a.Currencies() {
			acct, ok := a.CashAccounts[c]
			if !ok {
				return Reconciliation{}, fmt.Errorf("channel: device %s has no %s cash account", a.ID, c)
			}
			bal, err := f.cash.Balance(ctx, acct)
			if err != nil {
				return Reconciliation{}, err
			}
			counted := a.Cash(c)
			l := ReconciliationLine{DeviceID: a.ID, Currency: c, AccountID: acct, Counted: counted, Ledger: bal,
				Difference: money.Money{Amount: bal.Amount.Sub(counted.Amount), Currency: c}}
			for _, w := range ws {
				if w.Amount.Currency == c {
					l.Unsettled++
				}
			}
			for _, r := range rs {
				if r.State != ReplenishmentScheduled && !r.Posted && (r.Amount(c).Amount.IsPositive() || r.ReturnedAmount(c).Amount.IsPositive()) {
					l.UnpostedLoads++
				}
			}
			if !l.Difference.Amount.IsZero() {
				rec.Differences++
			}
			rec.Lines = append(rec.Lines, l)
		}
	}
	return rec, nil
}

// cashAccount returns a device's cash account in c.
func cashAccount(a ATM, c money.Currency) (string, error) {
	id, ok := a.CashAccounts[c]
	if !ok {
		return "", fault.Field(ErrCannotDispense, "amount.currency", fmt.Sprintf("device %s holds no %s", a.ID, c))
	}
	return id, nil
}

// CloseDay is the end of day's reconciliation of business date day: the
// devices' counted cash against their ledger accounts as the day closes,
// kept once per date. The first call computes and keeps it (created
// true); any later call for the same date, a re-run of the end of day's
// step, returns the one kept (created false) and computes nothing, so a
// difference is raised once. It refuses a zero date (ErrInvalidInput).
func (f *Fleet) CloseDay(ctx context.Context, day calendar.Date) (rec Reconciliation, created bool, err error) {
	if day.IsZero() {
		return Reconciliation{}, false, invalid("day", "is required")
	}
	if kept, err := f.store.ATMReconciliation(ctx, day); err == nil {
		return kept, false, nil
	} else if !errors.Is(err, ErrNotFound) {
		return Reconciliation{}, false, err
	}
	rec, err = f.Reconcile(ctx)
	if err != nil {
		return Reconciliation{}, false, err
	}
	rec.Day = day
	rec.ClosedAt = f.clock.Now().UTC().Truncate(time.Microsecond)
	return f.store.SaveATMReconciliation(ctx, rec)
}

// ClosedDay returns the reconciliation the end of day kept for day.
// Errors: ErrNotFound when the day has not closed.
func (f *Fleet) ClosedDay(ctx context.Context, day calendar.Date) (Reconciliation, error) {
	if day.IsZero() {
		return Reconciliation{}, invalid("day", "is required")
	}
	return f.store.ATMReconciliation(ctx, day)
}
