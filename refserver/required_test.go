package refserver

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// example is a valid request to one route: a path, a body and headers,
// made afresh on each call (new customers, accounts, holds ...), so that
// any number of variants of it can be sent.
type example func() (path string, body map[string]any, header []string)

// TestOpenAPIRequiredIsWhatTheServerRequires checks the document's
// "required" against the server's own validation, field by field: a valid
// example of every route that takes a JSON body succeeds; without a field
// the document marks required (or the only member sent of a one-of group)
// it fails; without any other field it still succeeds. The same is checked
// one level down, in the objects the example sends.
func TestOpenAPIRequiredIsWhatTheServerRequires(t *testing.T) {
	t.Parallel()
	b := newBank(t, "memory")
	doc := b.must(200, b.do("GET", "/openapi.json", "", nil)).body
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	resolve := func(s map[string]any) map[string]any {
		if ref, ok := s["$ref"].(string); ok {
			return schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
		}
		return s
	}
	examples := requestExamples(b)
	maps.Copy(examples, creditExamples(b))
	maps.Copy(examples, atmRequestExamples(b))
	maps.Copy(examples, contactExamples(b))

	for _, rt := range b.srv.routes {
		if !rt.handler.in.json {
			continue
		}
		name := rt.muxPattern()
		if _, skipped := unexampled[name]; skipped {
			continue
		}
		ex, ok := examples[name]
		require.True(t, ok, "%s takes a JSON body: give it an example in requestExamples", name)
		op := doc["paths"].(map[string]any)[rt.pattern].(map[string]any)[strings.ToLower(rt.method)].(map[string]any)
		schema := resolve(op["requestBody"].(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any))

		path, body, header := ex()
		r := b.do(rt.method, path, testAdminToken, body, header...)
		require.Equal(t, rt.successStatus(), r.status, "%s: the example must succeed: %s", name, r.raw)

		check := func(field string, needed bool, without func(map[string]any)) {
			t.Helper()
			path, body, header := ex()
			without(body)
			r := b.do(rt.method, path, testAdminToken, body, header...)
			if needed {
				require.True(t, r.status >= 400 && r.status < 500, "%s: %s is documented required, yet the server took a request without it: %s", name, field, r.raw)
				if errs, ok := r.body["errors"].([]any); ok && r.status == http.StatusBadRequest {
					named, _ := errs[0].(map[string]any)["field"].(string)
					require.True(t, named == field || strings.HasPrefix(named, field+".") || strings.HasPrefix(field, named+"."),
						"%s: the refusal names the missing field %s, one in it or the object holding it: %s", name, field, r.raw)
				}
			} else {
				require.Equal(t, rt.successStatus(), r.status, "%s: %s is documented optional, yet the server refused a request without it: %s", name, field, r.raw)
			}
		}
		_, body, _ = ex()
		for field, value := range body {
			check(field, needs(schema, body, field), func(m map[string]any) { delete(m, field) })
			inner, ok := value.(map[string]any)
			if !ok {
				continue
			}
			props := schema["properties"].(map[string]any)
			innerSchema := resolve(props[field].(map[string]any))
			for key := range inner {
				check(field+"."+key, needs(innerSchema, inner, key), func(m map[string]any) { delete(m[field].(map[string]any), key) })
			}
		}
	}
}

