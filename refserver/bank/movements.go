package bank

import (
	"context"
	"errors"
	"time"

	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

// CashRequest is a cash deposit into an account or withdrawal from it.
type CashRequest struct {
	AccountID   string      `json:"account_id"`
	Amount      money.Money `json:"amount"`
	Description string      `json:"description,omitempty"`
	ExternalRef string      `json:"external_ref,omitempty" doc:"your own reference for the transfer, unique among yours; find it again with GET /v1/transfers?external_ref="`
}

// refOf is a request's external reference as the caller's (RefClient),
// none when raw is empty.
func refOf(ctx context.Context, raw string) ledger.ExternalRef {
	if raw == "" {
		return ledger.ExternalRef{}
	}
	return ledger.ExternalRef{Client: RefClient(ctx), Ref: raw}
}

// Deposit pays cash into an account.
func (b *Bank) Deposit(ctx context.Context, r CashRequest) (ledger.Receipt, error) {
	a, err := b.accountFor(ctx, "account_id", r.AccountID, r.Amount)
	if err != nil {
		return ledger.Receipt{}, err
	}
	return b.postings.Deposit(ctx, ledger.DepositRequest{AccountID: a.ID, Amount: r.Amount, Description: r.Description,
		ExternalRef: refOf(ctx, r.ExternalRef), IdempotencyKey: keyFor(ctx, "deposit")})
}

// Withdraw pays cash out of an account.
func (b *Bank) Withdraw(ctx context.Context, r CashRequest) (ledger.Receipt, error) {
	a, err := b.accountFor(ctx, "account_id", r.AccountID, r.Amount)
	if err != nil {
		return ledger.Receipt{}, err
	}
	return b.postings.Withdraw(ctx, ledger.WithdrawalRequest{AccountID: a.ID, Amount: r.Amount, Description: r.Description,
		ExternalRef: refOf(ctx, r.ExternalRef), IdempotencyKey: keyFor(ctx, "withdrawal")})
}

// accountFor is the account a request field names for an amount to move
// on it: one the caller may reach (see namedAccount), in the amount's
// currency (refused before anything moves otherwise).
func (b *Bank) accountFor(ctx context.Context, field, raw string, amount money.Money) (ledger.Account, error) {
	a, err := b.namedAccount(ctx, field, raw)
	if err != nil {
		return ledger.Account{}, err
	}
	return a, sameCurrency(a.Currency, amount)
}

// TransferRequest moves money out of an account the caller may reach: to
// another account of this bank (ToAccountID) or to another bank
// (ToExternal).
type TransferRequest struct {
	FromAccountID string           `json:"from_account_id"`
	ToAccountID   string           `json:"to_account_id,omitempty" oneof:"destination"`
	ToExternal    *ExternalAccount `json:"to_external,omitempty" oneof:"destination"`
	Amount        money.Money      `json:"amount"`
	Description   string           `json:"description,omitempty"`
	// Urgent asks a payment to another bank to go by the large-value
	// channel within its hours (when the bank routes by channel).
	Urgent bool `json:"urgent,omitempty"`
	// ExternalRef is the caller's own reference for the transfer, inside
	// the bank or to another.
	ExternalRef string `json:"external_ref,omitempty" doc:"your own reference for the transfer (inside the bank or to another bank), unique among yours; find it again with GET /v1/transfers?external_ref="`
}

// Transfer is money moved by a transfer: the entry that moved it and, for
// a payment to another bank, the payment in clearing.
type Transfer struct {
	Entry     ledger.Entry
	Interbank *InterbankTransfer
	// Replayed: an earlier request with the same key posted it.
	Replayed bool
}

// Transfer moves money inside the bank through the ledger, or out to
// another bank through clearing.
func (b *Bank) Transfer(ctx context.Context, r TransferRequest) (Transfer, error) {
	if r.ToExternal != nil {
		from, err := b.accountFor(ctx, "from_account_id", r.FromAccountID, r.Amount)
		if err != nil {
			return Transfer{}, err
		}
		if r.ToAccountID != "" {
			return Transfer{}, invalid("to_account_id", "give to_account_id or to_external, not both")
		}
		return b.sendOut(ctx, from, r)
	}
	if r.Urgent {
		return Transfer{}, invalid("urgent", "applies only to a payment to another bank (to_external)")
	}
	// Inside the bank the accounts' profiles are all a transfer checks
	// before the ledger, which checks the rest as it posts.
	fromID, err := b.namedProfile(ctx, "from_account_id", r.FromAccountID, r.Amount)
	if err != nil {
		return Transfer{}, err
	}
	if r.ToAccountID == "" {
		return Transfer{}, invalid("to_account_id", "is required")
	}
	toID, err := ledger.ParseID(r.ToAccountID)
	if err != nil {
		return Transfer{}, invalid("to_account_id", "must be an account id")
	}
	// The destination need not be the caller's: paying someone else is the
	// point. It must be a customer account, not one of the bank's own.
	to, err := b.profileOf(ctx, toID)
	if err != nil {
		return Transfer{}, err
	}
	if to.Internal && isCustomer(ctx) {
		return Transfer{}, ErrNotFound
	}
	rc, err := b.postings.Transfer(ctx, ledger.TransferRequest{FromAccountID: fromID, ToAccountID: toID, Amount: r.Amount,
		Description: r.Description, ExternalRef: refOf(ctx, r.ExternalRef), IdempotencyKey: keyFor(ctx, "transfer")})
	if err != nil {
		return Transfer{}, err
	}
	return Transfer{Entry: rc.Entry, Replayed: rc.Replayed}, nil
}

// PostingKey is the idempotency key the ledger's entry of the transfer r
// holds once it has posted (ledger.Entry.IdempotencyKey): "transfer/<the
// step's key>" inside the bank, "journal/clearing/out/<the step's key>" to
// another bank (clearing posts the debit as a journal entry). A caller
// that reserves something ahead of the transfer keys it so, and can look
// the posting up later (ledger.Service.EntryByIdempotencyKey). Without a
// request key it is "".
func PostingKey(ctx context.Context, r TransferRequest) string {
	if r.ToExternal != nil {
		if k := keyFor(ctx, "transfer-out"); k != "" {
			return "journal/clearing/out/" + k
		}
		return ""
	}
	if k := keyFor(ctx, "transfer"); k != "" {
		return "transfer/" + k
	}
	return ""
}

// sendOut pays out to another bank.
func (b *Bank) sendOut(ctx context.Context, from ledger.Account, r TransferRequest) (Transfer, error) {
	t, err := b.interbank.SendOut(ctx, Payment{FromAccountID: from.ID, To: *r.ToExternal, Amount: r.Amount,
		Description: r.Description, Urgent: r.Urgent, ExternalRef: refOf(ctx, r.ExternalRef), IdempotencyKey: keyFor(ctx, "transfer-out")})
	if err != nil {
		return Transfer{}, err
	}
	return b.withEntry(ctx, t)
}

// withEntry completes an inter-bank payment with the entry that debited
// the customer.
func (b *Bank) withEntry(ctx context.Context, t InterbankTransfer) (Transfer, error) {
	e, err := b.postings.Entry(ctx, t.EntryID)
	if err != nil {
		return Transfer{}, err
	}
	return Transfer{Entry: e, Interbank: &t}, nil
}

// FindTransfer returns a transfer the caller may reach: an entry touching
// one of the caller's accounts, or an inter-bank payment out of one.
func (b *Bank) FindTransfer(ctx context.Context, id ledger.ID) (Transfer, error) {
	// An entry, whether this caller may reach it or not, is the answer;
	// only an id that is no entry may be an inter-bank payment's.
	e, err := b.entry(ctx, id)
	if fault.KindOf(err) != fault.NotFound || errors.Is(err, ErrNotFound) {
		return Transfer{Entry: e}, err
	}
	// Not an entry: perhaps an inter-bank payment.
	t, err := b.interbank.Transfer(ctx, id)
	if fault.KindOf(err) == fault.NotFound {
		return Transfer{}, ErrNotFound
	}
	if err != nil {
		return Transfer{}, err
	}
	if isCustomer(ctx) {
		if _, err := b.Account(ctx, t.FromAccountID); err != nil {
			return Transfer{}, ErrNotFound
		}
	}
	return b.withEntry(ctx, t)
}

// TransferByRef returns the transfer the caller posted with the external
// reference; one the caller may no longer reach is ErrNotFound.
func (b *Bank) TransferByRef(ctx context.Context, raw string) (Transfer, error) {
	e, err := b.postings.EntryByRef(ctx, refOf(ctx, raw))
	if err != nil {
		return Transfer{}, err
	}
	if err := b.reach(ctx, e); err != nil {
		return Transfer{}, err
	}
	if e.Metadata["clearing"] == "outbound" {
		// A payment to another bank is answered as the payment, as
		// GET /v1/transfers/{id} answers it.
		t, err := b.interbank.TransferByRef(ctx, e.ExternalRef)
		switch {
		case err == nil:
			return Transfer{Entry: e, Interbank: &t}, nil
		case fault.KindOf(err) != fault.NotFound:
			return Transfer{}, err
		}
		// Debited but not recorded yet (a retry of the request records
		// it): the entry is what there is.
	}
	return Transfer{Entry: e}, nil
}

// entry returns an entry the caller may reach.
func (b *Bank) entry(ctx context.Context, id ledger.ID) (ledger.Entry, error) {
	e, err := b.postings.Entry(ctx, id)
	if err != nil {
		return ledger.Entry{}, err
	}
	if err := b.reach(ctx, e); err != nil {
		return ledger.Entry{}, err
	}
	return e, nil
}

// reach refuses a customer an entry that touches no account of theirs.
func (b *Bank) reach(ctx context.Context, e ledger.Entry) error {
	if !isCustomer(ctx) {
		return nil
	}
	for _, p := range e.Postings {
		if a, err := b.accounts.Account(ctx, p.AccountID); err == nil && owns(ctx, a.OwnerID) {
			return nil
		}
	}
	return ErrNotFound
}

// Reverse posts the mirror entry of a transfer.
func (b *Bank) Reverse(ctx context.Context, id ledger.ID, description string) (ledger.Receipt, error) {
	e, err := b.entry(ctx, id)
	if err != nil {
		return ledger.Receipt{}, err
	}
	return b.postings.Reverse(ctx, ledger.ReversalRequest{EntryID: e.ID, Description: description, IdempotencyKey: keyFor(ctx, "reversal")})
}

// HoldRequest reserves part of an account's available balance.
type HoldRequest struct {
	AccountID   string      `json:"account_id"`
	Amount      money.Money `json:"amount"`
	ExpiresAt   *time.Time  `json:"expires_at,omitempty"`
	Description string      `json:"description,omitempty"`
	ExternalRef string      `json:"external_ref,omitempty" doc:"your own reference for the hold, unique among yours; find it again with GET /v1/holds?external_ref="`
}

// PlaceHold places a hold on an account.
func (b *Bank) PlaceHold(ctx context.Context, r HoldRequest) (ledger.HoldReceipt, error) {
	a, err := b.accountFor(ctx, "account_id", r.AccountID, r.Amount)
	if err != nil {
		return ledger.HoldReceipt{}, err
	}
	hr := ledger.HoldRequest{AccountID: a.ID, Amount: r.Amount, Description: r.Description, ExternalRef: refOf(ctx, r.ExternalRef),
		IdempotencyKey: keyFor(ctx, "hold")}
	if r.ExpiresAt != nil {
		hr.ExpiresAt = *r.ExpiresAt
	}
	return b.holds.PlaceHold(ctx, hr)
}

// Hold returns a hold on an account the caller may reach.
func (b *Bank) Hold(ctx context.Context, id ledger.ID) (ledger.Hold, error) {
	h, err := b.holds.Hold(ctx, id)
	if err != nil {
		return ledger.Hold{}, err
	}
	if isCustomer(ctx) {
		if _, err := b.Account(ctx, h.AccountID); err != nil {
			return ledger.Hold{}, ErrNotFound
		}
	}
	return h, nil
}

// HoldByRef returns the hold the caller placed with the external
// reference, if it is on an account the caller may reach.
func (b *Bank) HoldByRef(ctx context.Context, raw string) (ledger.Hold, error) {
	h, err := b.holds.HoldByRef(ctx, refOf(ctx, raw))
	if err != nil {
		return ledger.Hold{}, err
	}
	if isCustomer(ctx) {
		if _, err := b.Account(ctx, h.AccountID); err != nil {
			return ledger.Hold{}, ErrNotFound
		}
	}
	return h, nil
}

// CaptureRequest settles a hold, all of it or part (Amount), into another
// account; the rest is released.
type CaptureRequest struct {
	Amount      *money.Money `json:"amount,omitempty"`
	ToAccountID string       `json:"to_account_id"`
	Description string       `json:"description,omitempty"`
}

// CaptureHold captures a hold.
func (b *Bank) CaptureHold(ctx context.Context, id ledger.ID, r CaptureRequest) (ledger.Receipt, error) {
	h, err := b.Hold(ctx, id)
	if err != nil {
		return ledger.Receipt{}, err
	}
	to, err := b.namedAccount(ctx, "to_account_id", r.ToAccountID)
	if err != nil {
		return ledger.Receipt{}, err
	}
	cr := ledger.CaptureRequest{HoldID: h.ID, ToAccountID: to.ID, Description: r.Description, IdempotencyKey: keyFor(ctx, "capture")}
	if r.Amount != nil {
		cr.Amount = *r.Amount
	}
	return b.holds.CaptureHold(ctx, cr)
}

// ReleaseHold frees a hold.
func (b *Bank) ReleaseHold(ctx context.Context, id ledger.ID) (ledger.Hold, error) {
	h, err := b.Hold(ctx, id)
	if err != nil {
		return ledger.Hold{}, err
	}
	return b.holds.ReleaseHold(ctx, h.ID)
}
