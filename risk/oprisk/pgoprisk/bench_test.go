package pgoprisk_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/risk/oprisk"
	"github.com/bankkit/bankkit/risk/oprisk/memoprisk"
	"github.com/bankkit/bankkit/risk/oprisk/pgoprisk"
)

// BenchmarkAppend measures one audit append, the cost every staff request
// pays: on PostgreSQL a transaction that locks the head row, inserts the
// record and moves the head.
func BenchmarkAppend(b *testing.B) {
	for _, backend := range []string{"memory", "postgres", "postgres-async-commit"} {
		b.Run(backend, func(b *testing.B) {
			var st oprisk.Store = memoprisk.New()
			if backend != "memory" {
				db := pgtest.New(b)
				require.NoError(b, pgoprisk.Migrate(context.Background(), db))
				var opts []pgoprisk.Option
				if backend == "postgres-async-commit" {
					opts = append(opts, pgoprisk.AsyncCommit())
				}
				st = pgoprisk.New(db, opts...)
			}
			svc, err := oprisk.NewService(st)
			require.NoError(b, err)
			ctx := context.Background()
			rec := oprisk.Record{ActorID: "0190a1b2-0000-7000-8000-000000000001", Actor: "teller1", Roles: []string{"teller"},
				Action: "accounts.read", Method: "GET", Path: "/v1/accounts/x", Outcome: 200, RequestID: "r", Address: "192.0.2.1"}
			b.Run("serial", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					rec.Object = strconv.Itoa(i)
					if _, _, err := svc.Append(ctx, rec); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("parallel", func(b *testing.B) {
				b.SetParallelism(4)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, _, err := svc.Append(ctx, rec); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		})
	}
}
