package iso20022

import (
	"strings"
	"testing"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
	"github.com/stretchr/testify/require"
)

// The Swiss bank's intraday report: one account, an opening and an
// interim booked balance, two booked debits.
func TestParseAccountReportOfASwissBank(t *testing.T) {
	t.Parallel()
	doc := sharedFile(t, "camt052.001.04-postfinance-intraday.xml")
	for _, parse := range []func(string) (StatementMessage, error){
		func(s string) (StatementMessage, error) { return ParseAccountReport(strings.NewReader(s)) },
		func(s string) (StatementMessage, error) { return ParseBankToCustomer(strings.NewReader(s)) },
	} {
		m, err := parse(doc)
		require.NoError(t, err)
		require.Equal(t, "camt.052", m.Kind)
		require.Equal(t, "20190424375204223062173", m.MessageID)
		require.Len(t, m.Statements, 1)
		r := m.Statements[0]
		require.Equal(t, "20190424375204223062174", r.ID)
		require.Equal(t, "CH2909000000250094239", r.Account.IBAN)
		require.Equal(t, []Balance{
			{Type: OpeningBooked, Amount: money.MustParse("208509.19", "CHF"), Direction: Credit, Date: calendar.MustParseDate("2019-04-24")},
			{Type: InterimBooked, Amount: money.MustParse("207596.19", "CHF"), Direction: Credit, Date: calendar.MustParseDate("2019-04-24")},
		}, r.Balances)
		require.Len(t, r.Entries, 2)
		for i, want := range []struct{ amount, ref, e2e string }{
			{"103.00", "074820002ZU1EPZK", "20190423001255000100005"},
			{"913.00", "074820002ZU1EQ0K", "20190423001255000100006"},
		} {
			e := r.Entries[i]
			require.Equal(t, money.MustParse(want.amount, "CHF"), e.Amount)
			require.Equal(t, Debit, e.Direction)
			require.Equal(t, StatusBooked, e.Status)
			require.Equal(t, want.ref, e.AccountServicerRef)
			require.Equal(t, "PMNT/ICDT/AUTT", e.BankTransactionCode)
			require.Equal(t, calendar.MustParseDate("2019-04-24"), e.ValueDate)
			require.Len(t, e.Details, 1)
			require.Equal(t, want.e2e, e.Details[0].EndToEndID)
			require.Nil(t, e.Details[0].Return)
		}
	}
}

// The same bank's credit notification: no balances, one booked credit
// valued the next day.
func TestParseNotificationOfASwissBank(t *testing.T) {
	t.Parallel()
	m, err := ParseNotification(strings.NewReader(sharedFile(t, "camt054.001.04-postfinance-credit.xml")))
	require.NoError(t, err)
	require.Equal(t, "camt.054", m.Kind)
	require.Len(t, m.Statements, 1)
	n := m.Statements[0]
	require.Equal(t, "20190424375204223076553", n.ID)
	require.Empty(t, n.Balances)
	require.Len(t, n.Entries, 1)
	e := n.Entries[0]
	require.Equal(t, money.MustParse("1500.00", "CHF"), e.Amount)
	require.Equal(t, Credit, e.Direction)
	require.Equal(t, calendar.MustParseDate("2019-04-24"), e.BookingDate)
	require.Equal(t, calendar.MustParseDate("2019-04-25"), e.ValueDate)
	require.Equal(t, "074820002ZZ9J42U", e.AccountServicerRef)
	require.Equal(t, "PMNT/RCDT/VCOM", e.BankTransactionCode)
}

// The Finnish banks' sample notification: six entries whose amounts add up
// to the gross sum its TxsSummry/TtlNtries/Sum gives, by hand:
// 2000.00 + 500.00 + 3000.00 + 4230.05 + 1000.00 + 100.00 = 10830.05 EUR;
// and a reversal of a direct debit whose two payments came back with
// their reasons (AC01 for 40.00, a proprietary CUST for 60.00).
func TestParseNotificationOfFinnishBanks(t *testing.T) {
	t.Parallel()
	m, err := ParseBankToCustomer(strings.NewReader(sharedFile(t, "camt054-fi-sample.xml")))
	require.NoError(t, err)
	require.Equal(t, "camt.054", m.Kind)
	require.Equal(t, "BANKFILEID219073", m.MessageID)
	n := m.Statements[0]
	require.Equal(t, "FI7433010001222090", n.Account.IBAN)
	require.Equal(t, money.EUR, n.Currency)
	require.Len(t, n.Entries, 6)
	sum := money.Zero("EUR")
	for _, e := range n.Entries {
		sum, err = sum.Add(e.Amount)
		require.NoError(t, err)
	}
	require.True(t, sum.Equal(money.MustParse("10830.05", "EUR")), "sum %s", sum)

	// A batch booking keeps every payment: 1900.00 + 100.00 = 2000.00.
	first := n.Entries[0]
	require.Len(t, first.Details, 2)
	require.Equal(t, money.MustParse("1900.00", "EUR"), first.Details[0].Amount)

	rev := n.Entries[5]
	require.True(t, rev.Reversal)
	require.Equal(t, StatusInformation, rev.Status)
	require.Equal(t, "PMNT/RDDT/PMDD", rev.BankTransactionCode)
	require.Len(t, rev.Details, 2)
	require.Equal(t, &ReturnInfo{Reason: ReasonIncorrectAccount, AdditionalInfo: []string{"1+TILIÄ EI LÖYDY"}}, rev.Details[0].Return)
	require.Equal(t, money.MustParse("40.00", "EUR"), rev.Details[0].Amount)
	require.Equal(t, ReturnReason("CUST"), rev.Details[1].Return.Reason)
	require.Equal(t, money.MustParse("60.00", "EUR"), rev.Details[1].Amount)
	for _, e := range n.Entries[:5] {
		for _, d := range e.Details {
			require.Nil(t, d.Return, "only the reversal carries returns")
		}
	}
}

