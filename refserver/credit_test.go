package refserver

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// loanProduct is a CNY consumer loan product: 1,000.00-500,000.00 over
// 12-60 months, annuity, 6% before the grade's add-on, capped at 24%, a
// 1% origination fee (at most 2,000.00) deducted at disbursement, a 2%
// prepayment fee, and the bank's approval chains.
func loanProduct(code string) map[string]any {
	return map[string]any{"code": code, "name": "Consumer loan " + code, "currency": "CNY",
		"min_amount": "1000.00", "max_amount": "500000.00", "min_term": 12, "max_term": 60,
		"repayment_method": "annuity", "base_rate": "0.06", "max_rate": "0.24",
		"origination_fee": map[string]any{"fixed": "0", "rate": "0.01", "max": "2000.00", "financed": false},
		"late_fee":        "50.00", "prepayment_fee": map[string]any{"fixed": "0", "rate": "0.02"},
		"min_age": 18, "max_age_at_maturity": 65, "max_debt_to_income": "0.5"}
}

// borrower is a verified customer with an online-banking login and a
// demand account holding a 60,000.00 salary: a strong applicant for the
// bank's scorecard (regular inflow, a good balance).
type borrower struct {
	id, token, account string
}

func (b *testBank) borrower(teller string) borrower {
	b.t.Helper()
	id := b.onboard(teller)
	acct := b.openAccount(teller, id)
	b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": acct, "amount": cny("60000.00"), "description": "salary"}))
	user := fmt.Sprintf("borrower%d", keySeq.Add(1))
	b.must(201, b.do("POST", "/v1/customers/"+id+"/online-banking", teller, map[string]any{"username": user, "password": "a borrower's long password"}))
	tok := b.must(200, b.do("POST", "/v1/auth/token", "", map[string]any{"username": user, "password": "a borrower's long password"})).str("token")
	return borrower{id: id, token: tok, account: acct}
}

// application is an application body for 100,000.00 over 12 months.
func application(product, amount string) map[string]any {
	return map[string]any{"product_id": product, "amount": cny(amount), "term": 12, "purpose": "car",
		"monthly_income": cny("30000.00"), "monthly_debt": cny("2000.00")}
}

