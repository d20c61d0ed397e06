package refserver

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

var (
	rolesCash     = []channel.Role{channel.RoleAdmin, channel.RoleTeller}
	rolesTransfer = []channel.Role{channel.RoleAdmin, channel.RoleTeller}
	rolesReversal = []channel.Role{channel.RoleAdmin, channel.RoleTeller}
	rolesHold     = []channel.Role{channel.RoleAdmin, channel.RoleTeller}
	rolesReadMove = []channel.Role{channel.RoleAdmin, channel.RoleTeller, channel.RoleSupport, channel.RoleRiskOfficer, channel.RoleFinance}
)

type (
	cashRequest struct {
		AccountID   string      `json:"account_id"`
		Amount      money.Money `json:"amount"`
		Description string      `json:"description,omitempty"`
	}
	externalParty struct {
		BankCode      string `json:"bank_code"`
		AccountNumber string `json:"account_number"`
		Name          string `json:"name"`
	}
	transferRequest struct {
		FromAccountID string         `json:"from_account_id"`
		ToAccountID   string         `json:"to_account_id,omitempty"`
		ToExternal    *externalParty `json:"to_external,omitempty"`
		Amount        money.Money    `json:"amount"`
		Description   string         `json:"description,omitempty"`
	}
	transferView struct {
		ID            string        `json:"id"`
		Kind          string        `json:"kind"`
		Status        string        `json:"status"`
		FromAccountID string        `json:"from_account_id,omitempty"`
		ToAccountID   string        `json:"to_account_id,omitempty"`
		Amount        money.Money   `json:"amount"`
		Description   string        `json:"description"`
		ValueDate     calendar.Date `json:"value_date"`
		CreatedAt     time.Time     `json:"created_at"`
		Reverses      string        `json:"reverses,omitempty"`
		ReversedBy    string        `json:"reversed_by,omitempty"`
		// Inter-bank transfers: the beneficiary, and why it came back.
		ToExternal   *externalParty `json:"to_external,omitempty"`
		ReturnReason string         `json:"return_reason,omitempty"`
	}
	reversalRequest struct {
		Description string `json:"description,omitempty"`
	}
	holdRequest struct {
		AccountID   string      `json:"account_id"`
		Amount      money.Money `json:"amount"`
		ExpiresAt   *time.Time  `json:"expires_at,omitempty"`
		Description string      `json:"description,omitempty"`
	}
	captureRequest struct {
		Amount      *money.Money `json:"amount,omitempty"`
		ToAccountID string       `json:"to_account_id"`
		Description string       `json:"description,omitempty"`
	}
	holdView struct {
		ID             string            `json:"id"`
		AccountID      string            `json:"account_id"`
		Amount         money.Money       `json:"amount"`
		Status         ledger.HoldStatus `json:"status"`
		ExpiresAt      *time.Time        `json:"expires_at,omitempty"`
		Description    string            `json:"description,omitempty"`
		CreatedAt      time.Time         `json:"created_at"`
		Captured       *money.Money      `json:"captured,omitempty"`
		CaptureEntryID string            `json:"capture_transfer_id,omitempty"`
	}
)

// transferOf presents an entry as the API's transfer: money leaves the
// account debited and arrives in the account credited. For cash the bank's
// vault is not shown: a deposit has no "from", a withdrawal no "to".
func transferOf(e ledger.Entry) transferView {
	v := transferView{ID: e.ID.String(), Kind: string(e.Kind), Status: "posted", Amount: e.Amount(),
		Description: e.Description, ValueDate: e.ValueDate, CreatedAt: e.BookedAt.UTC()}
	if e.Reverses != ledger.NilID {
		v.Reverses = e.Reverses.String()
	}
	if e.ReversedBy != ledger.NilID {
		v.ReversedBy = e.ReversedBy.String()
	}
	if len(e.Postings) == 2 {
		for _, p := range e.Postings {
			if p.Side == ledger.Debit {
				v.FromAccountID = p.AccountID.String()
			} else {
				v.ToAccountID = p.AccountID.String()
			}
		}
	}
	switch e.Kind {
	case ledger.KindDeposit:
		v.FromAccountID = ""
	case ledger.KindWithdrawal:
		v.ToAccountID = ""
	}
	return v
}

