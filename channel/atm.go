package channel

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// The ATM and self-service fleet: the devices, their cassettes of notes,
// the cash each holds (a ledger account per device and currency),
// withdrawals at the device, replenishment orders and fault tickets.
// Fleet is the service; ATMStore what it needs from a backend.

// ATMState is what a device says of itself in a heartbeat.
type ATMState string

// The states a device reports.
const (
	ATMStateOK           ATMState = "ok"
	ATMStateFault        ATMState = "fault"          // with a fault code
	ATMStateOutOfService ATMState = "out_of_service" // taken out of service on purpose
)

// Validate checks the state is known.
func (s ATMState) Validate() error {
	switch s {
	case ATMStateOK, ATMStateFault, ATMStateOutOfService:
		return nil
	}
	return invalid("state", fmt.Sprintf("%q is not ok, fault or out_of_service", s))
}

// ATMStatus is what the fleet sees of a device: its reported state, its
// heartbeats and its cash together.
type ATMStatus string

// The statuses of a device, in the order they take precedence.
const (
	ATMOffline      ATMStatus = "offline"        // no heartbeat for FleetConfig.OfflineAfter (or never)
	ATMFault        ATMStatus = "fault"          // the device reports a fault
	ATMOutOfService ATMStatus = "out_of_service" // the device reports it is out of service
	ATMCashOut      ATMStatus = "cash_out"       // a currency's cassettes are all empty
	ATMCashLow      ATMStatus = "cash_low"       // a cassette is at or below its low mark
	ATMOnline       ATMStatus = "online"
)

// Cassette is one cassette of a device: notes of one denomination and
// currency, how many it takes and how many it holds. A device has at most
// one cassette per currency and denomination.
type Cassette struct {
	Currency     money.Currency
	Denomination decimal.Decimal
	Capacity     int
	// Count is the notes in it, as the bank counts them: set when a
	// replenishment is loaded, less every note dispensed. A heartbeat
	// reporting another count is refused.
	Count int
	// LowAt: at or below this count the cassette is low (an alert, the
	// device's status cash_low).
	LowAt int
}

// Value is the cash in the cassette.
func (c Cassette) Value() decimal.Decimal {
	return c.Denomination.Mul(decimal.NewFromInt(int64(c.Count)))
}

// NoteCount is a number of notes of one denomination.
type NoteCount struct {
	Denomination decimal.Decimal
	Count        int
}

// ATM is one device of the fleet.
type ATM struct {
	// ID is the operator's terminal id: 1 to 32 of A–Z a–z 0–9 . _ -
	ID        string
	Branch    string
	Address   string
	Latitude  decimal.Decimal
	Longitude decimal.Decimal
	Model     string
	Cassettes []Cassette
	// CredentialHash is SHA-256 of the device's own token, issued at
	// registration (and rotation) and never stored.
	CredentialHash TokenHash
	// CashAccounts are the ledger accounts of the device's cash, by
	// currency, opened through the CashLedger at registration.
	CashAccounts map[money.Currency]string
	// From the last heartbeat.
	State         ATMState
	FaultCode     string
	LastHeartbeat time.Time // zero: never
	// OpenTicket is the fault ticket open now, uuid.Nil if none.
	OpenTicket uuid.UUID
	CreatedAt  time.Time
}

// Clone returns a copy sharing nothing with a.
func (a ATM) Clone() ATM {
	a.Cassettes = slices.Clone(a.Cassettes)
	if a.CashAccounts != nil {
		m := make(map[money.Currency]string, len(a.CashAccounts))
		for k, v := range a.CashAccounts {
			m[k] = v
		}
		a.CashAccounts = m
	}
	return a
}

// Currencies returns the currencies of the device's cassettes, sorted.
func (a ATM) Currencies() []money.Currency {
	var out []money.Currency
	for _, c := range a.Cassettes {
		if !slices.Contains(out, c.Currency) {
			out = append(out, c.Currency)
		}
	}
	slices.Sort(out)
	return out
}

// Cash returns the cash the cassettes hold in c.
func (a ATM) Cash(c money.Currency) money.Money {
	sum := decimal.Zero
	for _, k := range a.Cassettes {
		if k.Currency == c {
			sum = sum.Add(k.Value())
		}
	}
	return money.Money{Amount: sum, Currency: c}
}

