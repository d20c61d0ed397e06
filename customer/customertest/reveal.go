package customertest

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/event"
)

func (e *env) accessLog() []customer.AccessEntry {
	e.t.Helper()
	log, err := e.svc.AccessLog(e.ctx, 0, customer.MaxPageLimit)
	require.NoError(e.t, err)
	return log
}

func testReveal(t *testing.T, newStore func(*testing.T) customer.Store) {
	refused := errors.New("fraud team only")
	e := newEnv(t, newStore, customer.WithRevealPolicy(func(_ context.Context, actor string, _ customer.ID, fields []customer.Field, _ string) error {
		if actor == "intern" {
			return refused
		}
		return nil
	}))
	c := e.create(zhang())
	doc, err := e.svc.AddDocument(e.ctx, c.ID, customer.NewDocument{Type: customer.DocumentPassport, Number: "E98765432",
		IssuingCountry: "CHN", IssuedOn: calendar.MustParseDate("2020-01-01"), ExpiresOn: calendar.MustParseDate("2030-01-01")})
	require.NoError(t, err)
	require.Equal(t, "E98****32", doc.Number)

	e.clock.Advance(time1h)
	full, docs, err := e.svc.Reveal(e.ctx, "teller-3", c.ID, []customer.Field{customer.FieldPhones, customer.FieldNationalID, customer.FieldPhones}, "customer called about a card")
	require.NoError(t, err)
	require.Equal(t, zhang().Phones, full.Phones)
	require.Equal(t, zhang().NationalID, full.NationalID)
	require.Empty(t, full.Email, "fields not asked for stay hidden")
	require.True(t, full.DateOfBirth.IsZero())
	require.True(t, full.Address.IsZero())
	require.Nil(t, docs)
	require.Equal(t, "张三", full.FullName)

	_, docs, err = e.svc.Reveal(e.ctx, "teller-3", c.ID, []customer.Field{customer.FieldDocuments}, "KYC refresh")
	require.NoError(t, err)
	require.Len(t, docs, 1)
	require.Equal(t, "E98765432", docs[0].Number)

	log := e.accessLog()
	require.Len(t, log, 2)
	require.Equal(t, int64(1), log[0].Seq)
	require.Equal(t, "teller-3", log[0].Actor)
	require.Equal(t, c.ID, log[0].CustomerID)
	require.Equal(t, []customer.Field{customer.FieldNationalID, customer.FieldPhones}, log[0].Fields, "canonical order, no repeats")
	require.Equal(t, "customer called about a card", log[0].Reason)
	require.Equal(t, start.Add(time1h), log[0].At)
	require.Equal(t, customer.GenesisHash, log[0].PrevHash)
	require.Equal(t, log[0].Hash, log[1].PrevHash)

	// Refused, unknown or malformed reads disclose nothing and log nothing.
	_, _, err = e.svc.Reveal(e.ctx, "intern", c.ID, []customer.Field{customer.FieldEmail}, "curious")
	require.ErrorIs(t, err, customer.ErrForbidden)
	require.ErrorIs(t, err, refused)
	_, _, err = e.svc.Reveal(e.ctx, "teller-3", customer.NewID(), []customer.Field{customer.FieldEmail}, "wrong id")
	require.ErrorIs(t, err, customer.ErrNotFound)
	bad := []struct {
		field  string
		actor  string
		fields []customer.Field
		reason string
	}{
		{"actor", "", []customer.Field{customer.FieldEmail}, "r"},
		{"fields", "a", nil, "r"},
		{"fields[1]", "a", []customer.Field{customer.FieldEmail, "salary"}, "r"},
		{"reason", "a", []customer.Field{customer.FieldEmail}, ""},
	}
	for _, b := range bad {
		_, _, err := e.svc.Reveal(e.ctx, b.actor, c.ID, b.fields, b.reason)
		requireField(t, err, b.field)
	}
	require.Len(t, e.accessLog(), 2)
	bad0, err := e.svc.VerifyAccessLog(e.ctx)
	require.NoError(t, err)
	require.Zero(t, bad0)
}

func testConcurrentReveals(t *testing.T, newStore func(*testing.T) customer.Store) {
	e := newEnv(t, newStore)
	a, b := e.create(zhang()), e.create(traveller(1))
	const n = 24
	errs := runAtOnce(n, func(i int) error {
		id := a.ID
		if i%2 == 1 {
			id = b.ID
		}
		_, _, err := e.svc.Reveal(e.ctx, "teller", id, []customer.Field{customer.FieldEmail}, "concurrent check")
		return err
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	log := e.accessLog()
	require.Len(t, log, n)
	for i, entry := range log {
		require.Equal(t, int64(i+1), entry.Seq, "no gaps, no forks")
	}
	badSeq, err := e.svc.VerifyAccessLog(e.ctx)
	require.NoError(t, err)
	require.Zero(t, badSeq)
}

func testTamper(t *testing.T, newStore func(*testing.T) customer.Store) {
	tests := []struct {
		name    string
		seq     int64
		tamper  func(*customer.AccessEntry)
		wantBad int64
	}{
		{"reason altered", 3, func(e *customer.AccessEntry) { e.Reason = "routine" }, 3},
		{"actor altered", 1, func(e *customer.AccessEntry) { e.Actor = "someone else" }, 1},
		{"fields narrowed", 4, func(e *customer.AccessEntry) { e.Fields = e.Fields[:1] }, 4},
		{"altered and re-hashed", 2, func(e *customer.AccessEntry) {
			e.Reason = "routine"
			e.Hash = customer.ChainHash(*e) // consistent in itself, but entry 3 points at the old hash
		}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, newStore)
			tamperer, ok := e.store.(Tamperer)
			if !ok {
				t.Skip("the store offers no Tamperer; tamper detection not exercised")
			}
			c := e.create(zhang())
			for _, reason := range []string{"one", "two", "three", "four", "five"} {
				_, _, err := e.svc.Reveal(e.ctx, "teller", c.ID, []customer.Field{customer.FieldEmail, customer.FieldPhones}, reason)
				require.NoError(t, err)
			}
			badSeq, err := e.svc.VerifyAccessLog(e.ctx)
			require.NoError(t, err)
			require.Zero(t, badSeq)

			require.NoError(t, tamperer.TamperAccessLog(e.ctx, tt.seq, tt.tamper))
			badSeq, err = e.svc.VerifyAccessLog(e.ctx)
			require.ErrorIs(t, err, customer.ErrTampered)
			require.Equal(t, tt.wantBad, badSeq)
		})
	}
}

