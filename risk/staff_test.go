package risk_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/risk"
)

// TestStaffActionValidation: a staff action has a zero amount and says
// what was done; a movement of money has no staff part. Each refusal
// names its field.
func TestStaffActionValidation(t *testing.T) {
	at := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	staff := func() risk.Transaction {
		return risk.Transaction{ID: risk.NewID(), Kind: risk.KindStaff, Amount: money.Zero(money.CNY),
			From: risk.Party{Account: "staff:1", Customer: "staff:1"}, At: at, BusinessDate: calendar.DateOf(at),
			Staff: &risk.StaffAction{Action: "customers.read", Status: 200, PII: true}}
	}
	require.NoError(t, staff().Validate())
	for field, change := range map[string]func(*risk.Transaction){
		"staff":         func(t *risk.Transaction) { t.Staff = nil },
		"amount":        func(t *risk.Transaction) { t.Amount = money.MustParse("1.00", "CNY") },
		"staff.action":  func(t *risk.Transaction) { t.Staff.Action = "" },
		"staff.status":  func(t *risk.Transaction) { t.Staff.Status = 42 },
		"staff (money)": func(t *risk.Transaction) { t.Kind = risk.KindTransfer; t.Amount = money.MustParse("1.00", "CNY") },
	} {
		tx := staff()
		change(&tx)
		err := tx.Validate()
		require.ErrorIs(t, err, risk.ErrInvalidInput, field)
		name := field
		if field == "staff (money)" {
			name = "staff"
		}
		require.ErrorContains(t, err, name, field)
	}
}
