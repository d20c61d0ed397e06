package iso20022

import (
	"encoding/xml"
	"io"

	"github.com/bankkit/bankkit/money"
)

// CreditTransferVersion is the pacs.008 version WriteCreditTransfer writes.
const CreditTransferVersion = "pacs.008.001.08"

// pacs008Document is the subset of pacs.008 bankkit reads and writes, in
// schema order so that it also serves for writing.
type pacs008Document struct {
	XMLName xml.Name
	Body    *pacs008Body `xml:"FIToFICstmrCdtTrf"`
}

type pacs008Body struct {
	GrpHdr *groupHeaderXML     `xml:"GrpHdr"`
	Txs    []creditTransferXML `xml:"CdtTrfTxInf"`
}

type paymentIDXML struct {
	InstrID    string `xml:"InstrId,omitempty"`
	EndToEndID string `xml:"EndToEndId"`
	TxID       string `xml:"TxId,omitempty"`
	UETR       string `xml:"UETR,omitempty"`
}

type creditTransferXML struct {
	PmtID          paymentIDXML   `xml:"PmtId"`
	IntrBkSttlmAmt *amountXML     `xml:"IntrBkSttlmAmt"`
	IntrBkSttlmDt  string         `xml:"IntrBkSttlmDt,omitempty"` // read only: bankkit writes the header's
	ChrgBr         string         `xml:"ChrgBr"`
	Dbtr           *partyXML      `xml:"Dbtr"`
	DbtrAcct       *accountXML    `xml:"DbtrAcct,omitempty"`
	DbtrAgt        *agentXML      `xml:"DbtrAgt"`
	CdtrAgt        *agentXML      `xml:"CdtrAgt"`
	Cdtr           *partyXML      `xml:"Cdtr"`
	CdtrAcct       *accountXML    `xml:"CdtrAcct,omitempty"`
	RmtInf         *remittanceXML `xml:"RmtInf,omitempty"`
}

type remittanceXML struct {
	Ustrd []string `xml:"Ustrd"`
}

func remittanceToXML(lines []string) *remittanceXML {
	if len(lines) == 0 {
		return nil
	}
	return &remittanceXML{Ustrd: lines}
}

func remittanceFromXML(x *remittanceXML) []string {
	if x == nil || len(x.Ustrd) == 0 {
		return nil
	}
	return x.Ustrd
}

// WriteCreditTransfer writes b to w as a pacs.008.001.08 document
// (namespace urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08). An invalid
// batch (see Validate) is refused with ErrInvalidMessage and nothing is
// written.
func WriteCreditTransfer(w io.Writer, b CreditTransferBatch) error {
	if err := b.Validate(); err != nil {
		return err
	}
	body := &pacs008Body{GrpHdr: new(headerToXML(b.Header))}
	body.GrpHdr.TtlIntrBkSttlmAmt = amountToXML(b.Header.TotalAmount)
	for _, tx := range b.Transactions {
		body.Txs = append(body.Txs, creditTransferXML{
			PmtID: paymentIDXML{
				InstrID:    tx.InstructionID,
				EndToEndID: tx.EndToEndID,
				TxID:       tx.TransactionID,
				UETR:       tx.UETR,
			},
			IntrBkSttlmAmt: amountToXML(tx.Amount),
			ChrgBr:         string(tx.ChargeBearer),
			Dbtr:           partyToXML(tx.Debtor),
			DbtrAcct:       accountToXML(tx.DebtorAccount),
			DbtrAgt:        agentToXML(tx.DebtorAgent),
			CdtrAgt:        agentToXML(tx.CreditorAgent),
			Cdtr:           partyToXML(tx.Creditor),
			CdtrAcct:       accountToXML(tx.CreditorAccount),
			RmtInf:         remittanceToXML(tx.RemittanceInfo),
		})
	}
	doc := pacs008Document{
		XMLName: xml.Name{Space: namespacePrefix + CreditTransferVersion, Local: "Document"},
		Body:    body,
	}
	return encodeDocument(w, doc)
}

// ParseCreditTransfer reads a pacs.008 document, versions .001.02 to
// .001.12, from r: alone, with any namespace prefix, or inside an envelope
// with a business application header. The message must be well-formed, of
// the right type, and its control totals must agree with its transactions;
// otherwise the error wraps ErrInvalidMessage or ErrUnsupportedMessage and
// names the element at fault. A header without a total gets the sum of the
// transactions; one without a settlement date gets the transactions' date
// when they all share it.
func ParseCreditTransfer(r io.Reader) (CreditTransferBatch, error) {
	var doc pacs008Document
	if _, err := decodeDocument(r, &doc, pacs008Kind); err != nil {
		return CreditTransferBatch{}, err
	}
	if doc.Body == nil {
		return CreditTransferBatch{}, invalid(pacs008Path, "missing")
	}
	var b CreditTransferBatch
	amounts := make([]money.Money, 0, len(doc.Body.Txs))
	txDates := make([]string, 0, len(doc.Body.Txs))
	for i, x := range doc.Body.Txs {
		tx, err := creditTransferFromXML(at(pacs008Path+"/CdtTrfTxInf", i), x)
		if err != nil {
			return CreditTransferBatch{}, err
		}
		b.Transactions = append(b.Transactions, tx)
		amounts = append(amounts, tx.Amount)
		txDates = append(txDates, x.IntrBkSttlmDt)
	}
	var total *amountXML
	if doc.Body.GrpHdr != nil {
		total = doc.Body.GrpHdr.TtlIntrBkSttlmAmt
	}
	h, err := headerFromXML(pacs008Path+"/GrpHdr", doc.Body.GrpHdr, total, "TtlIntrBkSttlmAmt", txDates, amounts)
	if err != nil {
		return CreditTransferBatch{}, err
	}
	b.Header = h
	if err := b.check(false); err != nil {
		return CreditTransferBatch{}, err
	}
	return b, nil
}

func creditTransferFromXML(path string, x creditTransferXML) (CreditTransfer, error) {
	amount, err := parseAmount(path+"/IntrBkSttlmAmt", x.IntrBkSttlmAmt, true)
	if err != nil {
		return CreditTransfer{}, err
	}
	debtorAccount, err := accountFromXML(path+"/DbtrAcct", x.DbtrAcct)
	if err != nil {
		return CreditTransfer{}, err
	}
	creditorAccount, err := accountFromXML(path+"/CdtrAcct", x.CdtrAcct)
	if err != nil {
		return CreditTransfer{}, err
	}
	return CreditTransfer{
		InstructionID:   x.PmtID.InstrID,
		EndToEndID:      x.PmtID.EndToEndID,
		TransactionID:   x.PmtID.TxID,
		UETR:            trim(x.PmtID.UETR),
		Amount:          amount,
		ChargeBearer:    ChargeBearer(trim(x.ChrgBr)),
		Debtor:          partyFromXML(x.Dbtr),
		DebtorAccount:   debtorAccount,
		DebtorAgent:     agentFromXML(x.DbtrAgt),
		CreditorAgent:   agentFromXML(x.CdtrAgt),
		Creditor:        partyFromXML(x.Cdtr),
		CreditorAccount: creditorAccount,
		RemittanceInfo:  remittanceFromXML(x.RmtInf),
	}, nil
}
