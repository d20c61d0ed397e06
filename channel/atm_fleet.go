package channel

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/text"
)

// Fleet runs the bank's ATMs and self-service devices: the registry and
// each device's credential, heartbeats and status, withdrawals at the
// device (hold, dispense, capture), replenishment orders, fault tickets,
// low-cash alerts, forecasts and the reconciliation of each device's
// counters against the ledger. It keeps its records in an ATMStore and
// reaches the ledger only through the CashLedger port. It is safe for
// concurrent use.
type Fleet struct {
	store ATMStore
	cash  CashLedger
	clock calendar.Clock
	cfg   FleetConfig
}

// CashLedger is the port to the bank's ledger for the fleet: each device's
// cash is a ledger account per currency, customers' withdrawals are holds
// captured into it, replenishments move cash between it and the vault.
// Every posting carries an idempotency key, so a retry posts nothing twice.
// An error whose fault kind is Invalid, Unprocessable, Conflict, NotFound,
// Forbidden or PreconditionFailed means the ledger refused and nothing was
// posted; any other leaves the outcome unknown (retry under the same key).
type CashLedger interface {
	// OpenCashAccount returns the ledger account of the device's cash in c,
	// opening it the first time (a retry returns the same account).
	OpenCashAccount(ctx context.Context, deviceID string, c money.Currency) (accountID string, err error)
	// PlaceHold holds amount on the customer's account; a retry under key
	// returns the same hold.
	PlaceHold(ctx context.Context, key, accountID string, amount money.Money, description string) (holdID string, err error)
	// Capture moves amount of the hold to the device's cash account and
	// releases the rest of the hold, under key.
	Capture(ctx context.Context, key, holdID, cashAccountID string, amount money.Money, description string) error
	// Release releases the hold; releasing a released hold is no error.
	Release(ctx context.Context, holdID string) error
	// MoveCash posts amount from the vault to the device's cash account
	// (toDevice) or back to the vault, under key.
	MoveCash(ctx context.Context, key, cashAccountID string, amount money.Money, toDevice bool, description string) error
	// Balance is the ledger balance of the device's cash account.
	Balance(ctx context.Context, cashAccountID string) (money.Money, error)
}

// FleetConfig is the bank's policy for the fleet.
type FleetConfig struct {
	// OfflineAfter: a device without a heartbeat for this long is offline.
	OfflineAfter time.Duration
	// Location is where the forecast's and reconciliation's days begin.
	Location *time.Location
	// ForecastWeeks is how many weeks of withdrawals the forecast reads.
	ForecastWeeks int
	// MaxNotes is the most notes one withdrawal dispenses.
	MaxNotes int
}

// DefaultFleetConfig is the reference bank's policy: offline after 30
// seconds (three heartbeats of ten seconds missed), days in UTC+8, four
// weeks of history, 40 notes a withdrawal.
func DefaultFleetConfig() FleetConfig {
	return FleetConfig{OfflineAfter: 30 * time.Second, Location: time.FixedZone("UTC+8", 8*3600), ForecastWeeks: 4, MaxNotes: 40}
}

// Validate checks the policy.
func (c FleetConfig) Validate() error {
	switch {
	case c.OfflineAfter < time.Second || c.OfflineAfter > 24*time.Hour:
		return invalid("offline_after", "must be a second to a day")
	case c.Location == nil:
		return invalid("location", "must not be nil")
	case c.ForecastWeeks < 1 || c.ForecastWeeks > 52:
		return invalid("forecast_weeks", "must be 1 to 52")
	case c.MaxNotes < 1 || c.MaxNotes > 200:
		return invalid("max_notes", "must be 1 to 200")
	}
	return nil
}

// FleetOption configures a Fleet.
type FleetOption func(*Fleet) error

// WithFleetClock sets the clock (default calendar.SystemClock).
func WithFleetClock(c calendar.Clock) FleetOption {
	return func(f *Fleet) error {
		if c == nil {
			return invalid("clock", "must not be nil")
		}
		f.clock = c
		return nil
	}
}

// WithFleetConfig sets the policy (default DefaultFleetConfig).
func WithFleetConfig(c FleetConfig) FleetOption {
	return func(f *Fleet) error {
		if err := c.Validate(); err != nil {
			return err
		}
		f.cfg = c
		return nil
	}
}

