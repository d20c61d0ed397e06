package iso20022

import (
	"encoding/xml"
	"io"
	"time"
)

// PaymentStatus is a status of a payment or a group of payments in a
// pacs.002 (GrpSts, TxSts), of the external payment status code lists
// (ExternalPaymentGroupStatus1Code, ExternalPaymentTransactionStatus1Code).
type PaymentStatus string

// The statuses of the code lists. Accepted ones say the payment goes
// ahead, RJCT that it will not, and the rest that the answer is not in yet.
const (
	StatusAcceptedTechnical    PaymentStatus = "ACTC" // passed technical validation only
	StatusAcceptedCustomer     PaymentStatus = "ACCP" // accepted customer profile
	StatusAcceptedSettlementIP PaymentStatus = "ACSP" // accepted, settlement in process
	StatusAcceptedSettled      PaymentStatus = "ACSC" // accepted, settlement completed on the debtor's account
	StatusAcceptedCredited     PaymentStatus = "ACCC" // accepted, settlement completed on the creditor's account
	StatusAcceptedWithChange   PaymentStatus = "ACWC" // accepted with a change
	StatusAcceptedFunds        PaymentStatus = "ACFC" // accepted, funds checked
	StatusAcceptedWithoutPost  PaymentStatus = "ACWP" // accepted without posting
	StatusPartiallyAccepted    PaymentStatus = "PART" // group only: some accepted, some rejected
	StatusPendingPayment       PaymentStatus = "PDNG" // pending: further checks under way
	StatusReceived             PaymentStatus = "RCVD" // received, not yet checked
	StatusRejected             PaymentStatus = "RJCT" // rejected: the payment will not be made
)

// Accepted reports whether s says the payment goes ahead to settlement:
// ACCP, ACSP, ACSC, ACCC, ACWC, ACFC or ACWP. ACTC is not: it says only
// that the message was well formed.
func (s PaymentStatus) Accepted() bool {
	switch s {
	case StatusAcceptedCustomer, StatusAcceptedSettlementIP, StatusAcceptedSettled, StatusAcceptedCredited,
		StatusAcceptedWithChange, StatusAcceptedFunds, StatusAcceptedWithoutPost:
		return true
	}
	return false
}

// Rejected reports whether s is RJCT.
func (s PaymentStatus) Rejected() bool { return s == StatusRejected }

// StatusReason is why a status was given (StsRsnInf): a code of the
// external status reason list (ExternalStatusReason1Code, which shares
// most codes with the return reasons: AC01, AC04, AM04, ...) or a
// proprietary reason, and lines of text.
type StatusReason struct {
	Code           string   // Rsn/Cd
	Proprietary    string   // Rsn/Prtry
	AdditionalInfo []string // AddtlInf, each at most 105 characters
}

// PaymentStatusReport is an FI to FI payment status report (pacs.002,
// FIToFIPmtStsRpt): the clearing house's or the receiving bank's answer
// to payment messages, for whole messages and for single payments.
type PaymentStatusReport struct {
	MessageID string    // GrpHdr/MsgId
	CreatedAt time.Time // GrpHdr/CreDtTm
	// Groups are the statuses of whole original messages
	// (OrgnlGrpInfAndSts); a report may carry only transactions.
	Groups []GroupStatus
	// Transactions are the statuses of single payments (TxInfAndSts).
	Transactions []TransactionStatus
}

// GroupStatus is the status of one original message (OrgnlGrpInfAndSts).
type GroupStatus struct {
	OriginalMessageID   string        // OrgnlMsgId
	OriginalMessageName string        // OrgnlMsgNmId, e.g. "pacs.008.001.08"
	Status              PaymentStatus // GrpSts; empty when only the transactions have one
	Reasons             []StatusReason
}

// TransactionStatus is the status of one original payment (TxInfAndSts).
// The Original fields are its references; at least one of the ids is set.
// The original message is the transaction's own OrgnlGrpInf or, failing
// that, the report's only group.
type TransactionStatus struct {
	StatusID              string // StsId
	OriginalMessageID     string // OrgnlGrpInf/OrgnlMsgId
	OriginalMessageName   string // OrgnlGrpInf/OrgnlMsgNmId
	OriginalInstructionID string // OrgnlInstrId
	OriginalEndToEndID    string // OrgnlEndToEndId
	OriginalTransactionID string // OrgnlTxId
	OriginalUETR          string // OrgnlUETR
	// Status is TxSts; empty when the transaction has none, and its
	// group's status holds.
	Status  PaymentStatus
	Reasons []StatusReason // StsRsnInf
}

