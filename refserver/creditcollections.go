package refserver

import (
	"context"
	"errors"
	"strconv"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/refserver/bank"
)

// Collections and the credit-risk measures over HTTP.
type (
	queueQuery struct {
		Bucket string `query:"bucket" doc:"a delinquency bucket (1-30, 31-60, 61-90, 90+); default all"`
		page
	}
	actionRequest struct {
		ID credit.ID `path:"id" json:"-"`
		bank.ActionRequest
	}
	promiseRequest struct {
		ID credit.ID `path:"id" json:"-"`
		bank.PromiseRequest
	}
	restructureRequest struct {
		ID credit.ID `path:"id" json:"-"`
		bank.RestructureRequest
	}
	restructureDecision struct {
		ID credit.ID `path:"id" json:"-"`
		bank.DecideRequest
	}
	classificationRequest struct {
		ID credit.ID `path:"id" json:"-"`
		bank.ClassificationRequest
	}
	writeOffRequest struct {
		ID     credit.ID `path:"id" json:"-"`
		Reason string    `json:"reason"`
	}
	recoverRequest struct {
		ID credit.ID `path:"id" json:"-"`
		bank.RepayRequest
	}
	numberedQuery struct {
		ID    credit.ID    `path:"id"`
		Limit pageLimit    `query:"limit" doc:"1-500, default 50"`
		After numberCursor `query:"after" doc:"cursor: the next of the previous page"`
	}
	migrationQuery struct {
		From calendar.Date `query:"from" doc:"business date"`
		To   calendar.Date `query:"to" doc:"business date after from"`
	}
	concentrationQuery struct {
		By  credit.Dimension `query:"by" doc:"customer or product"`
		Top int              `query:"top" doc:"the largest so many; default 10"`
	}
	riskList[T any] struct {
		Items []T `json:"items"`
	}
)

// numberCursor is the number of the last item of the previous page of a
// numbered list (a loan's actions, promises).
type numberCursor int

func (c *numberCursor) UnmarshalText(b []byte) error {
	n, err := strconv.Atoi(string(b))
	if err != nil || n < 0 {
		return errors.New("is not a cursor this endpoint returned")
	}
	*c = numberCursor(n)
	return nil
}

// numbered is a page of a numbered list with the cursor of the next
// when the page is full.
func numbered[T any](items []T, limit int, number func(T) int, err error) (list[T], error) {
	if err != nil {
		return list[T]{}, err
	}
	out := list[T]{Items: nonNil(items)}
	if len(items) == limit && limit > 0 {
		out.Next = strconv.Itoa(number(items[len(items)-1]))
	}
	return out, nil
}

func (s *Server) collectionsQueue(ctx context.Context, q queueQuery) (list[credit.QueueItem], error) {
	items, err := s.loans.Credit().CollectionsQueue(ctx, q.Bucket, creditPage(q.page))
	return listOf(items, q.Limit.n(), func(it credit.QueueItem) credit.ID { return it.LoanID }, err)
}

func (s *Server) recordCollectionAction(ctx context.Context, r actionRequest) (credit.CollectionAction, error) {
	l, err := s.loans.RecordAction(ctx, r.ID, r.ActionRequest)
	if err != nil {
		return credit.CollectionAction{}, err
	}
	return *l.Collections.LastAction, nil
}

func (s *Server) listCollectionActions(ctx context.Context, q numberedQuery) (list[credit.CollectionAction], error) {
	as, err := s.loans.Credit().CollectionActions(ctx, q.ID, credit.NumberPage{After: int(q.After), Limit: q.Limit.n()})
	return numbered(as, q.Limit.n(), func(a credit.CollectionAction) int { return a.Number }, err)
}

func (s *Server) promiseToPay(ctx context.Context, r promiseRequest) (credit.Promise, error) {
	l, err := s.loans.PromiseToPay(ctx, r.ID, r.PromiseRequest)
	if err != nil {
		return credit.Promise{}, err
	}
	return *l.Collections.Promise, nil
}

