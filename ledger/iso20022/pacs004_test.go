package iso20022

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bankkit/bankkit/money"
	"github.com/stretchr/testify/require"
)

func TestPaymentReturnRoundTrip(t *testing.T) {
	t.Parallel()
	want := sampleReturn()
	got, err := ParsePaymentReturn(bytes.NewReader(writeReturn(t, want)))
	require.NoError(t, err)
	require.Equal(t, want, got)
}

func TestWritePaymentReturnElements(t *testing.T) {
	t.Parallel()
	out := writeReturn(t, sampleReturn())
	require.Contains(t, string(out), `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.004.001.09">`)

	leaves := xmlLeaves(t, out)
	const hdr = "Document/PmtRtr/GrpHdr/"
	const tx = "Document/PmtRtr/TxInf/"
	for path, want := range map[string][]string{
		hdr + "NbOfTxs":                   {"2"},
		hdr + "TtlRtrdIntrBkSttlmAmt":     {"1548.50"},
		hdr + "TtlRtrdIntrBkSttlmAmt@Ccy": {"EUR"},
		hdr + "SttlmInf/SttlmMtd":         {"CLRG"},
		tx + "RtrId":                      {"RTR-1", "RTR-2"},
		tx + "OrgnlGrpInf/OrgnlMsgId":     {"BK-20261127-0001"},
		tx + "OrgnlGrpInf/OrgnlMsgNmId":   {"pacs.008.001.08"},
		tx + "OrgnlEndToEndId":            {"INV-2026-114", "NOTPROVIDED"},
		tx + "OrgnlTxId":                  {"TX-0001", "TX-0002"},
		tx + "OrgnlIntrBkSttlmAmt":        {"1250.00"},
		tx + "RtrdIntrBkSttlmAmt":         {"1250.00", "298.50"},
		tx + "RtrRsnInf/Rsn/Cd":           {"AC04"},
		tx + "RtrRsnInf/Rsn/Prtry":        {"NO MANDATE"},
		tx + "RtrRsnInf/AddtlInf":         {"Account closed on 2026-10-31"},
	} {
		require.Equal(t, want, leaves[path], path)
	}
	require.Nil(t, leaves[hdr+"TtlIntrBkSttlmAmt"], "a return carries the returned total only")
	require.Equal(t, [][]string{
		{"RtrId", "OrgnlGrpInf", "OrgnlInstrId", "OrgnlEndToEndId", "OrgnlTxId", "OrgnlUETR", "OrgnlIntrBkSttlmAmt", "RtrdIntrBkSttlmAmt", "RtrRsnInf"},
		{"RtrId", "OrgnlEndToEndId", "OrgnlTxId", "RtrdIntrBkSttlmAmt", "RtrRsnInf"},
	}, childNames(t, out, "Document/PmtRtr/TxInf"), "elements in schema order")
}

