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
	if err := validAmount("amount", r.Amount); err != nil {
		return Receipt{}, err
	}
	vault, err := s.chartID(ctx, r.Amount.Currency, CodeVaultCash)
	if errors.Is(err, ErrNotFound) {
		err = s.explainMissingChart(ctx, r.AccountID, r.Amount.Currency, err)
	}
	if err != nil {
		return Receipt{}, err
	}
	if vault == r.AccountID {
		return Receipt{}, invalid("account_id", "cash moves between vault cash and another account")
	}
	from, to := vault, r.AccountID
	if kind == KindWithdrawal {
		from, to = to, from
	}
	e, fp, err := s.movementEntry(ctx, scope, kind, from, to, r.Amount, r.Description, r.Metadata, r.ValueDate, r.IdempotencyKey)
	if err != nil {
		return Receipt{}, err
	}
	return s.postOne(ctx, e, fp)
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
	req, err := s.transferRequest(ctx, r)
	if err != nil {
		return Receipt{}, err
	}
	return s.postOne(ctx, req.Entry, req.Fingerprint)
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
	today, err := s.BusinessDate(ctx)
	if err != nil {
		return nil, err
	}
	ctx = context.WithValue(ctx, businessDateKey{}, today)
	results := make([]BatchResult, len(rs))
	reqs := make([]PostRequest, 0, len(rs))
	index := make([]int, 0, len(rs)) // reqs[j] is rs[index[j]]
	for i, r := range rs {
		req, err := s.transferRequest(ctx, r)
		if err != nil {
			results[i].Err = err
			continue
		}
		reqs = append(reqs, req)
		index = append(index, i)
	}
	if len(reqs) == 0 {
		return results, nil
	}
	posted, err := s.store.PostEntries(ctx, reqs)
	if err != nil {
		return nil, err
	}
	for j, p := range posted {
		results[index[j]] = BatchResult{Receipt: Receipt{Entry: p.Entry, Replayed: p.Replayed}, Err: p.Err}
	}
	return results, nil
}

// MaxBatch is the most transfers TransferBatch takes at once.
const MaxBatch = 1000

func (s *Service) transferRequest(ctx context.Context, r TransferRequest) (PostRequest, error) {
	switch {
	case r.FromAccountID == NilID:
		return PostRequest{}, invalid("from_account_id", "is required")
	case r.ToAccountID == NilID:
		return PostRequest{}, invalid("to_account_id", "is required")
	case r.FromAccountID == r.ToAccountID:
		return PostRequest{}, invalid("to_account_id", "must differ from from_account_id")
	}
	if err := validAmount("amount", r.Amount); err != nil {
		return PostRequest{}, err
	}
	e, fp, err := s.movementEntry(ctx, scopeTransfer, KindTransfer, r.FromAccountID, r.ToAccountID,
		r.Amount, r.Description, r.Metadata, r.ValueDate, r.IdempotencyKey)
	return PostRequest{Entry: e, Fingerprint: fp}, err
}

// movementEntry builds the two-posting entry debiting from and crediting to.
func (s *Service) movementEntry(ctx context.Context, scope string, kind EntryKind, from, to ID, amount money.Money,
	desc string, meta map[string]string, requestedDate calendar.Date, key string) (Entry, Fingerprint, error) {
	scoped, err := scopedKey(scope, key)
	if err != nil {
		return Entry{}, Fingerprint{}, err
	}
	now := s.clock.Now() // BookedAt, and the initial business date
	vd, err := s.valueDateAt(ctx, requestedDate, now)
	if err != nil {
		return Entry{}, Fingerprint{}, err
	}
	e := Entry{
		ID:             NewID(),
		Kind:           kind,
		IdempotencyKey: scoped,
		Postings: []Posting{
			{AccountID: from, Side: Debit, Amount: amount},
			{AccountID: to, Side: Credit, Amount: amount},
		},
		ValueDate:   vd,
		BookedAt:    now,
		Description: desc,
		Metadata:    meta,
	}
	if err := validateText(desc, meta, ""); err != nil {
		return Entry{}, Fingerprint{}, err
	}
	var fp Fingerprint
	if scoped != "" {
		fp = fingerprintMovement(scope, from, to, amount, desc, meta, requestedDate)
	}
	return e, fp, nil
}

// PostEntry posts any balanced entry of two or more postings, for other
// subsystems (loan disbursements, interest, fees). Accounts are checked as
// for any posting: status, currency and balance policy.
func (s *Service) PostEntry(ctx context.Context, r JournalRequest) (Receipt, error) {
	scoped, err := scopedKey(scopeJournal, r.IdempotencyKey)
	if err != nil {
		return Receipt{}, err
	}
	vd, err := s.valueDate(ctx, r.ValueDate)
	if err != nil {
		return Receipt{}, err
	}
	e := Entry{
		ID:             NewID(),
		Kind:           KindJournal,
		IdempotencyKey: scoped,
		Postings:       append([]Posting(nil), r.Postings...),
		ValueDate:      vd,
		BookedAt:       s.clock.Now(),
		Description:    r.Description,
		Metadata:       r.Metadata,
	}
	if err := e.Validate(); err != nil {
		return Receipt{}, err
	}
	var fp Fingerprint
	if scoped != "" {
		f := newFingerprinter(scopeJournal).str(r.Description).str(r.ValueDate.String())
		for _, p := range r.Postings {
			f.id(p.AccountID).str(string(p.Side)).str(p.Amount.Amount.String()).str(string(p.Amount.Currency))
		}
		fp = fingerprintMetadata(f, r.Metadata).sum()
	}
	return s.postOne(ctx, e, fp)
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
	vd, err := s.valueDate(ctx, calendar.Date{})
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
		fp = newFingerprinter(scopeReversal).id(r.EntryID).str(r.Description).sum()
	}
	return s.postOne(ctx, e, fp)
}

func (s *Service) postOne(ctx context.Context, e Entry, fp Fingerprint) (Receipt, error) {
	res, err := s.store.PostEntries(ctx, []PostRequest{{Entry: e, Fingerprint: fp}})
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
