package clearing

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/iso20022"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/text"
)

// Kinds of clearing messages, as InboundReport.Kind and OutboundMessage.Kind
// name them.
const (
	KindCreditTransfer = "pacs.008"
	KindPaymentReturn  = "pacs.004"
	KindPaymentStatus  = "pacs.002"
)

// InboundReport is the outcome of one message from the clearing house.
type InboundReport struct {
	Kind       string // KindCreditTransfer, KindPaymentReturn or KindPaymentStatus
	MessageID  string
	ReceivedAt time.Time
	// Credited lists the inbound credits posted to beneficiaries (pacs.008).
	Credited []InboundItem
	// Returned lists, for a pacs.008, the credits sent back in the pacs.004
	// ReturnMessageID; for a pacs.004, our transfers refunded to customers.
	Returned []InboundItem
	// For a pacs.002, Returned lists our transfers the clearing house
	// rejected (RJCT), refunded to the customer with the reason.
	//
	// Rejected lists, for a pacs.004, returns that were not applied, with
	// why: an unknown original payment, a partial amount, a transfer never
	// sent or already returned. For a pacs.008 it lists payments that could
	// be neither applied nor returned by message (no reference a pacs.004
	// can carry): they are booked to suspense for research (EntryID). For
	// a pacs.002, statuses that were not applied: an unknown message or
	// payment, a rejection of a transfer that settled.
	Rejected []InboundItem
	// Settled lists, for a pacs.002, the accepted transfers whose batch
	// settled (SettledBatches); Pending those the report leaves open: a
	// pending status (PDNG, RCVD, ACTC), or accepted in a batch that still
	// has a pending transfer, so the batch waits for a later report.
	Settled         []InboundItem
	Pending         []InboundItem
	SettledBatches  []ledger.ID
	ReturnMessageID string
	// ReturnMessage is the pacs.004 XML sent back, if any.
	ReturnMessage []byte
	// Replayed says the message was received before and this is the stored
	// outcome; nothing was posted or sent this time.
	Replayed bool
}

// InboundItem is one transaction of an inbound message and what became of
// it.
type InboundItem struct {
	EndToEndID    string
	TransactionID string
	AccountNumber string
	Amount        money.Money
	// EntryID is the entry that credited the beneficiary or refunded the
	// customer; TransferID the outbound transfer a return refers to.
	EntryID    ledger.ID
	TransferID ledger.ID
	// Reason is an ISO return reason code; Info says why in words.
	Reason string
	Info   string
}

// Receive applies a message from the clearing house: a pacs.008 of inbound
// credits, a pacs.004 returning our outbound transfers, or a pacs.002
// reporting the status of our batches (the rules are in the package
// documentation). The whole file
// is parsed and checked first; an invalid file is ErrInvalidInput (also
// wrapping iso20022.ErrInvalidMessage or ErrUnsupportedMessage) and changes
// nothing. Receiving the same message again (same kind and MsgId) returns
// the stored report with Replayed set and posts nothing; a run cut short
// by a crash is completed by receiving it again, as every posting has a
// key derived from the message.
func (c *Service) Receive(ctx context.Context, data []byte) (InboundReport, error) {
	if len(data) == 0 {
		return InboundReport{}, invalid("message", "is empty")
	}
	id, err := iso20022.Identify(bytes.NewReader(data))
	if err != nil {
		return InboundReport{}, badMessage(err)
	}
	switch {
	case strings.HasPrefix(id, KindCreditTransfer+"."):
		m, err := iso20022.ParseCreditTransfer(bytes.NewReader(data))
		if err != nil {
			return InboundReport{}, badMessage(err)
		}
		return c.receiveOnce(ctx, KindCreditTransfer, m.Header.MessageID, func() (InboundReport, error) {
			return c.receiveCredits(ctx, m, id)
		})
	case strings.HasPrefix(id, KindPaymentReturn+"."):
		m, err := iso20022.ParsePaymentReturn(bytes.NewReader(data))
		if err != nil {
			return InboundReport{}, badMessage(err)
		}
		return c.receiveOnce(ctx, KindPaymentReturn, m.Header.MessageID, func() (InboundReport, error) {
			return c.receiveReturns(ctx, m)
		})
	case strings.HasPrefix(id, KindPaymentStatus+"."):
		m, err := iso20022.ParsePaymentStatus(bytes.NewReader(data))
		if err != nil {
			return InboundReport{}, badMessage(err)
		}
		return c.receiveOnce(ctx, KindPaymentStatus, m.MessageID, func() (InboundReport, error) {
			return c.receiveStatus(ctx, m)
		})
	}
	return InboundReport{}, badMessage(fmt.Errorf("%w: %s is not a pacs.008, pacs.004 or pacs.002", iso20022.ErrUnsupportedMessage, id))
}

