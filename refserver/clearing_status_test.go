package refserver

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/ledger/iso20022"
	"github.com/bankkit/bankkit/money"
)

// TestCustomerSeesTransferStatusThroughChannel: a customer's payments to
// another bank (made at the counter: online they need a step-up) show her,
// logged in, their channel and their
// status through it — queued, sent, settled, rejected, returned — with the
// reason in words; a rejection and a return refund the principal and the
// channel's fee; another customer does not find them.
func TestCustomerSeesTransferStatusThroughChannel(t *testing.T) {
	t.Parallel()
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			// Monday 2026-03-09 10:00 in Beijing: HVPS is open.
			clock := calendar.NewManualClock(time.Date(2026, time.March, 9, 10, 0, 0, 0, clearing.Beijing))
			b := newChannelBank(t, storage, clock)
			teller, fin := b.staff("teller"), b.staff("finance")
			alice, bob := b.onboard(teller), b.onboard(teller)
			a := b.openAccount(teller, alice)
			b.openAccount(teller, bob)
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": a, "amount": cny("200000.00")}))
			login := func(customer, name string) string {
				b.must(201, b.do("POST", "/v1/customers/"+customer+"/online-banking", teller, map[string]any{"username": name + storage, "password": name + "'s long password"}))
				return b.must(200, b.do("POST", "/v1/auth/token", "", map[string]any{"username": name + storage, "password": name + "'s long password"})).str("token")
			}
			aliceToken, bobToken := login(alice, "alicest"), login(bob, "bobst")
			to := map[string]any{"bank_code": "0102", "account_number": "6222000011112222", "name": "Li Wei"}
			pay := func(amount, key string) string {
				return b.must(201, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": a, "to_external": to, "amount": cny(amount), "urgent": true}, "Idempotency-Key", key)).str("id")
			}
			seen := func(id string) resp { return b.must(200, b.do("GET", "/v1/transfers/"+id, aliceToken, nil)) }
			balance := func() string {
				return b.must(200, b.do("GET", "/v1/accounts/"+a, aliceToken, nil)).str("balance", "value")
			}

			// Urgent: large-value, fee 5.00 each (within online banking's
			// 50,000.00 a transaction).
			t1, t2 := pay("20000.00", "st-1"), pay("30000.00", "st-2")
			v := seen(t1)
			require.Equal(t, "HVPS", v.str("channel"))
			require.Equal(t, "queued", v.str("progress"))
			require.Contains(t, v.str("reason"), "waiting for HVPS")
			require.Equal(t, "5.00", v.str("fee", "value"))
			// 200,000.00 − 20,005.00 − 30,005.00.
			require.Equal(t, "149990.00", balance())
			require.Equal(t, 404, b.do("GET", "/v1/transfers/"+t1, bobToken, nil).status, "not bob's")

			sent := b.must(200, b.do("POST", "/v1/clearing/send-due", fin, nil)).body["batches"].([]any)
			require.Len(t, sent, 2)
			batchOf := map[string]map[string]any{}
			for _, x := range sent {
				batch := x.(map[string]any)
				batchOf[batch["transfer_ids"].([]any)[0].(string)] = batch
			}
			v = seen(t1)
			require.Equal(t, "sent", v.str("progress"))
			require.Equal(t, "sent to HVPS", v.str("reason"))

			// The clearing house rejects t1: alice sees why, and has the
			// principal and the fee back.
			e2e := func(id string) string { return strings.ReplaceAll(id, "-", "") }
			rj := b.upload("/v1/clearing/inbound", fin, "application/xml", []byte(fmt.Sprintf(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.002.001.10"><FIToFIPmtStsRpt>
<GrpHdr><MsgId>STS-ST-%s</MsgId><CreDtTm>2026-03-09T03:00:00Z</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>%s</OrgnlMsgId><OrgnlMsgNmId>pacs.008.001.08</OrgnlMsgNmId><GrpSts>RJCT</GrpSts></OrgnlGrpInfAndSts>
<TxInfAndSts><OrgnlEndToEndId>%s</OrgnlEndToEndId><TxSts>RJCT</TxSts><StsRsnInf><Rsn><Cd>AC04</Cd></Rsn><AddtlInf>Account closed</AddtlInf></StsRsnInf></TxInfAndSts>
</FIToFIPmtStsRpt></Document>`, storage, batchOf[t1]["message_id"], e2e(t1))))
			require.Equal(t, 200, rj.status, string(rj.raw))
			v = seen(t1)
			require.Equal(t, "returned", v.str("status"))
			require.Equal(t, "rejected", v.str("progress"))
			require.Equal(t, "AC04", v.str("return_reason"))
			require.Contains(t, v.str("reason"), "AC04")
			require.Contains(t, v.str("reason"), "Account closed")
			require.Equal(t, "169995.00", balance(), "20,000.00 and the 5.00 fee came back")

			// t2 settles, then the beneficiary's bank returns it.
			b.must(200, b.do("POST", "/v1/clearing/batches/"+batchOf[t2]["id"].(string)+"/settle", fin, nil, "Idempotency-Key", "settle-st"))
			require.Equal(t, "settled", seen(t2).str("progress"))
			var ret bytes.Buffer
			require.NoError(t, iso20022.WritePaymentReturn(&ret, iso20022.PaymentReturn{
				Header: iso20022.GroupHeader{MessageID: "RET-ST-" + storage, CreatedAt: clock.Now(), NumberOfTransactions: 1,
					TotalAmount: money.MustParse("30000.00", "CNY"), SettlementDate: calendar.DateOf(clock.Now()), SettlementMethod: iso20022.SettlementClearing},
				Transactions: []iso20022.ReturnedTransaction{{ReturnID: "RET-ST-1", OriginalEndToEndID: e2e(t2),
					ReturnedAmount: money.MustParse("30000.00", "CNY"), Reason: iso20022.ReasonClosedAccount, AdditionalInfo: []string{"beneficiary account closed"}}},
			}))
			rt := b.upload("/v1/clearing/inbound", fin, "application/xml", ret.Bytes())
			require.Equal(t, 200, rt.status, string(rt.raw))
			v = seen(t2)
			require.Equal(t, "returned", v.str("status"))
			require.Equal(t, "returned", v.str("progress"))
			require.Equal(t, "AC04: beneficiary account closed", v.str("reason"))
			require.Equal(t, "200000.00", balance(), "30,000.00 and the 5.00 fee came back")
			require.Equal(t, 404, b.do("GET", "/v1/transfers/"+t2, bobToken, nil).status, "not bob's")
		})
	}
}
