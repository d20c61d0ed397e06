package refserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/refserver/bank"
	"github.com/shopspring/decimal"
)

// Who may do what with accounts.
var (
	accountReaders  = staff(channel.RoleAdmin, channel.RoleTeller, channel.RoleSupport, channel.RoleRiskOfficer, channel.RoleLoanOfficer, channel.RoleFinance)
	accountOpeners  = staff(channel.RoleAdmin, channel.RoleTeller)
	accountFreezers = staff(channel.RoleAdmin, channel.RoleTeller, channel.RoleRiskOfficer)
	accountClosers  = staff(channel.RoleAdmin, channel.RoleTeller)
)

func (s *Server) accountRoutes() []route {
	return tagged("accounts", []route{
		{method: "POST", pattern: "/v1/accounts", summary: "Open an account for a KYC-verified customer",
			access: accountOpeners.andCustomers(), idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.openAccount)},
		{method: "GET", pattern: "/v1/accounts", summary: "List accounts",
			access: accountReaders, handler: handle(s.listAccounts)},
		{method: "GET", pattern: "/v1/accounts/{id}", summary: "Read an account with its ledger and available balance",
			access: accountReaders.andCustomers(), handler: handle(s.getAccount)},
		{method: "GET", pattern: "/v1/accounts/{id}/transactions", summary: "Statement lines, newest first",
			access: accountReaders.andCustomers(), handler: handle(s.accountTransactions)},
		{method: "POST", pattern: "/v1/accounts/{id}/freeze", summary: "Freeze an account (mode all or debits)",
			access: accountFreezers, idempotency: idemOptional, handler: handle(s.freezeAccount)},
		{method: "POST", pattern: "/v1/accounts/{id}/unfreeze", summary: "Unfreeze a frozen or dormant account",
			access: accountFreezers, idempotency: idemOptional, handler: handle(s.unfreezeAccount)},
		{method: "POST", pattern: "/v1/accounts/{id}/close",
			summary: "Close an account (needs a zero balance and no active holds); a time deposit is paid out to its demand account, before maturity at the demand rate",
			access:  accountClosers, idempotency: idemOptional, handler: handle(s.closeAccount)},
		{method: "POST", pattern: "/v1/accounts/{id}/bound-accounts",
			summary: "Re-bind a class II or III account: replace the owner's accounts it pays without counting against its limits (recorded with who asked)",
			access:  accountOpeners.andCustomers(), idempotency: idemOptional, handler: handle(s.rebindAccount)},
		{method: "POST", pattern: "/v1/accounts/{id}/bound-external-accounts",
			summary: "Bind a class II or III account to the owner's accounts at other banks: payments to them do not count against its limits (recorded with who asked)",
			access:  accountOpeners.andCustomers(), idempotency: idemOptional, handler: handle(s.bindExternal)},
		{method: "GET", pattern: "/v1/accounts/{id}/bindings", summary: "A class II or III account's binding changes, oldest first, with who made each",
			access: accountReaders.andCustomers(), handler: handle(s.accountBindings)},
		{method: "POST", pattern: "/v1/accounts/{id}/renew", summary: "Renew a time deposit held at maturity for a new term at the rate then current",
			access: accountOpeners.andCustomers(), idempotency: idemOptional, handler: handle(s.renewTimeDeposit)},
		{method: "POST", pattern: "/v1/accounts/{id}/partial-withdrawal",
			summary: "Take part of a time deposit's principal out before maturity, at the demand rate; the rest keeps its rate and maturity",
			access:  accountClosers, idempotency: idemOptional, handler: handle(s.withdrawTimeDepositPart)},
	})
}

