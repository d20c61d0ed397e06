package refserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/refserver/bank"
)

// Notifications: the channel's outbox of messages to customers, fed by the
// ledger's events (money in and out of a customer's account, a balance
// falling below CNY 100.00) and credit's (a loan instalment falling due or
// overdue), delivered by the built-in file provider to
// <clearing dir>/notifications/<medium>.jsonl. The bank's scheduler calls
// POST /v1/notifications/run, which reads the new events and delivers what
// is due.

// lowBalance is the balance under which a debit tells the customer.
var lowBalance = decimal.RequireFromString("100")

// notifications is the Notifier with its ledger subscription.
type notifications struct {
	*channel.Notifier
	once       sync.Once
	subscribed error
	run        sync.Mutex // one run at a time in this process
}

// customerConsents adapts the customer subsystem's marketing consent to
// the channel's port: the app's consent covers push and the inbox.
type customerConsents struct{ c *customer.Service }

func (c customerConsents) MarketingConsent(ctx context.Context, customerID string, m channel.Medium) (bool, error) {
	id, err := uuid.Parse(customerID)
	if err != nil {
		return false, nil
	}
	ch := map[channel.Medium]customer.Channel{channel.MediumSMS: customer.ChannelSMS, channel.MediumEmail: customer.ChannelEmail,
		channel.MediumPush: customer.ChannelApp, channel.MediumInbox: customer.ChannelApp}[m]
	return c.c.HasConsent(ctx, customer.ID(id), customer.PurposeMarketing, ch)
}

func (s *Server) notificationServices(st stores) error {
	store, ok := st.channel.(channel.NotificationStore)
	if !ok {
		return errors.New("refserver: the channel store keeps no notifications")
	}
	dir := filepath.Join(s.clearingDir, "notifications")
	providers := map[channel.Medium]channel.Provider{}
	for _, m := range channel.Media() {
		p, err := channel.NewFileProvider(dir, m)
		if err != nil {
			return err
		}
		providers[m] = p
	}
	n, err := channel.NewNotifier(store, providers, channel.WithNotifyClock(s.clock),
		channel.WithConsents(customerConsents{s.customer}))
	if err != nil {
		return fmt.Errorf("refserver: notifications: %w", err)
	}
	s.notify = &notifications{Notifier: n}
	return nil
}

func (s *Server) notificationRoutes() []route {
	return []route{
		{method: "GET", pattern: "/v1/customers/{id}/notification-preferences", summary: "The customer's notification media and quiet hours",
			access: customerReaders.andCustomers(), handler: handle(s.notificationPreferences)},
		{method: "POST", pattern: "/v1/customers/{id}/notification-preferences", summary: "Choose notification media (the in-app inbox is always on) and quiet hours",
			access: onlineOwners, idempotency: idemOptional, handler: handle(s.setNotificationPreferences)},
		{method: "GET", pattern: "/v1/customers/{id}/messages", summary: "The customer's messages, newest first, with delivery status; medium=inbox for the in-app inbox",
			access: customerReaders.andCustomers(), handler: handle(s.listMessages)},
		{method: "POST", pattern: "/v1/notifications/run", summary: "Turn the new ledger and credit events into notices and deliver the messages that are due",
			access: staffAdmin, idempotency: idemOptional, handler: handle(s.runNotifications)},
		{method: "GET", pattern: "/v1/online/limit-reconciliations/{date}", summary: "The end of day's reconciliation of the limit reservations (step channel.limits): looked up in the ledger, those whose transfer never posted released",
			access: staffAdmin, handler: handle(s.limitReconciliation)},
	}
}

type (
	preferencesView struct {
		Media     []channel.Medium `json:"media" doc:"sms, email, push, inbox"`
		QuietFrom string           `json:"quiet_from" doc:"HH:MM in UTC+8; equal to quiet_to: no quiet hours"`
		QuietTo   string           `json:"quiet_to"`
	}
	preferencesRequest struct {
		ID customer.ID `path:"id" json:"-"`
		preferencesView
	}
	messagesRequest struct {
		ID     customer.ID    `path:"id"`
		Medium channel.Medium `query:"medium" doc:"sms, email, push or inbox (default: all)"`
		Before string         `query:"before" doc:"a message id: the page after it"`
		Limit  int            `query:"limit" doc:"1 to 500, default 50"`
	}
	messageView struct {
		ID        string     `json:"id"`
		Medium    string     `json:"medium"`
		Category  string     `json:"category"`
		Subject   string     `json:"subject,omitempty"`
		Body      string     `json:"body"`
		Status    string     `json:"status" doc:"pending, sent or failed"`
		Attempts  int        `json:"attempts"`
		CreatedAt time.Time  `json:"created_at"`
		SentAt    *time.Time `json:"sent_at,omitempty"`
	}
	notificationRunView struct {
		Events  int `json:"events"`
		Claimed int `json:"claimed"`
		Sent    int `json:"sent"`
		Retried int `json:"retried"`
		Failed  int `json:"failed"`
	}
)