// receiveOnce returns the stored report of a message received before, or
// runs apply and stores its report.
func (c *Service) receiveOnce(ctx context.Context, kind, msgID string, apply func() (InboundReport, error)) (InboundReport, error) {
	prior, err := c.store.InboundResult(ctx, kind, msgID)
	if err == nil {
		prior.Replayed = true
		return prior, nil
	}
	if !errors.Is(err, ledger.ErrNotFound) {
		return InboundReport{}, err
	}
	r, err := apply()
	if err != nil {
		return InboundReport{}, err
	}
	r.Kind, r.MessageID = kind, msgID
	r.ReceivedAt = c.now()
	stored, replayed, err := c.store.SaveInboundResult(ctx, r)
	if err != nil {
		return InboundReport{}, err
	}
	stored.Replayed = replayed
	return stored, nil
}

// digest returns 32 hex digits of SHA-256 of s: a key or reference of
// bounded length and plain characters derived from text from the field.
func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}

// receiveCredits credits each payment of an inbound pacs.008 to its
// beneficiary and sends the ones it cannot apply back in a pacs.004.
// msgName is the message's identifier ("pacs.008.001.08"), which the
// return names as the original.
func (c *Service) receiveCredits(ctx context.Context, m iso20022.CreditTransferBatch, msgName string) (InboundReport, error) {
	cur := m.Header.TotalAmount.Currency
	settlement, err := c.internal(ctx, cur, ledger.CodeSettlement)
	if err != nil {
		return InboundReport{}, err
	}
	var r InboundReport
	var back []iso20022.ReturnedTransaction
	msgKey := digest(m.Header.MessageID)
	for i, tx := range m.Transactions {
		item := InboundItem{EndToEndID: tx.EndToEndID, TransactionID: tx.TransactionID,
			AccountNumber: tx.CreditorAccount.Number(), Amount: tx.Amount}
		reason, info, acct, err := c.beneficiary(ctx, tx)
		if err != nil {
			return InboundReport{}, err
		}
		if reason == "" {
			receipt, err := c.svc.PostEntry(ctx, ledger.JournalRequest{
				Postings: []ledger.Posting{
					{AccountID: settlement, Side: ledger.Debit, Amount: tx.Amount},
					{AccountID: acct, Side: ledger.Credit, Amount: tx.Amount},
				},
				Description:    inboundDescription(tx),
				Metadata:       inboundMetadata(m.Header.MessageID, tx),
				IdempotencyKey: fmt.Sprintf("clearing/in/%s/%d", msgKey, i),
			})
			switch {
			case err == nil:
				item.EntryID = receipt.Entry.ID
				r.Credited = append(r.Credited, item)
				continue
			case errors.Is(err, ledger.ErrAccountClosed):
				reason, info = iso20022.ReasonClosedAccount, "account closed"
			case errors.Is(err, ledger.ErrAccountFrozen):
				reason, info = iso20022.ReasonBlockedAccount, "account blocked"
			case errors.Is(err, ledger.ErrBalanceLimit):
				reason, info = iso20022.ReasonNotAllowedAmount, fullAccount
			default:
				return InboundReport{}, err
			}
		}
		item.Reason, item.Info = string(reason), info
		rt, ok := returnOfCredit(m, msgName, tx, reason, info)
		if !ok {
			// A pacs.004 could not name the payment: hold it for research.
			if item.EntryID, err = c.holdForResearch(ctx, m, tx, settlement, fmt.Sprintf("clearing/in/%s/%d/suspense", msgKey, i)); err != nil {
				return InboundReport{}, err
			}
			item.Info += "; no reference a pacs.004 can carry: held in suspense for research"
			r.Rejected = append(r.Rejected, item)
			continue
		}
		rt.ReturnID = fmt.Sprintf("R%s-%d", msgKey[:24], i+1)
		r.Returned = append(r.Returned, item)
		back = append(back, rt)
	}
	if len(back) == 0 {
		return r, nil
	}
	ret := c.paymentReturn(m, back, msgKey)
	var buf bytes.Buffer
	if err := iso20022.WritePaymentReturn(&buf, ret); err != nil {
		return InboundReport{}, fmt.Errorf("writing the return of %s: %w", m.Header.MessageID, err)
	}
	r.ReturnMessageID, r.ReturnMessage = ret.Header.MessageID, buf.Bytes()
	if err := c.network.Send(ctx, OutboundMessage{MessageID: r.ReturnMessageID, Kind: KindPaymentReturn, XML: r.ReturnMessage}); err != nil {
		return InboundReport{}, fmt.Errorf("sending the return of %s: %w", m.Header.MessageID, err)
	}
	return r, nil
}