// unexampled are the JSON routes the test above cannot give a valid
// example, and why.
var unexampled = map[string]string{
	"POST /v1/accounts/{id}/renew":                       "needs a time deposit held at maturity, a month of end-of-day runs away; clearing_test refuses a renewal before it",
	"POST /v1/approvals/{id}/approve":                    "needs a request held by maker-checker, which this bank runs without; oprisk_test approves over HTTP",
	"POST /v1/approvals/{id}/reject":                     "needs a request held by maker-checker, which this bank runs without; oprisk_test rejects over HTTP",
	"POST /v1/credit/applications":                       "customer_id is required of staff and left out by a customer, who applies for themselves; the schema cannot say both. credit_test refuses each field's bad value",
	"POST /v1/credit/applications/{id}/decisions":        "the approver is the caller, and the admin holds no approval step's role; credit_test decides as officers",
	"POST /v1/credit/contracts/{id}/accept":              "customers only, and the examples run as the admin; credit_test accepts as the customer",
	"POST /v1/credit/loans/{id}/restructuring/decisions": "the approver is the caller, and the admin holds no approval step's role; creditcollections_test decides as officers",
	"POST /v1/credit/loans/{id}/prepayment-quote":        "full and amount depend on each other (a partial prepayment needs amount and a paid instalment); credit_test quotes and repays in full",
	"POST /v1/credit/loans/{id}/prepayments":             "as the quote",
	// Online banking's own routes are the customer's alone; this test calls
	// as the administrator. online_test.go sends each as a customer.
	"POST /v1/customers/{id}/second-factor/totp/confirm":   "customers only",
	"POST /v1/customers/{id}/second-factor/recovery-codes": "customers only",
	"POST /v1/customers/{id}/step-up":                      "customers only",
	"POST /v1/customers/{id}/devices":                      "customers only",
	"POST /v1/customers/{id}/payees":                       "customers only",
	"PATCH /v1/customers/{id}/payees/{payee_id}":           "customers only",
	"POST /v1/customers/{id}/limits":                       "customers only",
	"POST /v1/customers/{id}/notification-preferences":     "customers only",
	"POST /v1/contact/next-ticket":                         "agents only: it takes a ticket for the caller; contact_test takes as agents",
	"POST /v1/staff/me/second-factor/totp/confirm":         "the code of the caller's own app, which the administrator's token (the bootstrap admin's) has not enrolled; staff2fa_test confirms one",
}

// needs reports whether schema makes field required in body: listed in
// "required", or the only member present of a one-of group.
func needs(schema, body map[string]any, field string) bool {
	required, _ := schema["required"].([]any)
	if slices.Contains(required, any(field)) {
		return true
	}
	groups, _ := schema["oneOf"].([]any)
	for _, g := range groups {
		members := g.(map[string]any)["required"].([]any)
		if !slices.Contains(members, any(field)) {
			continue
		}
		for _, other := range groups {
			for _, m := range other.(map[string]any)["required"].([]any) {
				if _, sent := body[m.(string)]; sent && m != field {
					return false
				}
			}
		}
		return true
	}
	return false
}