// onlineCustomer is the customer the path names, if the caller may reach
// them: a customer only themselves (another is not found), staff anyone.
func onlineCustomer(ctx context.Context, id customer.ID) (string, error) {
	p := bank.CallerOf(ctx)
	if p.Kind == channel.KindCustomer && p.CustomerID != id.String() {
		return "", bank.ErrNotFound
	}
	return id.String(), nil
}

func minuteOfDay(minutes int) string { return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60) }

func parseClockTime(field, s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fault.Field(channel.ErrInvalidInput, field, "must be HH:MM")
	}
	return t.Hour()*60 + t.Minute(), nil
}

func preferencesOf(p channel.Preferences) preferencesView {
	return preferencesView{Media: p.Media, QuietFrom: minuteOfDay(p.QuietFrom), QuietTo: minuteOfDay(p.QuietTo)}
}

func (s *Server) notificationPreferences(ctx context.Context, req customerPath) (preferencesView, error) {
	customerID, err := onlineCustomer(ctx, req.ID)
	if err != nil {
		return preferencesView{}, err
	}
	prefs, err := s.notify.Preferences(ctx, customerID)
	if err != nil {
		return preferencesView{}, err
	}
	return preferencesOf(prefs), nil
}

func (s *Server) setNotificationPreferences(ctx context.Context, req preferencesRequest) (preferencesView, error) {
	p, err := s.onlineIdentity(ctx, req.ID)
	if err != nil {
		return preferencesView{}, err
	}
	from, err := parseClockTime("quiet_from", req.QuietFrom)
	if err != nil {
		return preferencesView{}, err
	}
	to, err := parseClockTime("quiet_to", req.QuietTo)
	if err != nil {
		return preferencesView{}, err
	}
	prefs, err := s.notify.SetPreferences(ctx, channel.Preferences{CustomerID: p.CustomerID, Media: req.Media, QuietFrom: from, QuietTo: to})
	if err != nil {
		return preferencesView{}, err
	}
	return preferencesOf(prefs), nil
}

func (s *Server) listMessages(ctx context.Context, req messagesRequest) (list[messageView], error) {
	customerID, err := onlineCustomer(ctx, req.ID)
	if err != nil {
		return list[messageView]{}, err
	}
	before := uuid.Nil
	if req.Before != "" {
		if before, err = uuid.Parse(req.Before); err != nil {
			return list[messageView]{}, fault.Field(channel.ErrInvalidInput, "before", "must be a message id")
		}
	}
	limit := req.Limit
	if limit == 0 {
		limit = 50
	}
	ms, err := s.notify.Messages(ctx, customerID, req.Medium, before, limit)
	if err != nil {
		return list[messageView]{}, err
	}
	out := list[messageView]{Items: make([]messageView, 0, len(ms))}
	for _, m := range ms {
		v := messageView{ID: m.ID.String(), Medium: string(m.Medium), Category: m.Category, Subject: m.Subject, Body: m.Body,
			Status: string(m.Status), Attempts: m.Attempts, CreatedAt: m.CreatedAt.UTC()}
		if !m.SentAt.IsZero() {
			t := m.SentAt.UTC()
			v.SentAt = &t
		}
		out.Items = append(out.Items, v)
	}
	if len(ms) == limit {
		out.Next = ms[len(ms)-1].ID.String()
	}
	return out, nil
}

// runNotifications reads the ledger's new events into notices and
// delivers what is due. The subscription is made at the first run, so a
// bank that never runs notifications keeps no cursor holding the ledger's
// events back from pruning.
func (s *Server) runNotifications(ctx context.Context, _ none) (notificationRunView, error) {
	st := s.notify
	st.run.Lock()
	defer st.run.Unlock()
	st.once.Do(func() {
		bg := context.WithoutCancel(ctx)
		st.subscribed = s.ledger.Events().Subscribe(bg, "channel.notifications", s.noticesFromLedger)
		if st.subscribed == nil {
			st.subscribed = s.loans.Credit().Events().Subscribe(bg, "channel.notifications", s.noticesFromCredit)
		}
	})
	if st.subscribed != nil {
		return notificationRunView{}, st.subscribed
	}
	events, err := s.ledger.Events().Deliver(ctx)
	if err != nil {
		return notificationRunView{}, err
	}
	loanEvents, err := s.loans.Credit().Events().Deliver(ctx)
	if err != nil {
		return notificationRunView{}, err
	}
	v := notificationRunView{Events: events + loanEvents}
	for {
		rep, err := s.notify.Deliver(ctx, 1000)
		if err != nil {
			return v, err
		}
		v.Claimed, v.Sent, v.Retried, v.Failed = v.Claimed+rep.Claimed, v.Sent+rep.Sent, v.Retried+rep.Retried, v.Failed+rep.Failed
		if rep.Claimed < 1000 {
			return v, nil
		}
	}
}

