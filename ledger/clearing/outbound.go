package clearing

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/iso20022"
	"github.com/bankkit/bankkit/money"
)

// TransferOut debits the customer and credits clearing suspense at once,
// and records a pending_clearing transfer to the external account. The
// transfer is checked against the pacs.008 rules before anything posts, so
// a transfer that is accepted can always be sent. With the same
// IdempotencyKey it returns the first transfer and posts nothing; a crash
// between the posting and the record is mended by calling again with the
// same key.
func (c *Service) TransferOut(ctx context.Context, r TransferOutRequest) (Transfer, error) {
	if err := c.checkTransferOut(r); err != nil {
		return Transfer{}, err
	}
	from, err := c.svc.Account(ctx, r.FromAccountID)
	if err != nil {
		return Transfer{}, err
	}
	if from.Currency != r.Amount.Currency {
		return Transfer{}, fmt.Errorf("%w: account %s is in %s, not %s", ledger.ErrCurrencyMismatch, from.Number, from.Currency, r.Amount.Currency)
	}
	if err := c.refFree(ctx, r); err != nil {
		return Transfer{}, err
	}
	route, err := c.channels.Route(r.Amount, r.Urgent, c.now())
	if err != nil {
		return Transfer{}, err
	}
	if r.Urgent && route.Channel == "" {
		return Transfer{}, invalid("urgent", fmt.Sprintf("no large-value channel clears %s", r.Amount.Currency))
	}
	suspense, err := c.internal(ctx, r.Amount.Currency, channelCode(ledger.CodeClearingSuspense, route.Channel))
	if err != nil {
		return Transfer{}, err
	}
	id := ledger.NewID()
	key := r.IdempotencyKey
	if key == "" {
		key = id.String() // no retry safety asked for: a key of its own
	}
	debtor := r.DebtorName
	if debtor == "" {
		debtor = from.Number
	}
	t := Transfer{
		ID: id, FromAccountID: from.ID, FromAccountNumber: from.Number, DebtorName: debtor,
		To: r.To, Amount: inMinorUnits(r.Amount), EndToEndID: EndToEndIDOf(id), Description: r.Description,
		Status: StatusPending, IdempotencyKey: "clearing/out/" + key,
		Channel: route.Channel, Route: route.Reason, Urgent: r.Urgent, SendAfter: route.SendAfter,
		Fee: money.Zero(r.Amount.Currency), ExternalRef: r.ExternalRef,
	}
	if route.Fee.IsPositive() {
		t.Fee = route.Fee
	}
	if err := c.checkSendable(t); err != nil {
		return Transfer{}, err
	}
	// The customer pays amount and fee in one entry: the amount to the
	// channel's clearing suspense, the fee to fees income.
	debit := t.Amount
	postings := []ledger.Posting{{AccountID: suspense, Side: ledger.Credit, Amount: t.Amount}}
	if t.Fee.IsPositive() {
		income, err := c.svc.ChartAccount(ctx, t.Fee.Currency, ledger.CodeFeesIncome)
		if err != nil {
			return Transfer{}, fmt.Errorf("channel fees need the %s fees income account: %w", t.Fee.Currency, err)
		}
		postings = append(postings, ledger.Posting{AccountID: income.ID, Side: ledger.Credit, Amount: t.Fee})
		if debit, err = debit.Add(t.Fee); err != nil {
			return Transfer{}, err
		}
	}
	meta := map[string]string{
		"clearing": "outbound", "creditor_bank": r.To.BankCode, "creditor_account": r.To.AccountNumber,
	}
	if t.Channel != "" {
		meta["channel"] = t.Channel
	}
	receipt, err := c.svc.PostEntry(ctx, ledger.JournalRequest{
		Postings:    append([]ledger.Posting{{AccountID: from.ID, Side: ledger.Debit, Amount: debit}}, postings...),
		Description: outboundDescription(r),
		Metadata:    meta,
		ExternalRef: r.ExternalRef,
		// The payee, so that a class II or III account bound to it
		// (ledger.Service.BindExternal) does not count the payment and
		// its fee against its outflow limits.
		Payout:         &ledger.Payout{BankCode: r.To.BankCode, AccountNumber: r.To.AccountNumber, Amount: debit},
		IdempotencyKey: t.IdempotencyKey,
	})
	if err != nil {
		return Transfer{}, err
	}
	t.EntryID = receipt.Entry.ID
	t.CreatedAt = c.now()
	t.UpdatedAt = t.CreatedAt
	stored, _, err := c.store.CreateClearingTransfer(ctx, t, transferOutFingerprint(r))
	return stored.normalized(), err
}

