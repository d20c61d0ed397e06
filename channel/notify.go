package channel

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/text"
)

// Medium is how a message reaches a customer.
type Medium string

// The media.
const (
	MediumSMS   Medium = "sms"
	MediumEmail Medium = "email"
	MediumPush  Medium = "push"
	MediumInbox Medium = "inbox" // the in-app inbox: always on, never quiet
)

// Media lists the media in a fixed order.
func Media() []Medium { return []Medium{MediumSMS, MediumEmail, MediumPush, MediumInbox} }

// Validate checks the medium is known.
func (m Medium) Validate() error {
	if !slices.Contains(Media(), m) {
		return invalid("medium", fmt.Sprintf("%q is not sms, email, push or inbox", m))
	}
	return nil
}

// MessageStatus is where a message stands.
type MessageStatus string

// The statuses: pending until a provider accepts it (sent) or every
// attempt failed (failed).
const (
	MessagePending MessageStatus = "pending"
	MessageSent    MessageStatus = "sent"
	MessageFailed  MessageStatus = "failed"
)

// Notice is something to tell a customer, from another subsystem's event
// (a transfer received, a low balance, a loan reminder, a campaign offer).
// Notify turns it into one message per medium the customer wants.
type Notice struct {
	CustomerID string
	// Category names the kind of notice ("transfer.received").
	Category string
	// Key identifies the notice for deduplication: the same key (e.g. the
	// event's id) twice makes messages once.
	Key     string
	Subject string
	Body    string
	// Marketing notices go only to customers who consented (Consents).
	Marketing bool
	// Urgent notices (security alerts) ignore quiet hours.
	Urgent bool
}

// Validate checks the notice.
func (n Notice) Validate() error {
	switch {
	case n.CustomerID == "" || len(n.CustomerID) > 64:
		return invalid("customer_id", "must be 1 to 64 bytes")
	case n.Category == "" || len(n.Category) > 64:
		return invalid("category", "must be 1 to 64 bytes")
	case n.Key == "" || len(n.Key) > 200:
		return invalid("key", "must be 1 to 200 bytes")
	case len(n.Subject) > 200:
		return invalid("subject", "must be at most 200 bytes")
	case n.Body == "" || len(n.Body) > 4000:
		return invalid("body", "must be 1 to 4000 bytes")
	}
	if err := text.Line(ErrInvalidInput, "category", n.Category); err != nil {
		return err
	}
	if err := text.Line(ErrInvalidInput, "subject", n.Subject); err != nil {
		return err
	}
	return text.Multiline(ErrInvalidInput, "body", n.Body)
}

// Message is one notice on one medium, in the outbox until a provider
// takes it.
type Message struct {
	ID         uuid.UUID
	CustomerID string
	Medium     Medium
	Category   string
	Marketing  bool
	// DedupKey is the notice's key and the medium: unique in the outbox.
	DedupKey      string
	Subject       string
	Body          string
	Status        MessageStatus
	Attempts      int
	NextAttemptAt time.Time // when it is next due (a claimed message: when its claim lapses)
	CreatedAt     time.Time
	SentAt        time.Time
	LastError     string
}

// Preferences are a customer's choice of media and quiet hours (local
// times in NotifyConfig.Location; From after To spans midnight). The
// in-app inbox is always on.
type Preferences struct {
	CustomerID string
	Media      []Medium
	// QuietFrom and QuietTo are minutes after midnight; equal: no quiet
	// hours.
	QuietFrom int
	QuietTo   int
}

// DefaultPreferences are a customer's until they choose: push and the
// inbox, quiet from 22:00 to 08:00.
func DefaultPreferences(customerID string) Preferences {
	return Preferences{CustomerID: customerID, Media: []Medium{MediumPush, MediumInbox}, QuietFrom: 22 * 60, QuietTo: 8 * 60}
}

