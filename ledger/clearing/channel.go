package clearing

import (
	"fmt"
	"slices"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/text"
	"github.com/shopspring/decimal"
)

// ChannelKind is how a channel moves money.
type ChannelKind string

// Channel kinds, after the three payment systems of CNAPS.
const (
	// KindLargeValue settles each payment on its own, in real time, within
	// its operating hours on business days (HVPS).
	KindLargeValue ChannelKind = "large_value"
	// KindBulk collects payments and sends them in netted batches at its
	// batch cut-offs (BEPS).
	KindBulk ChannelKind = "bulk"
	// KindOnline sends each small payment at once, around the clock (IBPS).
	KindOnline ChannelKind = "online"
)

// Valid reports whether k is one of the kinds above.
func (k ChannelKind) Valid() bool {
	return k == KindLargeValue || k == KindBulk || k == KindOnline
}

// realTime: each payment is its own message, sent when it is due.
func (k ChannelKind) realTime() bool { return k != KindBulk }

// Channel is one inter-bank payment system the bank is a member of, as
// data: a bank sets its own.
type Channel struct {
	// Code names the channel in transfers, batches, outbound messages and
	// the channel's own accounts (settlement.<Code>, clearing_suspense.<Code>):
	// 1 to 16 capital letters and digits.
	Code string
	Name string
	Kind ChannelKind
	// MaxPerItem is the largest amount one payment may carry (inclusive);
	// zero is no limit. For the bulk channel it is also the routing
	// threshold: an amount at or above it goes large-value.
	MaxPerItem decimal.Decimal
	// Fee is charged to the customer per payment and booked to fees
	// income, in the same entry as the debit.
	Fee decimal.Decimal
	// BusinessDaysOnly: the channel is closed on days the calendar says are
	// not business days.
	BusinessDaysOnly bool
	// Opens and Closes bound the hours, as time since local midnight;
	// both zero is around the clock. A real-time channel sends what
	// arrives in [Opens, Closes) at once, anything else at the next Opens.
	Opens, Closes time.Duration
	// Cutoffs are the times a bulk channel cuts its batches, ascending: a
	// payment waits for the first cut-off after it arrives, the next
	// open day's first one after the last.
	Cutoffs []time.Duration
}

// Channels is a bank's routing of outbound transfers in one currency.
// Transfers in other currencies go to the single Network as before.
type Channels struct {
	Currency money.Currency
	// Location is the time zone of the hours and cut-offs.
	Location *time.Location
	// Calendar says which days are business days.
	Calendar *calendar.BusinessCalendar
	// SmallAmount: amounts at or below it (and not urgent) go online.
	SmallAmount decimal.Decimal
	// List holds one channel of each kind.
	List []Channel
}

// Beijing is UTC+8, the time CNAPS keeps (China has no daylight saving).
var Beijing = time.FixedZone("CST", 8*60*60)

func hm(h, m int) time.Duration { return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute }

// DefaultChannels returns the reference bank's channels, after CNAPS, in
// CNY on the business calendar cal. The figures are assumptions of the
// reference bank, configurable as data:
//   - HVPS (large-value): business days 08:30 to 17:00 Beijing time, no
//     per-item limit, fee 5.00;
//   - BEPS (bulk): business days, batches cut at 10:00, 13:00 and 16:00,
//     per-item limit 50,000.00 (the bulk limit the issue names), fee 1.00;
//   - IBPS (online): around the clock, per-item limit 50,000.00 (the
//     single-payment cap IBPS opened with), no fee; amounts up to
//     5,000.00 are routed to it (the bank's choice: small payments at once,
//     the rest netted in bulk, which costs the bank less).
func DefaultChannels(cal *calendar.BusinessCalendar) Channels {
	return Channels{
		Currency: money.CNY, Location: Beijing, Calendar: cal,
		SmallAmount: decimal.RequireFromString("5000.00"),
		List: []Channel{
			{Code: "HVPS", Name: "High-value payment system", Kind: KindLargeValue,
				Fee: decimal.RequireFromString("5.00"), BusinessDaysOnly: true, Opens: hm(8, 30), Closes: hm(17, 0)},
			{Code: "BEPS", Name: "Bulk electronic payment system", Kind: KindBulk,
				MaxPerItem: decimal.RequireFromString("50000.00"), Fee: decimal.RequireFromString("1.00"),
				BusinessDaysOnly: true, Cutoffs: []time.Duration{hm(10, 0), hm(13, 0), hm(16, 0)}},
			{Code: "IBPS", Name: "Internet banking payment system", Kind: KindOnline,
				MaxPerItem: decimal.RequireFromString("50000.00")},
		},
	}
}

