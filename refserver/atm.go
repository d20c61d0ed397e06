package refserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/risk"
)

// The ATM and self-service fleet over HTTP. Fleet routes are staff's
// (atm_operator and admin); device routes under /v1/atm/device/ are
// called by the devices themselves with their own credential in
// X-ATM-Token, not a staff or customer token. The fleet reaches the
// ledger through channel.CashLedger, adapted here.

// atmServices builds the fleet over the channel store (memchannel and
// pgchannel hold it) and the ledger.
func (s *Server) atmServices(st stores) error {
	store, ok := st.channel.(channel.ATMStore)
	if !ok {
		return errors.New("refserver: the channel store keeps no ATM records")
	}
	var err error
	s.fleet, err = channel.NewFleet(store, ledgerCash{l: s.ledger, s: s}, channel.WithFleetClock(s.clock))
	if err != nil {
		return fmt.Errorf("refserver: ATM fleet: %w", err)
	}
	return nil
}

// ledgerCash adapts the ledger to channel.CashLedger: each device's cash
// is an internal (debit-normal) chart account atm_cash/<device id> per
// currency, replenished from and returned to vault_cash.
//
// A withdrawal's hold is a card authorisation placed by the card holder:
// it is screened (kind withdrawal, cash, channel "atm") before the ledger
// places it, and a block refuses it like any screened movement. Its
// capture settles what was screened and is not screened again.
type ledgerCash struct {
	l *ledger.Service
	s *Server // for screening; nil screens nothing
}

var _ channel.CashLedger = ledgerCash{}

// ATMCashCode is the chart code of a device's cash account.
func ATMCashCode(deviceID string) string { return "atm_cash/" + deviceID }

func (c ledgerCash) OpenCashAccount(ctx context.Context, deviceID string, cur money.Currency) (string, error) {
	a, err := c.l.EnsureChartAccount(ctx, cur, ledger.ChartAccount{Code: ATMCashCode(deviceID), Name: "ATM " + deviceID + " cash", NormalSide: ledger.Debit})
	if err != nil {
		return "", err
	}
	return a.ID.String(), nil
}

func (c ledgerCash) customerAccount(ctx context.Context, accountID string) (ledger.ID, error) {
	id, err := ledger.ParseID(accountID)
	if err != nil {
		return ledger.NilID, fault.Field(channel.ErrInvalidInput, "account_id", "must be an account id")
	}
	a, err := c.l.Account(ctx, id)
	if errors.Is(err, ledger.ErrNotFound) || (err == nil && a.OwnerID == "") {
		return ledger.NilID, fault.Field(channel.ErrNotFound, "account_id", "no such customer account")
	}
	return id, err
}

func (c ledgerCash) PlaceHold(ctx context.Context, key, accountID string, amount money.Money, description string) (string, error) {
	id, err := c.customerAccount(ctx, accountID)
	if err != nil {
		return "", err
	}
	if c.s != nil {
		sc := &riskScreener{s: c.s, accounts: c.l}
		from, err := sc.party(ctx, id)
		if err != nil {
			return "", err
		}
		skey := ""
		if key != "" {
			skey = "atm-hold/" + key
		}
		if err := c.s.screenMovement(withScreeningChannel(ctx, "atm"), risk.KindWithdrawal, from, risk.Party{}, amount, skey, true); err != nil {
			return "", err
		}
	}
	rc, err := c.l.PlaceHold(ctx, ledger.HoldRequest{AccountID: id, Amount: amount, Description: description, IdempotencyKey: key})
	if err != nil {
		return "", err
	}
	return rc.Hold.ID.String(), nil
}

func (c ledgerCash) Capture(ctx context.Context, key, holdID, cashAccountID string, amount money.Money, description string) error {
	h, err := ledger.ParseID(holdID)
	if err != nil {
		return fault.Field(channel.ErrInvalidInput, "hold_id", "must be a hold id")
	}
	to, err := ledger.ParseID(cashAccountID)
	if err != nil {
		return fault.Field(channel.ErrInvalidInput, "cash_account_id", "must be an account id")
	}
	_, err = c.l.CaptureHold(ctx, ledger.CaptureRequest{HoldID: h, ToAccountID: to, Amount: amount, Description: description, IdempotencyKey: key})
	return err
}

