package customertest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/customer"
)

// KeyCheckForgetter is implemented by a test harness around a store that
// can delete its key-check records, leaving the store as one written before
// key checks existed. When the store passed to Run implements it, the
// upgrade tests run too.
type KeyCheckForgetter interface {
	ForgetKeyChecks(ctx context.Context) error
}

// serviceWith returns a second service over e's store, sealing under the
// keyring text.
func (e *env) serviceWith(keyring string) *customer.Service {
	e.t.Helper()
	keys, err := customer.ParseKeyring(keyring)
	require.NoError(e.t, err)
	svc, err := customer.NewService(e.store, keys, customer.WithClock(e.clock))
	require.NoError(e.t, err)
	return svc
}

// requireKeyError asserts err is sentinel and names what.
func requireKeyError(t *testing.T, err, sentinel error, what string) {
	t.Helper()
	require.ErrorIs(t, err, sentinel)
	require.ErrorContains(t, err, what)
}

// A keyring that cannot open what the store holds is refused by CheckKeys,
// naming the key, and the write paths refuse it too, so no row is ever
// written under a wrong key and no blind index computed with one.
func testKeyringMustOpenTheData(t *testing.T, newStore func(*testing.T) customer.Store) {
	e := newEnv(t, newStore)
	require.NoError(t, e.svc.CheckKeys(e.ctx), "an empty store takes any keyring")
	c := e.create(zhang())
	_, err := e.svc.AddDocument(e.ctx, c.ID, customer.NewDocument{Type: customer.DocumentPassport, Number: "E98765432",
		IssuingCountry: "CN", IssuedOn: calendar.MustParseDate("2020-01-01")})
	require.NoError(t, err)
	require.NoError(t, e.svc.CheckKeys(e.ctx))
	require.NoError(t, e.serviceWith("k1:"+keyText('a')+",index:"+keyText('i')).CheckKeys(e.ctx), "the same keys, another process")

	otherK1 := e.serviceWith("k1:" + keyText('b') + ",index:" + keyText('i'))
	requireKeyError(t, otherK1.CheckKeys(e.ctx), customer.ErrKeyMismatch, `"k1"`)
	_, err = otherK1.Create(e.ctx, traveller(1))
	requireKeyError(t, err, customer.ErrKeyMismatch, `"k1"`)
	_, err = otherK1.Update(e.ctx, c.ID, 1, customer.Patch{Occupation: ptr("Poet")})
	requireKeyError(t, err, customer.ErrKeyMismatch, `"k1"`)
	_, err = otherK1.AddDocument(e.ctx, c.ID, customer.NewDocument{Type: customer.DocumentPassport, Number: "E12345678",
		IssuingCountry: "CN", IssuedOn: calendar.MustParseDate("2021-01-01")})
	requireKeyError(t, err, customer.ErrKeyMismatch, `"k1"`)

	otherIndex := e.serviceWith("k1:" + keyText('a') + ",index:" + keyText('j'))
	requireKeyError(t, otherIndex.CheckKeys(e.ctx), customer.ErrKeyMismatch, "index key")
	_, err = otherIndex.Create(e.ctx, zhang())
	require.ErrorIs(t, err, customer.ErrKeyMismatch, "not a second customer with the same national id")
	_, err = otherIndex.FindByPhone(e.ctx, zhang().Phones[0])
	require.ErrorIs(t, err, customer.ErrKeyMismatch, "not an empty answer")
	_, err = otherIndex.FindByNationalID(e.ctx, zhang().NationalID)
	require.ErrorIs(t, err, customer.ErrKeyMismatch, "not a not-found")

	missing := e.serviceWith("k2:" + keyText('b') + ",index:" + keyText('i'))
	requireKeyError(t, missing.CheckKeys(e.ctx), customer.ErrUnknownKey, `"k1"`)

	both := e.serviceWith("k1:" + keyText('a') + ",k2:" + keyText('b') + ",primary:k2,index:" + keyText('i'))
	require.NoError(t, both.CheckKeys(e.ctx), "a new primary key is fine, and recorded")
	requireKeyError(t, e.serviceWith("k1:"+keyText('a')+",k2:"+keyText('c')+",primary:k1,index:"+keyText('i')).CheckKeys(e.ctx),
		customer.ErrKeyMismatch, `"k2"`)
	err = e.serviceWith("k3:" + keyText('c') + ",index:" + keyText('j')).CheckKeys(e.ctx)
	requireKeyError(t, err, customer.ErrUnknownKey, `"k1"`)
	requireKeyError(t, err, customer.ErrKeyMismatch, "index key")

	require.Equal(t, 1, e.count(), "nothing was written under the wrong keys")
	got, err := e.svc.FindByPhone(e.ctx, zhang().Phones[0])
	require.NoError(t, err)
	require.Equal(t, []customer.Masked{c}, got)
	docs, err := e.svc.Documents(e.ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, docs, 1)
}

