package refserver

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"
)

// Config is everything the server needs to start. The zero value plus an
// address runs the bank in memory.
type Config struct {
	// Addr is the TCP address to listen on, e.g. ":8080".
	Addr string
	// DatabaseURL selects PostgreSQL storage (postgres://...); empty means
	// in-memory storage.
	DatabaseURL string
	// ShutdownTimeout bounds how long in-flight requests get to finish on
	// SIGINT/SIGTERM.
	ShutdownTimeout time.Duration
	// Logger receives structured logs; nil means JSON to stderr.
	Logger *slog.Logger
}

// Validate reports every problem with c at once, naming the setting.
func (c Config) Validate() error {
	var errs []error
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		errs = append(errs, fmt.Errorf("listen address %q: want host:port such as :8080", c.Addr))
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		errs = append(errs, fmt.Errorf("database URL: want postgres://user@host:port/db, got a value starting %q", prefix(c.DatabaseURL)))
	}
	if c.ShutdownTimeout < 0 {
		errs = append(errs, fmt.Errorf("shutdown timeout %s: must not be negative", c.ShutdownTimeout))
	}
	return errors.Join(errs...)
}

// prefix shows the start of a value without echoing secrets it may hold.
func prefix(s string) string {
	if len(s) > 10 {
		return s[:10] + "..."
	}
	return s
}