func (c ledgerCash) Release(ctx context.Context, holdID string) error {
	h, err := ledger.ParseID(holdID)
	if err != nil {
		return fault.Field(channel.ErrInvalidInput, "hold_id", "must be a hold id")
	}
	_, err = c.l.ReleaseHold(ctx, h)
	return err
}

func (c ledgerCash) MoveCash(ctx context.Context, key, cashAccountID string, amount money.Money, toDevice bool, description string) error {
	dev, err := ledger.ParseID(cashAccountID)
	if err != nil {
		return fault.Field(channel.ErrInvalidInput, "cash_account_id", "must be an account id")
	}
	vault, err := c.l.ChartAccountID(ctx, amount.Currency, ledger.CodeVaultCash)
	if err != nil {
		return err
	}
	from, to := dev, vault
	if toDevice {
		from, to = vault, dev
	}
	_, err = c.l.PostEntry(ctx, ledger.JournalRequest{Postings: []ledger.Posting{
		{AccountID: to, Side: ledger.Debit, Amount: amount},
		{AccountID: from, Side: ledger.Credit, Amount: amount},
	}, Description: description, IdempotencyKey: key})
	return err
}

func (c ledgerCash) Balance(ctx context.Context, cashAccountID string) (money.Money, error) {
	id, err := ledger.ParseID(cashAccountID)
	if err != nil {
		return money.Money{}, fault.Field(channel.ErrInvalidInput, "cash_account_id", "must be an account id")
	}
	a, err := c.l.Account(ctx, id)
	if err != nil {
		return money.Money{}, err
	}
	return a.Balance, nil
}

// atmDevicePrefix starts the routes devices call with their own
// credential.
const atmDevicePrefix = "/v1/atm/device/"

// Who may call the fleet routes.
var (
	atmDesk = staff(channel.RoleAdmin, channel.RoleATMOperator)
	// atmCashReaders also see the reconciliation: finance owns the books.
	atmCashReaders = staff(channel.RoleAdmin, channel.RoleATMOperator, channel.RoleFinance)
)

func (s *Server) atmRoutes() []route {
	return tagged("atm", []route{
		{method: "POST", pattern: "/v1/atm/devices", summary: "Register a device: its cassettes, its cash accounts opened; returns its credential (X-ATM-Token), shown once",
			access: atmDesk, idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.registerATM)},
		{method: "GET", pattern: "/v1/atm/devices", summary: "The fleet with each device's status and cash",
			access: atmDesk, handler: handle(s.listATMs)},
		{method: "GET", pattern: "/v1/atm/devices/{id}", summary: "A device with its status, cassettes and cash",
			access: atmDesk, handler: handle(s.getATM)},
		{method: "POST", pattern: "/v1/atm/devices/{id}/credential", summary: "Issue the device a new credential; the old one stops working",
			access: atmDesk, handler: handle(s.rotateATMCredential)},
		{method: "GET", pattern: "/v1/atm/devices/{id}/forecast", summary: "Days until the device's cash runs out, per currency, from its recent withdrawals by weekday",
			access: atmDesk, handler: handle(s.atmForecast)},
		{method: "GET", pattern: "/v1/atm/devices/{id}/tickets", summary: "The device's tickets (faults, and offline spells: code offline) and its downtime",
			access: atmDesk, handler: handle(s.atmTickets)},
		{method: "POST", pattern: "/v1/atm/devices/{id}/replenishments", summary: "Order the device's cassettes loaded on a date (notes per denomination)",
			access: atmDesk, idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.scheduleReplenishment)},
		{method: "GET", pattern: "/v1/atm/devices/{id}/replenishments", summary: "The device's replenishment orders",
			access: atmDesk, handler: handle(s.listReplenishments)},
		{method: "POST", pattern: "/v1/atm/devices/{id}/settle", summary: "Settle in the ledger what a failure left undone on the device (withdrawals, loads)",
			access: atmDesk, idempotency: idemOptional, handler: handle(s.settleATM)},
		{method: "GET", pattern: "/v1/atm/replenishments/{id}", summary: "A replenishment order",
			access: atmDesk, handler: handle(s.getReplenishment)},
		{method: "POST", pattern: "/v1/atm/replenishments/{id}/load", summary: "The cassettes are exchanged: posts what they held back to the vault and the order's notes from the vault to the device",
			access: atmDesk, idempotency: idemRequired, handler: handle(s.loadReplenishment)},
		{method: "GET", pattern: "/v1/atm/alerts", summary: "Devices that need someone: cash low or out, fault, out of service, offline",
			access: atmDesk, handler: handle(s.atmAlerts)},
		{method: "GET", pattern: "/v1/atm/reconciliation", summary: "Each device's counted cash against its ledger account, per currency, with the differences",
			access: atmCashReaders, handler: handle(s.atmReconciliation)},
		{method: "GET", pattern: "/v1/atm/reconciliations/{date}", summary: "The reconciliation the end of day kept for a business date (step channel.atm): each device's counted cash against its ledger account, with the differences",
			access: atmCashReaders, handler: handle(s.atmClosedDay)},

		{method: "POST", pattern: "/v1/atm/device/heartbeat", summary: "Device: its state, fault code and note counts (X-ATM-Token)",
			access: anyone, handler: handle(s.atmHeartbeat)},
		{method: "POST", pattern: "/v1/atm/device/withdrawals", summary: "Device: authorize a withdrawal (holds the amount; once per txn_id) and get the notes to dispense (X-ATM-Token)",
			access: anyone, status: http.StatusCreated, handler: handle(s.atmAuthorize)},
		{method: "GET", pattern: "/v1/atm/device/withdrawals/{txn_id}", summary: "Device: a withdrawal of this device (X-ATM-Token)",
			access: anyone, handler: handle(s.atmGetWithdrawal)},
		{method: "POST", pattern: "/v1/atm/device/withdrawals/{txn_id}/dispense", summary: "Device: the notes dispensed — all (captured), some (partly captured) or none (released); exactly once (X-ATM-Token)",
			access: anyone, handler: handle(s.atmDispense)},
		{method: "POST", pattern: "/v1/atm/device/replenishments/{id}/confirm", summary: "Device: confirm a loaded order with the counts of its cassettes (X-ATM-Token)",
			access: anyone, handler: handle(s.atmConfirmReplenishment)},
	})
}

