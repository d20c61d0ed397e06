package refserver

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/refserver/bank"
)

// Online and mobile banking beyond login: the second factor, step-up
// proofs, bound devices, sessions, payees and limits of a customer, under
// /v1/customers/{id}/... Customers reach only their own; staff read them
// (customerReaders) and may reset a second factor or revoke a device or a
// session (customerWriters).

// onlineServices builds the online-banking service over the channel store
// (memchannel and pgchannel hold both), with the ledger as its account
// directory and the customer subsystem's sealer for TOTP secrets.
func (s *Server) onlineServices(st stores) error {
	store, ok := st.channel.(channel.OnlineStore)
	if !ok {
		return errors.New("refserver: the channel store keeps no online-banking records")
	}
	var err error
	s.online, err = channel.NewOnline(store, channel.WithOnlineClock(s.clock),
		channel.WithAccountOwners(ledgerOwners{s.ledger}),
		channel.WithSecretSealer(s.customer.Sealer("channel/totp-secret")))
	if err != nil {
		return fmt.Errorf("refserver: online banking: %w", err)
	}
	return s.notificationServices(st)
}

// ledgerOwners adapts the ledger to channel.AccountOwners.
type ledgerOwners struct{ l *ledger.Service }

func (o ledgerOwners) AccountOwner(ctx context.Context, accountID string) (string, error) {
	id, err := ledger.ParseID(accountID)
	if err != nil {
		return "", fault.Field(channel.ErrInvalidInput, "account_id", "must be an account id")
	}
	a, err := o.l.Account(ctx, id)
	if errors.Is(err, ledger.ErrNotFound) {
		return "", fault.Field(channel.ErrNotFound, "account_id", "no such account")
	}
	if err != nil {
		return "", err
	}
	if a.OwnerID == "" {
		return "", fault.Field(channel.ErrNotFound, "account_id", "no such account")
	}
	return a.OwnerID, nil
}

var (
	// onlineOwners are the customers themselves.
	onlineOwners = access{customer: true}
)

func (s *Server) onlineRoutes() []route {
	return tagged("online", append([]route{
		{method: "GET", pattern: "/v1/customers/{id}/second-factor", summary: "The customer's second factor: enrolled, confirmed, recovery codes left, locked until",
			access: customerReaders.andCustomers(), handler: handle(s.secondFactorStatus)},
		{method: "POST", pattern: "/v1/customers/{id}/second-factor/totp", summary: "Start TOTP enrolment: the secret and otpauth:// URL, shown once",
			access: onlineOwners, idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.beginTOTP)},
		{method: "POST", pattern: "/v1/customers/{id}/second-factor/totp/confirm", summary: "Confirm TOTP enrolment with a first code; returns the recovery codes, shown once",
			access: onlineOwners, idempotency: idemOptional, handler: handle(s.confirmTOTP)},
		{method: "POST", pattern: "/v1/customers/{id}/second-factor/recovery-codes", summary: "Replace the recovery codes (needs a valid code)",
			access: onlineOwners, idempotency: idemOptional, handler: handle(s.regenerateRecoveryCodes)},
		{method: "DELETE", pattern: "/v1/customers/{id}/second-factor", summary: "Staff: remove the customer's second factor so they enrol again",
			access: customerWriters, status: http.StatusNoContent, handler: handle(s.resetSecondFactor)},
		{method: "POST", pattern: "/v1/customers/{id}/step-up", summary: "A step-up proof for one sensitive request (the action and exactly its body), after a valid code; send it as X-Step-Up",
			access: onlineOwners, idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.stepUp)},
		{method: "GET", pattern: "/v1/customers/{id}/devices", summary: "The customer's mobile devices, bound and revoked",
			access: customerReaders.andCustomers(), handler: handle(s.listDevices)},
		{method: "POST", pattern: "/v1/customers/{id}/devices", summary: "Bind a mobile device (needs a second-factor code)",
			access: onlineOwners, idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.bindDevice)},
		{method: "DELETE", pattern: "/v1/customers/{id}/devices/{device_id}", summary: "Revoke a device: binding it again needs the second factor",
			access: customerWriters.andCustomers(), status: http.StatusNoContent, handler: handle(s.revokeDevice)},
		{method: "GET", pattern: "/v1/customers/{id}/sessions", summary: "The customer's active online-banking sessions",
			access: customerReaders.andCustomers(), handler: handle(s.listSessions)},
		{method: "DELETE", pattern: "/v1/customers/{id}/sessions/{session_id}", summary: "Sign a session out",
			access: customerWriters.andCustomers(), status: http.StatusNoContent, handler: handle(s.revokeCustomerSession)},
		{method: "GET", pattern: "/v1/customers/{id}/payees", summary: "The customer's payees, with the end of each one's cooling-off",
			access: customerReaders.andCustomers(), handler: handle(s.listPayees)},
		{method: "POST", pattern: "/v1/customers/{id}/payees", summary: "Add a payee (needs X-Step-Up for payee.add); transfers to it are capped while it cools off",
			access: onlineOwners, idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.addPayee)},
		{method: "PATCH", pattern: "/v1/customers/{id}/payees/{payee_id}", summary: "Rename a payee",
			access: onlineOwners, idempotency: idemOptional, handler: handle(s.renamePayee)},
		{method: "DELETE", pattern: "/v1/customers/{id}/payees/{payee_id}", summary: "Delete a payee",
			access: onlineOwners, status: http.StatusNoContent, handler: handle(s.deletePayee)},
		{method: "GET", pattern: "/v1/customers/{id}/limits", summary: "The customer's transfer limits per channel and currency, the bank's maximum, and today's and this month's use",
			access: customerReaders.andCustomers(), handler: handle(s.listLimits)},
		{method: "POST", pattern: "/v1/customers/{id}/limits", summary: "Set limits for a channel: lower at once, raise (within the maximum) with X-Step-Up for limits.raise",
			access: onlineOwners, idempotency: idemOptional, handler: handle(s.setLimits)},
	}, s.notificationRoutes()...))
}