// beneficiary finds the account to credit, or the reason to return the
// payment: AC01 for an unknown (or internal) account, AC04 closed, AC06
// frozen, AM03 another currency, AM02 an amount above money.MaxAmount or
// one that would take a deposit's balance beyond it (as a customer's own
// deposit would).
func (c *Service) beneficiary(ctx context.Context, tx iso20022.CreditTransfer) (iso20022.ReturnReason, string, ledger.ID, error) {
	largest := money.MaxAmount(tx.Amount.Currency)
	if tx.Amount.Amount.GreaterThan(largest.Amount) {
		return iso20022.ReasonNotAllowedAmount, "amount above the largest accepted, " + largest.String(), ledger.NilID, nil
	}
	number := tx.CreditorAccount.Number()
	a, err := c.svc.AccountByNumber(ctx, number)
	switch {
	case errors.Is(err, ledger.ErrNotFound), errors.Is(err, ledger.ErrInvalidInput):
		return iso20022.ReasonIncorrectAccount, "no account " + number, ledger.NilID, nil
	case err != nil:
		return "", "", ledger.NilID, err
	case a.Product == ledger.ProductInternal:
		return iso20022.ReasonIncorrectAccount, "no account " + number, ledger.NilID, nil
	case a.Status == ledger.StatusClosed:
		return iso20022.ReasonClosedAccount, "account closed", ledger.NilID, nil
	case a.Status == ledger.StatusFrozen:
		return iso20022.ReasonBlockedAccount, "account blocked", ledger.NilID, nil
	case a.Currency != tx.Amount.Currency:
		return "AM03", fmt.Sprintf("account is in %s", a.Currency), ledger.NilID, nil
	case a.NormalSide == ledger.Credit && a.Balance.Amount.Add(tx.Amount.Amount).GreaterThan(largest.Amount):
		return iso20022.ReasonNotAllowedAmount, fullAccount, ledger.NilID, nil
	}
	return "", "", a.ID, nil
}

// fullAccount is why a payment the account cannot hold goes back.
const fullAccount = "the account cannot hold more"

// inboundDescription is the entry's description of a payment received: its
// payer and first remittance line, in one line (the message may carry line
// breaks and tabs, which ledger descriptions do not).
func inboundDescription(tx iso20022.CreditTransfer) string {
	d := "Transfer from " + tx.Debtor.Name
	if len(tx.RemittanceInfo) > 0 {
		d += ": " + tx.RemittanceInfo[0]
	}
	d = text.Clean(d)
	if len(d) > ledger.MaxDescriptionLength {
		d = strings.ToValidUTF8(d[:ledger.MaxDescriptionLength], "")
	}
	return d
}

