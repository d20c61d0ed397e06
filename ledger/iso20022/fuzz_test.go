package iso20022

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// smallStatement is a seed that does not depend on the shared test data.
const smallStatement = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-27T18:00:00+08:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>S1</Id>
      <Acct><Id><Othr><Id>NOSTRO-CNY-1</Id></Othr></Id><Ccy>CNY</Ccy></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-27</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">750.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-27</Dt></Dt></Bal>
      <Ntry>
        <Amt Ccy="CNY">250.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-11-27</Dt></BookgDt><ValDt><Dt>2026-11-27</Dt></ValDt>
        <AcctSvcrRef>BANKREF-9</AcctSvcrRef>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>INV-2026-114</EndToEndId><TxId>TX-0001</TxId></Refs>
          <Amt Ccy="CNY">250.00</Amt>
          <RltdPties><Cdtr><Pty><Nm>Grace Hopper</Nm></Pty></Cdtr></RltdPties>
          <RmtInf><Ustrd>Invoice 114</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
`

// requireSentinel checks that a refusal is one a caller can match.
func requireSentinel(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, ErrInvalidMessage) && !errors.Is(err, ErrUnsupportedMessage) {
		t.Fatalf("error wraps no sentinel: %v", err)
	}
}

func FuzzParseStatement(f *testing.F) {
	f.Add([]byte(smallStatement))
	if data, err := os.ReadFile(filepath.Join(sharedDir(), "camt053.001.02-statement.xml")); err == nil {
		f.Add(data)
	}
	f.Add([]byte(inEnvelope(f, smallStatement)))
	f.Add([]byte(`<a:Document xmlns:a="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><a:BkToCstmrStmt/></a:Document>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, err := ParseStatement(bytes.NewReader(data))
		if err != nil {
			requireSentinel(t, err)
			return
		}
		require.NotEmpty(t, msg.Statements)
		for _, s := range msg.Statements {
			require.False(t, s.Account.IsZero())
			for _, b := range s.Balances {
				require.True(t, b.Amount.Valid() && !b.Amount.IsNegative(), "balance %v", b.Amount)
				require.True(t, b.Direction.Valid())
				require.True(t, b.Date.Valid())
			}
			for _, e := range s.Entries {
				require.True(t, e.Amount.Valid() && !e.Amount.IsNegative(), "entry %v", e.Amount)
				require.True(t, e.Direction.Valid())
				require.NotEmpty(t, e.Status)
			}
		}
	})
}

func FuzzParseCreditTransfer(f *testing.F) {
	valid := writeBatch(f, sampleBatch())
	f.Add(valid)
	f.Add([]byte(strings.ReplaceAll(string(valid), "pacs.008.001.08", "pacs.008.001.02")))
	f.Add([]byte(inEnvelope(f, string(valid))))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseCreditTransfer(bytes.NewReader(data))
		if err != nil {
			requireSentinel(t, err)
			return
		}
		require.NoError(t, b.check(false), "a parsed batch meets the rules it was read by")
		if b.Validate() != nil {
			return
		}
		// What bankkit may write, it reads back unchanged.
		var buf bytes.Buffer
		require.NoError(t, WriteCreditTransfer(&buf, b))
		again, err := ParseCreditTransfer(&buf)
		require.NoError(t, err)
		require.True(t, b.Header.CreatedAt.Equal(again.Header.CreatedAt))
		again.Header.CreatedAt = b.Header.CreatedAt
		require.Equal(t, b, again)
	})
}

func FuzzParseReturn(f *testing.F) {
	valid := writeReturn(f, sampleReturn())
	f.Add(valid)
	f.Add([]byte(strings.ReplaceAll(string(valid), "pacs.004.001.09", "pacs.004.001.02")))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParsePaymentReturn(bytes.NewReader(data))
		if err != nil {
			requireSentinel(t, err)
			return
		}
		require.NoError(t, r.check(false))
		if r.Validate() != nil {
			return
		}
		var buf bytes.Buffer
		require.NoError(t, WritePaymentReturn(&buf, r))
		again, err := ParsePaymentReturn(&buf)
		require.NoError(t, err)
		require.True(t, r.Header.CreatedAt.Equal(again.Header.CreatedAt))
		again.Header.CreatedAt = r.Header.CreatedAt
		require.Equal(t, r, again)
	})
}

