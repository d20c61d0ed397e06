package customer_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/customer"
)

func TestChainHashCoversEveryField(t *testing.T) {
	t.Parallel()
	c1, c2 := customer.NewID(), customer.NewID()
	base := customer.Link(customer.AccessEntry{}, customer.AccessEntry{
		At: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), Actor: "teller-7",
		CustomerID: c1, Fields: []customer.Field{customer.FieldPhones}, Reason: "callback",
	})
	require.Equal(t, int64(1), base.Seq)
	require.Equal(t, customer.GenesisHash, base.PrevHash)
	require.Equal(t, customer.ChainHash(base), base.Hash)

	mutations := map[string]func(e *customer.AccessEntry){
		"seq":      func(e *customer.AccessEntry) { e.Seq = 2 },
		"time":     func(e *customer.AccessEntry) { e.At = e.At.Add(time.Microsecond) },
		"actor":    func(e *customer.AccessEntry) { e.Actor = "teller-8" },
		"customer": func(e *customer.AccessEntry) { e.CustomerID = c2 },
		"fields":   func(e *customer.AccessEntry) { e.Fields = []customer.Field{customer.FieldEmail} },
		"reason":   func(e *customer.AccessEntry) { e.Reason = "curiosity" },
		"prev":     func(e *customer.AccessEntry) { e.PrevHash = base.Hash },
		// Moving text between adjacent fields must change the hash too.
		"boundary": func(e *customer.AccessEntry) { e.Fields, e.Reason = []customer.Field{"phonescallback"}, "" },
	}
	for name, mutate := range mutations {
		e := base
		e.Fields = append([]customer.Field(nil), base.Fields...)
		mutate(&e)
		require.NotEqual(t, base.Hash, customer.ChainHash(e), name)
	}

	next := customer.Link(base, customer.AccessEntry{At: base.At, Actor: "a", CustomerID: c1, Fields: base.Fields, Reason: "r"})
	require.Equal(t, int64(2), next.Seq)
	require.Equal(t, base.Hash, next.PrevHash)
}
