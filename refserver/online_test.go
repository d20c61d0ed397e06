package refserver

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/refserver/bank"
	"github.com/bankkit/bankkit/wealth/wealthtest"
)

// onlineBank is a bank on a manual clock with alice (a customer with an
// online login and an account holding CNY 100,000.00) and bob (an account).
type onlineBank struct {
	*testBank
	clock      *calendar.ManualClock
	alice, bob string // customer ids
	a1, a2, b1 string // alice's two accounts, bob's
	token      string // alice's
	secret     string // alice's TOTP secret, once enrolled
	username   string
	teller     string
}

const alicePassword = "alice's long password"

func newOnlineBank(t *testing.T, storage string) *onlineBank {
	t.Helper()
	clock := calendar.NewManualClock(time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC))
	b := &onlineBank{testBank: newBankWithClock(t, storage, clock), clock: clock}
	b.teller = b.staff("teller")
	b.alice, b.bob = b.onboard(b.teller), b.onboard(b.teller)
	b.a1, b.a2, b.b1 = b.openAccount(b.teller, b.alice), b.openAccount(b.teller, b.alice), b.openAccount(b.teller, b.bob)
	b.must(201, b.do("POST", "/v1/deposits", b.teller, map[string]any{"account_id": b.a1, "amount": cny("100000.00")}))
	b.username = fmt.Sprintf("alice%d", keySeq.Add(1))
	b.must(201, b.do("POST", "/v1/customers/"+b.alice+"/online-banking", b.teller, map[string]any{"username": b.username, "password": alicePassword}))
	b.login()
	return b
}

func (b *onlineBank) login() {
	b.t.Helper()
	b.token = b.must(200, b.do("POST", "/v1/auth/token", "", map[string]any{"username": b.username, "password": alicePassword})).str("token")
}

// code is alice's TOTP code now; every call moves the clock to the next
// step first, since a code is accepted once.
func (b *onlineBank) code() string {
	b.t.Helper()
	b.clock.Advance(30 * time.Second)
	c, err := totp.GenerateCode(b.secret, b.clock.Now())
	require.NoError(b.t, err)
	return c
}

func (b *onlineBank) enrol() []any {
	b.t.Helper()
	en := b.must(201, b.do("POST", "/v1/customers/"+b.alice+"/second-factor/totp", b.token, map[string]any{}))
	b.secret = en.str("secret")
	require.Contains(b.t, en.str("otpauth_url"), "otpauth://totp/")
	r := b.must(200, b.do("POST", "/v1/customers/"+b.alice+"/second-factor/totp/confirm", b.token, map[string]any{"code": b.code()}))
	return r.body["recovery_codes"].([]any)
}

// stepUp returns a proof for action with the request body req.
func (b *onlineBank) stepUp(action, field string, req map[string]any) string {
	b.t.Helper()
	r := b.must(201, b.do("POST", "/v1/customers/"+b.alice+"/step-up", b.token, map[string]any{"action": action, "code": b.code(), field: req}))
	return r.str("step_up_token")
}

func (b *onlineBank) balance(acct string) string {
	b.t.Helper()
	return b.must(200, b.do("GET", "/v1/accounts/"+acct, b.teller, nil)).str("balance", "value")
}

func (b *onlineBank) used() (today string) {
	b.t.Helper()
	r := b.must(200, b.do("GET", "/v1/customers/"+b.alice+"/limits", b.token, nil))
	for _, it := range r.body["items"].([]any) {
		m := it.(map[string]any)
		if m["channel"] == "online" {
			return m["used_today"].(map[string]any)["value"].(string)
		}
	}
	b.t.Fatal("no online limits")
	return ""
}