func fieldOf(r resp) string {
	errs, _ := r.body["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	f, _ := errs[0].(map[string]any)["field"].(string)
	return f
}

func balanceOf(b *testBank, token, account string) string {
	b.t.Helper()
	return b.must(200, b.do("GET", "/v1/accounts/"+account, token, nil)).str("balance", "value")
}

// TestLoanFromApplicationToPayoff takes a customer's loan through the
// API on both storages: applied for by the customer, scored, approved by
// a loan officer and a risk officer (100,000.00 is in the second band),
// the contract read and accepted by the customer, disbursed, repaid in
// part and then in full. Other customers see none of it (404), and bad
// input is refused with the field named.
func TestLoanFromApplicationToPayoff(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			teller, officer, approver := b.staff("teller"), b.staff("loan_officer"), b.staff("risk_officer")
			alice, bob := b.borrower(teller), b.borrower(teller)

			prod := b.must(201, b.do("POST", "/v1/credit/products", approver, loanProduct("CAR-"+storage)))
			pid := prod.str("id")
			require.Equal(t, "annuity", prod.str("repayment_method"))
			require.Equal(t, 200, b.do("GET", "/v1/credit/products/"+pid, alice.token, nil).status, "customers read products")

			// Bad input names its field and stores nothing.
			for name, tc := range map[string]struct {
				body  map[string]any
				field string
			}{
				"negative amount":   {map[string]any{"amount": cny("-5.00")}, "amount"},
				"term below":        {map[string]any{"term": 6}, "term"},
				"income currency":   {map[string]any{"monthly_income": map[string]any{"value": "30000.00", "currency": "USD"}}, "monthly_income.currency"},
				"unknown purpose":   {map[string]any{"purpose": "yacht"}, "purpose"},
				"amount above max":  {map[string]any{"amount": cny("600000.00")}, "amount"},
				"another's product": {map[string]any{"product_id": "01a21c2f-0000-7000-8000-000000000000"}, ""},
			} {
				body := application(pid, "100000.00")
				for k, v := range tc.body {
					body[k] = v
				}
				r := b.do("POST", "/v1/credit/applications", alice.token, body)
				if tc.field == "" {
					require.Equal(t, 404, r.status, "%s: %s", name, r.raw)
					continue
				}
				require.Equal(t, 400, r.status, "%s: %s", name, r.raw)
				require.Equal(t, tc.field, fieldOf(r), "%s: %s", name, r.raw)
			}
			bad := loanProduct("BAD-" + storage)
			bad["max_rate"] = "0.05"
			r := b.do("POST", "/v1/credit/products", approver, bad)
			require.Equal(t, 400, r.status, string(r.raw))
			require.Equal(t, "max_rate", fieldOf(r))
			bad = loanProduct("BAD-" + storage)
			bad["approval"] = map[string]any{"bands": []any{map[string]any{"up_to": "0", "steps": []any{map[string]any{"role": "branch_manager"}}}}}
			r = b.do("POST", "/v1/credit/products", approver, bad)
			require.Equal(t, 400, r.status, string(r.raw))
			require.Equal(t, "approval.bands[0].steps[0].role", fieldOf(r), "a step no staff member can decide")
			require.Empty(t, b.must(200, b.do("GET", "/v1/credit/applications", alice.token, nil)).body["items"])

			// Bob may not apply in alice's name.
			other := application(pid, "100000.00")
			other["customer_id"] = alice.id
			require.Equal(t, 404, b.do("POST", "/v1/credit/applications", bob.token, other).status)

			app := b.must(201, b.do("POST", "/v1/credit/applications", alice.token, application(pid, "100000.00")))
			aid := app.str("id")
			require.Equal(t, "submitted", app.str("status"))
			require.Equal(t, alice.id, app.str("maker"), "the customer is the maker of their own application")
			dup := b.do("POST", "/v1/credit/applications", alice.token, application(pid, "50000.00"))
			require.Equal(t, 409, dup.status)
			require.Equal(t, "open-application", dup.problemType())
			require.Equal(t, "product_id", fieldOf(dup))

			scored := b.must(200, b.do("POST", "/v1/credit/applications/"+aid+"/score", officer, nil))
			require.Equal(t, "scored", scored.str("status"), string(scored.raw))
			require.NotEmpty(t, scored.body["score"].(map[string]any)["reasons"])
			require.Equal(t, "100000.00", scored.str("offer", "amount", "value"))

			// The chain: a loan officer, then a risk officer.
			inbox := b.must(200, b.do("GET", "/v1/credit/inbox", officer, nil))
			require.Contains(t, itemIDs(inbox), aid)
			require.NotContains(t, itemIDs(b.must(200, b.do("GET", "/v1/credit/inbox", approver, nil))), aid, "step 1 is not the risk officer's")
			early := b.do("POST", "/v1/credit/applications/"+aid+"/decisions", approver, map[string]any{"step": 2, "verdict": "approve"})
			require.Equal(t, 409, early.status, string(early.raw))
			require.Equal(t, "approval-out-of-order", early.problemType())
			require.Equal(t, "step", fieldOf(early))
			wrongRole := b.do("POST", "/v1/credit/applications/"+aid+"/decisions", approver, map[string]any{"step": 1, "verdict": "approve"})
			require.Equal(t, 403, wrongRole.status, string(wrongRole.raw))
			noOpinion := b.do("POST", "/v1/credit/applications/"+aid+"/decisions", officer, map[string]any{"step": 1, "verdict": "reject"})
			require.Equal(t, 400, noOpinion.status)
			require.Equal(t, "opinion", fieldOf(noOpinion))
			b.must(200, b.do("POST", "/v1/credit/applications/"+aid+"/decisions", officer, map[string]any{"step": 1, "verdict": "approve", "opinion": "income checked"}))
			require.Contains(t, itemIDs(b.must(200, b.do("GET", "/v1/credit/inbox", approver, nil))), aid)
			approved := b.must(200, b.do("POST", "/v1/credit/applications/"+aid+"/decisions", approver, map[string]any{"step": 2, "verdict": "approve"}))
			require.Equal(t, "approved", approved.str("status"))

			// The contract: one version, its documents as themselves.
			contracts := b.must(200, b.do("GET", "/v1/credit/applications/"+aid+"/contracts", alice.token, nil)).body["items"].([]any)
			require.Len(t, contracts, 1)
			contract := contracts[0].(map[string]any)
			cid := contract["id"].(string)
			require.Equal(t, float64(1), contract["version"])
			html := b.must(200, b.do("GET", "/v1/credit/contracts/"+cid+"/html", alice.token, nil))
			require.Equal(t, "text/html; charset=utf-8", html.header.Get("Content-Type"))
			pdf := b.must(200, b.do("GET", "/v1/credit/contracts/"+cid+"/pdf", alice.token, nil))
			require.Equal(t, "application/pdf", pdf.header.Get("Content-Type"))
			require.Equal(t, "%PDF", string(pdf.raw[:4]))
			sum := sha256.Sum256(pdf.raw)
			require.Equal(t, contract["pdf_sha256"], hex.EncodeToString(sum[:]), "the PDF served is the one hashed")

			// Only alice accepts it; staff may not; a wrong digest is refused.
			accept := map[string]any{"version": 1, "sha256": hex.EncodeToString(sum[:]), "disbursement_account": alice.account}
			require.Equal(t, 403, b.do("POST", "/v1/credit/contracts/"+cid+"/accept", officer, accept).status)
			require.Equal(t, 404, b.do("POST", "/v1/credit/contracts/"+cid+"/accept", bob.token, accept).status)
			wrong := b.do("POST", "/v1/credit/contracts/"+cid+"/accept", alice.token, map[string]any{"version": 1,
				"sha256": hex.EncodeToString(make([]byte, 32)), "disbursement_account": alice.account})
			require.Equal(t, 400, wrong.status, string(wrong.raw))
			require.Equal(t, "sha256", fieldOf(wrong))
			notHers := b.do("POST", "/v1/credit/contracts/"+cid+"/accept", alice.token, map[string]any{"version": 1, "disbursement_account": bob.account})
			require.Equal(t, 400, notHers.status, string(notHers.raw))
			require.Equal(t, "disbursement_account", fieldOf(notHers))
			accepted := b.must(200, b.do("POST", "/v1/credit/contracts/"+cid+"/accept", alice.token, accept))
			lid := accepted.str("loan", "id")
			require.Equal(t, "accepted", accepted.str("contract", "status"))
			require.Equal(t, "accepted", accepted.str("loan", "status"))

			// Disbursement: staff, with a key, once. The 1% fee (1,000.00)
			// is deducted: 99,000.00 reaches alice's account.
			noKey := b.do("POST", "/v1/credit/loans/"+lid+"/disbursements", officer, nil, "Idempotency-Key", "")
			require.Equal(t, 400, noKey.status)
			require.Equal(t, "idempotency-key-required", noKey.problemType())
			require.Equal(t, 403, b.do("POST", "/v1/credit/loans/"+lid+"/disbursements", alice.token, nil).status)
			loan := b.must(201, b.do("POST", "/v1/credit/loans/"+lid+"/disbursements", officer, nil))
			require.Equal(t, "active", loan.str("status"))
			require.Equal(t, "100000.00", loan.str("outstanding", "value"))
			require.Equal(t, "159000.00", balanceOf(b, teller, alice.account), "60,000.00 + 99,000.00")
			require.Equal(t, "100000.00", balanceOf(b, teller, loan.str("account")), "the loan account holds the principal")
			twice := b.do("POST", "/v1/credit/loans/"+lid+"/disbursements", officer, nil)
			require.Equal(t, 409, twice.status)
			require.Equal(t, "already-disbursed", twice.problemType())

			// Other customers see nothing of it.
			for _, path := range []string{"/v1/credit/applications/" + aid, "/v1/credit/applications/" + aid + "/contracts",
				"/v1/credit/contracts/" + cid, "/v1/credit/contracts/" + cid + "/html", "/v1/credit/contracts/" + cid + "/pdf",
				"/v1/credit/loans/" + lid, "/v1/credit/loans/" + lid + "/schedule", "/v1/credit/loans/" + lid + "/statement",
				"/v1/credit/loans/" + lid + "/repayments"} {
				require.Equal(t, 404, b.do("GET", path, bob.token, nil).status, path)
			}
			require.Equal(t, 404, b.do("POST", "/v1/credit/loans/"+lid+"/repayments", bob.token, map[string]any{"amount": cny("1.00")}).status)
			require.Empty(t, b.must(200, b.do("GET", "/v1/credit/loans", bob.token, nil)).body["items"])
			require.Equal(t, []string{lid}, itemIDs(b.must(200, b.do("GET", "/v1/credit/loans", alice.token, nil))))

			sched := b.must(200, b.do("GET", "/v1/credit/loans/"+lid+"/schedule", alice.token, nil))
			require.Len(t, sched.body["instalments"], 12)

			// 1,000.00 before anything is due is held as advance.
			zero := b.do("POST", "/v1/credit/loans/"+lid+"/repayments", alice.token, map[string]any{"amount": cny("0.00")})
			require.Equal(t, 400, zero.status)
			require.Equal(t, "amount", fieldOf(zero))
			cash := b.do("POST", "/v1/credit/loans/"+lid+"/repayments", alice.token, map[string]any{"amount": cny("1.00"), "source": "cash"})
			require.Equal(t, 400, cash.status)
			require.Equal(t, "source", fieldOf(cash))
			paid := b.must(201, b.do("POST", "/v1/credit/loans/"+lid+"/repayments", alice.token, map[string]any{"amount": cny("1000.00")}))
			require.Equal(t, "1000.00", paid.str("repayment", "advance_held", "value"))
			require.Equal(t, "1000.00", paid.str("loan", "advance", "value"))
			require.Equal(t, "158000.00", balanceOf(b, teller, alice.account))

			// Repaid in full on the day of disbursement: the principal,
			// no interest yet, the 2% fee (2,000.00), less the advance:
			// 100,000.00 + 2,000.00 - 1,000.00 = 101,000.00.
			quote := b.must(200, b.do("POST", "/v1/credit/loans/"+lid+"/prepayment-quote", alice.token, map[string]any{"full": true}))
			require.Equal(t, "101000.00", quote.str("payable", "value"), string(quote.raw))
			off := b.must(201, b.do("POST", "/v1/credit/loans/"+lid+"/prepayments", alice.token, map[string]any{"full": true}))
			require.Equal(t, "closed", off.str("loan", "status"))
			require.Equal(t, "57000.00", balanceOf(b, teller, alice.account))
			require.Equal(t, "0.00", balanceOf(b, teller, loan.str("account")), "the loan account is back to zero")
			closed := b.do("POST", "/v1/credit/loans/"+lid+"/repayments", alice.token, map[string]any{"amount": cny("10.00")})
			require.Equal(t, 409, closed.status)
			require.Equal(t, "loan-closed", closed.problemType())

			stmt := b.must(200, b.do("GET", "/v1/credit/loans/"+lid+"/statement", alice.token, nil))
			require.Equal(t, "closed", stmt.str("status"))
			require.Len(t, stmt.body["repayments"], 2)
			port := b.must(200, b.do("GET", "/v1/credit/reports/portfolio", approver, nil))
			require.Equal(t, float64(1), port.body["by_status"].(map[string]any)["closed"].(map[string]any)["loans"])
		})
	}
}