// pacs002Document is the subset of pacs.002 bankkit reads.
type pacs002Document struct {
	XMLName xml.Name
	Body    *struct {
		GrpHdr *struct {
			MsgID   string `xml:"MsgId"`
			CreDtTm string `xml:"CreDtTm"`
		} `xml:"GrpHdr"`
		OrgnlGrpInfAndSts []struct {
			OrgnlMsgID   string            `xml:"OrgnlMsgId"`
			OrgnlMsgNmID string            `xml:"OrgnlMsgNmId"`
			GrpSts       string            `xml:"GrpSts"`
			StsRsnInf    []statusReasonXML `xml:"StsRsnInf"`
		} `xml:"OrgnlGrpInfAndSts"`
		TxInfAndSts []struct {
			StsID           string            `xml:"StsId"`
			OrgnlGrpInf     *originalGroupXML `xml:"OrgnlGrpInf"`
			OrgnlInstrID    string            `xml:"OrgnlInstrId"`
			OrgnlEndToEndID string            `xml:"OrgnlEndToEndId"`
			OrgnlTxID       string            `xml:"OrgnlTxId"`
			OrgnlUETR       string            `xml:"OrgnlUETR"`
			TxSts           string            `xml:"TxSts"`
			StsRsnInf       []statusReasonXML `xml:"StsRsnInf"`
		} `xml:"TxInfAndSts"`
	} `xml:"FIToFIPmtStsRpt"`
}

type statusReasonXML struct {
	Rsn      *reasonXML `xml:"Rsn"`
	AddtlInf []string   `xml:"AddtlInf"`
}

const pacs002Path = "Document/FIToFIPmtStsRpt"

