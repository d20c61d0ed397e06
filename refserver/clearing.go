package refserver

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/money"
)

// Views of end of day, clearing and reconciliation in the API's words.
type (
	endOfDayView struct {
		BusinessDate    calendar.Date                  `json:"business_date"`
		NextDate        calendar.Date                  `json:"next_business_date"`
		AccountsAccrued int                            `json:"accounts_accrued"`
		DaysAccrued     int                            `json:"account_days_accrued"`
		Postings        int                            `json:"interest_postings"`
		InterestPosted  map[money.Currency]money.Money `json:"interest_posted"`
		TaxWithheld     map[money.Currency]money.Money `json:"tax_withheld"`
		DebitInterest   map[money.Currency]money.Money `json:"debit_interest"`
		Maturities      int                            `json:"maturities"`
		HoldsExpired    int                            `json:"holds_expired"`
		MarkedDormant   int                            `json:"marked_dormant"`
		Failures        []failureView                  `json:"failures"`
	}
	failureView struct {
		Step   string `json:"step"`
		ID     string `json:"id"`
		Reason string `json:"reason"`
	}
	batchRequest struct {
		Currency money.Currency `json:"currency,omitempty"`
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

func ids(in []ledger.ID) []string {
	out := make([]string, 0, len(in))
	for _, id := range in {
		out = append(out, id.String())
	}
	return out
}

func idOrEmpty(id ledger.ID) string {
	if id == ledger.NilID {
		return ""
	}
	return id.String()
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

// clearingTransferOf presents an outbound inter-bank payment as a transfer;
// its id is the clearing transfer's, its status the clearing status.
func clearingTransferOf(c clearing.Transfer, valueDate calendar.Date) transferView {
	return transferView{ID: c.ID.String(), Kind: "interbank", Status: string(c.Status), FromAccountID: c.FromAccountID.String(),
		Amount: c.Amount, Description: c.Description, ValueDate: valueDate, CreatedAt: c.CreatedAt.UTC(),
		ToExternal:   &externalParty{BankCode: c.To.BankCode, AccountNumber: c.To.AccountNumber, Name: c.To.Name},
		ReturnReason: c.ReturnReason}
}

// xmlBody reads an uploaded ISO 20022 or CSV file: the body as it came.
func xmlBody(rc *reqCtx) ([]byte, error) {
	if len(rc.body) == 0 {
		return nil, badField("body", "upload the message as the request body")
	}
	return rc.body, nil
}

func (s *Server) clearingRoutes() []route {
	return []route{
		{
			method: "POST", pattern: "/v1/end-of-day", tag: "operations",
			summary: "Run end of day for the current business date (interest accrual and posting, maturities, hold expiry, dormancy) and advance it",
			access:  access{roles: rolesAdmin}, idempotency: idemOptional, response: endOfDayView{}, status: http.StatusOK,
			handle: func(rc *reqCtx) (any, error) {
				today, err := s.ledger.BusinessDate(rc.ctx())
				if err != nil {
					return nil, err
				}
				sum, err := s.eod.Run(rc.ctx(), today)
				if err != nil {
					return nil, err
				}
				v := endOfDayView{BusinessDate: sum.Date, NextDate: sum.Next, AccountsAccrued: sum.AccountsAccrued, DaysAccrued: sum.DaysAccrued,
					Postings: sum.Postings, InterestPosted: sum.InterestPosted, TaxWithheld: sum.TaxWithheld, DebitInterest: sum.DebitInterest,
					Maturities: sum.Maturities, HoldsExpired: sum.HoldsExpired, MarkedDormant: sum.MarkedDormant, Failures: []failureView{}}
				for _, f := range sum.Failures {
					v.Failures = append(v.Failures, failureView{Step: string(f.Step), ID: f.ID.String(), Reason: f.Reason})
				}
				return v, nil
			},
		},
		{
			method: "POST", pattern: "/v1/clearing/batches", tag: "clearing",
			summary: "Cut the pending outbound inter-bank transfers of a currency (default CNY) into a batch, send it, and return it with its ISO 20022 pacs.008 message",
			access:  access{roles: rolesFinance}, idempotency: idemOptional, request: batchRequest{}, response: batchView{}, status: http.StatusCreated,
			handle: func(rc *reqCtx) (any, error) {
				var req batchRequest
				if len(rc.body) > 0 {
					if err := rc.decode(&req); err != nil {
						return nil, err
					}
				}
				if req.Currency == "" {
					req.Currency = money.CNY
				}
				b, err := s.clearing.CutBatch(rc.ctx(), req.Currency)
				if err != nil {
					return nil, err
				}
				if b, err = s.clearing.SendBatch(rc.ctx(), b.ID); err != nil {
					return nil, err
				}
				return batchOf(b), nil
			},
		},
		{
			method: "POST", pattern: "/v1/clearing/batches/{id}/settle", tag: "clearing",
			summary: "Record that the clearing house settled a batch: suspense moves to the settlement account",
			access:  access{roles: rolesFinance}, idempotency: idemRequired, response: batchView{}, status: http.StatusOK,
			handle: func(rc *reqCtx) (any, error) {
				id, err := ledger.ParseID(rc.r.PathValue("id"))
				if err != nil {
					return nil, errNotFound
				}
				b, err := s.clearing.Settle(rc.ctx(), id)
				if err != nil {
					return nil, err
				}
				return batchOf(b), nil
			},
		},
		{
			method: "POST", pattern: "/v1/clearing/inbound", tag: "clearing",
			summary: "Upload an ISO 20022 message from the clearing house (body: the XML): pacs.008 credits beneficiaries and returns what it cannot apply with a pacs.004; pacs.004 refunds returned payments",
			access:  access{roles: rolesFinance}, idempotency: idemRequired, response: inboundView{}, status: http.StatusOK,
			handle: func(rc *reqCtx) (any, error) {
				data, err := xmlBody(rc)
				if err != nil {
					return nil, err
				}
				r, err := s.clearing.Receive(rc.ctx(), data)
				if err != nil {
					return nil, err
				}
				return inboundView{Kind: r.Kind, MessageID: r.MessageID, Credited: inboundItems(r.Credited), Returned: inboundItems(r.Returned),
					Rejected: inboundItems(r.Rejected), ReturnMessageID: r.ReturnMessageID, ReturnMessage: string(r.ReturnMessage), Replayed: r.Replayed}, nil
			},
		},
		{
			method: "POST", pattern: "/v1/reconciliation/statements", tag: "clearing",
			summary: "Upload a bank-to-customer statement (body: camt.053 XML, or CSV with statement_id) for a nostro/settlement account (account_id) and get the match report; dry_run=true records nothing",
			access:  access{roles: rolesFinance}, idempotency: idemOptional, response: reconView{}, status: http.StatusOK,
			query: []queryParam{{"account_id", "the nostro or settlement account (default: the CNY settlement account)"},
				{"dry_run", "true: show the matches without recording them"}, {"format", "camt053 (default) or csv"}, {"statement_id", "the statement's id (CSV only)"}},
			handle: s.reconcile,
		},
	}
}

func (s *Server) reconcile(rc *reqCtx) (any, error) {
	data, err := xmlBody(rc)
	if err != nil {
		return nil, err
	}
	q := rc.r.URL.Query()
	dry := false
	if v := q.Get("dry_run"); v != "" {
		if dry, err = strconv.ParseBool(v); err != nil {
			return nil, badField("dry_run", "must be true or false")
		}
	}
	var acct ledger.Account
	if v := q.Get("account_id"); v != "" {
		id, err := ledger.ParseID(v)
		if err != nil {
			return nil, badField("account_id", "must be an account id")
		}
		if acct, err = s.ledger.Account(rc.ctx(), id); err != nil {
			return nil, err
		}
	} else if acct, err = s.ledger.ChartAccount(rc.ctx(), money.CNY, ledger.CodeSettlement); err != nil {
		return nil, err
	}
	var r clearing.ReconReport
	switch q.Get("format") {
	case "", "camt053":
		r, err = s.clearing.ImportCamt053(rc.ctx(), acct.ID, data, dry)
	case "csv":
		r, err = s.clearing.ImportCSV(rc.ctx(), acct.ID, q.Get("statement_id"), data, dry)
	default:
		return nil, badField("format", "must be camt053 or csv")
	}
	if err != nil {
		return nil, err
	}
	return reconOf(r), nil
}

// transferOut is POST /v1/transfers with to_external.
func (s *Server) transferOut(rc *reqCtx, from ledger.Account, req transferRequest) (any, error) {
	c, err := s.clearing.TransferOut(rc.ctx(), clearing.TransferOutRequest{FromAccountID: from.ID,
		To:     clearing.ExternalAccount{BankCode: req.ToExternal.BankCode, AccountNumber: req.ToExternal.AccountNumber, Name: req.ToExternal.Name},
		Amount: req.Amount, Description: req.Description, IdempotencyKey: ledgerKey(rc, "transfer-out")})
	if err != nil {
		return nil, err
	}
	s.metrics.transfersPosted.WithLabelValues("interbank").Inc()
	e, err := s.ledger.Entry(rc.ctx(), c.EntryID)
	if err != nil {
		return nil, err
	}
	return clearingTransferOf(c, e.ValueDate), nil
}

// clearingTransfer loads an inter-bank transfer by id for GET
// /v1/transfers/{id}, with the same ownership rule as any transfer.
func (s *Server) clearingTransfer(rc *reqCtx, id ledger.ID) (any, error) {
	c, err := s.clearing.Transfer(rc.ctx(), id)
	if errors.Is(err, ledger.ErrNotFound) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	if rc.isCustomer() {
		if _, err := s.account(rc, c.FromAccountID.String()); err != nil {
			return nil, errNotFound
		}
	}
	e, err := s.ledger.Entry(rc.ctx(), c.EntryID)
	if err != nil {
		return nil, err
	}
	return clearingTransferOf(c, e.ValueDate), nil
}
