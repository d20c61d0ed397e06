package clearing

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/iso20022"
)

// A pacs.002 payment status report answers our pacs.008 batches, for a
// whole batch (its group status) or per transfer. Each transfer of a batch
// the report covers gets its transaction status, or else the group's:
//
//   - rejected (RJCT): the transfer goes back to the customer with the
//     reason, by the path a pacs.004 return takes (clearing/<id>/return),
//     from clearing suspense: a rejected payment never settled;
//   - accepted (ACCP, ACSP, ACSC, ACCC, ACWC, ACFC, ACWP): it settles with
//     its batch. The batch settles (Settle: one entry moves its total less
//     the returned transfers from clearing suspense to the settlement
//     account) once the report leaves none of its transfers open;
//   - anything else (PDNG, RCVD, ACTC, no status, or not named by a
//     report that gives no group status or PART): it stays batched, and so
//     does its batch, until a later report.
//
// The report is checked whole before anything moves: every status is
// matched with its batch and transfer first, and those that cannot be
// applied (an unknown message or payment, a rejection of a transfer that
// settled, a transfer of another batch) are reported in Rejected and
// change nothing. Receiving the report again returns the stored outcome; a
// run cut short is finished by receiving it again, as every step is keyed.

// statusItem is one transfer of a covered batch and what the report says
// of it.
type statusItem struct {
	t       Transfer
	status  iso20022.PaymentStatus
	reasons []iso20022.StatusReason
}

// statusBatch is a batch the report covers.
type statusBatch struct {
	b     Batch
	ts    []Transfer
	group *iso20022.GroupStatus // nil when only transactions name it
	items map[ledger.ID]statusItem
}

func (c *Service) receiveStatus(ctx context.Context, m iso20022.PaymentStatusReport) (InboundReport, error) {
	var r InboundReport
	batches := map[string]*statusBatch{}
	var order []*statusBatch
	load := func(msgID, msgName string) (*statusBatch, string, error) {
		if sb, ok := batches[msgID]; ok {
			return sb, "", nil
		}
		if msgName != "" && !strings.HasPrefix(msgName, KindCreditTransfer+".") {
			return nil, fmt.Sprintf("status of a %s: only the status of pacs.008 batches is applied", msgName), nil
		}
		id, ok := batchIDOf(msgID)
		if !ok {
			return nil, "unknown original message " + msgID, nil
		}
		b, err := c.store.ClearingBatch(ctx, id)
		if errors.Is(err, ledger.ErrNotFound) || err == nil && b.MessageID != msgID {
			return nil, "unknown original message " + msgID, nil
		}
		if err != nil {
			return nil, "", err
		}
		ts, err := c.store.ClearingTransfersOfBatch(ctx, id)
		if err != nil {
			return nil, "", err
		}
		for i := range ts {
			ts[i] = ts[i].normalized()
		}
		sb := &statusBatch{b: b.normalized(), ts: ts, items: map[ledger.ID]statusItem{}}
		batches[msgID] = sb
		order = append(order, sb)
		return sb, "", nil
	}
	for i := range m.Groups {
		g := &m.Groups[i]
		sb, why, err := load(g.OriginalMessageID, g.OriginalMessageName)
		if err != nil {
			return InboundReport{}, err
		}
		if why != "" {
			r.Rejected = append(r.Rejected, InboundItem{Reason: string(g.Status), Info: why})
			continue
		}
		sb.group = g
	}
	for _, tx := range m.Transactions {
		item := InboundItem{EndToEndID: tx.OriginalEndToEndID, TransactionID: tx.OriginalTransactionID, Reason: string(tx.Status)}
		t, err := c.transferByRefs(ctx, tx.OriginalEndToEndID, tx.OriginalTransactionID, tx.OriginalInstructionID)
		if errors.Is(err, ledger.ErrNotFound) {
			item.Info = "unknown original payment"
			r.Rejected = append(r.Rejected, item)
			continue
		}
		if err != nil {
			return InboundReport{}, err
		}
		item.TransferID, item.Amount, item.AccountNumber = t.ID, t.Amount, t.FromAccountNumber
		if t.BatchID == ledger.NilID {
			item.Info = "the transfer has not been sent"
			r.Rejected = append(r.Rejected, item)
			continue
		}
		msgID := tx.OriginalMessageID
		if msgID == "" {
			msgID = "B" + EndToEndIDOf(t.BatchID)
		}
		sb, why, err := load(msgID, tx.OriginalMessageName)
		if err != nil {
			return InboundReport{}, err
		}
		if why == "" && sb.b.ID != t.BatchID {
			why = "the transfer was not sent in " + msgID
		}
		if why != "" {
			item.Info = why
			r.Rejected = append(r.Rejected, item)
			continue
		}
		sb.items[t.ID] = statusItem{t: t, status: tx.Status, reasons: tx.Reasons}
	}
	// Plan: each covered transfer's status, the group's where it has none.
	type rejection struct {
		item InboundItem
		id   ledger.ID
		why  returnCause
	}
	var rejections []rejection
	settle := map[ledger.ID]bool{}
	accepted := map[ledger.ID][]InboundItem{}
	for _, sb := range order {
		open := false
		for _, t := range sb.ts {
			it, listed := sb.items[t.ID]
			if !listed {
				it = statusItem{t: t}
			}
			if it.status == "" && sb.group != nil && sb.group.Status != iso20022.StatusPartiallyAccepted {
				it.status = sb.group.Status
				if len(it.reasons) == 0 {
					it.reasons = sb.group.Reasons
				}
			}
			// A transfer returned before is not the group status's
			// business, unless this rejection returned it (a run cut
			// short, finished now).
			redo := it.status.Rejected() && t.Status == StatusReturned && t.ReturnReason == statusReason(it.reasons).code
			if !listed && (it.status == "" || t.Status == StatusReturned && !redo) {
				if t.Status == StatusBatched {
					open = true // neither the group nor a transaction names it
				}
				continue
			}
			item := InboundItem{EndToEndID: t.EndToEndID, TransactionID: t.EndToEndID, TransferID: t.ID,
				AccountNumber: t.FromAccountNumber, Amount: t.Amount, Reason: string(it.status)}
			switch {
			case it.status.Rejected():
				why := statusReason(it.reasons)
				switch {
				case t.Status == StatusBatched, t.Status == StatusReturned && t.ReturnReason == why.code:
					rejections = append(rejections, rejection{item, t.ID, why})
				case t.Status == StatusSettled:
					item.Info = "the transfer settled: a settled payment comes back by a return (pacs.004)"
					r.Rejected = append(r.Rejected, item)
				default:
					item.Info = "the transfer was returned already"
					r.Rejected = append(r.Rejected, item)
				}
			case it.status.Accepted():
				if t.Status == StatusReturned {
					item.Info = "the transfer was returned already"
					r.Rejected = append(r.Rejected, item)
					continue
				}
				accepted[sb.b.ID] = append(accepted[sb.b.ID], item)
			default:
				if t.Status == StatusBatched {
					open = true
				}
				item.Info = "pending at the clearing house"
				if len(it.reasons) > 0 {
					item.Info = statusReason(it.reasons).info
				}
				r.Pending = append(r.Pending, item)
			}
		}
		settle[sb.b.ID] = !open
	}
	// Apply: rejections first, so that the settlement leaves them out.
	for _, rj := range rejections {
		t, err := c.applyReturn(ctx, rj.id, rj.why, true)
		if errors.Is(err, ErrState) {
			rj.item.Info = err.Error()
			r.Rejected = append(r.Rejected, rj.item)
			continue
		}
		if err != nil {
			return InboundReport{}, err
		}
		rj.item.EntryID, rj.item.Reason, rj.item.Info = t.ReturnEntryID, t.ReturnReason, t.ReturnInfo
		r.Returned = append(r.Returned, rj.item)
	}
	for _, sb := range order {
		items := accepted[sb.b.ID]
		if !settle[sb.b.ID] {
			for _, it := range items {
				it.Info = "accepted; the batch settles when none of its transfers is pending"
				r.Pending = append(r.Pending, it)
			}
			continue
		}
		if len(items) == 0 {
			continue // none accepted by this report: nothing to settle
		}
		b, err := c.Settle(ctx, sb.b.ID)
		if err != nil {
			return InboundReport{}, err
		}
		for _, it := range items {
			it.EntryID = b.SettlementEntryID
			r.Settled = append(r.Settled, it)
		}
		r.SettledBatches = append(r.SettledBatches, b.ID)
	}
	return r, nil
}

