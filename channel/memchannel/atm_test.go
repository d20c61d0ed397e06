package memchannel_test

import (
	"testing"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/channel/channeltest"
	"github.com/bankkit/bankkit/channel/memchannel"
)

func TestATMContract(t *testing.T) {
	t.Parallel()
	channeltest.RunATM(t, func(*testing.T) channel.ATMStore { return memchannel.New() })
}
