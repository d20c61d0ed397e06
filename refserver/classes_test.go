package refserver

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Account classes over HTTP, on both storages: the reference bank's
// defaults, the class in the account's view, and the 422s of the class
// rules with the limit and what remains in the detail.
func TestAccountClasses(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			teller := b.staff("teller")
			alice, bob := b.onboard(teller), b.onboard(teller)

			// Staff open class I, then class II bound to it.
			one := b.must(201, b.do("POST", "/v1/accounts", teller, map[string]any{"customer_id": alice, "product": "demand", "currency": "CNY"}))
			require.Equal(t, "I", one.str("class"))
			require.Nil(t, one.body["limits"])
			two := b.must(201, b.do("POST", "/v1/accounts", teller, map[string]any{"customer_id": alice, "product": "demand", "currency": "CNY"}))
			require.Equal(t, "II", two.str("class"))
			require.Equal(t, []any{one.str("id")}, two.body["bound_account_ids"])
			require.Equal(t, "10000.00", two.str("limits", "daily_outflow", "value"))
			require.Equal(t, "200000.00", two.str("limits", "annual_outflow", "value"))
			require.Nil(t, two.body["limits"].(map[string]any)["max_balance"])
			three := b.must(201, b.do("POST", "/v1/accounts", teller, map[string]any{"customer_id": alice, "product": "demand", "currency": "CNY",
				"class": "III", "bound_account_ids": []string{one.str("id")}}))
			require.Equal(t, "2000.00", three.str("limits", "max_balance", "value"))
			read := b.must(200, b.do("GET", "/v1/accounts/"+three.str("id"), teller, nil))
			require.Equal(t, "III", read.str("class"))
			require.Equal(t, []any{one.str("id")}, read.body["bound_account_ids"])

			// A second class I is refused; a class of no such name is bad input.
			requireRefusedWithoutField(t, b.do("POST", "/v1/accounts", teller, map[string]any{"customer_id": alice, "product": "demand",
				"currency": "CNY", "class": "I"}), 422, "class-one-account-held")
			requireRefused(t, b.do("POST", "/v1/accounts", teller, map[string]any{"customer_id": alice, "product": "demand",
				"currency": "CNY", "class": "IV"}), 400, "invalid-input", "class")
			requireRefused(t, b.do("POST", "/v1/accounts", teller, map[string]any{"customer_id": alice, "product": "demand",
				"currency": "CNY", "class": "II", "bound_account_ids": []string{b.openAccount(teller, bob)}}), 400, "invalid-input", "bound_account_ids[0]")

			// Class II: 10,000.00 a day to unbound accounts, free to the bound one.
			bob1 := b.openAccount(teller, bob)
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": two.str("id"), "amount": cny("30000.00")}))
			b.must(201, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": two.str("id"), "to_account_id": bob1, "amount": cny("9000.00")}))
			over := b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": two.str("id"), "to_account_id": bob1, "amount": cny("1000.01")})
			requireRefusedWithoutField(t, over, 422, "account-class-limit")
			require.Contains(t, over.str("detail"), "1000.00 CNY remain")
			b.must(201, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": two.str("id"), "to_account_id": one.str("id"), "amount": cny("15000.00")}))
			b.must(201, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": two.str("id"), "to_account_id": bob1, "amount": cny("1000.00")}))
			require.Equal(t, "5000.00", b.must(200, b.do("GET", "/v1/accounts/"+two.str("id"), teller, nil)).str("balance", "value"))

			// Class III: at most 2,000.00.
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": three.str("id"), "amount": cny("2000.00")}))
			requireRefusedWithoutField(t, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": three.str("id"), "amount": cny("0.01")}),
				422, "account-class-limit")

			// A customer opening their own account online gets class II; class I is for the counter.
			b.must(201, b.do("POST", "/v1/customers/"+bob+"/online-banking", teller, map[string]any{"username": "bob" + storage, "password": "bob's long password"}))
			tok := b.must(200, b.do("POST", "/v1/auth/token", "", map[string]any{"username": "bob" + storage, "password": "bob's long password"})).str("token")
			own := b.must(201, b.do("POST", "/v1/accounts", tok, map[string]any{"customer_id": bob, "product": "demand", "currency": "CNY"}))
			require.Equal(t, "II", own.str("class"))
			requireRefused(t, b.do("POST", "/v1/accounts", tok, map[string]any{"customer_id": bob, "product": "demand", "currency": "CNY", "class": "I"}),
				400, "invalid-input", "class")
		})
	}
}

