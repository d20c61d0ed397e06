package memledger

import (
	"encoding/json"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// These tests cover what the compact journal can get wrong and the
// contract suite does not reach: amounts and times that do not take the
// compact path, many postings, the side table, the ID index and event
// pages that cross a chunk.

var journalDay = calendar.Date{Year: 2026, Month: time.November, Day: 27}

// journalStore returns a store with a CNY chart and n open customer
// accounts.
func journalStore(t *testing.T, n int) (*Store, []ledger.Account) {
	t.Helper()
	s := New()
	svc, err := ledger.NewService(s, ledger.WithClock(calendar.NewManualClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetupChart(t.Context(), money.CNY); err != nil {
		t.Fatal(err)
	}
	accts := make([]ledger.Account, n)
	for i := range accts {
		a, err := svc.OpenAccount(t.Context(), ledger.OpenAccountRequest{OwnerID: fmt.Sprint("c", i), Product: ledger.ProductDemand,
			Currency: money.CNY, Policy: ledger.Overdraft(money.MaxAmount(money.CNY).Amount)})
		require.NoError(t, err)
		accts[i] = a
	}
	return s, accts
}

func cny(d decimal.Decimal) money.Money { return money.Money{Amount: d, Currency: money.CNY} }

// wide returns d written with twenty more zeros after the point: the same
// amount, whose coefficient does not fit an int64. It is how an amount
// within money.Capacity takes the journal's side table.
func wide(d decimal.Decimal) decimal.Decimal {
	return d.Mul(decimal.NewFromBigInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(20), nil), -20))
}

// post posts e on s and requires it to be accepted as new.
func post(t *testing.T, s *Store, e ledger.Entry, fp ledger.Fingerprint) ledger.Entry {
	t.Helper()
	res, err := s.PostEntries(t.Context(), []ledger.PostRequest{{Entry: e, Fingerprint: fp}})
	require.NoError(t, err)
	require.NoError(t, res[0].Err)
	require.False(t, res[0].Replayed)
	return res[0].Entry
}

// requireSameEntry requires got to be want as posted: the same fields, and
// amounts with the same coefficient and exponent, times at the same instant
// in the same location.
func requireSameEntry(t *testing.T, want, got ledger.Entry) {
	t.Helper()
	require.Equal(t, want.ID, got.ID)
	require.Equal(t, want.Kind, got.Kind)
	require.Equal(t, want.IdempotencyKey, got.IdempotencyKey)
	require.Equal(t, want.ValueDate, got.ValueDate)
	require.True(t, want.BookedAt.Equal(got.BookedAt), "booked at %v, want %v", got.BookedAt, want.BookedAt)
	require.Equal(t, want.BookedAt.Location().String(), got.BookedAt.Location().String())
	_, wantOffset := want.BookedAt.Zone()
	_, gotOffset := got.BookedAt.Zone()
	require.Equal(t, wantOffset, gotOffset)
	require.Equal(t, want.Description, got.Description)
	require.Equal(t, want.Metadata, got.Metadata)
	require.Equal(t, want.Reverses, got.Reverses)
	require.Equal(t, want.HoldID, got.HoldID)
	require.Len(t, got.Postings, len(want.Postings))
	for i, p := range want.Postings {
		q := got.Postings[i]
		require.Equal(t, p.AccountID, q.AccountID, "posting %d", i)
		require.Equal(t, p.Side, q.Side, "posting %d", i)
		require.Equal(t, p.Amount.Currency, q.Amount.Currency, "posting %d", i)
		require.Equal(t, p.Amount.Amount.Exponent(), q.Amount.Amount.Exponent(), "posting %d: %s", i, q.Amount.Amount)
		require.Zero(t, p.Amount.Amount.Coefficient().Cmp(q.Amount.Amount.Coefficient()), "posting %d: %s, want %s", i, q.Amount.Amount, p.Amount.Amount)
	}
}

// requireEventOf requires got to be the event of entry want as posted.
func requireEventOf(t *testing.T, want ledger.Entry, got event.Envelope) {
	t.Helper()
	ev, err := ledger.EntryPostedEvent(want)
	require.NoError(t, err)
	ev.Source, ev.Sequence = ledger.EventSource, got.Sequence
	require.Equal(t, ev, got)
}

func TestJournalAmountsRoundTrip(t *testing.T) {
	s, accts := journalStore(t, 2)
	amounts := []decimal.Decimal{
		wide(decimal.RequireFromString("12345.67")), // beyond int64
		decimal.New(922337203000000000, -9),         // 18 digits: the longest kept compact
		decimal.New(9223372030000000000, -10),       // 19 digits, as int64's maximum
		decimal.New(5, 6),                           // a positive exponent: 5,000,000
		decimal.New(125000, -5).Truncate(2),         // 1.25 written with exponent -2
		decimal.RequireFromString("7.000"),          // trailing zeros kept: exponent -3
		decimal.RequireFromString("0.01"),
	}
	var posted []ledger.Entry
	for _, amt := range amounts {
		e := ledger.Entry{ID: ledger.NewID(), Kind: ledger.KindJournal, ValueDate: journalDay,
			BookedAt: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC),
			Postings: []ledger.Posting{
				{AccountID: accts[0].ID, Side: ledger.Debit, Amount: cny(amt)},
				{AccountID: accts[1].ID, Side: ledger.Credit, Amount: cny(amt)},
			}}
		if amt.Exponent() < -2 {
			// Not in CNY's minor unit as written, but equal to a value that
			// is: Validate takes it, and the store keeps it as written.
			require.NoError(t, e.Validate())
		}
		post(t, s, e, ledger.Fingerprint{})
		posted = append(posted, e)
	}
	ctx := t.Context()
	for _, e := range posted {
		got, err := s.Entry(ctx, e.ID)
		require.NoError(t, err)
		requireSameEntry(t, e, got)
	}
	events, err := s.Events().Read(ctx, 0, 1000)
	require.NoError(t, err)
	fromEvents := 0
	for _, ev := range events {
		for _, e := range posted {
			if ev.ID == e.ID {
				requireEventOf(t, e, ev)
				fromEvents++
			}
		}
	}
	require.Equal(t, len(posted), fromEvents)

	_, lines, err := s.StatementLines(ctx, accts[1].ID, journalDay, journalDay)
	require.NoError(t, err)
	require.Len(t, lines, len(amounts))
	total := decimal.Zero
	for _, l := range lines {
		i := indexOfEntry(posted, l.EntryID)
		require.True(t, l.Amount.Amount.Equal(amounts[i]), "line %s, want %s", l.Amount.Amount, amounts[i])
		require.Equal(t, money.CNY, l.Amount.Currency)
		total = total.Add(amounts[i])
	}
	bal, err := s.BalanceAsOf(ctx, accts[1].ID, journalDay)
	require.NoError(t, err)
	require.True(t, bal.Amount.Equal(total), "balance %s, want %s", bal.Amount, total)
	closing, err := s.ClosingBalances(ctx, journalDay, []ledger.ID{accts[0].ID, accts[1].ID})
	require.NoError(t, err)
	require.True(t, closing[0].Equal(total.Neg()), "closing %s, want %s", closing[0], total.Neg())
	require.True(t, closing[1].Equal(total))
	acct, err := s.Account(ctx, accts[1].ID)
	require.NoError(t, err)
	require.True(t, acct.Balance.Amount.Equal(total))
}

