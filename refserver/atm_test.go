package refserver

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

// atmCassettes are a device's 100s and 50s.
func atmCassettes() []any {
	return []any{
		map[string]any{"currency": "CNY", "denomination": "100", "capacity": 2000, "low_at": 200},
		map[string]any{"currency": "CNY", "denomination": "50", "capacity": 1000, "low_at": 100},
	}
}

// registerATM registers a device and returns its id and credential.
func (b *testBank) registerATM(token string) (string, string) {
	b.t.Helper()
	id := fmt.Sprintf("T-%d", keySeq.Add(1))
	r := b.must(201, b.do("POST", "/v1/atm/devices", token, map[string]any{"id": id, "branch": "Pudong", "address": "1 Century Avenue",
		"latitude": "31.2397", "longitude": "121.4998", "model": "NCR 6688", "cassettes": atmCassettes()}))
	return id, r.str("token")
}

// loadATM orders, loads and confirms a device's cassettes.
func (b *testBank) loadATM(token, id, device string, hundreds, fifties int) string {
	b.t.Helper()
	day := b.must(200, b.do("GET", "/v1/business-date", token, nil)).str("business_date")
	r := b.must(201, b.do("POST", "/v1/atm/devices/"+id+"/replenishments", token, map[string]any{"scheduled_for": day,
		"lines": []any{map[string]any{"currency": "CNY", "denomination": "100", "count": hundreds},
			map[string]any{"currency": "CNY", "denomination": "50", "count": fifties}}}))
	rid := r.str("id")
	b.must(200, b.do("POST", "/v1/atm/replenishments/"+rid+"/load", token, nil))
	b.must(200, b.do("POST", "/v1/atm/device/replenishments/"+rid+"/confirm", "", map[string]any{"counts": []int{hundreds, fifties}}, "X-ATM-Token", device))
	return rid
}