// TestLoanMakerNeverApproves: the loan officer who entered an
// application for a customer may not approve it (403 maker-checker);
// another officer may. A loan officer may not give final approval beyond
// their authority (50,000.00 CNY): a product whose only step is theirs
// cannot be approved above it (403 authority-exceeded).
func TestLoanMakerNeverApproves(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			teller, maker, checker := b.staff("teller"), b.staff("loan_officer"), b.staff("loan_officer")
			carol := b.borrower(teller)
			pid := b.must(201, b.do("POST", "/v1/credit/products", testAdminToken, loanProduct("SMALL-"+storage))).str("id")

			body := application(pid, "30000.00")
			body["customer_id"] = carol.id
			aid := b.must(201, b.do("POST", "/v1/credit/applications", maker, body)).str("id")
			require.NotContains(t, itemIDs(b.must(200, b.do("GET", "/v1/credit/inbox", maker, nil))), aid, "not in the maker's inbox")
			b.must(200, b.do("POST", "/v1/credit/applications/"+aid+"/score", maker, nil))
			own := b.do("POST", "/v1/credit/applications/"+aid+"/decisions", maker, map[string]any{"step": 1, "verdict": "approve"})
			require.Equal(t, 403, own.status, string(own.raw))
			require.Equal(t, "maker-checker", own.problemType())
			require.Equal(t, "scored", b.must(200, b.do("GET", "/v1/credit/applications/"+aid, maker, nil)).str("status"), "the refusal changed nothing")
			require.Equal(t, "approved", b.must(200, b.do("POST", "/v1/credit/applications/"+aid+"/decisions", checker,
				map[string]any{"step": 1, "verdict": "approve"})).str("status"))

			solo := loanProduct("SOLO-" + storage)
			solo["approval"] = map[string]any{"bands": []any{map[string]any{"up_to": "0", "steps": []any{map[string]any{"role": "loan_officer"}}}}}
			spid := b.must(201, b.do("POST", "/v1/credit/products", testAdminToken, solo)).str("id")
			big := b.must(201, b.do("POST", "/v1/credit/applications", carol.token, application(spid, "100000.00"))).str("id")
			b.must(200, b.do("POST", "/v1/credit/applications/"+big+"/score", maker, nil))
			over := b.do("POST", "/v1/credit/applications/"+big+"/decisions", checker, map[string]any{"step": 1, "verdict": "approve"})
			require.Equal(t, 403, over.status, string(over.raw))
			require.Equal(t, "authority-exceeded", over.problemType())
		})
	}
}