// requestExamples gives a valid request for every route with a JSON body.
func requestExamples(b *testBank) map[string]example {
	teller := testAdminToken
	funded := func() string {
		a := b.openAccount(teller, b.onboard(teller))
		b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": a, "amount": cny("500.00")}))
		return a
	}
	complaint := func(steps ...string) string {
		id := b.must(201, b.do("POST", "/v1/customers/"+b.onboard(teller)+"/complaints", teller,
			map[string]any{"category": "service", "description": "long queue", "channel": "branch"})).str("id")
		for _, step := range steps {
			body := map[string]any{}
			if step == "resolve" {
				body["note"] = "apologised"
			}
			b.must(200, b.do("POST", "/v1/complaints/"+id+"/"+step, teller, body))
		}
		return id
	}
	login := fmt.Sprintf("examplelogin%d", keySeq.Add(1))
	b.must(201, b.do("POST", "/v1/staff", teller, map[string]any{"username": login, "password": "a long example password", "roles": []string{"teller"}}))
	fresh := func(prefix string) string { return fmt.Sprintf("%s%d", prefix, keySeq.Add(1)) }
	body := func(path string, m map[string]any, header ...string) (string, map[string]any, []string) {
		return path, m, header
	}

	b.must(201, b.do("POST", "/v1/fx/rates", teller, map[string]any{"pair": "USD/CNY", "mid": "7.15", "buy": "7.10", "sell": "7.20",
		"source": "treasury", "published_at": "2020-01-01T00:00:00Z"}))
	fxAccounts := func() (string, string) {
		owner := b.onboard(teller)
		from := b.must(201, b.do("POST", "/v1/accounts", teller, map[string]any{"customer_id": owner, "product": "demand", "currency": "USD"})).str("id")
		b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": from, "amount": usd("100.00")}))
		return from, b.openAccount(teller, owner)
	}

	examples := map[string]example{
		"POST /v1/accounts/{id}/bound-accounts": func() (string, map[string]any, []string) {
			owner := b.onboard(teller)
			one := b.openAccount(teller, owner) // class I
			two := b.openAccount(teller, owner) // class II, bound to it
			return body("/v1/accounts/"+two+"/bound-accounts", map[string]any{"bound_account_ids": []string{one}})
		},
		"POST /v1/accounts/{id}/bound-external-accounts": func() (string, map[string]any, []string) {
			owner := b.onboard(teller)
			b.openAccount(teller, owner)        // class I
			two := b.openAccount(teller, owner) // class II
			return body("/v1/accounts/"+two+"/bound-external-accounts", map[string]any{"external_accounts": []any{
				map[string]any{"bank_code": "102100099996", "account_number": "6222020200112233445", "holder_name": "Alice Wang"}}})
		},
		"POST /v1/fx/rates": func() (string, map[string]any, []string) {
			return body("/v1/fx/rates", map[string]any{"pair": "USD/CNY", "mid": "7.15", "buy": "7.10", "sell": "7.20", "source": "treasury",
				"business_date": "2020-01-02", "published_at": fmt.Sprintf("2020-01-02T00:00:%02d.%06dZ", keySeq.Add(1)%60, keySeq.Add(1)%1000000)})
		},
		"POST /v1/fx/quotes": func() (string, map[string]any, []string) {
			return body("/v1/fx/quotes", map[string]any{"pays": usd("10.00"), "receive": "CNY"})
		},
		"POST /v1/fx/conversions": func() (string, map[string]any, []string) {
			from, to := fxAccounts()
			q := b.must(201, b.do("POST", "/v1/fx/quotes", teller, map[string]any{"pays": usd("10.00"), "receive": "CNY"})).str("id")
			return body("/v1/fx/conversions", map[string]any{"from_account_id": from, "to_account_id": to, "amount": usd("10.00"),
				"quote_id": q, "description": "holiday money"})
		},
		"POST /v1/auth/token": func() (string, map[string]any, []string) {
			return body("/v1/auth/token", map[string]any{"username": login, "password": "a long example password"})
		},
		"POST /v1/staff": func() (string, map[string]any, []string) {
			return body("/v1/staff", map[string]any{"username": fresh("staff"), "password": "a long staff password", "roles": []string{"teller"}})
		},
		"PUT /v1/roles/{role}/permissions": func() (string, map[string]any, []string) {
			return body("/v1/roles/marketing/permissions", map[string]any{"permissions": []string{"business-date.read", "auth.logout"}})
		},
		"PUT /v1/staff/{id}/roles": func() (string, map[string]any, []string) {
			// Created by another administrator: whoever creates a staff
			// user may not give it its roles.
			other := b.staff("admin")
			u := b.must(201, b.do("POST", "/v1/staff", other, map[string]any{"username": fresh("staff"), "password": "a long staff password", "roles": []string{"teller"}}))
			return body("/v1/staff/"+u.str("id")+"/roles", map[string]any{"roles": []string{"teller", "support"}})
		},
		"POST /v1/customers": func() (string, map[string]any, []string) {
			return body("/v1/customers", customerBody())
		},
		"PATCH /v1/customers/{id}": func() (string, map[string]any, []string) {
			c := b.must(201, b.do("POST", "/v1/customers", teller, customerBody()))
			return body("/v1/customers/"+c.str("id"), map[string]any{"occupation": "teacher",
				"address": map[string]any{"line1": "长安街2号", "city": "北京市", "province": "北京", "postal_code": "100010", "country": "CN"}},
				"If-Match", fmt.Sprint(c.body["version"]))
		},
		"POST /v1/customers/{id}/kyc": func() (string, map[string]any, []string) {
			c := b.must(201, b.do("POST", "/v1/customers", teller, customerBody())).str("id")
			return body("/v1/customers/"+c+"/kyc", map[string]any{"status": "verified", "note": "documents checked"})
		},
		"POST /v1/customers/{id}/online-banking": func() (string, map[string]any, []string) {
			return body("/v1/customers/"+b.onboard(teller)+"/online-banking", map[string]any{"username": fresh("online"), "password": "a long customer password"})
		},
		"POST /v1/customers/{id}/complaints": func() (string, map[string]any, []string) {
			return body("/v1/customers/"+b.onboard(teller)+"/complaints", map[string]any{"category": "fees", "description": "charged twice", "channel": "phone"})
		},
		"POST /v1/complaints/{id}/assign": func() (string, map[string]any, []string) {
			return body("/v1/complaints/"+complaint()+"/assign", map[string]any{"assignee": "teller-7"})
		},
		"POST /v1/complaints/{id}/resolve": func() (string, map[string]any, []string) {
			return body("/v1/complaints/"+complaint("assign")+"/resolve", map[string]any{"note": "fee refunded"})
		},
		"POST /v1/complaints/{id}/close": func() (string, map[string]any, []string) {
			return body("/v1/complaints/"+complaint("assign", "resolve")+"/close", map[string]any{"satisfaction": 4})
		},
		"POST /v1/complaints/{id}/reopen": func() (string, map[string]any, []string) {
			return body("/v1/complaints/"+complaint("assign", "resolve")+"/reopen", map[string]any{})
		},
		"POST /v1/accounts": func() (string, map[string]any, []string) {
			return body("/v1/accounts", map[string]any{"customer_id": b.onboard(teller), "product": "demand", "currency": "CNY"})
		},
		"POST /v1/accounts/{id}/partial-withdrawal": func() (string, map[string]any, []string) {
			a := funded()
			td := b.must(201, b.do("POST", "/v1/accounts", teller, map[string]any{"customer_id": b.must(200, b.do("GET", "/v1/accounts/"+a, teller, nil)).str("customer_id"),
				"product": "time", "currency": "CNY", "term_months": 12, "principal": cny("400.00"), "funding_account_id": a})).str("id")
			return body("/v1/accounts/"+td+"/partial-withdrawal", map[string]any{"amount": cny("100.00")})
		},
		"POST /v1/accounts/{id}/freeze": func() (string, map[string]any, []string) {
			return body("/v1/accounts/"+funded()+"/freeze", map[string]any{"mode": "debits"})
		},
		"POST /v1/deposits": func() (string, map[string]any, []string) {
			return body("/v1/deposits", map[string]any{"account_id": funded(), "amount": cny("10.00"), "description": "cash"})
		},
		"POST /v1/withdrawals": func() (string, map[string]any, []string) {
			return body("/v1/withdrawals", map[string]any{"account_id": funded(), "amount": cny("10.00"), "description": "cash"})
		},
		"POST /v1/journal-entries": func() (string, map[string]any, []string) {
			return body("/v1/journal-entries", map[string]any{"description": "correction", "value_date": "", "metadata": map[string]any{"ticket": "1"},
				"postings": []any{map[string]any{"account_id": funded(), "side": "debit", "amount": cny("1.00")},
					map[string]any{"account_id": funded(), "side": "credit", "amount": cny("1.00")}}})
		},
		"POST /v1/transfers": func() (string, map[string]any, []string) {
			return body("/v1/transfers", map[string]any{"from_account_id": funded(), "to_account_id": funded(), "amount": cny("10.00"), "description": "rent"})
		},
		"POST /v1/transfers/{id}/reversal": func() (string, map[string]any, []string) {
			dep := b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": funded(), "amount": cny("10.00")})).str("id")
			return body("/v1/transfers/"+dep+"/reversal", map[string]any{"description": "keyed twice"})
		},
		"POST /v1/holds": func() (string, map[string]any, []string) {
			return body("/v1/holds", map[string]any{"account_id": funded(), "amount": cny("10.00"), "description": "card authorisation",
				"expires_at": "2099-01-01T00:00:00Z"})
		},
		"POST /v1/holds/{id}/capture": func() (string, map[string]any, []string) {
			hold := b.must(201, b.do("POST", "/v1/holds", teller, map[string]any{"account_id": funded(), "amount": cny("10.00")})).str("id")
			return body("/v1/holds/"+hold+"/capture", map[string]any{"to_account_id": funded(), "amount": cny("5.00"), "description": "settled"})
		},
		"POST /v1/clearing/batches": func() (string, map[string]any, []string) {
			b.must(201, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": funded(), "amount": cny("10.00"),
				"to_external": map[string]any{"bank_code": "0102", "account_number": "6222000011112222", "name": "Li Wei"}}))
			return body("/v1/clearing/batches", map[string]any{"currency": "CNY"})
		},
	}
	for name, ex := range wealthRequestExamples(b) {
		examples[name] = ex
	}
	return withRiskExamples(b, examples)
}

// customerBody is a valid new customer with every field the API takes,
// and a national id and phone of its own.
func customerBody() map[string]any {
	n := int(customerSeq.Add(1))
	return map[string]any{
		"full_name": "张伟", "gender": "male", "date_of_birth": "1990-03-07",
		"national_id": map[string]any{"type": "PRC_RESIDENT_ID", "number": residentID("110105", "19900307", n%1000)},
		"phone":       fmt.Sprintf("+86138%08d", n), "email": fmt.Sprintf("zhang%d@example.com", n),
		"address":    map[string]any{"line1": "建国路1号", "line2": "3单元", "city": "北京市", "province": "北京", "postal_code": "100020", "country": "CN"},
		"occupation": "engineer", "income_band": "middle", "preferred_language": "zh-CN", "preferred_channel": "app",
	}
}