// Request and response bodies.
type (
	cassetteBody struct {
		Currency     money.Currency  `json:"currency"`
		Denomination decimal.Decimal `json:"denomination" doc:"the note's value, e.g. \"100\""`
		Capacity     int             `json:"capacity" doc:"notes"`
		LowAt        int             `json:"low_at,omitempty" doc:"low-cash alert at or below this count (default 0)"`
	}
	registerATMRequest struct {
		ID        string          `json:"id" doc:"the terminal id: 1-32 of A-Z a-z 0-9 . _ -"`
		Branch    string          `json:"branch"`
		Address   string          `json:"address"`
		Latitude  decimal.Decimal `json:"latitude,omitempty" doc:"decimal degrees, -90 to 90 (0 with longitude 0: not given)"`
		Longitude decimal.Decimal `json:"longitude,omitempty" doc:"decimal degrees, -180 to 180"`
		Model     string          `json:"model"`
		Cassettes []cassetteBody  `json:"cassettes"`
	}
	cassetteView struct {
		Currency     money.Currency `json:"currency"`
		Denomination string         `json:"denomination"`
		Capacity     int            `json:"capacity"`
		Count        int            `json:"count"`
		LowAt        int            `json:"low_at"`
		Value        money.Money    `json:"value"`
	}
	cashAccountView struct {
		Cash      money.Money `json:"cash" doc:"in the cassettes, by the bank's count"`
		AccountID string      `json:"account_id" doc:"the device's ledger account in this currency"`
	}
	atmView struct {
		ID            string            `json:"id"`
		Branch        string            `json:"branch"`
		Address       string            `json:"address"`
		Latitude      string            `json:"latitude"`
		Longitude     string            `json:"longitude"`
		Model         string            `json:"model"`
		Status        channel.ATMStatus `json:"status" doc:"online, offline, fault, out_of_service, cash_low or cash_out"`
		State         channel.ATMState  `json:"state" doc:"as last reported: ok, fault or out_of_service"`
		FaultCode     string            `json:"fault_code,omitempty"`
		LastHeartbeat *time.Time        `json:"last_heartbeat,omitempty"`
		Cassettes     []cassetteView    `json:"cassettes"`
		Cash          []cashAccountView `json:"cash"`
		CreatedAt     time.Time         `json:"created_at"`
	}
	registeredATMView struct {
		Device atmView `json:"device"`
		Token  string  `json:"token" doc:"the device's credential, sent as X-ATM-Token; shown once"`
	}
	tokenView struct {
		Token string `json:"token" doc:"the device's new credential (X-ATM-Token); shown once"`
	}
	atmPath struct {
		ID string `path:"id"`
	}
	forecastView struct {
		Currency       money.Currency `json:"currency"`
		Cash           money.Money    `json:"cash"`
		ByWeekday      []money.Money  `json:"by_weekday" doc:"average dispensed per weekday, Sunday first"`
		DaysUntilEmpty int            `json:"days_until_empty" doc:"whole days the cash lasts from today; -1: no withdrawals to go by (or beyond a year)"`
		EmptyOn        string         `json:"empty_on,omitempty"`
	}
	atmTicketView struct {
		ID              string     `json:"id"`
		DeviceID        string     `json:"device_id"`
		Code            string     `json:"code"`
		OpenedAt        time.Time  `json:"opened_at"`
		ClosedAt        *time.Time `json:"closed_at,omitempty"`
		DowntimeSeconds int64      `json:"downtime_seconds"`
	}
	ticketsView struct {
		Items           []atmTicketView `json:"items"`
		DowntimeSeconds int64           `json:"downtime_seconds" doc:"the device's total downtime: its tickets' open time, to now, and a silence going on now"`
	}
	replenishmentLineBody struct {
		Currency     money.Currency  `json:"currency"`
		Denomination decimal.Decimal `json:"denomination"`
		Count        int             `json:"count" doc:"notes the cassette is to hold after the exchange"`
	}
	scheduleReplenishmentRequest struct {
		ID           string                  `path:"id" json:"-"`
		ScheduledFor calendar.Date           `json:"scheduled_for"`
		Lines        []replenishmentLineBody `json:"lines"`
	}
	replenishmentLineView struct {
		Currency     money.Currency `json:"currency"`
		Denomination string         `json:"denomination"`
		Count        int            `json:"count"`
	}
	replenishmentView struct {
		ID           string                  `json:"id"`
		DeviceID     string                  `json:"device_id"`
		State        string                  `json:"state" doc:"scheduled, loaded or confirmed"`
		ScheduledFor calendar.Date           `json:"scheduled_for"`
		Lines        []replenishmentLineView `json:"lines"`
		Returned     []replenishmentLineView `json:"returned" doc:"notes taken out of the cassettes at the exchange, back to the vault"`
		Amount       []money.Money           `json:"amount" doc:"loaded, per currency"`
		Posted       bool                    `json:"posted" doc:"the ledger entries of the load are made"`
		CreatedAt    time.Time               `json:"created_at"`
		LoadedAt     *time.Time              `json:"loaded_at,omitempty"`
		ConfirmedAt  *time.Time              `json:"confirmed_at,omitempty"`
	}
	replenishmentPath struct {
		ID uuid.UUID `path:"id"`
	}
	settledView struct {
		Settled int `json:"settled" doc:"withdrawals and loads settled now"`
	}
	alertView struct {
		DeviceID string            `json:"device_id"`
		Status   channel.ATMStatus `json:"status"`
		Code     string            `json:"code,omitempty" doc:"the fault code"`
		Since    *time.Time        `json:"since,omitempty" doc:"the fault's ticket opened, or the last heartbeat of an offline device"`
		Low      []cassetteView    `json:"low" doc:"cassettes at or below their low mark"`
	}
	atmReconciliationLineView struct {
		DeviceID      string         `json:"device_id"`
		Currency      money.Currency `json:"currency"`
		AccountID     string         `json:"account_id"`
		Counted       money.Money    `json:"counted" doc:"cash in the cassettes: loaded less dispensed"`
		Ledger        money.Money    `json:"ledger" doc:"the device account's balance"`
		Difference    money.Money    `json:"difference" doc:"ledger less counted"`
		Unsettled     int            `json:"unsettled_withdrawals"`
		UnpostedLoads int            `json:"unposted_loads"`
	}
	atmReconciliationView struct {
		Day         calendar.Date               `json:"day"`
		Differences int                         `json:"differences" doc:"lines whose difference is not zero"`
		Lines       []atmReconciliationLineView `json:"lines"`
		ClosedAt    *time.Time                  `json:"closed_at,omitempty" doc:"when the end of day kept it (absent for the reconciliation computed on request)"`
	}
	atmDayPath struct {
		Date calendar.Date `path:"date"`
	}

	// The device's own credential, on every device route.
	deviceAuth struct {
		Token string `header:"X-ATM-Token" json:"-" doc:"the device's credential (atm_...), issued at registration"`
	}
	heartbeatRequest struct {
		deviceAuth
		State     channel.ATMState `json:"state" doc:"ok, fault or out_of_service"`
		FaultCode string           `json:"fault_code,omitempty" doc:"with state fault"`
		Counts    []int            `json:"counts,omitempty" doc:"notes in each cassette, in the registry's order; must be loaded less dispensed"`
	}
	atmWithdrawalRequest struct {
		deviceAuth
		TxnID     string      `json:"txn_id" doc:"the device's transaction id: a retry with it returns the same withdrawal"`
		AccountID string      `json:"account_id" doc:"the customer's account (the device has checked card and PIN)"`
		Amount    money.Money `json:"amount"`
	}
	atmTxnPath struct {
		deviceAuth
		TxnID string `path:"txn_id"`
	}
	noteBody struct {
		Denomination decimal.Decimal `json:"denomination"`
		Count        int             `json:"count"`
	}
	dispenseRequest struct {
		deviceAuth
		TxnID     string     `path:"txn_id" json:"-"`
		Dispensed []noteBody `json:"dispensed" doc:"the notes that left the device; [] when none did"`
	}
	atmNoteView struct {
		Denomination string `json:"denomination"`
		Count        int    `json:"count"`
	}
	atmWithdrawalView struct {
		ID        string                     `json:"id"`
		DeviceID  string                     `json:"device_id"`
		TxnID     string                     `json:"txn_id"`
		AccountID string                     `json:"account_id"`
		Amount    money.Money                `json:"amount"`
		State     channel.ATMWithdrawalState `json:"state" doc:"pending, declined, authorized, dispensed, partial or failed"`
		Notes     []atmNoteView              `json:"notes" doc:"the notes to dispense"`
		Dispensed []atmNoteView              `json:"dispensed"`
		Captured  money.Money                `json:"dispensed_amount"`
		Settled   bool                       `json:"settled" doc:"the ledger has captured or released the hold"`
		CreatedAt time.Time                  `json:"created_at"`
	}
	confirmReplenishmentRequest struct {
		deviceAuth
		ID     uuid.UUID `path:"id" json:"-"`
		Counts []int     `json:"counts" doc:"notes in each cassette, in the registry's order"`
	}
)