// TestCreditEndOfDayRunsInTheBanksClose: the bank's end of day runs
// credit's step before deposit interest, for the business date, and brings an active loan
// to it; after the close credit's day is the next business date.
func TestCreditEndOfDayRunsInTheBanksClose(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			teller, officer, approver := b.staff("teller"), b.staff("loan_officer"), b.staff("risk_officer")
			dan := b.borrower(teller)
			lid := b.loan(officer, approver, dan, "EOD-"+storage, "20000.00")
			b.must(201, b.do("POST", "/v1/credit/loans/"+lid+"/disbursements", officer, nil))
			today := b.must(200, b.do("GET", "/v1/business-date", teller, nil)).str("business_date")

			run := b.must(200, b.do("POST", "/v1/end-of-day", testAdminToken, nil))
			steps := run.body["steps"].([]any)
			at := map[string]int{}
			for i, st := range steps {
				at[st.(map[string]any)["name"].(string)] = i
			}
			require.Contains(t, at, "credit.loans")
			require.Less(t, at["credit.loans"], at["ledger.deposits"], "credit's repayments come before deposit interest")
			require.Equal(t, "done", steps[at["credit.loans"]].(map[string]any)["status"])
			loan := b.must(200, b.do("GET", "/v1/credit/loans/"+lid, dan.token, nil))
			require.Equal(t, today, loan.str("standing", "as_of"))
			require.Equal(t, "current", loan.str("standing", "bucket"))

			// Credit's day moved with the business date: a second close the
			// same wall-clock day still runs (credit refuses a date after its
			// own today).
			next := b.must(200, b.do("GET", "/v1/business-date", teller, nil)).str("business_date")
			require.NotEqual(t, today, next)
			b.must(200, b.do("POST", "/v1/end-of-day", testAdminToken, nil))
			require.Equal(t, next, b.must(200, b.do("GET", "/v1/credit/loans/"+lid, dan.token, nil)).str("standing", "as_of"))
		})
	}
}

