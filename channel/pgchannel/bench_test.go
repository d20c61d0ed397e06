package pgchannel_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/channel/channeltest"
	"github.com/bankkit/bankkit/channel/pgchannel"
	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/money"
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

// BenchmarkNotifications measures messages through the outbox to the
// built-in file provider on PostgreSQL: each op is one message, notified
// (500 notices a batch, push and inbox each) and then delivered (1,000 a
// claim). It reports messages per second end to end and for delivery
// alone.
func BenchmarkNotifications(b *testing.B) {
	ctx := context.Background()
	db := pgtest.New(b)
	if err := pgchannel.Migrate(ctx, db); err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	providers := map[channel.Medium]channel.Provider{}
	for _, m := range channel.Media() {
		p, err := channel.NewFileProvider(dir, m)
		if err != nil {
			b.Fatal(err)
		}
		defer p.Close()
		providers[m] = p
	}
	cfg := channel.DefaultNotifyConfig()
	cfg.Location = time.UTC
	// Noon: outside the default quiet hours, so push is due at once too.
	clock := calendar.NewManualClock(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
	svc, err := channel.NewNotifier(pgchannel.New(db, pgchannel.AsyncDelivery()), providers, channel.WithNotifyClock(clock), channel.WithNotifyConfig(cfg))
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	var deliverTime time.Duration
	b.ResetTimer()
	for n < b.N {
		batch := make([]channel.Notice, 0, 500)
		for i := 0; i < 500 && n+2*len(batch) < b.N; i++ {
			batch = append(batch, channel.Notice{CustomerID: fmt.Sprintf("c%d", (n/2+i)%1000), Category: "transfer.received",
				Key: fmt.Sprintf("evt-%d-%d", b.N, n/2+i), Subject: "Money in", Body: "CNY 250.50 from account 6222 0000 1234"})
		}
		if len(batch) == 0 {
			batch = append(batch, channel.Notice{CustomerID: "c0", Category: "x", Key: fmt.Sprintf("last-%d-%d", b.N, n), Body: "x"})
		}
		added, err := svc.NotifyAll(ctx, batch)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		for sent := 0; sent < added; {
			rep, err := svc.Deliver(ctx, 1000)
			if err != nil {
				b.Fatal(err)
			}
			if rep.Sent == 0 {
				b.Fatalf("nothing delivered: %+v", rep)
			}
			sent += rep.Sent
		}
		deliverTime += time.Since(start)
		n += added
	}
	b.StopTimer()
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(n)/deliverTime.Seconds(), "delivered/s")
}

// BenchmarkReserveLimits measures one limit reservation on PostgreSQL
// (one statement), beside a bare round trip (SELECT 1) in the same run.
func BenchmarkReserveLimits(b *testing.B) {
	ctx := context.Background()
	db := pgtest.New(b)
	if err := pgchannel.Migrate(ctx, db); err != nil {
		b.Fatal(err)
	}
	cfg := channel.DefaultOnlineConfig()
	big := channel.LimitRange{Default: channel.Limits{PerTransaction: decimal.RequireFromString("1000"), PerDay: decimal.RequireFromString("1000000000"), PerMonth: decimal.RequireFromString("1000000000")}}
	big.Max = big.Default
	cfg.Limits[channel.ChannelOnline]["CNY"] = big
	svc, err := channel.NewOnline(pgchannel.New(db, pgchannel.AsyncReservations()), channel.WithOnlineConfig(cfg))
	if err != nil {
		b.Fatal(err)
	}
	amount := money.MustParse("1.00", "CNY")
	var reserve, ping time.Duration
	i := 0
	for b.Loop() {
		i++
		start := time.Now()
		if _, err := svc.ReserveLimits(ctx, "alice", channel.ChannelOnline, fmt.Sprintf("k-%d-%d", b.N, i), amount, "01900000-0000-7000-8000-00000000b001"); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		if _, err := db.ExecContext(ctx, `SELECT 1`); err != nil {
			b.Fatal(err)
		}
		ping += time.Since(mid)
		reserve += mid.Sub(start)
	}
	b.ReportMetric(float64(reserve.Microseconds())/float64(i), "reserve-µs")
	b.ReportMetric(float64(ping.Microseconds())/float64(i), "select1-µs")
}
