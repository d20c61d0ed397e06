package refserver

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// External references over HTTP, on both storages: a client's own
// reference on a customer and an account, found again by it, a second use
// refused with 409 naming the object that has it, and another client's
// equal reference being another reference.
func TestExternalRefs(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			teller, other := b.staff("teller"), b.staff("teller")

			body := customerBody()
			body["external_ref"] = "crm-7"
			c := b.must(201, b.do("POST", "/v1/customers", teller, body))
			require.Equal(t, "crm-7", c.str("external_ref"))
			id := c.str("id")
			found := b.must(200, b.do("GET", "/v1/customers?external_ref=crm-7", teller, nil))
			items := found.body["items"].([]any)
			require.Len(t, items, 1)
			require.Equal(t, id, items[0].(map[string]any)["id"])
			// Another teller's crm-7 is not this one.
			require.Empty(t, b.must(200, b.do("GET", "/v1/customers?external_ref=crm-7", other, nil)).body["items"])
			again := customerBody()
			again["external_ref"] = "crm-7"
			dup := b.do("POST", "/v1/customers", teller, again)
			requireRefusedWithoutField(t, dup, 409, "external-ref-taken")
			require.Contains(t, dup.str("detail"), id)
			b.must(201, b.do("POST", "/v1/customers", other, again))

			b.must(200, b.do("POST", "/v1/customers/"+id+"/kyc", teller, map[string]any{"status": "verified", "note": "documents checked in branch"}))
			a := b.must(201, b.do("POST", "/v1/accounts", teller, map[string]any{"customer_id": id, "product": "demand", "currency": "CNY", "external_ref": "acct-1"}))
			require.Equal(t, "acct-1", a.str("external_ref"))
			got := b.must(200, b.do("GET", "/v1/accounts?external_ref=acct-1", teller, nil)).body["items"].([]any)
			require.Len(t, got, 1)
			require.Equal(t, a.str("id"), got[0].(map[string]any)["id"])
			require.Empty(t, b.must(200, b.do("GET", "/v1/accounts?external_ref=acct-1", other, nil)).body["items"])
			dupAcct := b.do("POST", "/v1/accounts", teller, map[string]any{"customer_id": id, "product": "demand", "currency": "CNY", "external_ref": "acct-1"})
			requireRefusedWithoutField(t, dupAcct, 409, "external-ref-taken")
			require.Contains(t, dupAcct.str("detail"), a.str("id"))
			requireRefused(t, b.do("POST", "/v1/accounts", teller, map[string]any{"customer_id": id, "product": "demand", "currency": "CNY",
				"external_ref": "bad\x00ref"}), 400, "invalid-input", "external_ref")
			// The customer's account list shows it too.
			require.Equal(t, "acct-1", b.must(200, b.do("GET", "/v1/accounts/"+a.str("id"), teller, nil)).str("external_ref"))

			// A time deposit takes one as well, on its account.
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": a.str("id"), "amount": cny("5000.00")}))
			td := b.must(201, b.do("POST", "/v1/accounts", teller, map[string]any{"customer_id": id, "product": "time", "currency": "CNY",
				"term_months": 12, "funding_account_id": a.str("id"), "principal": cny("1000.00"), "external_ref": "td-1"}))
			require.Equal(t, "td-1", td.str("external_ref"))
			gotTD := b.must(200, b.do("GET", "/v1/accounts?external_ref=td-1", teller, nil)).body["items"].([]any)
			require.Len(t, gotTD, 1)
			require.Equal(t, td.str("id"), gotTD[0].(map[string]any)["id"])
			requireRefusedWithoutField(t, b.do("POST", "/v1/accounts", teller, map[string]any{"customer_id": id, "product": "time", "currency": "CNY",
				"term_months": 12, "funding_account_id": a.str("id"), "principal": cny("1000.00"), "external_ref": "acct-1"}), 409, "external-ref-taken")
			require.Equal(t, "4000.00", b.must(200, b.do("GET", "/v1/accounts/"+a.str("id"), teller, nil)).str("balance", "value"))
		})
	}
}

