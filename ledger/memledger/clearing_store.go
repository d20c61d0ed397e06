package memledger

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/shopspring/decimal"
)

// clearingState holds a Store's clearing and reconciliation records, under
// a lock of its own: nothing in it must change atomically with a posting
// (the Clearing makes those steps safe with idempotency keys).
type clearingState struct {
	mu sync.Mutex

	transfers    map[ledger.ID]clearing.Transfer
	transferKeys map[string]keyed
	byEndToEnd   map[string]ledger.ID
	byRef        map[ledger.ExternalRef]ledger.ID
	batches      map[ledger.ID]clearing.Batch
	inbound      map[inboundKey]clearing.InboundReport

	reports     map[reportKey]clearing.ReconReport
	reconciled  map[ledger.ID]map[ledger.ID]bool // account -> entries
	breaks      map[ledger.ID]clearing.ReconBreak
	openByEntry map[ledger.ID]ledger.ID // entry -> its open ledger break
}

type inboundKey struct{ kind, messageID string }

type reportKey struct {
	account     ledger.ID
	statementID string
}

func newClearingState() *clearingState {
	return &clearingState{
		transfers:    make(map[ledger.ID]clearing.Transfer),
		transferKeys: make(map[string]keyed),
		byEndToEnd:   make(map[string]ledger.ID),
		byRef:        make(map[ledger.ExternalRef]ledger.ID),
		batches:      make(map[ledger.ID]clearing.Batch),
		inbound:      make(map[inboundKey]clearing.InboundReport),
		reports:      make(map[reportKey]clearing.ReconReport),
		reconciled:   make(map[ledger.ID]map[ledger.ID]bool),
		breaks:       make(map[ledger.ID]clearing.ReconBreak),
		openByEntry:  make(map[ledger.ID]ledger.ID),
	}
}

func (s *Store) clearing() *clearingState { return s.clearingRecords }

// CreateClearingTransfer implements clearing.Store.
func (s *Store) CreateClearingTransfer(ctx context.Context, t clearing.Transfer, fp ledger.Fingerprint) (clearing.Transfer, bool, error) {
	if err := ctx.Err(); err != nil {
		return clearing.Transfer{}, false, err
	}
	if t.ID == ledger.NilID || t.IdempotencyKey == "" || t.EndToEndID == "" {
		return clearing.Transfer{}, false, fault.Field(ledger.ErrInvalidInput, "transfer", "needs an id, an end-to-end id and an idempotency key")
	}
	c := s.clearing()
	c.mu.Lock()
	defer c.mu.Unlock()
	if k, ok := c.transferKeys[t.IdempotencyKey]; ok {
		if k.fp != fp {
			return clearing.Transfer{}, false, ledger.ErrIdempotencyConflict
		}
		return c.transfers[k.id], true, nil
	}
	if _, dup := c.transfers[t.ID]; dup {
		return clearing.Transfer{}, false, fmt.Errorf("%w: transfer %s", ledger.ErrDuplicate, t.ID)
	}
	if _, dup := c.byEndToEnd[t.EndToEndID]; dup {
		return clearing.Transfer{}, false, fmt.Errorf("%w: end-to-end id %s", ledger.ErrDuplicate, t.EndToEndID)
	}
	if !t.ExternalRef.IsZero() {
		// The entry's reference decided already; this is the backstop
		// pgledger's unique index is.
		if id, dup := c.byRef[t.ExternalRef]; dup {
			return clearing.Transfer{}, false, ledger.RefTaken("transfer", t.ExternalRef, id)
		}
		c.byRef[t.ExternalRef] = t.ID
	}
	c.transfers[t.ID] = t
	c.transferKeys[t.IdempotencyKey] = keyed{fp: fp, id: t.ID}
	c.byEndToEnd[t.EndToEndID] = t.ID
	return t, false, nil
}

// ClearingTransfer implements clearing.Store.
func (s *Store) ClearingTransfer(ctx context.Context, id ledger.ID) (clearing.Transfer, error) {
	if err := ctx.Err(); err != nil {
		return clearing.Transfer{}, err
	}
	c := s.clearing()
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.transfers[id]
	if !ok {
		return clearing.Transfer{}, fmt.Errorf("%w: clearing transfer %s", ledger.ErrNotFound, id)
	}
	return t, nil
}

