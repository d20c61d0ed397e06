package iso20022

import (
	"encoding/xml"
	"io"

	"github.com/bankkit/bankkit/money"
)

// camtDocument is the subset of camt.052, camt.053 and camt.054 bankkit
// reads: one of the three bodies is set.
type camtDocument struct {
	XMLName      xml.Name
	Report       *camtBody `xml:"BkToCstmrAcctRpt"`
	Statement    *camtBody `xml:"BkToCstmrStmt"`
	Notification *camtBody `xml:"BkToCstmrDbtCdtNtfctn"`
}

// camtBody is the body of any of the three: the group header and the
// account reports (Rpt), statements (Stmt) or notifications (Ntfctn).
type camtBody struct {
	GrpHdr *struct {
		MsgID   string `xml:"MsgId"`
		CreDtTm string `xml:"CreDtTm"`
	} `xml:"GrpHdr"`
	Rpt    []statementXML `xml:"Rpt"`
	Stmt   []statementXML `xml:"Stmt"`
	Ntfctn []statementXML `xml:"Ntfctn"`
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
	BkTxCd      *struct {
		Domn *struct {
			Cd   string `xml:"Cd"`
			Fmly struct {
				Cd        string `xml:"Cd"`
				SubFmlyCd string `xml:"SubFmlyCd"`
			} `xml:"Fmly"`
		} `xml:"Domn"`
	} `xml:"BkTxCd"`
	NtryDtls []struct {
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
	RtrInf *struct {
		Rsn      *reasonXML `xml:"Rsn"`
		AddtlInf []string   `xml:"AddtlInf"`
	} `xml:"RtrInf"`
}

// ParseStatement reads a camt.053 document, versions .001.02 to .001.13,
// from r: alone, with any namespace prefix, or in any envelope the package
// reads (see the package documentation). Every amount is read against its
// Ccy attribute (no more decimal places than the currency has, never
// negative), every date strictly. An invalid document is refused whole:
// the error wraps ErrInvalidMessage or ErrUnsupportedMessage and names the
// element at fault.
func ParseStatement(r io.Reader) (StatementMessage, error) {
	return parseCamt(r, camt053Kind)
}

// ParseAccountReport reads a camt.052 intraday account report, versions
// .001.02 to .001.13, into the statement model: each Rpt is a Statement,
// with the balances the report gives (often an interim booked ITBD).
// Otherwise as ParseStatement.
func ParseAccountReport(r io.Reader) (StatementMessage, error) {
	return parseCamt(r, camt052Kind)
}

// ParseNotification reads a camt.054 debit/credit notification, versions
// .001.02 to .001.13, into the statement model: each Ntfctn is a Statement
// without balances. A returned payment's reason (TxDtls/RtrInf) is read
// into its TransactionDetails.Return. Otherwise as ParseStatement.
func ParseNotification(r io.Reader) (StatementMessage, error) {
	return parseCamt(r, camt054Kind)
}

// ParseBankToCustomer reads any of camt.052, camt.053 and camt.054, as the
// three parsers above do; Kind says which it was. For a caller that
// reconciles whatever the bank sends.
func ParseBankToCustomer(r io.Reader) (StatementMessage, error) {
	return parseCamt(r, camt053Kind, camt052Kind, camt054Kind)
}

func parseCamt(r io.Reader, kinds ...messageKind) (StatementMessage, error) {
	var doc camtDocument
	k, err := decodeDocument(r, &doc, kinds...)
	if err != nil {
		return StatementMessage{}, err
	}
	root := "Document/" + k.root
	var body *camtBody
	var items []statementXML
	var item string
	switch k {
	case camt052Kind:
		body, item = doc.Report, "Rpt"
	case camt053Kind:
		body, item = doc.Statement, "Stmt"
	default:
		body, item = doc.Notification, "Ntfctn"
	}
	if body == nil {
		return StatementMessage{}, invalid(root, "missing")
	}
	switch k {
	case camt052Kind:
		items = body.Rpt
	case camt053Kind:
		items = body.Stmt
	default:
		items = body.Ntfctn
	}
	if body.GrpHdr == nil {
		return StatementMessage{}, invalid(root+"/GrpHdr", "missing")
	}
	msg := StatementMessage{Kind: k.area, MessageID: body.GrpHdr.MsgID}
	if err := checkID(root+"/GrpHdr/MsgId", msg.MessageID, true, false); err != nil {
		return StatementMessage{}, err
	}
	if msg.CreatedAt, err = parseDateTime(root+"/GrpHdr/CreDtTm", body.GrpHdr.CreDtTm); err != nil {
		return StatementMessage{}, err
	}
	if len(items) == 0 {
		return StatementMessage{}, invalid(root+"/"+item, "missing")
	}
	for i, x := range items {
		s, err := statementFromXML(at(root+"/"+item, i), x)
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
	if x.BkTxCd != nil && x.BkTxCd.Domn != nil {
		dm := x.BkTxCd.Domn
		code := trim(dm.Cd) + "/" + trim(dm.Fmly.Cd) + "/" + trim(dm.Fmly.SubFmlyCd)
		for _, c := range []struct{ elem, value string }{{"Cd", dm.Cd}, {"Fmly/Cd", dm.Fmly.Cd}, {"Fmly/SubFmlyCd", dm.Fmly.SubFmlyCd}} {
			if err := checkCode(path+"/BkTxCd/Domn/"+c.elem, trim(c.value), 4); err != nil {
				return Entry{}, err
			}
		}
		e.BankTransactionCode = code
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
	if x.RtrInf != nil {
		ret, err := returnInfoFromXML(path+"/RtrInf", x.RtrInf.Rsn, x.RtrInf.AddtlInf)
		if err != nil {
			return TransactionDetails{}, err
		}
		d.Return = &ret
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

// returnInfoFromXML reads the reason of a returned payment as a statement
// or notification gives it (RtrInf): a code, or a proprietary reason, and
// lines of text.
func returnInfoFromXML(path string, rsn *reasonXML, info []string) (ReturnInfo, error) {
	var ret ReturnInfo
	if rsn != nil {
		ret.Reason, ret.ProprietaryReason = ReturnReason(trim(rsn.Cd)), rsn.Prtry
		switch {
		case ret.Reason != "":
			if err := checkCode(path+"/Rsn/Cd", string(ret.Reason), 4); err != nil {
				return ReturnInfo{}, err
			}
		case ret.ProprietaryReason != "":
			if err := checkText(path+"/Rsn/Prtry", ret.ProprietaryReason, maxIDLength, true, false); err != nil {
				return ReturnInfo{}, err
			}
		}
	}
	for i, line := range info {
		if err := checkText(at(path+"/AddtlInf", i), line, maxAddtlInfLength, true, false); err != nil {
			return ReturnInfo{}, err
		}
	}
	ret.AdditionalInfo = info
	return ret, nil
}