// refFree refuses a reference another entry of the client has before the
// channel's accounts are made on demand or anything is routed, so a
// refused payment leaves no trace at all; the same request again (its key)
// goes on, to be replayed. The posting decides races: two requests with
// one reference that both pass here are decided by the entries' unique
// reference.
func (c *Service) refFree(ctx context.Context, r TransferOutRequest) error {
	if r.ExternalRef.IsZero() {
		return nil
	}
	e, err := c.svc.EntryByRef(ctx, r.ExternalRef)
	switch {
	case errors.Is(err, ledger.ErrNotFound):
		return nil
	case err != nil:
		return err
	case r.IdempotencyKey != "" && e.IdempotencyKey == "journal/clearing/out/"+r.IdempotencyKey:
		return nil // this request, posted before: replayed below
	}
	return ledger.RefTaken("entry", r.ExternalRef, e.ID)
}

func outboundDescription(r TransferOutRequest) string {
	if r.Description != "" {
		return r.Description
	}
	return "Transfer to " + r.To.AccountNumber + " at " + r.To.BankCode
}

func transferOutFingerprint(r TransferOutRequest) ledger.Fingerprint {
	parts := []string{"clearing/out", string(r.FromAccountID[:]),
		r.To.BankCode, r.To.AccountNumber, r.To.Name,
		r.Amount.Amount.String(), string(r.Amount.Currency),
		r.DebtorName, r.Description, urgentMark(r.Urgent)}
	if !r.ExternalRef.IsZero() {
		// Only when set: a request without one keeps its fingerprint.
		parts = append(parts, "external_ref", r.ExternalRef.Client, r.ExternalRef.Ref)
	}
	return ledger.FingerprintOf(parts...)
}

// urgentMark keeps the fingerprint of a request that is not urgent what it
// was before channels.
func urgentMark(urgent bool) string {
	if urgent {
		return "urgent"
	}
	return ""
}

// checkTransferOut validates the request's own fields.
func (c *Service) checkTransferOut(r TransferOutRequest) error {
	switch {
	case r.FromAccountID == ledger.NilID:
		return invalid("from_account_id", "is required")
	case !validBankCode(r.To.BankCode):
		return invalid("to.bank_code", "must be 1 to 35 letters and digits")
	case r.To.AccountNumber == "":
		return invalid("to.account_number", "is required")
	case len(r.To.AccountNumber) > 34:
		return invalid("to.account_number", "is longer than 34 characters")
	case r.To.Name == "":
		return invalid("to.name", "is required")
	case utf8.RuneCountInString(r.To.Name) > 140 || utf8.RuneCountInString(r.DebtorName) > 140:
		return invalid("to.name", "names are at most 140 characters")
	case utf8.RuneCountInString(r.Description) > 140:
		return invalid("description", "is longer than 140 characters")
	}
	if err := ledger.ValidateAmount("amount", r.Amount); err != nil {
		return err
	}
	if err := r.ExternalRef.Validate("external_ref"); err != nil {
		return err
	}
	return checkKey(r.IdempotencyKey)
}

// checkSendable holds the transfer to the pacs.008 rules by validating it
// as a batch of one, and names the request field at fault.
func (c *Service) checkSendable(t Transfer) error {
	b := c.creditTransferBatch(Batch{
		MessageID: "B" + t.EndToEndID, Total: t.Amount, CreatedAt: c.clock.Now(),
		SettlementDate: calendar.DateOf(c.clock.Now()),
	}, []Transfer{t})
	if err := b.Validate(); err != nil {
		field, msg := "to", err.Error()
		switch {
		case strings.Contains(msg, "/DbtrAgt"):
			field = "bank_identity"
		case strings.Contains(msg, "/Dbtr"):
			field = "debtor_name"
		case strings.Contains(msg, "/RmtInf"):
			field = "description"
		case strings.Contains(msg, "/CdtrAgt"):
			field = "to.bank_code"
		case strings.Contains(msg, "/CdtrAcct"):
			field = "to.account_number"
		case strings.Contains(msg, "/Cdtr/"):
			field = "to.name"
		}
		return invalid(field, "cannot be sent in a pacs.008: "+err.Error())
	}
	return nil
}