type (
	accountView struct {
		ID               string                 `json:"id"`
		Number           string                 `json:"number"`
		CustomerID       string                 `json:"customer_id,omitempty"`
		Code             string                 `json:"code,omitempty"`
		Product          ledger.Product         `json:"product"`
		Currency         money.Currency         `json:"currency"`
		Status           ledger.Status          `json:"status"`
		Balance          money.Money            `json:"balance"`
		AvailableBalance money.Money            `json:"available_balance"`
		OpenedOn         calendar.Date          `json:"opened_on"`
		Class            ledger.Class           `json:"class,omitempty" doc:"I, II or III: the tier of an individual's demand account"`
		Limits           *classLimits           `json:"limits,omitempty" doc:"a class II or III account's limits"`
		BoundAccountIDs  []string               `json:"bound_account_ids,omitempty" doc:"the accounts a class II or III account pays without counting against its outflow limits"`
		BoundExternal    []bank.ExternalBinding `json:"bound_external_accounts,omitempty" doc:"the owner's accounts at other banks a class II or III account pays without counting against its outflow limits"`
		ExternalRef      string                 `json:"external_ref,omitempty" doc:"the opening client's own reference"`
	}
	classLimits struct {
		DailyOutflow  *money.Money `json:"daily_outflow,omitempty"`
		AnnualOutflow *money.Money `json:"annual_outflow,omitempty"`
		MaxBalance    *money.Money `json:"max_balance,omitempty"`
	}
	accountPath struct {
		ID ledger.ID `path:"id"`
	}
	accountQuery struct {
		CustomerID string         `query:"customer_id"`
		Status     ledger.Status  `query:"status"`
		Product    ledger.Product `query:"product"`
		Currency   money.Currency `query:"currency"`
		// ExternalRef finds the account the caller opened with that
		// reference (a list of one, or none).
		ExternalRef string `query:"external_ref" doc:"your own reference: the account you opened with it, if any"`
		page
	}
	transactionsQuery struct {
		ID   ledger.ID     `path:"id"`
		From calendar.Date `query:"from" doc:"first value date (YYYY-MM-DD)"`
		To   calendar.Date `query:"to" doc:"last value date"`
		page
	}
	transactionView struct {
		ID           string        `json:"id"`
		TransferID   string        `json:"transfer_id"`
		Kind         string        `json:"kind"`
		Amount       money.Money   `json:"amount"`
		BalanceAfter money.Money   `json:"balance_after"`
		Description  string        `json:"description"`
		ValueDate    calendar.Date `json:"value_date"`
		BookedAt     time.Time     `json:"booked_at"`
	}
	freezeRequest struct {
		ID   ledger.ID  `path:"id" json:"-"`
		Mode freezeMode `json:"mode,omitempty" doc:"all (the default: nothing moves) or debits (credits still arrive)"`
	}
	rebindRequest struct {
		ID ledger.ID `path:"id" json:"-"`
		bank.RebindRequest
	}
	bindExternalRequest struct {
		ID ledger.ID `path:"id" json:"-"`
		bank.BindExternalRequest
	}
	bindingView struct {
		From         []string               `json:"from_bound_account_ids"`
		To           []string               `json:"to_bound_account_ids"`
		External     bool                   `json:"external,omitempty" doc:"the change was of the accounts at other banks"`
		FromExternal []bank.ExternalBinding `json:"from_bound_external_accounts,omitempty"`
		ToExternal   []bank.ExternalBinding `json:"to_bound_external_accounts,omitempty"`
		By           string                 `json:"by" doc:"who asked: staff/<identity id> or customer/<customer id>"`
		At           time.Time              `json:"at"`
	}
	partialWithdrawalRequest struct {
		ID     ledger.ID   `path:"id" json:"-"`
		Amount money.Money `json:"amount" doc:"the principal to take out; the product allows one partial withdrawal a term and a least amount left"`
	}
	renewRequest struct {
		ID                  ledger.ID             `path:"id" json:"-"`
		TermMonths          int                   `json:"term_months"`
		MaturityInstruction *interest.Instruction `json:"maturity_instruction,omitempty"`
	}
)

