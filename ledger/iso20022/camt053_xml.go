package iso20022

import (
	"encoding/xml"
	"io"

	"github.com/bankkit/bankkit/money"
)

// camt053Document is the subset of camt.053 bankkit reads.
type camt053Document struct {
	XMLName xml.Name
	Body    *camt053Body `xml:"BkToCstmrStmt"`
}

type camt053Body struct {
	GrpHdr *struct {
		MsgID   string `xml:"MsgId"`
		CreDtTm string `xml:"CreDtTm"`
	} `xml:"GrpHdr"`
	Stmt []statementXML `xml:"Stmt"`
}

type statementXML struct {
	ID      string `xml:"Id"`
	CreDtTm string `xml:"CreDtTm"`
	Acct    *struct {
		ID  accountIDXML `xml:"Id"`
		Ccy string       `xml:"Ccy"`
	} `xml:"Acct"`
	Bal  []balanceXML `xml:"Bal"`
	Ntry []entryXML   `xml:"Ntry"`
}

type balanceXML struct {
	Tp struct {
		CdOrPrtry struct {
			Cd    string `xml:"Cd"`
			Prtry string `xml:"Prtry"`
		} `xml:"CdOrPrtry"`
	} `xml:"Tp"`
	Amt       *amountXML     `xml:"Amt"`
	CdtDbtInd string         `xml:"CdtDbtInd"`
	Dt        *dateChoiceXML `xml:"Dt"`
}

type entryXML struct {
	NtryRef     string         `xml:"NtryRef"`
	Amt         *amountXML     `xml:"Amt"`
	CdtDbtInd   string         `xml:"CdtDbtInd"`
	RvslInd     string         `xml:"RvslInd"`
	Sts         *statusXML     `xml:"Sts"`
	BookgDt     *dateChoiceXML `xml:"BookgDt"`
	ValDt       *dateChoiceXML `xml:"ValDt"`
	AcctSvcrRef string         `xml:"AcctSvcrRef"`
	NtryDtls    []struct {
		TxDtls []txDetailsXML `xml:"TxDtls"`
	} `xml:"NtryDtls"`
}

// statusXML is an entry status: plain text up to .001.07 (<Sts>BOOK</Sts>),
// a choice from .001.08 on (<Sts><Cd>BOOK</Cd></Sts>).
type statusXML struct {
	Text  string `xml:",chardata"`
	Cd    string `xml:"Cd"`
	Prtry string `xml:"Prtry"`
}

type txDetailsXML struct {
	Refs *struct {
		InstrID     string `xml:"InstrId"`
		EndToEndID  string `xml:"EndToEndId"`
		TxID        string `xml:"TxId"`
		UETR        string `xml:"UETR"`
		AcctSvcrRef string `xml:"AcctSvcrRef"`
	} `xml:"Refs"`
	Amt     *amountXML `xml:"Amt"`
	AmtDtls *struct {
		TxAmt *struct {
			Amt *amountXML `xml:"Amt"`
		} `xml:"TxAmt"`
	} `xml:"AmtDtls"`
	RltdPties *struct {
		Dbtr     *partyXML   `xml:"Dbtr"`
		DbtrAcct *accountXML `xml:"DbtrAcct"`
		Cdtr     *partyXML   `xml:"Cdtr"`
		CdtrAcct *accountXML `xml:"CdtrAcct"`
	} `xml:"RltdPties"`
	RmtInf *remittanceXML `xml:"RmtInf"`
}

const camt053Path = "Document/BkToCstmrStmt"

// ParseStatement reads a camt.053 document, versions .001.02 to .001.13,
// from r: alone, with any namespace prefix, or inside an envelope with a
// business application header. Every amount is read against its Ccy
// attribute (no more decimal places than the currency has, never negative),
// every date strictly. An invalid document is refused whole: the error wraps
// ErrInvalidMessage or ErrUnsupportedMessage and names the element at fault.
func ParseStatement(r io.Reader) (StatementMessage, error) {
	var doc camt053Document
	if err := decodeDocument(r, camt053Kind, &doc); err != nil {
		return StatementMessage{}, err
	}
	if doc.Body == nil {
		return StatementMessage{}, invalid(camt053Path, "missing")
	}
	if doc.Body.GrpHdr == nil {
		return StatementMessage{}, invalid(camt053Path+"/GrpHdr", "missing")
	}
	msg := StatementMessage{MessageID: doc.Body.GrpHdr.MsgID}
	if err := checkID(camt053Path+"/GrpHdr/MsgId", msg.MessageID, true, false); err != nil {
		return StatementMessage{}, err
	}
	var err error
	if msg.CreatedAt, err = parseDateTime(camt053Path+"/GrpHdr/CreDtTm", doc.Body.GrpHdr.CreDtTm); err != nil {
		return StatementMessage{}, err
	}
	if len(doc.Body.Stmt) == 0 {
		return StatementMessage{}, invalid(camt053Path+"/Stmt", "missing")
	}
	for i, x := range doc.Body.Stmt {
		s, err := statementFromXML(at(camt053Path+"/Stmt", i), x)
		if err != nil {
			return StatementMessage{}, err
		}
		msg.Statements = append(msg.Statements, s)
	}
	return msg, nil
}

