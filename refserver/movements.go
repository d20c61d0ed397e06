package refserver

import (
	"context"
	"net/http"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/refserver/bank"
)

// Who may move money.
var (
	tellers       = staff(channel.RoleAdmin, channel.RoleTeller)
	movementReads = staff(channel.RoleAdmin, channel.RoleTeller, channel.RoleSupport, channel.RoleRiskOfficer, channel.RoleFinance)
)

// Deposits, withdrawals and transfers claim their Idempotency-Key while
// they run (claimWhilePosting, see claim.go): their one write is a ledger
// posting, which waits for the claim, except a transfer to another bank,
// which waits for it first.
func (s *Server) movementRoutes() []route {
	return tagged("money", []route{
		{method: "POST", pattern: "/v1/deposits", summary: "Cash deposit into an account",
			access: tellers, idempotency: idemRequired, status: http.StatusCreated, handler: handle(s.deposit), claimWhilePosting: true},
		{method: "POST", pattern: "/v1/withdrawals", summary: "Cash withdrawal from an account",
			access: tellers, idempotency: idemRequired, status: http.StatusCreated, handler: handle(s.withdraw), claimWhilePosting: true},
		{method: "POST", pattern: "/v1/transfers", summary: "Transfer between two accounts of this bank (to_account_id) or to another bank (to_external)",
			access: tellers.andCustomers(), idempotency: idemRequired, status: http.StatusCreated, handler: handle(s.transfer), claimWhilePosting: true},
		{method: "GET", pattern: "/v1/transfers", summary: "Find the transfer you posted with your own reference (external_ref): a list of one, or none",
			access: movementReads.andCustomers(), handler: handle(s.transfersByRef)},
		{method: "GET", pattern: "/v1/transfers/{id}", summary: "Read a transfer",
			access: movementReads.andCustomers(), handler: handle(s.getTransfer)},
		{method: "POST", pattern: "/v1/transfers/{id}/reversal", summary: "Reverse a transfer with its mirror entry",
			access: tellers, idempotency: idemRequired, status: http.StatusCreated, handler: handle(s.reverse)},
		{method: "POST", pattern: "/v1/holds", summary: "Place a hold on part of an account's available balance",
			access: tellers, idempotency: idemRequired, status: http.StatusCreated, handler: handle(s.placeHold)},
		{method: "GET", pattern: "/v1/holds", summary: "Find the hold you placed with your own reference (external_ref): a list of one, or none",
			access: movementReads.andCustomers(), handler: handle(s.holdsByRef)},
		{method: "GET", pattern: "/v1/holds/{id}", summary: "Read a hold",
			access: movementReads.andCustomers(), handler: handle(s.getHold)},
		{method: "POST", pattern: "/v1/holds/{id}/capture", summary: "Capture all or part of a hold to another account; the rest is released",
			access: tellers, idempotency: idemRequired, status: http.StatusCreated, handler: handle(s.captureHold)},
		{method: "POST", pattern: "/v1/holds/{id}/release", summary: "Release a hold",
			access: tellers, idempotency: idemRequired, handler: handle(s.releaseHold)},
	})
}

type (
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
		ExternalRef   string        `json:"external_ref,omitempty" doc:"the posting client's own reference"`
		// Inter-bank transfers: the beneficiary, and why it came back.
		ToExternal   *bank.ExternalAccount `json:"to_external,omitempty"`
		ReturnReason string                `json:"return_reason,omitempty"`
		// Through an inter-bank channel: which, the progress through it
		// with the reason in words, when it will be sent, and its fee.
		Channel   string       `json:"channel,omitempty"`
		Progress  string       `json:"progress,omitempty"`
		Reason    string       `json:"reason,omitempty"`
		SendAfter *time.Time   `json:"send_after,omitempty"`
		Fee       *money.Money `json:"fee,omitempty"`

		replay bool
	}
	transferPath struct {
		ID ledger.ID `path:"id"`
	}
	// refQuery finds an object by the caller's own reference.
	refQuery struct {
		ExternalRef string `query:"external_ref" doc:"your own reference (required)"`
	}
	reversalRequest struct {
		ID          ledger.ID `path:"id" json:"-"`
		Description string    `json:"description,omitempty"`
	}
	holdPath struct {
		ID ledger.ID `path:"id"`
	}
	captureRequest struct {
		ID ledger.ID `path:"id" json:"-"`
		bank.CaptureRequest
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
		ExternalRef    string            `json:"external_ref,omitempty" doc:"the placing client's own reference"`

		replay bool
	}
)

func (v transferView) replayed() bool { return v.replay }
func (v holdView) replayed() bool     { return v.replay }

