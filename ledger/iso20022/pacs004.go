package iso20022

import "github.com/bankkit/bankkit/money"

// PaymentReturn is a payment return message (pacs.004, PaymentReturn): the
// receiving side sends back payments it could not apply, each with a reason,
// and the money moves back.
type PaymentReturn struct {
	Header       GroupHeader // GrpHdr; TotalAmount is TtlRtrdIntrBkSttlmAmt
	Transactions []ReturnedTransaction
}

// ReturnedTransaction is one returned payment (TxInf). The Original fields
// are the references of the returned pacs.008 transaction; at least one of
// the ids must be set so the sender can find its payment.
type ReturnedTransaction struct {
	ReturnID string // RtrId: the returning bank's reference

	OriginalMessageID     string      // OrgnlGrpInf/OrgnlMsgId
	OriginalMessageName   string      // OrgnlGrpInf/OrgnlMsgNmId, e.g. "pacs.008.001.08"
	OriginalInstructionID string      // OrgnlInstrId
	OriginalEndToEndID    string      // OrgnlEndToEndId
	OriginalTransactionID string      // OrgnlTxId
	OriginalUETR          string      // OrgnlUETR
	OriginalAmount        money.Money // OrgnlIntrBkSttlmAmt; the zero Money when absent

	ReturnedAmount money.Money // RtrdIntrBkSttlmAmt, greater than zero

	// Why the payment came back (RtrRsnInf): a code of the external list or,
	// failing one, a proprietary reason; not both.
	Reason            ReturnReason // RtrRsnInf/Rsn/Cd
	ProprietaryReason string       // RtrRsnInf/Rsn/Prtry
	AdditionalInfo    []string     // RtrRsnInf/AddtlInf, each at most 105 characters
}

const pacs004Path = "Document/PmtRtr"

// Validate reports whether r can be written as a pacs.004: the header's
// control totals agree with the returned amounts (one currency, greater than
// zero), every return has a return id, a reference to the original payment
// and a reason, and identifiers keep to the rules Validate of
// CreditTransferBatch states. The error wraps ErrInvalidMessage and names
// the element at fault.
func (r PaymentReturn) Validate() error { return r.check(true) }

// check is Validate; without strict, as for received messages, the return
// id and the reason may be absent and references may use any character.
func (r PaymentReturn) check(strict bool) error {
	if len(r.Transactions) == 0 {
		return invalid(pacs004Path+"/TxInf", "a return needs at least one transaction")
	}
	amounts := make([]money.Money, len(r.Transactions))
	for i, tx := range r.Transactions {
		if err := tx.check(at(pacs004Path+"/TxInf", i), strict); err != nil {
			return err
		}
		amounts[i] = tx.ReturnedAmount
	}
	return r.Header.check(pacs004Path+"/GrpHdr", "TtlRtrdIntrBkSttlmAmt", amounts, strict)
}

func (tx ReturnedTransaction) check(path string, strict bool) error {
	ids := []struct {
		elem     string
		value    string
		required bool
	}{
		{"RtrId", tx.ReturnID, strict},
		{"OrgnlGrpInf/OrgnlMsgId", tx.OriginalMessageID, tx.OriginalMessageName != ""},
		{"OrgnlGrpInf/OrgnlMsgNmId", tx.OriginalMessageName, tx.OriginalMessageID != ""},
		{"OrgnlInstrId", tx.OriginalInstructionID, false},
		{"OrgnlEndToEndId", tx.OriginalEndToEndID, false},
		{"OrgnlTxId", tx.OriginalTransactionID, false},
	}
	for _, id := range ids {
		if err := checkID(path+"/"+id.elem, id.value, id.required, strict); err != nil {
			return err
		}
	}
	if tx.OriginalUETR != "" {
		if err := checkUETR(path+"/OrgnlUETR", tx.OriginalUETR); err != nil {
			return err
		}
	}
	if tx.OriginalInstructionID == "" && tx.OriginalEndToEndID == "" && tx.OriginalTransactionID == "" && tx.OriginalUETR == "" {
		return invalid(path, "no reference to the original payment: give OrgnlInstrId, OrgnlEndToEndId, OrgnlTxId or OrgnlUETR")
	}
	if tx.OriginalAmount != (money.Money{}) {
		if err := checkAmount(path+"/OrgnlIntrBkSttlmAmt", tx.OriginalAmount, true); err != nil {
			return err
		}
	}
	if err := checkAmount(path+"/RtrdIntrBkSttlmAmt", tx.ReturnedAmount, true); err != nil {
		return err
	}
	if err := tx.checkReason(path+"/RtrRsnInf", strict); err != nil {
		return err
	}
	for i, line := range tx.AdditionalInfo {
		if err := checkText(at(path+"/RtrRsnInf/AddtlInf", i), line, maxAddtlInfLength, true, strict); err != nil {
			return err
		}
	}
	return nil
}

func (tx ReturnedTransaction) checkReason(path string, strict bool) error {
	switch {
	case tx.Reason != "" && tx.ProprietaryReason != "":
		return invalid(path+"/Rsn", "both Cd and Prtry are set; give one")
	case tx.Reason != "":
		return checkCode(path+"/Rsn/Cd", string(tx.Reason), 4)
	case tx.ProprietaryReason != "":
		return checkText(path+"/Rsn/Prtry", tx.ProprietaryReason, maxIDLength, true, strict)
	case strict:
		return invalid(path+"/Rsn", "missing: give a reason code")
	}
	return nil
}