func TestATMFleetOverHTTP(t *testing.T) {
	t.Parallel()
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			teller := b.staff("teller")
			op := b.staff("atm_operator")
			alice := b.onboard(teller)
			acct := b.openAccount(teller, alice)
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": acct, "amount": cny("3000.00")}))

			id, device := b.registerATM(op)
			require.Regexp(t, `^atm_`, device)
			b.must(403, b.do("POST", "/v1/atm/devices", teller, map[string]any{"id": "X", "branch": "b", "address": "a", "model": "m", "cassettes": atmCassettes()}))
			r := b.must(409, b.do("POST", "/v1/atm/devices", op, map[string]any{"id": id, "branch": "b", "address": "a", "model": "m", "cassettes": atmCassettes()}))
			require.Equal(t, "id", r.body["errors"].([]any)[0].(map[string]any)["field"])

			// Device routes take the device's credential, nothing else.
			b.must(401, b.do("POST", "/v1/atm/device/heartbeat", "", map[string]any{"state": "ok"}))
			b.must(401, b.do("POST", "/v1/atm/device/heartbeat", op, map[string]any{"state": "ok"}))
			b.must(401, b.do("POST", "/v1/atm/device/heartbeat", "", map[string]any{"state": "ok"}, "X-ATM-Token", "atm_forged"))
			hb := b.must(200, b.do("POST", "/v1/atm/device/heartbeat", "", map[string]any{"state": "ok"}, "X-ATM-Token", device))
			require.Equal(t, "cash_out", hb.str("status"))

			b.loadATM(op, id, device, 100, 100)
			hb = b.must(200, b.do("POST", "/v1/atm/device/heartbeat", "", map[string]any{"state": "ok", "counts": []int{100, 100}}, "X-ATM-Token", device))
			require.Equal(t, "cash_low", hb.str("status"))
			r = b.must(422, b.do("POST", "/v1/atm/device/heartbeat", "", map[string]any{"state": "ok", "counts": []int{100, 1001}}, "X-ATM-Token", device))
			require.Equal(t, "impossible-count", r.problemType())
			require.Equal(t, "counts[1]", r.body["errors"].([]any)[0].(map[string]any)["field"])

			// A withdrawal: held, dispensed, captured into the device's account.
			w := b.must(201, b.do("POST", "/v1/atm/device/withdrawals", "", map[string]any{"txn_id": "tx-1", "account_id": acct, "amount": cny("350.00")}, "X-ATM-Token", device))
			require.Equal(t, "authorized", w.str("state"))
			a := b.must(200, b.do("GET", "/v1/accounts/"+acct, teller, nil))
			require.Equal(t, "2650.00", a.str("available_balance", "value"))
			again := b.must(201, b.do("POST", "/v1/atm/device/withdrawals", "", map[string]any{"txn_id": "tx-1", "account_id": acct, "amount": cny("350.00")}, "X-ATM-Token", device))
			require.Equal(t, w.str("id"), again.str("id"), "a retry is the same withdrawal")
			notes := w.body["notes"]
			for range 2 { // the second report is a retry: nothing more moves
				d := b.must(200, b.do("POST", "/v1/atm/device/withdrawals/tx-1/dispense", "", map[string]any{"dispensed": notes}, "X-ATM-Token", device))
				require.Equal(t, "dispensed", d.str("state"))
				require.Equal(t, true, d.body["settled"])
			}
			a = b.must(200, b.do("GET", "/v1/accounts/"+acct, teller, nil))
			require.Equal(t, "2650.00", a.str("balance", "value"))
			require.Equal(t, "2650.00", a.str("available_balance", "value"))

			// A partial dispense captures what left the device.
			w = b.must(201, b.do("POST", "/v1/atm/device/withdrawals", "", map[string]any{"txn_id": "tx-2", "account_id": acct, "amount": cny("300.00")}, "X-ATM-Token", device))
			d := b.must(200, b.do("POST", "/v1/atm/device/withdrawals/tx-2/dispense", "", map[string]any{"dispensed": []any{map[string]any{"denomination": "100", "count": 1}}}, "X-ATM-Token", device))
			require.Equal(t, "partial", d.str("state"))
			// A failed one releases the hold.
			b.must(201, b.do("POST", "/v1/atm/device/withdrawals", "", map[string]any{"txn_id": "tx-3", "account_id": acct, "amount": cny("200.00")}, "X-ATM-Token", device))
			d = b.must(200, b.do("POST", "/v1/atm/device/withdrawals/tx-3/dispense", "", map[string]any{"dispensed": []any{}}, "X-ATM-Token", device))
			require.Equal(t, "failed", d.str("state"))
			a = b.must(200, b.do("GET", "/v1/accounts/"+acct, teller, nil))
			require.Equal(t, "2550.00", a.str("balance", "value"))
			require.Equal(t, "2550.00", a.str("available_balance", "value"))

			// Refusals name the field.
			r = b.must(422, b.do("POST", "/v1/atm/device/withdrawals", "", map[string]any{"txn_id": "tx-4", "account_id": acct, "amount": cny("100000.00")}, "X-ATM-Token", device))
			require.Equal(t, "cannot-dispense", r.problemType())
			require.Equal(t, "amount", r.body["errors"].([]any)[0].(map[string]any)["field"])
			r = b.must(422, b.do("POST", "/v1/atm/device/withdrawals", "", map[string]any{"txn_id": "tx-5", "account_id": acct, "amount": cny("3000.00")}, "X-ATM-Token", device))
			require.Equal(t, "insufficient-funds", r.problemType())
			b.must(404, b.do("GET", "/v1/atm/device/withdrawals/tx-404", "", nil, "X-ATM-Token", device))
			other, otherDevice := b.registerATM(op)
			b.must(404, b.do("GET", "/v1/atm/device/withdrawals/tx-1", "", nil, "X-ATM-Token", otherDevice)) // another device's withdrawal
			_ = other

			// The device's ledger account equals its cassettes.
			dev := b.must(200, b.do("GET", "/v1/atm/devices/"+id, op, nil))
			cash := dev.body["cash"].([]any)[0].(map[string]any)
			require.Equal(t, "14550.00", cash["cash"].(map[string]any)["value"])
			ledgerAcct := b.must(200, b.do("GET", "/v1/accounts/"+cash["account_id"].(string), testAdminToken, nil))
			require.Equal(t, "14550.00", ledgerAcct.str("balance", "value"))
			rec := b.must(200, b.do("GET", "/v1/atm/reconciliation", op, nil))
			require.Equal(t, float64(0), rec.body["differences"], string(rec.raw))
			b.must(200, b.do("GET", "/v1/atm/reconciliation", b.staff("finance"), nil))

			// Retries racing each other move the money once.
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": acct, "amount": cny("1000.00")}))
			var wg sync.WaitGroup
			for range 6 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					w := b.do("POST", "/v1/atm/device/withdrawals", "", map[string]any{"txn_id": "tx-race", "account_id": acct, "amount": cny("500.00")}, "X-ATM-Token", device)
					if w.status == 201 {
						b.do("POST", "/v1/atm/device/withdrawals/tx-race/dispense", "", map[string]any{"dispensed": w.body["notes"]}, "X-ATM-Token", device)
					}
				}()
			}
			wg.Wait()
			race := b.must(200, b.do("GET", "/v1/atm/device/withdrawals/tx-race", "", nil, "X-ATM-Token", device))
			if !race.body["settled"].(bool) { // every racer lost to another's lock: a retry settles it
				race = b.must(200, b.do("POST", "/v1/atm/device/withdrawals/tx-race/dispense", "", map[string]any{"dispensed": race.body["notes"]}, "X-ATM-Token", device))
			}
			require.Equal(t, "dispensed", race.str("state"))
			a = b.must(200, b.do("GET", "/v1/accounts/"+acct, teller, nil))
			require.Equal(t, "3050.00", a.str("balance", "value"), "2,550.00 + 1,000.00 - 500.00, once")
			require.Equal(t, "3050.00", a.str("available_balance", "value"))
			rec = b.must(200, b.do("GET", "/v1/atm/reconciliation", op, nil))
			require.Equal(t, float64(0), rec.body["differences"], string(rec.raw))

			// Faults open tickets; recovery closes them.
			b.must(200, b.do("POST", "/v1/atm/device/heartbeat", "", map[string]any{"state": "fault", "fault_code": "E42"}, "X-ATM-Token", device))
			al := b.must(200, b.do("GET", "/v1/atm/alerts", op, nil))
			require.NotEmpty(t, al.body["items"])
			b.must(200, b.do("POST", "/v1/atm/device/heartbeat", "", map[string]any{"state": "ok"}, "X-ATM-Token", device))
			tk := b.must(200, b.do("GET", "/v1/atm/devices/"+id+"/tickets", op, nil))
			items := tk.body["items"].([]any)
			require.Len(t, items, 1)
			require.Equal(t, "E42", items[0].(map[string]any)["code"])
			require.NotNil(t, items[0].(map[string]any)["closed_at"])
			b.must(200, b.do("GET", "/v1/atm/devices/"+id+"/forecast", op, nil))
			b.must(404, b.do("GET", "/v1/atm/devices/nope/forecast", op, nil))

			// A rotated credential ends the old one.
			nt := b.must(200, b.do("POST", "/v1/atm/devices/"+id+"/credential", op, nil)).str("token")
			b.must(401, b.do("POST", "/v1/atm/device/heartbeat", "", map[string]any{"state": "ok"}, "X-ATM-Token", device))
			b.must(200, b.do("POST", "/v1/atm/device/heartbeat", "", map[string]any{"state": "ok"}, "X-ATM-Token", nt))
		})
	}
}