// Request and response bodies.
type (
	codeRequest struct {
		ID   customer.ID `path:"id" json:"-"`
		Code string      `json:"code" doc:"a 6-digit TOTP code, or a recovery code where allowed"`
	}
	secondFactorView struct {
		Enrolled          bool       `json:"enrolled"`
		Confirmed         bool       `json:"confirmed"`
		RecoveryCodesLeft int        `json:"recovery_codes_left"`
		LockedUntil       *time.Time `json:"locked_until,omitempty"`
	}
	enrolmentView struct {
		Secret string `json:"secret" doc:"base32; shown once"`
		URL    string `json:"otpauth_url" doc:"for the authenticator app (as a QR code)"`
	}
	recoveryCodesView struct {
		RecoveryCodes []string `json:"recovery_codes" doc:"single use; shown once"`
	}
	payeeBody struct {
		Name          string `json:"name"`
		AccountID     string `json:"account_id,omitempty" doc:"an account of this bank, or"`
		BankCode      string `json:"bank_code,omitempty" doc:"another bank's code, with"`
		AccountNumber string `json:"account_number,omitempty"`
	}
	limitsBody struct {
		Channel        channel.Channel `json:"channel" doc:"online or mobile"`
		PerTransaction money.Money     `json:"per_transaction"`
		PerDay         money.Money     `json:"per_day"`
		PerMonth       money.Money     `json:"per_month"`
	}
	stepUpRequest struct {
		ID     customer.ID    `path:"id" json:"-"`
		Action channel.Action `json:"action" doc:"transfer, payee.add, limits.raise or wealth.purchase"`
		Code   string         `json:"code"`
		// The body of the request the proof is for, by action.
		Transfer *bank.TransferRequest `json:"transfer,omitempty" doc:"for transfer: the transfer's body"`
		Payee    *payeeBody            `json:"payee,omitempty" doc:"for payee.add: the payee's body"`
		Limits   *limitsBody           `json:"limits,omitempty" doc:"for limits.raise: the new limits' body"`
		// WealthPurchase is POST /v1/wealth/subscriptions' body.
		WealthPurchase *wealthPurchaseBody `json:"wealth_purchase,omitempty" doc:"for wealth.purchase: the subscription's body"`
	}
	stepUpView struct {
		StepUpToken string    `json:"step_up_token" doc:"send as X-Step-Up with the request; single use"`
		Action      string    `json:"action"`
		ExpiresAt   time.Time `json:"expires_at"`
	}
	deviceRequest struct {
		ID        customer.ID `path:"id" json:"-"`
		DeviceID  string      `json:"device_id"`
		PublicKey string      `json:"public_key" doc:"Ed25519 public key, 32 bytes in standard base64"`
		Name      string      `json:"name"`
		Code      string      `json:"code" doc:"a second-factor code"`
	}
	deviceView struct {
		DeviceID  string     `json:"device_id"`
		Name      string     `json:"name"`
		PublicKey string     `json:"public_key"`
		FirstSeen time.Time  `json:"first_seen"`
		LastSeen  time.Time  `json:"last_seen"`
		Bound     bool       `json:"bound"`
		RevokedAt *time.Time `json:"revoked_at,omitempty"`
	}
	devicePath struct {
		ID       customer.ID `path:"id"`
		DeviceID string      `path:"device_id"`
	}
	sessionView struct {
		ID        string    `json:"id"`
		CreatedAt time.Time `json:"created_at"`
		ExpiresAt time.Time `json:"expires_at"`
		Current   bool      `json:"current" doc:"the session of this request"`
	}
	sessionPath struct {
		ID        customer.ID `path:"id"`
		SessionID string      `path:"session_id"`
	}
	payeeRequest struct {
		ID     customer.ID `path:"id" json:"-"`
		StepUp string      `header:"X-Step-Up" json:"-" doc:"a step-up proof for payee.add with this body"`
		payeeBody
	}
	payeeView struct {
		ID            string    `json:"id"`
		Name          string    `json:"name"`
		AccountID     string    `json:"account_id,omitempty"`
		BankCode      string    `json:"bank_code,omitempty"`
		AccountNumber string    `json:"account_number,omitempty"`
		CreatedAt     time.Time `json:"created_at"`
		CoolingUntil  time.Time `json:"cooling_until"`
	}
	payeePath struct {
		ID      customer.ID `path:"id"`
		PayeeID string      `path:"payee_id"`
	}
	renamePayeeRequest struct {
		ID      customer.ID `path:"id" json:"-"`
		PayeeID string      `path:"payee_id" json:"-"`
		Name    string      `json:"name"`
	}
	limitsRequest struct {
		ID     customer.ID `path:"id" json:"-"`
		StepUp string      `header:"X-Step-Up" json:"-" doc:"a step-up proof for limits.raise with this body (raising only)"`
		limitsBody
	}
	limitView struct {
		Channel        channel.Channel `json:"channel"`
		PerTransaction money.Money     `json:"per_transaction"`
		PerDay         money.Money     `json:"per_day"`
		PerMonth       money.Money     `json:"per_month"`
		Own            bool            `json:"own" doc:"false: the bank's default"`
		MaxTransaction money.Money     `json:"max_per_transaction"`
		MaxDay         money.Money     `json:"max_per_day"`
		MaxMonth       money.Money     `json:"max_per_month"`
		UsedToday      money.Money     `json:"used_today"`
		UsedThisMonth  money.Money     `json:"used_this_month"`
	}
)

