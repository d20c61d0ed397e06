package refserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/ledger/iso20022"
	"github.com/bankkit/bankkit/money"
)

func (s *Server) clearingRoutes() []route {
	return tagged("clearing", []route{
		{method: "POST", pattern: "/v1/clearing/batches",
			summary: "Cut the pending outbound inter-bank transfers of a currency (default CNY) into a batch, send it, and return it with its ISO 20022 pacs.008 message",
			access:  financeStaff, idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.cutBatch)},
		{method: "POST", pattern: "/v1/clearing/batches/{id}/settle",
			summary: "Record that the clearing house settled a batch: suspense moves to the settlement account",
			access:  financeStaff, idempotency: idemRequired, handler: handle(s.settleBatch)},
		{method: "POST", pattern: "/v1/clearing/inbound",
			summary: "Upload an ISO 20022 message from the clearing house (body: the XML, in any envelope): pacs.008 credits beneficiaries and returns what it cannot apply with a pacs.004; pacs.004 refunds returned payments; pacs.002 settles accepted batches and refunds rejected transfers with the reason",
			access:  financeStaff, idempotency: idemRequired, handler: handle(s.receiveInbound)},
		{method: "GET", pattern: "/v1/clearing/channels",
			summary: "The inter-bank channels outbound transfers are routed to (large-value, bulk, online), with their limits, hours, cut-offs and fees; empty when the bank runs one clearing network",
			access:  financeStaff, handler: handle(s.clearingChannelsView)},
		{method: "POST", pattern: "/v1/clearing/send-due",
			summary: "Send every channel transfer that is due: one message per payment on the real-time channels, a netted batch on the bulk channel once its cut-off has come",
			access:  financeStaff, idempotency: idemOptional, handler: handle(s.sendDue)},
		{method: "GET", pattern: "/v1/clearing/transfers/{id}",
			summary: "An outbound inter-bank transfer as clearing sees it: its channel and why, when it will be sent, the fee, and its status through the channel with the reason",
			access:  financeStaff, handler: handle(s.clearingTransfer)},
		{method: "POST", pattern: "/v1/reconciliation/statements",
			summary: "Upload a bank-to-customer statement (body: camt.053 statement, camt.052 intraday report or camt.054 notification XML, or CSV with statement_id) for a nostro/settlement account (account_id) and get the match report; dry_run=true records nothing",
			access:  financeStaff, idempotency: idemOptional, handler: handle(s.reconcile)},
	})
}