func cassetteOf(k channel.Cassette) cassetteView {
	return cassetteView{Currency: k.Currency, Denomination: k.Denomination.String(), Capacity: k.Capacity, Count: k.Count,
		LowAt: k.LowAt, Value: money.Money{Amount: k.Value(), Currency: k.Currency}}
}

func (s *Server) atmOf(a channel.ATM) atmView {
	v := atmView{ID: a.ID, Branch: a.Branch, Address: a.Address, Latitude: a.Latitude.String(), Longitude: a.Longitude.String(),
		Model: a.Model, Status: s.fleet.Status(a), State: a.State, FaultCode: a.FaultCode, CreatedAt: a.CreatedAt.UTC(),
		Cassettes: []cassetteView{}, Cash: []cashAccountView{}}
	if !a.LastHeartbeat.IsZero() {
		t := a.LastHeartbeat.UTC()
		v.LastHeartbeat = &t
	}
	for _, k := range a.Cassettes {
		v.Cassettes = append(v.Cassettes, cassetteOf(k))
	}
	for _, c := range a.Currencies() {
		v.Cash = append(v.Cash, cashAccountView{Cash: a.Cash(c), AccountID: a.CashAccounts[c]})
	}
	return v
}

func (s *Server) registerATM(ctx context.Context, req registerATMRequest) (registeredATMView, error) {
	n := channel.NewATM{ID: req.ID, Branch: req.Branch, Address: req.Address, Latitude: req.Latitude, Longitude: req.Longitude, Model: req.Model}
	for _, k := range req.Cassettes {
		n.Cassettes = append(n.Cassettes, channel.Cassette{Currency: k.Currency, Denomination: k.Denomination, Capacity: k.Capacity, LowAt: k.LowAt})
	}
	a, token, err := s.fleet.Register(ctx, n)
	if err != nil {
		return registeredATMView{}, err
	}
	return registeredATMView{Device: s.atmOf(a), Token: token}, nil
}