// onlineIdentity returns the login identity of the customer the path
// names: the caller's own for a customer (another customer's is not
// found), the customer's login for staff.
func (s *Server) onlineIdentity(ctx context.Context, id customer.ID) (channel.Principal, error) {
	p := bank.CallerOf(ctx)
	if p.Kind == channel.KindCustomer {
		if p.CustomerID != id.String() {
			return channel.Principal{}, bank.ErrNotFound
		}
		return p, nil
	}
	i, err := s.channel.IdentityByCustomer(ctx, id.String())
	if errors.Is(err, channel.ErrNotFound) {
		return channel.Principal{}, fmt.Errorf("%w: the customer has no online-banking login", bank.ErrNotFound)
	}
	if err != nil {
		return channel.Principal{}, err
	}
	return channel.Principal{IdentityID: i.ID, Kind: i.Kind, Username: i.Username, CustomerID: i.CustomerID}, nil
}

func (s *Server) secondFactorStatus(ctx context.Context, req customerPath) (secondFactorView, error) {
	p, err := s.onlineIdentity(ctx, req.ID)
	if err != nil {
		return secondFactorView{}, err
	}
	st, err := s.online.SecondFactorStatus(ctx, p.IdentityID)
	if err != nil {
		return secondFactorView{}, err
	}
	v := secondFactorView{Enrolled: st.Enrolled, Confirmed: st.Confirmed, RecoveryCodesLeft: st.RecoveryCodesLeft}
	if !st.LockedUntil.IsZero() {
		t := st.LockedUntil.UTC()
		v.LockedUntil = &t
	}
	return v, nil
}

