package ledger

import (
	"context"
	"errors"
	"fmt"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// Deposit books cash paid into an account: debit vault cash, credit the
// account. The currency's chart must exist (SetupChart).
func (s *Service) Deposit(ctx context.Context, r DepositRequest) (Receipt, error) {
	return s.cash(ctx, scopeDeposit, KindDeposit, r)
}

// Withdraw books cash paid out of an account: debit the account, credit
// vault cash. It is refused with ErrInsufficientFunds when the available
// balance is short.
func (s *Service) Withdraw(ctx context.Context, r WithdrawalRequest) (Receipt, error) {
	return s.cash(ctx, scopeWithdraw, KindWithdrawal, DepositRequest(r))
}

func (s *Service) cash(ctx context.Context, scope string, kind EntryKind, r DepositRequest) (Receipt, error) {
	if r.AccountID == NilID {
		return Receipt{}, invalid("account_id", "is required")
	}
	if err := ValidateAmount("amount", r.Amount); err != nil {
		return Receipt{}, err
	}
	vault, err := s.ChartAccountID(ctx, r.Amount.Currency, CodeVaultCash)
	if errors.Is(err, ErrNotFound) {
		err = s.explainMissingChart(ctx, r.AccountID, r.Amount.Currency, err)
	}
	if err != nil {
		return Receipt{}, err
	}
	if vault == r.AccountID {
		return Receipt{}, invalid("account_id", "cash moves between vault cash and another account")
	}
	req, err := s.movementEntry(ctx, r.movement(scope, kind, vault), calendar.Date{})
	if err != nil {
		return Receipt{}, err
	}
	return s.postOne(ctx, req)
}

// explainMissingChart turns "no chart in this currency" into the caller's
// real mistake when there is one: an unknown account, or an account in
// another currency than the amount.
func (s *Service) explainMissingChart(ctx context.Context, accountID ID, c money.Currency, noChart error) error {
	a, err := s.store.Account(ctx, accountID)
	switch {
	case err != nil:
		return err
	case a.Currency != c:
		return fmt.Errorf("%w: account %s is in %s, not %s", ErrCurrencyMismatch, a.Number, a.Currency, c)
	}
	return noChart
}

// Transfer moves money between two accounts of the same currency.
func (s *Service) Transfer(ctx context.Context, r TransferRequest) (Receipt, error) {
	req, err := s.transferRequest(ctx, r, calendar.Date{})
	if err != nil {
		return Receipt{}, err
	}
	return s.postOne(ctx, req)
}

// TransferBatch posts many independent transfers in one call, which a
// store may do in one transaction. Each transfer succeeds or fails on its
// own: result i is transfer i's receipt or error, and a refused transfer
// leaves no trace. The error is for the batch as a whole (more than
// MaxBatch transfers, a store failure); then no result is known.
func (s *Service) TransferBatch(ctx context.Context, rs []TransferRequest) ([]BatchResult, error) {
	if len(rs) > MaxBatch {
		return nil, invalid("transfers", fmt.Sprintf("at most %d per batch", MaxBatch))
	}
	today, err := s.BusinessDate(ctx) // once for the batch, not once a transfer
	if err != nil {
		return nil, err
	}
	results := make([]BatchResult, len(rs))
	reqs := make([]PostRequest, 0, len(rs))
	index := make([]int, 0, len(rs)) // reqs[j] is rs[index[j]]
	for i, r := range rs {
		req, err := s.transferRequest(ctx, r, today)
		if err != nil {
			results[i].Err = err
			continue
		}
		reqs = append(reqs, req)
		index = append(index, i)
	}
	if err := s.postRequests(ctx, reqs, index, results); err != nil {
		return nil, err
	}
	return results, nil
}

// postRequests posts reqs, MaxBatch at a time, and writes the result of
// reqs[j] to results[index[j]].
func (s *Service) postRequests(ctx context.Context, reqs []PostRequest, index []int, results []BatchResult) error {
	if len(reqs) == 0 {
		return nil
	}
	if err := s.waitBeforePost(ctx); err != nil {
		return err
	}
	for start := 0; start < len(reqs); start += MaxBatch {
		chunk := reqs[start:min(start+MaxBatch, len(reqs))]
		posted, err := s.store.PostEntries(ctx, chunk)
		if err != nil {
			return err
		}
		if len(posted) != len(chunk) {
			return fmt.Errorf("ledger: store returned %d results for %d entries", len(posted), len(chunk))
		}
		for j, p := range posted {
			results[index[start+j]] = BatchResult{Receipt: Receipt{Entry: p.Entry, Replayed: p.Replayed}, Err: p.Err}
		}
	}
	return nil
}

// MaxBatch is the most transfers TransferBatch takes at once, and the most
// entries PostJournal hands the store at once.
const MaxBatch = 1000

// transferRequest builds a transfer's entry on the business date today,
// which is read here when zero.
func (s *Service) transferRequest(ctx context.Context, r TransferRequest, today calendar.Date) (PostRequest, error) {
	switch {
	case r.FromAccountID == NilID:
		return PostRequest{}, invalid("from_account_id", "is required")
	case r.ToAccountID == NilID:
		return PostRequest{}, invalid("to_account_id", "is required")
	case r.FromAccountID == r.ToAccountID:
		return PostRequest{}, invalid("to_account_id", "must differ from from_account_id")
	}
	if err := ValidateAmount("amount", r.Amount); err != nil {
		return PostRequest{}, err
	}
	return s.movementEntry(ctx, r.movement(), today)
}

// movement is a deposit, withdrawal or transfer: one amount debited from
// one account and credited to another.
type movement struct {
	scope       string
	kind        EntryKind
	from, to    ID
	amount      money.Money
	description string
	metadata    map[string]string
	valueDate   calendar.Date // requested; zero: the business date
	key         string        // the caller's, unscoped
}

// movementEntry builds the two-posting entry of m on the business date
// today, which is read here (with the clock reading that stamps the
// entry) when zero.
func (s *Service) movementEntry(ctx context.Context, m movement, today calendar.Date) (PostRequest, error) {
	scoped, err := scopedKey(m.scope, m.key)
	if err != nil {
		return PostRequest{}, err
	}
	now := s.clock.Now() // BookedAt, and the initial business date
	if today.IsZero() {
		if today, err = s.businessDate(ctx, now); err != nil {
			return PostRequest{}, err
		}
	}
	vd, err := valueDate(m.valueDate, today)
	if err != nil {
		return PostRequest{}, err
	}
	e := Entry{
		ID:             NewID(),
		Kind:           m.kind,
		IdempotencyKey: scoped,
		Postings: []Posting{
			{AccountID: m.from, Side: Debit, Amount: m.amount},
			{AccountID: m.to, Side: Credit, Amount: m.amount},
		},
		ValueDate:   vd,
		BookedAt:    now,
		Description: m.description,
		Metadata:    m.metadata,
	}
	if err := validateText(m.description, m.metadata, ""); err != nil {
		return PostRequest{}, err
	}
	if err := s.screen(ctx, m, e); err != nil {
		return PostRequest{}, err
	}
	var fp Fingerprint
	if scoped != "" {
		fp = m.fingerprint()
	}
	return PostRequest{Entry: e, Fingerprint: fp}, nil
}

// Reverse posts the mirror of an entry — the same amounts on the opposite
// sides — linked to it. An entry is reversed at most once
// (ErrAlreadyReversed) and a reversal is not itself reversed. The reversal
// ignores freezes and balance policies (see Apply) but not closed
// accounts.
func (s *Service) Reverse(ctx context.Context, r ReversalRequest) (Receipt, error) {
	if r.EntryID == NilID {
		return Receipt{}, invalid("entry_id", "is required")
	}
	scoped, err := scopedKey(scopeReversal, r.IdempotencyKey)
	if err != nil {
		return Receipt{}, err
	}
	original, err := s.store.Entry(ctx, r.EntryID)
	if err != nil {
		return Receipt{}, err
	}
	if original.Kind == KindReversal {
		return Receipt{}, invalid("entry_id", "is a reversal; post a new entry instead")
	}
	vd, err := s.BusinessDate(ctx)
	if err != nil {
		return Receipt{}, err
	}
	desc := r.Description
	if desc == "" {
		desc = "Reversal of " + original.ID.String()
	}
	e := Entry{
		ID:             NewID(),
		Kind:           KindReversal,
		IdempotencyKey: scoped,
		Postings:       original.Mirror(),
		ValueDate:      vd,
		BookedAt:       s.clock.Now(),
		Description:    desc,
		Reverses:       original.ID,
	}
	if err := e.Validate(); err != nil {
		return Receipt{}, err
	}
	var fp Fingerprint
	if scoped != "" {
		fp = r.fingerprint()
	}
	return s.postOne(ctx, PostRequest{Entry: e, Fingerprint: fp})
}

// postOne posts one entry and returns its result as the error or receipt.
func (s *Service) postOne(ctx context.Context, req PostRequest) (Receipt, error) {
	if err := s.waitBeforePost(ctx); err != nil {
		return Receipt{}, err
	}
	res, err := s.store.PostEntries(ctx, []PostRequest{req})
	if err != nil {
		return Receipt{}, err
	}
	if len(res) != 1 {
		return Receipt{}, fmt.Errorf("ledger: store returned %d results for one entry", len(res))
	}
	if res[0].Err != nil {
		return Receipt{}, res[0].Err
	}
	return Receipt{Entry: res[0].Entry, Replayed: res[0].Replayed}, nil
}
