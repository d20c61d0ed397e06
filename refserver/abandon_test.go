package refserver

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

type panicRequest struct {
	Note string `json:"note"`
}

// A request whose handler panics leaves its Idempotency-Key free: the
// client's retry runs at once instead of meeting 409 until the lease ends.
func TestAPanickingHandlerFreesItsKey(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			var calls atomic.Int32
			h := b.srv.serve(route{method: "POST", pattern: "/v1/boom", access: signedIn, idempotency: idemRequired,
				status: http.StatusCreated, handler: handle(func(_ context.Context, req panicRequest) (panicRequest, error) {
					if calls.Add(1) == 1 {
						panic("handler bug")
					}
					return req, nil
				})})
			send := func() *httptest.ResponseRecorder {
				req := httptest.NewRequest("POST", "/v1/boom", strings.NewReader(`{"note":"x"}`))
				req.Header.Set("Authorization", "Bearer "+testAdminToken)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", "panic-1")
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
