package clearing

import (
	"context"
	"time"

	"github.com/bankkit/bankkit/ledger"
)

// Store is what clearing needs from a backend besides a ledger.Store: the
// records of outbound transfers, batches and inbound messages, and the
// steps on them that must be atomic. Postings go through the
// ledger.Service; each step that must go with a posting is made safe by
// the posting's idempotency key, so a crash between the two is mended by
// running the operation again. Errors are the ledger's sentinels
// (ledger.ErrNotFound, ...).
//
// Every method is safe for concurrent use. The package clearingtest holds
// the contract suite (clearingtest.Run).
type Store interface {
	// CreateClearingTransfer stores a new transfer. t.IdempotencyKey is
	// never empty: when a transfer with that key exists it is returned
	// with replayed == true if fp matches, ErrIdempotencyConflict if not.
	// Errors: ErrDuplicate if the ID or EndToEndID is taken.
	CreateClearingTransfer(ctx context.Context, t Transfer, fp ledger.Fingerprint) (stored Transfer, replayed bool, err error)

	// ClearingTransfer returns the transfer. Errors: ErrNotFound.
	ClearingTransfer(ctx context.Context, id ledger.ID) (Transfer, error)

	// ClearingTransferByEndToEnd returns the transfer with that end-to-end
	// reference. Errors: ErrNotFound.
	ClearingTransferByEndToEnd(ctx context.Context, endToEndID string) (Transfer, error)

	// ClearingTransferByRef returns the transfer with that external
	// reference (Transfer.ExternalRef, never zero here). Errors:
	// ErrNotFound.
	ClearingTransferByRef(ctx context.Context, r ledger.ExternalRef) (Transfer, error)

	// UpdateClearingTransfer reads the transfer, calls fn and stores what
	// it returns, atomically (compare-and-set). If fn fails nothing changes
	// and its error is returned as is. Errors: ErrNotFound.
	UpdateClearingTransfer(ctx context.Context, id ledger.ID, fn func(Transfer) (Transfer, error)) (Transfer, error)

	// CutClearingBatch atomically takes up to limit pending_clearing
	// transfers in b.Currency of channel b.Channel (empty: those of no
	// channel) whose SendAfter is not after b.CreatedAt (zero: always due),
	// oldest (lowest ID) first, marks them batched
	// with BatchID b.ID and UpdatedAt b.CreatedAt, and stores b with their
	// IDs (ascending) and Total. A transfer goes into one batch only, however
	// many cuts run at once. With no pending transfer it stores nothing and
	// returns b with no TransferIDs.
	CutClearingBatch(ctx context.Context, b Batch, limit int) (Batch, error)

	// ClearingBatch returns the batch (Message is not required).
	// Errors: ErrNotFound.
	ClearingBatch(ctx context.Context, id ledger.ID) (Batch, error)

	// ClearingTransfersOfBatch returns the batch's transfers in ascending ID
	// order. Errors: ErrNotFound (batch).
	ClearingTransfersOfBatch(ctx context.Context, batchID ledger.ID) ([]Transfer, error)

	// SettleClearingBatch atomically marks the batch settled at at, marks
	// each of its batched transfers settled, and records their sum as
	// SettledTotal. A batch settled before is returned as it is, with
	// already == true. Errors: ErrNotFound.
	SettleClearingBatch(ctx context.Context, id ledger.ID, at time.Time) (b Batch, already bool, err error)

	// SetSettlementEntry records the entry that moved a settled batch's
	// total. Errors: ErrNotFound.
	SetSettlementEntry(ctx context.Context, batchID, entryID ledger.ID) error

	// InboundResult returns the stored outcome of an inbound message by its
	// kind and message id. Errors: ErrNotFound.
	InboundResult(ctx context.Context, kind, messageID string) (InboundReport, error)

	// SaveInboundResult stores the outcome of an inbound message; the
	// first outcome stored for a (Kind, MessageID) wins and is returned
	// with replayed == true to later calls.
	SaveInboundResult(ctx context.Context, r InboundReport) (stored InboundReport, replayed bool, err error)
}