// Re-binding over HTTP, on both storages: a class II account moves from a
// closed class I account to the owner's new one; the change is in the
// account's binding history with who asked and in the staff audit trail;
// another owner's account is refused naming the field, and another
// customer cannot reach the account at all.
func TestAccountRebinding(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			teller, auditor := b.staff("teller"), b.staff("auditor")
			alice, bob := b.onboard(teller), b.onboard(teller)
			open := func(cid string) resp {
				return b.must(201, b.do("POST", "/v1/accounts", teller, map[string]any{"customer_id": cid, "product": "demand", "currency": "CNY"}))
			}
			one := open(alice)
			two := open(alice)
			require.Equal(t, []any{one.str("id")}, two.body["bound_account_ids"])
			bob1 := b.openAccount(teller, bob)

			// Alice's class I closes and she opens a new one; her class II is
			// re-bound to it.
			b.must(200, b.do("POST", "/v1/accounts/"+one.str("id")+"/close", teller, map[string]any{}))
			newOne := open(alice)
			require.Equal(t, "I", newOne.str("class"))
			path := "/v1/accounts/" + two.str("id") + "/bound-accounts"
			rebound := b.must(200, b.do("POST", path, teller, map[string]any{"bound_account_ids": []string{newOne.str("id")}}, "X-Request-Id", "rebind-"+storage))
			require.Equal(t, []any{newOne.str("id")}, rebound.body["bound_account_ids"])
			require.Equal(t, []any{newOne.str("id")}, b.must(200, b.do("GET", "/v1/accounts/"+two.str("id"), teller, nil)).body["bound_account_ids"])

			// Paying the new class I is free of the limits, paying Bob is not.
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": two.str("id"), "amount": cny("30000.00")}))
			b.must(201, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": two.str("id"), "to_account_id": newOne.str("id"), "amount": cny("15000.00")}))
			requireRefusedWithoutField(t, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": two.str("id"), "to_account_id": bob1, "amount": cny("10000.01")}),
				422, "account-class-limit")

			history := b.must(200, b.do("GET", "/v1/accounts/"+two.str("id")+"/bindings", teller, nil)).body["items"].([]any)
			require.Len(t, history, 1)
			h := history[0].(map[string]any)
			require.Equal(t, []any{one.str("id")}, h["from_bound_account_ids"])
			require.Equal(t, []any{newOne.str("id")}, h["to_bound_account_ids"])
			require.Contains(t, h["by"], "staff/")
			audit := b.must(200, b.do("GET", "/v1/audit?request_id=rebind-"+storage, auditor, nil)).body["items"].([]any)
			require.Len(t, audit, 1)
			require.Contains(t, audit[0].(map[string]any)["detail"], newOne.str("id"))

			// Refusals name the field and change nothing.
			requireRefused(t, b.do("POST", path, teller, map[string]any{"bound_account_ids": []string{bob1}}), 400, "invalid-input", "bound_account_ids[0]")
			requireRefused(t, b.do("POST", path, teller, map[string]any{"bound_account_ids": []string{"nope"}}), 400, "invalid-input", "bound_account_ids[0]")
			requireRefused(t, b.do("POST", path, teller, map[string]any{}), 400, "invalid-input", "bound_account_ids")
			requireRefused(t, b.do("POST", "/v1/accounts/"+newOne.str("id")+"/bound-accounts", teller, map[string]any{"bound_account_ids": []string{}}),
				400, "invalid-input", "class")
			require.Len(t, b.must(200, b.do("GET", "/v1/accounts/"+two.str("id")+"/bindings", teller, nil)).body["items"], 1)

			// A customer re-binds their own account, and cannot reach another's.
			b.must(201, b.do("POST", "/v1/customers/"+alice+"/online-banking", teller, map[string]any{"username": "alice" + storage, "password": "alice's long password"}))
			aliceTok := b.must(200, b.do("POST", "/v1/auth/token", "", map[string]any{"username": "alice" + storage, "password": "alice's long password"})).str("token")
			b.must(201, b.do("POST", "/v1/customers/"+bob+"/online-banking", teller, map[string]any{"username": "bob" + storage, "password": "bob's long password"}))
			bobTok := b.must(200, b.do("POST", "/v1/auth/token", "", map[string]any{"username": "bob" + storage, "password": "bob's long password"})).str("token")
			require.Equal(t, 404, b.do("POST", path, bobTok, map[string]any{"bound_account_ids": []string{}}).status)
			require.Equal(t, 404, b.do("GET", "/v1/accounts/"+two.str("id")+"/bindings", bobTok, nil).status)
			unbound := b.must(200, b.do("POST", path, aliceTok, map[string]any{"bound_account_ids": []string{}}))
			require.Nil(t, unbound.body["bound_account_ids"])
			history = b.must(200, b.do("GET", "/v1/accounts/"+two.str("id")+"/bindings", aliceTok, nil)).body["items"].([]any)
			require.Len(t, history, 2)
			require.Equal(t, "customer/"+alice, history[1].(map[string]any)["by"])
		})
	}
}