func (s *Server) listATMs(ctx context.Context, _ none) (list[atmView], error) {
	as, err := s.fleet.Devices(ctx)
	if err != nil {
		return list[atmView]{}, err
	}
	out := list[atmView]{Items: make([]atmView, 0, len(as))}
	for _, a := range as {
		out.Items = append(out.Items, s.atmOf(a))
	}
	return out, nil
}

func (s *Server) getATM(ctx context.Context, req atmPath) (atmView, error) {
	a, err := s.fleet.Device(ctx, req.ID)
	if err != nil {
		return atmView{}, err
	}
	return s.atmOf(a), nil
}

func (s *Server) rotateATMCredential(ctx context.Context, req atmPath) (tokenView, error) {
	t, err := s.fleet.RotateCredential(ctx, req.ID)
	return tokenView{Token: t}, err
}

func (s *Server) atmForecast(ctx context.Context, req atmPath) (list[forecastView], error) {
	fs, err := s.fleet.Forecast(ctx, req.ID)
	if err != nil {
		return list[forecastView]{}, err
	}
	out := list[forecastView]{Items: make([]forecastView, 0, len(fs))}
	for _, f := range fs {
		v := forecastView{Currency: f.Currency, Cash: f.Cash, ByWeekday: f.ByWeekday[:], DaysUntilEmpty: f.DaysUntilEmpty}
		if f.DaysUntilEmpty >= 0 {
			v.EmptyOn = f.EmptyOn.String()
		}
		out.Items = append(out.Items, v)
	}
	return out, nil
}

