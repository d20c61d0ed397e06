package iso20022_test

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger/iso20022"
	"github.com/bankkit/bankkit/money"
)

// A clearing batch of one outbound payment, exported as pacs.008.001.08.
func ExampleWriteCreditTransfer() {
	amount := money.MustParse("1250.00", "EUR")
	batch := iso20022.CreditTransferBatch{
		Header: iso20022.GroupHeader{
			MessageID:            "BK-20261127-0001",
			CreatedAt:            time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC),
			NumberOfTransactions: 1,
			TotalAmount:          amount,
			SettlementDate:       calendar.MustParseDate("2026-11-27"),
			SettlementMethod:     iso20022.SettlementClearing,
		},
		Transactions: []iso20022.CreditTransfer{{
			EndToEndID:      "INV-2026-114",
			TransactionID:   "TX-0001",
			Amount:          amount,
			ChargeBearer:    iso20022.ChargesSLEV,
			Debtor:          iso20022.Party{Name: "Ada Lovelace"},
			DebtorAccount:   iso20022.Account{IBAN: "DE89370400440532013000"},
			DebtorAgent:     iso20022.Agent{BIC: "COBADEFFXXX"},
			CreditorAgent:   iso20022.Agent{BIC: "ABNANL2A"},
			Creditor:        iso20022.Party{Name: "Grace Hopper"},
			CreditorAccount: iso20022.Account{IBAN: "NL91ABNA0417164300"},
			RemittanceInfo:  []string{"Invoice 114"},
		}},
	}
	if err := iso20022.WriteCreditTransfer(os.Stdout, batch); err != nil {
		fmt.Println(err)
	}
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">
	//   <FIToFICstmrCdtTrf>
	//     <GrpHdr>
	//       <MsgId>BK-20261127-0001</MsgId>
	//       <CreDtTm>2026-11-27T09:30:00Z</CreDtTm>
	//       <NbOfTxs>1</NbOfTxs>
	//       <TtlIntrBkSttlmAmt Ccy="EUR">1250.00</TtlIntrBkSttlmAmt>
	//       <IntrBkSttlmDt>2026-11-27</IntrBkSttlmDt>
	//       <SttlmInf>
	//         <SttlmMtd>CLRG</SttlmMtd>
	//       </SttlmInf>
	//     </GrpHdr>
	//     <CdtTrfTxInf>
	//       <PmtId>
	//         <EndToEndId>INV-2026-114</EndToEndId>
	//         <TxId>TX-0001</TxId>
	//       </PmtId>
	//       <IntrBkSttlmAmt Ccy="EUR">1250.00</IntrBkSttlmAmt>
	//       <ChrgBr>SLEV</ChrgBr>
	//       <Dbtr>
	//         <Nm>Ada Lovelace</Nm>
	//       </Dbtr>
	//       <DbtrAcct>
	//         <Id>
	//           <IBAN>DE89370400440532013000</IBAN>
	//         </Id>
	//       </DbtrAcct>
	//       <DbtrAgt>
	//         <FinInstnId>
	//           <BICFI>COBADEFFXXX</BICFI>
	//         </FinInstnId>
	//       </DbtrAgt>
	//       <CdtrAgt>
	//         <FinInstnId>
	//           <BICFI>ABNANL2A</BICFI>
	//         </FinInstnId>
	//       </CdtrAgt>
	//       <Cdtr>
	//         <Nm>Grace Hopper</Nm>
	//       </Cdtr>
	//       <CdtrAcct>
	//         <Id>
	//           <IBAN>NL91ABNA0417164300</IBAN>
	//         </Id>
	//       </CdtrAcct>
	//       <RmtInf>
	//         <Ustrd>Invoice 114</Ustrd>
	//       </RmtInf>
	//     </CdtTrfTxInf>
	//   </FIToFICstmrCdtTrf>
	// </Document>
}