// creditTransferBatch is the pacs.008 of a batch and its transfers.
func (c *Service) creditTransferBatch(b Batch, ts []Transfer) iso20022.CreditTransferBatch {
	m := iso20022.CreditTransferBatch{Header: iso20022.GroupHeader{
		MessageID:            b.MessageID,
		CreatedAt:            b.CreatedAt,
		NumberOfTransactions: len(ts),
		TotalAmount:          b.Total,
		SettlementDate:       b.SettlementDate,
		SettlementMethod:     iso20022.SettlementClearing,
		ClearingSystem:       b.Channel, // empty without channels: the message is as before
	}}
	for _, t := range ts {
		tx := iso20022.CreditTransfer{
			InstructionID: t.EndToEndID,
			EndToEndID:    t.EndToEndID,
			TransactionID: t.EndToEndID,
			Amount:        t.Amount,
			ChargeBearer:  iso20022.ChargesSLEV,
			Debtor:        iso20022.Party{Name: t.DebtorName},
			DebtorAccount: iso20022.Account{Other: t.FromAccountNumber},
			DebtorAgent:   iso20022.Agent{BIC: c.bic, MemberID: c.memberID},
			CreditorAgent: iso20022.Agent{MemberID: t.To.BankCode},
			Creditor:      iso20022.Party{Name: t.To.Name},
		}
		if looksLikeIBAN(t.To.AccountNumber) {
			tx.CreditorAccount.IBAN = t.To.AccountNumber
		} else {
			tx.CreditorAccount.Other = t.To.AccountNumber
		}
		if t.Description != "" {
			tx.RemittanceInfo = []string{t.Description}
		}
		m.Transactions = append(m.Transactions, tx)
	}
	return m
}

// validBankCode: a clearing member id, as clearing systems issue them.
func validBankCode(s string) bool {
	if s == "" || len(s) > 35 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isUpper(s[i]) && !isDigitByte(s[i]) && !('a' <= s[i] && s[i] <= 'z') {
			return false
		}
	}
	return true
}

// looksLikeIBAN: two capital letters then two digits, as every IBAN
// starts, and long enough to be one.
func looksLikeIBAN(s string) bool {
	return len(s) >= 15 && isUpper(s[0]) && isUpper(s[1]) && isDigitByte(s[2]) && isDigitByte(s[3])
}

func isUpper(b byte) bool     { return 'A' <= b && b <= 'Z' }
func isDigitByte(b byte) bool { return '0' <= b && b <= '9' }

// CutBatch takes up to the batch limit of pending transfers in currency
// cur, oldest first, into a new batch, writes its pacs.008 and sends it.
// Concurrent cuts never put a transfer in two batches. With nothing
// pending it is ErrNotFound. If sending fails the batch stays cut and the
// error is returned with it: SendBatch sends it again.
func (c *Service) CutBatch(ctx context.Context, cur money.Currency) (Batch, error) {
	if !cur.Valid() {
		return Batch{}, invalid("currency", fmt.Sprintf("unknown currency %q", cur))
	}
	today, err := c.svc.BusinessDate(ctx)
	if err != nil {
		return Batch{}, err
	}
	return c.cut(ctx, "", cur, today, c.batchLimit)
}

// cut cuts and sends one batch of the due transfers of channel in cur.
func (c *Service) cut(ctx context.Context, channel string, cur money.Currency, today calendar.Date, limit int) (Batch, error) {
	id := ledger.NewID()
	b, err := c.store.CutClearingBatch(ctx, Batch{
		ID: id, MessageID: "B" + EndToEndIDOf(id), Currency: cur, Total: money.Zero(cur),
		SettlementDate: today, CreatedAt: c.now(), Channel: channel,
	}, limit)
	if err != nil {
		return Batch{}, err
	}
	if len(b.TransferIDs) == 0 {
		if channel != "" {
			return Batch{}, fmt.Errorf("%w: no %s transfers due in %s", ledger.ErrNotFound, channel, cur)
		}
		return Batch{}, fmt.Errorf("%w: no pending outbound transfers in %s", ledger.ErrNotFound, cur)
	}
	sent, err := c.SendBatch(ctx, b.ID)
	if err != nil && sent.ID == ledger.NilID {
		sent = b // at least the id, for SendBatch
	}
	return sent, err
}

// SendBatch writes the batch's pacs.008 again and sends it: after a failed
// send, or when the clearing house asks for it. The message is the same,
// byte for byte, every time.
func (c *Service) SendBatch(ctx context.Context, batchID ledger.ID) (Batch, error) {
	b, err := c.Batch(ctx, batchID)
	if err != nil {
		return Batch{}, err
	}
	err = c.network.Send(ctx, OutboundMessage{MessageID: b.MessageID, Kind: "pacs.008", XML: b.Message, Channel: b.Channel})
	if err != nil {
		return b, fmt.Errorf("sending batch %s: %w", b.MessageID, err)
	}
	return b, nil
}

