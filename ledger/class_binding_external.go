package ledger

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/text"
)

// External binding: a class II or III account bound to its owner's account
// at another bank (typically the class I account the owner opened there,
// which is how a remotely opened class II account is verified). The PBoC
// exempts payments to it from the unbound-outflow limits as it exempts
// payments to bound accounts in this bank, and so does the ledger: a
// journal entry that pays out to another bank names the account it pays
// (JournalRequest.Payout), and the part it pays there does not count
// against the limits of an account bound to that account.

// ExternalAccount is an account at another bank.
type ExternalAccount struct {
	// BankCode is the bank's member id in the clearing system (a CNAPS
	// code, a BIC): 1 to 35 letters and digits.
	BankCode string `json:"bank_code"`
	// AccountNumber is the account at that bank: 1 to 34 letters and
	// digits (an IBAN or a local number).
	AccountNumber string `json:"account_number"`
	// HolderName is the account holder's name as the other bank has it
	// (one line, at most 140 characters): kept for the record and the
	// binding history, not compared.
	HolderName string `json:"holder_name"`
}

// Validate checks x as field.
func (x ExternalAccount) Validate(field string) error {
	switch {
	case !alnum(x.BankCode, 35):
		return invalid(field+".bank_code", "must be 1 to 35 letters and digits")
	case !alnum(x.AccountNumber, 34):
		return invalid(field+".account_number", "must be 1 to 34 letters and digits")
	case x.HolderName == "":
		return invalid(field+".holder_name", "is required")
	case utf8.RuneCountInString(x.HolderName) > 140:
		return invalid(field+".holder_name", "is longer than 140 characters")
	}
	return text.Line(ErrInvalidInput, field+".holder_name", x.HolderName)
}

// Is reports whether x is the account bankCode, accountNumber: bank codes
// compare without regard to case (BICs are written either way), account
// numbers exactly.
func (x ExternalAccount) Is(bankCode, accountNumber string) bool {
	return strings.EqualFold(x.BankCode, bankCode) && x.AccountNumber == accountNumber
}