// Validate checks the preferences.
func (p Preferences) Validate() error {
	if p.CustomerID == "" || len(p.CustomerID) > 64 {
		return invalid("customer_id", "must be 1 to 64 bytes")
	}
	for _, m := range p.Media {
		if err := m.Validate(); err != nil {
			return err
		}
	}
	if p.QuietFrom < 0 || p.QuietFrom >= 24*60 {
		return invalid("quiet_from", "must be a time of day")
	}
	if p.QuietTo < 0 || p.QuietTo >= 24*60 {
		return invalid("quiet_to", "must be a time of day")
	}
	return nil
}

// quietUntil returns when the quiet hours around t end, or t if t is not
// in them.
func (p Preferences) quietUntil(t time.Time, loc *time.Location) time.Time {
	if p.QuietFrom == p.QuietTo {
		return t
	}
	local := t.In(loc)
	minute := local.Hour()*60 + local.Minute()
	in := false
	if p.QuietFrom < p.QuietTo {
		in = minute >= p.QuietFrom && minute < p.QuietTo
	} else {
		in = minute >= p.QuietFrom || minute < p.QuietTo
	}
	if !in {
		return t
	}
	end := time.Date(local.Year(), local.Month(), local.Day(), p.QuietTo/60, p.QuietTo%60, 0, 0, loc)
	if !end.After(local) {
		end = end.AddDate(0, 0, 1)
	}
	return end.UTC()
}

// Provider delivers messages of one medium (an SMS gateway, a mail relay,
// a push service, the inbox). Send returns nil once the provider has taken
// the message; an error makes the Notifier try again later. Delivery is at
// least once: a crash after Send and before the message is marked sent
// sends it again, with the same Message.ID, on which a provider
// deduplicates.
type Provider interface {
	Send(ctx context.Context, m Message) error
}

// Flusher is a Provider that buffers: Deliver calls Flush once a batch is
// sent, before it marks the batch's messages sent.
type Flusher interface {
	Flush() error
}

// Consents is the port to the customer subsystem's marketing consent.
type Consents interface {
	// MarketingConsent reports whether the customer agreed to marketing
	// on the medium.
	MarketingConsent(ctx context.Context, customerID string, m Medium) (bool, error)
}

// NotificationStore is the outbox of messages and the customers'
// preferences. memchannel and pgchannel implement it; the contract suite
// is channeltest.RunNotifications.
type NotificationStore interface {
	// Preferences returns the preferences of those of the customers who
	// set theirs (the others have the defaults), by customer id.
	Preferences(ctx context.Context, customerIDs []string) (map[string]Preferences, error)
	// PutPreferences stores them.
	PutPreferences(ctx context.Context, p Preferences) error
	// Enqueue adds the messages, skipping any whose DedupKey is in the
	// outbox already, and returns how many it added.
	Enqueue(ctx context.Context, ms []Message) (int, error)
	// ClaimDue takes up to limit pending messages due at now (earliest
	// first), counts an attempt on each and moves their NextAttemptAt to
	// until, atomically: concurrent claims never take the same message.
	ClaimDue(ctx context.Context, now, until time.Time, limit int) ([]Message, error)
	// MarkSent records that the messages were taken by their provider.
	MarkSent(ctx context.Context, ids []uuid.UUID, at time.Time) error
	// MarkFailure records a failed attempt: the message is due again at
	// next, or failed for good when final. Errors: ErrNotFound.
	MarkFailure(ctx context.Context, id uuid.UUID, lastError string, next time.Time, final bool) error
	// MarkFailures is MarkFailure for many messages at once (one statement
	// on PostgreSQL); ids that are not in the outbox are skipped.
	MarkFailures(ctx context.Context, fs []Failure) error
	// Message returns one message. Errors: ErrNotFound.
	Message(ctx context.Context, id uuid.UUID) (Message, error)
	// Messages returns the customer's messages on a medium ("": all) with
	// an ID below before (uuid.Nil: from the newest), newest first.
	Messages(ctx context.Context, customerID string, m Medium, before uuid.UUID, limit int) ([]Message, error)
	// DeleteMessages deletes the messages created before before that are
	// sent or failed (pending ones stay, however old) and returns how
	// many. Their deduplication keys go with them.
	DeleteMessages(ctx context.Context, before time.Time) (int, error)
}