func indexOfEntry(es []ledger.Entry, id ledger.ID) int {
	for i, e := range es {
		if e.ID == id {
			return i
		}
	}
	return -1
}

func TestJournalBookedAtRoundTrip(t *testing.T) {
	s, accts := journalStore(t, 2)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		shanghai = time.FixedZone("CST", 8*3600)
	}
	times := []time.Time{
		time.Date(2026, 11, 27, 23, 30, 0, 123456789, shanghai),
		time.Date(2026, 11, 27, 9, 0, 0, 1, time.FixedZone("minus-3:30", -(3*3600+1800))),
		time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC),
		time.Now(), // local, with a monotonic reading
		time.Date(2400, 1, 1, 0, 0, 0, 7, shanghai), // beyond Unix nanoseconds
		time.Date(1600, 6, 1, 12, 0, 0, 0, time.UTC),
	}
	// More distinct locations than the compact table holds.
	for i := range maxLocations + 10 {
		times = append(times, time.Date(2026, 11, 27, 12, 0, i, 0, time.FixedZone(fmt.Sprint("Z", i), (i%28-14)*900)))
	}
	var posted []ledger.Entry
	for _, at := range times {
		e := ledger.Entry{ID: ledger.NewID(), Kind: ledger.KindJournal, ValueDate: journalDay, BookedAt: at,
			Postings: []ledger.Posting{
				{AccountID: accts[0].ID, Side: ledger.Debit, Amount: money.MustParse("1.00", "CNY")},
				{AccountID: accts[1].ID, Side: ledger.Credit, Amount: money.MustParse("1.00", "CNY")},
			}}
		post(t, s, e, ledger.Fingerprint{})
		posted = append(posted, e)
	}
	for _, e := range posted {
		got, err := s.Entry(t.Context(), e.ID)
		require.NoError(t, err)
		requireSameEntry(t, e, got)
	}
	_, lines, err := s.StatementLines(t.Context(), accts[0].ID, journalDay, journalDay)
	require.NoError(t, err)
	require.Len(t, lines, len(posted))
	for _, l := range lines {
		want := posted[indexOfEntry(posted, l.EntryID)].BookedAt
		require.True(t, want.Equal(l.BookedAt))
		require.Equal(t, want.Location().String(), l.BookedAt.Location().String())
	}
}

