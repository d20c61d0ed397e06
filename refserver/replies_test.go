package refserver

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Remembered replies hold no personal data in clear: the answer to a
// customer's creation and a refusal naming a birth date are sealed in
// refserver.idempotency_keys, and still replay byte for byte.
func TestRememberedRepliesHoldNoPlaintextPII(t *testing.T) {
	t.Parallel()
	b := newBank(t, "postgres")
	teller := b.staff("teller")
	person := map[string]any{
		"full_name": "欧阳娜娜", "gender": "female", "date_of_birth": "1988-11-23",
		"national_id": map[string]any{"type": "PRC_RESIDENT_ID", "number": residentID("310115", "19881123", 7)},
		"phone":       "+8613911112222", "email": "ouyang.nana@example.com",
		"address": map[string]any{"line1": "淮海中路99号", "city": "上海市", "province": "上海", "postal_code": "200031", "country": "CN"},
	}
	wrongBirth := maps.Clone(person)
	wrongBirth["date_of_birth"] = "1988-11-24"

	created := b.must(http.StatusCreated, b.do("POST", "/v1/customers", teller, person, "Idempotency-Key", "create-customer"))
	refused := b.must(http.StatusBadRequest, b.do("POST", "/v1/customers", teller, wrongBirth, "Idempotency-Key", "refuse-customer"))
	require.Contains(t, string(refused.raw), "1988-11-23", "the refusal names the birth date")
	for key, first := range map[string]resp{"create-customer": created, "refuse-customer": refused} {
		body := person
		if key == "refuse-customer" {
			body = wrongBirth
		}
		replay := b.do("POST", "/v1/customers", teller, body, "Idempotency-Key", key)
		require.Equal(t, "true", replay.header.Get("Idempotent-Replayed"))
		require.Equal(t, first.status, replay.status)
		require.Equal(t, string(first.raw), string(replay.raw))
	}

	var rows []string
	require.NoError(t, b.srv.db.SelectContext(context.Background(), &rows, `SELECT t::text FROM refserver.idempotency_keys t`))
	dump := strings.Join(rows, "\n")
	require.Contains(t, dump, "create-customer", "the dump holds the remembered replies")
	require.Contains(t, dump, "refuse-customer")
	for _, secret := range []string{"欧阳", "1988-11-2", "19881123", "ouyang", "淮海", "200031", "13911112222"} {
		require.NotContains(t, dump, secret)
		require.NotContains(t, dump, fmt.Sprintf("%x", secret), "bytea prints as hex")
	}
}