// Validate checks the configuration: one channel of each kind, sane hours
// and cut-offs, limits and fees in the currency's minor unit.
func (cs Channels) Validate() error {
	if !cs.Currency.Valid() {
		return invalid("channels.currency", fmt.Sprintf("unknown currency %q", cs.Currency))
	}
	if cs.Location == nil {
		return invalid("channels.location", "is required")
	}
	if cs.Calendar == nil {
		return invalid("channels.calendar", "is required")
	}
	if err := checkFigure("channels.small_amount", cs.SmallAmount, cs.Currency); err != nil {
		return err
	}
	seen := map[ChannelKind]bool{}
	codes := map[string]bool{}
	for i, ch := range cs.List {
		f := fmt.Sprintf("channels.list[%d]", i)
		if !validChannelCode(ch.Code) {
			return invalid(f+".code", "must be 1 to 16 capital letters and digits")
		}
		if codes[ch.Code] {
			return invalid(f+".code", "is used twice")
		}
		codes[ch.Code] = true
		if err := text.Line(ledger.ErrInvalidInput, f+".name", ch.Name); err != nil {
			return err
		}
		if !ch.Kind.Valid() {
			return invalid(f+".kind", "must be large_value, bulk or online")
		}
		if seen[ch.Kind] {
			return invalid(f+".kind", "one channel of each kind")
		}
		seen[ch.Kind] = true
		if err := checkFigure(f+".max_per_item", ch.MaxPerItem, cs.Currency); err != nil {
			return err
		}
		if err := checkFigure(f+".fee", ch.Fee, cs.Currency); err != nil {
			return err
		}
		if ch.Opens < 0 || ch.Closes > 24*time.Hour || ch.Opens > ch.Closes {
			return invalid(f+".hours", "opens and closes must be within a day, opening first")
		}
		if ch.Kind == KindBulk && len(ch.Cutoffs) == 0 {
			return invalid(f+".cutoffs", "a bulk channel needs at least one batch cut-off")
		}
		if ch.Kind != KindBulk && len(ch.Cutoffs) > 0 {
			return invalid(f+".cutoffs", "only a bulk channel cuts batches")
		}
		for j, c := range ch.Cutoffs {
			if c < 0 || c >= 24*time.Hour || j > 0 && c <= ch.Cutoffs[j-1] {
				return invalid(f+".cutoffs", "must be times within a day, ascending")
			}
		}
		if ch.Kind == KindBulk && !ch.MaxPerItem.IsPositive() {
			return invalid(f+".max_per_item", "the bulk channel's limit routes large amounts: it is required")
		}
	}
	if len(seen) != 3 {
		return invalid("channels.list", "needs one large_value, one bulk and one online channel")
	}
	if online := cs.byKind(KindOnline); online.MaxPerItem.IsPositive() && cs.SmallAmount.GreaterThan(online.MaxPerItem) {
		return invalid("channels.small_amount", "is above the online channel's per-item limit")
	}
	if cs.SmallAmount.GreaterThanOrEqual(cs.byKind(KindBulk).MaxPerItem) {
		return invalid("channels.small_amount", "must be below the bulk limit")
	}
	return nil
}

func checkFigure(field string, d decimal.Decimal, cur money.Currency) error {
	if d.IsNegative() {
		return invalid(field, "must not be negative")
	}
	if !d.Equal(d.Round(int32(cur.MinorUnits()))) {
		return invalid(field, fmt.Sprintf("has more decimals than %s has", cur))
	}
	return nil
}

func validChannelCode(s string) bool {
	if s == "" || len(s) > 16 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isUpper(s[i]) && !isDigitByte(s[i]) {
			return false
		}
	}
	return true
}