func (s *Server) atmTickets(ctx context.Context, req atmPath) (ticketsView, error) {
	ts, down, err := s.fleet.Tickets(ctx, req.ID)
	if err != nil {
		return ticketsView{}, err
	}
	now := s.clock.Now()
	out := ticketsView{Items: make([]atmTicketView, 0, len(ts)), DowntimeSeconds: int64(down / time.Second)}
	for _, t := range ts {
		v := atmTicketView{ID: t.ID.String(), DeviceID: t.DeviceID, Code: t.Code, OpenedAt: t.OpenedAt.UTC(),
			DowntimeSeconds: int64(t.Downtime(now) / time.Second)}
		if !t.Open() {
			c := t.ClosedAt.UTC()
			v.ClosedAt = &c
		}
		out.Items = append(out.Items, v)
	}
	return out, nil
}

func linesView(ls []channel.ReplenishmentLine) []replenishmentLineView {
	out := make([]replenishmentLineView, 0, len(ls))
	for _, l := range ls {
		out = append(out, replenishmentLineView{Currency: l.Currency, Denomination: l.Denomination.String(), Count: l.Count})
	}
	return out
}

func replenishmentOf(r channel.Replenishment) replenishmentView {
	v := replenishmentView{ID: r.ID.String(), DeviceID: r.DeviceID, State: string(r.State), ScheduledFor: r.ScheduledFor,
		Lines: linesView(r.Lines), Returned: linesView(r.Returned), Amount: []money.Money{}, Posted: r.Posted,
		CreatedAt: r.CreatedAt.UTC(), LoadedAt: timePtr(r.LoadedAt), ConfirmedAt: timePtr(r.ConfirmedAt)}
	var cs []money.Currency
	for _, l := range r.Lines {
		seen := false
		for _, c := range cs {
			seen = seen || c == l.Currency
		}
		if !seen {
			cs = append(cs, l.Currency)
			v.Amount = append(v.Amount, r.Amount(l.Currency))
		}
	}
	return v
}

func (s *Server) scheduleReplenishment(ctx context.Context, req scheduleReplenishmentRequest) (replenishmentView, error) {
	lines := make([]channel.ReplenishmentLine, 0, len(req.Lines))
	for _, l := range req.Lines {
		lines = append(lines, channel.ReplenishmentLine{Currency: l.Currency, Denomination: l.Denomination, Count: l.Count})
	}
	r, err := s.fleet.ScheduleReplenishment(ctx, req.ID, req.ScheduledFor, lines)
	if err != nil {
		return replenishmentView{}, err
	}
	return replenishmentOf(r), nil
}

func (s *Server) listReplenishments(ctx context.Context, req atmPath) (list[replenishmentView], error) {
	rs, err := s.fleet.Replenishments(ctx, req.ID)
	if err != nil {
		return list[replenishmentView]{}, err
	}
	out := list[replenishmentView]{Items: make([]replenishmentView, 0, len(rs))}
	for _, r := range rs {
		out.Items = append(out.Items, replenishmentOf(r))
	}
	return out, nil
}