// atmRequestExamples are valid requests to the ATM routes with a JSON
// body, for the required-fields test.
func atmRequestExamples(b *testBank) map[string]example {
	op := b.staff("atm_operator")
	teller := b.staff("teller")
	device := func() (string, string) {
		id, token := b.registerATM(op)
		b.loadATM(op, id, token, 500, 500)
		return id, token
	}
	account := func() string {
		acct := b.openAccount(teller, b.onboard(teller))
		b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": acct, "amount": cny("100000.00")}))
		return acct
	}
	return map[string]example{
		"POST /v1/atm/devices": func() (string, map[string]any, []string) {
			return "/v1/atm/devices", map[string]any{"id": fmt.Sprintf("R-%d", keySeq.Add(1)), "branch": "Pudong", "address": "1 Century Avenue",
				"latitude": "31.2397", "longitude": "121.4998", "model": "NCR 6688",
				"cassettes": []any{map[string]any{"currency": "CNY", "denomination": "100", "capacity": 2000, "low_at": 200}}}, nil
		},
		"POST /v1/atm/devices/{id}/replenishments": func() (string, map[string]any, []string) {
			id, _ := b.registerATM(op)
			return "/v1/atm/devices/" + id + "/replenishments", map[string]any{"scheduled_for": "2026-03-02",
				"lines": []any{map[string]any{"currency": "CNY", "denomination": "100", "count": 10}}}, nil
		},
		"POST /v1/atm/device/heartbeat": func() (string, map[string]any, []string) {
			_, token := device()
			return "/v1/atm/device/heartbeat", map[string]any{"state": "ok", "counts": []any{500, 500}}, []string{"X-ATM-Token", token}
		},
		"POST /v1/atm/device/withdrawals": func() (string, map[string]any, []string) {
			_, token := device()
			return "/v1/atm/device/withdrawals", map[string]any{"txn_id": "t1", "account_id": account(), "amount": cny("100.00")}, []string{"X-ATM-Token", token}
		},
		"POST /v1/atm/device/withdrawals/{txn_id}/dispense": func() (string, map[string]any, []string) {
			_, token := device()
			b.must(201, b.do("POST", "/v1/atm/device/withdrawals", "", map[string]any{"txn_id": "t1", "account_id": account(), "amount": cny("100.00")}, "X-ATM-Token", token))
			return "/v1/atm/device/withdrawals/t1/dispense", map[string]any{"dispensed": []any{map[string]any{"denomination": "100", "count": 1}}}, []string{"X-ATM-Token", token}
		},
		"POST /v1/atm/device/replenishments/{id}/confirm": func() (string, map[string]any, []string) {
			id, token := device()
			day := b.must(200, b.do("GET", "/v1/business-date", op, nil)).str("business_date")
			r := b.must(201, b.do("POST", "/v1/atm/devices/"+id+"/replenishments", op, map[string]any{"scheduled_for": day,
				"lines": []any{map[string]any{"currency": "CNY", "denomination": "100", "count": 7}}}))
			b.must(200, b.do("POST", "/v1/atm/replenishments/"+r.str("id")+"/load", op, nil))
			return "/v1/atm/device/replenishments/" + r.str("id") + "/confirm", map[string]any{"counts": []any{7, 0}}, []string{"X-ATM-Token", token}
		},
	}
}

