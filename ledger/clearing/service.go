package clearing

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

// Network is the port to the clearing house: a bank plugs in its
// real connection; ledger/iso20022 writes what it carries. Send must be
// idempotent by MessageID: the Service may send a message again after a
// crash or a failed call.
type Network interface {
	Send(ctx context.Context, m OutboundMessage) error
}

// OutboundMessage is one ISO 20022 message for the clearing house.
type OutboundMessage struct {
	MessageID string
	Kind      string // "pacs.008" or "pacs.004"
	XML       []byte
	// Channel is the code of the channel the message is for (empty: the
	// one clearing house of a bank without channels).
	Channel string
}

// Service runs inter-bank transfers and nostro reconciliation over a
// ledger.Service (see the package documentation). It is safe for
// concurrent use.
type Service struct {
	svc     *ledger.Service
	store   Store
	recon   ReconStore
	network Network
	clock   calendar.Clock

	bic        string
	memberID   string
	batchLimit int
	window     int // reconciliation value-date window, days
	channels   Channels
}

// Option configures a Service. NewService returns the error of a bad one.
type Option func(*Service) error

// Defaults of the options.
const (
	DefaultBatchLimit  = 1000 // transfers per batch
	DefaultMatchWindow = 2    // days either side of a value date
)

// WithBankIdentity sets the bank's BIC and its member id in the clearing
// system, as they appear as debtor agent in outbound messages; at least
// one is required.
func WithBankIdentity(bic, memberID string) Option {
	return func(c *Service) error {
		c.bic, c.memberID = bic, memberID
		return nil
	}
}

// WithBatchLimit sets the most transfers CutBatch puts in one batch (1 to
// 10000).
func WithBatchLimit(n int) Option {
	return func(c *Service) error {
		if n < 1 || n > 10000 {
			return invalid("batch_limit", "must be 1 to 10000")
		}
		c.batchLimit = n
		return nil
	}
}

// WithMatchWindow sets how many days a statement line's value date may
// differ from a posting's when they are matched by amount (0 to 30).
func WithMatchWindow(days int) Option {
	return func(c *Service) error {
		if days < 0 || days > 30 {
			return invalid("match_window", "must be 0 to 30 days")
		}
		c.window = days
		return nil
	}
}

// WithChannels routes outbound transfers in cs.Currency to the channels
// of cs (see Channels.Route); without it every transfer goes to the one
// Network, as before. DefaultChannels gives the CNAPS defaults.
func WithChannels(cs Channels) Option {
	return func(c *Service) error {
		if err := cs.Validate(); err != nil {
			return err
		}
		cs.List = slices.Clone(cs.List)
		for i := range cs.List {
			cs.List[i].Cutoffs = slices.Clone(cs.List[i].Cutoffs)
		}
		c.channels = cs
		return nil
	}
}

// Channels returns the channels configured (zero without WithChannels).
func (c *Service) Channels() Channels { return c.channels }

// WithClock sets the clock that stamps transfers, batches, inbound
// messages and reconciliations. The default is calendar.SystemClock; give
// the ledger.Service's clock.
func WithClock(clock calendar.Clock) Option {
	return func(c *Service) error {
		if clock != nil {
			c.clock = clock
		}
		return nil
	}
}

// NewService returns a Service that posts through svc, keeps its records
// in store and recon (usually one backend, the same as svc's) and sends
// messages through network. A bad option, a missing dependency or a
// missing bank identity is ErrInvalidInput.
func NewService(svc *ledger.Service, store Store, recon ReconStore, network Network, opts ...Option) (*Service, error) {
	if svc == nil || store == nil || recon == nil || network == nil {
		return nil, invalid("clearing", "needs a ledger.Service, a Store, a ReconStore and a Network")
	}
	c := &Service{svc: svc, store: store, recon: recon, network: network, clock: calendar.SystemClock{},
		batchLimit: DefaultBatchLimit, window: DefaultMatchWindow}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(c); err != nil {
			return nil, err
		}
	}
	if c.bic == "" && c.memberID == "" {
		return nil, invalid("bank_identity", "give the bank's BIC or clearing member id (WithBankIdentity)")
	}
	return c, nil
}

