package refserver

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus series. Each Server has its own
// registry, so tests can run many servers in one process.
type metrics struct {
	registry         *prometheus.Registry
	requests         *prometheus.CounterVec
	latency          *prometheus.HistogramVec
	transfersPosted  *prometheus.CounterVec
	idempotentReplay prometheus.Counter
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bankkit_http_requests_total",
			Help: "HTTP requests by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "bankkit_http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method"}),
		transfersPosted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bankkit_transfers_posted_total",
			Help: "Money movements posted through the API, by kind (deposit, withdrawal, transfer, ...).",
		}, []string{"kind"}),
		idempotentReplay: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "bankkit_idempotent_replays_total",
			Help: "Requests answered from a remembered response of the same Idempotency-Key.",
		}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.transfersPosted, m.idempotentReplay,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// observe records one finished request under its route pattern (not its
// path, which would give every account its own series).
func (m *metrics) observe(r *http.Request, status int, elapsed time.Duration) {
	route := r.Pattern
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, r.Method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, r.Method).Observe(elapsed.Seconds())
}