func TestJournalManyPostingsAndSideTable(t *testing.T) {
	s, accts := journalStore(t, 20)
	ctx := t.Context()
	var ps []ledger.Posting
	want := make(map[ledger.ID]decimal.Decimal) // credit-normal change per account
	for i := range ledger.MaxPostings / 2 {
		amt := decimal.New(int64(i+1)*101, -2)
		if i%7 == 3 {
			amt = wide(decimal.RequireFromString("98765.55")) // one amount beyond int64
		}
		from, to := accts[i%len(accts)].ID, accts[(i*3+1)%len(accts)].ID
		ps = append(ps,
			ledger.Posting{AccountID: from, Side: ledger.Debit, Amount: cny(amt)},
			ledger.Posting{AccountID: to, Side: ledger.Credit, Amount: cny(amt)})
		want[from] = want[from].Sub(amt)
		want[to] = want[to].Add(amt)
	}
	meta := map[string]string{"source": "test", "batch": "7"}
	e := ledger.Entry{ID: ledger.NewID(), Kind: ledger.KindJournal, ValueDate: journalDay,
		BookedAt: time.Date(2026, 11, 27, 11, 0, 0, 0, time.UTC), IdempotencyKey: "journal/many",
		Description: "many postings", Metadata: meta, Postings: ps}
	fp := ledger.Fingerprint{1}
	got := post(t, s, e, fp)
	requireSameEntry(t, e, got)

	// The store kept a copy: changing the caller's map changes nothing.
	meta["source"] = "changed"
	e.Metadata = map[string]string{"source": "test", "batch": "7"}

	stored, err := s.Entry(ctx, e.ID)
	require.NoError(t, err)
	requireSameEntry(t, e, stored)
	stored.Metadata["batch"] = "mutated" // a reader's copy is its own
	stored.Postings[0].Side = ledger.Credit

	res, err := s.PostEntries(ctx, []ledger.PostRequest{{Entry: e, Fingerprint: fp}})
	require.NoError(t, err)
	require.True(t, res[0].Replayed)
	requireSameEntry(t, e, res[0].Entry)

	md, err := s.EntryMetadata(ctx, []ledger.ID{e.ID, ledger.NewID()})
	require.NoError(t, err)
	require.Equal(t, map[ledger.ID]map[string]string{e.ID: e.Metadata}, md)

	for _, a := range accts {
		_, lines, err := s.StatementLines(ctx, a.ID, journalDay, journalDay)
		require.NoError(t, err)
		if _, touched := want[a.ID]; !touched {
			require.Empty(t, lines)
			continue
		}
		require.Len(t, lines, 1)
		require.Equal(t, "many postings", lines[0].Description)
		require.True(t, lines[0].Amount.Amount.Equal(want[a.ID]), "%s: %s, want %s", a.Number, lines[0].Amount.Amount, want[a.ID])
	}

	// A reversal keeps Reverses in the side table and fills in ReversedBy.
	rev := ledger.Entry{ID: ledger.NewID(), Kind: ledger.KindReversal, ValueDate: journalDay,
		BookedAt: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC), Reverses: e.ID, Postings: e.Mirror()}
	post(t, s, rev, ledger.Fingerprint{})
	stored, err = s.Entry(ctx, e.ID)
	require.NoError(t, err)
	require.Equal(t, rev.ID, stored.ReversedBy)
	gotRev, err := s.Entry(ctx, rev.ID)
	require.NoError(t, err)
	requireSameEntry(t, rev, gotRev)
	for _, a := range accts {
		b, err := s.BalanceAsOf(ctx, a.ID, journalDay)
		require.NoError(t, err)
		require.True(t, b.Amount.IsZero(), "%s: %s after the reversal", a.Number, b.Amount)
	}
}