// Accounts clearing keeps in every currency it clears or reconciles in:
// the settlement (nostro) account, clearing suspense for payments in
// flight, and suspense for what cannot be applied.
var clearingCodes = []string{ledger.CodeSettlement, ledger.CodeClearingSuspense, ledger.CodeSuspense}

// SetUpCurrency creates the settlement (nostro), clearing suspense and
// suspense accounts of the chart in currency cur, those the chart lacks,
// and returns the three in that order: how a bank configures a currency it
// clears or reconciles in. Clearing also creates them on demand, the first
// time a message or statement in cur needs them, so a statement in any
// ISO 4217 currency can be reconciled; calling again creates nothing.
func (c *Service) SetUpCurrency(ctx context.Context, cur money.Currency) ([]ledger.Account, error) {
	if !cur.Valid() {
		return nil, invalid("currency", fmt.Sprintf("unknown currency %q", cur))
	}
	out := make([]ledger.Account, 0, len(clearingCodes))
	for _, code := range clearingCodes {
		a, err := c.ensure(ctx, cur, code)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// SettlementAccount returns the settlement (nostro) account in cur,
// creating it (with clearing suspense and suspense) if the chart has none.
func (c *Service) SettlementAccount(ctx context.Context, cur money.Currency) (ledger.Account, error) {
	accts, err := c.SetUpCurrency(ctx, cur)
	if err != nil {
		return ledger.Account{}, err
	}
	return accts[0], nil
}

// ensure returns the chart account code in cur, creating it from the
// default chart when it is missing. A channel's own account
// (<code>.<channel>) is made after its chart code's.
func (c *Service) ensure(ctx context.Context, cur money.Currency, code string) (ledger.Account, error) {
	base, channel, _ := strings.Cut(code, ".")
	for _, ca := range ledger.DefaultChart() {
		if ca.Code == base {
			if channel != "" {
				ca.Code, ca.Name = code, ca.Name+" "+channel
			}
			return c.svc.EnsureChartAccount(ctx, cur, ca)
		}
	}
	return c.svc.ChartAccount(ctx, cur, code)
}

// channelCode is the chart code of a channel's own settlement or clearing
// suspense account: code.<channel>; the shared one without a channel.
func channelCode(code, channel string) string {
	if channel == "" {
		return code
	}
	return code + "." + channel
}

// ChannelAccounts returns the settlement and clearing suspense accounts of
// channel in cur, creating them if the chart lacks them.
func (c *Service) ChannelAccounts(ctx context.Context, channel string, cur money.Currency) (settlement, suspense ledger.Account, err error) {
	if _, ok := c.channels.Channel(channel); !ok {
		return ledger.Account{}, ledger.Account{}, fmt.Errorf("%w: no channel %q", ledger.ErrNotFound, channel)
	}
	if !cur.Valid() {
		return ledger.Account{}, ledger.Account{}, invalid("currency", fmt.Sprintf("unknown currency %q", cur))
	}
	if settlement, err = c.ensure(ctx, cur, channelCode(ledger.CodeSettlement, channel)); err != nil {
		return ledger.Account{}, ledger.Account{}, err
	}
	suspense, err = c.ensure(ctx, cur, channelCode(ledger.CodeClearingSuspense, channel))
	return settlement, suspense, err
}

// internal returns the ID of the chart account code in currency cur;
// clearing's own accounts are created on demand (see SetUpCurrency).
func (c *Service) internal(ctx context.Context, cur money.Currency, code string) (ledger.ID, error) {
	if base, _, _ := strings.Cut(code, "."); slices.Contains(clearingCodes, base) {
		if id, err := c.svc.ChartAccountID(ctx, cur, code); err == nil {
			return id, nil
		}
		a, err := c.ensure(ctx, cur, code)
		if err != nil {
			return ledger.NilID, fmt.Errorf("clearing needs the %s %s account: %w", cur, code, err)
		}
		return a.ID, nil
	}
	a, err := c.svc.ChartAccount(ctx, cur, code)
	if err != nil {
		return ledger.NilID, fmt.Errorf("clearing needs the %s chart: %w", cur, err)
	}
	return a.ID, nil
}

// now is the clock's reading as stores keep times: UTC, to the
// microsecond.
func (c *Service) now() time.Time {
	return c.clock.Now().UTC().Truncate(time.Microsecond)
}
