package argon2id

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"
)

// The expected values were computed with the reference implementation
// (golang.org/x/crypto v0.59.0, argon2.IDKey and blake2b.Sum512) outside
// this module, so they check this code against an independent one.
func TestKeyMatchesReferenceVectors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name           string
		password, salt string
		time, memory   uint32
		threads        uint8
		keyLen         uint32
		want           string
	}{
		{"small", "password", "somesalt", 2, 64, 1, 32,
			"16a1a498734609dd01456da406de9f3d9da93e6c86c300a12fc1465214ce4922"},
		{"two lanes three passes", "correct horse battery", "0123456789abcdef", 3, 256, 2, 32,
			"b143b3c66179fc9c1726912cf9211edcbe27f245004f68dd096b7fb0248007bc"},
		{"empty password minimum memory", "", "saltsalt", 1, 8, 1, 16,
			"b7ffc76d23b515687c3164bb8386cbe9"},
		{"four lanes long tag", "pw", "saltsaltsalt", 1, 32, 4, 100,
			"96c7f0f279c5afc0a2e92797ab10525b62ba6de036eae03b1e619cbb96f651be4b77f71fd7966eb57490655564d96dfcf137966454594bc6db65596b8a3b50b977346ee74f4dc3581cf31ee075ef9e48fae0e29fd6928f94a5887d3bedba255e204644bd"},
		{"OWASP parameters", "password", "somesalt", 2, 19456, 1, 32,
			"3cbd356a63f2794bb11bb1f4bc8af95fea87919bd69c79860465c562f87ccf61"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Key([]byte(tc.password), []byte(tc.salt), tc.time, tc.memory, tc.threads, tc.keyLen)
			require.NoError(t, err)
			require.Equal(t, tc.want, hex.EncodeToString(got))
		})
	}
}

func TestBlake2bMatchesRFC7693(t *testing.T) {
	t.Parallel()
	// RFC 7693, appendix A: BLAKE2b-512("abc").
	want := "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1" +
		"7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923"
	require.Equal(t, want, hex.EncodeToString(blake2bSum(64, []byte("abc"))))
}

func TestKeyRejectsBadParameters(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		salt    string
		time    uint32
		memory  uint32
		threads uint8
		keyLen  uint32
	}{
		{"zero time", "saltsalt", 0, 64, 1, 32},
		{"zero threads", "saltsalt", 1, 64, 0, 32},
		{"memory below 8 per lane", "saltsalt", 1, 15, 2, 32},
		{"memory above bound", "saltsalt", 1, MaxMemoryKiB + 1, 1, 32},
		{"short key", "saltsalt", 1, 64, 1, 3},
		{"short salt", "salt", 1, 64, 1, 32},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Key([]byte("pw"), []byte(tc.salt), tc.time, tc.memory, tc.threads, tc.keyLen)
			require.ErrorIs(t, err, ErrParams)
		})
	}
}
