package channel_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/fault"
)

func TestNormalizeUsername(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"alice", "alice"},
		{"  Alice.Smith@Branch-7 \t", "alice.smith@branch-7"},
		{"ZHANG_SAN", "zhang_san"},
		{"007", "007"},
		{strings.Repeat("a", channel.MaxUsernameLength), strings.Repeat("a", channel.MaxUsernameLength)},
	} {
		got, err := channel.NormalizeUsername(tc.in)
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
	for _, in := range []string{
		"", "ab", "   ab   ", strings.Repeat("a", channel.MaxUsernameLength+1),
		"al ice", "alice!", "_alice", "-alice", ".alice", "@alice",
		"\u212aate", // the Kelvin sign lower-cases to "k" under Unicode rules
		"ålice", "alice\x00",
	} {
		_, err := channel.NormalizeUsername(in)
		var ve *fault.FieldError
		require.ErrorAs(t, err, &ve, "%q", in)
		require.Equal(t, "username", ve.Field)
	}
}

func FuzzNormalizeUsername(f *testing.F) {
	for _, s := range []string{"alice", " Bob.Smith@x ", "\u212aate", "a_b-c", "", "../../etc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := channel.NormalizeUsername(s)
		if err != nil {
			require.ErrorIs(t, err, channel.ErrInvalidInput)
			return
		}
		again, err := channel.NormalizeUsername(u)
		require.NoError(t, err, "a normalised username is valid")
		require.Equal(t, u, again, "normalising is idempotent")
		require.Equal(t, strings.ToLower(strings.TrimSpace(s)), u, "only trimming and case differ")
		require.GreaterOrEqual(t, len(u), channel.MinUsernameLength)
		require.LessOrEqual(t, len(u), channel.MaxUsernameLength)
		for _, r := range u {
			require.True(t, r < 0x80, "ASCII only: %q", u)
		}
	})
}

func TestValidatePassword(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{
		"twelve chars",
		"密码密码密码密码密码密码", // 12 characters, 36 bytes
		strings.Repeat("x", channel.MaxPasswordLength),
		"  padded but fine  ",
	} {
		require.NoError(t, channel.ValidatePassword(ok), "%q", ok)
	}
	for _, bad := range []string{
		"", "eleven char", "密码密码密码密码密码密", strings.Repeat("x", channel.MaxPasswordLength+1),
		strings.Repeat(" ", 20), "\t\n\t\n\t\n\t\n\t\n\t\n", "bad utf8 \xff\xfe\xfd",
		"twelve chars\x00", "twelve\tchars!", "twelve chars\u0085",
	} {
		err := channel.ValidatePassword(bad)
		var ve *fault.FieldError
		require.ErrorAs(t, err, &ve, "%q", bad)
		require.Equal(t, "password", ve.Field)
	}
}
