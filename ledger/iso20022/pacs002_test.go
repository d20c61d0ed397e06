package iso20022

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParsePaymentStatus(t *testing.T) {
	t.Parallel()
	r, err := ParsePaymentStatus(strings.NewReader(ownPaymentStatus(t)))
	require.NoError(t, err)
	require.Equal(t, "CH-STS-20261128-0007", r.MessageID)
	require.True(t, r.CreatedAt.Equal(time.Date(2026, 11, 28, 2, 15, 0, 0, time.UTC)))
	require.Equal(t, []GroupStatus{{OriginalMessageID: "BK-20261127-0001", OriginalMessageName: "pacs.008.001.08", Status: StatusPartiallyAccepted}}, r.Groups)
	group := func(tx TransactionStatus) TransactionStatus {
		tx.OriginalMessageID, tx.OriginalMessageName = "BK-20261127-0001", "pacs.008.001.08"
		return tx
	}
	require.Equal(t, []TransactionStatus{
		group(TransactionStatus{StatusID: "STS-1", OriginalInstructionID: "INSTR-1", OriginalEndToEndID: "INV-2026-114", OriginalTransactionID: "TX-0001",
			OriginalUETR: "8a562c67-ca16-48ba-b074-65581be6f011", Status: StatusAcceptedSettled}),
		group(TransactionStatus{StatusID: "STS-2", OriginalEndToEndID: "NOTPROVIDED", OriginalTransactionID: "TX-0002", Status: StatusRejected,
			Reasons: []StatusReason{{Code: "AC04", AdditionalInfo: []string{"Account closed on 2026-10-31"}}}}),
		group(TransactionStatus{StatusID: "STS-3", OriginalTransactionID: "TX-0003", Status: StatusRejected,
			Reasons: []StatusReason{{Proprietary: "LIMIT EXCEEDED"}}}),
		group(TransactionStatus{StatusID: "STS-4", OriginalTransactionID: "TX-0004", Status: StatusPendingPayment,
			Reasons: []StatusReason{{Code: "NARR", AdditionalInfo: []string{"Sanctions screening under way"}}}}),
	}, r.Transactions)
}

func TestPaymentStatusKinds(t *testing.T) {
	t.Parallel()
	for _, s := range []PaymentStatus{"ACCP", "ACSP", "ACSC", "ACCC", "ACWC", "ACFC", "ACWP"} {
		require.True(t, s.Accepted(), s)
		require.False(t, s.Rejected(), s)
	}
	for _, s := range []PaymentStatus{"ACTC", "PDNG", "RCVD", "PART", "RJCT", ""} {
		require.False(t, s.Accepted(), s)
	}
	require.True(t, StatusRejected.Rejected())
}

// A report on a whole message only: the group status stands for every
// payment in it, and older versions read alike.
func TestParsePaymentStatusGroupOnly(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"pacs.002.001.03", "pacs.002.001.10", "pacs.002.001.14"} {
		doc := `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:` + version + `"><FIToFIPmtStsRpt>
			<GrpHdr><MsgId>S-1</MsgId><CreDtTm>2026-11-28T10:00:00Z</CreDtTm></GrpHdr>
			<OrgnlGrpInfAndSts><OrgnlMsgId>B1</OrgnlMsgId><OrgnlMsgNmId>pacs.008.001.08</OrgnlMsgNmId><GrpSts>RJCT</GrpSts>
			<StsRsnInf><Rsn><Cd>FF01</Cd></Rsn><AddtlInf>invalid file format</AddtlInf></StsRsnInf></OrgnlGrpInfAndSts>
			</FIToFIPmtStsRpt></Document>`
		r, err := ParsePaymentStatus(strings.NewReader(doc))
		require.NoError(t, err, version)
		require.Empty(t, r.Transactions)
		require.Equal(t, []GroupStatus{{OriginalMessageID: "B1", OriginalMessageName: "pacs.008.001.08", Status: StatusRejected,
			Reasons: []StatusReason{{Code: "FF01", AdditionalInfo: []string{"invalid file format"}}}}}, r.Groups)
	}
	_, err := ParsePaymentStatus(strings.NewReader(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.002.001.02"><FIToFIPmtStsRpt/></Document>`))
	require.ErrorIs(t, err, ErrUnsupportedMessage)
}

func TestParsePaymentStatusRefuses(t *testing.T) {
	t.Parallel()
	file := ownPaymentStatus(t)
	tests := []struct {
		name, doc, where string
	}{
		{"no header", regexpCut(t, file, "<GrpHdr>", "</GrpHdr>"), "GrpHdr: missing"},
		{"no status at all", `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.002.001.10"><FIToFIPmtStsRpt><GrpHdr><MsgId>S</MsgId><CreDtTm>2026-11-28T10:00:00Z</CreDtTm></GrpHdr></FIToFIPmtStsRpt></Document>`, "a report must give a status"},
		{"lower-case status", strings.Replace(file, "<TxSts>ACSC", "<TxSts>acsc", 1), "TxInfAndSts[1]/TxSts"},
		{"long group status", strings.Replace(file, "<GrpSts>PART", "<GrpSts>PARTIAL", 1), "OrgnlGrpInfAndSts[1]/GrpSts"},
		{"no reference", strings.Replace(file, "<OrgnlTxId>TX-0003</OrgnlTxId>", "", 1), "TxInfAndSts[3]: no reference"},
		{"both reason forms", strings.Replace(file, "<Rsn><Prtry>LIMIT EXCEEDED</Prtry></Rsn>", "<Rsn><Cd>AM04</Cd><Prtry>LIMIT</Prtry></Rsn>", 1), "TxInfAndSts[3]/StsRsnInf[1]/Rsn"},
		{"long additional info", strings.Replace(file, "Sanctions screening under way", strings.Repeat("x", 106), 1), "TxInfAndSts[4]/StsRsnInf[1]/AddtlInf[1]"},
		{"no original message name", strings.Replace(file, "<OrgnlMsgNmId>pacs.008.001.08</OrgnlMsgNmId>\n      <OrgnlCreDtTm>", "<OrgnlCreDtTm>", 1), "OrgnlGrpInfAndSts[1]/OrgnlMsgNmId"},
		{"two groups, a transaction naming neither", strings.Replace(file, "</OrgnlGrpInfAndSts>", "</OrgnlGrpInfAndSts><OrgnlGrpInfAndSts><OrgnlMsgId>B2</OrgnlMsgId><OrgnlMsgNmId>pacs.008.001.08</OrgnlMsgNmId><GrpSts>ACSC</GrpSts></OrgnlGrpInfAndSts>", 1), "TxInfAndSts[1]/OrgnlGrpInf: missing"},
		{"bad UETR", strings.Replace(file, "8a562c67-ca16-48ba-b074-65581be6f011", "not-a-uetr", 1), "TxInfAndSts[1]/OrgnlUETR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParsePaymentStatus(strings.NewReader(tt.doc))
			requireInvalid(t, err, tt.where)
		})
	}
	_, err := ParsePaymentStatus(strings.NewReader(strings.ReplaceAll(file, "pacs.002.001.10", "pacs.004.001.09")))
	require.ErrorIs(t, err, ErrUnsupportedMessage)
}

// regexpCut removes from s the first part from start to end, both
// included.
func regexpCut(t testing.TB, s, start, end string) string {
	t.Helper()
	i, j := strings.Index(s, start), strings.Index(s, end)
	require.True(t, i >= 0 && j > i)
	return s[:i] + s[j+len(end):]
}