// loan makes an accepted loan of amount for the borrower on a new
// product (an officer scores and approves; above 50,000.00 the approver
// approves too) and returns its id.
func (b *testBank) loan(officer, approver string, who borrower, code, amount string) string {
	b.t.Helper()
	pid := b.must(201, b.do("POST", "/v1/credit/products", testAdminToken, loanProduct(code))).str("id")
	aid := b.must(201, b.do("POST", "/v1/credit/applications", who.token, application(pid, amount))).str("id")
	a := b.must(200, b.do("POST", "/v1/credit/applications/"+aid+"/score", officer, nil))
	require.Equal(b.t, "scored", a.str("status"), string(a.raw))
	a = b.must(200, b.do("POST", "/v1/credit/applications/"+aid+"/decisions", officer, map[string]any{"step": 1, "verdict": "approve"}))
	if a.str("status") != "approved" {
		b.must(200, b.do("POST", "/v1/credit/applications/"+aid+"/decisions", approver, map[string]any{"step": 2, "verdict": "approve"}))
	}
	c := b.must(200, b.do("GET", "/v1/credit/applications/"+aid+"/contracts", who.token, nil)).body["items"].([]any)[0].(map[string]any)
	return b.must(200, b.do("POST", "/v1/credit/contracts/"+c["id"].(string)+"/accept", who.token,
		map[string]any{"version": c["version"], "disbursement_account": who.account})).str("loan", "id")
}

