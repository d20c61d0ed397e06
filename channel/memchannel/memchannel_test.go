package memchannel_test

import (
	"testing"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/channel/channeltest"
	"github.com/bankkit/bankkit/channel/memchannel"
)

func TestContract(t *testing.T) {
	t.Parallel()
	channeltest.Run(t, func(*testing.T) channel.Store { return memchannel.New() })
}

func TestOnlineContract(t *testing.T) {
	t.Parallel()
	channeltest.RunOnline(t, func(*testing.T) channel.OnlineStore { return memchannel.New() })
}

func TestNotificationsContract(t *testing.T) {
	t.Parallel()
	channeltest.RunNotifications(t, func(*testing.T) channel.NotificationStore { return memchannel.New() })
}

func TestContactContract(t *testing.T) {
	t.Parallel()
	channeltest.RunContact(t, func(*testing.T) channel.ContactStore { return memchannel.New() })
}
