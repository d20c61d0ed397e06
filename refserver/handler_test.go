package refserver

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

// thingRequest reads from every place a request can carry a value.
type thingRequest struct {
	ID     ledger.ID     `path:"id" json:"-"`
	Limit  pageLimit     `query:"limit" json:"-"`
	From   calendar.Date `query:"from" json:"-"`
	DryRun bool          `query:"dry_run" json:"-"`
	Count  int           `query:"count" json:"-"`
	Match  string        `header:"If-Match" json:"-"`
	Amount money.Money   `json:"amount"`
	Note   string        `json:"note,omitempty"`
}

// optionalBody has only fields a client may leave out.
type optionalBody struct {
	ID   ledger.ID `path:"id" json:"-"`
	Note string    `json:"note,omitempty"`
}

// call serves one request to the endpoint under "/things/{id}" and returns
// what the handler returned.
func call(t *testing.T, e endpoint, method, target, body string, header ...string) (any, error) {
	t.Helper()
	var v any
	var err error
	called := false
	mux := http.NewServeMux()
	mux.HandleFunc(method+" /things/{id}", func(w http.ResponseWriter, r *http.Request) {
		called = true
		v, err = e.call(r.Context(), r, []byte(body))
	})
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	mux.ServeHTTP(httptest.NewRecorder(), req)
	require.True(t, called, "the pattern did not match %s", target)
	return v, err
}

func echo[T any](_ context.Context, req T) (T, error) { return req, nil }

func TestTypedHandlerGetsEveryValueDecoded(t *testing.T) {
	t.Parallel()
	id := ledger.NewID()
	v, err := call(t, handle(echo[thingRequest]), "POST", "/things/"+id.String()+"?limit=20&from=2025-03-01&dry_run=true&count=-3",
		`{"amount":{"value":"12.30","currency":"CNY"},"note":"hi"}`, "If-Match", `"7"`)
	require.NoError(t, err)
	require.Equal(t, thingRequest{ID: id, Limit: 20, From: calendar.MustParseDate("2025-03-01"), DryRun: true, Count: -3,
		Match: `"7"`, Amount: money.MustParse("12.30", "CNY"), Note: "hi"}, v)

	// Absent query values and headers leave the zero value.
	v, err = call(t, handle(echo[thingRequest]), "POST", "/things/"+id.String(), `{"amount":{"value":"1.00","currency":"CNY"}}`)
	require.NoError(t, err)
	require.Equal(t, thingRequest{ID: id, Amount: money.MustParse("1.00", "CNY")}, v)
	require.Equal(t, defaultLimit, v.(thingRequest).Limit.n())
}

func TestDecodingErrorsNameTheField(t *testing.T) {
	t.Parallel()
	id := ledger.NewID().String()
	body := `{"amount":{"value":"1.00","currency":"CNY"}}`
	tests := []struct {
		name, target, body string
		status             int
		problem, field     string
	}{
		{"path value that is no id", "/things/nope", body, 404, "not-found", "id"},
		{"limit out of range", "/things/" + id + "?limit=501", body, 400, "invalid-input", "limit"},
		{"limit not a number", "/things/" + id + "?limit=ten", body, 400, "invalid-input", "limit"},
		{"impossible date", "/things/" + id + "?from=2025-02-30", body, 400, "invalid-input", "from"},
		{"not a boolean", "/things/" + id + "?dry_run=maybe", body, 400, "invalid-input", "dry_run"},
		{"not a whole number", "/things/" + id + "?count=1.5", body, 400, "invalid-input", "count"},
		{"money as a number", "/things/" + id, `{"amount":{"value":1,"currency":"CNY"}}`, 400, "invalid-input", "amount"},
		{"wrong JSON type", "/things/" + id, `{"amount":{"value":"1.00","currency":"CNY"},"note":5}`, 400, "malformed-json", "note"},
		{"unknown field", "/things/" + id, `{"amount":{"value":"1.00","currency":"CNY"},"balance":"9"}`, 400, "malformed-json", "balance"},
		{"a path value set from the body", "/things/" + id, `{"amount":{"value":"1.00","currency":"CNY"},"ID":"` + id + `"}`, 400, "malformed-json", "ID"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := call(t, handle(echo[thingRequest]), "POST", tc.target, tc.body)
			p, ok := problemOf(err)
			require.True(t, ok, "%v", err)
			require.Equal(t, tc.status, p.Status, p.Detail)
			require.Equal(t, problemBase+tc.problem, p.Type)
			require.Len(t, p.Errors, 1, p.Detail)
			require.Equal(t, tc.field, p.Errors[0].Field)
			require.NotEmpty(t, p.Errors[0].Message)
		})
	}
}

func TestAnOptionalBodyMayBeLeftOutExceptFromAPatch(t *testing.T) {
	t.Parallel()
	id := ledger.NewID()
	v, err := call(t, handle(echo[optionalBody]), "POST", "/things/"+id.String(), "")
	require.NoError(t, err)
	require.Equal(t, optionalBody{ID: id}, v)

	_, err = call(t, handle(echo[optionalBody]), "PATCH", "/things/"+id.String(), "")
	p, _ := problemOf(err)
	require.Equal(t, problemBase+"malformed-json", p.Type, "a patch without a body changes nothing: it is a mistake")

	_, err = call(t, handle(echo[thingRequest]), "POST", "/things/"+id.String(), "")
	p, _ = problemOf(err)
	require.Equal(t, problemBase+"malformed-json", p.Type, "a body with required fields must be sent")
}

func TestAnUploadGetsTheRawBody(t *testing.T) {
	t.Parallel()
	type file struct {
		ID   ledger.ID `path:"id"`
		Data upload
	}
	v, err := call(t, handle(echo[file]), "POST", "/things/"+ledger.NewID().String(), "<Document/>")
	require.NoError(t, err)
	require.Equal(t, upload("<Document/>"), v.(file).Data)
	require.False(t, handle(echo[file]).in.json)
}

func TestMalformedRequestTypesStopTheServerAtStart(t *testing.T) {
	t.Parallel()
	type exposedParam struct {
		ID   ledger.ID `path:"id"`
		Note string    `json:"note"`
	}
	require.PanicsWithValue(t, `refserver: refserver.exposedParam takes a JSON body, so [ID] must be json:"-"`,
		func() { handle(echo[exposedParam]) })
	type fileAndJSON struct {
		Data upload
		Note string `json:"note"`
	}
	require.Panics(t, func() { handle(echo[fileAndJSON]) })
	type badParam struct {
		At map[string]string `query:"at"`
	}
	require.Panics(t, func() { handle(echo[badParam]) })

	rt := route{method: "GET", pattern: "/v1/things/{thing_id}", handler: handle(echo[accountPath])}
	require.PanicsWithValue(t, "refserver: GET /v1/things/{thing_id} has path values [thing_id] but its handler reads [id]", rt.check)
}