func TestJournalIndexOutOfOrderAndRepeatedIDs(t *testing.T) {
	s, accts := journalStore(t, 2)
	ctx := t.Context()
	entry := func(id ledger.ID, desc string) ledger.Entry {
		return ledger.Entry{ID: id, Kind: ledger.KindJournal, ValueDate: journalDay, Description: desc,
			BookedAt: time.Date(2026, 11, 27, 11, 0, 0, 0, time.UTC),
			Postings: []ledger.Posting{
				{AccountID: accts[0].ID, Side: ledger.Debit, Amount: money.MustParse("2.00", "CNY")},
				{AccountID: accts[1].ID, Side: ledger.Credit, Amount: money.MustParse("2.00", "CNY")},
			}}
	}
	ids := make([]ledger.ID, 6)
	for i := range ids {
		ids[i] = ledger.NewID()
	}
	// Posted out of order: 2, 4, 0, 5, 1, 3; then 4 again.
	for _, i := range []int{2, 4, 0, 5, 1, 3} {
		post(t, s, entry(ids[i], fmt.Sprint("entry ", i)), ledger.Fingerprint{})
	}
	for i, id := range ids {
		got, err := s.Entry(ctx, id)
		require.NoError(t, err)
		require.Equal(t, fmt.Sprint("entry ", i), got.Description)
	}
	post(t, s, entry(ids[4], "entry 4 again"), ledger.Fingerprint{})
	got, err := s.Entry(ctx, ids[4])
	require.NoError(t, err)
	require.Equal(t, "entry 4 again", got.Description)
	_, err = s.Entry(ctx, ledger.NewID())
	require.ErrorIs(t, err, ledger.ErrNotFound)
	_, err = s.Entry(ctx, ledger.NilID)
	require.ErrorIs(t, err, ledger.ErrNotFound)
}

// eventAmount is the amount of entry i in TestJournalEventsAcrossChunks.
// The postings of entry chunkSize/2 would start a chunk of postings, and
// its amount and the next one's do not fit an int64: the chunk is started,
// given up and then used by the entry after them.
func eventAmount(i int) decimal.Decimal {
	d := decimal.New(int64(i+1), -2)
	if i == chunkSize/2 || i == chunkSize/2+1 {
		d = wide(d)
	}
	return d
}

