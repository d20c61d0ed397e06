package iso20022

import (
	"strings"
	"testing"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
	"github.com/stretchr/testify/require"
)

const sampleCSV = "\uFEFFvalue_date,amount,currency,direction,reference,description\r\n" +
	"2026-11-27,1250.00,CNY,C,INV-2026-114,\"Invoice 114, November\"\r\n" +
	"2026-11-28,300,JPY,D,,\r\n" +
	"\r\n" +
	"2026-11-28,0.125,BHD,C,\"REF \"\"7\"\"\",\"two\nlines\"\r\n"

func TestParseCSVStatement(t *testing.T) {
	t.Parallel()
	entries, err := ParseCSVStatement(strings.NewReader(sampleCSV))
	require.NoError(t, err)
	detail := func(ref, amount, ccy string, lines ...string) []TransactionDetails {
		return []TransactionDetails{{EndToEndID: ref, Amount: money.MustParse(amount, ccy), RemittanceInfo: lines}}
	}
	require.Equal(t, []Entry{
		{
			Amount: money.MustParse("1250.00", "CNY"), Direction: Credit, Status: StatusBooked,
			ValueDate: calendar.MustParseDate("2026-11-27"),
			Details:   detail("INV-2026-114", "1250.00", "CNY", "Invoice 114, November"),
		},
		{
			Amount: money.MustParse("300", "JPY"), Direction: Debit, Status: StatusBooked,
			ValueDate: calendar.MustParseDate("2026-11-28"),
			Details:   detail("", "300", "JPY"),
		},
		{
			Amount: money.MustParse("0.125", "BHD"), Direction: Credit, Status: StatusBooked,
			ValueDate: calendar.MustParseDate("2026-11-28"),
			Details:   detail(`REF "7"`, "0.125", "BHD", "two\nlines"),
		},
	}, entries)
	require.Equal(t, money.MustParse("-300", "JPY"), entries[1].Signed())
}

func TestParseCSVStatementColumnsInAnyOrder(t *testing.T) {
	t.Parallel()
	const doc = "Reference, DIRECTION ,description,currency,amount,value_date\nR1,D,rent,EUR,10.5,2026-01-31\n"
	entries, err := ParseCSVStatement(strings.NewReader(doc))
	require.NoError(t, err)
	require.Len(t, entries, 1)
	require.Equal(t, money.MustParse("10.50", "EUR"), entries[0].Amount)
	require.Equal(t, Debit, entries[0].Direction)
	require.Equal(t, calendar.MustParseDate("2026-01-31"), entries[0].ValueDate)
	require.Equal(t, "R1", entries[0].Details[0].EndToEndID)
	require.Equal(t, []string{"rent"}, entries[0].Details[0].RemittanceInfo)
}

func TestParseCSVStatementHeaderOnly(t *testing.T) {
	t.Parallel()
	entries, err := ParseCSVStatement(strings.NewReader(strings.Join(csvColumns, ",") + "\n"))
	require.NoError(t, err)
	require.Empty(t, entries)
}

func TestParseCSVStatementRefuses(t *testing.T) {
	t.Parallel()
	const header = "value_date,amount,currency,direction,reference,description\n"
	const good = "2026-11-27,1.00,EUR,C,R,d\n"
	tests := []struct {
		name  string
		doc   string
		where string
	}{
		{"empty", "", "line 1: missing header row"},
		{"unknown column", "value_date,amount,currency,direction,reference,memo\n", `line 1, column 6: unknown column "memo"`},
		{"duplicate column", "value_date,amount,currency,direction,reference,amount\n", `line 1, column 6: column "amount" appears twice`},
		{"missing column", "value_date,amount,currency,direction,reference\n", `line 1: missing column "description"`},
		{"bad date", header + good + "27.11.2026,1.00,EUR,C,R,d\n", "line 3, column 1 (value_date)"},
		{"impossible date", header + "2026-02-29,1.00,EUR,C,R,d\n", "line 2, column 1 (value_date)"},
		{"amount split by an unquoted comma", header + "2026-11-27,1,00,EUR,C,R\n", "line 2, column 3 (currency)"},
		{"amount not a number", header + "2026-11-27,1.0x,EUR,C,R,d\n", "line 2, column 2 (amount)"},
		{"amount with a comma", header + "2026-11-27,\"1,00\",EUR,C,R,d\n", "line 2, column 2 (amount)"},
		{"amount with too many decimals", header + "2026-11-27,1.001,EUR,C,R,d\n", "line 2, column 2 (amount)"},
		{"amount zero", header + "2026-11-27,0.00,EUR,C,R,d\n", "line 2, column 2 (amount)"},
		{"amount signed", header + "2026-11-27,-1.00,EUR,D,R,d\n", "line 2, column 2 (amount)"},
		{"amount too long", header + "2026-11-27," + strings.Repeat("9", 19) + ",EUR,C,R,d\n", "line 2, column 2 (amount)"},
		{"currency unknown", header + "2026-11-27,1.00,EU,C,R,d\n", "line 2, column 3 (currency)"},
		{"direction unknown", header + "2026-11-27,1.00,EUR,CR,R,d\n", "line 2, column 4 (direction)"},
		{"reference too long", header + "2026-11-27,1.00,EUR,C," + strings.Repeat("r", 36) + ",d\n", "line 2, column 5 (reference)"},
		{"description with a control character", header + "2026-11-27,1.00,EUR,C,R,a\x07b\n", "line 2, column 6 (description)"},
		{"description not UTF-8", header + "2026-11-27,1.00,EUR,C,R,\xff\n", "line 2, column 6 (description)"},
		{"too few fields", header + "2026-11-27,1.00,EUR,C,R\n", "line 2"},
		{"bad amount in a reordered file", "amount,value_date,currency,direction,reference,description\n1.2.3,2026-11-27,EUR,C,R,d\n", "line 2, column 1 (amount)"},
		{"bare quote", header + "2026-11-27,1.00,EUR,C,R\"x,d\n", "line 2, column 24"},
		{"line after a multi-line field", header + "2026-11-27,1.00,EUR,C,R,\"a\nb\"\n2026-11-27,1.00,EUR,X,R,d\n", "line 4, column 4 (direction)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			entries, err := ParseCSVStatement(strings.NewReader(tt.doc))
			requireInvalid(t, err, tt.where)
			require.Nil(t, entries, "a refused file yields no entries")
		})
	}
}