// transferOf presents an entry as the API's transfer: money leaves the
// account debited and arrives in the account credited. For cash the bank's
// vault is not shown: a deposit has no "from", a withdrawal no "to".
func transferOf(e ledger.Entry) transferView {
	v := transferView{ID: e.ID.String(), Kind: string(e.Kind), Status: "posted", Amount: e.Amount(),
		Description: e.Description, ValueDate: e.ValueDate, CreatedAt: e.BookedAt.UTC(),
		Reverses: idOrEmpty(e.Reverses), ReversedBy: idOrEmpty(e.ReversedBy), ExternalRef: e.ExternalRef.Ref}
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

// interbankOf presents an outbound inter-bank payment as a transfer: its
// id is the payment's, its status the clearing status, its value date its
// debit entry's.
func interbankOf(t bank.InterbankTransfer, valueDate calendar.Date) transferView {
	v := transferView{ID: t.ID.String(), Kind: "interbank", Status: t.Status, FromAccountID: t.FromAccountID.String(),
		Amount: t.Amount, Description: t.Description, ValueDate: valueDate, CreatedAt: t.CreatedAt.UTC(),
		ToExternal: &t.To, ReturnReason: t.ReturnReason, ExternalRef: t.ExternalRef.Ref}
	if t.Channel != "" {
		v.Channel, v.Progress, v.Reason = t.Channel, t.Progress, t.Reason
		if !t.SendAfter.IsZero() {
			after := t.SendAfter.UTC()
			v.SendAfter = &after
		}
		if t.Fee.Currency != "" {
			fee := t.Fee
			v.Fee = &fee
		}
	}
	return v
}

func transferViewOf(t bank.Transfer) transferView {
	if t.Interbank != nil {
		return interbankOf(*t.Interbank, t.Entry.ValueDate)
	}
	v := transferOf(t.Entry)
	v.replay = t.Replayed
	return v
}

func holdOf(h ledger.Hold) holdView {
	v := holdView{ID: h.ID.String(), AccountID: h.AccountID.String(), Amount: h.Amount, Status: h.Status,
		Description: h.Description, CreatedAt: h.CreatedAt.UTC(), ExternalRef: h.ExternalRef.Ref}
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

// posted answers a posting of kind: 201 for a new entry, counted; 200 for
// one the ledger had posted under this request's key.
func (s *Server) posted(kind string, r ledger.Receipt, err error) (transferView, error) {
	if err != nil {
		return transferView{}, err
	}
	if !r.Replayed {
		s.metrics.transfersPosted.WithLabelValues(kind).Inc()
	}
	return transferViewOf(bank.Transfer{Entry: r.Entry, Replayed: r.Replayed}), nil
}

func (s *Server) deposit(ctx context.Context, req bank.CashRequest) (transferView, error) {
	r, err := s.bank.Deposit(ctx, req)
	return s.posted("deposit", r, err)
}

func (s *Server) withdraw(ctx context.Context, req bank.CashRequest) (transferView, error) {
	r, err := s.bank.Withdraw(ctx, req)
	return s.posted("withdrawal", r, err)
}

func (s *Server) transfer(ctx context.Context, req transferRequest) (transferView, error) {
	// A payment to another bank writes to clearing before it posts: only
	// once the request's key is its own (see claim.go).
	if req.ToExternal != nil {
		if err := awaitClaim(ctx); err != nil {
			return transferView{}, err
		}
	}
	t, err := s.limitedTransfer(ctx, req)
	if err != nil {
		return transferView{}, err
	}
	switch {
	case t.Interbank != nil:
		s.metrics.transfersPosted.WithLabelValues("interbank").Inc()
	case !t.Replayed:
		s.metrics.transfersPosted.WithLabelValues("transfer").Inc()
	}
	return transferViewOf(t), nil
}

func (s *Server) getTransfer(ctx context.Context, req transferPath) (transferView, error) {
	t, err := s.bank.FindTransfer(ctx, req.ID)
	if err != nil {
		return transferView{}, err
	}
	return transferViewOf(t), nil
}

// transfersByRef finds the transfer the caller posted with a reference of
// its own: a list of one, or an empty one (as GET /v1/accounts does).
func (s *Server) transfersByRef(ctx context.Context, q refQuery) (list[transferView], error) {
	t, err := s.bank.TransferByRef(ctx, q.ExternalRef)
	if fault.KindOf(err) == fault.NotFound {
		return list[transferView]{Items: []transferView{}}, nil
	}
	if err != nil {
		return list[transferView]{}, err
	}
	return list[transferView]{Items: []transferView{transferViewOf(t)}}, nil
}

func (s *Server) reverse(ctx context.Context, req reversalRequest) (transferView, error) {
	r, err := s.bank.Reverse(ctx, req.ID, req.Description)
	return s.posted("reversal", r, err)
}

func (s *Server) placeHold(ctx context.Context, req bank.HoldRequest) (holdView, error) {
	r, err := s.bank.PlaceHold(ctx, req)
	if err != nil {
		return holdView{}, err
	}
	v := holdOf(r.Hold)
	v.replay = r.Replayed
	return v, nil
}

func (s *Server) getHold(ctx context.Context, req holdPath) (holdView, error) {
	h, err := s.bank.Hold(ctx, req.ID)
	if err != nil {
		return holdView{}, err
	}
	return holdOf(h), nil
}

// holdsByRef finds the hold the caller placed with a reference of its
// own: a list of one, or an empty one.
func (s *Server) holdsByRef(ctx context.Context, q refQuery) (list[holdView], error) {
	h, err := s.bank.HoldByRef(ctx, q.ExternalRef)
	if fault.KindOf(err) == fault.NotFound {
		return list[holdView]{Items: []holdView{}}, nil
	}
	if err != nil {
		return list[holdView]{}, err
	}
	return list[holdView]{Items: []holdView{holdOf(h)}}, nil
}

func (s *Server) captureHold(ctx context.Context, req captureRequest) (transferView, error) {
	r, err := s.bank.CaptureHold(ctx, req.ID, req.CaptureRequest)
	return s.posted("capture", r, err)
}

func (s *Server) releaseHold(ctx context.Context, req holdPath) (holdView, error) {
	h, err := s.bank.ReleaseHold(ctx, req.ID)
	if err != nil {
		return holdView{}, err
	}
	return holdOf(h), nil
}