// Binding to the owner's account at another bank over HTTP, on both
// storages: a payment to it by POST /v1/transfers (to_external) then
// counts against none of the class II account's limits, a payment to
// another account there still does; the change is in the binding history
// and the audit trail (without the holder's name); refusals name the
// field; another customer cannot reach the account.
func TestAccountExternalBinding(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			teller, auditor := b.staff("teller"), b.staff("auditor")
			alice, bob := b.onboard(teller), b.onboard(teller)
			open := func(cid string) resp {
				return b.must(201, b.do("POST", "/v1/accounts", teller, map[string]any{"customer_id": cid, "product": "demand", "currency": "CNY"}))
			}
			one := open(alice)
			two := open(alice)
			require.Equal(t, "II", two.str("class"))
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": two.str("id"), "amount": cny("40000.00")}))
			mine := map[string]any{"bank_code": "102100099996", "account_number": "6222020200112233445", "name": "Alice Wang"}
			other := map[string]any{"bank_code": "102100099996", "account_number": "6222020200199999999", "name": "Bob Li"}
			pay := func(to map[string]any, amount string) resp {
				return b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": two.str("id"), "to_external": to, "amount": cny(amount)})
			}
			requireRefusedWithoutField(t, pay(mine, "15000.00"), 422, "account-class-limit")

			path := "/v1/accounts/" + two.str("id") + "/bound-external-accounts"
			bound := b.must(200, b.do("POST", path, teller, map[string]any{"external_accounts": []any{
				map[string]any{"bank_code": "102100099996", "account_number": "6222020200112233445", "holder_name": "Alice Wang"}}},
				"X-Request-Id", "bind-ext-"+storage))
			want := []any{map[string]any{"bank_code": "102100099996", "account_number": "6222020200112233445", "holder_name": "Alice Wang"}}
			require.Equal(t, want, bound.body["bound_external_accounts"])
			require.Equal(t, []any{one.str("id")}, bound.body["bound_account_ids"], "the binding in this bank stays")
			require.Equal(t, want, b.must(200, b.do("GET", "/v1/accounts/"+two.str("id"), teller, nil)).body["bound_external_accounts"])

			b.must(201, pay(mine, "15000.00"))
			b.must(201, pay(mine, "12000.00"))
			requireRefusedWithoutField(t, pay(other, "12000.00"), 422, "account-class-limit")

			history := b.must(200, b.do("GET", "/v1/accounts/"+two.str("id")+"/bindings", teller, nil)).body["items"].([]any)
			require.Len(t, history, 1)
			h := history[0].(map[string]any)
			require.Equal(t, true, h["external"])
			require.Nil(t, h["from_bound_external_accounts"])
			require.Equal(t, want, h["to_bound_external_accounts"])
			require.Contains(t, h["by"], "staff/")
			audit := b.must(200, b.do("GET", "/v1/audit?request_id=bind-ext-"+storage, auditor, nil)).body["items"].([]any)
			require.Len(t, audit, 1)
			detail := audit[0].(map[string]any)["detail"].(string)
			require.Contains(t, detail, "102100099996/…3445")
			require.NotContains(t, detail, "Alice")

			// Refusals name the field and change nothing.
			requireRefused(t, b.do("POST", path, teller, map[string]any{"external_accounts": []any{
				map[string]any{"bank_code": "10/21", "account_number": "6222", "holder_name": "A"}}}), 400, "invalid-input", "external_accounts[0].bank_code")
			requireRefused(t, b.do("POST", path, teller, map[string]any{}), 400, "invalid-input", "external_accounts")
			requireRefused(t, b.do("POST", "/v1/accounts/"+one.str("id")+"/bound-external-accounts", teller, map[string]any{"external_accounts": []any{}}),
				400, "invalid-input", "class")
			require.Len(t, b.must(200, b.do("GET", "/v1/accounts/"+two.str("id")+"/bindings", teller, nil)).body["items"], 1)

			// Another customer cannot reach it; the owner unbinds.
			b.must(201, b.do("POST", "/v1/customers/"+bob+"/online-banking", teller, map[string]any{"username": "bob" + storage, "password": "bob's long password"}))
			bobTok := b.must(200, b.do("POST", "/v1/auth/token", "", map[string]any{"username": "bob" + storage, "password": "bob's long password"})).str("token")
			require.Equal(t, 404, b.do("POST", path, bobTok, map[string]any{"external_accounts": []any{}}).status)
			b.must(201, b.do("POST", "/v1/customers/"+alice+"/online-banking", teller, map[string]any{"username": "alice" + storage, "password": "alice's long password"}))
			aliceTok := b.must(200, b.do("POST", "/v1/auth/token", "", map[string]any{"username": "alice" + storage, "password": "alice's long password"})).str("token")
			unbound := b.must(200, b.do("POST", path, aliceTok, map[string]any{"external_accounts": []any{}}))
			require.Nil(t, unbound.body["bound_external_accounts"])
			requireRefusedWithoutField(t, pay(mine, "12000.00"), 422, "account-class-limit")
		})
	}
}