func TestOnlineSecondFactorAndStepUp(t *testing.T) {
	t.Parallel()
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newOnlineBank(t, storage)
			sf := b.must(200, b.do("GET", "/v1/customers/"+b.alice+"/second-factor", b.token, nil))
			require.Equal(t, false, sf.body["enrolled"])

			// A transfer above CNY 5,000.00 needs a step-up, even before
			// enrolment; it cannot be had without a second factor.
			big := map[string]any{"from_account_id": b.a1, "to_account_id": b.b1, "amount": cny("6000.00")}
			r := b.do("POST", "/v1/transfers", b.token, big)
			require.Equal(t, 403, r.status, string(r.raw))
			require.Equal(t, "step-up-required", r.problemType())

			codes := b.enrol()
			require.Len(t, codes, 10)
			// The code that confirmed cannot be used again.
			same, err := totp.GenerateCode(b.secret, b.clock.Now())
			require.NoError(t, err)
			r = b.do("POST", "/v1/customers/"+b.alice+"/step-up", b.token, map[string]any{"action": "transfer", "code": same, "transfer": big})
			require.Equal(t, 422, r.status, string(r.raw))
			require.Equal(t, "invalid-code", r.problemType())

			tok := b.stepUp("transfer", "transfer", big)
			// The proof is bound to the body: another amount is refused and
			// spends it.
			other := map[string]any{"from_account_id": b.a1, "to_account_id": b.b1, "amount": cny("6000.01")}
			r = b.do("POST", "/v1/transfers", b.token, other, "X-Step-Up", tok)
			require.Equal(t, 403, r.status, string(r.raw))
			r = b.do("POST", "/v1/transfers", b.token, big, "X-Step-Up", tok)
			require.Equal(t, 403, r.status, "spent by the mismatch: %s", r.raw)

			tok = b.stepUp("transfer", "transfer", big)
			b.must(201, b.do("POST", "/v1/transfers", b.token, big, "X-Step-Up", tok))
			r = b.do("POST", "/v1/transfers", b.token, big, "X-Step-Up", tok)
			require.Equal(t, 403, r.status, "a proof is good once: %s", r.raw)
			require.Equal(t, "94000.00", b.balance(b.a1))
			// Up to the threshold needs none.
			b.must(201, b.do("POST", "/v1/transfers", b.token, map[string]any{"from_account_id": b.a1, "to_account_id": b.b1, "amount": cny("5000.00")}))
			require.Equal(t, "11000.00", b.used())

			// A recovery code stands in for a TOTP code.
			r = b.must(201, b.do("POST", "/v1/customers/"+b.alice+"/step-up", b.token, map[string]any{"action": "transfer", "code": codes[0], "transfer": big}))
			require.NotEmpty(t, r.str("step_up_token"))
			sf = b.must(200, b.do("GET", "/v1/customers/"+b.alice+"/second-factor", b.teller, nil))
			require.Equal(t, true, sf.body["confirmed"])
			require.Equal(t, float64(9), sf.body["recovery_codes_left"])

			// Five wrong codes lock; the right one is then refused too.
			for range 5 {
				r = b.do("POST", "/v1/customers/"+b.alice+"/step-up", b.token, map[string]any{"action": "transfer", "code": "12345x", "transfer": big})
				require.Contains(t, []int{422, 429}, r.status, string(r.raw))
			}
			r = b.do("POST", "/v1/customers/"+b.alice+"/step-up", b.token, map[string]any{"action": "transfer", "code": b.code(), "transfer": big})
			require.Equal(t, 429, r.status, string(r.raw))
			require.Equal(t, "second-factor-locked", r.problemType())

			// Staff reset it; the customer enrols again.
			b.must(204, b.do("DELETE", "/v1/customers/"+b.alice+"/second-factor", b.teller, nil))
			require.Len(t, b.enrol(), 10)

			// Bad input.
			r = b.do("POST", "/v1/customers/"+b.alice+"/step-up", b.token, map[string]any{"action": "transfer", "code": b.code()})
			require.Equal(t, 400, r.status, string(r.raw))
			require.Equal(t, "transfer", r.body["errors"].([]any)[0].(map[string]any)["field"])
			r = b.do("POST", "/v1/customers/"+b.alice+"/step-up", b.token, map[string]any{"action": "everything", "code": b.code()})
			require.Equal(t, 400, r.status, string(r.raw))
		})
	}
}

