package refserver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/endofday"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
)

var (
	rolesAccountRead   = []channel.Role{channel.RoleAdmin, channel.RoleTeller, channel.RoleSupport, channel.RoleRiskOfficer, channel.RoleLoanOfficer, channel.RoleFinance}
	rolesAccountOpen   = []channel.Role{channel.RoleAdmin, channel.RoleTeller}
	rolesAccountFreeze = []channel.Role{channel.RoleAdmin, channel.RoleTeller, channel.RoleRiskOfficer}
	rolesAccountClose  = []channel.Role{channel.RoleAdmin, channel.RoleTeller}
)

type (
	openAccountRequest struct {
		CustomerID       string         `json:"customer_id"`
		Product          ledger.Product `json:"product"`
		Currency         money.Currency `json:"currency"`
		TermMonths       int            `json:"term_months,omitempty"`
		FundingAccountID string         `json:"funding_account_id,omitempty"`
		Principal        *money.Money   `json:"principal,omitempty"`
		// MaturityInstruction: pay_out (default), rollover_all,
		// rollover_principal or hold.
		MaturityInstruction *interest.Instruction `json:"maturity_instruction,omitempty"`
	}
	accountView struct {
		ID               string         `json:"id"`
		Number           string         `json:"number"`
		CustomerID       string         `json:"customer_id,omitempty"`
		Code             string         `json:"code,omitempty"`
		Product          ledger.Product `json:"product"`
		Currency         money.Currency `json:"currency"`
		Status           ledger.Status  `json:"status"`
		Balance          money.Money    `json:"balance"`
		AvailableBalance money.Money    `json:"available_balance"`
		OpenedOn         calendar.Date  `json:"opened_on"`
	}
	renewRequest struct {
		TermMonths          int                   `json:"term_months"`
		MaturityInstruction *interest.Instruction `json:"maturity_instruction,omitempty"`
	}
	freezeRequest struct {
		// Mode is "all" (nothing moves, the default) or "debits" (credits
		// still arrive).
		Mode string `json:"mode,omitempty"`
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
)

func accountOf(a ledger.Account) accountView {
	return accountView{ID: a.ID.String(), Number: a.Number, CustomerID: a.OwnerID, Code: a.Code, Product: a.Product,
		Currency: a.Currency, Status: a.Status, Balance: a.Balance, AvailableBalance: a.Available(), OpenedOn: a.OpenedOn}
}

// ledgerKey turns the caller-scoped Idempotency-Key into the key handed to
// the ledger: a fixed-length digest, so any client key fits the ledger's
// bound and no client can choose another caller's ledger key.
func ledgerKey(rc *reqCtx, purpose string) string {
	if rc.idemKey == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(purpose + "\x00" + rc.idemKey))
	return hex.EncodeToString(sum[:])
}

// account loads the {name} path account and enforces ownership: customers
// see only their own accounts; anything else is "not found".
func (s *Server) account(rc *reqCtx, raw string) (ledger.Account, error) {
	id, err := ledger.ParseID(raw)
	if err != nil {
		return ledger.Account{}, errNotFound
	}
	a, err := s.ledger.Account(rc.ctx(), id)
	if err != nil {
		return ledger.Account{}, err
	}
	if rc.isCustomer() && (a.OwnerID == "" || a.OwnerID != rc.caller.CustomerID) {
		return ledger.Account{}, errNotFound
	}
	return a, nil
}

func (s *Server) accountRoutes() []route {
	return []route{
		{
			method: "POST", pattern: "/v1/accounts", tag: "accounts",
			summary: "Open an account for a KYC-verified customer",
			access:  access{roles: rolesAccountOpen, customer: true}, idempotency: idemOptional,
			request: openAccountRequest{}, response: accountView{}, status: http.StatusCreated,
			handle: s.openAccount,
		},
		{
			method: "GET", pattern: "/v1/accounts", tag: "accounts", summary: "List accounts",
			access: access{roles: rolesAccountRead}, response: list[accountView]{}, status: http.StatusOK,
			query:  []queryParam{{"customer_id", ""}, {"status", ""}, {"product", ""}, {"currency", ""}, {"limit", "1-500, default 50"}, {"after", "cursor"}},
			handle: s.listAccounts,
		},
		{
			method: "GET", pattern: "/v1/accounts/{id}", tag: "accounts", summary: "Read an account with its ledger and available balance",
			access: access{roles: rolesAccountRead, customer: true}, response: accountView{}, status: http.StatusOK,
			handle: func(rc *reqCtx) (any, error) {
				a, err := s.account(rc, rc.r.PathValue("id"))
				if err != nil {
					return nil, err
				}
				return accountOf(a), nil
			},
		},
		{
			method: "GET", pattern: "/v1/accounts/{id}/transactions", tag: "accounts", summary: "Statement lines, newest first",
			access: access{roles: rolesAccountRead, customer: true}, response: list[transactionView]{}, status: http.StatusOK,
			query:  []queryParam{{"from", "first value date (YYYY-MM-DD)"}, {"to", "last value date"}, {"limit", "1-500, default 50"}, {"after", "cursor"}},
			handle: s.accountTransactions,
		},
		s.statusRoute("freeze", "Freeze an account (mode all or debits)", rolesAccountFreeze),
		s.statusRoute("unfreeze", "Unfreeze a frozen or dormant account", rolesAccountFreeze),
		s.statusRoute("close", "Close an account (needs a zero balance and no active holds); a time deposit is paid out to its demand account, before maturity at the demand rate", rolesAccountClose),
		{
			method: "POST", pattern: "/v1/accounts/{id}/renew", tag: "accounts",
			summary: "Renew a time deposit held at maturity for a new term at the rate then current",
			access:  access{roles: rolesAccountOpen, customer: true}, idempotency: idemOptional, request: renewRequest{}, response: accountView{}, status: http.StatusOK,
			handle: func(rc *reqCtx) (any, error) {
				var req renewRequest
				if err := rc.decode(&req); err != nil {
					return nil, err
				}
				a, err := s.account(rc, rc.r.PathValue("id"))
				if err != nil {
					return nil, err
				}
				instr := interest.PayOut
				if req.MaturityInstruction != nil {
					instr = *req.MaturityInstruction
				}
				if _, err := s.eod.RenewHeldTimeDeposit(rc.ctx(), a.ID, req.TermMonths, instr); err != nil {
					return nil, err
				}
				return accountOf(a), nil
			},
		},
	}
}