// ClearingTransferByEndToEnd implements clearing.Store.
func (s *Store) ClearingTransferByEndToEnd(ctx context.Context, endToEndID string) (clearing.Transfer, error) {
	if err := ctx.Err(); err != nil {
		return clearing.Transfer{}, err
	}
	c := s.clearing()
	c.mu.Lock()
	defer c.mu.Unlock()
	id, ok := c.byEndToEnd[endToEndID]
	if !ok {
		return clearing.Transfer{}, fmt.Errorf("%w: no transfer with end-to-end id %q", ledger.ErrNotFound, endToEndID)
	}
	return c.transfers[id], nil
}

// ClearingTransferByRef implements clearing.Store.
func (s *Store) ClearingTransferByRef(ctx context.Context, r ledger.ExternalRef) (clearing.Transfer, error) {
	if err := ctx.Err(); err != nil {
		return clearing.Transfer{}, err
	}
	c := s.clearing()
	c.mu.Lock()
	defer c.mu.Unlock()
	id, ok := c.byRef[r]
	if !ok {
		return clearing.Transfer{}, fmt.Errorf("%w: no transfer with external reference %q", ledger.ErrNotFound, r.Ref)
	}
	return c.transfers[id], nil
}

// UpdateClearingTransfer implements clearing.Store.
func (s *Store) UpdateClearingTransfer(ctx context.Context, id ledger.ID, fn func(clearing.Transfer) (clearing.Transfer, error)) (clearing.Transfer, error) {
	if err := ctx.Err(); err != nil {
		return clearing.Transfer{}, err
	}
	c := s.clearing()
	c.mu.Lock()
	defer c.mu.Unlock()
	old, ok := c.transfers[id]
	if !ok {
		return clearing.Transfer{}, fmt.Errorf("%w: clearing transfer %s", ledger.ErrNotFound, id)
	}
	t, err := fn(old)
	if err != nil {
		return clearing.Transfer{}, err
	}
	// Identity and the request's fields are fixed; only the life cycle moves.
	t.ID, t.EntryID, t.FromAccountID, t.FromAccountNumber, t.DebtorName = old.ID, old.EntryID, old.FromAccountID, old.FromAccountNumber, old.DebtorName
	t.To, t.Amount, t.EndToEndID, t.Description, t.CreatedAt, t.IdempotencyKey = old.To, old.Amount, old.EndToEndID, old.Description, old.CreatedAt, old.IdempotencyKey
	t.Channel, t.Route, t.Urgent, t.SendAfter, t.Fee = old.Channel, old.Route, old.Urgent, old.SendAfter, old.Fee
	t.ExternalRef = old.ExternalRef
	c.transfers[id] = t
	return t, nil
}

