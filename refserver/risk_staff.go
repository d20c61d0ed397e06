package refserver

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/risk"
	"github.com/bankkit/bankkit/risk/oprisk"
)

// staffObserverName is the risk observer's cursor on oprisk's staff audit
// trail (the records' sequence numbers), moved with each batch.
const staffObserverName = "staff-audit"

// staffAuditPage is how many audit records one batch evaluates.
const staffAuditPage = 500

// bankZone is the reference bank's time zone, for a staff action's
// business date.
var bankZone = time.FixedZone("CST", 8*3600)

// deliverStaffToRisk evaluates the staff audit trail's records after the
// observer's cursor with the published rule set, a page at a time, as
// staff actions (risk.KindStaff): the staff-behaviour starter rules (many
// PII reveals in an hour, activity outside working hours, bulk approvals
// of one's own team) raise alerts in the member of staff's case
// ("staff:<identity id>"). Each page is one risk.ObserveBatch with its
// cursor. It returns how many records it evaluated.
func (s *Server) deliverStaffToRisk(ctx context.Context) (int, error) {
	st := &s.riskState
	if st.svc == nil || s.oprisk == nil {
		return 0, nil
	}
	st.observeMu.Lock()
	defer st.observeMu.Unlock()
	cursor, err := st.svc.ObserverCursor(ctx, staffObserverName)
	if err != nil {
		return 0, err
	}
	total := 0
	for {
		recs, err := s.oprisk.Records(ctx, oprisk.AuditFilter{After: cursor, Limit: staffAuditPage})
		if err != nil || len(recs) == 0 {
			return total, err
		}
		ts := make([]risk.Transaction, 0, len(recs))
		for _, r := range recs {
			t, ok, err := s.staffAction(ctx, r)
			if err != nil {
				return total, err
			}
			if ok {
				ts = append(ts, t)
			}
		}
		last := recs[len(recs)-1].Seq
		_, err = st.svc.ObserveBatch(ctx, staffObserverName, last, ts)
		if errors.Is(err, risk.ErrNoRuleSet) {
			_, err = st.svc.ObserveBatch(ctx, staffObserverName, last, nil)
			ts = nil
		}
		if err != nil {
			return total, err
		}
		cursor = last
		total += len(ts)
		if len(recs) < staffAuditPage {
			return total, nil
		}
	}
}

// staffAction turns an audit record into the staff action rules see; ok
// is false for a record with no identity.
func (s *Server) staffAction(ctx context.Context, r oprisk.Record) (risk.Transaction, bool, error) {
	if r.ActorID == "" || len(r.ActorID) > 58 || r.Action == "" {
		return risk.Transaction{}, false, nil
	}
	who := risk.Party{Account: "staff:" + r.ActorID, Customer: "staff:" + r.ActorID}
	status := r.Outcome
	if status < 100 || status > 599 {
		status = 500
	}
	a := &risk.StaffAction{Action: r.Action, Status: status, PII: r.PII}
	if r.Action == permApprove && status/100 == 2 {
		team, err := s.teamApproval(ctx, r)
		if err != nil {
			return risk.Transaction{}, false, err
		}
		a.TeamApproval = team
	}
	// The same record always makes the same transaction id, so a batch
	// evaluated again replays.
	id := uuid.NewSHA1(staffActionSpace, fmt.Appendf(nil, "%d/%x", r.Seq, r.Hash))
	return risk.Transaction{ID: id, Kind: risk.KindStaff, Amount: money.Zero(money.CNY), From: who, Channel: "staff",
		At: r.At, BusinessDate: calendar.DateOf(r.At.In(bankZone)), Staff: a}, true, nil
}

// staffActionSpace names the ids of staff actions made from audit records.
var staffActionSpace = uuid.MustParse("6f1d8a36-3a8e-4d59-9a35-0c0e3f1e4b21")

// teamApproval reports whether the held request an approval record names
// was made by someone sharing a role with the checker.
func (s *Server) teamApproval(ctx context.Context, r oprisk.Record) (bool, error) {
	id, err := uuid.Parse(r.Object)
	if err != nil {
		return false, nil
	}
	req, err := s.oprisk.Request(ctx, id)
	if errors.Is(err, oprisk.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, role := range req.Maker.Roles {
		if slices.Contains(r.Roles, role) {
			return true, nil
		}
	}
	return false, nil
}