// transferByRefs finds our transfer by any of the references a message
// gives for it (we send its end-to-end id in all three).
func (c *Service) transferByRefs(ctx context.Context, refs ...string) (Transfer, error) {
	err := ledger.ErrNotFound
	for _, ref := range refs {
		if ref == "" {
			continue
		}
		t, e := c.store.ClearingTransferByEndToEnd(ctx, ref)
		if !errors.Is(e, ledger.ErrNotFound) {
			return t.normalized(), e
		}
		err = e
	}
	return Transfer{}, err
}

// batchIDOf reads a batch's ID from its message id ("B" and the ID's 32
// hex digits), as CutBatch makes it.
func batchIDOf(msgID string) (ledger.ID, bool) {
	h, ok := strings.CutPrefix(msgID, "B")
	if !ok || len(h) != 32 {
		return ledger.NilID, false
	}
	b, err := hex.DecodeString(h)
	if err != nil {
		return ledger.NilID, false
	}
	var id ledger.ID
	copy(id[:], b)
	return id, true
}

// statusReason is the return cause of a rejection: its first reason's code
// (or proprietary reason), MS03 when it gives none, and its text.
func statusReason(reasons []iso20022.StatusReason) returnCause {
	var code string
	var info []string
	for _, r := range reasons {
		if code == "" {
			code = r.Code
			if code == "" {
				code = r.Proprietary
			}
		}
		info = append(info, r.AdditionalInfo...)
	}
	if code == "" {
		code = string(iso20022.ReasonNotSpecified)
	}
	text := strings.Join(info, " ")
	if text == "" {
		text = iso20022.ReturnReason(code).Description()
	}
	return returnCause{code: code, info: text}
}