// NewFleet returns the fleet service over store, posting through cash.
func NewFleet(store ATMStore, cash CashLedger, opts ...FleetOption) (*Fleet, error) {
	if store == nil {
		return nil, invalid("store", "must not be nil")
	}
	if cash == nil {
		return nil, invalid("cash", "must not be nil")
	}
	f := &Fleet{store: store, cash: cash, clock: calendar.SystemClock{}, cfg: DefaultFleetConfig()}
	for _, o := range opts {
		if err := o(f); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// Config returns the policy the fleet applies.
func (f *Fleet) Config() FleetConfig { return f.cfg }

func (f *Fleet) now() time.Time { return f.clock.Now().UTC().Truncate(time.Microsecond) }

// Status is the device's status now.
func (f *Fleet) Status(a ATM) ATMStatus { return a.Status(f.clock.Now(), f.cfg.OfflineAfter) }

// ATMTokenPrefix starts every device credential, so a leaked one is
// recognisable (and never mistaken for a staff or customer token).
const ATMTokenPrefix = "atm_"

func newATMToken() (string, error) {
	var b [tokenBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("channel: device token: %w", err)
	}
	return ATMTokenPrefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// NewATM is a device to register.
type NewATM struct {
	ID        string
	Branch    string
	Address   string
	Latitude  decimal.Decimal
	Longitude decimal.Decimal
	Model     string
	Cassettes []Cassette // counts are ignored: a new device is empty until loaded
}

func (n NewATM) validate() error {
	if err := validATMID("id", n.ID); err != nil {
		return err
	}
	for _, x := range []struct{ field, v string }{{"branch", n.Branch}, {"address", n.Address}, {"model", n.Model}} {
		if strings.TrimSpace(x.v) == "" || len(x.v) > 200 {
			return invalid(x.field, "must be 1 to 200 characters")
		}
		if err := text.Line(ErrInvalidInput, x.field, x.v); err != nil {
			return err
		}
	}
	if n.Latitude.Abs().GreaterThan(decimal.NewFromInt(90)) {
		return invalid("latitude", "must be -90 to 90")
	}
	if n.Longitude.Abs().GreaterThan(decimal.NewFromInt(180)) {
		return invalid("longitude", "must be -180 to 180")
	}
	return validateCassettes(n.Cassettes)
}

// Register adds a device to the fleet, opens its cash accounts (one per
// currency of its cassettes) and issues its credential: the token, shown
// once, that the device sends on every request. Only its hash is kept.
// Errors: ErrInvalidInput; ErrDuplicate if the id is taken.
func (f *Fleet) Register(ctx context.Context, n NewATM) (ATM, string, error) {
	if err := n.validate(); err != nil {
		return ATM{}, "", err
	}
	if _, err := f.store.ATM(ctx, n.ID); err == nil {
		return ATM{}, "", fault.Field(ErrDuplicate, "id", fmt.Sprintf("device %s is registered", n.ID))
	} else if !errors.Is(err, ErrNotFound) {
		return ATM{}, "", err
	}
	a := ATM{ID: n.ID, Branch: n.Branch, Address: n.Address, Latitude: n.Latitude, Longitude: n.Longitude, Model: n.Model,
		State: ATMStateOK, CreatedAt: f.now(), CashAccounts: map[money.Currency]string{}}
	for _, c := range n.Cassettes {
		c.Count = 0
		a.Cassettes = append(a.Cassettes, c)
	}
	for _, c := range a.Currencies() {
		id, err := f.cash.OpenCashAccount(ctx, a.ID, c)
		if err != nil {
			return ATM{}, "", fmt.Errorf("channel: cash account of %s in %s: %w", a.ID, c, err)
		}
		a.CashAccounts[c] = id
	}
	token, err := newATMToken()
	if err != nil {
		return ATM{}, "", err
	}
	a.CredentialHash = HashToken(token)
	if err := f.store.CreateATM(ctx, a); err != nil {
		if errors.Is(err, ErrDuplicate) {
			return ATM{}, "", fault.Field(ErrDuplicate, "id", fmt.Sprintf("device %s is registered", n.ID))
		}
		return ATM{}, "", err
	}
	return a, token, nil
}

// RotateCredential issues the device a new token; the old one stops
// working at once. Errors: ErrNotFound.
func (f *Fleet) RotateCredential(ctx context.Context, id string) (string, error) {
	token, err := newATMToken()
	if err != nil {
		return "", err
	}
	if err := f.store.RotateATMCredential(ctx, id, HashToken(token)); err != nil {
		return "", err
	}
	return token, nil
}

// Authenticate returns the device the token belongs to.
// Errors: ErrDeviceUnauthenticated.
func (f *Fleet) Authenticate(ctx context.Context, token string) (ATM, error) {
	if !strings.HasPrefix(token, ATMTokenPrefix) || len(token) > MaxTokenLength {
		return ATM{}, fmt.Errorf("%w: send the device's token", ErrDeviceUnauthenticated)
	}
	a, err := f.store.ATMByCredential(ctx, HashToken(token))
	if errors.Is(err, ErrNotFound) {
		return ATM{}, fmt.Errorf("%w: unknown device token", ErrDeviceUnauthenticated)
	}
	return a, err
}

// Device returns a device. Errors: ErrNotFound.
func (f *Fleet) Device(ctx context.Context, id string) (ATM, error) {
	a, err := f.store.ATM(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return ATM{}, fmt.Errorf("%w: no device %s", ErrNotFound, id)
	}
	return a, err
}

// Devices returns the fleet in id order.
func (f *Fleet) Devices(ctx context.Context) ([]ATM, error) { return f.store.ListATMs(ctx) }

// Heartbeat is what a device reports every few seconds.
type Heartbeat struct {
	State     ATMState
	FaultCode string // with ATMStateFault: the device's code
	// Counts are the notes in each cassette in the registry's order, as
	// the device counts them; nil when not reported.
	Counts []int
}

func (h Heartbeat) validate() error {
	if err := h.State.Validate(); err != nil {
		return err
	}
	switch {
	case h.State == ATMStateFault && h.FaultCode == "":
		return invalid("fault_code", "is required with state fault")
	case h.State != ATMStateFault && h.FaultCode != "":
		return invalid("fault_code", "only with state fault")
	case len(h.FaultCode) > 32:
		return invalid("fault_code", "must be at most 32 characters")
	}
	return text.Line(ErrInvalidInput, "fault_code", h.FaultCode)
}

// checkCounts refuses counts that cannot be: negative, above a cassette's
// capacity, or other than the bank's count (loaded less dispensed).
func checkCounts(a ATM, counts []int, field string) error {
	if len(counts) != len(a.Cassettes) {
		return fault.Field(ErrImpossibleCount, field, fmt.Sprintf("the device has %d cassettes, not %d", len(a.Cassettes), len(counts)))
	}
	for i, n := range counts {
		at := fmt.Sprintf("%s[%d]", field, i)
		k := a.Cassettes[i]
		switch {
		case n < 0:
			return fault.Field(ErrImpossibleCount, at, "is negative")
		case n > k.Capacity:
			return fault.Field(ErrImpossibleCount, at, fmt.Sprintf("%d is above the cassette's capacity of %d", n, k.Capacity))
		case n != k.Count:
			return fault.Field(ErrImpossibleCount, at, fmt.Sprintf("%d does not match the %d notes loaded less dispensed", n, k.Count))
		}
	}
	return nil
}

// Heartbeat records a device's heartbeat: its state and, if reported, its
// counts, which must be possible. A fault opens a ticket (one at a time);
// state ok closes the open one. The device is found by its token.
// Errors: ErrDeviceUnauthenticated; ErrInvalidInput; ErrImpossibleCount
// naming the count; nothing is recorded on an error.
func (f *Fleet) Heartbeat(ctx context.Context, token string, h Heartbeat) (ATM, error) {
	if err := h.validate(); err != nil {
		return ATM{}, err
	}
	if !strings.HasPrefix(token, ATMTokenPrefix) || len(token) > MaxTokenLength {
		return ATM{}, fmt.Errorf("%w: send the device's token", ErrDeviceUnauthenticated)
	}
	now := f.now()
	// Most heartbeats change nothing but the time: one step. A device
	// back from an offline spell takes the locked way, which records it.
	if a, ok, err := f.store.TouchATM(ctx, HashToken(token), h.State, h.FaultCode, h.Counts, now.Add(-f.cfg.OfflineAfter), now); err != nil || ok {
		return a, err
	}
	a, err := f.store.HeartbeatATM(ctx, HashToken(token), func(a ATM) (ATM, []ATMTicket, error) {
		if h.Counts != nil {
			if err := checkCounts(a, h.Counts, "counts"); err != nil {
				return ATM{}, nil, err
			}
		}
		spell, was := f.offlineSpell(a, now)
		var tickets []ATMTicket
		a, tickets = f.transition(a, h.State, h.FaultCode, now)
		if was {
			tickets = append([]ATMTicket{spell}, tickets...)
		}
		return a, tickets, nil
	})
	if errors.Is(err, ErrNotFound) {
		return ATM{}, fmt.Errorf("%w: unknown device token", ErrDeviceUnauthenticated)
	}
	return a, err
}

// transition applies a reported state: a fault opens a ticket unless one is
// open; a recovery (state ok) closes it. Out of service leaves a fault's
// ticket open: the device is still not serving.
func (f *Fleet) transition(a ATM, s ATMState, code string, now time.Time) (ATM, []ATMTicket) {
	a.State, a.FaultCode = s, code
	if now.After(a.LastHeartbeat) {
		a.LastHeartbeat = now
	}
	switch {
	case s == ATMStateFault && a.OpenTicket == uuid.Nil:
		t := ATMTicket{ID: newUUID(), DeviceID: a.ID, Code: code, OpenedAt: now, UpdatedAt: now}
		a.OpenTicket = t.ID
		return a, []ATMTicket{t}
	case s == ATMStateOK && a.OpenTicket != uuid.Nil:
		t := ATMTicket{ID: a.OpenTicket, DeviceID: a.ID, ClosedAt: now, UpdatedAt: now}
		a.OpenTicket = uuid.Nil
		return a, []ATMTicket{t}
	}
	return a, nil
}

// OfflineCode is the code of the ticket that records an offline spell.
const OfflineCode = "offline"

// offlineSpell is the closed ticket of the offline spell a heartbeat at now
// ends: the device's last heartbeat is more than OfflineAfter old. A
// spell is counted from that last heartbeat (the device was last known
// to work then) to now. None while a fault's ticket is open (it counts
// that time already), nor before a first heartbeat.
func (f *Fleet) offlineSpell(a ATM, now time.Time) (ATMTicket, bool) {
	if a.LastHeartbeat.IsZero() || a.OpenTicket != uuid.Nil || now.Sub(a.LastHeartbeat) <= f.cfg.OfflineAfter {
		return ATMTicket{}, false
	}
	return ATMTicket{ID: newUUID(), DeviceID: a.ID, Code: OfflineCode, OpenedAt: a.LastHeartbeat, ClosedAt: now, UpdatedAt: now}, true
}

func newUUID() uuid.UUID {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.New()
	}
	return id
}

// Tickets returns a device's tickets (every device's for "") and the
// device's downtime: how long its tickets have been open, to now. The
// tickets are those of faults and of offline spells (code OfflineCode,
// recorded closed when the device heartbeats again); a device offline now
// adds its current spell to the downtime (of one device's query).
func (f *Fleet) Tickets(ctx context.Context, deviceID string) ([]ATMTicket, time.Duration, error) {
	var dev ATM
	if deviceID != "" {
		var err error
		if dev, err = f.Device(ctx, deviceID); err != nil {
			return nil, 0, err
		}
	}
	ts, err := f.store.ListATMTickets(ctx, deviceID)
	if err != nil {
		return nil, 0, err
	}
	now := f.clock.Now()
	var down time.Duration
	for _, t := range ts {
		down += t.Downtime(now)
	}
	if spell, ok := f.offlineSpell(dev, now); deviceID != "" && ok {
		down += spell.Downtime(now)
	}
	return ts, down, nil
}

// WithdrawalRequest is a customer's withdrawal at a device: the device has
// checked the card and PIN and names the account.
type WithdrawalRequest struct {
	TxnID     string
	AccountID string
	Amount    money.Money
}

func (r WithdrawalRequest) validate() error {
	if r.TxnID == "" || len(r.TxnID) > 64 {
		return invalid("txn_id", "must be 1 to 64 characters")
	}
	for i := 0; i < len(r.TxnID); i++ {
		if r.TxnID[i] <= ' ' || r.TxnID[i] > '~' {
			return invalid("txn_id", "must be printable ASCII without spaces")
		}
	}
	if r.AccountID == "" || len(r.AccountID) > 64 {
		return invalid("account_id", "is required")
	}
	if err := text.Line(ErrInvalidInput, "account_id", r.AccountID); err != nil {
		return err
	}
	if !r.Amount.Currency.Valid() {
		return invalid("amount.currency", "is not a currency")
	}
	if !r.Amount.Amount.IsPositive() {
		return invalid("amount", "must be positive")
	}
	if _, err := money.New(r.Amount.Amount, r.Amount.Currency); err != nil {
		return invalid("amount", fmt.Sprintf("more decimal places than %s has", r.Amount.Currency))
	}
	return nil
}

// planNotes finds notes from the cassettes of c that make up amount, the
// largest denominations first, at most maxNotes of them.
func planNotes(a ATM, amount money.Money, maxNotes int) ([]NoteCount, error) {
	type k struct {
		d     decimal.Decimal
		count int
	}
	var ks []k
	held := decimal.Zero
	for _, c := range a.Cassettes {
		if c.Currency == amount.Currency && c.Count > 0 {
			ks = append(ks, k{c.Denomination, c.Count})
			held = held.Add(c.Value())
		}
	}
	if amount.Amount.GreaterThan(held) {
		return nil, fault.Field(ErrCannotDispense, "amount", fmt.Sprintf("%s is more than the cassettes hold (%s %s)", amount, held.StringFixed(amount.Currency.MinorUnits()), amount.Currency))
	}
	for i := range ks { // largest first
		for j := i + 1; j < len(ks); j++ {
			if ks[j].d.GreaterThan(ks[i].d) {
				ks[i], ks[j] = ks[j], ks[i]
			}
		}
	}
	plan := make([]int, len(ks))
	steps := 0
	var try func(i int, rem decimal.Decimal, notes int) bool
	try = func(i int, rem decimal.Decimal, notes int) bool {
		if rem.IsZero() {
			return true
		}
		if i == len(ks) || steps > 20000 {
			return false
		}
		steps++
		most := rem.Div(ks[i].d).Floor().IntPart()
		if most > int64(ks[i].count) {
			most = int64(ks[i].count)
		}
		if most > int64(maxNotes-notes) {
			most = int64(maxNotes - notes)
		}
		for n := most; n >= 0; n-- {
			plan[i] = int(n)
			if try(i+1, rem.Sub(ks[i].d.Mul(decimal.NewFromInt(n))), notes+int(n)) {
				return true
			}
		}
		plan[i] = 0
		return false
	}
	if !try(0, amount.Amount, 0) {
		return nil, fault.Field(ErrCannotDispense, "amount", fmt.Sprintf("%s cannot be made of at most %d notes the cassettes hold", amount, maxNotes))
	}
	var out []NoteCount
	for i, n := range plan {
		if n > 0 {
			out = append(out, NoteCount{Denomination: ks[i].d, Count: n})
		}
	}
	return out, nil
}

// refused reports whether a port's error means nothing was done.
func refused(err error) bool {
	switch fault.KindOf(err) {
	case fault.Invalid, fault.Unprocessable, fault.Conflict, fault.NotFound, fault.Forbidden, fault.PreconditionFailed:
		return true
	}
	return false
}

func withdrawalKey(deviceID, txnID, step string) string {
	return "atm/" + deviceID + "/" + txnID + "/" + step
}

// Authorize starts a withdrawal at the device: it plans the notes, records
// the withdrawal under the device's transaction id and holds the amount on
// the customer's account. A retry with the same transaction id continues
// where the first stopped and returns the same withdrawal; the same id
// with another account or amount is ErrConflict. A refused hold declines
// the withdrawal (and returns the ledger's error). Errors: ErrInvalidInput;
// ErrCannotDispense naming amount; ErrDeviceNotReady.
func (f *Fleet) Authorize(ctx context.Context, deviceID string, r WithdrawalRequest) (ATMWithdrawal, error) {
	if err := r.validate(); err != nil {
		return ATMWithdrawal{}, err
	}
	w, err := f.store.ATMWithdrawal(ctx, deviceID, r.TxnID)
	switch {
	case errors.Is(err, ErrNotFound):
		a, err := f.Device(ctx, deviceID)
		if err != nil {
			return ATMWithdrawal{}, err
		}
		if a.State != ATMStateOK {
			return ATMWithdrawal{}, fmt.Errorf("%w: device %s reports %s", ErrDeviceNotReady, a.ID, a.State)
		}
		if _, err := cashAccount(a, r.Amount.Currency); err != nil {
			return ATMWithdrawal{}, err
		}
		plan, err := planNotes(a, r.Amount, f.cfg.MaxNotes)
		if err != nil {
			return ATMWithdrawal{}, err
		}
		now := f.now()
		var created bool
		w, created, err = f.store.CreateATMWithdrawal(ctx, ATMWithdrawal{ID: newUUID(), DeviceID: deviceID, TxnID: r.TxnID,
			AccountID: r.AccountID, Amount: r.Amount, State: WithdrawalPending, Plan: plan, CreatedAt: now, UpdatedAt: now})
		if err != nil {
			return ATMWithdrawal{}, err
		}
		if !created && (w.AccountID != r.AccountID || !w.Amount.Equal(r.Amount)) {
			return ATMWithdrawal{}, fault.Field(ErrConflict, "txn_id", "was used for another withdrawal")
		}
	case err != nil:
		return ATMWithdrawal{}, err
	case w.AccountID != r.AccountID || !w.Amount.Equal(r.Amount):
		return ATMWithdrawal{}, fault.Field(ErrConflict, "txn_id", "was used for another withdrawal")
	}
	if w.State != WithdrawalPending {
		return w, nil
	}
	hold, herr := f.cash.PlaceHold(ctx, withdrawalKey(deviceID, r.TxnID, "hold"), w.AccountID, w.Amount,
		fmt.Sprintf("ATM %s withdrawal %s", deviceID, r.TxnID))
	if herr != nil && (!refused(herr) || fault.KindOf(herr) == fault.Conflict) {
		// Unknown, or a conflict (the same key in flight from a racing
		// retry): nothing is declined; a retry places it under the key.
		return ATMWithdrawal{}, herr
	}
	w, err = f.store.UpdateATMWithdrawal(ctx, deviceID, r.TxnID, func(w ATMWithdrawal, a ATM) (ATMWithdrawal, ATM, error) {
		if w.State != WithdrawalPending {
			return w, a, nil
		}
		if herr != nil {
			w.State, w.Reason = WithdrawalDeclined, herr.Error()
		} else {
			w.State, w.HoldID = WithdrawalAuthorized, hold
		}
		w.UpdatedAt = f.now()
		return w, a, nil
	})
	if err != nil {
		return ATMWithdrawal{}, err
	}
	if w.State == WithdrawalDeclined {
		if herr != nil {
			return w, herr
		}
		return w, fmt.Errorf("%w: declined: %s", ErrWithdrawalState, w.Reason)
	}
	return w, nil
}

// Withdrawal returns a device's withdrawal. Errors: ErrNotFound.
func (f *Fleet) Withdrawal(ctx context.Context, deviceID, txnID string) (ATMWithdrawal, error) {
	return f.store.ATMWithdrawal(ctx, deviceID, txnID)
}

// ReportDispense records what the device dispensed for an authorized
// withdrawal: all the notes (the hold is captured into the device's cash
// account), some (that much is captured, the rest of the hold released)
// or none (the hold is released). The cassettes are counted down in the
// same step. Exactly once: a retry with the same notes settles what is not
// settled yet and changes nothing else; other notes are ErrWithdrawalState.
// Errors: ErrNotFound; ErrImpossibleCount naming the count (more notes than
// planned or than the cassette holds, a denomination it has not).
func (f *Fleet) ReportDispense(ctx context.Context, deviceID, txnID string, notes []NoteCount) (ATMWithdrawal, error) {
	notes = compactNotes(notes)
	w, err := f.store.UpdateATMWithdrawal(ctx, deviceID, txnID, func(w ATMWithdrawal, a ATM) (ATMWithdrawal, ATM, error) {
		if w.State.reported() {
			if !sameNotes(w.Dispensed, notes) {
				return w, a, fault.Field(ErrWithdrawalState, "dispensed", fmt.Sprintf("the withdrawal's dispense is recorded already (%s)", w.State))
			}
			return w, a, nil
		}
		if w.State != WithdrawalAuthorized {
			return w, a, fmt.Errorf("%w: the withdrawal is %s, not authorized", ErrWithdrawalState, w.State)
		}
		for i, n := range notes {
			at := fmt.Sprintf("dispensed[%d]", i)
			k := a.cassette(w.Amount.Currency, n.Denomination)
			planned := 0
			for _, p := range w.Plan {
				if p.Denomination.Equal(n.Denomination) {
					planned = p.Count
				}
			}
			switch {
			case n.Count < 0:
				return w, a, fault.Field(ErrImpossibleCount, at+".count", "is negative")
			case k < 0:
				return w, a, fault.Field(ErrImpossibleCount, at+".denomination", fmt.Sprintf("the device has no %s %s cassette", n.Denomination, w.Amount.Currency))
			case n.Count > planned:
				return w, a, fault.Field(ErrImpossibleCount, at+".count", fmt.Sprintf("%d is more than the %d notes planned", n.Count, planned))
			case n.Count > a.Cassettes[k].Count:
				return w, a, fault.Field(ErrImpossibleCount, at+".count", fmt.Sprintf("%d is more than the cassette's %d notes", n.Count, a.Cassettes[k].Count))
			}
			a.Cassettes[k].Count -= n.Count
		}
		w.Dispensed = notes
		got := w.DispensedAmount()
		switch {
		case got.Amount.IsZero():
			w.State = WithdrawalFailed
		case got.Amount.Equal(w.Amount.Amount):
			w.State = WithdrawalDispensed
		default:
			w.State = WithdrawalPartial
		}
		w.UpdatedAt = f.now()
		return w, a, nil
	})
	if err != nil {
		return ATMWithdrawal{}, err
	}
	return f.settle(ctx, w)
}

// settle captures or releases a reported withdrawal's hold and marks it
// settled; a settled one is returned as it is.
func (f *Fleet) settle(ctx context.Context, w ATMWithdrawal) (ATMWithdrawal, error) {
	if !w.State.reported() || !w.SettledAt.IsZero() {
		return w, nil
	}
	got := w.DispensedAmount()
	if got.Amount.IsZero() {
		if err := f.cash.Release(ctx, w.HoldID); err != nil {
			return w, err
		}
	} else {
		a, err := f.Device(ctx, w.DeviceID)
		if err != nil {
			return w, err
		}
		acct, err := cashAccount(a, w.Amount.Currency)
		if err != nil {
			return w, err
		}
		if err := f.cash.Capture(ctx, withdrawalKey(w.DeviceID, w.TxnID, "capture"), w.HoldID, acct, got,
			fmt.Sprintf("ATM %s withdrawal %s", w.DeviceID, w.TxnID)); err != nil {
			return w, err
		}
	}
	return f.store.UpdateATMWithdrawal(ctx, w.DeviceID, w.TxnID, func(w ATMWithdrawal, a ATM) (ATMWithdrawal, ATM, error) {
		if w.SettledAt.IsZero() {
			w.SettledAt = f.now()
			w.UpdatedAt = w.SettledAt
		}
		return w, a, nil
	})
}

func compactNotes(ns []NoteCount) []NoteCount {
	var out []NoteCount
	for _, n := range ns {
		if n.Count != 0 {
			out = append(out, n)
		}
	}
	return out
}

func sameNotes(a, b []NoteCount) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Denomination.Equal(b[i].Denomination) || a[i].Count != b[i].Count {
			return false
		}
	}
	return true
}

// Settle retries what a crash or an unavailable ledger left undone on a
// device: withdrawals reported but not settled, loads not posted. It
// returns how many it settled.
func (f *Fleet) Settle(ctx context.Context, deviceID string) (int, error) {
	ws, err := f.store.ListATMWithdrawals(ctx, ATMWithdrawalFilter{DeviceID: deviceID, Unsettled: true})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, w := range ws {
		if _, err := f.settle(ctx, w); err != nil {
			return n, err
		}
		n++
	}
	rs, err := f.store.ListReplenishments(ctx, deviceID)
	if err != nil {
		return n, err
	}
	for _, r := range rs {
		if r.State != ReplenishmentScheduled && !r.Posted {
			if _, err := f.post(ctx, r); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}