func TestPaymentReturnValidateRefuses(t *testing.T) {
	t.Parallel()
	const tx1 = "TxInf[1]/"
	const tx2 = "TxInf[2]/"
	tests := []struct {
		name   string
		change func(r *PaymentReturn)
		where  string
	}{
		{"no transactions", func(r *PaymentReturn) { r.Transactions = nil }, "TxInf: a return needs"},
		{"count disagrees", func(r *PaymentReturn) { r.Header.NumberOfTransactions = 1 }, "GrpHdr/NbOfTxs"},
		{"total disagrees", func(r *PaymentReturn) { r.Header.TotalAmount = money.MustParse("1550.50", "EUR") }, "GrpHdr/TtlRtrdIntrBkSttlmAmt"},
		{"returned amount zero", func(r *PaymentReturn) {
			r.Transactions[1].ReturnedAmount = money.Zero("EUR")
			r.Header.TotalAmount = money.MustParse("1250.00", "EUR")
		}, tx2 + "RtrdIntrBkSttlmAmt"},
		{"returned amount missing", func(r *PaymentReturn) { r.Transactions[1].ReturnedAmount = money.Money{} }, tx2 + "RtrdIntrBkSttlmAmt"},
		{"original amount negative", func(r *PaymentReturn) {
			r.Transactions[0].OriginalAmount = money.MustParse("-1250.00", "EUR")
		}, tx1 + "OrgnlIntrBkSttlmAmt"},
		{"return id missing", func(r *PaymentReturn) { r.Transactions[0].ReturnID = "" }, tx1 + "RtrId"},
		{"no reference to the original", func(r *PaymentReturn) {
			r.Transactions[1].OriginalEndToEndID, r.Transactions[1].OriginalTransactionID = "", ""
		}, "TxInf[2]: no reference to the original payment"},
		{"original message id without its name", func(r *PaymentReturn) { r.Transactions[0].OriginalMessageName = "" }, tx1 + "OrgnlGrpInf/OrgnlMsgNmId"},
		{"original message name without its id", func(r *PaymentReturn) { r.Transactions[0].OriginalMessageID = "" }, tx1 + "OrgnlGrpInf/OrgnlMsgId"},
		{"original UETR malformed", func(r *PaymentReturn) { r.Transactions[0].OriginalUETR = "not-a-uuid" }, tx1 + "OrgnlUETR"},
		{"reason missing", func(r *PaymentReturn) { r.Transactions[0].Reason = "" }, tx1 + "RtrRsnInf/Rsn"},
		{"reason code and proprietary reason", func(r *PaymentReturn) { r.Transactions[1].Reason = ReasonNotSpecified }, tx2 + "RtrRsnInf/Rsn"},
		{"reason code too long", func(r *PaymentReturn) { r.Transactions[0].Reason = "AC041" }, tx1 + "RtrRsnInf/Rsn/Cd"},
		{"reason code in lower case", func(r *PaymentReturn) { r.Transactions[0].Reason = "ac04" }, tx1 + "RtrRsnInf/Rsn/Cd"},
		{"additional information too long", func(r *PaymentReturn) {
			r.Transactions[0].AdditionalInfo = []string{strings.Repeat("i", 106)}
		}, tx1 + "RtrRsnInf/AddtlInf[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := sampleReturn()
			tt.change(&r)
			requireInvalid(t, r.Validate(), "Document/PmtRtr/"+tt.where)
			var buf bytes.Buffer
			requireInvalid(t, WritePaymentReturn(&buf, r), tt.where)
			require.Zero(t, buf.Len(), "an invalid return must write nothing")
		})
	}
}