func TestOnlinePayeesAndLimits(t *testing.T) {
	t.Parallel()
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newOnlineBank(t, storage)
			b.enrol()
			payees := "/v1/customers/" + b.alice + "/payees"
			bob := map[string]any{"name": "Bob", "account_id": b.b1}
			r := b.do("POST", payees, b.token, bob)
			require.Equal(t, 403, r.status, string(r.raw))
			own := map[string]any{"name": "Me", "account_id": b.a2}
			r = b.do("POST", payees, b.token, own, "X-Step-Up", b.stepUp("payee.add", "payee", own))
			require.Equal(t, 422, r.status, string(r.raw))
			require.Equal(t, "payee-own-account", r.problemType())
			py := b.must(201, b.do("POST", payees, b.token, bob, "X-Step-Up", b.stepUp("payee.add", "payee", bob)))
			require.Equal(t, b.clock.Now().Add(24*time.Hour).UTC().Format(time.RFC3339), py.str("cooling_until"))
			b.must(200, b.do("PATCH", payees+"/"+py.str("id"), b.token, map[string]any{"name": "Bob (rent)"}))
			list := b.must(200, b.do("GET", payees, b.token, nil))
			require.Equal(t, "Bob (rent)", list.body["items"].([]any)[0].(map[string]any)["name"])

			// Cooling off: at most CNY 1,000.00 a transfer to bob.
			r = b.do("POST", "/v1/transfers", b.token, map[string]any{"from_account_id": b.a1, "to_account_id": b.b1, "amount": cny("1000.01")})
			require.Equal(t, 422, r.status, string(r.raw))
			require.Equal(t, "payee-cooling-off", r.problemType())
			b.must(201, b.do("POST", "/v1/transfers", b.token, map[string]any{"from_account_id": b.a1, "to_account_id": b.b1, "amount": cny("1000.00")}))
			// To her own account the cap does not apply (no payee).
			b.must(201, b.do("POST", "/v1/transfers", b.token, map[string]any{"from_account_id": b.a1, "to_account_id": b.a2, "amount": cny("3000.00")}))
			require.Equal(t, "4000.00", b.used())

			// A posting the ledger refuses gives its reservation back: a2
			// holds 3,000.00.
			r = b.do("POST", "/v1/transfers", b.token, map[string]any{"from_account_id": b.a2, "to_account_id": b.a1, "amount": cny("3000.01")})
			require.Equal(t, 422, r.status, string(r.raw))
			require.Equal(t, "insufficient-funds", r.problemType())
			require.Equal(t, "4000.00", b.used(), "the refused 3,000.01 was released")

			// Lower at once, then a transfer that does not fit.
			limits := "/v1/customers/" + b.alice + "/limits"
			low := map[string]any{"channel": "online", "per_transaction": cny("3000.00"), "per_day": cny("6000.00"), "per_month": cny("20000.00")}
			b.must(200, b.do("POST", limits, b.token, low))
			r = b.do("POST", "/v1/transfers", b.token, map[string]any{"from_account_id": b.a1, "to_account_id": b.a2, "amount": cny("2000.01")})
			require.Equal(t, 422, r.status, string(r.raw))
			require.Equal(t, "limit-exceeded", r.problemType())
			require.Contains(t, string(r.raw), "2000.00 left of the daily limit of 6000.00")
			b.must(201, b.do("POST", "/v1/transfers", b.token, map[string]any{"from_account_id": b.a2, "to_account_id": b.a1, "amount": cny("2000.00")}))
			require.Equal(t, "6000.00", b.used())

			// Raising needs a step-up, and stays within the bank's maximum.
			high := map[string]any{"channel": "online", "per_transaction": cny("3000.00"), "per_day": cny("9000.00"), "per_month": cny("20000.00")}
			r = b.do("POST", limits, b.token, high)
			require.Equal(t, 403, r.status, string(r.raw))
			b.must(200, b.do("POST", limits, b.token, high, "X-Step-Up", b.stepUp("limits.raise", "limits", high)))
			tooHigh := map[string]any{"channel": "online", "per_transaction": cny("500000.00"), "per_day": cny("1000000.01"), "per_month": cny("5000000.00")}
			r = b.do("POST", limits, b.token, tooHigh, "X-Step-Up", b.stepUp("limits.raise", "limits", tooHigh))
			require.Equal(t, 422, r.status, string(r.raw))
			require.Equal(t, "limit-above-maximum", r.problemType())
			mixed := map[string]any{"channel": "online", "per_transaction": cny("1.00"), "per_day": map[string]any{"value": "2", "currency": "USD"}, "per_month": cny("3.00")}
			require.Equal(t, 400, b.do("POST", limits, b.token, mixed).status)

			// A day later the payee has cooled off and the day's count is new.
			b.clock.Advance(24 * time.Hour)
			b.login()
			b.must(201, b.do("POST", "/v1/transfers", b.token, map[string]any{"from_account_id": b.a1, "to_account_id": b.b1, "amount": cny("3000.00")}))
			require.Equal(t, "3000.00", b.used())
			b.must(204, b.do("DELETE", payees+"/"+py.str("id"), b.token, nil))
			require.Equal(t, 404, b.do("DELETE", payees+"/"+py.str("id"), b.token, nil).status)
		})
	}
}

