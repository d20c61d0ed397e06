package refserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // PostgreSQL driver
)

// Server is a running bank: its storage and its HTTP handler.
type Server struct {
	cfg     Config
	log     *slog.Logger
	db      *sqlx.DB // nil on in-memory storage
	handler http.Handler
	metrics *metrics
}

// migrations lists each subsystem's PostgreSQL migration function; the
// server applies all of them at start.
var migrations []func(context.Context, *sqlx.DB) error

// New builds the server: it opens the storage chosen by cfg (applying every
// subsystem's migrations on PostgreSQL) and assembles the HTTP routes.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("refserver: invalid configuration:\n%w", err)
	}
	s := &Server{cfg: cfg, log: cfg.Logger, metrics: newMetrics()}
	if s.log == nil {
		s.log = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	if cfg.DatabaseURL != "" {
		db, err := sqlx.ConnectContext(ctx, "postgres", cfg.DatabaseURL)
		if err != nil {
			return nil, fmt.Errorf("refserver: connect to PostgreSQL: %w", err)
		}
		for _, migrate := range migrations {
			if err := migrate(ctx, db); err != nil {
				db.Close()
				return nil, fmt.Errorf("refserver: migrate: %w", err)
			}
		}
		s.db = db
		s.log.Info("storage ready", "storage", "postgres")
	} else {
		s.log.Info("storage ready", "storage", "memory")
	}
	s.handler = s.routes()
	return s, nil
}

// Handler returns the server's HTTP handler (for tests and embedding).
func (s *Server) Handler() http.Handler { return s.handler }

// Close releases the storage.
func (s *Server) Close() error {
	if s.db != nil {
		return s.db.Close()
	}
	return nil
}

// ListenAndServe serves on cfg.Addr until ctx is cancelled, then stops
// accepting connections and waits up to ShutdownTimeout for in-flight
// requests to finish.
func (s *Server) ListenAndServe(ctx context.Context) error {
	srv := &http.Server{
		Addr:              s.cfg.Addr,
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	s.log.Info("listening", "addr", s.cfg.Addr)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	timeout := s.cfg.ShutdownTimeout
	if timeout == 0 {
		timeout = 15 * time.Second
	}
	s.log.Info("shutting down", "timeout", timeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("refserver: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	s.log.Info("stopped")
	return nil
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", s.metrics.handler())
	return s.withRequestLog(mux)
}

// healthz answers as long as the process serves HTTP.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 only when the storage can serve requests.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.db != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.db.PingContext(ctx); err != nil {
			s.log.WarnContext(r.Context(), "readiness check failed", "error", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "storage": "postgres"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready", "storage": "postgres"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready", "storage": "memory"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