// cassette returns the index of the cassette of c and d, -1 if none.
func (a ATM) cassette(c money.Currency, d decimal.Decimal) int {
	for i, k := range a.Cassettes {
		if k.Currency == c && k.Denomination.Equal(d) {
			return i
		}
	}
	return -1
}

// Status is what the fleet sees of the device at now, when heartbeats
// older than offlineAfter mean it is offline.
func (a ATM) Status(now time.Time, offlineAfter time.Duration) ATMStatus {
	switch {
	case a.LastHeartbeat.IsZero() || now.Sub(a.LastHeartbeat) > offlineAfter:
		return ATMOffline
	case a.State == ATMStateFault:
		return ATMFault
	case a.State == ATMStateOutOfService:
		return ATMOutOfService
	}
	low := false
	for _, c := range a.Currencies() {
		if a.Cash(c).Amount.IsZero() {
			return ATMCashOut
		}
	}
	for _, k := range a.Cassettes {
		if k.Count <= k.LowAt {
			low = true
		}
	}
	if low {
		return ATMCashLow
	}
	return ATMOnline
}

// validATMID checks a terminal id.
func validATMID(field, id string) error {
	if len(id) < 1 || len(id) > 32 {
		return invalid(field, "must be 1 to 32 characters")
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return invalid(field, "may hold only A-Z a-z 0-9 . _ -")
		}
	}
	return nil
}

// validateCassettes checks a cassette configuration: known currencies,
// positive denominations in the currency's minor unit, capacities of 1 to
// 10,000 notes, one cassette per currency and denomination.
func validateCassettes(cs []Cassette) error {
	if len(cs) == 0 || len(cs) > 8 {
		return invalid("cassettes", "a device has 1 to 8 cassettes")
	}
	for i, c := range cs {
		at := fmt.Sprintf("cassettes[%d]", i)
		if !c.Currency.Valid() {
			return invalid(at+".currency", fmt.Sprintf("%q is not a currency", c.Currency))
		}
		if !c.Denomination.IsPositive() {
			return invalid(at+".denomination", "must be positive")
		}
		if _, err := money.New(c.Denomination, c.Currency); err != nil {
			return invalid(at+".denomination", fmt.Sprintf("more decimal places than %s has", c.Currency))
		}
		if c.Denomination.GreaterThan(decimal.NewFromInt(1_000_000)) {
			return invalid(at+".denomination", "is above 1,000,000")
		}
		if c.Capacity < 1 || c.Capacity > 10_000 {
			return invalid(at+".capacity", "must be 1 to 10000 notes")
		}
		if c.LowAt < 0 || c.LowAt >= c.Capacity {
			return invalid(at+".low_at", "must be at least 0 and below the capacity")
		}
		for j := range i {
			if cs[j].Currency == c.Currency && cs[j].Denomination.Equal(c.Denomination) {
				return invalid(at+".denomination", fmt.Sprintf("cassettes[%d] has %s %s already", j, c.Denomination, c.Currency))
			}
		}
	}
	return nil
}

// ATMTicket is a fault ticket: opened when a device reports a fault,
// closed when it reports it is well again.
type ATMTicket struct {
	ID        uuid.UUID
	DeviceID  string
	Code      string // the fault code the device reported
	OpenedAt  time.Time
	ClosedAt  time.Time // zero: open
	UpdatedAt time.Time
}

// Open reports whether the ticket is open.
func (t ATMTicket) Open() bool { return t.ClosedAt.IsZero() }

// Downtime is how long the ticket has been open up to now (or was, if
// closed).
func (t ATMTicket) Downtime(now time.Time) time.Duration {
	end := t.ClosedAt
	if end.IsZero() {
		end = now
	}
	if end.Before(t.OpenedAt) {
		return 0
	}
	return end.Sub(t.OpenedAt)
}

// ATMWithdrawalState is where a withdrawal at a device stands.
type ATMWithdrawalState string

// The states of a withdrawal at a device.
const (
	// WithdrawalPending: recorded; the hold on the customer's account is
	// being placed.
	WithdrawalPending ATMWithdrawalState = "pending"
	// WithdrawalDeclined: the hold was refused (funds, a frozen account);
	// nothing is dispensed.
	WithdrawalDeclined ATMWithdrawalState = "declined"
	// WithdrawalAuthorized: the amount is held; the device may dispense.
	WithdrawalAuthorized ATMWithdrawalState = "authorized"
	// WithdrawalDispensed, WithdrawalPartial, WithdrawalFailed: the device
	// reported all, part or none of the notes dispensed; the cassettes are
	// counted down. Settled says whether the ledger has captured (all or
	// part) or released the hold.
	WithdrawalDispensed ATMWithdrawalState = "dispensed"
	WithdrawalPartial   ATMWithdrawalState = "partial"
	WithdrawalFailed    ATMWithdrawalState = "failed"
)