// Failure is one failed delivery attempt, for MarkFailures.
type Failure struct {
	ID        uuid.UUID
	LastError string
	// Next is when the message is due again; Final: failed for good.
	Next  time.Time
	Final bool
}

// NotifyConfig is the Notifier's policy.
type NotifyConfig struct {
	// MaxAttempts before a message fails for good.
	MaxAttempts int
	// Backoff after the first failure, doubling each time up to
	// MaxBackoff.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// Lease is how long a claimed message is held by its deliverer before
	// another may take it (a deliverer that died).
	Lease time.Duration
	// Location is where quiet hours are read.
	Location *time.Location
}

// DefaultNotifyConfig: eight attempts, 30 s doubling to an hour, a
// one-minute lease, quiet hours in UTC+8.
func DefaultNotifyConfig() NotifyConfig {
	return NotifyConfig{MaxAttempts: 8, Backoff: 30 * time.Second, MaxBackoff: time.Hour, Lease: time.Minute,
		Location: time.FixedZone("UTC+8", 8*3600)}
}

// Notifier is the one outbox of messages to customers.
type Notifier struct {
	store     NotificationStore
	providers map[Medium]Provider
	consents  Consents
	clock     calendar.Clock
	cfg       NotifyConfig
}

// NotifyOption configures a Notifier.
type NotifyOption func(*Notifier) error

// WithNotifyClock sets the clock.
func WithNotifyClock(c calendar.Clock) NotifyOption {
	return func(n *Notifier) error {
		if c == nil {
			return invalid("clock", "must not be nil")
		}
		n.clock = c
		return nil
	}
}

// WithNotifyConfig sets the policy.
func WithNotifyConfig(c NotifyConfig) NotifyOption {
	return func(n *Notifier) error {
		if c.MaxAttempts < 1 || c.Backoff <= 0 || c.MaxBackoff < c.Backoff || c.Lease <= 0 || c.Location == nil {
			return invalid("notify_config", "needs attempts >= 1, positive backoff and lease, a location")
		}
		n.cfg = c
		return nil
	}
}

// WithConsents sets the consent port; without one no marketing notice is
// sent.
func WithConsents(c Consents) NotifyOption {
	return func(n *Notifier) error {
		if c == nil {
			return invalid("consents", "must not be nil")
		}
		n.consents = c
		return nil
	}
}

// NewNotifier returns a Notifier over store, with a provider per medium it
// delivers (a medium without one fails its messages, after the retries,
// as a provider refusing them would).
func NewNotifier(store NotificationStore, providers map[Medium]Provider, opts ...NotifyOption) (*Notifier, error) {
	if store == nil {
		return nil, invalid("store", "must not be nil")
	}
	n := &Notifier{store: store, providers: map[Medium]Provider{}, clock: calendar.SystemClock{}, cfg: DefaultNotifyConfig()}
	for m, p := range providers {
		if err := m.Validate(); err != nil {
			return nil, err
		}
		if p == nil {
			return nil, invalid("providers", fmt.Sprintf("%s: nil", m))
		}
		n.providers[m] = p
	}
	for _, o := range opts {
		if err := o(n); err != nil {
			return nil, err
		}
	}
	return n, nil
}

func (n *Notifier) now() time.Time { return n.clock.Now().UTC().Truncate(time.Microsecond) }

