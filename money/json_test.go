package money_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/money"
)

func TestMarshalJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		m    money.Money
		want string
	}{
		{money.MustParse("12.3", "CNY"), `{"value":"12.30","currency":"CNY"}`},
		{money.MustParse("-5", "JPY"), `{"value":"-5","currency":"JPY"}`},
		{money.MustParse("0.125", "BHD"), `{"value":"0.125","currency":"BHD"}`},
		{money.Zero(money.USD), `{"value":"0.00","currency":"USD"}`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			got, err := json.Marshal(tt.m)
			require.NoError(t, err)
			require.Equal(t, tt.want, string(got))
		})
	}
}

func TestMarshalJSONRefusesInvalidMoney(t *testing.T) {
	t.Parallel()
	_, err := json.Marshal(money.Money{})
	require.ErrorIs(t, err, money.ErrUnknownCurrency)
	_, err = json.Marshal(money.Money{Amount: dec("0.5"), Currency: money.JPY})
	require.ErrorIs(t, err, money.ErrInvalidAmount)
}

func TestMarshalJSONInsideStruct(t *testing.T) {
	t.Parallel()
	type transfer struct {
		Amount money.Money  `json:"amount"`
		Fee    *money.Money `json:"fee,omitempty"`
	}
	in := transfer{Amount: money.MustParse("1234.50", "CNY")}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	require.JSONEq(t, `{"amount":{"value":"1234.50","currency":"CNY"}}`, string(b))

	var out transfer
	require.NoError(t, json.Unmarshal([]byte(`{"amount":{"value":"1234.50","currency":"CNY"},"fee":null}`), &out))
	require.True(t, out.Amount.Equal(in.Amount))
	require.Nil(t, out.Fee, "an optional amount is a *Money")
}

func TestUnmarshalJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want money.Money
	}{
		{`{"value":"12.30","currency":"CNY"}`, money.MustParse("12.30", "CNY")},
		{`{"currency":"CNY","value":"12.3"}`, money.MustParse("12.30", "CNY")},
		{` { "value" : "-7" , "currency" : "JPY" } `, money.MustParse("-7", "JPY")},
		{`{"value":"0.125","currency":"BHD"}`, money.MustParse("0.125", "BHD")},
		{`{"value":"1.5","currency":"\u0055SD"}`, money.MustParse("1.5", "USD")},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			var got money.Money
			require.NoError(t, json.Unmarshal([]byte(tt.in), &got))
			require.True(t, got.Equal(tt.want), "got %s", got)
		})
	}
}

func TestUnmarshalJSONRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     error
		field    string // the field the message must name, if any
	}{
		{"number value", `{"value":12.30,"currency":"CNY"}`, money.ErrInvalidAmount, `"value"`},
		{"integer value", `{"value":12,"currency":"CNY"}`, money.ErrInvalidAmount, `"value"`},
		{"null value", `{"value":null,"currency":"CNY"}`, money.ErrInvalidAmount, `"value"`},
		{"object value", `{"value":{},"currency":"CNY"}`, money.ErrInvalidAmount, `"value"`},
		{"exponent", `{"value":"1e3","currency":"CNY"}`, money.ErrInvalidAmount, `"value"`},
		{"too many places", `{"value":"1.234","currency":"CNY"}`, money.ErrInvalidAmount, `"value"`},
		{"places for JPY", `{"value":"1.0","currency":"JPY"}`, money.ErrInvalidAmount, `"value"`},
		{"empty value", `{"value":"","currency":"CNY"}`, money.ErrInvalidAmount, `"value"`},
		{"missing value", `{"currency":"CNY"}`, money.ErrInvalidAmount, `"value"`},
		{"duplicate value", `{"value":"1","value":"2","currency":"CNY"}`, money.ErrInvalidAmount, `"value"`},
		{"misspelt value", `{"Value":"1","currency":"CNY"}`, money.ErrInvalidAmount, `"Value"`},
		{"extra field", `{"value":"1","currency":"CNY","rate":"2"}`, money.ErrInvalidAmount, `"rate"`},
		{"unknown currency", `{"value":"1","currency":"ABC"}`, money.ErrUnknownCurrency, `"currency"`},
		{"lower-case currency", `{"value":"1","currency":"cny"}`, money.ErrUnknownCurrency, `"currency"`},
		{"missing currency", `{"value":"1"}`, money.ErrUnknownCurrency, `"currency"`},
		{"number currency", `{"value":"1","currency":156}`, money.ErrUnknownCurrency, `"currency"`},
		{"null", `null`, money.ErrInvalidAmount, ""},
		{"bare string", `"12.30"`, money.ErrInvalidAmount, ""},
		{"bare number", `12.30`, money.ErrInvalidAmount, ""},
		{"array", `["12.30","CNY"]`, money.ErrInvalidAmount, ""},
		{"empty object", `{}`, money.ErrInvalidAmount, `"value"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := money.MustParse("9.99", "EUR")
			err := json.Unmarshal([]byte(tt.in), &got)
			require.ErrorIs(t, err, tt.want)
			require.Contains(t, err.Error(), tt.field)
			require.Equal(t, "9.99 EUR", got.String(), "a failed unmarshal changes nothing")
		})
	}
}

func TestUnmarshalJSONRefusesTrailingData(t *testing.T) {
	t.Parallel()
	// json.Unmarshal rejects trailing data itself; a direct call must too.
	var m money.Money
	err := m.UnmarshalJSON([]byte(`{"value":"1","currency":"CNY"} {}`))
	require.ErrorIs(t, err, money.ErrInvalidAmount)
	err = m.UnmarshalJSON([]byte(`{"value":"1","currency":"CNY"`))
	require.ErrorIs(t, err, money.ErrInvalidAmount)
	require.Equal(t, money.Money{}, m)
}
