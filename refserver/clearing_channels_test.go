package refserver

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/ledger/clearing"
)

// newChannelBank is newBankWithClock with InterbankChannels on.
func newChannelBank(t *testing.T, storage string, clock calendar.Clock) *testBank {
	t.Helper()
	cfg := Config{Addr: "127.0.0.1:0", AdminToken: testAdminToken, PIIKeyring: testKeyring, Clock: clock,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), passwordParams: &testPasswordParams, InterbankChannels: true}
	if storage == "postgres" {
		_, cfg.DatabaseURL = pgtest.NewWithURL(t)
		cfg.ClearingDir = t.TempDir()
	}
	srv, err := New(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	return &testBank{t: t, srv: srv, h: srv.Handler()}
}

func TestInterbankChannelsRouteAndWaitForTheCutOff(t *testing.T) {
	t.Parallel()
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			// Monday 2026-03-09 12:30 in Beijing: BEPS's next cut-off is 13:00.
			clock := calendar.NewManualClock(time.Date(2026, time.March, 9, 12, 30, 0, 0, clearing.Beijing))
			b := newChannelBank(t, storage, clock)
			teller, fin := b.staff("teller"), b.staff("finance")
			a := b.openAccount(teller, b.onboard(teller))
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": a, "amount": cny("100000.00")}))

			chans := b.must(200, b.do("GET", "/v1/clearing/channels", fin, nil))
			require.Equal(t, "CNY", chans.str("currency"))
			require.Len(t, chans.body["channels"], 3)

			out := b.must(201, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": a,
				"to_external": map[string]any{"bank_code": "0102", "account_number": "6222000011112222", "name": "Li Wei"},
				"amount":      cny("20000.00")}))
			id := out.str("id")
			// 100,000.00 - (20,000.00 + the BEPS fee 1.00) = 79,999.00.
			require.Equal(t, "79999.00", b.must(200, b.do("GET", "/v1/accounts/"+a, teller, nil)).str("balance", "value"))
			tr := b.must(200, b.do("GET", "/v1/clearing/transfers/"+id, fin, nil))
			require.Equal(t, "BEPS", tr.str("channel"))
			require.Equal(t, "queued", tr.str("progress"))
			require.Equal(t, "2026-03-09T05:00:00Z", tr.str("send_after"))
			require.Equal(t, "1.00", tr.str("fee", "value"))

			sent := b.must(200, b.do("POST", "/v1/clearing/send-due", fin, nil))
			require.Empty(t, sent.body["batches"], "before the cut-off nothing goes")

			clock.Set(time.Date(2026, time.March, 9, 13, 0, 0, 0, clearing.Beijing))
			sent = b.must(200, b.do("POST", "/v1/clearing/send-due", fin, nil))
			batches := sent.body["batches"].([]any)
			require.Len(t, batches, 1)
			batch := batches[0].(map[string]any)
			require.Equal(t, "BEPS", batch["channel"])
			require.Regexp(t, `<SttlmInf>\s*<SttlmMtd>CLRG</SttlmMtd>\s*<ClrSys>\s*<Prtry>BEPS</Prtry>\s*</ClrSys>`, batch["message"])
			require.Equal(t, []any{id}, batch["transfer_ids"])
			require.Equal(t, "sent", b.must(200, b.do("GET", "/v1/clearing/transfers/"+id, fin, nil)).str("progress"))
		})
	}
}

// A payment to another bank marked urgent goes by the large-value channel
// within its hours, and the transfer itself says which channel, how far it
// has got and why, when it goes and the fee; urgent on a transfer inside
// the bank is refused naming the field, and moves nothing.
func TestUrgentTransferShowsItsChannel(t *testing.T) {
	t.Parallel()
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			// Friday 2026-03-13 16:59 in Beijing: HVPS closes at 17:00.
			clock := calendar.NewManualClock(time.Date(2026, time.March, 13, 16, 59, 0, 0, clearing.Beijing))
			b := newChannelBank(t, storage, clock)
			teller := b.staff("teller")
			a := b.openAccount(teller, b.onboard(teller))
			other := b.openAccount(teller, b.onboard(teller))
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": a, "amount": cny("10000.00")}))
			to := map[string]any{"bank_code": "0102", "account_number": "6222000011112222", "name": "Li Wei"}

			out := b.must(201, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": a,
				"to_external": to, "amount": cny("300.00"), "urgent": true}))
			require.Equal(t, "HVPS", out.str("channel"), "urgent goes large-value, though 300.00 would go online")
			require.Equal(t, "queued", out.str("progress"))
			require.Contains(t, out.str("reason"), "HVPS")
			require.Equal(t, "5.00", out.str("fee", "value"))
			got := b.must(200, b.do("GET", "/v1/transfers/"+out.str("id"), teller, nil))
			require.Equal(t, "HVPS", got.str("channel"))
			// 10,000.00 - (300.00 + the HVPS fee 5.00) = 9,695.00.
			require.Equal(t, "9695.00", b.must(200, b.do("GET", "/v1/accounts/"+a, teller, nil)).str("balance", "value"))

			bad := b.must(400, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": a,
				"to_account_id": other, "amount": cny("1.00"), "urgent": true}))
			require.Equal(t, "urgent", bad.body["errors"].([]any)[0].(map[string]any)["field"])
			require.Equal(t, "9695.00", b.must(200, b.do("GET", "/v1/accounts/"+a, teller, nil)).str("balance", "value"))
		})
	}
}
