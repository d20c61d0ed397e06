package customer

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var (
	c1, c2, d1 = NewID(), NewID(), NewID()
)

func testKeyring(t *testing.T) *StaticKeyring {
	t.Helper()
	enc := func(c string) string { return base64.StdEncoding.EncodeToString([]byte(strings.Repeat(c, 32))) }
	k, err := ParseKeyring("k1:" + enc("a") + ",k2:" + enc("b") + ",primary:k1,index:" + enc("i"))
	require.NoError(t, err)
	return k
}

func TestSealOpenRoundTrip(t *testing.T) {
	t.Parallel()
	k := testKeyring(t)
	id, key := k.Primary()
	ref := SealRef{CustomerID: c1, Field: FieldNationalID}
	sealed, err := sealWith(id, key, ref, []byte("11010519491231002X"))
	require.NoError(t, err)
	require.False(t, bytes.Contains(sealed, []byte("11010519491231002X")))
	gotID, err := SealedKeyID(sealed)
	require.NoError(t, err)
	require.Equal(t, "k1", gotID)
	plain, err := open(k, ref, sealed)
	require.NoError(t, err)
	require.Equal(t, "11010519491231002X", string(plain))

	again, err := sealWith(id, key, ref, []byte("11010519491231002X"))
	require.NoError(t, err)
	require.NotEqual(t, sealed, again, "a fresh nonce each time")
}

// A ciphertext moved to another customer or another field must not open:
// the customer id and field name are its additional authenticated data.
func TestSealedValueIsBoundToItsPlace(t *testing.T) {
	t.Parallel()
	k := testKeyring(t)
	id, key := k.Primary()
	sealed, err := sealWith(id, key, SealRef{CustomerID: c1, Field: FieldEmail}, []byte("z@example.com"))
	require.NoError(t, err)
	for _, ref := range []SealRef{
		{CustomerID: c2, Field: FieldEmail},
		{CustomerID: c1, Field: FieldPhones},
		{CustomerID: c1, DocumentID: d1, Field: FieldEmail},
	} {
		_, err := open(k, ref, sealed)
		require.ErrorIs(t, err, ErrCorrupt, "%+v", ref)
	}
	flipped := append([]byte(nil), sealed...)
	flipped[len(flipped)-1] ^= 1
	_, err = open(k, SealRef{CustomerID: c1, Field: FieldEmail}, flipped)
	require.ErrorIs(t, err, ErrCorrupt)
}

func TestOpenNeedsTheSealingKey(t *testing.T) {
	t.Parallel()
	k := testKeyring(t)
	id, key := k.Primary()
	ref := SealRef{CustomerID: c1, Field: FieldEmail}
	sealed, err := sealWith(id, key, ref, []byte("z@example.com"))
	require.NoError(t, err)
	require.NoError(t, k.SetPrimary("k2"))
	plain, err := open(k, ref, sealed)
	require.NoError(t, err, "old keys keep opening after rotation")
	require.Equal(t, "z@example.com", string(plain))
	require.NoError(t, k.Retire("k1"))
	_, err = open(k, ref, sealed)
	require.ErrorIs(t, err, ErrUnknownKey)
	_, err = open(k, ref, []byte{9, 9})
	require.ErrorIs(t, err, ErrCorrupt)
}

func TestBlindIndex(t *testing.T) {
	t.Parallel()
	k := testKeyring(t)
	a := NationalID{Type: Passport, Number: "e12345678", Country: "CHN"}
	b := NationalID{Type: Passport, Number: "E12345678", Country: "CN"}
	ia, err := blindIndex(k, "national_id", a.indexKey())
	require.NoError(t, err)
	ib, err := blindIndex(k, "national_id", b.indexKey())
	require.NoError(t, err)
	require.Equal(t, ia, ib, "the same passport written two ways has one index")
	other := NationalID{Type: Passport, Number: "E12345678", Country: "GB"}
	io, err := blindIndex(k, "national_id", other.indexKey())
	require.NoError(t, err)
	require.NotEqual(t, ia, io)
	ip, err := blindIndex(k, "phone", a.indexKey())
	require.NoError(t, err)
	require.NotEqual(t, ia, ip, "kinds are separated")
}

// The index is keyed: without the index key, the index of a known id
// cannot be computed, so a dump cannot be searched by guessing ids.
func TestBlindIndexDependsOnTheKey(t *testing.T) {
	t.Parallel()
	enc := func(c string) string { return base64.StdEncoding.EncodeToString([]byte(strings.Repeat(c, 32))) }
	k1, err := ParseKeyring("k1:" + enc("a") + ",index:" + enc("i"))
	require.NoError(t, err)
	k2, err := ParseKeyring("k1:" + enc("a") + ",index:" + enc("j"))
	require.NoError(t, err)
	id := NationalID{Type: PRCResidentID, Number: "11010519491231002X"}.indexKey()
	a, err := blindIndex(k1, "national_id", id)
	require.NoError(t, err)
	b, err := blindIndex(k2, "national_id", id)
	require.NoError(t, err)
	require.NotEqual(t, a, b)
	require.Len(t, a, 32)
}