func (cs Channels) byKind(k ChannelKind) Channel {
	for _, ch := range cs.List {
		if ch.Kind == k {
			return ch
		}
	}
	return Channel{}
}

// Channel returns the channel with code.
func (cs Channels) Channel(code string) (Channel, bool) {
	for _, ch := range cs.List {
		if ch.Code == code {
			return ch, true
		}
	}
	return Channel{}, false
}

// Route is where a transfer goes, and when.
type Route struct {
	Channel string // its code; empty: the single Network (no channels)
	Kind    ChannelKind
	// Reason says why, in words a customer can read.
	Reason string
	// SendAfter is when it will be sent: the time it arrived, or the next
	// window or batch cut-off of the channel.
	SendAfter time.Time
	Fee       money.Money
}

// Route picks the channel for amount at time at: urgent, or at or above
// the bulk limit, goes large-value; at or below the small amount, online;
// the rest bulk. An amount in another currency has no channel (the zero
// Route). An amount above the chosen channel's per-item limit is
// ErrInvalidInput.
func (cs Channels) Route(amount money.Money, urgent bool, at time.Time) (Route, error) {
	if amount.Currency != cs.Currency || len(cs.List) == 0 {
		return Route{}, nil
	}
	bulk := cs.byKind(KindBulk)
	var ch Channel
	var why string
	switch {
	case urgent:
		ch, why = cs.byKind(KindLargeValue), "urgent: large-value, settled in real time"
	case amount.Amount.GreaterThanOrEqual(bulk.MaxPerItem):
		ch = cs.byKind(KindLargeValue)
		why = fmt.Sprintf("%s %s or more: large-value, settled in real time", bulk.MaxPerItem.StringFixed(int32(cs.Currency.MinorUnits())), cs.Currency)
	case amount.Amount.LessThanOrEqual(cs.SmallAmount):
		ch = cs.byKind(KindOnline)
		why = fmt.Sprintf("up to %s %s: online interbank, sent at once", cs.SmallAmount.StringFixed(int32(cs.Currency.MinorUnits())), cs.Currency)
	default:
		ch, why = bulk, "bulk: sent in the next netted batch"
	}
	if ch.MaxPerItem.IsPositive() && amount.Amount.GreaterThan(ch.MaxPerItem) {
		return Route{}, invalid("amount", fmt.Sprintf("is above the %s per-item limit of %s", ch.Code, ch.MaxPerItem))
	}
	send := cs.nextSend(ch, at)
	if send.After(at) {
		why += "; after the cut-off, it waits for the next window at " + send.In(cs.Location).Format("2006-01-02 15:04 MST")
	}
	return Route{Channel: ch.Code, Kind: ch.Kind, Reason: why, SendAfter: send,
		Fee: inMinorUnits(money.Money{Amount: ch.Fee, Currency: cs.Currency})}, nil
}

// nextSend is the first time at or after at the channel takes a payment:
// at itself inside a real-time channel's hours, else the next opening or
// batch cut-off on a day the channel is open.
func (cs Channels) nextSend(ch Channel, at time.Time) time.Time {
	local := at.In(cs.Location)
	day := calendar.DateOf(local)
	midnight := time.Date(day.Year, day.Month, day.Day, 0, 0, 0, 0, cs.Location)
	since := local.Sub(midnight)
	aroundTheClock := ch.Opens == 0 && ch.Closes == 0
	// Today first, then the following days (a year is far more than any
	// calendar closes for).
	for i := 0; i < 366; i++ {
		if !ch.BusinessDaysOnly || cs.Calendar.IsBusinessDay(day) {
			switch {
			case len(ch.Cutoffs) > 0:
				if k := slices.IndexFunc(ch.Cutoffs, func(c time.Duration) bool { return c >= since }); k >= 0 {
					return midnight.Add(ch.Cutoffs[k]).In(at.Location())
				}
			case since < ch.Opens:
				return midnight.Add(ch.Opens).In(at.Location())
			case aroundTheClock, since < ch.Closes:
				return midnight.Add(since).In(at.Location()) // at, or the day's start
			}
		}
		day = day.AddDays(1)
		midnight = time.Date(day.Year, day.Month, day.Day, 0, 0, 0, 0, cs.Location)
		since = 0
	}
	return at // unreachable with a valid calendar
}
