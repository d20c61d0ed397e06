package refserver

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/refserver/idempotency"
)

// scriptedClaims is an idempotency store whose Begin answers, for keys
// ending in a scripted suffix, what the test says, and only once the test
// lets it: so a test holds a claim open while the handler runs beside it.
type scriptedClaims struct {
	idempotency.Store
	mu      sync.Mutex
	answers map[string]scriptedAnswer // by the client's key
	release chan struct{}             // closed: scripted claims answer
	begun   atomic.Int32
}

type scriptedAnswer struct {
	resp *idempotency.Response
	err  error
}

func (s *scriptedClaims) Begin(ctx context.Context, key string, fp idempotency.Fingerprint, now time.Time, lease time.Duration) (*idempotency.Response, error) {
	s.begun.Add(1)
	s.mu.Lock()
	var a *scriptedAnswer
	for k, v := range s.answers {
		if strings.HasSuffix(key, ":"+k) {
			v := v
			a = &v
		}
	}
	release := s.release
	s.mu.Unlock()
	<-release
	if a != nil {
		return a.resp, a.err
	}
	return s.Store.Begin(ctx, key, fp, now, lease)
}

// A deposit, withdrawal or transfer claims its key beside its handler;
// when the claim is not the request's, nothing is posted and the request
// is answered by the claim's outcome, as if the claim had come first.
func TestAnOverlappedClaimRefusedPostsNothing(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			teller := b.staff("teller")
			alice := b.onboard(teller)
			a1, a2 := b.openAccount(teller, alice), b.openAccount(teller, alice)
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": a1, "amount": cny("100.00")}))

			stored := &idempotency.Response{Status: 201, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"stored":true}`)}
			claims := &scriptedClaims{Store: b.srv.idem, release: make(chan struct{}), answers: map[string]scriptedAnswer{
				"in-flight": {err: idempotency.ErrInFlight},
				"reused":    {err: idempotency.ErrMismatch},
				"answered":  {resp: stored},
				"broken":    {err: errors.New("the database went away")},
			}}
			b.srv.idem = claims
			close(claims.release)

			transfer := map[string]any{"from_account_id": a1, "to_account_id": a2, "amount": cny("30.00")}
			for _, c := range []struct {
				key    string
				status int
			}{{"in-flight", 409}, {"reused", 422}, {"answered", 201}, {"broken", 503}} {
				for _, call := range []struct{ path string }{{"/v1/transfers"}, {"/v1/withdrawals"}, {"/v1/deposits"}} {
					body := transfer
					if call.path != "/v1/transfers" {
						body = map[string]any{"account_id": a1, "amount": cny("30.00")}
					}
					r := b.do("POST", call.path, teller, body, "Idempotency-Key", c.key)
					require.Equal(t, c.status, r.status, "%s %s: %s", c.key, call.path, r.raw)
					if c.key == "answered" {
						require.Equal(t, `{"stored":true}`, string(r.raw))
						require.Equal(t, "true", r.header.Get("Idempotent-Replayed"))
					}
				}
			}
			// Nothing moved: a1 holds the 100.00 deposited, a2 nothing.
			require.Equal(t, "100.00", b.must(200, b.do("GET", "/v1/accounts/"+a1, teller, nil)).str("balance", "value"))
			require.Equal(t, "0.00", b.must(200, b.do("GET", "/v1/accounts/"+a2, teller, nil)).str("balance", "value"))

			// A claim that is the request's posts as before, once.
			r := b.must(201, b.do("POST", "/v1/transfers", teller, transfer, "Idempotency-Key", "mine"))
			again := b.must(201, b.do("POST", "/v1/transfers", teller, transfer, "Idempotency-Key", "mine"))
			require.Equal(t, r.str("id"), again.str("id"))
			require.Equal(t, "true", again.header.Get("Idempotent-Replayed"))
			require.Equal(t, "70.00", b.must(200, b.do("GET", "/v1/accounts/"+a1, teller, nil)).str("balance", "value"))
		})
	}
}

// The handler runs while the claim is still out, and the posting waits for
// it: with the claim held back, the request cannot finish; released, it
// posts.
func TestAnOverlappedClaimHoldsThePostingBack(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			teller := b.staff("teller")
			alice := b.onboard(teller)
			a1, a2 := b.openAccount(teller, alice), b.openAccount(teller, alice)
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": a1, "amount": cny("100.00")}))

			claims := &scriptedClaims{Store: b.srv.idem, release: make(chan struct{})}
			b.srv.idem = claims
			done := make(chan resp, 1)
			go func() {
				done <- b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": a1, "to_account_id": a2, "amount": cny("30.00")}, "Idempotency-Key", "held")
			}()
			require.Eventually(t, func() bool { return claims.begun.Load() == 1 }, 10*time.Second, time.Millisecond)
			select {
			case r := <-done:
				t.Fatalf("answered before its claim: %d %s", r.status, r.raw)
			case <-time.After(50 * time.Millisecond):
			}
			// The claim is out, so the transfer has not posted.
			require.Equal(t, "100.00", b.must(200, b.do("GET", "/v1/accounts/"+a1, teller, nil)).str("balance", "value"))
			close(claims.release)
			r := <-done
			require.Equal(t, 201, r.status, string(r.raw))
			require.Equal(t, "70.00", b.must(200, b.do("GET", "/v1/accounts/"+a1, teller, nil)).str("balance", "value"))
		})
	}
}

// A handler that panics beside its claim frees the key it took.
func TestAPanickingOverlappedHandlerFreesItsKey(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			var calls atomic.Int32
			h := b.srv.serve(route{method: "POST", pattern: "/v1/boom", access: signedIn, idempotency: idemRequired,
				status: http.StatusCreated, claimWhilePosting: true,
				handler: handle(func(_ context.Context, req panicRequest) (panicRequest, error) {
					if calls.Add(1) == 1 {
						panic("handler bug")
					}
					return req, nil
				})})
			send := func() *httptest.ResponseRecorder {
				req := httptest.NewRequest("POST", "/v1/boom", strings.NewReader(`{"note":"x"}`))
				req.Header.Set("Authorization", "Bearer "+testAdminToken)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", "panic-overlapped")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec
			}
			require.Panics(t, func() { send() })
			rec := send()
			require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
			require.Equal(t, int32(2), calls.Load())
		})
	}
}

// A transfer a checker must see is held (written) only once its key is its
// own: with the claim refused, nothing is held and nothing posted.
func TestAnOverlappedClaimRefusedHoldsNothingForAChecker(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newCheckedBank(t, storage)
			teller, _ := b.staffMember("teller")
			alice := b.onboard(testAdminToken)
			a1, a2 := b.openAccount(testAdminToken, alice), b.openAccount(testAdminToken, alice)
			b.must(201, b.do("POST", "/v1/deposits", testAdminToken, map[string]any{"account_id": a1, "amount": cny("90000.00")}))
			require.Empty(t, b.pending())

			claims := &scriptedClaims{Store: b.srv.idem, release: make(chan struct{}), answers: map[string]scriptedAnswer{
				"in-flight": {err: idempotency.ErrInFlight},
			}}
			b.srv.idem = claims
			close(claims.release)
			// 60,000.00 CNY is above the reference bank's 50,000 threshold.
			big := map[string]any{"from_account_id": a1, "to_account_id": a2, "amount": cny("60000.00")}
			require.Equal(t, 409, b.do("POST", "/v1/transfers", teller, big, "Idempotency-Key", "in-flight").status)
			require.Empty(t, b.pending())

			// With its own key the same transfer is held, as before.
			b.must(202, b.do("POST", "/v1/transfers", teller, big, "Idempotency-Key", "mine"))
			require.Len(t, b.pending(), 1)
			require.Equal(t, "90000.00", b.must(200, b.do("GET", "/v1/accounts/"+a1, testAdminToken, nil)).str("balance", "value"))
		})
	}
}
