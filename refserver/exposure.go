package refserver

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"
)

// metricsAccess opens /metrics to the scraper's token, or to anyone when
// the metrics are public. The series name routes and count requests, which
// tells an outsider what the bank is doing; they are closed by default.
func (s *Server) metricsAccess(next http.Handler) http.Handler {
	if s.cfg.MetricsPublic {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.MetricsToken == "" {
			s.fail(w, r, fmt.Errorf("%w: metrics are closed; configure a metrics token (BANKKIT_METRICS_TOKEN) for the scraper, or make them public (BANKKIT_METRICS_PUBLIC=1)", errUnauthenticated))
			return
		}
		if !sameSecret(bearerToken(r), s.cfg.MetricsToken) {
			s.fail(w, r, fmt.Errorf("%w: send Authorization: Bearer <the metrics token>", errUnauthenticated))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// openAPIAccess opens /openapi.json to anyone, or, when it is private, to
// signed-in callers.
func (s *Server) openAPIAccess(next http.Handler) http.Handler {
	if !s.cfg.OpenAPIPrivate {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := s.authenticate(r); err != nil {
			s.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// bearerToken is the request's bearer token, or "".
func bearerToken(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// sameSecret compares a presented secret with the configured one in time
// that does not depend on where they differ.
func sameSecret(presented, configured string) bool {
	a, b := sha256.Sum256([]byte(presented)), sha256.Sum256([]byte(configured))
	return presented != "" && subtle.ConstantTimeCompare(a[:], b[:]) == 1
}