func TestOnlineTransfersRaceOneDailyLimit(t *testing.T) {
	t.Parallel()
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newOnlineBank(t, storage)
			// A daily limit of 5,000.00; twelve transfers of 1,000.00 race.
			// Exactly five post, and exactly 5,000.00 leaves the account.
			b.must(200, b.do("POST", "/v1/customers/"+b.alice+"/limits", b.token, map[string]any{"channel": "online",
				"per_transaction": cny("1000.00"), "per_day": cny("5000.00"), "per_month": cny("20000.00")}))
			var wg sync.WaitGroup
			statuses := make([]int, 12)
			for i := range statuses {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := b.do("POST", "/v1/transfers", b.token, map[string]any{"from_account_id": b.a1, "to_account_id": b.b1, "amount": cny("1000.00")})
					statuses[i] = r.status
				}()
			}
			wg.Wait()
			posted := 0
			for _, s := range statuses {
				if s == http.StatusCreated {
					posted++
				} else {
					require.Equal(t, 422, s)
				}
			}
			require.Equal(t, 5, posted)
			require.Equal(t, "95000.00", b.balance(b.a1))
			require.Equal(t, "5000.00", b.used())
		})
	}
}

func TestOnlineDevicesAndSessions(t *testing.T) {
	t.Parallel()
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newOnlineBank(t, storage)
			b.enrol()
			devices := "/v1/customers/" + b.alice + "/devices"
			pub, _, err := ed25519.GenerateKey(nil)
			require.NoError(t, err)
			dev := map[string]any{"device_id": "iphone-0042abcd", "public_key": base64.StdEncoding.EncodeToString(pub), "name": "Alice's phone"}
			dev["code"] = "000000x"
			r := b.do("POST", devices, b.token, dev)
			require.Equal(t, 422, r.status, string(r.raw))
			dev["code"] = b.code()
			b.must(201, b.do("POST", devices, b.token, dev))
			dev["public_key"] = "not base64!"
			dev["code"] = b.code()
			require.Equal(t, 400, b.do("POST", devices, b.token, dev).status)

			// From the bound device the mobile channel counts; an unknown
			// device is refused.
			tr := map[string]any{"from_account_id": b.a1, "to_account_id": b.b1, "amount": cny("10.00")}
			b.must(201, b.do("POST", "/v1/transfers", b.token, tr, "X-Device-Id", "iphone-0042abcd"))
			r = b.do("POST", "/v1/transfers", b.token, tr, "X-Device-Id", "stolen-device-01")
			require.Equal(t, 403, r.status, string(r.raw))
			require.Equal(t, "device-not-bound", r.problemType())
			require.Equal(t, "0.00", b.used(), "the online channel's count is apart from the mobile one's")
			list := b.must(200, b.do("GET", devices, b.token, nil))
			d := list.body["items"].([]any)[0].(map[string]any)
			require.Equal(t, true, d["bound"])
			require.Equal(t, b.clock.Now().UTC().Format(time.RFC3339), d["last_seen"])
			b.must(204, b.do("DELETE", devices+"/iphone-0042abcd", b.token, nil))
			r = b.do("POST", "/v1/transfers", b.token, tr, "X-Device-Id", "iphone-0042abcd")
			require.Equal(t, 403, r.status, "a revoked device: %s", r.raw)

			// Sessions: a second login, listed and signed out from the first.
			first := b.token
			b.login()
			second := b.token
			sessions := "/v1/customers/" + b.alice + "/sessions"
			ss := b.must(200, b.do("GET", sessions, first, nil)).body["items"].([]any)
			require.Len(t, ss, 2)
			var other string
			for _, s := range ss {
				m := s.(map[string]any)
				if m["current"] == false {
					other = m["id"].(string)
				}
			}
			require.NotEmpty(t, other)
			b.must(200, b.do("GET", devices, second, nil))
			b.must(204, b.do("DELETE", sessions+"/"+other, first, nil))
			require.Equal(t, 401, b.do("GET", devices, second, nil).status)
			require.Equal(t, 404, b.do("DELETE", sessions+"/not-a-session", first, nil).status)
			require.Len(t, b.must(200, b.do("GET", sessions, b.teller, nil)).body["items"].([]any), 1)
		})
	}
}

