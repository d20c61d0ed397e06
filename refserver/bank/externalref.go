package bank

import (
	"context"

	"github.com/bankkit/bankkit/channel"
)

// RefClient is the client an external reference belongs to: the calling
// principal, "staff/<identity id>" for a staff user or API client,
// "customer/<customer id>" for a customer (one client whatever device
// they use). References are unique per client and each client finds only
// its own.
func RefClient(ctx context.Context) string {
	c := CallerOf(ctx)
	if c.Kind == channel.KindCustomer {
		return "customer/" + c.CustomerID
	}
	return "staff/" + c.IdentityID.String()
}