func (s *Server) settleATM(ctx context.Context, req atmPath) (settledView, error) {
	if _, err := s.fleet.Device(ctx, req.ID); err != nil {
		return settledView{}, err
	}
	n, err := s.fleet.Settle(ctx, req.ID)
	return settledView{Settled: n}, err
}

func (s *Server) getReplenishment(ctx context.Context, req replenishmentPath) (replenishmentView, error) {
	r, err := s.fleet.Replenishment(ctx, req.ID)
	if err != nil {
		return replenishmentView{}, err
	}
	return replenishmentOf(r), nil
}

func (s *Server) loadReplenishment(ctx context.Context, req replenishmentPath) (replenishmentView, error) {
	r, err := s.fleet.LoadReplenishment(ctx, req.ID)
	if err != nil {
		return replenishmentView{}, err
	}
	return replenishmentOf(r), nil
}

func (s *Server) atmAlerts(ctx context.Context, _ none) (list[alertView], error) {
	as, err := s.fleet.Alerts(ctx)
	if err != nil {
		return list[alertView]{}, err
	}
	out := list[alertView]{Items: make([]alertView, 0, len(as))}
	for _, a := range as {
		v := alertView{DeviceID: a.DeviceID, Status: a.Status, Code: a.Code, Since: timePtr(a.Since), Low: []cassetteView{}}
		for _, k := range a.Low {
			v.Low = append(v.Low, cassetteOf(k))
		}
		out.Items = append(out.Items, v)
	}
	return out, nil
}

func (s *Server) atmReconciliation(ctx context.Context, _ none) (atmReconciliationView, error) {
	rec, err := s.fleet.Reconcile(ctx)
	if err != nil {
		return atmReconciliationView{}, err
	}
	return atmReconciliationOf(rec), nil
}

func (s *Server) atmClosedDay(ctx context.Context, req atmDayPath) (atmReconciliationView, error) {
	rec, err := s.fleet.ClosedDay(ctx, req.Date)
	if err != nil {
		return atmReconciliationView{}, err
	}
	return atmReconciliationOf(rec), nil
}

// atmEndOfDay is the end-of-day step "channel.atm": the fleet's
// reconciliation of the closing business date, kept once per date. A
// difference is raised once, when the day's reconciliation is first kept:
// a warning in the log per line, and the figure
// atm.reconciliation_differences a risk indicator can alert on (the risk
// step runs after this one).
func (s *Server) atmEndOfDay(ctx context.Context, d calendar.Date) error {
	rec, created, err := s.fleet.CloseDay(ctx, d)
	if err != nil || !created {
		return err
	}
	for _, l := range rec.Lines {
		if !l.Difference.Amount.IsZero() {
			s.log.WarnContext(ctx, "ATM cash differs from the ledger at end of day", "business_date", d.String(), "device", l.DeviceID,
				"currency", string(l.Currency), "counted", l.Counted.Amount.String(), "ledger", l.Ledger.Amount.String(),
				"difference", l.Difference.Amount.String(), "unsettled_withdrawals", l.Unsettled, "unposted_loads", l.UnpostedLoads)
		}
	}
	return nil
}

// atmDifferences is the figure atm.reconciliation_differences: the lines
// with a difference in the latest reconciliation the end of day kept, up
// to a week before the business date (0 when none was kept).
func (s *Server) atmDifferences(ctx context.Context) (decimal.Decimal, error) {
	today, err := s.ledger.BusinessDate(ctx)
	if err != nil {
		return decimal.Zero, err
	}
	for back := range 8 {
		rec, err := s.fleet.ClosedDay(ctx, today.AddDays(-back))
		if err == nil {
			return decimal.NewFromInt(int64(rec.Differences)), nil
		}
		if !errors.Is(err, channel.ErrNotFound) {
			return decimal.Zero, err
		}
	}
	return decimal.Zero, nil
}

func atmReconciliationOf(rec channel.Reconciliation) atmReconciliationView {
	out := atmReconciliationView{Day: rec.Day, Differences: rec.Differences, Lines: make([]atmReconciliationLineView, 0, len(rec.Lines)),
		ClosedAt: timePtr(rec.ClosedAt)}
	for _, l := range rec.Lines {
		out.Lines = append(out.Lines, atmReconciliationLineView{DeviceID: l.DeviceID, Currency: l.Currency, AccountID: l.AccountID,
			Counted: l.Counted, Ledger: l.Ledger, Difference: l.Difference, Unsettled: l.Unsettled, UnpostedLoads: l.UnpostedLoads})
	}
	return out
}

