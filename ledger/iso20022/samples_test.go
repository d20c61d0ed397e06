package iso20022

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
	"github.com/stretchr/testify/require"
)

// Published example IBANs with right check digits.
const (
	ibanDE = "DE89370400440532013000"
	ibanGB = "GB82WEST12345698765432"
	ibanFR = "FR1420041010050500013M02606"
	ibanNL = "NL91ABNA0417164300"
)

// sampleBatch is a valid two-payment batch: 1250.00 + 300.50 = 1550.50 EUR.
func sampleBatch() CreditTransferBatch {
	return CreditTransferBatch{
		Header: GroupHeader{
			MessageID:            "BK-20261127-0001",
			CreatedAt:            time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC),
			NumberOfTransactions: 2,
			TotalAmount:          money.MustParse("1550.50", "EUR"),
			SettlementDate:       calendar.MustParseDate("2026-11-27"),
			SettlementMethod:     SettlementClearing,
		},
		Transactions: []CreditTransfer{
			{
				InstructionID:   "INSTR-1",
				EndToEndID:      "INV-2026-114",
				TransactionID:   "TX-0001",
				UETR:            "8a562c67-ca16-48ba-b074-65581be6f011",
				Amount:          money.MustParse("1250.00", "EUR"),
				ChargeBearer:    ChargesSLEV,
				Debtor:          Party{Name: "Ada Lovelace"},
				DebtorAccount:   Account{IBAN: ibanDE},
				DebtorAgent:     Agent{BIC: "COBADEFFXXX"},
				CreditorAgent:   Agent{BIC: "ABNANL2A"},
				Creditor:        Party{Name: "Grace Hopper & Co. <B.V.>"},
				CreditorAccount: Account{IBAN: ibanNL},
				RemittanceInfo:  []string{"Invoice 114", "November"},
			},
			{
				EndToEndID:      "NOTPROVIDED",
				TransactionID:   "TX-0002",
				Amount:          money.MustParse("300.50", "EUR"),
				ChargeBearer:    ChargesShared,
				Debtor:          Party{Name: "张三"},
				DebtorAccount:   Account{Other: "6222020200112233"},
				DebtorAgent:     Agent{MemberID: "102100099996"},
				CreditorAgent:   Agent{BIC: "BNPAFRPP", MemberID: "30004"},
				Creditor:        Party{Name: "Émile Zola"},
				CreditorAccount: Account{IBAN: ibanFR},
			},
		},
	}
}

// sampleReturn is a valid return of both payments of sampleBatch, the
// second less a 2.00 charge: 1250.00 + 298.50 = 1548.50 EUR.
func sampleReturn() PaymentReturn {
	return PaymentReturn{
		Header: GroupHeader{
			MessageID:            "RT-20261128-0001",
			CreatedAt:            time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC),
			NumberOfTransactions: 2,
			TotalAmount:          money.MustParse("1548.50", "EUR"),
			SettlementDate:       calendar.MustParseDate("2026-11-28"),
			SettlementMethod:     SettlementClearing,
		},
		Transactions: []ReturnedTransaction{
			{
				ReturnID:              "RTR-1",
				OriginalMessageID:     "BK-20261127-0001",
				OriginalMessageName:   "pacs.008.001.08",
				OriginalInstructionID: "INSTR-1",
				OriginalEndToEndID:    "INV-2026-114",
				OriginalTransactionID: "TX-0001",
				OriginalUETR:          "8a562c67-ca16-48ba-b074-65581be6f011",
				OriginalAmount:        money.MustParse("1250.00", "EUR"),
				ReturnedAmount:        money.MustParse("1250.00", "EUR"),
				Reason:                ReasonClosedAccount,
				AdditionalInfo:        []string{"Account closed on 2026-10-31"},
			},
			{
				ReturnID:              "RTR-2",
				OriginalEndToEndID:    "NOTPROVIDED",
				OriginalTransactionID: "TX-0002",
				ReturnedAmount:        money.MustParse("298.50", "EUR"),
				ProprietaryReason:     "NO MANDATE",
			},
		},
	}
}

// sharedDir is the folder of real ISO 20022 files written by others:
// ../shared/testdata/iso20022 from the repository root, read in place, or
// the folder BANKKIT_SHARED_TESTDATA names (for a checkout elsewhere).
func sharedDir() string {
	if dir := os.Getenv("BANKKIT_SHARED_TESTDATA"); dir != "" {
		return filepath.Join(dir, "iso20022")
	}
	return filepath.Join("..", "..", "..", "shared", "testdata", "iso20022")
}

// sharedFile reads a file of the shared test data in place. The test is
// skipped only when the folder itself is absent; a file missing from a
// folder that is there fails it.
func sharedFile(t testing.TB, name string) string {
	t.Helper()
	dir := sharedDir()
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		t.Skipf("shared test data %s is absent", dir)
	}
	data, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(t, err)
	return string(data)
}

// sharedCamt053 reads the bank's camt.053 file in place.
func sharedCamt053(t testing.TB) string {
	t.Helper()
	return sharedFile(t, "camt053.001.02-statement.xml")
}

// replaceOnce replaces old, which must occur in s, once.
func replaceOnce(t testing.TB, s, old, new string) string {
	t.Helper()
	require.Contains(t, s, old)
	return strings.Replace(s, old, new, 1)
}

// xmlLeaves decodes a document independently of the package's types: it
// lists every element's path of local names with its text, and the
// attributes as path@name.
func xmlLeaves(t testing.TB, data []byte) map[string][]string {
	t.Helper()
	leaves := map[string][]string{}
	d := xml.NewDecoder(bytes.NewReader(data))
	var path []string
	var text strings.Builder
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return leaves
		}
		require.NoError(t, err)
		switch tok := tok.(type) {
		case xml.StartElement:
			path = append(path, tok.Name.Local)
			text.Reset()
			for _, a := range tok.Attr {
				p := strings.Join(path, "/") + "@" + a.Name.Local
				leaves[p] = append(leaves[p], a.Value)
			}
		case xml.CharData:
			text.Write(tok)
		case xml.EndElement:
			if s := strings.TrimSpace(text.String()); s != "" {
				p := strings.Join(path, "/")
				leaves[p] = append(leaves[p], s)
			}
			text.Reset()
			path = path[:len(path)-1]
		}
	}
}

// childNames lists the local names of the children of every element whose
// path of local names is parent, in document order, one slice per element.
func childNames(t testing.TB, data []byte, parent string) [][]string {
	t.Helper()
	var out [][]string
	d := xml.NewDecoder(bytes.NewReader(data))
	var path []string
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err)
		switch tok := tok.(type) {
		case xml.StartElement:
			if strings.Join(path, "/") == parent {
				out[len(out)-1] = append(out[len(out)-1], tok.Name.Local)
			}
			path = append(path, tok.Name.Local)
			if strings.Join(path, "/") == parent {
				out = append(out, nil)
			}
		case xml.EndElement:
			path = path[:len(path)-1]
		}
	}
}

func writeBatch(t testing.TB, b CreditTransferBatch) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, WriteCreditTransfer(&buf, b))
	return buf.Bytes()
}

func writeReturn(t testing.TB, r PaymentReturn) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, WritePaymentReturn(&buf, r))
	return buf.Bytes()
}

// requireInvalid checks that err is an ErrInvalidMessage naming where.
func requireInvalid(t testing.TB, err error, where string) {
	t.Helper()
	require.ErrorIs(t, err, ErrInvalidMessage)
	require.Contains(t, err.Error(), where)
}