// Preferences returns the customer's preferences (the defaults until they
// choose).
func (n *Notifier) Preferences(ctx context.Context, customerID string) (Preferences, error) {
	if customerID == "" {
		return Preferences{}, invalid("customer_id", "is required")
	}
	ps, err := n.store.Preferences(ctx, []string{customerID})
	if err != nil {
		return Preferences{}, err
	}
	if p, ok := ps[customerID]; ok {
		return p, nil
	}
	return DefaultPreferences(customerID), nil
}

// SetPreferences stores the customer's preferences; the inbox is added if
// left out.
func (n *Notifier) SetPreferences(ctx context.Context, p Preferences) (Preferences, error) {
	if err := p.Validate(); err != nil {
		return Preferences{}, err
	}
	media := []Medium{}
	for _, m := range Media() {
		if m == MediumInbox || slices.Contains(p.Media, m) {
			media = append(media, m)
		}
	}
	p.Media = media
	if err := n.store.PutPreferences(ctx, p); err != nil {
		return Preferences{}, err
	}
	return p, nil
}

// Notify puts a notice in the outbox: one message per medium of the
// customer's preferences (a marketing notice only on media they consented
// to), due at once or when their quiet hours end (the inbox and urgent
// notices are never held). A notice whose key was notified before adds
// nothing. It returns how many messages it added.
func (n *Notifier) Notify(ctx context.Context, no Notice) (int, error) {
	return n.NotifyAll(ctx, []Notice{no})
}

// NotifyAll is Notify for many notices, in one write to the outbox.
func (n *Notifier) NotifyAll(ctx context.Context, notices []Notice) (int, error) {
	now := n.now()
	var out []Message
	customers := make([]string, 0, len(notices))
	for i, no := range notices {
		if err := no.Validate(); err != nil {
			return 0, noticeErr(i, err)
		}
		customers = append(customers, no.CustomerID)
	}
	slices.Sort(customers)
	prefs, err := n.store.Preferences(ctx, slices.Compact(customers))
	if err != nil {
		return 0, err
	}
	for _, no := range notices {
		p, ok := prefs[no.CustomerID]
		if !ok {
			p = DefaultPreferences(no.CustomerID)
		}
		for _, m := range p.Media {
			if no.Marketing {
				if n.consents == nil {
					continue
				}
				ok, err := n.consents.MarketingConsent(ctx, no.CustomerID, m)
				if err != nil {
					return 0, err
				}
				if !ok {
					continue
				}
			}
			due := now
			if m != MediumInbox && !no.Urgent {
				due = p.quietUntil(now, n.cfg.Location)
			}
			id, err := newID()
			if err != nil {
				return 0, err
			}
			out = append(out, Message{ID: id, CustomerID: no.CustomerID, Medium: m, Category: no.Category,
				Marketing: no.Marketing, DedupKey: no.Key + "/" + string(m), Subject: no.Subject, Body: no.Body,
				Status: MessagePending, NextAttemptAt: due, CreatedAt: now})
		}
	}
	if len(out) == 0 {
		return 0, nil
	}
	return n.store.Enqueue(ctx, out)
}

func noticeErr(i int, err error) error {
	return fmt.Errorf("notice %d: %w", i, err)
}

// DeliveryReport says what one Deliver round did.
type DeliveryReport struct {
	Claimed int
	Sent    int
	Retried int
	Failed  int
}

// backoff is the wait after the attempt-th failed attempt.
func (n *Notifier) backoff(attempt int) time.Duration {
	d := n.cfg.Backoff
	for i := 1; i < attempt && d < n.cfg.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, n.cfg.MaxBackoff)
}