func TestOnlineNotifications(t *testing.T) {
	t.Parallel()
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newOnlineBank(t, storage)
			prefs := "/v1/customers/" + b.alice + "/notification-preferences"
			p := b.must(200, b.do("GET", prefs, b.token, nil))
			require.Equal(t, "22:00", p.str("quiet_from"))
			b.must(200, b.do("POST", prefs, b.token, map[string]any{"media": []string{"sms"}, "quiet_from": "00:00", "quiet_to": "00:00"}))
			require.Equal(t, 400, b.do("POST", prefs, b.token, map[string]any{"media": []string{"fax"}, "quiet_from": "00:00", "quiet_to": "00:00"}).status)
			require.Equal(t, 400, b.do("POST", prefs, b.token, map[string]any{"media": []string{"sms"}, "quiet_from": "25:00", "quiet_to": "00:00"}).status)

			// The deposit made before and this transfer: alice is told on
			// sms and in the inbox (it leaves her 99,749.50: not low).
			b.must(201, b.do("POST", "/v1/transfers", b.token, map[string]any{"from_account_id": b.a1, "to_account_id": b.b1, "amount": cny("250.50")}))
			admin := testAdminToken
			run := b.must(200, b.do("POST", "/v1/notifications/run", admin, nil))
			require.Positive(t, run.body["events"])
			again := b.must(200, b.do("POST", "/v1/notifications/run", admin, nil))
			require.Equal(t, float64(0), again.body["claimed"], "nothing twice")

			inbox := b.must(200, b.do("GET", "/v1/customers/"+b.alice+"/messages?medium=inbox", b.token, nil)).body["items"].([]any)
			require.Len(t, inbox, 2, "the deposit in, the transfer out")
			newest := inbox[0].(map[string]any)
			require.Equal(t, "transfer.sent", newest["category"])
			require.Equal(t, "sent", newest["status"])
			require.Contains(t, newest["body"], "250.50 CNY")
			all := b.must(200, b.do("GET", "/v1/customers/"+b.alice+"/messages", b.token, nil)).body["items"].([]any)
			require.Len(t, all, 4, "inbox and sms each")
			// Bob's default media: push and inbox; he got the 250.50.
			bobMsgs := b.must(200, b.do("GET", "/v1/customers/"+b.bob+"/messages", b.teller, nil)).body["items"].([]any)
			require.Len(t, bobMsgs, 2)
			require.Equal(t, "transfer.received", bobMsgs[0].(map[string]any)["category"])
			file, err := os.ReadFile(filepath.Join(b.srv.clearingDir, "notifications", "sms.jsonl"))
			require.NoError(t, err)
			require.Equal(t, 2, strings.Count(string(file), "\n"))
		})
	}
}