func (s *Server) openAccount(rc *reqCtx) (any, error) {
	var req openAccountRequest
	if err := rc.decode(&req); err != nil {
		return nil, err
	}
	cid, err := customer.ParseID(req.CustomerID)
	if err != nil {
		return nil, badField("customer_id", "must be a customer id")
	}
	if rc.isCustomer() && rc.caller.CustomerID != cid.String() {
		return nil, errCustomerNotVerified
	}
	switch req.Product {
	case ledger.ProductDemand:
		if req.TermMonths != 0 || req.FundingAccountID != "" || req.Principal != nil || req.MaturityInstruction != nil {
			return nil, badField("product", "term_months, funding_account_id, principal and maturity_instruction are for time deposits")
		}
	case ledger.ProductTime:
	default:
		return nil, badField("product", "must be demand or time")
	}
	if !slices.Contains(currencies, req.Currency) {
		return nil, badField("currency", fmt.Sprintf("the bank keeps accounts in %v", currencies))
	}
	if err := s.requireVerified(rc.ctx(), cid); err != nil {
		return nil, err
	}
	var a ledger.Account
	if req.Product == ledger.ProductTime {
		a, err = s.openTimeDeposit(rc, cid, req)
	} else {
		a, err = s.ledger.OpenAccount(rc.ctx(), ledger.OpenAccountRequest{OwnerID: cid.String(), Product: req.Product,
			Currency: req.Currency, IdempotencyKey: ledgerKey(rc, "open-account")})
		if err == nil {
			err = s.assignDemandProduct(rc.ctx(), a)
		}
	}
	if err != nil {
		return nil, err
	}
	// The link makes the account show on the customer's record. A crash
	// before it is mended by the client's retry: the ledger returns the same
	// account for the same key, and linking again is harmless.
	if _, err := s.customer.LinkAccount(rc.ctx(), cid, a.ID.String(), customer.RelationshipOwner); err != nil && !errors.Is(err, customer.ErrDuplicate) {
		return nil, err
	}
	return accountOf(a), nil
}

// openTimeDeposit opens a time deposit funded from one of the customer's
// demand accounts, at the time product's rate on the business date.
func (s *Server) openTimeDeposit(rc *reqCtx, cid customer.ID, req openAccountRequest) (ledger.Account, error) {
	if req.TermMonths == 0 {
		return ledger.Account{}, badField("term_months", "is required for a time deposit")
	}
	if req.Principal == nil {
		return ledger.Account{}, badField("principal", "is required for a time deposit")
	}
	if err := sameCurrencyAs(req.Currency, *req.Principal); err != nil {
		return ledger.Account{}, err
	}
	funding, err := s.ownAccount(rc, "funding_account_id", req.FundingAccountID)
	if err != nil {
		return ledger.Account{}, err
	}
	if funding.OwnerID != cid.String() {
		return ledger.Account{}, badField("funding_account_id", "must be a demand account of the same customer")
	}
	instr := interest.PayOut
	if req.MaturityInstruction != nil {
		instr = *req.MaturityInstruction
	}
	r, err := s.eod.OpenTimeDeposit(rc.ctx(), endofday.OpenTimeDepositRequest{DemandAccountID: funding.ID, Principal: *req.Principal,
		TermMonths: req.TermMonths, ProductCode: timeProduct(req.Currency), Instruction: instr, IdempotencyKey: ledgerKey(rc, "time-deposit")})
	if err != nil {
		return ledger.Account{}, err
	}
	return s.ledger.Account(rc.ctx(), r.Deposit.ID)
}