// -demo adds a small fleet, loaded and reconciled.
func TestATMDemo(t *testing.T) {
	t.Parallel()
	cfg := Config{Addr: "127.0.0.1:0", AdminToken: testAdminToken, PIIKeyring: testKeyring, Demo: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), passwordParams: &testPasswordParams}
	srv, err := New(context.Background(), cfg)
	require.NoError(t, err)
	defer srv.Close()
	require.NoError(t, srv.seedATMDemo(context.Background()), "seeding again adds nothing")
	b := &testBank{t: t, srv: srv, h: srv.Handler()}
	devices := b.must(200, b.do("GET", "/v1/atm/devices", testAdminToken, nil)).body["items"].([]any)
	require.Len(t, devices, 3)
	third := devices[2].(map[string]any)["cassettes"].([]any)[0].(map[string]any)
	require.Equal(t, float64(700), third["count"])
	rec := b.must(200, b.do("GET", "/v1/atm/reconciliation", testAdminToken, nil))
	require.Equal(t, float64(0), rec.body["differences"])
	require.Len(t, rec.body["lines"], 3)
}

// TestATMReconciliationAtEndOfDay: the close keeps each business date's
// reconciliation once, with the differences it found, readable by the
// fleet's desk; a difference is published as a figure for risk.
func TestATMReconciliationAtEndOfDay(t *testing.T) {
	t.Parallel()
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			ctx := context.Background()
			op := b.staff("atm_operator")
			teller := b.staff("teller")
			id, device := b.registerATM(op)
			b.loadATM(op, id, device, 100, 0)
			day := b.must(200, b.do("GET", "/v1/business-date", op, nil)).str("business_date")
			b.must(404, b.do("GET", "/v1/atm/reconciliations/"+day, op, nil))
			require.Equal(t, "date", b.must(404, b.do("GET", "/v1/atm/reconciliations/yesterday", op, nil)).body["errors"].([]any)[0].(map[string]any)["field"], "a path that names no date")
			b.must(403, b.do("GET", "/v1/atm/reconciliations/"+day, teller, nil))

			// Someone posts 50.00 into the device's cash account that no
			// cassette holds: the books and the count now differ.
			a, err := b.srv.fleet.Device(ctx, id)
			require.NoError(t, err)
			cashAcct, err := ledger.ParseID(a.CashAccounts["CNY"])
			require.NoError(t, err)
			vault, err := b.srv.ledger.ChartAccountID(ctx, "CNY", ledger.CodeVaultCash)
			require.NoError(t, err)
			_, err = b.srv.ledger.PostEntry(ctx, ledger.JournalRequest{Postings: []ledger.Posting{
				{AccountID: cashAcct, Side: ledger.Debit, Amount: money.MustParse("50.00", "CNY")},
				{AccountID: vault, Side: ledger.Credit, Amount: money.MustParse("50.00", "CNY")}}, Description: "stray"})
			require.NoError(t, err)

			b.must(200, b.do("POST", "/v1/end-of-day", testAdminToken, nil))
			rec := b.must(200, b.do("GET", "/v1/atm/reconciliations/"+day, op, nil))
			require.Equal(t, day, rec.str("day"))
			require.NotEmpty(t, rec.str("closed_at"))
			require.EqualValues(t, 1, rec.body["differences"])
			var line map[string]any
			for _, l := range rec.body["lines"].([]any) {
				if l.(map[string]any)["device_id"] == id {
					line = l.(map[string]any)
				}
			}
			require.NotNil(t, line, "the device is reconciled")
			require.Equal(t, "10000.00", line["counted"].(map[string]any)["value"])
			require.Equal(t, "10050.00", line["ledger"].(map[string]any)["value"])
			require.Equal(t, "50.00", line["difference"].(map[string]any)["value"])
			report := b.must(200, b.do("GET", "/v1/end-of-day/"+day, testAdminToken, nil))
			var names []string
			for _, st := range report.body["steps"].([]any) {
				names = append(names, st.(map[string]any)["name"].(string))
			}
			require.Contains(t, names, "channel.atm")
			fig, err := b.srv.riskState.figures.Figure(ctx, "atm.reconciliation_differences")
			require.NoError(t, err)
			require.Equal(t, "1", fig.String(), "the latest closed day's differences")

			// Re-running the step for the closed date keeps the first result.
			require.NoError(t, b.srv.atmEndOfDay(ctx, calendar.MustParseDate(day)))
			again := b.must(200, b.do("GET", "/v1/atm/reconciliations/"+day, testAdminToken, nil))
			require.Equal(t, rec.body, again.body)
			b.must(200, b.do("GET", "/v1/atm/reconciliations/"+day, b.staff("finance"), nil))
		})
	}
}