func (s *Server) beginTOTP(ctx context.Context, req customerPath) (enrolmentView, error) {
	p, err := s.onlineIdentity(ctx, req.ID)
	if err != nil {
		return enrolmentView{}, err
	}
	en, err := s.online.BeginTOTP(ctx, p.IdentityID, p.Username)
	if err != nil {
		return enrolmentView{}, err
	}
	return enrolmentView{Secret: en.Secret, URL: en.URL}, nil
}

func (s *Server) confirmTOTP(ctx context.Context, req codeRequest) (recoveryCodesView, error) {
	p, err := s.onlineIdentity(ctx, req.ID)
	if err != nil {
		return recoveryCodesView{}, err
	}
	codes, err := s.online.ConfirmTOTP(ctx, p.IdentityID, req.Code)
	return recoveryCodesView{RecoveryCodes: codes}, err
}

func (s *Server) regenerateRecoveryCodes(ctx context.Context, req codeRequest) (recoveryCodesView, error) {
	p, err := s.onlineIdentity(ctx, req.ID)
	if err != nil {
		return recoveryCodesView{}, err
	}
	codes, err := s.online.RegenerateRecoveryCodes(ctx, p.IdentityID, req.Code)
	return recoveryCodesView{RecoveryCodes: codes}, err
}

func (s *Server) resetSecondFactor(ctx context.Context, req customerPath) (none, error) {
	p, err := s.onlineIdentity(ctx, req.ID)
	if err != nil {
		return none{}, err
	}
	return none{}, s.online.ResetSecondFactor(ctx, p.IdentityID)
}

// stepUpParams are the parameters the proof is bound to, read from the
// body of the request it is for, the same way that request's route reads
// them.
func stepUpParams(req stepUpRequest) (channel.ActionParams, error) {
	switch req.Action {
	case channel.ActionTransfer:
		if req.Transfer == nil {
			return nil, fault.Field(channel.ErrInvalidInput, "transfer", "is required for a transfer's step-up")
		}
		return transferParams(*req.Transfer), nil
	case channel.ActionAddPayee:
		if req.Payee == nil {
			return nil, fault.Field(channel.ErrInvalidInput, "payee", "is required for payee.add")
		}
		return newPayeeOf(*req.Payee).Params(), nil
	case channel.ActionRaiseLimits:
		if req.Limits == nil {
			return nil, fault.Field(channel.ErrInvalidInput, "limits", "is required for limits.raise")
		}
		l, c, err := limitsOf(*req.Limits)
		if err != nil {
			return nil, err
		}
		return l.Params(req.Limits.Channel, c), nil
	case channel.ActionWealthPurchase:
		if req.WealthPurchase == nil {
			return nil, fault.Field(channel.ErrInvalidInput, "wealth_purchase", "is required for wealth.purchase")
		}
		return req.WealthPurchase.params(), nil
	}
	return nil, fault.Field(channel.ErrInvalidInput, "action", "must be transfer, payee.add, limits.raise or wealth.purchase")
}

func (s *Server) stepUp(ctx context.Context, req stepUpRequest) (stepUpView, error) {
	p, err := s.onlineIdentity(ctx, req.ID)
	if err != nil {
		return stepUpView{}, err
	}
	params, err := stepUpParams(req)
	if err != nil {
		return stepUpView{}, err
	}
	g, err := s.online.StepUp(ctx, p, req.Action, params, req.Code)
	if err != nil {
		return stepUpView{}, err
	}
	return stepUpView{StepUpToken: g.Token, Action: string(req.Action), ExpiresAt: g.ExpiresAt.UTC()}, nil
}

func deviceOf(d channel.Device) deviceView {
	v := deviceView{DeviceID: d.ID, Name: d.Name, PublicKey: base64.StdEncoding.EncodeToString(d.PublicKey),
		FirstSeen: d.FirstSeen.UTC(), LastSeen: d.LastSeen.UTC(), Bound: d.Bound()}
	if !d.Bound() {
		t := d.RevokedAt.UTC()
		v.RevokedAt = &t
	}
	return v
}

