package pgchannel_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/channel/pgchannel"
	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/google/uuid"
)

// BenchmarkNotificationDelivery measures the outbox's delivery alone on
// PostgreSQL: b.N messages are put in the outbox untimed, then `deliverers`
// Notifiers drain it at once, each claiming `batch` a round (FOR UPDATE
// SKIP LOCKED), writing them to the file provider (one fsync per batch and
// medium) and marking them sent in one statement. The same drain on
// reference, in the same run, is the file provider alone: the same
// messages sent and flushed (fsync) 1,000 at a time without a database,
// the floor of what delivery can do on this disk; the ratio shows the
// database's share whatever the machine's load.
func BenchmarkNotificationDelivery(b *testing.B) {
	for _, deliverers := range []int{1, 4} {
		b.Run(fmt.Sprintf("deliverers=%d", deliverers), func(b *testing.B) {
			ctx := context.Background()
			db := pgtest.New(b)
			if err := pgchannel.Migrate(ctx, db); err != nil {
				b.Fatal(err)
			}
			pg := drainRate(b, pgchannel.New(db, pgchannel.AsyncDelivery()), deliverers, 1000)
			file := fileRate(b, b.N, 1000)
			b.ReportMetric(pg, "pg-msgs/s")
			b.ReportMetric(file, "file-msgs/s")
			b.ReportMetric(file/pg, "file/pg")
		})
	}
}

// drainRate enqueues b.N messages (push and inbox of b.N/2 notices) and
// returns the messages per second of draining them.
func drainRate(b *testing.B, store channel.NotificationStore, deliverers, batch int) float64 {
	b.Helper()
	ctx := context.Background()
	dir := b.TempDir()
	providers := map[channel.Medium]channel.Provider{}
	for _, m := range channel.Media() {
		p, err := channel.NewFileProvider(dir, m)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { p.Close() })
		providers[m] = p
	}
	cfg := channel.DefaultNotifyConfig()
	cfg.Location = time.UTC
	clock := calendar.NewManualClock(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
	svc, err := channel.NewNotifier(store, providers, channel.WithNotifyClock(clock), channel.WithNotifyConfig(cfg))
	if err != nil {
		b.Fatal(err)
	}
	want := 0
	for want < b.N {
		batchN := make([]channel.Notice, 0, 1000)
		for i := 0; i < 1000 && want+2*len(batchN) < b.N; i++ {
			k := want/2 + i
			batchN = append(batchN, channel.Notice{CustomerID: fmt.Sprintf("c%d", k%1000), Category: "transfer.received",
				Key: fmt.Sprintf("evt-%d", k), Subject: "Money in", Body: "CNY 250.50 from account 6222 0000 1234"})
		}
		if len(batchN) == 0 {
			batchN = append(batchN, channel.Notice{CustomerID: "c0", Category: "x", Key: fmt.Sprintf("last-%d", want), Body: "x"})
		}
		added, err := svc.NotifyAll(ctx, batchN)
		if err != nil {
			b.Fatal(err)
		}
		want += added
	}
	var mu sync.Mutex
	sent := 0
	start := time.Now()
	var wg sync.WaitGroup
	for range deliverers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				rep, err := svc.Deliver(ctx, batch)
				if err != nil {
					b.Error(err)
					return
				}
				mu.Lock()
				sent += rep.Sent
				mu.Unlock()
				if rep.Claimed == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if sent != want {
		b.Fatalf("sent %d of %d", sent, want)
	}
	return float64(sent) / elapsed.Seconds()
}

// fileRate is the file provider alone: n messages sent and flushed batch
// at a time, in messages per second.
func fileRate(b *testing.B, n, batch int) float64 {
	b.Helper()
	p, err := channel.NewFileProvider(b.TempDir(), channel.MediumPush)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()
	now := time.Now().UTC()
	start := time.Now()
	for i := 0; i < n; i++ {
		m := channel.Message{ID: uuid.Must(uuid.NewV7()), CustomerID: fmt.Sprintf("c%d", i%1000), Medium: channel.MediumPush,
			Category: "transfer.received", Subject: "Money in", Body: "CNY 250.50 from account 6222 0000 1234", CreatedAt: now}
		if err := p.Send(ctx, m); err != nil {
			b.Fatal(err)
		}
		if (i+1)%batch == 0 || i == n-1 {
			if err := p.Flush(); err != nil {
				b.Fatal(err)
			}
		}
	}
	return float64(n) / time.Since(start).Seconds()
}