// TestOnlineTransferRetryAfterALostAnswer runs the transfer workflow twice
// under one key, as a retry does when the first answer was lost (a 5xx is
// not remembered): the second run finds its reservation standing, so it
// does not ask again for the proof the first one spent, and the ledger
// answers with the first posting. Nothing is counted or moved twice.
func TestOnlineTransferRetryAfterALostAnswer(t *testing.T) {
	t.Parallel()
	b := newOnlineBank(t, "memory")
	b.enrol()
	body := map[string]any{"from_account_id": b.a1, "to_account_id": b.b1, "amount": cny("6000.00")}
	tok := b.stepUp("transfer", "transfer", body)
	p, err := b.srv.channel.Authenticate(context.Background(), b.token)
	require.NoError(t, err)
	ctx := bank.WithRequestKey(bank.WithCaller(context.Background(), p), "retry-1")
	req := transferRequest{TransferRequest: bank.TransferRequest{FromAccountID: b.a1, ToAccountID: b.b1,
		Amount: money.MustParse("6000.00", "CNY")}, StepUp: tok, Key: "retry-1"}
	first, err := b.srv.limitedTransfer(ctx, req)
	require.NoError(t, err)
	again, err := b.srv.limitedTransfer(ctx, req)
	require.NoError(t, err)
	require.True(t, again.Replayed)
	require.Equal(t, first.Entry.ID, again.Entry.ID)
	require.Equal(t, "94000.00", b.balance(b.a1))
	require.Equal(t, "6000.00", b.used())
	// Another key is another transfer: the spent proof is refused, and the
	// refusal gives its reservation back.
	req.Key = "retry-2"
	_, err = b.srv.limitedTransfer(bank.WithRequestKey(bank.WithCaller(context.Background(), p), "retry-2"), req)
	require.ErrorIs(t, err, channel.ErrStepUpRequired)
	require.Equal(t, "6000.00", b.used())
}

// TestLimitReservationsReconciledAtEndOfDay: a reservation whose transfer
// never posted (a crash between the two) is released by the end of day's
// step channel.limits; those whose transfers posted, inside the bank and
// to another, stay counted; the report is kept once per date.
func TestLimitReservationsReconciledAtEndOfDay(t *testing.T) {
	t.Parallel()
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newOnlineBank(t, storage)
			ctx := context.Background()
			b.must(201, b.do("POST", "/v1/transfers", b.token, map[string]any{"from_account_id": b.a1, "to_account_id": b.b1, "amount": cny("100.00")},
				"Idempotency-Key", "posted-1"))
			p, err := b.srv.channel.Authenticate(ctx, b.token)
			require.NoError(t, err)
			out := transferRequest{TransferRequest: bank.TransferRequest{FromAccountID: b.a1, Amount: money.MustParse("40.00", "CNY"),
				ToExternal: &bank.ExternalAccount{BankCode: "0102", AccountNumber: "6222000011112222", Name: "Li Wei"}}, Key: "out-1"}
			outCtx := bank.WithRequestKey(bank.WithCaller(ctx, p), "out-1")
			_, err = b.srv.limitedTransfer(outCtx, out)
			require.NoError(t, err)
			e, err := b.srv.ledger.EntryByIdempotencyKey(ctx, bank.PostingKey(outCtx, out.TransferRequest))
			require.NoError(t, err, "the reservation's key finds the payment's entry")
			require.Len(t, e.Postings, 2)

			// The crash: a reservation made, its transfer never posted.
			lost := bank.TransferRequest{FromAccountID: b.a1, ToAccountID: b.b1, Amount: money.MustParse("250.00", "CNY")}
			lostCtx := bank.WithRequestKey(bank.WithCaller(ctx, p), "lost-1")
			_, err = b.srv.online.ReserveLimits(ctx, b.alice, channel.ChannelOnline, bank.PostingKey(lostCtx, lost), lost.Amount, b.b1)
			require.NoError(t, err)
			require.Equal(t, "390.00", b.used())

			b.clock.Advance(20 * time.Minute) // past the grace
			b.login()
			day := b.must(200, b.do("GET", "/v1/business-date", b.teller, nil)).str("business_date")
			b.must(404, b.do("GET", "/v1/online/limit-reconciliations/"+day, testAdminToken, nil))
			b.must(200, b.do("POST", "/v1/end-of-day", testAdminToken, nil))
			require.Equal(t, "140.00", b.used(), "the lost transfer's 250.00 no longer counts")
			rep := b.must(200, b.do("GET", "/v1/online/limit-reconciliations/"+day, testAdminToken, nil))
			require.EqualValues(t, 3, rep.body["checked"])
			require.EqualValues(t, 2, rep.body["posted"])
			require.Len(t, rep.body["released"], 1)
			b.must(403, b.do("GET", "/v1/online/limit-reconciliations/"+day, b.teller, nil))
			b.must(403, b.do("GET", "/v1/online/limit-reconciliations/"+day, b.token, nil))

			// Re-running the step keeps the report; the retry of the lost
			// transfer counts and posts it, once.
			require.NoError(t, b.srv.limitsEndOfDay(ctx, calendar.MustParseDate(day)))
			require.Equal(t, rep.body, b.must(200, b.do("GET", "/v1/online/limit-reconciliations/"+day, testAdminToken, nil)).body)
			_, err = b.srv.limitedTransfer(lostCtx, transferRequest{TransferRequest: lost, Key: "lost-1"})
			require.NoError(t, err)
			require.Equal(t, "390.00", b.used())
		})
	}
}

