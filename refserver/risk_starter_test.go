package refserver

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/risk"
)

// TestRiskStarterRulesPublishedAtFirstStart: with Config.RiskStarterRules
// a new bank screens from the start with the starter rules (version 1,
// published); a restart publishes nothing again, and a bank without the
// option screens nothing until a rule set is published.
func TestRiskStarterRulesPublishedAtFirstStart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, url := pgtest.NewWithURL(t)
	dir := t.TempDir()
	start := func(starter bool) *Server {
		srv, err := New(ctx, Config{Addr: "127.0.0.1:0", AdminToken: testAdminToken, PIIKeyring: testKeyring, DatabaseURL: url,
			ClearingDir: dir, RiskStarterRules: starter, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), passwordParams: &testPasswordParams})
		require.NoError(t, err)
		return srv
	}
	srv := start(true)
	b := &testBank{t: t, srv: srv, h: srv.Handler()}
	sets, err := srv.riskState.svc.RuleSets(ctx, 10)
	require.NoError(t, err)
	require.Len(t, sets, 1)
	require.Equal(t, risk.StatusPublished, sets[0].Status)
	require.Equal(t, starterRulesBy, sets[0].CreatedBy)
	require.Len(t, sets[0].Rules, len(risk.StarterRules().Rules))

	// A transfer is screened by them.
	teller := b.staff("teller")
	from, to := b.openAccount(teller, b.onboard(teller)), b.openAccount(teller, b.onboard(teller))
	b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": from, "amount": cny("100.00")}))
	tr := b.must(201, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": from, "to_account_id": to, "amount": cny("10.00")}))
	ds, err := srv.riskState.svc.Decisions(ctx, risk.DecisionFilter{TransactionID: uuid.MustParse(tr.str("id"))})
	require.NoError(t, err)
	require.Len(t, ds, 1, "screened with the starter rules")
	require.Equal(t, sets[0].Version, ds[0].Version)
	require.NoError(t, srv.Close())

	// A restart finds a version and publishes nothing.
	srv = start(true)
	again, err := srv.riskState.svc.RuleSets(ctx, 10)
	require.NoError(t, err)
	require.Len(t, again, 1)
	require.NoError(t, srv.Close())

	// Without the option a new bank has no rule set.
	mem, err := New(ctx, Config{Addr: "127.0.0.1:0", AdminToken: testAdminToken, PIIKeyring: testKeyring,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), passwordParams: &testPasswordParams})
	require.NoError(t, err)
	defer mem.Close()
	none, err := mem.riskState.svc.RuleSets(ctx, 10)
	require.NoError(t, err)
	require.Empty(t, none)
}