// A key retired after rotation may leave the keyring: no data needs it.
func testRetiredKeyMayLeave(t *testing.T, newStore func(*testing.T) customer.Store) {
	e := newEnv(t, newStore)
	e.create(zhang())
	require.NoError(t, e.keys.AddKey("k2", keyText('b')))
	require.NoError(t, e.keys.SetPrimary("k2"))
	for done := false; !done; {
		_, d, err := e.svc.RotateKeys(e.ctx, 10)
		require.NoError(t, err)
		done = d
	}
	require.NoError(t, e.svc.RetireKey(e.ctx, "k1"))
	require.NoError(t, e.svc.CheckKeys(e.ctx))
	require.NoError(t, e.serviceWith("k2:"+keyText('b')+",index:"+keyText('i')).CheckKeys(e.ctx))
	requireKeyError(t, e.serviceWith("k2:"+keyText('c')+",index:"+keyText('i')).CheckKeys(e.ctx), customer.ErrKeyMismatch, `"k2"`)
}

// A store written before key checks gets its records on the first check,
// and only when the keys open a row sealed under each key id in the data.
func testKeyChecksForOlderData(t *testing.T, newStore func(*testing.T) customer.Store) {
	e := newEnv(t, newStore)
	forgetter, ok := e.store.(KeyCheckForgetter)
	if !ok {
		t.Skip("the store offers no KeyCheckForgetter; data from before key checks not exercised")
	}
	c := e.create(zhang())
	require.NoError(t, e.keys.AddKey("k2", keyText('b')))
	require.NoError(t, e.keys.SetPrimary("k2"))
	_, err := e.svc.AddDocument(e.ctx, c.ID, customer.NewDocument{Type: customer.DocumentPassport, Number: "E98765432",
		IssuingCountry: "CN", IssuedOn: calendar.MustParseDate("2020-01-01")})
	require.NoError(t, err, "k2 seals only a document")
	require.NoError(t, forgetter.ForgetKeyChecks(e.ctx))

	right := "k1:" + keyText('a') + ",k2:" + keyText('b') + ",primary:k2,index:" + keyText('i')
	for keyring, want := range map[string]struct {
		sentinel error
		what     string
	}{
		"k1:" + keyText('x') + ",k2:" + keyText('b') + ",primary:k2,index:" + keyText('i'): {customer.ErrKeyMismatch, `"k1"`},
		"k1:" + keyText('a') + ",k2:" + keyText('x') + ",primary:k2,index:" + keyText('i'): {customer.ErrKeyMismatch, `"k2"`},
		"k1:" + keyText('a') + ",k2:" + keyText('b') + ",primary:k2,index:" + keyText('x'): {customer.ErrKeyMismatch, "index key"},
		"k1:" + keyText('a') + ",k3:" + keyText('c') + ",primary:k3,index:" + keyText('i'): {customer.ErrUnknownKey, `"k2"`},
	} {
		requireKeyError(t, e.serviceWith(keyring).CheckKeys(e.ctx), want.sentinel, want.what)
	}
	require.NoError(t, e.serviceWith(right).CheckKeys(e.ctx), "the wrong keyrings recorded nothing")
	requireKeyError(t, e.serviceWith("k1:"+keyText('x')+",k2:"+keyText('b')+",primary:k2,index:"+keyText('i')).CheckKeys(e.ctx),
		customer.ErrKeyMismatch, `"k1"`)
	require.NoError(t, e.serviceWith(right).CheckKeys(e.ctx))
	require.NoError(t, e.serviceWith("k1:"+keyText('a')+",k2:"+keyText('b')+",k3:"+keyText('c')+",primary:k3,index:"+keyText('i')).CheckKeys(e.ctx),
		"a new, unused primary key")
}
