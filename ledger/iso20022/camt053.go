package iso20022

import (
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// CreditDebit says which way an amount moves the account (CdtDbtInd):
// statements carry amounts without a sign.
type CreditDebit string

// The two directions.
const (
	Credit CreditDebit = "CRDT"
	Debit  CreditDebit = "DBIT"
)

// Valid reports whether d is Credit or Debit.
func (d CreditDebit) Valid() bool { return d == Credit || d == Debit }

// signed returns m with a minus sign for a debit.
func (d CreditDebit) signed(m money.Money) money.Money {
	if d == Debit {
		return m.Neg()
	}
	return m
}

// EntryStatus is the status of a statement entry (Sts).
type EntryStatus string

// Entry statuses of the standard. Only booked entries have moved the
// balance; reconciliation matches those.
const (
	StatusBooked      EntryStatus = "BOOK"
	StatusPending     EntryStatus = "PDNG"
	StatusInformation EntryStatus = "INFO"
	StatusFuture      EntryStatus = "FUTR" // from camt.053.001.08
)

// BalanceType is the kind of a statement balance (Bal/Tp/CdOrPrtry/Cd).
type BalanceType string

// Balance types bankkit reconciles against. Others (ITBD, FWAV, ...) are
// read as they are.
const (
	OpeningBooked    BalanceType = "OPBD"
	OpeningAvailable BalanceType = "OPAV"
	ClosingBooked    BalanceType = "CLBD"
	ClosingAvailable BalanceType = "CLAV"
	InterimBooked    BalanceType = "ITBD"
	PreviouslyClosed BalanceType = "PRCD" // previously closed booked
)

// StatementMessage is a bank-to-customer statement message (camt.053,
// BkToCstmrStmt): one or more account statements sent together. An
// intraday account report (camt.052, BkToCstmrAcctRpt) and a debit/credit
// notification (camt.054, BkToCstmrDbtCdtNtfctn) read into the same model:
// their Rpt and Ntfctn elements are Statements, so reconciliation takes
// any of the three.
type StatementMessage struct {
	Kind       string    // "camt.053", "camt.052" or "camt.054"
	MessageID  string    // GrpHdr/MsgId
	CreatedAt  time.Time // GrpHdr/CreDtTm
	Statements []Statement
}

// Statement is the statement of one account for a period (Stmt), or the
// report (Rpt) or notification (Ntfctn) of one account.
type Statement struct {
	ID        string         // Id
	CreatedAt time.Time      // CreDtTm; zero when absent
	Account   Account        // Acct/Id
	Currency  money.Currency // Acct/Ccy; empty when the statement does not say
	Balances  []Balance      // Bal, in the order given; none in a camt.054
	Entries   []Entry        // Ntry, in the order given
}

// Balance is a balance of the account on a day (Bal).
type Balance struct {
	Type      BalanceType   // Tp/CdOrPrtry/Cd, or the proprietary Prtry
	Amount    money.Money   // Amt, never negative: Direction carries the sign
	Direction CreditDebit   // CdtDbtInd: Credit for a balance in the customer's favour
	Date      calendar.Date // Dt/Dt, or the day of Dt/DtTm
}

// Signed returns the balance with a minus sign when it is a debit balance.
func (b Balance) Signed() money.Money { return b.Direction.signed(b.Amount) }

// Entry is one movement on the account (Ntry). An entry booked for a batch
// carries one TransactionDetails per payment in it.
type Entry struct {
	Reference          string        // NtryRef
	Amount             money.Money   // Amt, never negative
	Direction          CreditDebit   // CdtDbtInd
	Reversal           bool          // RvslInd: this entry undoes an earlier one
	Status             EntryStatus   // Sts, or Sts/Cd from .001.08 on (Sts/Prtry as given)
	BookingDate        calendar.Date // BookgDt/Dt or the day of BookgDt/DtTm; zero when absent
	ValueDate          calendar.Date // ValDt/Dt or the day of ValDt/DtTm; zero when absent
	AccountServicerRef string        // AcctSvcrRef: the bank's reference
	// BankTransactionCode is BkTxCd/Domn as "PMNT/RCDT/DMCT" (domain,
	// family, sub-family); empty when the entry gives none.
	BankTransactionCode string
	Details             []TransactionDetails
}

// Signed returns the entry's amount with a minus sign for a debit.
func (e Entry) Signed() money.Money { return e.Direction.signed(e.Amount) }

// TransactionDetails is one payment within an entry (NtryDtls/TxDtls).
type TransactionDetails struct {
	InstructionID      string // Refs/InstrId
	EndToEndID         string // Refs/EndToEndId ("NOTPROVIDED" when the payer gave none)
	TransactionID      string // Refs/TxId
	UETR               string // Refs/UETR
	AccountServicerRef string // Refs/AcctSvcrRef

	// Amount is the payment's own amount (Amt, or AmtDtls/TxAmt/Amt in
	// older versions); the zero Money when the statement leaves it out.
	Amount money.Money

	Debtor          Party   // RltdPties/Dbtr (Nm, or Pty/Nm from .001.08 on)
	DebtorAccount   Account // RltdPties/DbtrAcct
	Creditor        Party   // RltdPties/Cdtr
	CreditorAccount Account // RltdPties/CdtrAcct

	RemittanceInfo []string // RmtInf/Ustrd

	// Return is why the payment came back (RtrInf), for an entry that
	// returns one; nil otherwise.
	Return *ReturnInfo
}

// ReturnInfo is the reason a statement or notification gives for a
// returned payment (RtrInf): a code of the external return reason list or
// a proprietary one, and its text.
type ReturnInfo struct {
	Reason            ReturnReason // Rsn/Cd
	ProprietaryReason string       // Rsn/Prtry
	AdditionalInfo    []string     // AddtlInf
}
