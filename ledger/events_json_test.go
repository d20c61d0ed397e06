package ledger

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// The payload is written by hand for speed; it must be exactly what
// encoding/json writes for EntryPosted, the documented form consumers
// decode.
func TestEntryPostedJSONIsEncodingJSONs(t *testing.T) {
	t.Parallel()
	amount := func(v string, c money.Currency) money.Money {
		return money.Money{Amount: decimal.RequireFromString(v), Currency: c}
	}
	for name, p := range map[string]EntryPosted{
		"transfer": {EntryID: NewID(), Kind: KindTransfer, ValueDate: calendar.Date{Year: 2026, Month: 3, Day: 2},
			BookedAt: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC),
			Postings: []EventPosting{
				{AccountID: NewID(), Side: Debit, Amount: amount("3", "CNY")},
				{AccountID: NewID(), Side: Credit, Amount: amount("3.00", "CNY")},
			}},
		"reversal with links and odd values": {EntryID: uuid.MustParse("00000000-0000-7000-8000-00000000000a"), Kind: KindReversal,
			ValueDate: calendar.Date{Year: 999, Month: 1, Day: 9}, BookedAt: time.Date(2026, 12, 31, 23, 59, 59, 120000000, time.UTC),
			Reverses: uuid.MustParse("ffffffff-ffff-7fff-bfff-ffffffffffff"), HoldID: NewID(),
			Postings: []EventPosting{
				{AccountID: NewID(), Side: Credit, Amount: amount("123456789012345678901234567.89", "CNY")},
				{AccountID: NewID(), Side: Debit, Amount: amount("1000", "JPY")},
				{AccountID: NewID(), Side: Debit, Amount: amount("0.125", "BHD")},
			}},
		"transfer with an external reference to escape": {EntryID: NewID(), Kind: KindTransfer, ValueDate: calendar.Date{Year: 2026, Month: 3, Day: 2},
			BookedAt: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC), ExternalRef: ExternalRef{Client: "staff/x", Ref: `o"<r>&\\é\u2028`},
			Postings: []EventPosting{
				{AccountID: NewID(), Side: Debit, Amount: amount("3", "CNY")},
				{AccountID: NewID(), Side: Credit, Amount: amount("3.00", "CNY")},
			}},
		"capture": {EntryID: NewID(), Kind: KindCapture, ValueDate: calendar.Date{Year: 2026, Month: 11, Day: 30},
			BookedAt: time.Date(2026, 11, 30, 1, 2, 3, 456789000, time.UTC), HoldID: NewID(),
			Postings: []EventPosting{
				{AccountID: NewID(), Side: Debit, Amount: amount("650.5", "USD")},
				{AccountID: NewID(), Side: Credit, Amount: amount("650.50", "USD")},
			}},
	} {
		want, err := json.Marshal(p)
		require.NoError(t, err)
		require.Equal(t, string(want), string(p.appendJSON(nil)), name)
	}
}