func alnum(s string, most int) bool {
	if s == "" || len(s) > most {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}

// Payout is what a journal entry pays to an account at another bank: the
// account and the part of the entry that goes there (the payment and its
// charges), in the currency of the account it is taken from.
type Payout struct {
	BankCode      string
	AccountNumber string
	Amount        money.Money
}

// The metadata keys under which the Service records an entry's Payout.
// They are the ledger's own: a caller's metadata with the prefix "ledger."
// is refused, so only JournalRequest.Payout sets them.
const (
	MetaPayoutBank    = "ledger.payout_bank"
	MetaPayoutAccount = "ledger.payout_account"
	MetaPayoutAmount  = "ledger.payout_amount"

	reservedMetaPrefix = "ledger."
)

// validate checks p as the payout of an entry with postings.
func (p Payout) validate(postings []Posting) error {
	if !alnum(p.BankCode, 35) {
		return invalid("payout.bank_code", "must be 1 to 35 letters and digits")
	}
	if !alnum(p.AccountNumber, 34) {
		return invalid("payout.account_number", "must be 1 to 34 letters and digits")
	}
	if err := ValidateAmount("payout.amount", p.Amount); err != nil {
		return err
	}
	debits := decimal.Zero
	for _, q := range postings {
		if q.Side == Debit && q.Amount.Currency == p.Amount.Currency {
			debits = debits.Add(q.Amount.Amount)
		}
	}
	if p.Amount.Amount.GreaterThan(debits) {
		return invalid("payout.amount", "is more than the entry's debits in its currency")
	}
	return nil
}

// withPayout returns meta with p's keys added (a copy: the caller's map is
// left alone).
func withPayout(meta map[string]string, p Payout) map[string]string {
	out := make(map[string]string, len(meta)+3)
	for k, v := range meta {
		out[k] = v
	}
	out[MetaPayoutBank], out[MetaPayoutAccount] = p.BankCode, p.AccountNumber
	out[MetaPayoutAmount] = p.Amount.ValueString()
	return out
}

// checkReservedMeta refuses a caller's metadata key with the ledger's
// prefix.
func checkReservedMeta(meta map[string]string) error {
	for k := range meta {
		if strings.HasPrefix(k, reservedMetaPrefix) {
			return invalid("metadata", fmt.Sprintf("key %q: keys starting %q are the ledger's own", k, reservedMetaPrefix))
		}
	}
	return nil
}

// boundPayout is the part of e that pays out to one of a's bound external
// accounts: zero unless e is a journal entry whose payout names one, in
// a's currency.
func boundPayout(e Entry, a *Account) decimal.Decimal {
	if e.Kind != KindJournal || len(a.BoundExternal) == 0 {
		return decimal.Zero
	}
	bank, ok := e.Metadata[MetaPayoutBank]
	if !ok {
		return decimal.Zero
	}
	number := e.Metadata[MetaPayoutAccount]
	if !slices.ContainsFunc(a.BoundExternal, func(x ExternalAccount) bool { return x.Is(bank, number) }) {
		return decimal.Zero
	}
	amount, err := decimal.NewFromString(e.Metadata[MetaPayoutAmount])
	if err != nil || !amount.IsPositive() {
		return decimal.Zero
	}
	for _, q := range e.Postings {
		if q.AccountID == a.ID && q.Side == Debit && q.Amount.Currency == a.Currency {
			return amount
		}
	}
	return decimal.Zero
}

// MaxBoundExternal bounds an account's bound external accounts.
const MaxBoundExternal = 8

// BindExternalRequest replaces the external accounts a class II or III
// account is bound to.
type BindExternalRequest struct {
	AccountID ID
	// Accounts are the owner's accounts at other banks, at most
	// MaxBoundExternal, none twice; empty unbinds them.
	Accounts []ExternalAccount
	// By names who asked, as in RebindRequest; required.
	By string
}

// BindExternal replaces the external accounts a class II or III account is
// bound to, leaving its bound accounts in this bank as they are; the
// change is kept in the account's binding history (Bindings), with who
// asked and when. As with Rebind, the account is checked under its lock,
// so a posting counts by the binding before or after the change, and
// binding to the accounts it has already records nothing. The ledger
// cannot see another bank's books: that the account there is the owner's
// is for the caller to have verified (the PBoC's rules make the bank check
// it when the account is bound).
// Errors: ErrNotFound, ErrInvalidInput (a field named: class,
// accounts[i]..., by), ErrAccountClosed.
func (s *Service) BindExternal(ctx context.Context, r BindExternalRequest) (Account, error) {
	if err := validBinding(r.AccountID, r.By); err != nil {
		return Account{}, err
	}
	if len(r.Accounts) > MaxBoundExternal {
		return Account{}, invalid("accounts", fmt.Sprintf("at most %d", MaxBoundExternal))
	}
	for i, x := range r.Accounts {
		field := fmt.Sprintf("accounts[%d]", i)
		if err := x.Validate(field); err != nil {
			return Account{}, err
		}
		if slices.ContainsFunc(r.Accounts[:i], func(y ExternalAccount) bool { return y.Is(x.BankCode, x.AccountNumber) }) {
			return Account{}, invalid(field, "is named twice")
		}
	}
	a, err := s.bindable(ctx, r.AccountID)
	if err != nil {
		return Account{}, err
	}
	to := slices.Clone(r.Accounts)
	if to == nil {
		to = []ExternalAccount{}
	}
	change := BindingChange{AccountID: a.ID, External: true, ToExternal: to, By: r.By, At: s.clock.Now()}
	return s.store.RebindAccount(ctx, change, stillBindable)
}

// BindingResult is the binding of an account after c is applied to
// current, the account as it stands: c's lists for the kind of binding it
// changes, current's for the other. Stores call it under the account's
// lock, and record the change only when changed.
func BindingResult(current Account, c BindingChange) (bound []ID, external []ExternalAccount, changed bool) {
	bound, external = current.Bound, current.BoundExternal
	if c.External {
		external = c.ToExternal
		changed = !slices.Equal(current.BoundExternal, c.ToExternal)
	} else {
		bound = c.To
		changed = !slices.Equal(current.Bound, c.To)
	}
	if len(external) == 0 {
		external = nil // none, as every store reads it back
	}
	return slices.Clone(bound), slices.Clone(external), changed
}