// Batch returns a batch with its pacs.008 message.
func (c *Service) Batch(ctx context.Context, batchID ledger.ID) (Batch, error) {
	if batchID == ledger.NilID {
		return Batch{}, invalid("batch_id", "is required")
	}
	b, err := c.store.ClearingBatch(ctx, batchID)
	if err != nil {
		return Batch{}, err
	}
	b = b.normalized()
	ts, err := c.store.ClearingTransfersOfBatch(ctx, batchID)
	if err != nil {
		return Batch{}, err
	}
	for i := range ts {
		ts[i] = ts[i].normalized()
	}
	var buf bytes.Buffer
	if err := iso20022.WriteCreditTransfer(&buf, c.creditTransferBatch(b, ts)); err != nil {
		return Batch{}, fmt.Errorf("writing batch %s: %w", b.MessageID, err)
	}
	b.Message = buf.Bytes()
	return b, nil
}

// Transfer returns an outbound transfer.
func (c *Service) Transfer(ctx context.Context, id ledger.ID) (Transfer, error) {
	if id == ledger.NilID {
		return Transfer{}, invalid("transfer_id", "is required")
	}
	t, err := c.store.ClearingTransfer(ctx, id)
	return t.normalized(), err
}

// TransferByRef returns the outbound transfer the client sent with the
// reference (TransferOutRequest.ExternalRef). Errors: ErrNotFound,
// ErrInvalidInput.
func (c *Service) TransferByRef(ctx context.Context, r ledger.ExternalRef) (Transfer, error) {
	if r.IsZero() {
		return Transfer{}, invalid("external_ref", "is required")
	}
	if err := r.Validate("external_ref"); err != nil {
		return Transfer{}, err
	}
	t, err := c.store.ClearingTransferByRef(ctx, r)
	return t.normalized(), err
}

// Settle records the clearing house's confirmation of a batch: its
// transfers become settled and one entry moves their total from clearing
// suspense to the settlement account (key clearing/batch/<id>/settle).
// Transfers returned before settlement are left out of the total. Settling
// again changes nothing and returns the batch; a crash between marking
// and posting is mended by calling again.
func (c *Service) Settle(ctx context.Context, batchID ledger.ID) (Batch, error) {
	if batchID == ledger.NilID {
		return Batch{}, invalid("batch_id", "is required")
	}
	b, _, err := c.store.SettleClearingBatch(ctx, batchID, c.now())
	if err != nil {
		return Batch{}, err
	}
	b = b.normalized()
	if b.SettlementEntryID != ledger.NilID || !b.SettledTotal.IsPositive() {
		return b, nil
	}
	settlement, err := c.internal(ctx, b.Currency, channelCode(ledger.CodeSettlement, b.Channel))
	if err != nil {
		return Batch{}, err
	}
	suspense, err := c.internal(ctx, b.Currency, channelCode(ledger.CodeClearingSuspense, b.Channel))
	if err != nil {
		return Batch{}, err
	}
	receipt, err := c.svc.PostEntry(ctx, ledger.JournalRequest{
		Postings: []ledger.Posting{
			{AccountID: suspense, Side: ledger.Debit, Amount: b.SettledTotal},
			{AccountID: settlement, Side: ledger.Credit, Amount: b.SettledTotal},
		},
		Description:    "Clearing batch " + b.MessageID + " settled",
		Metadata:       map[string]string{"clearing": "settlement", "clearing_batch": b.ID.String(), "message_id": b.MessageID},
		IdempotencyKey: "clearing/batch/" + b.ID.String() + "/settle",
	})
	if err != nil {
		return Batch{}, err
	}
	if err := c.store.SetSettlementEntry(ctx, b.ID, receipt.Entry.ID); err != nil {
		return Batch{}, err
	}
	b.SettlementEntryID = receipt.Entry.ID
	return b, nil
}

// SendDue sends every channel transfer that is due: one message per
// transfer on the real-time channels (large-value, online), one netted
// batch (up to the batch limit each) on the bulk channel once its cut-off
// has come. The bank's scheduler calls it often (every few seconds: the
// real-time channels are as prompt as it is). It returns the batches sent,
// and stops at the first failed send, returning it with the error:
// SendBatch sends it again. Without channels it sends nothing.
func (c *Service) SendDue(ctx context.Context) ([]Batch, error) {
	if len(c.channels.List) == 0 {
		return nil, nil
	}
	today, err := c.svc.BusinessDate(ctx)
	if err != nil {
		return nil, err
	}
	var sent []Batch
	for _, ch := range c.channels.List {
		limit := c.batchLimit
		if ch.Kind.realTime() {
			limit = 1
		}
		for {
			b, err := c.cut(ctx, ch.Code, c.channels.Currency, today, limit)
			if errors.Is(err, ledger.ErrNotFound) && b.ID == ledger.NilID {
				break
			}
			if b.ID != ledger.NilID {
				sent = append(sent, b)
			}
			if err != nil {
				return sent, err
			}
		}
	}
	return sent, nil
}