// reported reports whether the device has reported the dispense.
func (s ATMWithdrawalState) reported() bool {
	return s == WithdrawalDispensed || s == WithdrawalPartial || s == WithdrawalFailed
}

// ATMWithdrawal is a cash withdrawal at a device, one per device
// transaction id.
type ATMWithdrawal struct {
	ID        uuid.UUID
	DeviceID  string
	TxnID     string // the device's transaction id: the idempotency key
	AccountID string // the customer's account
	Amount    money.Money
	State     ATMWithdrawalState
	HoldID    string      // the ledger hold, once placed
	Plan      []NoteCount // the notes to dispense
	Dispensed []NoteCount // the notes the device reported dispensed
	Reason    string      // why it was declined
	CreatedAt time.Time
	UpdatedAt time.Time
	SettledAt time.Time // zero: not settled in the ledger yet
}

// DispensedAmount is the cash the device reported dispensed.
func (w ATMWithdrawal) DispensedAmount() money.Money {
	return notesValue(w.Dispensed, w.Amount.Currency)
}

// Clone returns a copy sharing nothing with w.
func (w ATMWithdrawal) Clone() ATMWithdrawal {
	w.Plan = slices.Clone(w.Plan)
	w.Dispensed = slices.Clone(w.Dispensed)
	return w
}

func notesValue(ns []NoteCount, c money.Currency) money.Money {
	sum := decimal.Zero
	for _, n := range ns {
		sum = sum.Add(n.Denomination.Mul(decimal.NewFromInt(int64(n.Count))))
	}
	return money.Money{Amount: sum, Currency: c}
}

// ReplenishmentState is where a replenishment order stands.
type ReplenishmentState string

// The states of a replenishment order.
const (
	ReplenishmentScheduled ReplenishmentState = "scheduled" // ordered for a date
	ReplenishmentLoaded    ReplenishmentState = "loaded"    // cassettes swapped; cash posted vault -> device
	ReplenishmentConfirmed ReplenishmentState = "confirmed" // the device counted what was loaded
)

// ReplenishmentLine is what one cassette is to hold after the order: the
// cassettes are exchanged, the notes left in them return to the vault.
type ReplenishmentLine struct {
	Currency     money.Currency
	Denomination decimal.Decimal
	Count        int
}

// Replenishment is an order to load a device's cassettes from the vault.
type Replenishment struct {
	ID           uuid.UUID
	DeviceID     string
	State        ReplenishmentState
	ScheduledFor calendar.Date
	Lines        []ReplenishmentLine
	// Returned are the notes taken out of the cassettes when loaded.
	Returned  []ReplenishmentLine
	Posted    bool // the ledger entries of the load are made
	CreatedAt time.Time
	LoadedAt  time.Time
	// ConfirmedAt: when the device confirmed its counts.
	ConfirmedAt time.Time
}

// Clone returns a copy sharing nothing with r.
func (r Replenishment) Clone() Replenishment {
	r.Lines = slices.Clone(r.Lines)
	r.Returned = slices.Clone(r.Returned)
	return r
}

// Amount is what the order loads in c.
func (r Replenishment) Amount(c money.Currency) money.Money {
	return linesValue(r.Lines, c)
}

// ReturnedAmount is what the exchange returned to the vault in c.
func (r Replenishment) ReturnedAmount(c money.Currency) money.Money {
	return linesValue(r.Returned, c)
}

func linesValue(ls []ReplenishmentLine, c money.Currency) money.Money {
	sum := decimal.Zero
	for _, l := range ls {
		if l.Currency == c {
			sum = sum.Add(l.Denomination.Mul(decimal.NewFromInt(int64(l.Count))))
		}
	}
	return money.Money{Amount: sum, Currency: c}
}

// ATMWithdrawalFilter selects withdrawals.
type ATMWithdrawalFilter struct {
	DeviceID string    // required
	Since    time.Time // created at or after
	// Unsettled: only those the device reported and the ledger has not
	// settled yet.
	Unsettled bool
}