func inboundMetadata(msgID string, tx iso20022.CreditTransfer) map[string]string {
	md := map[string]string{"clearing": "inbound", "message_id": text.Clean(msgID)}
	if tx.EndToEndID != "" {
		md["end_to_end_id"] = text.Clean(tx.EndToEndID)
	}
	if tx.TransactionID != "" {
		md["transaction_id"] = text.Clean(tx.TransactionID)
	}
	return md
}

// returnOfCredit is the pacs.004 transaction sending tx back, naming it
// by the references of the original that bankkit may write; ok is false
// when none of them is (a reference outside the reference character set,
// say), and a return could not be matched by the sender.
func returnOfCredit(m iso20022.CreditTransferBatch, msgName string, tx iso20022.CreditTransfer, reason iso20022.ReturnReason, info string) (rt iso20022.ReturnedTransaction, ok bool) {
	rt = iso20022.ReturnedTransaction{
		OriginalUETR:   tx.UETR,
		OriginalAmount: tx.Amount,
		ReturnedAmount: tx.Amount,
		Reason:         reason,
	}
	if sendableRef(m.Header.MessageID) {
		rt.OriginalMessageID, rt.OriginalMessageName = m.Header.MessageID, msgName
	}
	if sendableRef(tx.InstructionID) {
		rt.OriginalInstructionID = tx.InstructionID
	}
	if sendableRef(tx.EndToEndID) {
		rt.OriginalEndToEndID = tx.EndToEndID
	}
	if sendableRef(tx.TransactionID) {
		rt.OriginalTransactionID = tx.TransactionID
	}
	if info != "" && utf8.RuneCountInString(info) <= 105 {
		rt.AdditionalInfo = []string{info}
	}
	ok = rt.OriginalInstructionID != "" || rt.OriginalEndToEndID != "" || rt.OriginalTransactionID != "" || rt.OriginalUETR != ""
	return rt, ok
}

// sendableRef reports whether s may be written as an identifier in a
// message bankkit sends: 1 to 35 characters of the reference character set
// (letters, digits, space and / - ? : ( ) . , ' +), not starting or ending
// with "/" or a space, without "//" (the rule iso20022's writers enforce).
func sendableRef(s string) bool {
	if s == "" || len(s) > 35 || strings.TrimSpace(s) != s ||
		strings.HasPrefix(s, "/") || strings.HasSuffix(s, "/") || strings.Contains(s, "//") {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune(" /-?:().,'+", r)) {
			return false
		}
	}
	return true
}

// holdForResearch books a payment that can be neither applied nor returned
// by message from the settlement account to suspense.
func (c *Service) holdForResearch(ctx context.Context, m iso20022.CreditTransferBatch, tx iso20022.CreditTransfer, settlement ledger.ID, key string) (ledger.ID, error) {
	research, err := c.internal(ctx, tx.Amount.Currency, ledger.CodeSuspense)
	if err != nil {
		return ledger.NilID, err
	}
	receipt, err := c.svc.PostEntry(ctx, ledger.JournalRequest{
		Postings: []ledger.Posting{
			{AccountID: settlement, Side: ledger.Debit, Amount: tx.Amount},
			{AccountID: research, Side: ledger.Credit, Amount: tx.Amount},
		},
		Description:    "Unapplied inbound payment held for research",
		Metadata:       inboundMetadata(m.Header.MessageID, tx),
		IdempotencyKey: key,
	})
	return receipt.Entry.ID, err
}