// CutClearingBatch implements clearing.Store.
func (s *Store) CutClearingBatch(ctx context.Context, b clearing.Batch, limit int) (clearing.Batch, error) {
	if err := ctx.Err(); err != nil {
		return clearing.Batch{}, err
	}
	c := s.clearing()
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, dup := c.batches[b.ID]; dup {
		return clearing.Batch{}, fmt.Errorf("%w: batch %s", ledger.ErrDuplicate, b.ID)
	}
	var ids []ledger.ID
	for id, t := range c.transfers {
		if t.Status == clearing.StatusPending && t.Amount.Currency == b.Currency && t.Channel == b.Channel && !t.SendAfter.After(b.CreatedAt) {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, ledger.CompareIDs)
	if len(ids) > limit {
		ids = ids[:limit]
	}
	b.TransferIDs = nil
	b.Message = nil
	if len(ids) == 0 {
		return b, nil
	}
	total := decimal.Zero
	for _, id := range ids {
		t := c.transfers[id]
		t.Status, t.BatchID, t.UpdatedAt = clearing.StatusBatched, b.ID, b.CreatedAt
		c.transfers[id] = t
		total = total.Add(t.Amount.Amount)
	}
	b.Total.Currency, b.Total.Amount = b.Currency, total
	b.TransferIDs = ids
	c.batches[b.ID] = cloneBatch(b)
	return b, nil
}

func cloneBatch(b clearing.Batch) clearing.Batch {
	b.TransferIDs = slices.Clone(b.TransferIDs)
	b.Message = nil
	return b
}

// ClearingBatch implements clearing.Store.
func (s *Store) ClearingBatch(ctx context.Context, id ledger.ID) (clearing.Batch, error) {
	if err := ctx.Err(); err != nil {
		return clearing.Batch{}, err
	}
	c := s.clearing()
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.batches[id]
	if !ok {
		return clearing.Batch{}, fmt.Errorf("%w: clearing batch %s", ledger.ErrNotFound, id)
	}
	return cloneBatch(b), nil
}

// ClearingTransfersOfBatch implements clearing.Store.
func (s *Store) ClearingTransfersOfBatch(ctx context.Context, batchID ledger.ID) ([]clearing.Transfer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c := s.clearing()
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.batches[batchID]
	if !ok {
		return nil, fmt.Errorf("%w: clearing batch %s", ledger.ErrNotFound, batchID)
	}
	ts := make([]clearing.Transfer, len(b.TransferIDs))
	for i, id := range b.TransferIDs {
		ts[i] = c.transfers[id]
	}
	return ts, nil
}

// SettleClearingBatch implements clearing.Store.
func (s *Store) SettleClearingBatch(ctx context.Context, id ledger.ID, at time.Time) (clearing.Batch, bool, error) {
	if err := ctx.Err(); err != nil {
		return clearing.Batch{}, false, err
	}
	c := s.clearing()
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.batches[id]
	if !ok {
		return clearing.Batch{}, false, fmt.Errorf("%w: clearing batch %s", ledger.ErrNotFound, id)
	}
	if b.Settled {
		return cloneBatch(b), true, nil
	}
	total := decimal.Zero
	for _, tid := range b.TransferIDs {
		t := c.transfers[tid]
		if t.Status != clearing.StatusBatched {
			continue
		}
		t.Status, t.UpdatedAt = clearing.StatusSettled, at
		c.transfers[tid] = t
		total = total.Add(t.Amount.Amount)
	}
	b.Settled, b.SettledAt = true, at
	b.SettledTotal.Currency, b.SettledTotal.Amount = b.Currency, total
	c.batches[id] = b
	return cloneBatch(b), false, nil
}

// SetSettlementEntry implements clearing.Store.
func (s *Store) SetSettlementEntry(ctx context.Context, batchID, entryID ledger.ID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c := s.clearing()
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.batches[batchID]
	if !ok {
		return fmt.Errorf("%w: clearing batch %s", ledger.ErrNotFound, batchID)
	}
	b.SettlementEntryID = entryID
	c.batches[batchID] = b
	return nil
}

// InboundResult implements clearing.Store.
func (s *Store) InboundResult(ctx context.Context, kind, messageID string) (clearing.InboundReport, error) {
	if err := ctx.Err(); err != nil {
		return clearing.InboundReport{}, err
	}
	c := s.clearing()
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.inbound[inboundKey{kind, messageID}]
	if !ok {
		return clearing.InboundReport{}, fmt.Errorf("%w: no %s message %q received", ledger.ErrNotFound, kind, messageID)
	}
	return cloneInbound(r), nil
}

// SaveInboundResult implements clearing.Store.
func (s *Store) SaveInboundResult(ctx context.Context, r clearing.InboundReport) (clearing.InboundReport, bool, error) {
	if err := ctx.Err(); err != nil {
		return clearing.InboundReport{}, false, err
	}
	c := s.clearing()
	c.mu.Lock()
	defer c.mu.Unlock()
	k := inboundKey{r.Kind, r.MessageID}
	if prior, ok := c.inbound[k]; ok {
		return cloneInbound(prior), true, nil
	}
	r.Replayed = false
	c.inbound[k] = cloneInbound(r)
	return cloneInbound(r), false, nil
}

func cloneInbound(r clearing.InboundReport) clearing.InboundReport {
	r.Credited = slices.Clone(r.Credited)
	r.Returned = slices.Clone(r.Returned)
	r.Rejected = slices.Clone(r.Rejected)
	r.ReturnMessage = slices.Clone(r.ReturnMessage)
	return r
}