// Requests and views of clearing and reconciliation in the API's words.
type (
	batchRequest struct {
		Currency money.Currency `json:"currency,omitempty"`
	}
	batchPath struct {
		ID ledger.ID `path:"id"`
	}
	inboundRequest struct {
		Message upload
	}
	statementUpload struct {
		AccountID   ledger.ID       `query:"account_id" doc:"the nostro or settlement account (default: the settlement account in the statement's currency, made on demand)"`
		DryRun      bool            `query:"dry_run" doc:"true: show the matches without recording them"`
		Format      statementFormat `query:"format" doc:"camt053, camt052 or camt054 (default: any of the three, as the XML says), or csv"`
		StatementID string          `query:"statement_id" doc:"the statement's id (CSV only)"`
		Statement   upload
	}
	channelView struct {
		Code             string       `json:"code"`
		Name             string       `json:"name"`
		Kind             string       `json:"kind"`
		MaxPerItem       *money.Money `json:"max_per_item,omitempty"`
		Fee              money.Money  `json:"fee"`
		BusinessDaysOnly bool         `json:"business_days_only"`
		Opens            string       `json:"opens,omitempty"`
		Closes           string       `json:"closes,omitempty"`
		Cutoffs          []string     `json:"cutoffs"`
	}
	channelsView struct {
		Currency    string        `json:"currency,omitempty"`
		TimeZone    string        `json:"time_zone,omitempty"`
		SmallAmount *money.Money  `json:"small_amount,omitempty"`
		Channels    []channelView `json:"channels"`
	}
	sentView struct {
		Batches []batchView `json:"batches"`
	}
	clearingTransferView struct {
		ID            string      `json:"id"`
		EndToEndID    string      `json:"end_to_end_id"`
		FromAccountID string      `json:"from_account_id"`
		Amount        money.Money `json:"amount"`
		Fee           money.Money `json:"fee"`
		Status        string      `json:"status"`
		Progress      string      `json:"progress"`
		Reason        string      `json:"reason"`
		Channel       string      `json:"channel,omitempty"`
		Route         string      `json:"route,omitempty"`
		Urgent        bool        `json:"urgent"`
		SendAfter     *time.Time  `json:"send_after,omitempty"`
		BatchID       string      `json:"batch_id,omitempty"`
		ReturnReason  string      `json:"return_reason,omitempty"`
		CreatedAt     time.Time   `json:"created_at"`
	}
	batchView struct {
		ID             string        `json:"id"`
		MessageID      string        `json:"message_id"`
		Currency       string        `json:"currency"`
		TransferIDs    []string      `json:"transfer_ids"`
		Total          money.Money   `json:"total"`
		SettlementDate calendar.Date `json:"settlement_date"`
		CreatedAt      time.Time     `json:"created_at"`
		Settled        bool          `json:"settled"`
		Message        string        `json:"message"`
		Channel        string        `json:"channel,omitempty"`
	}
	inboundItemView struct {
		EndToEndID    string      `json:"end_to_end_id,omitempty"`
		TransactionID string      `json:"transaction_id,omitempty"`
		AccountNumber string      `json:"account_number,omitempty"`
		Amount        money.Money `json:"amount"`
		TransferID    string      `json:"transfer_id,omitempty"`
		Reason        string      `json:"reason,omitempty"`
		Info          string      `json:"info,omitempty"`
	}
	inboundView struct {
		Kind            string            `json:"kind"`
		MessageID       string            `json:"message_id"`
		Credited        []inboundItemView `json:"credited"`
		Returned        []inboundItemView `json:"returned"`
		Rejected        []inboundItemView `json:"rejected"`
		Settled         []inboundItemView `json:"settled"`
		Pending         []inboundItemView `json:"pending"`
		SettledBatches  []string          `json:"settled_batches"`
		ReturnMessageID string            `json:"return_message_id,omitempty"`
		ReturnMessage   string            `json:"return_message,omitempty"`
		Replayed        bool              `json:"replayed"`
	}
	matchView struct {
		Kind        string      `json:"kind"`
		Lines       []int       `json:"statement_lines"`
		TransferIDs []string    `json:"transfer_ids"`
		Amount      money.Money `json:"amount"`
	}
	breakView struct {
		ID         string        `json:"id"`
		Side       string        `json:"side"`
		Line       int           `json:"statement_line"`
		TransferID string        `json:"transfer_id,omitempty"`
		Amount     money.Money   `json:"amount"`
		ValueDate  calendar.Date `json:"value_date"`
		Reference  string        `json:"reference,omitempty"`
		Status     string        `json:"status"`
	}
	reconView struct {
		ID                      string        `json:"id"`
		AccountID               string        `json:"account_id"`
		StatementID             string        `json:"statement_id"`
		DryRun                  bool          `json:"dry_run"`
		From                    calendar.Date `json:"from"`
		To                      calendar.Date `json:"to"`
		Matches                 []matchView   `json:"matches"`
		UnmatchedStatement      []breakView   `json:"unmatched_on_statement"`
		UnmatchedLedger         []breakView   `json:"unmatched_in_ledger"`
		MatchedTotal            money.Money   `json:"matched_total"`
		UnmatchedStatementTotal money.Money   `json:"unmatched_on_statement_total"`
		UnmatchedLedgerTotal    money.Money   `json:"unmatched_in_ledger_total"`
		Replayed                bool          `json:"replayed"`
	}
)

// statementFormat is the ?format= of a statement upload.
type statementFormat string

func (f *statementFormat) UnmarshalText(b []byte) error {
	switch s := statementFormat(b); s {
	case "camt053", "camt052", "camt054", "csv":
		*f = s
		return nil
	}
	return errors.New("must be camt053, camt052, camt054 or csv")
}

func ids(in []ledger.ID) []string {
	out := make([]string, 0, len(in))
	for _, id := range in {
		out = append(out, id.String())
	}
	return out
}

func batchOf(b clearing.Batch) batchView {
	return batchView{ID: b.ID.String(), MessageID: b.MessageID, Currency: string(b.Currency), TransferIDs: ids(b.TransferIDs),
		Total: b.Total, SettlementDate: b.SettlementDate, CreatedAt: b.CreatedAt.UTC(), Settled: b.Settled, Message: string(b.Message),
		Channel: b.Channel}
}

