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
	adminToken := fs.String("admin-token", os.Getenv("BANKKIT_ADMIN_TOKEN"), "bootstrap admin bearer token, at least 32 characters; empty makes a random one and logs it (env BANKKIT_ADMIN_TOKEN)")
	keysFile := fs.String("pii-keys-file", os.Getenv("BANKKIT_PII_KEYS_FILE"), "file holding the customer-data keyring; or put the keyring itself in BANKKIT_PII_KEYS (env BANKKIT_PII_KEYS_FILE)")
	tlsCert := fs.String("tls-cert", os.Getenv("BANKKIT_TLS_CERT"), "TLS certificate file; with -tls-key serves HTTPS (env BANKKIT_TLS_CERT)")
	tlsKey := fs.String("tls-key", os.Getenv("BANKKIT_TLS_KEY"), "TLS private key file (env BANKKIT_TLS_KEY)")
	demo := fs.Bool("demo", os.Getenv("BANKKIT_DEMO") == "1", "seed a small demo bank: customers, accounts and four weeks of activity (env BANKKIT_DEMO=1)")
	clearingDir := fs.String("clearing-dir", os.Getenv("BANKKIT_CLEARING_DIR"), "directory for outbound ISO 20022 clearing messages; empty: a temporary one (env BANKKIT_CLEARING_DIR)")
	dormancy := fs.Int("dormancy-days", 365, "days without customer activity before end of day marks a demand account dormant; negative: never")
	maxConns := fs.Int("db-max-conns", 32, "PostgreSQL connection pool size")
	lease := fs.Duration("idempotency-lease", 30*time.Second, "how long a request holds its Idempotency-Key before a retry may take over")
	shutdown := fs.Duration("shutdown-timeout", 15*time.Second, "how long in-flight requests get on SIGINT/SIGTERM")
	if err := fs.Parse(args); err != nil {
		return err
	}
	keyring := os.Getenv("BANKKIT_PII_KEYS")
	if *keysFile != "" {
		if keyring != "" {
			return fmt.Errorf("set the PII keyring once: BANKKIT_PII_KEYS or -pii-keys-file, not both")
		}
		b, err := os.ReadFile(*keysFile)
		if err != nil {
			return fmt.Errorf("PII keyring file: %w", err)
		}
		keyring = string(b)
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := refserver.New(ctx, refserver.Config{
		Addr:             *addr,
		DatabaseURL:      *dbURL,
		AdminToken:       *adminToken,
		PIIKeyring:       keyring,
		TLSCertFile:      *tlsCert,
		TLSKeyFile:       *tlsKey,
		Demo:             *demo,
		DatabaseMaxConns: *maxConns,
		ClearingDir:      *clearingDir,
		DormancyDays:     *dormancy,
		IdempotencyLease: *lease,
		ShutdownTimeout:  *shutdown,
		Logger:           logger,
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
