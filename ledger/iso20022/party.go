package iso20022

import "strings"

// Party is a debtor or a creditor (Dbtr, Cdtr). bankkit carries its name.
type Party struct {
	Name string // Nm, at most 140 characters
}

// Account identifies an account (DbtrAcct, CdtrAcct, Acct) by its IBAN
// (Id/IBAN) or, where IBANs are not used, by another number (Id/Othr/Id).
// Exactly one of the two is set.
type Account struct {
	IBAN  string
	Other string
}

// IsZero reports whether a names no account.
func (a Account) IsZero() bool { return a == Account{} }

// Number returns the IBAN if set, else the other number: the key a ledger
// looks the account up by.
func (a Account) Number() string {
	if a.IBAN != "" {
		return a.IBAN
	}
	return a.Other
}

func (a Account) check(path string, required, strict bool) error {
	switch {
	case a.IsZero() && required:
		return invalid(path, "missing")
	case a.IsZero():
		return nil
	case a.IBAN != "" && a.Other != "":
		return invalid(path+"/Id", "both IBAN and Othr/Id are set; give one")
	case a.IBAN != "":
		return checkIBAN(path+"/Id/IBAN", a.IBAN, strict)
	}
	return checkText(path+"/Id/Othr/Id", a.Other, maxOtherIDLength, true, strict)
}

// Agent is a financial institution (DbtrAgt, CdtrAgt) known by its BIC
// (FinInstnId/BICFI) or by its member id in the clearing system
// (FinInstnId/ClrSysMmbId/MmbId, a national bank code). At least one is set.
type Agent struct {
	BIC      string
	MemberID string
}

// IsZero reports whether a names no institution.
func (a Agent) IsZero() bool { return a == Agent{} }

func (a Agent) check(path string, required, strict bool) error {
	if a.IsZero() && !required {
		return nil
	}
	if a.IsZero() {
		return invalid(path, "missing: give FinInstnId/BICFI or ClrSysMmbId/MmbId")
	}
	if a.BIC != "" {
		if err := checkBIC(path+"/FinInstnId/BICFI", a.BIC); err != nil {
			return err
		}
	}
	return checkText(path+"/FinInstnId/ClrSysMmbId/MmbId", a.MemberID, maxIDLength, false, strict)
}

// partyXML is a party. Statements from camt.053.001.08 on nest the name one
// level deeper (Dbtr/Pty/Nm); both forms are read.
type partyXML struct {
	Nm  string `xml:"Nm,omitempty"`
	Pty *struct {
		Nm string `xml:"Nm"`
	} `xml:"Pty,omitempty"`
}

func partyToXML(p Party) *partyXML { return &partyXML{Nm: p.Name} }

func partyFromXML(p *partyXML) Party {
	switch {
	case p == nil:
		return Party{}
	case p.Nm == "" && p.Pty != nil:
		return Party{Name: p.Pty.Nm}
	}
	return Party{Name: p.Nm}
}

// idXML is an element holding only an Id, such as Othr.
type idXML struct {
	ID string `xml:"Id"`
}

// memberXML is a clearing system member id (ClrSysMmbId).
type memberXML struct {
	MmbID string `xml:"MmbId"`
}

type accountXML struct {
	ID accountIDXML `xml:"Id"`
}

type accountIDXML struct {
	IBAN  string `xml:"IBAN,omitempty"`
	Other *idXML `xml:"Othr,omitempty"`
}

func accountToXML(a Account) *accountXML {
	if a.IsZero() {
		return nil
	}
	x := &accountXML{}
	x.ID.IBAN = a.IBAN
	if a.Other != "" {
		x.ID.Other = &idXML{ID: a.Other}
	}
	return x
}

// accountFromXML reads an account; an absent element is the zero Account.
func accountFromXML(path string, x *accountXML) (Account, error) {
	if x == nil {
		return Account{}, nil
	}
	a := Account{IBAN: strings.TrimSpace(x.ID.IBAN)}
	if x.ID.Other != nil {
		a.Other = x.ID.Other.ID
		if a.Other == "" {
			return Account{}, invalid(path+"/Id/Othr/Id", "missing")
		}
	}
	if a.IsZero() {
		return Account{}, invalid(path+"/Id", "missing IBAN or Othr/Id")
	}
	return a, nil
}

// agentXML is a financial institution. Versions before the 2013 maintenance
// call the BIC element BIC rather than BICFI; both are read, BICFI written.
type agentXML struct {
	FinInstnID struct {
		BICFI       string     `xml:"BICFI,omitempty"`
		BIC         string     `xml:"BIC,omitempty"`
		ClrSysMmbID *memberXML `xml:"ClrSysMmbId,omitempty"`
	} `xml:"FinInstnId"`
}

func agentToXML(a Agent) *agentXML {
	x := &agentXML{}
	x.FinInstnID.BICFI = a.BIC
	if a.MemberID != "" {
		x.FinInstnID.ClrSysMmbID = &memberXML{MmbID: a.MemberID}
	}
	return x
}

// agentFromXML reads an agent; an absent element is the zero Agent.
func agentFromXML(x *agentXML) Agent {
	if x == nil {
		return Agent{}
	}
	a := Agent{BIC: strings.TrimSpace(x.FinInstnID.BICFI)}
	if a.BIC == "" {
		a.BIC = strings.TrimSpace(x.FinInstnID.BIC)
	}
	if x.FinInstnID.ClrSysMmbID != nil {
		a.MemberID = x.FinInstnID.ClrSysMmbID.MmbID
	}
	return a
}
