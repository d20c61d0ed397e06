package customer_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/customer"
)

func key(b byte) string {
	return base64.StdEncoding.EncodeToString([]byte(strings.Repeat(string(rune(b)), 32)))
}

func TestParseKeyring(t *testing.T) {
	t.Parallel()
	k, err := customer.ParseKeyring("k1:" + key('a') + ",k2:" + key('b') + ",primary:k2,index:" + key('i'))
	require.NoError(t, err)
	id, primary := k.Primary()
	require.Equal(t, "k2", id)
	require.Equal(t, []byte(strings.Repeat("b", 32)), primary)
	k1, err := k.Key("k1")
	require.NoError(t, err)
	require.Equal(t, []byte(strings.Repeat("a", 32)), k1)
	require.Equal(t, []byte(strings.Repeat("i", 32)), k.IndexKey())
	_, err = k.Key("k3")
	require.ErrorIs(t, err, customer.ErrUnknownKey)
}

func TestParseKeyringFileFormat(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "keyring")
	text := "# customer PII keys\nk1:" + key('a') + "\n\nindex:" + key('i') + "\n"
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	k, err := customer.LoadKeyring(path)
	require.NoError(t, err)
	id, _ := k.Primary()
	require.Equal(t, "k1", id, "the only key is primary")
}

func TestParseKeyringRejects(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"no keys":             "index:" + key('i'),
		"no index key":        "k1:" + key('a'),
		"short key":           "k1:" + base64.StdEncoding.EncodeToString([]byte("short")) + ",index:" + key('i'),
		"not base64":          "k1:!!!,index:" + key('i'),
		"primary unknown":     "k1:" + key('a') + ",primary:k9,index:" + key('i'),
		"two keys no primary": "k1:" + key('a') + ",k2:" + key('b') + ",index:" + key('i'),
		"duplicate id":        "k1:" + key('a') + ",k1:" + key('b') + ",index:" + key('i'),
		"bad id":              "k 1:" + key('a') + ",index:" + key('i'),
		"no colon":            "k1" + key('a') + ",index:" + key('i'),
	}
	for name, text := range tests {
		_, err := customer.ParseKeyring(text)
		require.ErrorIs(t, err, customer.ErrInvalidInput, name)
	}
}

func TestStaticKeyringRotation(t *testing.T) {
	t.Parallel()
	k, err := customer.ParseKeyring("k1:" + key('a') + ",index:" + key('i'))
	require.NoError(t, err)
	require.NoError(t, k.AddKey("k2", key('b')))
	require.ErrorIs(t, k.AddKey("k2", key('c')), customer.ErrInvalidInput)
	require.NoError(t, k.SetPrimary("k2"))
	require.ErrorIs(t, k.Retire("k2"), customer.ErrKeyInUse)
	require.NoError(t, k.Retire("k1"))
	require.Equal(t, []string{"k2"}, k.KeyIDs())
	require.ErrorIs(t, k.SetPrimary("k1"), customer.ErrUnknownKey)
}
