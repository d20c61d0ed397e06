package memledger

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/shopspring/decimal"
)

var _ ledger.ClearingStore = (*Store)(nil)

// clearingState holds a Store's clearing and reconciliation records, under
// a lock of its own: nothing in it must change atomically with a posting
// (the Clearing makes those steps safe with idempotency keys).
type clearingState struct {
	mu sync.Mutex

	transfers    map[ledger.ID]ledger.ClearingTransfer
	transferKeys map[string]keyed
	byEndToEnd   map[string]ledger.ID
	batches      map[ledger.ID]ledger.ClearingBatch
	inbound      map[inboundKey]ledger.InboundReport

	reports     map[reportKey]ledger.ReconReport
	reconciled  map[ledger.ID]map[ledger.ID]bool // account -> entries
	breaks      map[ledger.ID]ledger.ReconBreak
	openByEntry map[ledger.ID]ledger.ID // entry -> its open ledger break
}

type inboundKey struct{ kind, messageID string }

type reportKey struct {
	account     ledger.ID
	statementID string
}

func newClearingState() *clearingState {
	return &clearingState{
		transfers:    make(map[ledger.ID]ledger.ClearingTransfer),
		transferKeys: make(map[string]keyed),
		byEndToEnd:   make(map[string]ledger.ID),
		batches:      make(map[ledger.ID]ledger.ClearingBatch),
		inbound:      make(map[inboundKey]ledger.InboundReport),
		reports:      make(map[reportKey]ledger.ReconReport),
		reconciled:   make(map[ledger.ID]map[ledger.ID]bool),
		breaks:       make(map[ledger.ID]ledger.ReconBreak),
		openByEntry:  make(map[ledger.ID]ledger.ID),
	}
}

func (s *Store) clearing() *clearingState { return s.clearingRecords }

// CreateClearingTransfer implements ledger.ClearingStore.
func (s *Store) CreateClearingTransfer(ctx context.Context, t ledger.ClearingTransfer, fp ledger.Fingerprint) (ledger.ClearingTransfer, bool, error) {
	if err := ctx.Err(); err != nil {
		return ledger.ClearingTransfer{}, false, err
	}
	if t.ID == ledger.NilID || t.IdempotencyKey == "" || t.EndToEndID == "" {
		return ledger.ClearingTransfer{}, false, fault.Field(ledger.ErrInvalidInput, "transfer", "needs an id, an end-to-end id and an idempotency key")
	}
	c := s.clearing()
	c.mu.Lock()
	defer c.mu.Unlock()
	if k, ok := c.transferKeys[t.IdempotencyKey]; ok {
		if k.fp != fp {
			return ledger.ClearingTransfer{}, false, ledger.ErrIdempotencyConflict
		}
		return c.transfers[k.id], true, nil
	}
	if _, dup := c.transfers[t.ID]; dup {
		return ledger.ClearingTransfer{}, false, fmt.Errorf("%w: transfer %s", ledger.ErrDuplicate, t.ID)
	}
	if _, dup := c.byEndToEnd[t.EndToEndID]; dup {
		return ledger.ClearingTransfer{}, false, fmt.Errorf("%w: end-to-end id %s", ledger.ErrDuplicate, t.EndToEndID)
	}
	c.transfers[t.ID] = t
	c.transferKeys[t.IdempotencyKey] = keyed{fp: fp, id: t.ID}
	c.byEndToEnd[t.EndToEndID] = t.ID
	return t, false, nil
}

// ClearingTransfer implements ledger.ClearingStore.
func (s *Store) ClearingTransfer(ctx context.Context, id ledger.ID) (ledger.ClearingTransfer, error) {
	if err := ctx.Err(); err != nil {
		return ledger.ClearingTransfer{}, err
	}
	c := s.clearing()
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.transfers[id]
	if !ok {
		return ledger.ClearingTransfer{}, fmt.Errorf("%w: clearing transfer %s", ledger.ErrNotFound, id)
	}
	return t, nil
}

// ClearingTransferByEndToEnd implements ledger.ClearingStore.
func (s *Store) ClearingTransferByEndToEnd(ctx context.Context, endToEndID string) (ledger.ClearingTransfer, error) {
	if err := ctx.Err(); err != nil {
		return ledger.ClearingTransfer{}, err
	}
	c := s.clearing()
	c.mu.Lock()
	defer c.mu.Unlock()
	id, ok := c.byEndToEnd[endToEndID]
	if !ok {
		return ledger.ClearingTransfer{}, fmt.Errorf("%w: no transfer with end-to-end id %q", ledger.ErrNotFound, endToEndID)
	}
	return c.transfers[id], nil
}