// Versions before .001.09 name the returned message once for the group and
// may leave the reason out; such a return is still read.
func TestParsePaymentReturnOlderVersion(t *testing.T) {
	t.Parallel()
	const doc = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.004.001.02">
  <PmtRtr>
    <GrpHdr>
      <MsgId>RET-7</MsgId>
      <CreDtTm>2015-06-01T10:00:00</CreDtTm>
      <NbOfTxs>2</NbOfTxs>
      <TtlRtrdIntrBkSttlmAmt Ccy="JPY">15000</TtlRtrdIntrBkSttlmAmt>
      <IntrBkSttlmDt>2015-06-01</IntrBkSttlmDt>
      <SttlmInf><SttlmMtd>INDA</SttlmMtd></SttlmInf>
    </GrpHdr>
    <OrgnlGrpInf>
      <OrgnlMsgId>BATCH-6</OrgnlMsgId>
      <OrgnlMsgNmId>pacs.008.001.02</OrgnlMsgNmId>
    </OrgnlGrpInf>
    <TxInf>
      <RtrId>R1</RtrId>
      <OrgnlTxId>T1</OrgnlTxId>
      <RtrdIntrBkSttlmAmt Ccy="JPY">10000</RtrdIntrBkSttlmAmt>
      <RtrRsnInf><Rsn><Cd>AC01</Cd></Rsn><AddtlInf>no such account</AddtlInf></RtrRsnInf>
    </TxInf>
    <TxInf>
      <OrgnlEndToEndId>E2</OrgnlEndToEndId>
      <RtrdIntrBkSttlmAmt Ccy="JPY">5000</RtrdIntrBkSttlmAmt>
    </TxInf>
  </PmtRtr>
</Document>`
	got, err := ParsePaymentReturn(strings.NewReader(doc))
	require.NoError(t, err)
	require.Equal(t, money.MustParse("15000", "JPY"), got.Header.TotalAmount)
	require.Equal(t, SettlementInstructedAgent, got.Header.SettlementMethod)
	require.Len(t, got.Transactions, 2)
	for _, tx := range got.Transactions {
		require.Equal(t, "BATCH-6", tx.OriginalMessageID)
		require.Equal(t, "pacs.008.001.02", tx.OriginalMessageName)
	}
	require.Equal(t, ReasonIncorrectAccount, got.Transactions[0].Reason)
	require.Equal(t, "incorrect account number", got.Transactions[0].Reason.Description())
	require.Equal(t, []string{"no such account"}, got.Transactions[0].AdditionalInfo)
	require.Empty(t, got.Transactions[1].Reason)
	require.Empty(t, got.Transactions[1].ReturnID)

	// JPY has no minor unit: "10000.0" has one decimal place too many.
	_, err = ParsePaymentReturn(strings.NewReader(strings.Replace(doc, ">10000<", ">10000.0<", 1)))
	requireInvalid(t, err, "Document/PmtRtr/TxInf[1]/RtrdIntrBkSttlmAmt")
}

func TestParsePaymentReturnRefuses(t *testing.T) {
	t.Parallel()
	valid := string(writeReturn(t, sampleReturn()))
	tests := []struct {
		name     string
		old, new string
		sentinel error
		where    string
	}{
		{"total disagrees", ">1548.50<", ">1548.00<", ErrInvalidMessage, "GrpHdr/TtlRtrdIntrBkSttlmAmt"},
		{"returned amount in another currency", `<RtrdIntrBkSttlmAmt Ccy="EUR">298.50`, `<RtrdIntrBkSttlmAmt Ccy="USD">298.50`, ErrInvalidMessage, "GrpHdr/TtlRtrdIntrBkSttlmAmt"},
		{"unknown currency", `<RtrdIntrBkSttlmAmt Ccy="EUR">298.50`, `<RtrdIntrBkSttlmAmt Ccy="XEU">298.50`, ErrInvalidMessage, "TxInf[2]/RtrdIntrBkSttlmAmt"},
		{"reason code and proprietary", "<Prtry>NO MANDATE</Prtry>", "<Cd>MS03</Cd><Prtry>NO MANDATE</Prtry>", ErrInvalidMessage, "TxInf[2]/RtrRsnInf/Rsn"},
		{"a transfer, not a return", "pacs.004.001.09", "pacs.008.001.08", ErrUnsupportedMessage, "want pacs.004"},
		{"not ISO 20022", "urn:iso:std:iso:20022:tech:xsd:pacs.004.001.09", "urn:example:returns", ErrUnsupportedMessage, "not an ISO 20022 message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParsePaymentReturn(strings.NewReader(replaceOnce(t, valid, tt.old, tt.new)))
			require.ErrorIs(t, err, tt.sentinel)
			require.Contains(t, err.Error(), tt.where)
		})
	}
}

func TestReturnReasonDescriptions(t *testing.T) {
	t.Parallel()
	for code, want := range map[ReturnReason]string{
		"AC01": "incorrect account number",
		"AC04": "closed account number",
		"AC06": "blocked account",
		"AM05": "duplication",
		"MS03": "not specified reason agent generated",
		"ZZ99": "",
	} {
		require.Equal(t, want, code.Description(), string(code))
	}
}