// Reading a nostro statement: the booked entries and their references are
// what reconciliation matches against ledger postings.
func ExampleParseStatement() {
	const camt053 = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>STMT-20261127</MsgId><CreDtTm>2026-11-27T18:00:00+08:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>NOSTRO-CNY-20261127</Id>
      <Acct><Id><Othr><Id>110000000001</Id></Othr></Id><Ccy>CNY</Ccy></Acct>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">750.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-27</Dt></Dt></Bal>
      <Ntry>
        <Amt Ccy="CNY">250.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <ValDt><Dt>2026-11-27</Dt></ValDt>
        <NtryDtls><TxDtls><Refs><EndToEndId>INV-2026-114</EndToEndId></Refs></TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="CNY">80.5</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>PDNG</Cd></Sts>
        <ValDt><Dt>2026-11-28</Dt></ValDt>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>`
	msg, err := iso20022.ParseStatement(strings.NewReader(camt053))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range msg.Statements {
		fmt.Println("statement", s.ID, "for account", s.Account.Number())
		for _, b := range s.Balances {
			fmt.Println(b.Type, b.Signed(), "on", b.Date)
		}
		for _, e := range s.Entries {
			var refs []string
			for _, d := range e.Details {
				refs = append(refs, d.EndToEndID)
			}
			fmt.Println(e.Status, e.Signed(), "value", e.ValueDate, refs)
		}
	}
	// Output:
	// statement NOSTRO-CNY-20261127 for account 110000000001
	// CLBD 750.00 CNY on 2026-11-27
	// BOOK -250.00 CNY value 2026-11-27 [INV-2026-114]
	// PDNG 80.50 CNY value 2026-11-28 []
}

// A refused file names what is wrong and where: statements carry the sign
// in CdtDbtInd, never in the amount.
func ExampleParseStatement_invalid() {
	const doc = `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>M</MsgId><CreDtTm>2026-11-27T18:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S</Id><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>
<Ntry><Amt Ccy="JPY">-1200</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts></Ntry>
</Stmt></BkToCstmrStmt></Document>`
	_, err := iso20022.ParseStatement(strings.NewReader(doc))
	fmt.Println(err)
	// Output:
	// iso20022: invalid message: Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt: amount -1200 is negative
}

// Returning an inbound payment whose account is closed.
func ExampleWritePaymentReturn() {
	amount := money.MustParse("300.00", "CNY")
	ret := iso20022.PaymentReturn{
		Header: iso20022.GroupHeader{
			MessageID:            "RT-20261128-0001",
			CreatedAt:            time.Date(2026, 11, 28, 8, 0, 0, 0, time.FixedZone("CST", 8*3600)),
			NumberOfTransactions: 1,
			TotalAmount:          amount,
			SettlementDate:       calendar.MustParseDate("2026-11-28"),
			SettlementMethod:     iso20022.SettlementClearing,
		},
		Transactions: []iso20022.ReturnedTransaction{{
			ReturnID:              "RTR-1",
			OriginalEndToEndID:    "E2E-77",
			OriginalTransactionID: "CLR-0042",
			ReturnedAmount:        amount,
			Reason:                iso20022.ReasonClosedAccount,
		}},
	}
	var out strings.Builder
	if err := iso20022.WritePaymentReturn(&out, ret); err != nil {
		fmt.Println(err)
		return
	}
	parsed, err := iso20022.ParsePaymentReturn(strings.NewReader(out.String()))
	if err != nil {
		fmt.Println(err)
		return
	}
	tx := parsed.Transactions[0]
	fmt.Println(tx.OriginalTransactionID, tx.ReturnedAmount, tx.Reason, tx.Reason.Description())
	// Output:
	// CLR-0042 300.00 CNY AC04 closed account number
}

func ExampleParseCSVStatement() {
	const csv = `value_date,amount,currency,direction,reference,description
2026-11-27,1250.00,CNY,C,INV-2026-114,"Invoice 114, November"
2026-11-27,36.20,CNY,D,,Bank charges
`
	entries, err := iso20022.ParseCSVStatement(strings.NewReader(csv))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range entries {
		d := e.Details[0]
		fmt.Printf("%s %s ref=%q %q\n", e.ValueDate, e.Signed(), d.EndToEndID, d.RemittanceInfo)
	}
	// Output:
	// 2026-11-27 1250.00 CNY ref="INV-2026-114" ["Invoice 114, November"]
	// 2026-11-27 -36.20 CNY ref="" ["Bank charges"]
}

// A payment status report as an instant-payment network sends it: the
// application header and the message element side by side in the
// network's wrapper, no Document.
func ExampleParsePaymentStatus() {
	doc := `<Message xmlns="urn:example:network">
  <AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:head.001.001.02"><MsgDefIdr>pacs.002.001.10</MsgDefIdr></AppHdr>
  <FIToFIPmtStsRpt xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.002.001.10">
    <GrpHdr><MsgId>STS-1</MsgId><CreDtTm>2026-11-28T10:00:00Z</CreDtTm></GrpHdr>
    <OrgnlGrpInfAndSts><OrgnlMsgId>B-1</OrgnlMsgId><OrgnlMsgNmId>pacs.008.001.08</OrgnlMsgNmId><GrpSts>PART</GrpSts></OrgnlGrpInfAndSts>
    <TxInfAndSts><OrgnlEndToEndId>INV-114</OrgnlEndToEndId><TxSts>ACSC</TxSts></TxInfAndSts>
    <TxInfAndSts><OrgnlEndToEndId>INV-115</OrgnlEndToEndId><TxSts>RJCT</TxSts>
      <StsRsnInf><Rsn><Cd>AC04</Cd></Rsn><AddtlInf>Account closed</AddtlInf></StsRsnInf></TxInfAndSts>
  </FIToFIPmtStsRpt>
</Message>`
	r, err := iso20022.ParsePaymentStatus(strings.NewReader(doc))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, tx := range r.Transactions {
		fmt.Println(tx.OriginalMessageID, tx.OriginalEndToEndID, tx.Status, tx.Status.Accepted(), tx.Reasons)
	}
	// Output:
	// B-1 INV-114 ACSC true []
	// B-1 INV-115 RJCT false [{AC04  [Account closed]}]
}

// A debit/credit notification reads into the statement model, as a
// camt.053 statement and a camt.052 report do.
func ExampleParseBankToCustomer() {
	doc := `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.04"><BkToCstmrDbtCdtNtfctn>
  <GrpHdr><MsgId>N-1</MsgId><CreDtTm>2026-11-28T21:00:00</CreDtTm></GrpHdr>
  <Ntfctn><Id>NTF-1</Id><Acct><Id><IBAN>CH2909000000250094239</IBAN></Id></Acct>
    <Ntry><Amt Ccy="CHF">40.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><RvslInd>true</RvslInd><Sts>BOOK</Sts>
      <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>RRTN</SubFmlyCd></Fmly></Domn></BkTxCd>
      <NtryDtls><TxDtls><Refs><EndToEndId>INV-7</EndToEndId></Refs>
        <RtrInf><Rsn><Cd>AC01</Cd></Rsn></RtrInf></TxDtls></NtryDtls></Ntry>
  </Ntfctn></BkToCstmrDbtCdtNtfctn></Document>`
	m, err := iso20022.ParseBankToCustomer(strings.NewReader(doc))
	if err != nil {
		fmt.Println(err)
		return
	}
	e := m.Statements[0].Entries[0]
	fmt.Println(m.Kind, e.Signed(), e.BankTransactionCode, e.Details[0].EndToEndID, e.Details[0].Return.Reason.Description())
	// Output:
	// camt.054 -40.00 CHF PMNT/RCDT/RRTN INV-7 incorrect account number
}