func holdOf(h ledger.Hold) holdView {
	v := holdView{ID: h.ID.String(), AccountID: h.AccountID.String(), Amount: h.Amount, Status: h.Status,
		Description: h.Description, CreatedAt: h.CreatedAt.UTC()}
	if !h.ExpiresAt.IsZero() {
		t := h.ExpiresAt.UTC()
		v.ExpiresAt = &t
	}
	if h.CaptureEntryID != ledger.NilID {
		c := h.Captured
		v.Captured = &c
		v.CaptureEntryID = h.CaptureEntryID.String()
	}
	return v
}

// accountFor loads the account named by a body field for an amount to move
// on it: the caller's own (see ownAccount), in the amount's currency (422
// otherwise, before anything else happens).
func (s *Server) accountFor(rc *reqCtx, field, raw string, amount money.Money) (ledger.Account, error) {
	a, err := s.ownAccount(rc, field, raw)
	if err != nil {
		return ledger.Account{}, err
	}
	return a, sameCurrencyAs(a.Currency, amount)
}

// sameCurrencyAs refuses an amount in another currency than c.
func sameCurrencyAs(c money.Currency, m money.Money) error {
	if m.Currency != c {
		return fmt.Errorf("%w: the account is in %s, the amount in %s", ledger.ErrCurrencyMismatch, c, m.Currency)
	}
	return nil
}

// ownAccount parses an account id from a body field; a customer naming an
// account that is not theirs gets "not found", like any other.
func (s *Server) ownAccount(rc *reqCtx, field, raw string) (ledger.Account, error) {
	if raw == "" {
		return ledger.Account{}, badField(field, "is required")
	}
	if _, err := ledger.ParseID(raw); err != nil {
		return ledger.Account{}, badField(field, "must be an account id")
	}
	return s.account(rc, raw)
}

// receipt answers a posting: 201 for a new entry, 200 when the ledger says
// this request's key already posted it.
func (s *Server) receipt(rc *reqCtx, kind string, r ledger.Receipt) transferView {
	if r.Replayed {
		rc.status = http.StatusOK
	} else {
		s.metrics.transfersPosted.WithLabelValues(kind).Inc()
	}
	return transferOf(r.Entry)
}