// Deliver claims up to limit due messages and hands each to its medium's
// provider, in parallel per medium: taken ones are marked sent together,
// failed ones are due again after a backoff doubling per attempt, or
// failed for good after MaxAttempts. Several deliverers may run at once:
// a claim is exclusive until its lease lapses.
func (n *Notifier) Deliver(ctx context.Context, limit int) (DeliveryReport, error) {
	if limit < 1 || limit > 10000 {
		return DeliveryReport{}, invalid("limit", "must be 1 to 10000")
	}
	now := n.now()
	ms, err := n.store.ClaimDue(ctx, now, now.Add(n.cfg.Lease), limit)
	if err != nil {
		return DeliveryReport{}, err
	}
	rep := DeliveryReport{Claimed: len(ms)}
	byMedium := map[Medium][]Message{}
	for _, m := range ms {
		byMedium[m.Medium] = append(byMedium[m.Medium], m)
	}
	type failure struct {
		m   Message
		err error
	}
	var mu sync.Mutex
	var sent []uuid.UUID
	var failures []failure
	var wg sync.WaitGroup
	for medium, batch := range byMedium {
		p, ok := n.providers[medium]
		if !ok {
			mu.Lock()
			for _, m := range batch {
				failures = append(failures, failure{m, fmt.Errorf("no provider for %s", medium)})
			}
			mu.Unlock()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var ok []uuid.UUID
			var bad []failure
			for _, m := range batch {
				if err := p.Send(ctx, m); err != nil {
					bad = append(bad, failure{m, err})
				} else {
					ok = append(ok, m.ID)
				}
			}
			if f, isFlusher := p.(Flusher); isFlusher && len(ok) > 0 {
				if err := f.Flush(); err != nil {
					for _, m := range batch {
						if slices.Contains(ok, m.ID) {
							bad = append(bad, failure{m, err})
						}
					}
					ok = nil
				}
			}
			mu.Lock()
			sent = append(sent, ok...)
			failures = append(failures, bad...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(sent) > 0 {
		if err := n.store.MarkSent(ctx, sent, n.now()); err != nil {
			return rep, err
		}
		rep.Sent = len(sent)
	}
	if len(failures) > 0 {
		marks := make([]Failure, 0, len(failures))
		for _, f := range failures {
			final := f.m.Attempts >= n.cfg.MaxAttempts
			msg := f.err.Error()
			if len(msg) > 500 {
				msg = msg[:500]
			}
			marks = append(marks, Failure{ID: f.m.ID, LastError: strings.ToValidUTF8(msg, "?"),
				Next: now.Add(n.backoff(f.m.Attempts)), Final: final})
			if final {
				rep.Failed++
			} else {
				rep.Retried++
			}
		}
		if err := n.store.MarkFailures(ctx, marks); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// Message returns one of the customer's messages with its delivery status.
func (n *Notifier) Message(ctx context.Context, customerID string, id uuid.UUID) (Message, error) {
	m, err := n.store.Message(ctx, id)
	if err != nil {
		return Message{}, err
	}
	if m.CustomerID != customerID {
		return Message{}, fmt.Errorf("%w: message %s", ErrNotFound, id)
	}
	return m, nil
}

// Messages lists the customer's messages on a medium ("": all), newest
// first, up to limit before the id given (uuid.Nil: the newest).
func (n *Notifier) Messages(ctx context.Context, customerID string, m Medium, before uuid.UUID, limit int) ([]Message, error) {
	if customerID == "" {
		return nil, invalid("customer_id", "is required")
	}
	if m != "" {
		if err := m.Validate(); err != nil {
			return nil, err
		}
	}
	if limit < 1 || limit > 500 {
		return nil, invalid("limit", "must be 1 to 500")
	}
	return n.store.Messages(ctx, customerID, m, before, limit)
}

// Prune deletes the messages sent or failed more than retention ago (by
// when they were created; pending ones stay) and returns how many. With
// them go their deduplication keys: a notice repeated with the same key
// after that is sent again, so keep retention well beyond how long an
// event can be redelivered. Retention must be at least a day.
func (n *Notifier) Prune(ctx context.Context, retention time.Duration) (int, error) {
	if retention < 24*time.Hour {
		return 0, invalid("retention", "must be at least a day")
	}
	return n.store.DeleteMessages(ctx, n.clock.Now().UTC().Add(-retention))
}
