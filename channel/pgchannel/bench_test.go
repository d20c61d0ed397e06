package pgchannel_test

import (
	"context"
	"testing"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/channel/channeltest"
	"github.com/bankkit/bankkit/channel/pgchannel"
	"github.com/bankkit/bankkit/internal/pgtest"
)

// BenchmarkAuthenticate measures what every authenticated request pays on
// PostgreSQL: two indexed reads (session by token hash, identity by id).
func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	db := pgtest.New(b)
	if err := pgchannel.Migrate(ctx, db); err != nil {
		b.Fatal(err)
	}
	svc, err := channel.NewService(pgchannel.New(db), channel.WithParams(channeltest.FastParams))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.CreateStaff(ctx, channel.NewStaff{Username: "bench.user", Password: "a long passphrase", Roles: []channel.Role{channel.RoleTeller}}); err != nil {
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

// BenchmarkFailedLogin measures a refused login on PostgreSQL with small
// argon2id parameters, so that the store's share shows: reads, and the
// locked update that counts the attempt.
func BenchmarkFailedLogin(b *testing.B) {
	ctx := context.Background()
	db := pgtest.New(b)
	if err := pgchannel.Migrate(ctx, db); err != nil {
		b.Fatal(err)
	}
	svc, err := channel.NewService(pgchannel.New(db), channel.WithParams(channeltest.FastParams),
		channel.WithLockout(channel.LockoutPolicy{MaxFailures: 1 << 30, Duration: 1}))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.CreateStaff(ctx, channel.NewStaff{Username: "bench.user", Password: "a long passphrase", Roles: []channel.Role{channel.RoleTeller}}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := svc.Login(ctx, "bench.user", "wrong passphrase"); err == nil {
			b.Fatal("wrong password accepted")
		}
	}
}