func (s *Server) movementRoutes() []route {
	return []route{
		s.cashRoute("/v1/deposits", "Cash deposit into an account", "deposit"),
		s.cashRoute("/v1/withdrawals", "Cash withdrawal from an account", "withdrawal"),
		{
			method: "POST", pattern: "/v1/transfers", tag: "money", summary: "Transfer between two accounts of this bank (to_account_id) or to another bank (to_external)",
			access: access{roles: rolesTransfer, customer: true}, idempotency: idemRequired, request: transferRequest{}, response: transferView{}, status: http.StatusCreated,
			handle: s.transfer,
		},
		{
			method: "GET", pattern: "/v1/transfers/{id}", tag: "money", summary: "Read a transfer",
			access: access{roles: rolesReadMove, customer: true}, response: transferView{}, status: http.StatusOK,
			handle: func(rc *reqCtx) (any, error) {
				e, err := s.entry(rc, rc.r.PathValue("id"))
				if errors.Is(err, ledger.ErrNotFound) {
					// Not an entry: perhaps an inter-bank transfer.
					id, _ := ledger.ParseID(rc.r.PathValue("id"))
					return s.clearingTransfer(rc, id)
				}
				if err != nil {
					return nil, err
				}
				return transferOf(e), nil
			},
		},
		{
			method: "POST", pattern: "/v1/transfers/{id}/reversal", tag: "money", summary: "Reverse a transfer with its mirror entry",
			access: access{roles: rolesReversal}, idempotency: idemRequired, request: reversalRequest{}, response: transferView{}, status: http.StatusCreated,
			handle: func(rc *reqCtx) (any, error) {
				var req reversalRequest
				if len(rc.body) > 0 {
					if err := rc.decode(&req); err != nil {
						return nil, err
					}
				}
				e, err := s.entry(rc, rc.r.PathValue("id"))
				if err != nil {
					return nil, err
				}
				r, err := s.ledger.Reverse(rc.ctx(), ledger.ReversalRequest{EntryID: e.ID, Description: req.Description,
					IdempotencyKey: ledgerKey(rc, "reversal")})
				if err != nil {
					return nil, err
				}
				return s.receipt(rc, "reversal", r), nil
			},
		},
		{
			method: "POST", pattern: "/v1/holds", tag: "money", summary: "Place a hold on part of an account's available balance",
			access: access{roles: rolesHold}, idempotency: idemRequired, request: holdRequest{}, response: holdView{}, status: http.StatusCreated,
			handle: func(rc *reqCtx) (any, error) {
				var req holdRequest
				if err := rc.decode(&req); err != nil {
					return nil, err
				}
				a, err := s.accountFor(rc, "account_id", req.AccountID, req.Amount)
				if err != nil {
					return nil, err
				}
				hr := ledger.HoldRequest{AccountID: a.ID, Amount: req.Amount, Description: req.Description, IdempotencyKey: ledgerKey(rc, "hold")}
				if req.ExpiresAt != nil {
					hr.ExpiresAt = *req.ExpiresAt
				}
				r, err := s.ledger.PlaceHold(rc.ctx(), hr)
				if err != nil {
					return nil, err
				}
				if r.Replayed {
					rc.status = http.StatusOK
				}
				return holdOf(r.Hold), nil
			},
		},
		{
			method: "GET", pattern: "/v1/holds/{id}", tag: "money", summary: "Read a hold",
			access: access{roles: rolesReadMove, customer: true}, response: holdView{}, status: http.StatusOK,
			handle: func(rc *reqCtx) (any, error) {
				h, err := s.hold(rc, rc.r.PathValue("id"))
				if err != nil {
					return nil, err
				}
				return holdOf(h), nil
			},
		},
		{
			method: "POST", pattern: "/v1/holds/{id}/capture", tag: "money", summary: "Capture all or part of a hold to another account; the rest is released",
			access: access{roles: rolesHold}, idempotency: idemRequired, request: captureRequest{}, response: transferView{}, status: http.StatusCreated,
			handle: func(rc *reqCtx) (any, error) {
				var req captureRequest
				if err := rc.decode(&req); err != nil {
					return nil, err
				}
				h, err := s.hold(rc, rc.r.PathValue("id"))
				if err != nil {
					return nil, err
				}
				to, err := s.ownAccount(rc, "to_account_id", req.ToAccountID)
				if err != nil {
					return nil, err
				}
				cr := ledger.CaptureRequest{HoldID: h.ID, ToAccountID: to.ID, Description: req.Description, IdempotencyKey: ledgerKey(rc, "capture")}
				if req.Amount != nil {
					cr.Amount = *req.Amount
				}
				r, err := s.ledger.CaptureHold(rc.ctx(), cr)
				if err != nil {
					return nil, err
				}
				return s.receipt(rc, "capture", r), nil
			},
		},
		{
			method: "POST", pattern: "/v1/holds/{id}/release", tag: "money", summary: "Release a hold",
			access: access{roles: rolesHold}, idempotency: idemRequired, response: holdView{}, status: http.StatusOK,
			handle: func(rc *reqCtx) (any, error) {
				h, err := s.hold(rc, rc.r.PathValue("id"))
				if err != nil {
					return nil, err
				}
				h, err = s.ledger.ReleaseHold(rc.ctx(), h.ID)
				if err != nil {
					return nil, err
				}
				return holdOf(h), nil
			},
		},
	}
}