func (s *Server) listDevices(ctx context.Context, req customerPath) (list[deviceView], error) {
	p, err := s.onlineIdentity(ctx, req.ID)
	if err != nil {
		return list[deviceView]{}, err
	}
	ds, err := s.online.Devices(ctx, p.IdentityID)
	if err != nil {
		return list[deviceView]{}, err
	}
	out := list[deviceView]{Items: make([]deviceView, 0, len(ds))}
	for _, d := range ds {
		out.Items = append(out.Items, deviceOf(d))
	}
	return out, nil
}

func (s *Server) bindDevice(ctx context.Context, req deviceRequest) (deviceView, error) {
	p, err := s.onlineIdentity(ctx, req.ID)
	if err != nil {
		return deviceView{}, err
	}
	key, err := base64.StdEncoding.DecodeString(req.PublicKey)
	if err != nil {
		return deviceView{}, fault.Field(channel.ErrInvalidInput, "public_key", "must be standard base64")
	}
	d, err := s.online.BindDevice(ctx, p.IdentityID, channel.NewDevice{ID: req.DeviceID, PublicKey: key, Name: req.Name}, req.Code)
	if err != nil {
		return deviceView{}, err
	}
	return deviceOf(d), nil
}

func (s *Server) revokeDevice(ctx context.Context, req devicePath) (none, error) {
	p, err := s.onlineIdentity(ctx, req.ID)
	if err != nil {
		return none{}, err
	}
	_, err = s.online.RevokeDevice(ctx, p.IdentityID, req.DeviceID)
	return none{}, err
}

func (s *Server) listSessions(ctx context.Context, req customerPath) (list[sessionView], error) {
	p, err := s.onlineIdentity(ctx, req.ID)
	if err != nil {
		return list[sessionView]{}, err
	}
	ss, err := s.channel.ActiveSessions(ctx, p.IdentityID)
	if err != nil {
		return list[sessionView]{}, err
	}
	current := bank.CallerOf(ctx).SessionID
	out := list[sessionView]{Items: make([]sessionView, 0, len(ss))}
	for _, x := range ss {
		out.Items = append(out.Items, sessionView{ID: x.ID.String(), CreatedAt: x.CreatedAt.UTC(), ExpiresAt: x.ExpiresAt.UTC(),
			Current: x.ID == current})
	}
	return out, nil
}

func (s *Server) revokeCustomerSession(ctx context.Context, req sessionPath) (none, error) {
	p, err := s.onlineIdentity(ctx, req.ID)
	if err != nil {
		return none{}, err
	}
	id, err := uuid.Parse(req.SessionID)
	if err != nil {
		return none{}, bank.ErrNotFound
	}
	sess, err := s.channel.Session(ctx, id)
	if errors.Is(err, channel.ErrNotFound) || (err == nil && sess.IdentityID != p.IdentityID) {
		return none{}, bank.ErrNotFound
	}
	if err != nil {
		return none{}, err
	}
	s.tokens.forgetSession(id)
	_, err = s.channel.RevokeSession(ctx, id)
	s.tokens.forgetSession(id) // and whatever a request racing this one put back
	return none{}, err
}

func newPayeeOf(b payeeBody) channel.NewPayee {
	return channel.NewPayee{Name: b.Name, AccountID: b.AccountID, BankCode: b.BankCode, AccountNumber: b.AccountNumber}
}

func payeeOf(p channel.Payee) payeeView {
	return payeeView{ID: p.ID.String(), Name: p.Name, AccountID: p.AccountID, BankCode: p.BankCode,
		AccountNumber: p.AccountNumber, CreatedAt: p.CreatedAt.UTC(), CoolingUntil: p.CoolingUntil.UTC()}
}

func (s *Server) listPayees(ctx context.Context, req customerPath) (list[payeeView], error) {
	p, err := s.onlineIdentity(ctx, req.ID)
	if err != nil {
		return list[payeeView]{}, err
	}
	ps, err := s.online.Payees(ctx, p.CustomerID)
	if err != nil {
		return list[payeeView]{}, err
	}
	out := list[payeeView]{Items: make([]payeeView, 0, len(ps))}
	for _, x := range ps {
		out.Items = append(out.Items, payeeOf(x))
	}
	return out, nil
}