// device authenticates the calling device by its own credential.
func (s *Server) device(ctx context.Context, a deviceAuth) (channel.ATM, error) {
	if a.Token == "" {
		return channel.ATM{}, fmt.Errorf("%w: send the device's credential in X-ATM-Token", channel.ErrDeviceUnauthenticated)
	}
	return s.fleet.Authenticate(ctx, a.Token)
}

func (s *Server) atmHeartbeat(ctx context.Context, req heartbeatRequest) (atmView, error) {
	if req.Token == "" {
		return atmView{}, fmt.Errorf("%w: send the device's credential in X-ATM-Token", channel.ErrDeviceUnauthenticated)
	}
	a, err := s.fleet.Heartbeat(ctx, req.Token, channel.Heartbeat{State: req.State, FaultCode: req.FaultCode, Counts: req.Counts})
	if err != nil {
		return atmView{}, err
	}
	return s.atmOf(a), nil
}

func notesView(ns []channel.NoteCount) []atmNoteView {
	out := make([]atmNoteView, 0, len(ns))
	for _, n := range ns {
		out = append(out, atmNoteView{Denomination: n.Denomination.String(), Count: n.Count})
	}
	return out
}

func atmWithdrawalOf(w channel.ATMWithdrawal) atmWithdrawalView {
	return atmWithdrawalView{ID: w.ID.String(), DeviceID: w.DeviceID, TxnID: w.TxnID, AccountID: w.AccountID, Amount: w.Amount,
		State: w.State, Notes: notesView(w.Plan), Dispensed: notesView(w.Dispensed), Captured: w.DispensedAmount(),
		Settled: !w.SettledAt.IsZero(), CreatedAt: w.CreatedAt.UTC()}
}

func (s *Server) atmAuthorize(ctx context.Context, req atmWithdrawalRequest) (atmWithdrawalView, error) {
	a, err := s.device(ctx, req.deviceAuth)
	if err != nil {
		return atmWithdrawalView{}, err
	}
	w, err := s.fleet.Authorize(ctx, a.ID, channel.WithdrawalRequest{TxnID: req.TxnID, AccountID: req.AccountID, Amount: req.Amount})
	if err != nil {
		return atmWithdrawalView{}, err
	}
	return atmWithdrawalOf(w), nil
}

func (s *Server) atmGetWithdrawal(ctx context.Context, req atmTxnPath) (atmWithdrawalView, error) {
	a, err := s.device(ctx, req.deviceAuth)
	if err != nil {
		return atmWithdrawalView{}, err
	}
	w, err := s.fleet.Withdrawal(ctx, a.ID, req.TxnID)
	if err != nil {
		return atmWithdrawalView{}, err
	}
	return atmWithdrawalOf(w), nil
}

func (s *Server) atmDispense(ctx context.Context, req dispenseRequest) (atmWithdrawalView, error) {
	a, err := s.device(ctx, req.deviceAuth)
	if err != nil {
		return atmWithdrawalView{}, err
	}
	if req.Dispensed == nil {
		return atmWithdrawalView{}, fault.Field(channel.ErrInvalidInput, "dispensed", "is required ([] when no note left the device)")
	}
	notes := make([]channel.NoteCount, 0, len(req.Dispensed))
	for _, n := range req.Dispensed {
		notes = append(notes, channel.NoteCount{Denomination: n.Denomination, Count: n.Count})
	}
	w, err := s.fleet.ReportDispense(ctx, a.ID, req.TxnID, notes)
	if err != nil {
		return atmWithdrawalView{}, err
	}
	return atmWithdrawalOf(w), nil
}

func (s *Server) atmConfirmReplenishment(ctx context.Context, req confirmReplenishmentRequest) (replenishmentView, error) {
	a, err := s.device(ctx, req.deviceAuth)
	if err != nil {
		return replenishmentView{}, err
	}
	if req.Counts == nil {
		return replenishmentView{}, fault.Field(channel.ErrInvalidInput, "counts", "is required")
	}
	r, err := s.fleet.ConfirmReplenishment(ctx, a.ID, req.ID, req.Counts)
	if err != nil {
		return replenishmentView{}, err
	}
	return replenishmentOf(r), nil
}
