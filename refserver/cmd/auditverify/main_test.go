package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/risk/oprisk"
	"github.com/bankkit/bankkit/risk/oprisk/pgoprisk"
)

func TestVerifiesAndFindsADeletedRecord(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, url := pgtest.NewWithURL(t)
	require.NoError(t, pgoprisk.Migrate(ctx, db))
	svc, err := oprisk.NewService(pgoprisk.New(db))
	require.NoError(t, err)
	for _, obj := range []string{"a", "b", "c", "d"} {
		_, _, err := svc.Append(ctx, oprisk.Record{ActorID: "id-1", Actor: "alice", Action: "accounts.freeze", Object: obj, Outcome: 200})
		require.NoError(t, err)
	}
	check := func() (int, map[string]any) {
		var out, errs bytes.Buffer
		code := run([]string{"-database-url", url}, &out, &errs, func(string) string { return "" })
		var v map[string]any
		require.NoError(t, json.Unmarshal(out.Bytes(), &v), errs.String())
		return code, v
	}
	code, v := check()
	require.Equal(t, 0, code)
	require.Equal(t, true, v["ok"])
	require.EqualValues(t, 4, v["checked"])

	_, err = db.Exec(`DELETE FROM oprisk.audit WHERE seq = 2`)
	require.NoError(t, err)
	code, v = check()
	require.Equal(t, 1, code)
	require.Equal(t, false, v["ok"])
	require.EqualValues(t, 3, v["broken_at"])
}

func TestNeedsADatabase(t *testing.T) {
	t.Parallel()
	var out, errs bytes.Buffer
	require.Equal(t, 2, run(nil, &out, &errs, func(string) string { return "" }))
	require.Contains(t, errs.String(), "BANKKIT_DATABASE_URL")
}