// TestWealthPurchaseStepUp: a customer buying a product above the bank's
// step-up risk level (R3) needs a proof for exactly that purchase, spent
// once; at or below it none; staff selling at the counter none.
func TestWealthPurchaseStepUp(t *testing.T) {
	t.Parallel()
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newOnlineBank(t, storage)
			b.enrol()
			ops := b.staff("wealth_ops")
			b.must(201, b.do("POST", "/v1/customers/"+b.alice+"/wealth/assessment", b.token, map[string]any{"answers": wealthtest.AnswersFor(5)}))
			risky := wealthProductBody(fmt.Sprintf("RSK%d", keySeq.Add(1)))
			risky["risk"] = 4
			r4 := b.must(201, b.do("POST", "/v1/wealth/products", ops, risky)).str("id")
			r3body := wealthProductBody(fmt.Sprintf("MID%d", keySeq.Add(1)))
			r3body["risk"] = 3
			r3 := b.must(201, b.do("POST", "/v1/wealth/products", ops, r3body)).str("id")
			buy := func(product, amount string) map[string]any {
				return map[string]any{"customer_id": b.alice, "product_id": product, "account_id": b.a1, "amount": cny(amount)}
			}

			// R3: no step-up.
			b.must(201, b.do("POST", "/v1/wealth/subscriptions", b.token, buy(r3, "1000.00")))
			// R4 without a proof, or with one for another purchase: 403,
			// nothing held.
			r := b.must(403, b.do("POST", "/v1/wealth/subscriptions", b.token, buy(r4, "2000.00")))
			require.Equal(t, "https://bankkit.dev/problems/step-up-required", r.str("type"))
			other := b.stepUp("wealth.purchase", "wealth_purchase", buy(r4, "3000.00"))
			b.must(403, b.do("POST", "/v1/wealth/subscriptions", b.token, buy(r4, "2000.00"), "X-Step-Up", other))
			b.must(403, b.do("POST", "/v1/wealth/subscriptions", b.token, buy(r4, "3000.00"), "X-Step-Up", other)) // a mismatch spent the proof
			require.Equal(t, "99000.00", b.must(200, b.do("GET", "/v1/accounts/"+b.a1, b.teller, nil)).str("available_balance", "value"))

			// With a proof for exactly it: bought; the proof replayed for a
			// second purchase (another key) is refused.
			tok := b.stepUp("wealth.purchase", "wealth_purchase", buy(r4, "2000.00"))
			o := b.must(201, b.do("POST", "/v1/wealth/subscriptions", b.token, buy(r4, "2000.00"), "X-Step-Up", tok, "Idempotency-Key", "r4-1"))
			require.Equal(t, "pending", o.str("status"))
			b.must(403, b.do("POST", "/v1/wealth/subscriptions", b.token, buy(r4, "2000.00"), "X-Step-Up", tok, "Idempotency-Key", "r4-2"))
			require.Equal(t, "97000.00", b.must(200, b.do("GET", "/v1/accounts/"+b.a1, b.teller, nil)).str("available_balance", "value"))
			b.must(400, b.do("POST", "/v1/customers/"+b.alice+"/step-up", b.token, map[string]any{"action": "wealth.purchase", "code": b.code()}))

			// Staff selling it at the counter: no step-up.
			b.must(201, b.do("POST", "/v1/wealth/subscriptions", ops, buy(r4, "1000.00")))
		})
	}
}

