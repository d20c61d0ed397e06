package iso20022

import (
	"encoding/xml"
	"io"

	"github.com/bankkit/bankkit/money"
)

// PaymentReturnVersion is the pacs.004 version WritePaymentReturn writes.
const PaymentReturnVersion = "pacs.004.001.09"

// pacs004Document is the subset of pacs.004 bankkit reads and writes, in
// schema order.
type pacs004Document struct {
	XMLName xml.Name
	Body    *pacs004Body `xml:"PmtRtr"`
}

type pacs004Body struct {
	GrpHdr *groupHeaderXML `xml:"GrpHdr"`
	// OrgnlGrpInf at group level is how versions before .001.09 name the
	// returned message for all transactions; read only.
	OrgnlGrpInf *originalGroupXML `xml:"OrgnlGrpInf,omitempty"`
	TxInf       []returnXML       `xml:"TxInf"`
}

type originalGroupXML struct {
	OrgnlMsgID   string `xml:"OrgnlMsgId"`
	OrgnlMsgNmID string `xml:"OrgnlMsgNmId"`
}

type returnXML struct {
	RtrID               string            `xml:"RtrId,omitempty"`
	OrgnlGrpInf         *originalGroupXML `xml:"OrgnlGrpInf,omitempty"`
	OrgnlInstrID        string            `xml:"OrgnlInstrId,omitempty"`
	OrgnlEndToEndID     string            `xml:"OrgnlEndToEndId,omitempty"`
	OrgnlTxID           string            `xml:"OrgnlTxId,omitempty"`
	OrgnlUETR           string            `xml:"OrgnlUETR,omitempty"`
	OrgnlIntrBkSttlmAmt *amountXML        `xml:"OrgnlIntrBkSttlmAmt,omitempty"`
	RtrdIntrBkSttlmAmt  *amountXML        `xml:"RtrdIntrBkSttlmAmt"`
	IntrBkSttlmDt       string            `xml:"IntrBkSttlmDt,omitempty"` // read only: bankkit writes the header's
	RtrRsnInf           []reasonInfoXML   `xml:"RtrRsnInf,omitempty"`
}

type reasonInfoXML struct {
	Rsn      *reasonXML `xml:"Rsn,omitempty"`
	AddtlInf []string   `xml:"AddtlInf,omitempty"`
}

type reasonXML struct {
	Cd    string `xml:"Cd,omitempty"`
	Prtry string `xml:"Prtry,omitempty"`
}

// WritePaymentReturn writes r to w as a pacs.004.001.09 document
// (namespace urn:iso:std:iso:20022:tech:xsd:pacs.004.001.09). An invalid
// return (see Validate) is refused with ErrInvalidMessage and nothing is
// written.
func WritePaymentReturn(w io.Writer, r PaymentReturn) error {
	if err := r.Validate(); err != nil {
		return err
	}
	body := &pacs004Body{GrpHdr: new(headerToXML(r.Header))}
	body.GrpHdr.TtlRtrdIntrBkSttlmAmt = amountToXML(r.Header.TotalAmount)
	for _, tx := range r.Transactions {
		x := returnXML{
			RtrID:              tx.ReturnID,
			OrgnlInstrID:       tx.OriginalInstructionID,
			OrgnlEndToEndID:    tx.OriginalEndToEndID,
			OrgnlTxID:          tx.OriginalTransactionID,
			OrgnlUETR:          tx.OriginalUETR,
			RtrdIntrBkSttlmAmt: amountToXML(tx.ReturnedAmount),
			RtrRsnInf: []reasonInfoXML{{
				Rsn:      &reasonXML{Cd: string(tx.Reason), Prtry: tx.ProprietaryReason},
				AddtlInf: tx.AdditionalInfo,
			}},
		}
		if tx.OriginalMessageID != "" {
			x.OrgnlGrpInf = &originalGroupXML{OrgnlMsgID: tx.OriginalMessageID, OrgnlMsgNmID: tx.OriginalMessageName}
		}
		if tx.OriginalAmount != (money.Money{}) {
			x.OrgnlIntrBkSttlmAmt = amountToXML(tx.OriginalAmount)
		}
		body.TxInf = append(body.TxInf, x)
	}
	doc := pacs004Document{
		XMLName: xml.Name{Space: namespacePrefix + PaymentReturnVersion, Local: "Document"},
		Body:    body,
	}
	return encodeDocument(w, doc)
}