// freezeMode is what a freeze stops: "all" (nothing moves, the default) or
// "debits" (credits still arrive).
type freezeMode string

func (m *freezeMode) UnmarshalText(b []byte) error {
	switch s := freezeMode(b); s {
	case "", "all", "debits":
		*m = s
		return nil
	}
	return errors.New("must be all or debits")
}

// status is the account status the mode freezes to.
func (m freezeMode) status() ledger.Status {
	if m == "debits" {
		return ledger.StatusFrozenDebits
	}
	return ledger.StatusFrozen
}

func accountOf(a ledger.Account) accountView {
	v := accountView{ID: a.ID.String(), Number: a.Number, CustomerID: a.OwnerID, Code: a.Code, Product: a.Product,
		Currency: a.Currency, Status: a.Status, Balance: a.Balance, AvailableBalance: a.Available(), OpenedOn: a.OpenedOn,
		Class: a.Class, ExternalRef: a.ExternalRef.Ref}
	if !a.Limits.IsZero() {
		limit := func(d decimal.Decimal) *money.Money {
			if d.IsZero() {
				return nil
			}
			return &money.Money{Amount: d, Currency: a.Currency}
		}
		v.Limits = &classLimits{DailyOutflow: limit(a.Limits.DailyOutflow), AnnualOutflow: limit(a.Limits.AnnualOutflow),
			MaxBalance: limit(a.Limits.MaxBalance)}
	}
	for _, id := range a.Bound {
		v.BoundAccountIDs = append(v.BoundAccountIDs, id.String())
	}
	v.BoundExternal = externalBindings(a.BoundExternal)
	return v
}

// account answers an account, or its error.
func account(a ledger.Account, err error) (accountView, error) {
	if err != nil {
		return accountView{}, err
	}
	return accountOf(a), nil
}

func accountList(accts []ledger.Account, next string) list[accountView] {
	out := list[accountView]{Items: make([]accountView, 0, len(accts)), Next: next}
	for _, a := range accts {
		out.Items = append(out.Items, accountOf(a))
	}
	return out
}

// idOrEmpty is an id as the API shows it: "" for none.
func idOrEmpty(id ledger.ID) string {
	if id == ledger.NilID {
		return ""
	}
	return id.String()
}

func (s *Server) openAccount(ctx context.Context, req bank.OpenAccountRequest) (accountView, error) {
	return account(s.bank.OpenAccount(ctx, req))
}

func (s *Server) listAccounts(ctx context.Context, q accountQuery) (list[accountView], error) {
	if q.ExternalRef != "" {
		a, err := s.ledger.AccountByRef(ctx, ledger.ExternalRef{Client: bank.RefClient(ctx), Ref: q.ExternalRef})
		if errors.Is(err, ledger.ErrNotFound) {
			return list[accountView]{Items: []accountView{}}, nil
		}
		if err != nil {
			return list[accountView]{}, err
		}
		return accountList([]ledger.Account{a}, ""), nil
	}
	accts, next, err := s.ledger.ListAccounts(ctx, ledger.AccountFilter{OwnerID: q.CustomerID, Status: q.Status,
		Product: q.Product, Currency: q.Currency, After: q.After.id(), Limit: q.Limit.n()})
	if err != nil {
		return list[accountView]{}, err
	}
	return accountList(accts, idOrEmpty(next)), nil
}

func (s *Server) getAccount(ctx context.Context, req accountPath) (accountView, error) {
	return account(s.bank.Account(ctx, req.ID))
}

func (s *Server) accountTransactions(ctx context.Context, q transactionsQuery) (list[transactionView], error) {
	lines, next, err := s.bank.Statement(ctx, bank.StatementQuery{AccountID: q.ID, From: q.From, To: q.To, After: q.After.id(), Limit: q.Limit.n()})
	if err != nil {
		return list[transactionView]{}, err
	}
	out := list[transactionView]{Items: make([]transactionView, 0, len(lines)), Next: idOrEmpty(next)}
	for _, l := range lines {
		out.Items = append(out.Items, transactionView{ID: l.EntryID.String(), TransferID: l.EntryID.String(), Kind: string(l.Kind),
			Amount: l.Amount, BalanceAfter: l.BalanceAfter, Description: l.Description, ValueDate: l.ValueDate, BookedAt: l.BookedAt.UTC()})
	}
	return out, nil
}

