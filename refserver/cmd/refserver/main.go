// Command refserver runs bankkit's reference retail bank over HTTP.
//
//	go run ./refserver/cmd/refserver                 # in-memory bank on :8080
//	go run ./refserver/cmd/refserver -database-url postgres://postgres@127.0.0.1:5432/bank?sslmode=disable
//
// Every flag has an environment variable that sets its default.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/bankkit/bankkit/refserver"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "refserver:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("refserver", flag.ContinueOnError)
	addr := fs.String("addr", envOr("BANKKIT_ADDR", ":8080"), "listen address (env BANKKIT_ADDR)")
	dbURL := fs.String("database-url", os.Getenv("BANKKIT_DATABASE_URL"), "PostgreSQL URL; empty runs in memory (env BANKKIT_DATABASE_URL)")
	shutdown := fs.Duration("shutdown-timeout", 15*time.Second, "how long in-flight requests get on SIGINT/SIGTERM")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := refserver.New(ctx, refserver.Config{
		Addr:            *addr,
		DatabaseURL:     *dbURL,
		ShutdownTimeout: *shutdown,
		Logger:          logger,
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	return srv.ListenAndServe(ctx)
}

func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}