// ParsePaymentReturn reads a pacs.004 document, versions .001.02 to .001.13,
// from r, in the forms ParseCreditTransfer accepts and with the same checks
// of control totals. The original message named once for the whole group
// (as versions before .001.09 do) is copied to every transaction. A return
// without a reason is read with an empty Reason: the receiver decides
// (ReasonNotSpecified is the code for it).
func ParsePaymentReturn(r io.Reader) (PaymentReturn, error) {
	var doc pacs004Document
	if _, err := decodeDocument(r, &doc, pacs004Kind); err != nil {
		return PaymentReturn{}, err
	}
	if doc.Body == nil {
		return PaymentReturn{}, invalid(pacs004Path, "missing")
	}
	var ret PaymentReturn
	amounts := make([]money.Money, 0, len(doc.Body.TxInf))
	txDates := make([]string, 0, len(doc.Body.TxInf))
	for i, x := range doc.Body.TxInf {
		tx, err := returnFromXML(at(pacs004Path+"/TxInf", i), x, doc.Body.OrgnlGrpInf)
		if err != nil {
			return PaymentReturn{}, err
		}
		ret.Transactions = append(ret.Transactions, tx)
		amounts = append(amounts, tx.ReturnedAmount)
		txDates = append(txDates, x.IntrBkSttlmDt)
	}
	var total *amountXML
	if doc.Body.GrpHdr != nil {
		total = doc.Body.GrpHdr.TtlRtrdIntrBkSttlmAmt
	}
	h, err := headerFromXML(pacs004Path+"/GrpHdr", doc.Body.GrpHdr, total, "TtlRtrdIntrBkSttlmAmt", txDates, amounts)
	if err != nil {
		return PaymentReturn{}, err
	}
	ret.Header = h
	if err := ret.check(false); err != nil {
		return PaymentReturn{}, err
	}
	return ret, nil
}

func returnFromXML(path string, x returnXML, group *originalGroupXML) (ReturnedTransaction, error) {
	tx := ReturnedTransaction{
		ReturnID:              x.RtrID,
		OriginalInstructionID: x.OrgnlInstrID,
		OriginalEndToEndID:    x.OrgnlEndToEndID,
		OriginalTransactionID: x.OrgnlTxID,
		OriginalUETR:          trim(x.OrgnlUETR),
	}
	original := x.OrgnlGrpInf
	if original == nil {
		original = group
	}
	if original != nil {
		tx.OriginalMessageID, tx.OriginalMessageName = original.OrgnlMsgID, original.OrgnlMsgNmID
	}
	var err error
	if x.OrgnlIntrBkSttlmAmt != nil {
		if tx.OriginalAmount, err = parseAmount(path+"/OrgnlIntrBkSttlmAmt", x.OrgnlIntrBkSttlmAmt, true); err != nil {
			return ReturnedTransaction{}, err
		}
	}
	if tx.ReturnedAmount, err = parseAmount(path+"/RtrdIntrBkSttlmAmt", x.RtrdIntrBkSttlmAmt, true); err != nil {
		return ReturnedTransaction{}, err
	}
	for _, info := range x.RtrRsnInf {
		if info.Rsn != nil && tx.Reason == "" && tx.ProprietaryReason == "" {
			tx.Reason, tx.ProprietaryReason = ReturnReason(trim(info.Rsn.Cd)), info.Rsn.Prtry
		}
		tx.AdditionalInfo = append(tx.AdditionalInfo, info.AddtlInf...)
	}
	return tx, nil
}