// External references on deposits, withdrawals, transfers and holds over
// HTTP, on both storages: in the answer, found again by the client that
// set them (not by another), a replay of the key answering the first
// transfer, a second use refused with 409 naming the first and moving
// nothing, and a customer's own references apart from the staff's.
func TestExternalRefsOnTransfersAndHolds(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			teller, other := b.staff("teller"), b.staff("teller")
			alice, bob := b.onboard(teller), b.onboard(teller)
			a1, b1 := b.openAccount(teller, alice), b.openAccount(teller, bob)

			dep := b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": a1, "amount": cny("100.00"), "external_ref": "cash-in-1"}))
			require.Equal(t, "cash-in-1", dep.str("external_ref"))
			body := map[string]any{"from_account_id": a1, "to_account_id": b1, "amount": cny("30.00"), "external_ref": "inv-9"}
			tr := b.must(201, b.do("POST", "/v1/transfers", teller, body, "Idempotency-Key", "tr-ref-1"))
			require.Equal(t, "inv-9", tr.str("external_ref"))
			// The same key and body: the first transfer again.
			again := b.must(201, b.do("POST", "/v1/transfers", teller, body, "Idempotency-Key", "tr-ref-1"))
			require.Equal(t, tr.raw, again.raw)
			// Another key with the reference: 409 naming the first, nothing moves.
			dup := b.do("POST", "/v1/transfers", teller, body)
			requireRefusedWithoutField(t, dup, 409, "external-ref-taken")
			require.Contains(t, dup.str("detail"), tr.str("id"))
			requireRefusedWithoutField(t, b.do("POST", "/v1/withdrawals", teller, map[string]any{"account_id": a1, "amount": cny("1.00"), "external_ref": "inv-9"}),
				409, "external-ref-taken")
			require.Equal(t, "70.00", b.must(200, b.do("GET", "/v1/accounts/"+a1, teller, nil)).str("balance", "value"))
			require.Equal(t, "30.00", b.must(200, b.do("GET", "/v1/accounts/"+b1, teller, nil)).str("balance", "value"))
			requireRefused(t, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": a1, "to_account_id": b1, "amount": cny("1.00"),
				"external_ref": "bad\x00ref"}), 400, "invalid-input", "external_ref")

			found := b.must(200, b.do("GET", "/v1/transfers?external_ref=inv-9", teller, nil)).body["items"].([]any)
			require.Len(t, found, 1)
			require.Equal(t, tr.str("id"), found[0].(map[string]any)["id"])
			require.Equal(t, "inv-9", found[0].(map[string]any)["external_ref"])
			require.Equal(t, "inv-9", b.must(200, b.do("GET", "/v1/transfers/"+tr.str("id"), teller, nil)).str("external_ref"))
			require.Empty(t, b.must(200, b.do("GET", "/v1/transfers?external_ref=inv-9", other, nil)).body["items"])
			require.Empty(t, b.must(200, b.do("GET", "/v1/transfers?external_ref=inv-10", teller, nil)).body["items"])
			requireRefused(t, b.do("GET", "/v1/transfers", teller, nil), 400, "invalid-input", "external_ref")
			// Another teller's inv-9 is another reference.
			b.must(201, b.do("POST", "/v1/transfers", other, map[string]any{"from_account_id": a1, "to_account_id": b1, "amount": cny("5.00"), "external_ref": "inv-9"}))

			// Holds.
			h := b.must(201, b.do("POST", "/v1/holds", teller, map[string]any{"account_id": a1, "amount": cny("10.00"), "external_ref": "auth-1"}))
			require.Equal(t, "auth-1", h.str("external_ref"))
			holds := b.must(200, b.do("GET", "/v1/holds?external_ref=auth-1", teller, nil)).body["items"].([]any)
			require.Len(t, holds, 1)
			require.Equal(t, h.str("id"), holds[0].(map[string]any)["id"])
			require.Empty(t, b.must(200, b.do("GET", "/v1/holds?external_ref=auth-1", other, nil)).body["items"])
			dupHold := b.do("POST", "/v1/holds", teller, map[string]any{"account_id": a1, "amount": cny("1.00"), "external_ref": "auth-1"})
			requireRefusedWithoutField(t, dupHold, 409, "external-ref-taken")
			require.Contains(t, dupHold.str("detail"), h.str("id"))
			require.Equal(t, "55.00", b.must(200, b.do("GET", "/v1/accounts/"+a1, teller, nil)).str("available_balance", "value"))

			// A customer's references are theirs: found by them, not by staff.
			b.must(201, b.do("POST", "/v1/customers/"+alice+"/online-banking", teller, map[string]any{"username": "alice" + storage, "password": "alice's long password"}))
			tok := b.must(200, b.do("POST", "/v1/auth/token", "", map[string]any{"username": "alice" + storage, "password": "alice's long password"})).str("token")
			mine := b.must(201, b.do("POST", "/v1/transfers", tok, map[string]any{"from_account_id": a1, "to_account_id": b1, "amount": cny("1.00"), "external_ref": "inv-9"}))
			got := b.must(200, b.do("GET", "/v1/transfers?external_ref=inv-9", tok, nil)).body["items"].([]any)
			require.Len(t, got, 1)
			require.Equal(t, mine.str("id"), got[0].(map[string]any)["id"])

			// A payment to another bank takes one as well: in the answer,
			// found by it as the payment, a replay answering the first, and
			// a second use (of a reference any transfer has) refused with 409
			// moving nothing.
			outBody := map[string]any{"from_account_id": a1, "amount": cny("2.00"), "external_ref": "out-1",
				"to_external": map[string]any{"bank_code": "102100099996", "account_number": "6222020200112233445", "name": "Zhang San"}}
			out := b.must(201, b.do("POST", "/v1/transfers", teller, outBody, "Idempotency-Key", "out-ref-1"))
			require.Equal(t, "interbank", out.str("kind"))
			require.Equal(t, "out-1", out.str("external_ref"))
			require.Equal(t, out.raw, b.must(201, b.do("POST", "/v1/transfers", teller, outBody, "Idempotency-Key", "out-ref-1")).raw)
			byRef := b.must(200, b.do("GET", "/v1/transfers?external_ref=out-1", teller, nil)).body["items"].([]any)
			require.Len(t, byRef, 1)
			require.Equal(t, out.str("id"), byRef[0].(map[string]any)["id"])
			require.Equal(t, "interbank", byRef[0].(map[string]any)["kind"])
			require.Equal(t, "out-1", byRef[0].(map[string]any)["external_ref"])
			require.Equal(t, "out-1", b.must(200, b.do("GET", "/v1/transfers/"+out.str("id"), teller, nil)).str("external_ref"))
			require.Empty(t, b.must(200, b.do("GET", "/v1/transfers?external_ref=out-1", other, nil)).body["items"])
			balance := b.must(200, b.do("GET", "/v1/accounts/"+a1, teller, nil)).str("balance", "value")
			for _, ref := range []string{"out-1", "inv-9"} {
				body := map[string]any{"from_account_id": a1, "amount": cny("3.00"), "external_ref": ref,
					"to_external": map[string]any{"bank_code": "102100099996", "account_number": "6222020200112233445", "name": "Zhang San"}}
				requireRefusedWithoutField(t, b.do("POST", "/v1/transfers", teller, body, "Idempotency-Key", "out-dup-"+ref), 409, "external-ref-taken")
			}
			require.Equal(t, balance, b.must(200, b.do("GET", "/v1/accounts/"+a1, teller, nil)).str("balance", "value"))
			requireRefused(t, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": a1, "amount": cny("1.00"), "external_ref": "bad\x00ref",
				"to_external": map[string]any{"bank_code": "102100099996", "account_number": "6222020200112233445", "name": "Zhang San"}}),
				400, "invalid-input", "external_ref")
		})
	}
}