func (s *Server) freezeAccount(ctx context.Context, req freezeRequest) (accountView, error) {
	return account(s.ledger.Freeze(ctx, req.ID, req.Mode.status()))
}

func (s *Server) unfreezeAccount(ctx context.Context, req accountPath) (accountView, error) {
	return account(s.ledger.Unfreeze(ctx, req.ID))
}

func (s *Server) closeAccount(ctx context.Context, req accountPath) (accountView, error) {
	return account(s.bank.CloseAccount(ctx, req.ID))
}

func (s *Server) withdrawTimeDepositPart(ctx context.Context, req partialWithdrawalRequest) (accountView, error) {
	return account(s.bank.WithdrawTimeDepositPart(ctx, req.ID, req.Amount))
}

func (s *Server) renewTimeDeposit(ctx context.Context, req renewRequest) (accountView, error) {
	return account(s.bank.RenewTimeDeposit(ctx, req.ID, req.TermMonths, req.MaturityInstruction))
}

func (s *Server) rebindAccount(ctx context.Context, req rebindRequest) (accountView, error) {
	before, err := s.bank.Account(ctx, req.ID)
	if err != nil {
		return accountView{}, err
	}
	a, err := s.bank.Rebind(ctx, req.ID, req.RebindRequest)
	if err != nil {
		return accountView{}, err
	}
	noteAudit(ctx, fmt.Sprintf("bound accounts %v -> %v", before.Bound, a.Bound))
	return accountOf(a), nil
}

func (s *Server) bindExternal(ctx context.Context, req bindExternalRequest) (accountView, error) {
	before, err := s.bank.Account(ctx, req.ID)
	if err != nil {
		return accountView{}, err
	}
	a, err := s.bank.BindExternal(ctx, req.ID, req.BindExternalRequest)
	if err != nil {
		return accountView{}, err
	}
	// The audit trail names the banks and the accounts' last digits, not
	// the holders.
	noteAudit(ctx, fmt.Sprintf("bound external accounts %s -> %s", externalSummary(before.BoundExternal), externalSummary(a.BoundExternal)))
	return accountOf(a), nil
}

// externalBindings presents bound external accounts; none is nil.
func externalBindings(xs []ledger.ExternalAccount) []bank.ExternalBinding {
	var out []bank.ExternalBinding
	for _, x := range xs {
		out = append(out, bank.ExternalBinding(x))
	}
	return out
}

// externalSummary is "[bank/…1234 …]" for the audit trail.
func externalSummary(xs []ledger.ExternalAccount) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		n := x.AccountNumber
		if len(n) > 4 {
			n = "…" + n[len(n)-4:]
		}
		parts[i] = x.BankCode + "/" + n
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func (s *Server) accountBindings(ctx context.Context, req accountPath) (list[bindingView], error) {
	changes, err := s.bank.Bindings(ctx, req.ID)
	if err != nil {
		return list[bindingView]{}, err
	}
	ids := func(in []ledger.ID) []string {
		out := make([]string, len(in))
		for i, id := range in {
			out[i] = id.String()
		}
		return out
	}
	out := list[bindingView]{Items: make([]bindingView, 0, len(changes))}
	for _, c := range changes {
		out.Items = append(out.Items, bindingView{From: ids(c.From), To: ids(c.To), External: c.External,
			FromExternal: externalBindings(c.FromExternal), ToExternal: externalBindings(c.ToExternal), By: c.By, At: c.At.UTC()})
	}
	return out, nil
}