func statementFromXML(path string, x statementXML) (Statement, error) {
	s := Statement{ID: x.ID}
	if err := checkID(path+"/Id", s.ID, true, false); err != nil {
		return Statement{}, err
	}
	var err error
	if trim(x.CreDtTm) != "" {
		if s.CreatedAt, err = parseDateTime(path+"/CreDtTm", x.CreDtTm); err != nil {
			return Statement{}, err
		}
	}
	if x.Acct == nil {
		return Statement{}, invalid(path+"/Acct", "missing")
	}
	if s.Account, err = accountFromXML(path+"/Acct", &accountXML{ID: x.Acct.ID}); err != nil {
		return Statement{}, err
	}
	if err := s.Account.check(path+"/Acct", true, false); err != nil {
		return Statement{}, err
	}
	if ccy := trim(x.Acct.Ccy); ccy != "" {
		if s.Currency, err = money.ParseCurrency(ccy); err != nil {
			return Statement{}, invalid(path+"/Acct/Ccy", "%w", err)
		}
	}
	for i, b := range x.Bal {
		bal, err := balanceFromXML(at(path+"/Bal", i), b)
		if err != nil {
			return Statement{}, err
		}
		s.Balances = append(s.Balances, bal)
	}
	for i, n := range x.Ntry {
		e, err := entryFromXML(at(path+"/Ntry", i), n)
		if err != nil {
			return Statement{}, err
		}
		s.Entries = append(s.Entries, e)
	}
	return s, nil
}

func balanceFromXML(path string, x balanceXML) (Balance, error) {
	var b Balance
	if code := trim(x.Tp.CdOrPrtry.Cd); code != "" {
		if err := checkCode(path+"/Tp/CdOrPrtry/Cd", code, 4); err != nil {
			return Balance{}, err
		}
		b.Type = BalanceType(code)
	} else {
		if err := checkText(path+"/Tp/CdOrPrtry/Prtry", x.Tp.CdOrPrtry.Prtry, maxIDLength, true, false); err != nil {
			return Balance{}, invalid(path+"/Tp/CdOrPrtry", "missing Cd or Prtry")
		}
		b.Type = BalanceType(x.Tp.CdOrPrtry.Prtry)
	}
	var err error
	if b.Amount, err = parseAmount(path+"/Amt", x.Amt, false); err != nil {
		return Balance{}, err
	}
	if b.Direction, err = parseCreditDebit(path+"/CdtDbtInd", x.CdtDbtInd); err != nil {
		return Balance{}, err
	}
	if b.Date, err = parseDateChoice(path+"/Dt", x.Dt, true); err != nil {
		return Balance{}, err
	}
	return b, nil
}

func entryFromXML(path string, x entryXML) (Entry, error) {
	e := Entry{Reference: x.NtryRef, AccountServicerRef: x.AcctSvcrRef}
	if err := checkID(path+"/NtryRef", e.Reference, false, false); err != nil {
		return Entry{}, err
	}
	if err := checkID(path+"/AcctSvcrRef", e.AccountServicerRef, false, false); err != nil {
		return Entry{}, err
	}
	var err error
	if e.Amount, err = parseAmount(path+"/Amt", x.Amt, false); err != nil {
		return Entry{}, err
	}
	if e.Direction, err = parseCreditDebit(path+"/CdtDbtInd", x.CdtDbtInd); err != nil {
		return Entry{}, err
	}
	if e.Reversal, err = parseBool(path+"/RvslInd", x.RvslInd); err != nil {
		return Entry{}, err
	}
	if e.Status, err = parseStatus(path+"/Sts", x.Sts); err != nil {
		return Entry{}, err
	}
	if e.BookingDate, err = parseDateChoice(path+"/BookgDt", x.BookgDt, false); err != nil {
		return Entry{}, err
	}
	if e.ValueDate, err = parseDateChoice(path+"/ValDt", x.ValDt, false); err != nil {
		return Entry{}, err
	}
	for i, batch := range x.NtryDtls {
		for j, tx := range batch.TxDtls {
			d, err := txDetailsFromXML(at(at(path+"/NtryDtls", i)+"/TxDtls", j), tx)
			if err != nil {
				return Entry{}, err
			}
			e.Details = append(e.Details, d)
		}
	}
	return e, nil
}

