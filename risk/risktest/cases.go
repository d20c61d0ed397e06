package risktest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/risk"
)

func testCases(t *testing.T, e *env) {
	e.publish(simple())
	// Two review alerts about c-a join one case; one about c-x opens another.
	d1 := e.screen(e.tx("a", "b", "1000.00"))
	d2 := e.screen(e.tx("a", "c", "2000.00"))
	d3 := e.screen(e.tx("x", "c", "3000.00"))
	require.Equal(t, risk.Approve, e.screen(e.tx("a", "b", "10.00")).Outcome)
	for _, d := range []risk.Decision{d1, d2, d3} {
		require.NotZero(t, d.AlertID)
	}
	cases, err := e.svc.Cases(e.ctx, risk.CaseFilter{CustomerID: "c-a"})
	require.NoError(t, err)
	require.Len(t, cases, 1)
	c := cases[0]
	require.Equal(t, risk.CaseOpen, c.Status)
	require.Equal(t, []risk.ID{d1.AlertID, d2.AlertID}, c.Alerts)
	a, err := e.svc.Alert(e.ctx, d1.AlertID)
	require.NoError(t, err)
	require.Equal(t, c.ID, a.CaseID)
	require.Equal(t, []string{"large"}, a.Rules)

	// Assign, comment, attach, investigate, escalate, close.
	who := "ivy"
	c, err = e.svc.UpdateCase(e.ctx, c.ID, risk.CaseUpdate{Assignee: &who, Status: risk.CaseInvestigating}, "lead")
	require.NoError(t, err)
	require.Equal(t, "ivy", c.Assignee)
	inbox, err := e.svc.Cases(e.ctx, risk.CaseFilter{Assignee: "ivy", Status: risk.CaseInvestigating})
	require.NoError(t, err)
	require.Len(t, inbox, 1)
	e.clock.Advance(90 * time.Minute)
	c, err = e.svc.UpdateCase(e.ctx, c.ID, risk.CaseUpdate{Comment: "salary split across two payees?",
		Attachment: &risk.AttachmentRef{Ref: "dms://kyc/123", Name: "payslip"}}, "ivy")
	require.NoError(t, err)
	require.Len(t, c.Comments, 1)
	require.Equal(t, "ivy", c.Attachments[0].By)
	_, err = e.svc.UpdateCase(e.ctx, c.ID, risk.CaseUpdate{Status: risk.CaseClosed}, "ivy")
	require.ErrorIs(t, err, risk.ErrInvalidInput, "closing needs an outcome")
	_, err = e.svc.UpdateCase(e.ctx, c.ID, risk.CaseUpdate{Status: risk.CaseOpen}, "ivy")
	require.ErrorIs(t, err, risk.ErrInvalidTransition)
	c, err = e.svc.UpdateCase(e.ctx, c.ID, risk.CaseUpdate{Status: risk.CaseEscalated}, "ivy")
	require.NoError(t, err)
	e.clock.Advance(30 * time.Minute)
	c, err = e.svc.UpdateCase(e.ctx, c.ID, risk.CaseUpdate{Status: risk.CaseClosed, Outcome: risk.FalsePositive}, "lead")
	require.NoError(t, err)
	require.Equal(t, risk.FalsePositive, c.Outcome)
	require.Equal(t, 2*time.Hour, c.TimeToClose()) // 90 + 30 minutes after it opened
	_, err = e.svc.UpdateCase(e.ctx, c.ID, risk.CaseUpdate{Comment: "late"}, "ivy")
	require.ErrorIs(t, err, risk.ErrInvalidTransition)

	// A new alert about c-a opens a new case.
	d4 := e.screen(e.tx("a", "b", "5000.00"))
	cases, err = e.svc.Cases(e.ctx, risk.CaseFilter{CustomerID: "c-a"})
	require.NoError(t, err)
	require.Len(t, cases, 2)
	require.Equal(t, []risk.ID{d4.AlertID}, cases[1].Alerts)

	st, err := e.svc.Stats(e.ctx)
	require.NoError(t, err)
	require.Equal(t, 1, st.Closed)
	require.Equal(t, int64(7200), st.MeanCloseSeconds)
	require.Equal(t, 2, st.ByStatus[risk.CaseOpen])

	_, err = e.svc.UpdateCase(e.ctx, risk.NewID(), risk.CaseUpdate{Comment: "x"}, "ivy")
	require.ErrorIs(t, err, risk.ErrNotFound)
	_, err = e.svc.UpdateCase(e.ctx, c.ID, risk.CaseUpdate{Comment: "bad\x00"}, "ivy")
	require.ErrorIs(t, err, risk.ErrInvalidInput)
}
