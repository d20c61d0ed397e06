package refserver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/refserver/bank"
)

// journalPosters may post manual journal entries: an administrator or the
// finance department (corrections, accruals the systems did not make).
var journalPosters = staff(channel.RoleAdmin, channel.RoleFinance)

// permJournalCreate is the permission of POST /v1/journal-entries.
const permJournalCreate = "journal-entries.create"

// journalRoutes: manual journal entries, which maker-checker holds for a
// second member of staff (makerCheckerPolicies).
func (s *Server) journalRoutes() []route {
	return tagged("money", []route{
		{method: "POST", pattern: "/v1/journal-entries", summary: "Post a manual journal entry: balanced debits and credits on any accounts, with a reason (held for a second member of staff)",
			access: journalPosters, idempotency: idemRequired, status: http.StatusCreated, handler: handle(s.postJournalEntry)},
	})
}

type (
	journalPosting struct {
		AccountID string      `json:"account_id"`
		Side      string      `json:"side" doc:"debit or credit"`
		Amount    money.Money `json:"amount"`
	}
	journalEntryRequest struct {
		Key         string            `header:"Idempotency-Key" json:"-"`
		Postings    []journalPosting  `json:"postings" doc:"two or more; debits equal credits per currency"`
		Description string            `json:"description" doc:"why the entry is made (required)"`
		ValueDate   string            `json:"value_date,omitempty" doc:"YYYY-MM-DD; default the business date"`
		Metadata    map[string]string `json:"metadata,omitempty"`
	}
	journalEntryView struct {
		ID          string            `json:"id"`
		Kind        string            `json:"kind"`
		Postings    []journalPosting  `json:"postings"`
		Description string            `json:"description"`
		Metadata    map[string]string `json:"metadata,omitempty"`
		ValueDate   calendar.Date     `json:"value_date"`
		CreatedAt   time.Time         `json:"created_at"`

		replay bool
	}
)

func (v journalEntryView) replayed() bool { return v.replay }

func (s *Server) postJournalEntry(ctx context.Context, req journalEntryRequest) (journalEntryView, error) {
	if len(req.Postings) < 2 {
		return journalEntryView{}, fault.Field(ledger.ErrInvalidInput, "postings", "needs two or more postings")
	}
	if req.Description == "" {
		return journalEntryView{}, fault.Field(ledger.ErrInvalidInput, "description", "is required: say why the entry is made")
	}
	r := ledger.JournalRequest{Description: req.Description, Metadata: req.Metadata}
	for i, p := range req.Postings {
		id, err := ledger.ParseID(p.AccountID)
		if err != nil {
			return journalEntryView{}, fault.Field(ledger.ErrInvalidInput, fmt.Sprintf("postings[%d].account_id", i), "must be an account id")
		}
		side := ledger.Side(p.Side)
		if side != ledger.Debit && side != ledger.Credit {
			return journalEntryView{}, fault.Field(ledger.ErrInvalidInput, fmt.Sprintf("postings[%d].side", i), "must be debit or credit")
		}
		r.Postings = append(r.Postings, ledger.Posting{AccountID: id, Side: side, Amount: p.Amount})
	}
	if req.ValueDate != "" {
		d, err := calendar.ParseDate(req.ValueDate)
		if err != nil {
			return journalEntryView{}, fault.Field(ledger.ErrInvalidInput, "value_date", "must be a date YYYY-MM-DD")
		}
		r.ValueDate = d
	}
	if req.Key != "" {
		// Scoped to the caller: one member of staff's key is not another's.
		sum := sha256.Sum256([]byte("journal\x00" + bank.CallerOf(ctx).IdentityID.String() + "\x00" + req.Key))
		r.IdempotencyKey = hex.EncodeToString(sum[:])
	}
	rc, err := s.ledger.PostEntry(ctx, r)
	if err != nil {
		return journalEntryView{}, err
	}
	e := rc.Entry
	v := journalEntryView{ID: e.ID.String(), Kind: string(e.Kind), Description: e.Description, Metadata: e.Metadata,
		ValueDate: e.ValueDate, CreatedAt: e.BookedAt, replay: rc.Replayed}
	for _, p := range e.Postings {
		v.Postings = append(v.Postings, journalPosting{AccountID: p.AccountID.String(), Side: string(p.Side), Amount: p.Amount})
	}
	return v, nil
}
