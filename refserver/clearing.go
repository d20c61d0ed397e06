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
		Total: b.Total, SettlementDate: b.SettlementDate, CreatedAt: b.CreatedAt.UTC(), Settled: b.Settled, Message: string(b.Message)}
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