func txDetailsFromXML(path string, x txDetailsXML) (TransactionDetails, error) {
	var d TransactionDetails
	if x.Refs != nil {
		d.InstructionID, d.EndToEndID, d.TransactionID = x.Refs.InstrID, x.Refs.EndToEndID, x.Refs.TxID
		d.UETR, d.AccountServicerRef = trim(x.Refs.UETR), x.Refs.AcctSvcrRef
		refs := []struct{ elem, value string }{
			{"InstrId", d.InstructionID}, {"EndToEndId", d.EndToEndID}, {"TxId", d.TransactionID}, {"AcctSvcrRef", d.AccountServicerRef},
		}
		for _, ref := range refs {
			if err := checkID(path+"/Refs/"+ref.elem, ref.value, false, false); err != nil {
				return TransactionDetails{}, err
			}
		}
		if d.UETR != "" {
			if err := checkUETR(path+"/Refs/UETR", d.UETR); err != nil {
				return TransactionDetails{}, err
			}
		}
	}
	var err error
	switch {
	case x.Amt != nil:
		d.Amount, err = parseAmount(path+"/Amt", x.Amt, false)
	case x.AmtDtls != nil && x.AmtDtls.TxAmt != nil:
		d.Amount, err = parseAmount(path+"/AmtDtls/TxAmt/Amt", x.AmtDtls.TxAmt.Amt, false)
	}
	if err != nil {
		return TransactionDetails{}, err
	}
	if p := x.RltdPties; p != nil {
		d.Debtor, d.Creditor = partyFromXML(p.Dbtr), partyFromXML(p.Cdtr)
		if d.DebtorAccount, err = accountFromXML(path+"/RltdPties/DbtrAcct", p.DbtrAcct); err != nil {
			return TransactionDetails{}, err
		}
		if d.CreditorAccount, err = accountFromXML(path+"/RltdPties/CdtrAcct", p.CdtrAcct); err != nil {
			return TransactionDetails{}, err
		}
		checks := []error{
			checkText(path+"/RltdPties/Dbtr/Nm", d.Debtor.Name, maxNameLength, false, false),
			d.DebtorAccount.check(path+"/RltdPties/DbtrAcct", false, false),
			checkText(path+"/RltdPties/Cdtr/Nm", d.Creditor.Name, maxNameLength, false, false),
			d.CreditorAccount.check(path+"/RltdPties/CdtrAcct", false, false),
		}
		for _, err := range checks {
			if err != nil {
				return TransactionDetails{}, err
			}
		}
	}
	d.RemittanceInfo = remittanceFromXML(x.RmtInf)
	if err := checkRemittance(path+"/RmtInf/Ustrd", d.RemittanceInfo, false); err != nil {
		return TransactionDetails{}, err
	}
	return d, nil
}

func parseCreditDebit(path, s string) (CreditDebit, error) {
	d := CreditDebit(trim(s))
	switch {
	case d == "":
		return "", invalid(path, "missing")
	case !d.Valid():
		return "", invalid(path, "%q is not CRDT or DBIT", s)
	}
	return d, nil
}

func parseStatus(path string, x *statusXML) (EntryStatus, error) {
	if x == nil {
		return "", invalid(path, "missing")
	}
	if code := trim(x.Cd); code != "" {
		return EntryStatus(code), checkCode(path+"/Cd", code, 4)
	}
	if x.Prtry != "" {
		return EntryStatus(x.Prtry), checkText(path+"/Prtry", x.Prtry, maxIDLength, true, false)
	}
	code := trim(x.Text)
	return EntryStatus(code), checkCode(path, code, 4)
}

// parseBool reads an XML Schema boolean; absent is false.
func parseBool(path, s string) (bool, error) {
	switch trim(s) {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, invalid(path, "%q is not true or false", s)
}
