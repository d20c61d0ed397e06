package iso20022

import "github.com/bankkit/bankkit/money"

// ChargeBearer says who pays the charges of a transfer (ChrgBr).
type ChargeBearer string

// Charge bearers of the standard.
const (
	ChargesDebtor   ChargeBearer = "DEBT" // the debtor pays all charges
	ChargesCreditor ChargeBearer = "CRED" // the creditor pays all charges
	ChargesShared   ChargeBearer = "SHAR" // each pays its own bank
	ChargesSLEV     ChargeBearer = "SLEV" // as the service level (e.g. the scheme) says
)

// Valid reports whether b is one of the standard's charge bearers.
func (b ChargeBearer) Valid() bool {
	switch b {
	case ChargesDebtor, ChargesCreditor, ChargesShared, ChargesSLEV:
		return true
	}
	return false
}

// CreditTransferBatch is an interbank customer credit transfer message
// (pacs.008, FIToFICustomerCreditTransfer): a batch of payments from debtors
// at one bank to creditors at others, cleared together.
type CreditTransferBatch struct {
	Header       GroupHeader // GrpHdr; TotalAmount is TtlIntrBkSttlmAmt
	Transactions []CreditTransfer
}

// CreditTransfer is one payment of a batch (CdtTrfTxInf).
type CreditTransfer struct {
	// Payment identification (PmtId). EndToEndID is the debtor's reference,
	// passed unchanged to the creditor ("NOTPROVIDED" when there is none);
	// InstructionID and TransactionID are the sending bank's references,
	// and returns refer to them. UETR, if set, is a lower-case UUIDv4.
	InstructionID string // InstrId
	EndToEndID    string // EndToEndId
	TransactionID string // TxId
	UETR          string // UETR

	Amount       money.Money  // IntrBkSttlmAmt, greater than zero
	ChargeBearer ChargeBearer // ChrgBr

	Debtor          Party   // Dbtr
	DebtorAccount   Account // DbtrAcct, optional
	DebtorAgent     Agent   // DbtrAgt
	CreditorAgent   Agent   // CdtrAgt
	Creditor        Party   // Cdtr
	CreditorAccount Account // CdtrAcct

	RemittanceInfo []string // RmtInf/Ustrd lines, each at most 140 characters
}

const pacs008Path = "Document/FIToFICstmrCdtTrf"

// Validate reports whether b can be written as a pacs.008: the header's
// control totals agree with the transactions (one currency, amounts greater
// than zero), identifiers are at most 35 characters of the reference
// character set, transaction ids are unique within the batch, IBANs have
// right check digits, and the debtor, creditor, both agents and the
// creditor's account are present. The error wraps ErrInvalidMessage and
// names the element at fault.
func (b CreditTransferBatch) Validate() error { return b.check(true) }

// check is Validate; without strict it holds a received message only to
// the standard's own rules and the control totals: any character in
// references, no IBAN check digits, and names, agents and the creditor's
// account optional, so that a receiver can return a payment it cannot
// apply (a pacs.004) instead of refusing the whole file.
func (b CreditTransferBatch) check(strict bool) error {
	if len(b.Transactions) == 0 {
		return invalid(pacs008Path+"/CdtTrfTxInf", "a batch needs at least one transaction")
	}
	amounts := make([]money.Money, len(b.Transactions))
	txIDs := make(map[string]int, len(b.Transactions))
	for i, tx := range b.Transactions {
		path := at(pacs008Path+"/CdtTrfTxInf", i)
		if err := tx.check(path, strict); err != nil {
			return err
		}
		amounts[i] = tx.Amount
		if tx.TransactionID == "" || !strict {
			continue
		}
		if j, dup := txIDs[tx.TransactionID]; dup {
			return invalid(path+"/PmtId/TxId", "%q is also the id of transaction %d", tx.TransactionID, j+1)
		}
		txIDs[tx.TransactionID] = i
	}
	return b.Header.check(pacs008Path+"/GrpHdr", "TtlIntrBkSttlmAmt", amounts, strict)
}

func (tx CreditTransfer) check(path string, strict bool) error {
	ids := []struct {
		elem     string
		value    string
		required bool
	}{
		{"PmtId/InstrId", tx.InstructionID, false},
		{"PmtId/EndToEndId", tx.EndToEndID, true},
		{"PmtId/TxId", tx.TransactionID, false},
	}
	for _, id := range ids {
		if err := checkID(path+"/"+id.elem, id.value, id.required, strict); err != nil {
			return err
		}
	}
	if tx.UETR != "" {
		if err := checkUETR(path+"/PmtId/UETR", tx.UETR); err != nil {
			return err
		}
	}
	if err := checkAmount(path+"/IntrBkSttlmAmt", tx.Amount, true); err != nil {
		return err
	}
	if !tx.ChargeBearer.Valid() {
		return invalid(path+"/ChrgBr", "%q is not DEBT, CRED, SHAR or SLEV", string(tx.ChargeBearer))
	}
	if err := checkText(path+"/Dbtr/Nm", tx.Debtor.Name, maxNameLength, strict, strict); err != nil {
		return err
	}
	if err := tx.DebtorAccount.check(path+"/DbtrAcct", false, strict); err != nil {
		return err
	}
	if err := tx.DebtorAgent.check(path+"/DbtrAgt", strict, strict); err != nil {
		return err
	}
	if err := tx.CreditorAgent.check(path+"/CdtrAgt", strict, strict); err != nil {
		return err
	}
	if err := checkText(path+"/Cdtr/Nm", tx.Creditor.Name, maxNameLength, strict, strict); err != nil {
		return err
	}
	if err := tx.CreditorAccount.check(path+"/CdtrAcct", strict, strict); err != nil {
		return err
	}
	return checkRemittance(path+"/RmtInf/Ustrd", tx.RemittanceInfo, strict)
}

func checkRemittance(path string, lines []string, strict bool) error {
	for i, line := range lines {
		if err := checkText(at(path, i), line, maxRemittanceLength, true, strict); err != nil {
			return err
		}
	}
	return nil
}