// requireVerified is the account-opening port between the ledger and the
// customer record: the customer must exist and have passed KYC.
func (s *Server) requireVerified(ctx context.Context, id customer.ID) error {
	m, err := s.customer.Get(ctx, id)
	if errors.Is(err, customer.ErrNotFound) {
		return errCustomerNotVerified
	}
	if err != nil {
		return err
	}
	if m.KYC.Status != customer.KYCVerified || m.Status != customer.StatusActive {
		return errCustomerNotVerified
	}
	return nil
}

func (s *Server) listAccounts(rc *reqCtx) (any, error) {
	p, err := pageOf(rc, ledger.ParseID)
	if err != nil {
		return nil, err
	}
	q := rc.r.URL.Query()
	f := ledger.AccountFilter{OwnerID: q.Get("customer_id"), Status: ledger.Status(q.Get("status")),
		Product: ledger.Product(q.Get("product")), Currency: money.Currency(q.Get("currency")), After: p.after, Limit: p.limit}
	accts, next, err := s.ledger.ListAccounts(rc.ctx(), f)
	if err != nil {
		return nil, err
	}
	out := list[accountView]{Items: make([]accountView, 0, len(accts))}
	for _, a := range accts {
		out.Items = append(out.Items, accountOf(a))
	}
	if next != ledger.NilID {
		out.Next = next.String()
	}
	return out, nil
}

func (s *Server) accountTransactions(rc *reqCtx) (any, error) {
	a, err := s.account(rc, rc.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	q := rc.r.URL.Query()
	today, err := s.ledger.BusinessDate(rc.ctx())
	if err != nil {
		return nil, err
	}
	// By default all history: back-valued entries may carry value dates
	// before the account's opening day.
	from, to := calendar.MustDate(1970, time.January, 1), today
	if v := q.Get("from"); v != "" {
		if from, err = calendar.ParseDate(v); err != nil {
			return nil, badField("from", "must be a date YYYY-MM-DD")
		}
	}
	if v := q.Get("to"); v != "" {
		if to, err = calendar.ParseDate(v); err != nil {
			return nil, badField("to", "must be a date YYYY-MM-DD")
		}
	}
	p, err := pageOf(rc, ledger.ParseID)
	if err != nil {
		return nil, err
	}
	// One line more than the page shows whether there is a next page.
	lines, err := s.ledger.History(rc.ctx(), ledger.HistoryQuery{AccountID: a.ID, From: from, To: to, Before: p.after, Limit: p.limit + 1})
	var ve *fault.FieldError
	if errors.As(err, &ve) && ve.Field == "before" {
		return nil, badField("after", "is not a cursor this endpoint returned")
	}
	if err != nil {
		return nil, err
	}
	out := list[transactionView]{Items: []transactionView{}}
	for _, l := range lines[:min(len(lines), p.limit)] {
		out.Items = append(out.Items, transactionView{ID: l.EntryID.String(), TransferID: l.EntryID.String(), Kind: string(l.Kind),
			Amount: l.Amount, BalanceAfter: l.BalanceAfter, Description: l.Description, ValueDate: l.ValueDate, BookedAt: l.BookedAt.UTC()})
	}
	if len(lines) > p.limit {
		out.Next = out.Items[len(out.Items)-1].ID
	}
	return out, nil
}

func (s *Server) statusRoute(action, summary string, roles []channel.Role) route {
	rt := route{
		method: "POST", pattern: "/v1/accounts/{id}/" + action, tag: "accounts", summary: summary,
		access: access{roles: roles}, idempotency: idemOptional, response: accountView{}, status: http.StatusOK,
		handle: func(rc *reqCtx) (any, error) {
			a, err := s.account(rc, rc.r.PathValue("id"))
			if err != nil {
				return nil, err
			}
			switch action {
			case "freeze":
				var req freezeRequest
				if len(rc.body) > 0 {
					if err := rc.decode(&req); err != nil {
						return nil, err
					}
				}
				to := ledger.StatusFrozen
				switch req.Mode {
				case "", "all":
				case "debits":
					to = ledger.StatusFrozenDebits
				default:
					return nil, badField("mode", "must be all or debits")
				}
				a, err = s.ledger.Freeze(rc.ctx(), a.ID, to)
			case "unfreeze":
				a, err = s.ledger.Unfreeze(rc.ctx(), a.ID)
			case "close":
				if a.Product == ledger.ProductTime {
					// A time deposit closes by paying out: early, at the
					// demand rate (the penalty rule), or as it stands when
					// held at maturity.
					if _, _, err = s.eod.CloseTimeDepositEarly(rc.ctx(), a.ID); err != nil {
						return nil, err
					}
					a, err = s.ledger.Account(rc.ctx(), a.ID)
					break
				}
				a, err = s.ledger.Close(rc.ctx(), a.ID)
			}
			if err != nil {
				return nil, err
			}
			return accountOf(a), nil
		},
	}
	if action == "freeze" {
		rt.request = freezeRequest{}
	}
	return rt
}