// paymentReturn is the pacs.004 sending back the returns of m. Its MsgId
// is derived from m's, so a resend after a crash carries the same id.
func (c *Service) paymentReturn(m iso20022.CreditTransferBatch, back []iso20022.ReturnedTransaction, msgKey string) iso20022.PaymentReturn {
	total := money.Zero(m.Header.TotalAmount.Currency)
	for _, rt := range back {
		total, _ = total.Add(rt.ReturnedAmount) // one currency: the parser saw to it
	}
	return iso20022.PaymentReturn{
		Header: iso20022.GroupHeader{
			MessageID:            "R" + msgKey,
			CreatedAt:            c.now(),
			NumberOfTransactions: len(back),
			TotalAmount:          total,
			SettlementDate:       m.Header.SettlementDate,
			SettlementMethod:     iso20022.SettlementClearing,
		},
		Transactions: back,
	}
}

// receiveReturns refunds the customers of our transfers that came back.
// Every return is looked up first; those that cannot be applied are
// reported in Rejected and change nothing.
func (c *Service) receiveReturns(ctx context.Context, m iso20022.PaymentReturn) (InboundReport, error) {
	type planned struct {
		item InboundItem
		t    Transfer
		rt   iso20022.ReturnedTransaction
	}
	var plan []planned
	var r InboundReport
	for _, rt := range m.Transactions {
		item := InboundItem{EndToEndID: rt.OriginalEndToEndID, TransactionID: rt.OriginalTransactionID, Amount: rt.ReturnedAmount}
		t, why, err := c.returnedTransfer(ctx, rt)
		if err != nil {
			return InboundReport{}, err
		}
		item.TransferID = t.ID
		if why != "" {
			item.Info = why
			r.Rejected = append(r.Rejected, item)
			continue
		}
		item.AccountNumber = t.FromAccountNumber
		plan = append(plan, planned{item, t, rt})
	}
	for _, p := range plan {
		t, err := c.applyReturn(ctx, p.t.ID, returnReason(p.rt), false)
		if errors.Is(err, ErrState) {
			p.item.Info = err.Error()
			r.Rejected = append(r.Rejected, p.item)
			continue
		}
		if err != nil {
			return InboundReport{}, err
		}
		p.item.EntryID, p.item.Reason, p.item.Info = t.ReturnEntryID, t.ReturnReason, t.ReturnInfo
		r.Returned = append(r.Returned, p.item)
	}
	return r, nil
}

// returnedTransfer finds our transfer a return refers to, by its original
// end-to-end id or transaction id (we send the same value in both), and
// says why the return cannot be applied, if it cannot.
func (c *Service) returnedTransfer(ctx context.Context, rt iso20022.ReturnedTransaction) (Transfer, string, error) {
	var t Transfer
	err := ledger.ErrNotFound
	for _, ref := range []string{rt.OriginalEndToEndID, rt.OriginalTransactionID, rt.OriginalInstructionID} {
		if ref == "" {
			continue
		}
		if t, err = c.store.ClearingTransferByEndToEnd(ctx, ref); !errors.Is(err, ledger.ErrNotFound) {
			break
		}
	}
	switch {
	case errors.Is(err, ledger.ErrNotFound):
		return Transfer{}, "unknown original payment", nil
	case err != nil:
		return Transfer{}, "", err
	case !rt.ReturnedAmount.Equal(t.Amount):
		return t, fmt.Sprintf("returned amount %s is not the transfer's %s; partial returns are not applied", rt.ReturnedAmount, t.Amount), nil
	case t.Status == StatusPending:
		return t, "the transfer has not been sent", nil
	case t.Status == StatusReturned && t.ReturnReason != returnReason(rt).code:
		return t, "the transfer was returned already", nil
	}
	return t, "", nil
}

type returnCause struct{ code, info string }

func returnReason(rt iso20022.ReturnedTransaction) returnCause {
	code := string(rt.Reason)
	if code == "" {
		code = rt.ProprietaryReason
	}
	if code == "" {
		code = string(iso20022.ReasonNotSpecified)
	}
	info := strings.Join(rt.AdditionalInfo, " ")
	if info == "" {
		info = iso20022.ReturnReason(code).Description()
	}
	return returnCause{code: code, info: info}
}