func (s *Server) addPayee(ctx context.Context, req payeeRequest) (payeeView, error) {
	p, err := s.onlineIdentity(ctx, req.ID)
	if err != nil {
		return payeeView{}, err
	}
	py, err := s.online.AddPayee(ctx, p, newPayeeOf(req.payeeBody), req.StepUp)
	if err != nil {
		return payeeView{}, err
	}
	return payeeOf(py), nil
}

func payeeID(s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, bank.ErrNotFound
	}
	return id, nil
}

func (s *Server) renamePayee(ctx context.Context, req renamePayeeRequest) (payeeView, error) {
	p, err := s.onlineIdentity(ctx, req.ID)
	if err != nil {
		return payeeView{}, err
	}
	id, err := payeeID(req.PayeeID)
	if err != nil {
		return payeeView{}, err
	}
	py, err := s.online.RenamePayee(ctx, p.CustomerID, id, req.Name)
	if err != nil {
		return payeeView{}, err
	}
	return payeeOf(py), nil
}

func (s *Server) deletePayee(ctx context.Context, req payeePath) (none, error) {
	p, err := s.onlineIdentity(ctx, req.ID)
	if err != nil {
		return none{}, err
	}
	id, err := payeeID(req.PayeeID)
	if err != nil {
		return none{}, err
	}
	return none{}, s.online.DeletePayee(ctx, p.CustomerID, id)
}

// limitsOf reads the body's limits, which must all be in one currency.
func limitsOf(b limitsBody) (channel.Limits, money.Currency, error) {
	c := b.PerTransaction.Currency
	if b.PerDay.Currency != c {
		return channel.Limits{}, "", fault.Field(channel.ErrInvalidInput, "per_day.currency", "must be per_transaction's")
	}
	if b.PerMonth.Currency != c {
		return channel.Limits{}, "", fault.Field(channel.ErrInvalidInput, "per_month.currency", "must be per_transaction's")
	}
	return channel.Limits{PerTransaction: b.PerTransaction.Amount, PerDay: b.PerDay.Amount, PerMonth: b.PerMonth.Amount}, c, nil
}

func limitViewOf(v channel.LimitView) limitView {
	c := v.Key.Currency
	amt := func(l channel.Limits) (money.Money, money.Money, money.Money) {
		return money.Money{Amount: l.PerTransaction, Currency: c}, money.Money{Amount: l.PerDay, Currency: c},
			money.Money{Amount: l.PerMonth, Currency: c}
	}
	out := limitView{Channel: v.Key.Channel, Own: v.Own,
		UsedToday: money.Money{Amount: v.Usage.DayUsed, Currency: c}, UsedThisMonth: money.Money{Amount: v.Usage.MonthUsed, Currency: c}}
	out.PerTransaction, out.PerDay, out.PerMonth = amt(v.Limits)
	out.MaxTransaction, out.MaxDay, out.MaxMonth = amt(v.Max)
	return out
}

func (s *Server) listLimits(ctx context.Context, req customerPath) (list[limitView], error) {
	p, err := s.onlineIdentity(ctx, req.ID)
	if err != nil {
		return list[limitView]{}, err
	}
	var keys []channel.LimitKey
	for ch, rows := range s.online.Config().Limits {
		for c := range rows {
			keys = append(keys, channel.LimitKey{CustomerID: p.CustomerID, Channel: ch, Currency: c})
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].Channel != keys[j].Channel {
			return keys[i].Channel < keys[j].Channel
		}
		return keys[i].Currency < keys[j].Currency
	})
	out := list[limitView]{Items: make([]limitView, 0, len(keys))}
	for _, k := range keys {
		v, err := s.online.Limits(ctx, k)
		if err != nil {
			return list[limitView]{}, err
		}
		out.Items = append(out.Items, limitViewOf(v))
	}
	return out, nil
}

func (s *Server) setLimits(ctx context.Context, req limitsRequest) (limitView, error) {
	p, err := s.onlineIdentity(ctx, req.ID)
	if err != nil {
		return limitView{}, err
	}
	l, c, err := limitsOf(req.limitsBody)
	if err != nil {
		return limitView{}, err
	}
	v, err := s.online.SetLimits(ctx, p, channel.LimitKey{CustomerID: p.CustomerID, Channel: req.Channel, Currency: c}, l, req.StepUp)
	if err != nil {
		return limitView{}, err
	}
	return limitViewOf(v), nil
}