// noticesFromLedger turns a posted entry into notices to the owners of the
// customer accounts it moved money on; the notice keys carry the event's
// id, so a redelivered event notifies nobody twice.
func (s *Server) noticesFromLedger(ctx context.Context, e event.Envelope) error {
	if e.Type != ledger.EventEntryPosted {
		return nil
	}
	var p ledger.EntryPosted
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return fmt.Errorf("notifications: event %s: %w", e.ID, err)
	}
	var notices []channel.Notice
	for _, q := range p.Postings {
		a, err := s.ledger.Account(ctx, q.AccountID)
		if err != nil {
			return err
		}
		if a.OwnerID == "" {
			continue
		}
		// A customer's deposit account is credit-normal: a credit is money in.
		category, subject, body := "transfer.received", "Money in", fmt.Sprintf("%s received on account %s", q.Amount, a.Number)
		if q.Side == ledger.Debit {
			category, subject, body = "transfer.sent", "Money out", fmt.Sprintf("%s paid from account %s", q.Amount, a.Number)
		}
		key := e.ID.String() + "/" + a.ID.String()
		notices = append(notices, channel.Notice{CustomerID: a.OwnerID, Category: category, Key: key + "/" + category,
			Subject: subject, Body: body})
		if q.Side == ledger.Debit && a.Balance.Amount.LessThan(lowBalance) {
			notices = append(notices, channel.Notice{CustomerID: a.OwnerID, Category: "balance.low", Key: key + "/balance.low",
				Subject: "Low balance", Body: fmt.Sprintf("The balance of account %s is %s", a.Number, a.Balance)})
		}
	}
	if len(notices) == 0 {
		return nil
	}
	_, err := s.notify.NotifyAll(ctx, notices)
	return err
}

// noticesFromCredit turns credit's reminder of an instalment falling due
// (or unpaid after its due date) into a notice to the borrower, keyed by
// the event's id, so a redelivered event notifies nobody twice. Credit's
// other events are not the customer's news (or are told by the ledger's
// money movements).
func (s *Server) noticesFromCredit(ctx context.Context, e event.Envelope) error {
	if e.Type != credit.EventReminder {
		return nil
	}
	var r credit.Reminder
	if err := json.Unmarshal(e.Payload, &r); err != nil {
		return fmt.Errorf("notifications: event %s: %w", e.ID, err)
	}
	n := channel.Notice{CustomerID: r.CustomerID.String(), Category: "loan.reminder", Key: e.ID.String() + "/loan.reminder"}
	switch {
	case r.Days > 0:
		n.Subject = "Loan repayment due"
		n.Body = fmt.Sprintf("Instalment %d of your loan, %s, is due on %s (in %d days)", r.Instalment, r.Amount, r.DueDate, r.Days)
	case r.Days == 0:
		n.Subject = "Loan repayment due"
		n.Body = fmt.Sprintf("Instalment %d of your loan, %s, is due today, %s", r.Instalment, r.Amount, r.DueDate)
	default:
		n.Subject = "Loan repayment overdue"
		n.Body = fmt.Sprintf("Instalment %d of your loan, %s, fell due on %s and is unpaid (%d days)", r.Instalment, r.Amount, r.DueDate, -r.Days)
	}
	_, err := s.notify.Notify(ctx, n)
	return err
}

// startNotificationScheduler does what POST /v1/notifications/run does,
// every interval while the server listens: the new ledger events become
// notices, and the messages due are delivered (quiet hours and retry
// backoffs decide what is due). Several servers may run it at once: each
// message is claimed by one.
func (s *Server) startNotificationScheduler(ctx context.Context, interval time.Duration) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			v, err := s.runNotifications(ctx, none{})
			switch {
			case err != nil && ctx.Err() == nil:
				s.log.Warn("notifications", "error", err)
			case v.Claimed > 0:
				s.log.Debug("notifications", "events", v.Events, "sent", v.Sent, "retried", v.Retried, "failed", v.Failed)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() { cancel(); <-done }
}
