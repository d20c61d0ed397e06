package channel_test

import (
	"context"
	"testing"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/channel/memchannel"
)

// BenchmarkLogin measures a successful login with the default (OWASP)
// argon2id parameters on the in-memory store: the hash dominates.
func BenchmarkLogin(b *testing.B) {
	ctx := context.Background()
	svc, err := channel.NewService(memchannel.New())
	if err != nil {
		b.Fatal(err)
	}
	_, err = svc.CreateStaff(ctx, channel.NewStaff{Username: "bench.user", Password: "a long passphrase", Roles: []channel.Role{channel.RoleTeller}})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := svc.Login(ctx, "bench.user", "a long passphrase"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthenticate measures what every authenticated request pays:
// hash the token, find its session, read the identity.
func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	svc, err := channel.NewService(memchannel.New(), channel.WithParams(channel.Params{Memory: 64, Time: 1, Threads: 1, SaltLength: 16, KeyLength: 32}))
	if err != nil {
		b.Fatal(err)
	}
	_, err = svc.CreateStaff(ctx, channel.NewStaff{Username: "bench.user", Password: "a long passphrase", Roles: []channel.Role{channel.RoleTeller}})
	if err != nil {
		b.Fatal(err)
	}
	g, err := svc.Login(ctx, "bench.user", "a long passphrase")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := svc.Authenticate(ctx, g.Token); err != nil {
			b.Fatal(err)
		}
	}
}
