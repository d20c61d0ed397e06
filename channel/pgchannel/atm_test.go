package pgchannel_test

import (
	"testing"

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