// applyReturn marks the transfer returned (compare-and-set from batched or
// settled; from batched only for a rejection, which comes before
// settlement), then refunds the customer from clearing suspense or, if the
// transfer had settled, from the settlement account, and records the
// entry. A customer account that no longer takes credits (closed, frozen)
// is refunded into suspense for research instead. Each step can be run
// again: the posting's key is clearing/<transfer id>/return.
func (c *Service) applyReturn(ctx context.Context, id ledger.ID, why returnCause, rejection bool) (Transfer, error) {
	now := c.now()
	t, err := c.store.UpdateClearingTransfer(ctx, id, func(t Transfer) (Transfer, error) {
		if t.Status == StatusReturned && t.ReturnReason == why.code {
			// Returned by an earlier run of this return, which may have
			// stopped before posting: the posting's key makes finishing
			// it safe.
			return t, nil
		}
		if !t.Status.canBecome(StatusReturned) || rejection && t.Status != StatusBatched {
			return t, fmt.Errorf("%w: transfer %s is %s", ErrState, t.EndToEndID, t.Status)
		}
		t.ReturnedFromSettlement = t.Status == StatusSettled
		t.Status, t.ReturnReason, t.ReturnInfo, t.UpdatedAt = StatusReturned, why.code, why.info, now
		t.Rejected = rejection
		return t, nil
	})
	if err != nil {
		return Transfer{}, err
	}
	from := ledger.CodeClearingSuspense
	if t.ReturnedFromSettlement {
		from = ledger.CodeSettlement
	}
	source, err := c.internal(ctx, t.Amount.Currency, channelCode(from, t.Channel))
	if err != nil {
		return Transfer{}, err
	}
	// The customer's fee comes back with the principal, out of the fees
	// income it was booked to: the bank charged for a payment it did not
	// make. It is in the same entry, so the entry's key keeps a second
	// return from refunding it twice.
	var feeIncome ledger.ID
	if t.Fee.IsPositive() {
		income, err := c.svc.ChartAccount(ctx, t.Fee.Currency, ledger.CodeFeesIncome)
		if err != nil {
			return Transfer{}, fmt.Errorf("refunding the fee needs the %s fees income account: %w", t.Fee.Currency, err)
		}
		feeIncome = income.ID
	}
	key := "clearing/" + t.ID.String() + "/return"
	refund := func(to ledger.ID, key string) (ledger.Receipt, error) {
		postings := []ledger.Posting{{AccountID: source, Side: ledger.Debit, Amount: t.Amount}}
		credit := t.Amount
		meta := map[string]string{"clearing": "return", "clearing_transfer": t.ID.String(),
			"end_to_end_id": t.EndToEndID, "reason": why.code}
		if feeIncome != ledger.NilID {
			postings = append(postings, ledger.Posting{AccountID: feeIncome, Side: ledger.Debit, Amount: t.Fee})
			var err error
			if credit, err = credit.Add(t.Fee); err != nil {
				return ledger.Receipt{}, err
			}
			meta["fee_refunded"] = t.Fee.ValueString()
		}
		postings = append(postings, ledger.Posting{AccountID: to, Side: ledger.Credit, Amount: credit})
		return c.svc.PostEntry(ctx, ledger.JournalRequest{
			Postings:       postings,
			Description:    "Returned transfer " + t.EndToEndID + ": " + why.code,
			Metadata:       meta,
			IdempotencyKey: key,
		})
	}
	receipt, err := refund(t.FromAccountID, key)
	if errors.Is(err, ledger.ErrAccountClosed) || errors.Is(err, ledger.ErrAccountFrozen) {
		var suspense ledger.ID
		if suspense, err = c.internal(ctx, t.Amount.Currency, ledger.CodeSuspense); err == nil {
			receipt, err = refund(suspense, key+"-suspense")
		}
	}
	if err != nil {
		return Transfer{}, err
	}
	return c.store.UpdateClearingTransfer(ctx, id, func(t Transfer) (Transfer, error) {
		t.ReturnEntryID = receipt.Entry.ID
		return t, nil
	})
}
