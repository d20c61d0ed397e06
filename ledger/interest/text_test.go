package interest_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/ledger/interest"
)

func TestEnumerationsAsText(t *testing.T) {
	t.Parallel()
	type terms struct {
		Compounding interest.Period      `json:"compounding"`
		Basis       interest.Basis       `json:"basis"`
		Mode        interest.TierMode    `json:"mode"`
		Instruction interest.Instruction `json:"instruction"`
	}
	in := terms{interest.SemiAnnual, interest.AverageDailyBalance, interest.Marginal, interest.RolloverPrincipal}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	require.JSONEq(t, `{"compounding":"semi_annual","basis":"average_daily_balance","mode":"marginal","instruction":"rollover_principal"}`, string(b))
	var out terms
	require.NoError(t, json.Unmarshal(b, &out))
	require.Equal(t, in, out)

	for _, bad := range []string{
		`{"compounding":"Monthly"}`,
		`{"basis":"average"}`,
		`{"mode":""}`,
		`{"instruction":"rollover"}`,
	} {
		kept := in
		err := json.Unmarshal([]byte(bad), &kept)
		require.ErrorIs(t, err, interest.ErrInvalidInput, bad)
		require.Equal(t, in, kept, "a refused value leaves the field as it was: %s", bad)
	}
	_, err = json.Marshal(terms{})
	require.ErrorIs(t, err, interest.ErrInvalidInput, "the zero values are not names")
}