// cashRoute is a teller's cash deposit or withdrawal: the two differ only
// in which way the money moves.
func (s *Server) cashRoute(pattern, summary, kind string) route {
	return route{
		method: "POST", pattern: pattern, tag: "money", summary: summary,
		access: access{roles: rolesCash}, idempotency: idemRequired, request: cashRequest{}, response: transferView{}, status: http.StatusCreated,
		handle: func(rc *reqCtx) (any, error) {
			var req cashRequest
			if err := rc.decode(&req); err != nil {
				return nil, err
			}
			a, err := s.accountFor(rc, "account_id", req.AccountID, req.Amount)
			if err != nil {
				return nil, err
			}
			r := ledger.DepositRequest{AccountID: a.ID, Amount: req.Amount, Description: req.Description, IdempotencyKey: ledgerKey(rc, kind)}
			var receipt ledger.Receipt
			if kind == "deposit" {
				receipt, err = s.ledger.Deposit(rc.ctx(), r)
			} else {
				receipt, err = s.ledger.Withdraw(rc.ctx(), ledger.WithdrawalRequest(r))
			}
			if err != nil {
				return nil, err
			}
			return s.receipt(rc, kind, receipt), nil
		},
	}
}

func (s *Server) transfer(rc *reqCtx) (any, error) {
	var req transferRequest
	if err := rc.decode(&req); err != nil {
		return nil, err
	}
	from, err := s.accountFor(rc, "from_account_id", req.FromAccountID, req.Amount)
	if err != nil {
		return nil, err
	}
	switch {
	case req.ToExternal != nil && req.ToAccountID != "":
		return nil, badField("to_account_id", "give to_account_id or to_external, not both")
	case req.ToExternal != nil:
		return s.transferOut(rc, from, req)
	}
	if req.ToAccountID == "" {
		return nil, badField("to_account_id", "is required")
	}
	toID, err := ledger.ParseID(req.ToAccountID)
	if err != nil {
		return nil, badField("to_account_id", "must be an account id")
	}
	// The destination need not be the caller's: paying someone else is the
	// point. It must be a customer account, not one of the bank's own.
	to, err := s.ledger.Account(rc.ctx(), toID)
	if err != nil {
		return nil, err
	}
	if to.Product == ledger.ProductInternal && rc.isCustomer() {
		return nil, errNotFound
	}
	r, err := s.ledger.Transfer(rc.ctx(), ledger.TransferRequest{FromAccountID: from.ID, ToAccountID: to.ID, Amount: req.Amount,
		Description: req.Description, IdempotencyKey: ledgerKey(rc, "transfer")})
	if err != nil {
		return nil, err
	}
	return s.receipt(rc, "transfer", r), nil
}

// entry loads a transfer; customers see only entries touching an account
// of theirs.
func (s *Server) entry(rc *reqCtx, raw string) (ledger.Entry, error) {
	id, err := ledger.ParseID(raw)
	if err != nil {
		return ledger.Entry{}, errNotFound
	}
	e, err := s.ledger.Entry(rc.ctx(), id)
	if err != nil {
		return ledger.Entry{}, err
	}
	if rc.isCustomer() {
		for _, p := range e.Postings {
			if a, err := s.ledger.Account(rc.ctx(), p.AccountID); err == nil && a.OwnerID == rc.caller.CustomerID {
				return e, nil
			}
		}
		return ledger.Entry{}, errNotFound
	}
	return e, nil
}

func (s *Server) hold(rc *reqCtx, raw string) (ledger.Hold, error) {
	id, err := ledger.ParseID(raw)
	if err != nil {
		return ledger.Hold{}, errNotFound
	}
	h, err := s.ledger.Hold(rc.ctx(), id)
	if err != nil {
		return ledger.Hold{}, err
	}
	if rc.isCustomer() {
		if _, err := s.account(rc, h.AccountID.String()); err != nil {
			return ledger.Hold{}, errNotFound
		}
	}
	return h, nil
}