func FuzzParseCSV(f *testing.F) {
	f.Add([]byte(sampleCSV))
	f.Add([]byte("description,reference,direction,currency,amount,value_date\n\"x\",,D,JPY,1,2026-01-01\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := ParseCSVStatement(bytes.NewReader(data))
		if err != nil {
			requireSentinel(t, err)
			require.Nil(t, entries)
			return
		}
		for _, e := range entries {
			require.True(t, e.Amount.Valid() && e.Amount.IsPositive(), "amount %v", e.Amount)
			require.True(t, e.Direction.Valid())
			require.True(t, e.ValueDate.Valid())
			require.Len(t, e.Details, 1)
		}
	})
}

// requireStatementModel checks what every camt reader promises of what it
// returns.
func requireStatementModel(t *testing.T, msg StatementMessage, kinds ...string) {
	require.Contains(t, kinds, msg.Kind)
	require.NotEmpty(t, msg.Statements)
	for _, s := range msg.Statements {
		require.False(t, s.Account.IsZero())
		for _, b := range s.Balances {
			require.True(t, b.Amount.Valid() && !b.Amount.IsNegative(), "balance %v", b.Amount)
			require.True(t, b.Direction.Valid())
		}
		for _, e := range s.Entries {
			require.True(t, e.Amount.Valid() && !e.Amount.IsNegative(), "entry %v", e.Amount)
			require.True(t, e.Direction.Valid())
			require.NotEmpty(t, e.Status)
			for _, d := range e.Details {
				if d.Return != nil && d.Return.Reason != "" {
					require.NoError(t, checkCode("reason", string(d.Return.Reason), 4))
				}
			}
		}
	}
}

func FuzzParseAccountReport(f *testing.F) {
	report := strings.ReplaceAll(smallStatement, "camt.053.001.08", "camt.052.001.08")
	report = strings.ReplaceAll(strings.ReplaceAll(report, "BkToCstmrStmt>", "BkToCstmrAcctRpt>"), "Stmt>", "Rpt>")
	f.Add([]byte(report))
	f.Add([]byte(networkShape(f, report, false, true)))
	if data, err := os.ReadFile(filepath.Join(sharedDir(), "camt052.001.04-postfinance-intraday.xml")); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, err := ParseAccountReport(bytes.NewReader(data))
		if err != nil {
			requireSentinel(t, err)
			return
		}
		requireStatementModel(t, msg, "camt.052")
	})
}

func FuzzParseNotification(f *testing.F) {
	n := strings.ReplaceAll(smallStatement, "camt.053.001.08", "camt.054.001.08")
	n = strings.ReplaceAll(strings.ReplaceAll(n, "BkToCstmrStmt>", "BkToCstmrDbtCdtNtfctn>"), "Stmt>", "Ntfctn>")
	f.Add([]byte(strings.Replace(n, "</RmtInf>", "</RmtInf><RtrInf><Rsn><Cd>AC04</Cd></Rsn></RtrInf>", 1)))
	f.Add([]byte(inEnvelope(f, n)))
	for _, name := range []string{"camt054.001.04-postfinance-credit.xml", "camt054-fi-sample.xml"} {
		if data, err := os.ReadFile(filepath.Join(sharedDir(), name)); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, err := ParseNotification(bytes.NewReader(data))
		if err != nil {
			requireSentinel(t, err)
			return
		}
		requireStatementModel(t, msg, "camt.054")
		// Whatever one reader takes, the reader of all three takes alike.
		all, err := ParseBankToCustomer(bytes.NewReader(data))
		require.NoError(t, err)
		require.Equal(t, msg, all)
	})
}

func FuzzParsePaymentStatus(f *testing.F) {
	doc := ownPaymentStatus(f)
	f.Add([]byte(doc))
	f.Add([]byte(networkShape(f, doc, true, true)))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParsePaymentStatus(bytes.NewReader(data))
		if err != nil {
			requireSentinel(t, err)
			return
		}
		require.True(t, len(r.Groups)+len(r.Transactions) > 0)
		for _, g := range r.Groups {
			require.NotEmpty(t, g.OriginalMessageID)
		}
		for _, tx := range r.Transactions {
			require.True(t, tx.OriginalInstructionID != "" || tx.OriginalEndToEndID != "" || tx.OriginalTransactionID != "" || tx.OriginalUETR != "")
			if tx.Status != "" {
				require.NoError(t, checkCode("status", string(tx.Status), 4))
			}
		}
	})
}