// UpdateClearingTransfer implements ledger.ClearingStore.
func (s *Store) UpdateClearingTransfer(ctx context.Context, id ledger.ID, fn func(ledger.ClearingTransfer) (ledger.ClearingTransfer, error)) (ledger.ClearingTransfer, error) {
	if err := ctx.Err(); err != nil {
		return ledger.ClearingTransfer{}, err
	}
	c := s.clearing()
	c.mu.Lock()
	defer c.mu.Unlock()
	old, ok := c.transfers[id]
	if !ok {
		return ledger.ClearingTransfer{}, fmt.Errorf("%w: clearing transfer %s", ledger.ErrNotFound, id)
	}
	t, err := fn(old)
	if err != nil {
		return ledger.ClearingTransfer{}, err
	}
	// Identity and the request's fields are fixed; only the life cycle moves.
	t.ID, t.EntryID, t.FromAccountID, t.FromAccountNumber, t.DebtorName = old.ID, old.EntryID, old.FromAccountID, old.FromAccountNumber, old.DebtorName
	t.To, t.Amount, t.EndToEndID, t.Description, t.CreatedAt, t.IdempotencyKey = old.To, old.Amount, old.EndToEndID, old.Description, old.CreatedAt, old.IdempotencyKey
	c.transfers[id] = t
	return t, nil
}

// CutClearingBatch implements ledger.ClearingStore.
func (s *Store) CutClearingBatch(ctx context.Context, b ledger.ClearingBatch, limit int) (ledger.ClearingBatch, error) {
	if err := ctx.Err(); err != nil {
		return ledger.ClearingBatch{}, err
	}
	c := s.clearing()
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, dup := c.batches[b.ID]; dup {
		return ledger.ClearingBatch{}, fmt.Errorf("%w: batch %s", ledger.ErrDuplicate, b.ID)
	}
	var ids []ledger.ID
	for id, t := range c.transfers {
		if t.Status == ledger.ClearingPending && t.Amount.Currency == b.Currency {
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
		t.Status, t.BatchID, t.UpdatedAt = ledger.ClearingBatched, b.ID, b.CreatedAt
		c.transfers[id] = t
		total = total.Add(t.Amount.Amount)
	}
	b.Total.Currency, b.Total.Amount = b.Currency, total
	b.TransferIDs = ids
	c.batches[b.ID] = cloneBatch(b)
	return b, nil
}

func cloneBatch(b ledger.ClearingBatch) ledger.ClearingBatch {
	b.TransferIDs = slices.Clone(b.TransferIDs)
	b.Message = nil
	return b
}

// ClearingBatch implements ledger.ClearingStore.
func (s *Store) ClearingBatch(ctx context.Context, id ledger.ID) (ledger.ClearingBatch, error) {
	if err := ctx.Err(); err != nil {
		return ledger.ClearingBatch{}, err
	}
	c := s.clearing()
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.batches[id]
	if !ok {
		return ledger.ClearingBatch{}, fmt.Errorf("%w: clearing batch %s", ledger.ErrNotFound, id)
	}
	return cloneBatch(b), nil
}

// ClearingTransfersOfBatch implements ledger.ClearingStore.
func (s *Store) ClearingTransfersOfBatch(ctx context.Context, batchID ledger.ID) ([]ledger.ClearingTransfer, error) {
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
	ts := make([]ledger.ClearingTransfer, len(b.TransferIDs))
	for i, id := range b.TransferIDs {
		ts[i] = c.transfers[id]
	}
	return ts, nil
}

// SettleClearingBatch implements ledger.ClearingStore.
func (s *Store) SettleClearingBatch(ctx context.Context, id ledger.ID, at time.Time) (ledger.ClearingBatch, bool, error) {
	if err := ctx.Err(); err != nil {
		return ledger.ClearingBatch{}, false, err
	}
	c := s.clearing()
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.batches[id]
	if !ok {
		return ledger.ClearingBatch{}, false, fmt.Errorf("%w: clearing batch %s", ledger.ErrNotFound, id)
	}
	if b.Settled {
		return cloneBatch(b), true, nil
	}
	total := decimal.Zero
	for _, tid := range b.TransferIDs {
		t := c.transfers[tid]
		if t.Status != ledger.ClearingBatched {
			continue
		}
		t.Status, t.UpdatedAt = ledger.ClearingSettled, at
		c.transfers[tid] = t
		total = total.Add(t.Amount.Amount)
	}
	b.Settled, b.SettledAt = true, at
	b.SettledTotal.Currency, b.SettledTotal.Amount = b.Currency, total
	c.batches[id] = b
	return cloneBatch(b), false, nil
}

// SetSettlementEntry implements ledger.ClearingStore.
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

// InboundResult implements ledger.ClearingStore.
func (s *Store) InboundResult(ctx context.Context, kind, messageID string) (ledger.InboundReport, error) {
	if err := ctx.Err(); err != nil {
		return ledger.InboundReport{}, err
	}
	c := s.clearing()
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.inbound[inboundKey{kind, messageID}]
	if !ok {
		return ledger.InboundReport{}, fmt.Errorf("%w: no %s message %q received", ledger.ErrNotFound, kind, messageID)
	}
	return cloneInbound(r), nil
}

// SaveInboundResult implements ledger.ClearingStore.
func (s *Store) SaveInboundResult(ctx context.Context, r ledger.InboundReport) (ledger.InboundReport, bool, error) {
	if err := ctx.Err(); err != nil {
		return ledger.InboundReport{}, false, err
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

func cloneInbound(r ledger.InboundReport) ledger.InboundReport {
	r.Credited = slices.Clone(r.Credited)
	r.Returned = slices.Clone(r.Returned)
	r.Rejected = slices.Clone(r.Rejected)
	r.ReturnMessage = slices.Clone(r.ReturnMessage)
	return r
}