// TestLoanRemindersBecomeNotices: credit's reminders reach the borrower
// through the outbox on their media, once however often the event is
// delivered; the notification run reads credit's feed as well as the
// ledger's.
func TestLoanRemindersBecomeNotices(t *testing.T) {
	t.Parallel()
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			ctx := context.Background()
			teller, officer, approver := b.staff("teller"), b.staff("loan_officer"), b.staff("risk_officer")
			dan := b.borrower(teller)
			lid := b.loan(officer, approver, dan, fmt.Sprintf("RMD%d", keySeq.Add(1)), "20000.00")
			b.must(201, b.do("POST", "/v1/credit/loans/"+lid+"/disbursements", officer, nil))
			b.must(200, b.do("POST", "/v1/notifications/run", testAdminToken, nil))
			latest, err := b.srv.loans.Credit().Events().Read(ctx, 0, 500)
			require.NoError(t, err)
			require.NotEmpty(t, latest)
			cursor, err := b.srv.loans.Credit().Events().Cursor(ctx, "channel.notifications")
			require.NoError(t, err)
			require.Equal(t, latest[len(latest)-1].Sequence, cursor, "the run read credit's events")

			loanID, err := uuid.Parse(lid)
			require.NoError(t, err)
			customerID, err := uuid.Parse(dan.id)
			require.NoError(t, err)
			reminder := func(days int) event.Envelope {
				e, err := event.New(credit.EventReminder, 1, b.srv.clock.Now(), credit.Reminder{LoanID: credit.ID(loanID), CustomerID: credit.ID(customerID),
					Instalment: 1, DueDate: calendar.MustParseDate("2026-04-02"), Days: days, Amount: money.MustParse("1721.33", "CNY")}, loanID)
				require.NoError(t, err)
				return e
			}
			before, after := reminder(3), reminder(-7)
			for range 2 { // delivered twice: told once
				require.NoError(t, b.srv.noticesFromCredit(ctx, before))
				require.NoError(t, b.srv.noticesFromCredit(ctx, after))
			}
			other, err := event.New(credit.EventLoanOverdue, 1, b.srv.clock.Now(), map[string]any{"loan_id": lid}, loanID)
			require.NoError(t, err)
			require.NoError(t, b.srv.noticesFromCredit(ctx, other), "not a reminder: no notice")
			b.must(200, b.do("POST", "/v1/notifications/run", testAdminToken, nil))

			var loanMsgs []map[string]any
			for _, m := range b.must(200, b.do("GET", "/v1/customers/"+dan.id+"/messages?medium=inbox", dan.token, nil)).body["items"].([]any) {
				if m.(map[string]any)["category"] == "loan.reminder" {
					loanMsgs = append(loanMsgs, m.(map[string]any))
				}
			}
			require.Len(t, loanMsgs, 2, "one per reminder")
			require.Equal(t, "Loan repayment overdue", loanMsgs[0]["subject"])
			require.Contains(t, loanMsgs[0]["body"], "fell due on 2026-04-02")
			require.Equal(t, "Loan repayment due", loanMsgs[1]["subject"])
			require.Contains(t, loanMsgs[1]["body"], "1721.33 CNY")
			require.Contains(t, loanMsgs[1]["body"], "in 3 days")
			require.Equal(t, "sent", loanMsgs[1]["status"])
			push := b.must(200, b.do("GET", "/v1/customers/"+dan.id+"/messages?medium=push", dan.token, nil)).body["items"].([]any)
			n := 0
			for _, m := range push {
				if m.(map[string]any)["category"] == "loan.reminder" {
					n++
				}
			}
			require.Equal(t, 2, n, "on the customer's other default medium too")
		})
	}
}

// TestEndOfDayPrunesStepUpProofs: the close's channel.prune step deletes
// the expired proofs (a live one stays and works).
func TestEndOfDayPrunesStepUpProofs(t *testing.T) {
	t.Parallel()
	b := newOnlineBank(t, "postgres")
	b.enrol()
	body := map[string]any{"from_account_id": b.a1, "to_account_id": b.b1, "amount": cny("6000.00")}
	b.stepUp("transfer", "transfer", body)
	b.clock.Advance(6 * time.Minute)
	live := b.stepUp("transfer", "transfer", body)
	b.must(200, b.do("POST", "/v1/end-of-day", testAdminToken, nil))
	n, err := b.srv.online.PruneStepUps(context.Background())
	require.NoError(t, err)
	require.Zero(t, n, "the expired one went at the close")
	b.must(201, b.do("POST", "/v1/transfers", b.token, body, "X-Step-Up", live))
}
