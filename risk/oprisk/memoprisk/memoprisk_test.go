package memoprisk_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/risk/oprisk"
	"github.com/bankkit/bankkit/risk/oprisk/memoprisk"
	"github.com/bankkit/bankkit/risk/oprisk/oprisktest"
)

func TestContract(t *testing.T) {
	t.Parallel()
	oprisktest.Run(t, func(t *testing.T) oprisk.Store { return memoprisk.New() })
}

func TestVerifyFindsAnEditedRecord(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memoprisk.New()
	svc, err := oprisk.NewService(st)
	require.NoError(t, err)
	for _, obj := range []string{"a", "b", "c"} {
		_, _, err := svc.Append(ctx, oprisk.Record{ActorID: "x", Action: "accounts.freeze", Object: obj, Outcome: 200})
		require.NoError(t, err)
	}
	st.Tamper(func(rs []oprisk.Record) []oprisk.Record { rs[1].Object = "z"; return rs })
	v, err := svc.Verify(ctx)
	require.NoError(t, err)
	require.False(t, v.OK)
	require.Equal(t, int64(2), v.BrokenAt)
}
