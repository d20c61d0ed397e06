package pgchannel_test

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/channel/channeltest"
	"github.com/bankkit/bankkit/channel/pgchannel"
)

func TestATMContract(t *testing.T) {
	t.Parallel()
	channeltest.RunATM(t, func(t *testing.T) channel.ATMStore { return pgchannel.New(newDB(t)) })
}

func TestATMContractAsyncHeartbeats(t *testing.T) {
	t.Parallel()
	channeltest.RunATM(t, func(t *testing.T) channel.ATMStore { return pgchannel.New(newDB(t), pgchannel.AsyncHeartbeats()) })
}

// TestATMCredentialIsHashedAtRest reads every column of the device's row
// back as text: the credential is not there, its SHA-256 is. A heartbeat
// with asynchronous commit on a one-connection pool leaves the setting on
// for whatever the connection does next.
func TestATMCredentialIsHashedAtRest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	db.SetMaxOpenConns(1)
	fleet, err := channel.NewFleet(pgchannel.New(db, pgchannel.AsyncHeartbeats()), channeltest.NewFakeCashLedger())
	require.NoError(t, err)
	_, token, err := fleet.Register(ctx, channel.NewATM{ID: "SH-1", Branch: "b", Address: "a", Model: "m",
		Cassettes: []channel.Cassette{{Currency: "CNY", Denomination: decimal.NewFromInt(100), Capacity: 10}}})
	require.NoError(t, err)
	body := strings.TrimPrefix(token, channel.ATMTokenPrefix)
	var row string
	require.NoError(t, db.Get(&row, `SELECT t::text FROM channel.atms t`))
	require.NotContains(t, row, body)
	h := channel.HashToken(token)
	require.Contains(t, row, hex.EncodeToString(h[:]))

	for range 2 { // both change nothing but the time: the one-step way
		_, err = fleet.Heartbeat(ctx, token, channel.Heartbeat{State: channel.ATMStateOK, Counts: []int{0}})
		require.NoError(t, err)
	}
	var setting string
	require.NoError(t, db.Get(&setting, `SHOW synchronous_commit`))
	require.Equal(t, "on", setting)
}
