package refserver

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/money"
)

type depositBody struct {
	AccountID   string      `json:"account_id"`
	Amount      money.Money `json:"amount"`
	Description string      `json:"description"`
}

func TestDecodeJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		contentType string
		body        string
		wantStatus  int
		wantType    string
		wantField   string
	}{
		{"valid", "application/json", `{"account_id":"a","amount":{"value":"10.00","currency":"CNY"}}`, 0, "", ""},
		{"unknown field is mass assignment", "application/json", `{"account_id":"a","balance":"100"}`, 400, "malformed-json", "balance"},
		{"amount as a JSON number", "", `{"account_id":"a","amount":{"value":10,"currency":"CNY"}}`, 400, "invalid-input", "amount"},
		{"too many decimals", "", `{"account_id":"a","amount":{"value":"1.001","currency":"CNY"}}`, 400, "invalid-input", "amount"},
		{"wrong type", "", `{"account_id":5}`, 400, "malformed-json", "account_id"},
		{"syntax error", "", `{"account_id":`, 400, "malformed-json", ""},
		{"empty body", "", ``, 400, "malformed-json", ""},
		{"two objects", "", `{} {}`, 400, "malformed-json", ""},
		{"duplicate key", "", `{"account_id":"a","amount":{"value":"10.00","currency":"CNY"},"account_id":"b"}`, 400, "malformed-json", "account_id"},
		{"duplicate key in an object", "", `{"account_id":"a","amount":{"value":"10.00","value":"20.00","currency":"CNY"}}`, 400, "malformed-json", "amount.value"},
		{"duplicate key in another case", "", `{"account_id":"a","Account_ID":"b"}`, 400, "malformed-json", "Account_ID"},
		{"duplicate key escaped", "", `{"account_id":"a","acc\u006funt_id":"b"}`, 400, "malformed-json", "account_id"},
		{"duplicate key in an array", "", `{"account_id":"a","tags":[{"x":1},{"y":1,"y":2}]}`, 400, "malformed-json", "tags[1].y"},
		{"not json content type", "text/plain", `{}`, 415, "unsupported-media-type", ""},
		{"too large", "", `{"description":"` + strings.Repeat("x", maxBodyBytes) + `"}`, 413, "body-too-large", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(http.MethodPost, "/v1/deposits", strings.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			var v depositBody
			body, err := readBody(httptest.NewRecorder(), req, true)
			if err == nil {
				err = decodeJSON(body, &v)
			}
			if tc.wantStatus == 0 {
				require.NoError(t, err)
				require.Equal(t, money.MustParse("10.00", "CNY"), v.Amount)
				return
			}
			p, ok := problemOf(err)
			require.True(t, ok, "%v is the request's fault", err)
			require.Equal(t, problemBase+tc.wantType, p.Type)
			require.Equal(t, tc.wantStatus, p.Status)
			if tc.wantField != "" {
				require.NotEmpty(t, p.Errors, p.Detail)
				require.Equal(t, tc.wantField, p.Errors[0].Field)
			}
		})
	}
}

// One rule at every depth: a repeated key is malformed JSON, named.
func TestRepeatedKeysAreRefusedAtEveryDepth(t *testing.T) {
	t.Parallel()
	b := newBank(t, "memory")
	teller := b.staff("teller")
	acct := b.openAccount(teller, b.onboard(teller))
	for field, body := range map[string]string{
		"amount":       `{"account_id":"` + acct + `","amount":{"value":"1.00","currency":"CNY"},"amount":{"value":"900.00","currency":"CNY"}}`,
		"amount.value": `{"account_id":"` + acct + `","amount":{"value":"1.00","value":"900.00","currency":"CNY"}}`,
	} {
		r := b.must(400, b.do("POST", "/v1/deposits", teller, body))
		require.Equal(t, "malformed-json", r.problemType(), field)
		require.Equal(t, field, r.body["errors"].([]any)[0].(map[string]any)["field"], field)
	}
	require.Equal(t, "0.00", b.must(200, b.do("GET", "/v1/accounts/"+acct, teller, nil)).str("balance", "value"))
}
