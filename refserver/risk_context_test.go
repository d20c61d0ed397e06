package refserver

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger/iso20022"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/risk"
)

// TestScreeningContext: what the server's screenings know. A customer's
// transfer from a bound device is screened with the device, channel
// mobile and the customer's kind; an ATM withdrawal's hold (the card
// authorisation) is screened as cash out at channel atm, and a block
// refuses it with nothing held; a payment received from another bank is
// evaluated by the observer as payment_in to the customer.
func TestScreeningContext(t *testing.T) {
	t.Parallel()
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			b := newOnlineBank(t, storage)
			svc := b.srv.riskState.svc
			v, err := svc.CreateDraft(ctx, risk.Draft{Thresholds: risk.Thresholds{Review: 40, Decline: 150},
				Rules: []risk.Rule{
					{Name: "mobile_device", Score: 50, Expr: `channel == "mobile" && device == "iphone-0042abcd" && from.customer_kind == "individual"`},
					{Name: "atm_large", Score: 200, Expr: `kind == "withdrawal" && channel == "atm" && cash && amount >= 2000`},
					{Name: "atm_any", Score: 1, Expr: `kind == "withdrawal" && channel == "atm" && cash`},
					{Name: "received", Score: 50, Expr: `kind == "payment_in" && to.customer_kind == "individual" && from.external`},
				}}, "test")
			require.NoError(t, err)
			_, err = svc.Publish(ctx, v.ID, "test")
			require.NoError(t, err)
			fired := func(txID string) (risk.Decision, []string) {
				t.Helper()
				ds, err := svc.Decisions(ctx, risk.DecisionFilter{TransactionID: uuid.MustParse(txID)})
				require.NoError(t, err)
				require.Len(t, ds, 1, "one live decision")
				var names []string
				for _, f := range ds[0].Fired {
					names = append(names, f.Rule)
				}
				return ds[0], names
			}

			// A transfer from alice's bound phone.
			b.enrol()
			pub, _, err := ed25519.GenerateKey(nil)
			require.NoError(t, err)
			b.must(201, b.do("POST", "/v1/customers/"+b.alice+"/devices", b.token, map[string]any{"device_id": "iphone-0042abcd",
				"public_key": base64.StdEncoding.EncodeToString(pub), "name": "Alice's phone", "code": b.code()}))
			tr := map[string]any{"from_account_id": b.a1, "to_account_id": b.b1, "amount": cny("10.00")}
			mobile := b.must(201, b.do("POST", "/v1/transfers", b.token, tr, "X-Device-Id", "iphone-0042abcd"))
			d, names := fired(mobile.str("id"))
			require.Equal(t, []string{"mobile_device"}, names)
			require.Equal(t, "mobile", d.Transaction.Channel)
			require.Equal(t, "iphone-0042abcd", d.Transaction.Device)
			require.Equal(t, risk.Individual, d.Transaction.From.CustomerKind, "read from the customer subsystem")
			// Without the device: online, no device, the rule quiet.
			online := b.must(201, b.do("POST", "/v1/transfers", b.token, tr))
			d, names = fired(online.str("id"))
			require.Empty(t, names)
			require.Equal(t, "online", d.Transaction.Channel)
			require.Empty(t, d.Transaction.Device)

			// ATM withdrawals: the card authorisation is screened.
			op := b.staff("atm_operator")
			id, device := b.registerATM(op)
			b.loadATM(op, id, device, 100, 100)
			w := b.must(201, b.do("POST", "/v1/atm/device/withdrawals", "", map[string]any{"txn_id": "ctx-1", "account_id": b.a1, "amount": cny("300.00")}, "X-ATM-Token", device))
			require.Equal(t, "authorized", w.str("state"))
			ds, err := svc.Decisions(ctx, risk.DecisionFilter{Limit: 100})
			require.NoError(t, err)
			var atm []risk.Decision
			for _, d := range ds {
				if d.Transaction.Channel == "atm" {
					atm = append(atm, d)
				}
			}
			require.Len(t, atm, 1, "the authorisation screened once")
			require.Equal(t, risk.KindWithdrawal, atm[0].Transaction.Kind)
			require.True(t, atm[0].Transaction.Cash)
			require.Equal(t, b.a1, atm[0].Transaction.From.Account)
			before := b.must(200, b.do("GET", "/v1/accounts/"+b.a1, b.teller, nil)).str("available_balance", "value")
			r := b.do("POST", "/v1/atm/device/withdrawals", "", map[string]any{"txn_id": "ctx-2", "account_id": b.a1, "amount": cny("2500.00")}, "X-ATM-Token", device)
			require.Equal(t, 422, r.status, string(r.raw))
			require.Equal(t, "screening-refused", r.problemType())
			require.Equal(t, before, b.must(200, b.do("GET", "/v1/accounts/"+b.a1, b.teller, nil)).str("available_balance", "value"), "nothing held")

			// A payment from another bank, evaluated by the observer.
			fin := b.staff("finance")
			number := b.must(200, b.do("GET", "/v1/accounts/"+b.a2, b.teller, nil)).str("number")
			var msg bytes.Buffer
			require.NoError(t, iso20022.WriteCreditTransfer(&msg, iso20022.CreditTransferBatch{
				Header: iso20022.GroupHeader{MessageID: "CTX-IN-" + storage, CreatedAt: time.Now().UTC(),
					NumberOfTransactions: 1, TotalAmount: money.MustParse("800.00", "CNY"),
					SettlementDate: calendar.DateOf(time.Now()), SettlementMethod: iso20022.SettlementClearing},
				Transactions: []iso20022.CreditTransfer{{EndToEndID: "E2E-1", TransactionID: "TX-1", Amount: money.MustParse("800.00", "CNY"),
					ChargeBearer: iso20022.ChargesSLEV, Debtor: iso20022.Party{Name: "Zhang San"},
					DebtorAgent: iso20022.Agent{MemberID: "0102"}, CreditorAgent: iso20022.Agent{BIC: BankBIC},
					Creditor: iso20022.Party{Name: "Alice"}, CreditorAccount: iso20022.Account{Other: number}}},
			}))
			in := b.upload("/v1/clearing/inbound", fin, "application/xml", msg.Bytes())
			require.Equal(t, 200, in.status, string(in.raw))
			require.Len(t, in.body["credited"], 1)
			lines := b.must(200, b.do("GET", "/v1/accounts/"+b.a2+"/transactions", b.teller, nil)).body["items"].([]any)
			entry := lines[0].(map[string]any)["transfer_id"].(string)
			officer := b.staff("risk_officer")
			b.must(200, b.do("POST", "/v1/risk/observer/run", officer, nil))
			d, names = fired(entry)
			require.Equal(t, []string{"received"}, names)
			require.Equal(t, risk.ModeObserved, d.Mode)
			require.Equal(t, risk.KindPaymentIn, d.Transaction.Kind)
			require.Equal(t, b.a2, d.Transaction.To.Account)
			require.Equal(t, b.alice, d.Transaction.To.Customer)
			require.Equal(t, "800.00", d.Transaction.Amount.Amount.StringFixed(2))
		})
	}
}