// ParsePaymentStatus reads a pacs.002 document, versions .001.03 to
// .001.14, from r, in any envelope the package reads. It checks what the
// standard requires and what bankkit needs to act on it: a group header,
// at least one group or transaction status, status and reason codes of
// four upper-case letters or digits, every transaction naming its original
// payment, and, when the report covers several original messages, every
// transaction naming its own. An invalid report is refused whole with
// ErrInvalidMessage naming the element at fault.
func ParsePaymentStatus(r io.Reader) (PaymentStatusReport, error) {
	var doc pacs002Document
	if _, err := decodeDocument(r, &doc, pacs002Kind); err != nil {
		return PaymentStatusReport{}, err
	}
	body := doc.Body
	if body == nil {
		return PaymentStatusReport{}, invalid(pacs002Path, "missing")
	}
	if body.GrpHdr == nil {
		return PaymentStatusReport{}, invalid(pacs002Path+"/GrpHdr", "missing")
	}
	rep := PaymentStatusReport{MessageID: body.GrpHdr.MsgID}
	if err := checkID(pacs002Path+"/GrpHdr/MsgId", rep.MessageID, true, false); err != nil {
		return PaymentStatusReport{}, err
	}
	var err error
	if rep.CreatedAt, err = parseDateTime(pacs002Path+"/GrpHdr/CreDtTm", body.GrpHdr.CreDtTm); err != nil {
		return PaymentStatusReport{}, err
	}
	if len(body.OrgnlGrpInfAndSts) == 0 && len(body.TxInfAndSts) == 0 {
		return PaymentStatusReport{}, invalid(pacs002Path, "neither OrgnlGrpInfAndSts nor TxInfAndSts: a report must give a status")
	}
	for i, x := range body.OrgnlGrpInfAndSts {
		path := at(pacs002Path+"/OrgnlGrpInfAndSts", i)
		g := GroupStatus{OriginalMessageID: x.OrgnlMsgID, OriginalMessageName: trim(x.OrgnlMsgNmID), Status: PaymentStatus(trim(x.GrpSts))}
		if err := checkID(path+"/OrgnlMsgId", g.OriginalMessageID, true, false); err != nil {
			return PaymentStatusReport{}, err
		}
		if err := checkID(path+"/OrgnlMsgNmId", g.OriginalMessageName, true, false); err != nil {
			return PaymentStatusReport{}, err
		}
		if g.Status != "" {
			if err := checkCode(path+"/GrpSts", string(g.Status), 4); err != nil {
				return PaymentStatusReport{}, err
			}
		}
		if g.Reasons, err = statusReasonsFromXML(path+"/StsRsnInf", x.StsRsnInf); err != nil {
			return PaymentStatusReport{}, err
		}
		rep.Groups = append(rep.Groups, g)
	}
	for i, x := range body.TxInfAndSts {
		path := at(pacs002Path+"/TxInfAndSts", i)
		tx := TransactionStatus{StatusID: x.StsID, OriginalInstructionID: x.OrgnlInstrID, OriginalEndToEndID: x.OrgnlEndToEndID,
			OriginalTransactionID: x.OrgnlTxID, OriginalUETR: trim(x.OrgnlUETR), Status: PaymentStatus(trim(x.TxSts))}
		switch {
		case x.OrgnlGrpInf != nil:
			tx.OriginalMessageID, tx.OriginalMessageName = x.OrgnlGrpInf.OrgnlMsgID, trim(x.OrgnlGrpInf.OrgnlMsgNmID)
			if err := checkID(path+"/OrgnlGrpInf/OrgnlMsgId", tx.OriginalMessageID, true, false); err != nil {
				return PaymentStatusReport{}, err
			}
		case len(rep.Groups) == 1:
			tx.OriginalMessageID, tx.OriginalMessageName = rep.Groups[0].OriginalMessageID, rep.Groups[0].OriginalMessageName
		case len(rep.Groups) > 1:
			return PaymentStatusReport{}, invalid(path+"/OrgnlGrpInf", "missing: the report covers %d messages", len(rep.Groups))
		}
		ids := []struct{ elem, value string }{
			{"StsId", tx.StatusID}, {"OrgnlInstrId", tx.OriginalInstructionID},
			{"OrgnlEndToEndId", tx.OriginalEndToEndID}, {"OrgnlTxId", tx.OriginalTransactionID},
		}
		for _, id := range ids {
			if err := checkID(path+"/"+id.elem, id.value, false, false); err != nil {
				return PaymentStatusReport{}, err
			}
		}
		if tx.OriginalUETR != "" {
			if err := checkUETR(path+"/OrgnlUETR", tx.OriginalUETR); err != nil {
				return PaymentStatusReport{}, err
			}
		}
		if tx.OriginalInstructionID == "" && tx.OriginalEndToEndID == "" && tx.OriginalTransactionID == "" && tx.OriginalUETR == "" {
			return PaymentStatusReport{}, invalid(path, "no reference to the original payment: give OrgnlInstrId, OrgnlEndToEndId, OrgnlTxId or OrgnlUETR")
		}
		if tx.Status != "" {
			if err := checkCode(path+"/TxSts", string(tx.Status), 4); err != nil {
				return PaymentStatusReport{}, err
			}
		}
		if tx.Reasons, err = statusReasonsFromXML(path+"/StsRsnInf", x.StsRsnInf); err != nil {
			return PaymentStatusReport{}, err
		}
		rep.Transactions = append(rep.Transactions, tx)
	}
	return rep, nil
}

func statusReasonsFromXML(path string, xs []statusReasonXML) ([]StatusReason, error) {
	var out []StatusReason
	for i, x := range xs {
		p := at(path, i)
		var r StatusReason
		if x.Rsn != nil {
			r.Code, r.Proprietary = trim(x.Rsn.Cd), x.Rsn.Prtry
			switch {
			case r.Code != "" && r.Proprietary != "":
				return nil, invalid(p+"/Rsn", "both Cd and Prtry are set")
			case r.Code != "":
				if err := checkCode(p+"/Rsn/Cd", r.Code, 4); err != nil {
					return nil, err
				}
			case r.Proprietary != "":
				if err := checkText(p+"/Rsn/Prtry", r.Proprietary, maxIDLength, true, false); err != nil {
					return nil, err
				}
			}
		}
		for j, line := range x.AddtlInf {
			if err := checkText(at(p+"/AddtlInf", j), line, maxAddtlInfLength, true, false); err != nil {
				return nil, err
			}
		}
		r.AdditionalInfo = x.AddtlInf
		out = append(out, r)
	}
	return out, nil
}