// Each parser takes its own message; ParseBankToCustomer takes all three.
func TestCamtParsersChooseByMessage(t *testing.T) {
	t.Parallel()
	report := strings.ReplaceAll(smallStatement, "camt.053.001.08", "camt.052.001.08")
	report = strings.ReplaceAll(strings.ReplaceAll(report, "BkToCstmrStmt>", "BkToCstmrAcctRpt>"), "Stmt>", "Rpt>")
	notification := strings.ReplaceAll(smallStatement, "camt.053.001.08", "camt.054.001.08")
	notification = strings.ReplaceAll(strings.ReplaceAll(notification, "BkToCstmrStmt>", "BkToCstmrDbtCdtNtfctn>"), "Stmt>", "Ntfctn>")
	docs := map[string]string{"camt.053": smallStatement, "camt.052": report, "camt.054": notification}
	parsers := map[string]func(string) (StatementMessage, error){
		"camt.053": func(s string) (StatementMessage, error) { return ParseStatement(strings.NewReader(s)) },
		"camt.052": func(s string) (StatementMessage, error) { return ParseAccountReport(strings.NewReader(s)) },
		"camt.054": func(s string) (StatementMessage, error) { return ParseNotification(strings.NewReader(s)) },
	}
	for kind, doc := range docs {
		all, err := ParseBankToCustomer(strings.NewReader(doc))
		require.NoError(t, err, kind)
		require.Equal(t, kind, all.Kind)
		require.Equal(t, money.MustParse("250.00", "CNY"), all.Statements[0].Entries[0].Amount)
		for parser, parse := range parsers {
			m, err := parse(doc)
			if parser == kind {
				require.NoError(t, err)
				require.Equal(t, all, m)
				continue
			}
			require.ErrorIs(t, err, ErrUnsupportedMessage, "%s parser given a %s", parser, kind)
		}
	}
	// A notification's error names its own elements.
	bad := strings.Replace(notification, `<Amt Ccy="CNY">250.00</Amt><CdtDbtInd>DBIT`, `<Amt Ccy="CNY">250.001</Amt><CdtDbtInd>DBIT`, 1)
	_, err := ParseNotification(strings.NewReader(bad))
	requireInvalid(t, err, "Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]/Ntry[1]/Amt")
	_, err = ParseBankToCustomer(strings.NewReader(strings.ReplaceAll(smallStatement, "camt.053.001.08", "pacs.008.001.08")))
	require.ErrorIs(t, err, ErrUnsupportedMessage)
}

// A return reason that breaks the code rule refuses the notification.
func TestParseNotificationRefusesABadReturnReason(t *testing.T) {
	t.Parallel()
	doc := strings.ReplaceAll(smallStatement, "camt.053.001.08", "camt.054.001.08")
	doc = strings.ReplaceAll(strings.ReplaceAll(doc, "BkToCstmrStmt>", "BkToCstmrDbtCdtNtfctn>"), "Stmt>", "Ntfctn>")
	good := replaceOnce(t, doc, "</RmtInf>", "</RmtInf><RtrInf><Rsn><Cd>AC04</Cd></Rsn><AddtlInf>closed</AddtlInf></RtrInf>")
	m, err := ParseNotification(strings.NewReader(good))
	require.NoError(t, err)
	require.Equal(t, &ReturnInfo{Reason: ReasonClosedAccount, AdditionalInfo: []string{"closed"}}, m.Statements[0].Entries[0].Details[0].Return)
	_, err = ParseNotification(strings.NewReader(strings.Replace(good, "<Cd>AC04</Cd>", "<Cd>ac04</Cd>", 1)))
	requireInvalid(t, err, "TxDtls[1]/RtrInf/Rsn/Cd")
}