// A sealed value copied from one customer's row to another's does not
// open: the customer id is its additional authenticated data.
func testCiphertextBinding(t *testing.T, newStore func(*testing.T) customer.Store) {
	e := newEnv(t, newStore)
	a, b := e.create(zhang()), e.create(traveller(1))
	stolen, err := e.store.Customer(e.ctx, a.ID)
	require.NoError(t, err)
	_, err = e.store.UpdateCustomer(e.ctx, b.ID, func(r customer.Record) (customer.Record, []event.Envelope, error) {
		r.Sealed.Email = stolen.Sealed.Email
		return r, nil, nil
	})
	require.NoError(t, err)
	_, err = e.svc.Get(e.ctx, b.ID)
	require.ErrorIs(t, err, customer.ErrCorrupt)
	_, _, err = e.svc.Reveal(e.ctx, "teller", b.ID, []customer.Field{customer.FieldEmail}, "check")
	require.ErrorIs(t, err, customer.ErrCorrupt)

	// Moving a value between fields of one row fails the same way.
	_, err = e.store.UpdateCustomer(e.ctx, a.ID, func(r customer.Record) (customer.Record, []event.Envelope, error) {
		r.Sealed.Phones = r.Sealed.Email
		return r, nil, nil
	})
	require.NoError(t, err)
	_, err = e.svc.Get(e.ctx, a.ID)
	require.ErrorIs(t, err, customer.ErrCorrupt)
}

func testRotation(t *testing.T, newStore func(*testing.T) customer.Store) {
	e := newEnv(t, newStore)
	var old []customer.NewCustomer
	var ids []customer.ID
	for i := range 5 {
		n := traveller(i)
		old = append(old, n)
		ids = append(ids, e.create(n).ID)
	}
	doc, err := e.svc.AddDocument(e.ctx, ids[0], customer.NewDocument{Type: customer.DocumentPassport, Number: "P00000000",
		IssuingCountry: "GB", IssuedOn: calendar.MustParseDate("2020-01-01"), Primary: true})
	require.NoError(t, err)

	require.NoError(t, e.keys.AddKey("k2", keyText('b')))
	require.NoError(t, e.keys.SetPrimary("k2"))
	for i := 5; i < 8; i++ {
		n := traveller(i)
		old = append(old, n)
		ids = append(ids, e.create(n).ID)
	}
	// An update re-seals under the new primary key.
	_, err = e.svc.Update(e.ctx, ids[1], 1, customer.Patch{Occupation: ptr("Poet")})
	require.NoError(t, err)

	usage := func(id string) int {
		n, err := e.svc.KeyUsage(e.ctx, id)
		require.NoError(t, err)
		return n
	}
	require.Equal(t, 5, usage("k1"), "four untouched customers and the document")
	require.Equal(t, 4, usage("k2"))
	requireAllReadable := func() {
		t.Helper()
		for i, id := range ids {
			full, _, err := e.svc.Reveal(e.ctx, "ops", id, []customer.Field{customer.FieldNationalID, customer.FieldEmail}, "rotation check")
			require.NoError(t, err)
			require.Equal(t, old[i].NationalID.Normalize(), full.NationalID)
			require.Equal(t, old[i].Email, full.Email)
		}
		_, docs, err := e.svc.Reveal(e.ctx, "ops", ids[0], []customer.Field{customer.FieldDocuments}, "rotation check")
		require.NoError(t, err)
		require.Equal(t, "P00000000", docs[0].Number)
		require.Equal(t, doc.ID, docs[0].ID)
	}
	requireAllReadable() // a mix of old- and new-key rows

	require.ErrorIs(t, e.svc.RetireKey(e.ctx, "k1"), customer.ErrKeyInUse)
	require.ErrorIs(t, e.svc.RetireKey(e.ctx, "k2"), customer.ErrKeyInUse, "the primary key")

	// The first batch, then a "restarted" service resumes.
	n, done, err := e.svc.RotateKeys(e.ctx, 2)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	require.False(t, done)
	require.Equal(t, 3, usage("k1"))
	restarted, err := customer.NewService(e.store, e.keys, customer.WithClock(e.clock))
	require.NoError(t, err)
	total := n
	for !done {
		n, done, err = restarted.RotateKeys(e.ctx, 2)
		require.NoError(t, err)
		total += n
	}
	require.Equal(t, 5, total, "every old-key row once")
	require.Zero(t, usage("k1"))
	require.Equal(t, 9, usage("k2"))
	requireAllReadable()

	require.NoError(t, e.svc.RetireKey(e.ctx, "k1"))
	require.Equal(t, []string{"k2"}, e.keys.KeyIDs())
	requireAllReadable()
	_, _, err = e.svc.RotateKeys(e.ctx, 0)
	requireField(t, err, "batch_size")
}