func (s *Server) listPromises(ctx context.Context, q numberedQuery) (list[credit.Promise], error) {
	ps, err := s.loans.Credit().Promises(ctx, q.ID, credit.NumberPage{After: int(q.After), Limit: q.Limit.n()})
	return numbered(ps, q.Limit.n(), func(p credit.Promise) int { return p.Number }, err)
}

func (s *Server) proposeRestructure(ctx context.Context, r restructureRequest) (credit.Loan, error) {
	return s.loans.ProposeRestructure(ctx, r.ID, r.RestructureRequest)
}

func (s *Server) approveRestructure(ctx context.Context, r creditPath) (credit.Loan, error) {
	return s.loans.ApproveRestructure(ctx, r.ID)
}

func (s *Server) decideRestructure(ctx context.Context, r restructureDecision) (credit.Loan, error) {
	l, err := s.loans.DecideRestructure(ctx, r.ID, r.DecideRequest)
	if errors.Is(err, credit.ErrOutOfOrder) {
		return l, fault.Field(credit.ErrOutOfOrder, "step", err.Error())
	}
	return l, err
}

func (s *Server) loanClassification(ctx context.Context, r creditPath) (bank.Classification, error) {
	return s.loans.ClassificationOf(ctx, r.ID)
}

func (s *Server) downgradeLoan(ctx context.Context, r classificationRequest) (bank.Classification, error) {
	return s.loans.Downgrade(ctx, r.ID, r.ClassificationRequest)
}

func (s *Server) requestLoanUpgrade(ctx context.Context, r classificationRequest) (bank.Classification, error) {
	return s.loans.RequestUpgrade(ctx, r.ID, r.ClassificationRequest)
}

func (s *Server) approveLoanUpgrade(ctx context.Context, r creditPath) (bank.Classification, error) {
	return s.loans.ApproveUpgrade(ctx, r.ID)
}

func (s *Server) requestWriteOff(ctx context.Context, r writeOffRequest) (credit.Loan, error) {
	return s.loans.RequestWriteOff(ctx, r.ID, r.Reason)
}

func (s *Server) approveWriteOff(ctx context.Context, r creditPath) (credit.Loan, error) {
	return s.loans.ApproveWriteOff(ctx, r.ID)
}

func (s *Server) recoverLoan(ctx context.Context, r recoverRequest) (repaymentView, error) {
	rep, l, err := s.loans.Recover(ctx, r.ID, r.RepayRequest)
	return repaymentView{Repayment: rep, Loan: l}, err
}

func (s *Server) creditProvisions(ctx context.Context, _ none) (riskList[credit.ProvisionLine], error) {
	ls, err := s.loans.Credit().Provisions(ctx)
	return riskList[credit.ProvisionLine]{Items: nonNil(ls)}, err
}

func (s *Server) creditExpectedLoss(ctx context.Context, _ none) (riskList[credit.LossLine], error) {
	ls, err := s.loans.Credit().ExpectedLoss(ctx)
	return riskList[credit.LossLine]{Items: nonNil(ls)}, err
}

func (s *Server) creditMigration(ctx context.Context, q migrationQuery) (riskList[credit.MigrationCell], error) {
	cs, err := s.loans.Credit().MigrationMatrix(ctx, q.From, q.To)
	return riskList[credit.MigrationCell]{Items: nonNil(cs)}, err
}

func (s *Server) creditConcentration(ctx context.Context, q concentrationQuery) (riskList[credit.ConcentrationLine], error) {
	if q.Top == 0 {
		q.Top = 10 // credit refuses any other number outside 1 to its maximum, naming top
	}
	ls, err := s.loans.Credit().Concentration(ctx, q.By, q.Top)
	return riskList[credit.ConcentrationLine]{Items: nonNil(ls)}, err
}
