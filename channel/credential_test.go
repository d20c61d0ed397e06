package channel_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/fault"
)

var fast = channel.Params{Memory: 64, Time: 1, Threads: 1, SaltLength: 16, KeyLength: 32}

func TestHashPasswordWithDefaultParams(t *testing.T) {
	t.Parallel()
	c, err := channel.HashPassword("correct horse battery", channel.DefaultParams)
	require.NoError(t, err)
	require.Equal(t, channel.DefaultParams, c.Params())
	require.True(t, strings.HasPrefix(c.String(), "$argon2id$v=19$m=19456,t=2,p=1$"), c.String())
	require.True(t, c.Verify("correct horse battery"))
	require.False(t, c.Verify("correct horse batterY"))
}

// A PHC string written by other software must parse, verify and print back
// unchanged: the format is the standard one, not a private variant. The
// string was assembled by hand from argon2.IDKey's output (salt
// "somesaltsomesalt", password "password", m=64, t=2, p=1) and the PHC
// rules, not by this package's String.
func TestVerifyAcceptsReferenceHash(t *testing.T) {
	t.Parallel()
	c, err := channel.ParseCredential(referencePHC)
	require.NoError(t, err)
	require.True(t, c.Verify("password"))
	require.False(t, c.Verify("Password"))
	require.Equal(t, referencePHC, c.String())
}

func TestHashPasswordSaltsEachHash(t *testing.T) {
	t.Parallel()
	a, err := channel.HashPassword("same password here", fast)
	require.NoError(t, err)
	b, err := channel.HashPassword("same password here", fast)
	require.NoError(t, err)
	require.NotEqual(t, a.Salt, b.Salt)
	require.NotEqual(t, a.Hash, b.Hash)
}

func TestParamsValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		edit  func(*channel.Params)
		field string
	}{
		{"zero threads", func(p *channel.Params) { p.Threads = 0 }, "argon2.threads"},
		{"memory below 8 KiB per lane", func(p *channel.Params) { p.Memory, p.Threads = 15, 2 }, "argon2.memory"},
		{"zero time", func(p *channel.Params) { p.Time = 0 }, "argon2.time"},
		{"short salt", func(p *channel.Params) { p.SaltLength = 4 }, "argon2.salt_length"},
		{"short key", func(p *channel.Params) { p.KeyLength = 8 }, "argon2.key_length"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := fast
			tc.edit(&p)
			_, err := channel.HashPassword("whatever password", p)
			var ve *fault.FieldError
			require.ErrorAs(t, err, &ve)
			require.ErrorIs(t, err, channel.ErrInvalidInput)
			require.Equal(t, tc.field, ve.Field)
		})
	}
	require.NoError(t, channel.DefaultParams.Validate())
}

func TestWeakerThan(t *testing.T) {
	t.Parallel()
	c, err := channel.HashPassword("whatever password", fast)
	require.NoError(t, err)
	require.False(t, c.WeakerThan(fast))
	for _, edit := range []func(*channel.Params){
		func(p *channel.Params) { p.Memory *= 2 },
		func(p *channel.Params) { p.Time++ },
		func(p *channel.Params) { p.Threads++; p.Memory = 64 },
		func(p *channel.Params) { p.SaltLength++ },
		func(p *channel.Params) { p.KeyLength++ },
	} {
		p := fast
		edit(&p)
		require.True(t, c.WeakerThan(p), "%+v", p)
	}
	lower := fast
	lower.Time, lower.Memory = 1, 32
	require.False(t, c.WeakerThan(lower))
}

func TestParseCredentialRejects(t *testing.T) {
	t.Parallel()
	valid := referencePHC
	for _, tc := range []struct{ name, phc string }{
		{"empty", ""},
		{"other algorithm", strings.Replace(valid, "argon2id", "argon2i", 1)},
		{"other version", strings.Replace(valid, "v=19", "v=16", 1)},
		{"parameters out of order", strings.Replace(valid, "m=64,t=2,p=1", "t=2,m=64,p=1", 1)},
		{"leading zero", strings.Replace(valid, "m=64", "m=064", 1)},
		{"sign", strings.Replace(valid, "t=2", "t=+2", 1)},
		{"zero time", strings.Replace(valid, "t=2", "t=0", 1)},
		{"memory below lanes", strings.Replace(valid, "p=1", "p=9", 1)},
		{"huge memory", strings.Replace(valid, "m=64", "m=99999999999", 1)},
		{"padded base64", valid + "="},
		{"missing hash", valid[:strings.LastIndex(valid, "$")]},
		{"extra field", valid + "$x"},
		{"short salt", "$argon2id$v=19$m=64,t=2,p=1$c2FsdA$" + valid[strings.LastIndex(valid, "$")+1:]},
	} {
		_, err := channel.ParseCredential(tc.phc)
		var ve *fault.FieldError
		require.ErrorAs(t, err, &ve, tc.name)
		require.Equal(t, "credential", ve.Field, tc.name)
	}
}

func FuzzParseCredential(f *testing.F) {
	f.Add(referencePHC)
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$$")
	f.Add("$$$$$")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := channel.ParseCredential(s)
		if err != nil {
			require.ErrorIs(t, err, channel.ErrInvalidInput)
			return
		}
		require.Equal(t, s, c.String(), "a parsed credential prints back exactly")
		again, err := channel.ParseCredential(c.String())
		require.NoError(t, err)
		require.Equal(t, c, again)
	})
}

const referencePHC = "$argon2id$v=19$m=64,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Gpj7qOY5RCXJvcMzqcdQqvgR3wcPX7SleI4c9NtXk6E"