func TestJournalEventsAcrossChunks(t *testing.T) {
	s, accts := journalStore(t, 3)
	ctx := t.Context()
	before, err := s.Events().Read(ctx, 0, 1_000_000)
	require.NoError(t, err)
	base := int64(len(before)) // the chart and accounts posted nothing, but be sure
	n := 2*chunkSize + 50
	ids := make([]ledger.ID, n)
	posted := make([]ledger.Entry, n)
	reqs := make([]ledger.PostRequest, 0, 500)
	flush := func() {
		res, err := s.PostEntries(ctx, reqs)
		require.NoError(t, err)
		for _, r := range res {
			require.NoError(t, r.Err)
		}
		reqs = reqs[:0]
	}
	for i := range n {
		ids[i] = ledger.NewID()
		amt := money.Money{Amount: eventAmount(i), Currency: money.CNY}
		e := ledger.Entry{ID: ids[i], Kind: ledger.KindTransfer, ValueDate: journalDay,
			BookedAt: time.Date(2026, 11, 27, 11, 0, 0, i, time.UTC),
			Postings: []ledger.Posting{
				{AccountID: accts[i%3].ID, Side: ledger.Debit, Amount: amt},
				{AccountID: accts[(i+1)%3].ID, Side: ledger.Credit, Amount: amt},
			}}
		if i%1000 == 999 {
			e.Metadata = map[string]string{"i": fmt.Sprint(i)}
		}
		posted[i] = e
		reqs = append(reqs, ledger.PostRequest{Entry: e})
		if len(reqs) == cap(reqs) {
			flush()
		}
	}
	flush()

	for _, after := range []int64{0, chunkSize/2 - 3, chunkSize - 3, chunkSize, 2*chunkSize - 1, int64(n) - 5} {
		page, err := s.Events().Read(ctx, base+after, 10)
		require.NoError(t, err)
		require.Len(t, page, int(min(10, int64(n)-after)))
		for k, ev := range page {
			i := after + int64(k)
			require.Equal(t, base+i+1, ev.Sequence)
			require.Equal(t, ids[i], ev.ID)
			requireEventOf(t, posted[i], ev)
			var p ledger.EntryPosted
			require.NoError(t, json.Unmarshal(ev.Payload, &p))
			require.Len(t, p.Postings, 2)
			for _, q := range p.Postings {
				require.True(t, q.Amount.Amount.Equal(eventAmount(int(i))), "event %d: %s", i, q.Amount.Amount)
			}
			require.Equal(t, accts[i%3].ID, p.Postings[0].AccountID)
			require.Equal(t, accts[(i+1)%3].ID, p.Postings[1].AccountID)
			e, err := s.Entry(ctx, ids[i])
			require.NoError(t, err)
			if i%1000 == 999 {
				require.Equal(t, map[string]string{"i": fmt.Sprint(i)}, e.Metadata)
			} else {
				require.Nil(t, e.Metadata)
			}
		}
	}
	all, err := s.Events().Read(ctx, base, n+10)
	require.NoError(t, err)
	require.Len(t, all, n)
	page, err := s.Events().Read(ctx, base+int64(n), 10)
	require.NoError(t, err)
	require.Empty(t, page)

	// Every entry is still found by ID, and statements hold every line.
	for _, i := range []int{0, chunkSize/2 - 1, chunkSize / 2, chunkSize/2 + 2, chunkSize - 1, chunkSize, n - 1} {
		e, err := s.Entry(ctx, ids[i])
		require.NoError(t, err)
		require.Equal(t, ids[i], e.ID)
	}
	_, lines, err := s.StatementLines(ctx, accts[0].ID, journalDay, journalDay)
	require.NoError(t, err)
	touching0 := 0 // account 0 is debited when i%3 is 0, credited when it is 2
	for i := range n {
		if i%3 != 1 {
			touching0++
		}
	}
	require.Len(t, lines, touching0)
	md, err := s.EntryMetadata(ctx, ids)
	require.NoError(t, err)
	require.Len(t, md, n/1000)
	for i := 999; i < n; i += 1000 {
		require.Equal(t, map[string]string{"i": fmt.Sprint(i)}, md[ids[i]])
	}
}