// clearingOptions are the clearing options of the configuration: the
// CNAPS channels on the bank's calendar when InterbankChannels is set.
func (s *Server) clearingOptions(cal *calendar.BusinessCalendar) []clearing.Option {
	if !s.cfg.InterbankChannels {
		return nil
	}
	return []clearing.Option{clearing.WithChannels(clearing.DefaultChannels(cal))}
}

// clock reads a time since midnight as hh:mm.
func clockTime(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

func (s *Server) clearingChannelsView(ctx context.Context, _ none) (channelsView, error) {
	cs := s.clearing.Channels()
	v := channelsView{Channels: []channelView{}}
	if len(cs.List) == 0 {
		return v, nil
	}
	small := money.Money{Amount: cs.SmallAmount, Currency: cs.Currency}
	v.Currency, v.TimeZone, v.SmallAmount = string(cs.Currency), cs.Location.String(), &small
	for _, ch := range cs.List {
		cv := channelView{Code: ch.Code, Name: ch.Name, Kind: string(ch.Kind), Fee: money.Money{Amount: ch.Fee, Currency: cs.Currency},
			BusinessDaysOnly: ch.BusinessDaysOnly, Cutoffs: []string{}}
		if ch.MaxPerItem.IsPositive() {
			m := money.Money{Amount: ch.MaxPerItem, Currency: cs.Currency}
			cv.MaxPerItem = &m
		}
		if ch.Opens != 0 || ch.Closes != 0 {
			cv.Opens, cv.Closes = clockTime(ch.Opens), clockTime(ch.Closes)
		}
		for _, c := range ch.Cutoffs {
			cv.Cutoffs = append(cv.Cutoffs, clockTime(c))
		}
		v.Channels = append(v.Channels, cv)
	}
	return v, nil
}

func (s *Server) sendDue(ctx context.Context, _ none) (sentView, error) {
	bs, err := s.clearing.SendDue(ctx)
	if err != nil {
		return sentView{}, err
	}
	v := sentView{Batches: []batchView{}}
	for _, b := range bs {
		v.Batches = append(v.Batches, batchOf(b))
	}
	return v, nil
}

func (s *Server) clearingTransfer(ctx context.Context, req batchPath) (clearingTransferView, error) {
	t, err := s.clearing.Transfer(ctx, req.ID)
	if err != nil {
		return clearingTransferView{}, err
	}
	p, why := t.Progress()
	v := clearingTransferView{ID: t.ID.String(), EndToEndID: t.EndToEndID, FromAccountID: t.FromAccountID.String(),
		Amount: t.Amount, Fee: t.Fee, Status: string(t.Status), Progress: string(p), Reason: why,
		Channel: t.Channel, Route: t.Route, Urgent: t.Urgent, BatchID: idOrEmpty(t.BatchID), ReturnReason: t.ReturnReason,
		CreatedAt: t.CreatedAt.UTC()}
	if !t.SendAfter.IsZero() {
		at := t.SendAfter.UTC()
		v.SendAfter = &at
	}
	return v, nil
}

func inboundItems(in []clearing.InboundItem) []inboundItemView {
	out := make([]inboundItemView, 0, len(in))
	for _, it := range in {
		out = append(out, inboundItemView{EndToEndID: it.EndToEndID, TransactionID: it.TransactionID, AccountNumber: it.AccountNumber,
			Amount: it.Amount, TransferID: idOrEmpty(it.TransferID), Reason: it.Reason, Info: it.Info})
	}
	return out
}

func breaksOf(in []clearing.ReconBreak) []breakView {
	out := make([]breakView, 0, len(in))
	for _, b := range in {
		out = append(out, breakView{ID: b.ID.String(), Side: string(b.Side), Line: b.Line, TransferID: idOrEmpty(b.EntryID),
			Amount: b.Amount, ValueDate: b.ValueDate, Reference: b.Reference, Status: string(b.Status)})
	}
	return out
}

func reconOf(r clearing.ReconReport) reconView {
	v := reconView{ID: r.ID.String(), AccountID: r.AccountID.String(), StatementID: r.StatementID, DryRun: r.DryRun, From: r.From, To: r.To,
		Matches: []matchView{}, UnmatchedStatement: breaksOf(r.UnmatchedStatement), UnmatchedLedger: breaksOf(r.UnmatchedLedger),
		MatchedTotal: r.MatchedTotal, UnmatchedStatementTotal: r.UnmatchedStatementTotal, UnmatchedLedgerTotal: r.UnmatchedLedgerTotal, Replayed: r.Replayed}
	for _, m := range r.Matches {
		v.Matches = append(v.Matches, matchView{Kind: string(m.Kind), Lines: m.Lines, TransferIDs: ids(m.EntryIDs), Amount: m.Amount})
	}
	return v
}

// requireFile refuses an upload without a body.
func requireFile(f upload) error {
	if len(f) == 0 {
		return fault.Field(errInvalidInput, "body", "upload the message as the request body")
	}
	return nil
}

func (s *Server) cutBatch(ctx context.Context, req batchRequest) (batchView, error) {
	if req.Currency == "" {
		req.Currency = money.CNY
	}
	b, err := s.clearing.CutBatch(ctx, req.Currency)
	if err != nil {
		return batchView{}, err
	}
	if b, err = s.clearing.SendBatch(ctx, b.ID); err != nil {
		return batchView{}, err
	}
	return batchOf(b), nil
}

func (s *Server) settleBatch(ctx context.Context, req batchPath) (batchView, error) {
	b, err := s.clearing.Settle(ctx, req.ID)
	if err != nil {
		return batchView{}, err
	}
	return batchOf(b), nil
}

func (s *Server) receiveInbound(ctx context.Context, req inboundRequest) (inboundView, error) {
	if err := requireFile(req.Message); err != nil {
		return inboundView{}, err
	}
	r, err := s.clearing.Receive(ctx, req.Message)
	if err != nil {
		return inboundView{}, err
	}
	return inboundView{Kind: r.Kind, MessageID: r.MessageID, Credited: inboundItems(r.Credited), Returned: inboundItems(r.Returned),
		Rejected: inboundItems(r.Rejected), Settled: inboundItems(r.Settled), Pending: inboundItems(r.Pending), SettledBatches: ids(r.SettledBatches),
		ReturnMessageID: r.ReturnMessageID, ReturnMessage: string(r.ReturnMessage), Replayed: r.Replayed}, nil
}

func (s *Server) reconcile(ctx context.Context, req statementUpload) (reconView, error) {
	if err := requireFile(req.Statement); err != nil {
		return reconView{}, err
	}
	if req.AccountID != ledger.NilID {
		if _, err := s.ledger.Account(ctx, req.AccountID); err != nil {
			return reconView{}, err
		}
	}
	if req.Format != "" && req.Format != "csv" {
		if err := requireMessage(req.Format, req.Statement); err != nil {
			return reconView{}, err
		}
	}
	importTo := func(account ledger.ID) (clearing.ReconReport, error) {
		if req.Format == "csv" {
			return s.clearing.ImportCSV(ctx, account, req.StatementID, req.Statement, req.DryRun)
		}
		return s.clearing.ImportBankToCustomer(ctx, account, req.Statement, req.DryRun)
	}
	r, err := importTo(req.AccountID)
	var fe *fault.FieldError
	if req.AccountID == ledger.NilID && errors.As(err, &fe) && fe.Field == "account_id" {
		// A statement that names no currency (it has no lines): the CNY
		// settlement account, the default before statements chose theirs.
		acct, aerr := s.ledger.ChartAccount(ctx, money.CNY, ledger.CodeSettlement)
		if aerr != nil {
			return reconView{}, aerr
		}
		r, err = importTo(acct.ID)
	}
	if err != nil {
		return reconView{}, err
	}
	return reconOf(r), nil
}

// requireMessage refuses an upload that is not the ISO 20022 message the
// format names ("camt054": a camt.054 of any version).
func requireMessage(format statementFormat, data []byte) error {
	id, err := iso20022.Identify(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("%w (%w)", err, errInvalidInput)
	}
	want := string(format[:4]) + "." + string(format[4:])
	if !strings.HasPrefix(id, want+".") {
		return fault.Field(errInvalidInput, "format", fmt.Sprintf("is %s, the upload a %s", want, id))
	}
	return nil
}