// itemIDs lists the ids of a list's items.
func itemIDs(r resp) []string {
	var out []string
	items, _ := r.body["items"].([]any)
	for _, it := range items {
		out = append(out, it.(map[string]any)["id"].(string))
	}
	return out
}

// creditExamples are valid requests to credit's JSON routes for
// TestOpenAPIRequiredIsWhatTheServerRequires, each on objects of its own.
func creditExamples(b *testBank) map[string]example {
	teller, officer, approver := b.staff("teller"), b.staff("loan_officer"), b.staff("risk_officer")
	// One borrower for every example (logins are rate-limited per
	// address): each loan is of a product of its own.
	who := b.borrower(teller)
	fresh := func(prefix string) string { return fmt.Sprintf("%s%d", prefix, keySeq.Add(1)) }
	product := func() map[string]any {
		p := loanProduct(fresh("EX-"))
		delete(p, "origination_fee") // its members are documented required, but a zero fee is no fee
		delete(p, "prepayment_fee")
		return p
	}
	// scored is a scored application of 20,000.00 made by the admin for a
	// new borrower; its one step is a loan officer's.
	scored := func() string {
		pid := b.must(201, b.do("POST", "/v1/credit/products", testAdminToken, product())).str("id")
		body := application(pid, "20000.00")
		body["customer_id"] = who.id
		aid := b.must(201, b.do("POST", "/v1/credit/applications", testAdminToken, body)).str("id")
		b.must(200, b.do("POST", "/v1/credit/applications/"+aid+"/score", officer, nil))
		return aid
	}
	active := func() (string, borrower) {
		lid := b.loan(officer, approver, who, fresh("EX-"), "20000.00")
		b.must(201, b.do("POST", "/v1/credit/loans/"+lid+"/disbursements", officer, nil))
		return lid, who
	}
	return map[string]example{
		"POST /v1/credit/products": func() (string, map[string]any, []string) {
			return "/v1/credit/products", product(), nil
		},
		"POST /v1/credit/applications/{id}/withdraw": func() (string, map[string]any, []string) {
			return "/v1/credit/applications/" + scored() + "/withdraw", map[string]any{"reason": "bought the car in cash"}, nil
		},
		"POST /v1/credit/applications/{id}/resubmit": func() (string, map[string]any, []string) {
			aid := scored()
			b.must(200, b.do("POST", "/v1/credit/applications/"+aid+"/decisions", officer, map[string]any{"step": 1, "verdict": "return", "opinion": "payslips please"}))
			return "/v1/credit/applications/" + aid + "/resubmit", map[string]any{"documents": []string{"doc/payslip-1"}}, nil
		},
		"POST /v1/credit/applications/{id}/contracts": func() (string, map[string]any, []string) {
			aid := scored()
			b.must(200, b.do("POST", "/v1/credit/applications/"+aid+"/decisions", officer, map[string]any{"step": 1, "verdict": "approve"}))
			today := b.must(200, b.do("GET", "/v1/business-date", teller, nil)).str("business_date")
			first, err := time.Parse(time.DateOnly, today)
			require.NoError(b.t, err)
			return "/v1/credit/applications/" + aid + "/contracts", map[string]any{"start": today, "first_due": first.AddDate(0, 0, 45).Format(time.DateOnly)}, nil
		},
		"POST /v1/credit/loans/{id}/disbursements": func() (string, map[string]any, []string) {
			lid := b.loan(officer, approver, who, fresh("EX-"), "20000.00")
			return "/v1/credit/loans/" + lid + "/disbursements", map[string]any{"amount": cny("20000.00")}, nil
		},
		"POST /v1/credit/loans/{id}/collection-actions": func() (string, map[string]any, []string) {
			lid, _ := active()
			return "/v1/credit/loans/" + lid + "/collection-actions", map[string]any{"kind": "call", "outcome": "reached", "note": "will pay Friday"}, nil
		},
		"POST /v1/credit/loans/{id}/promises": func() (string, map[string]any, []string) {
			lid, _ := active()
			today := b.must(200, b.do("GET", "/v1/business-date", teller, nil)).str("business_date")
			return "/v1/credit/loans/" + lid + "/promises", map[string]any{"amount": cny("500.00"), "date": today}, nil
		},
		"POST /v1/credit/loans/{id}/restructuring": func() (string, map[string]any, []string) {
			lid, _ := active()
			return "/v1/credit/loans/" + lid + "/restructuring", map[string]any{"term": 24, "annual_rate": "0.05", "reason": "hardship"}, nil
		},
		"POST /v1/credit/loans/{id}/classification/downgrade": func() (string, map[string]any, []string) {
			lid, _ := active()
			return "/v1/credit/loans/" + lid + "/classification/downgrade", map[string]any{"to": "special_mention", "reason": "sector under stress"}, nil
		},
		"POST /v1/credit/loans/{id}/classification/upgrade": func() (string, map[string]any, []string) {
			lid, _ := active()
			b.must(200, b.do("POST", "/v1/credit/loans/"+lid+"/classification/downgrade", officer, map[string]any{"to": "substandard", "reason": "fraud alert"}))
			return "/v1/credit/loans/" + lid + "/classification/upgrade", map[string]any{"to": "normal", "reason": "alert cleared"}, nil
		},
		"POST /v1/credit/loans/{id}/write-off": func() (string, map[string]any, []string) {
			lid, _ := active()
			return "/v1/credit/loans/" + lid + "/write-off", map[string]any{"reason": "fled abroad"}, nil
		},
		"POST /v1/credit/loans/{id}/recoveries": func() (string, map[string]any, []string) {
			lid, who := active()
			b.must(200, b.do("POST", "/v1/credit/loans/"+lid+"/write-off", officer, map[string]any{"reason": "fled abroad"}))
			b.must(200, b.do("POST", "/v1/credit/loans/"+lid+"/write-off/approve", approver, nil))
			return "/v1/credit/loans/" + lid + "/recoveries", map[string]any{"amount": cny("100.00"), "source": "account", "account_id": who.account}, nil
		},
		"POST /v1/credit/loans/{id}/repayments": func() (string, map[string]any, []string) {
			lid, who := active()
			return "/v1/credit/loans/" + lid + "/repayments", map[string]any{"amount": cny("100.00"), "source": "account", "account_id": who.account}, nil
		},
	}
}

// creditObjects gives an existing customer a loan (accepted, not paid
// out), through a second demand account holding a salary, and returns its
// application, contract and loan ids.
func (b *testBank) creditObjects(teller, customerID string) (app, contract, loan string) {
	b.t.Helper()
	acct := b.openAccount(teller, customerID)
	b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": acct, "amount": cny("60000.00"), "description": "salary"}))
	user := fmt.Sprintf("owner%d", keySeq.Add(1))
	b.must(201, b.do("POST", "/v1/customers/"+customerID+"/online-banking", teller, map[string]any{"username": user, "password": "an owner's long password"}))
	tok := b.must(200, b.do("POST", "/v1/auth/token", "", map[string]any{"username": user, "password": "an owner's long password"})).str("token")
	loan = b.loan(b.staff("loan_officer"), b.staff("risk_officer"), borrower{id: customerID, token: tok, account: acct}, fmt.Sprintf("OWN-%d", keySeq.Add(1)), "20000.00")
	l := b.must(200, b.do("GET", "/v1/credit/loans/"+loan, teller, nil))
	return l.str("application_id"), l.str("contract_id"), loan
}
