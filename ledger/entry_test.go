package ledger

import (
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// No entry carries more than the books can, but the reversal of one booked
// before the bound existed may, so that it can be corrected.
func TestValidateBoundsPostingsButReversals(t *testing.T) {
	huge := money.Money{Amount: decimal.New(1, 20), Currency: money.CNY}
	e := Entry{ID: NewID(), Kind: KindJournal, ValueDate: calendar.MustDate(2026, time.March, 2), BookedAt: time.Now(),
		Postings: []Posting{{AccountID: NewID(), Side: Debit, Amount: huge}, {AccountID: NewID(), Side: Credit, Amount: huge}}}
	require.ErrorIs(t, e.Validate(), ErrInvalidInput)
	e.Kind, e.Reverses = KindReversal, NewID()
	require.NoError(t, e.Validate())
}
