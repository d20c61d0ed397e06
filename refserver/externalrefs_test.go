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
		})
	}
}
