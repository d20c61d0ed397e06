// Command atmsim drives a fleet of simulated ATMs against the reference
// server over HTTP, for demos and load tests: it registers the devices
// (each gets its own credential), loads their cassettes from the vault,
// and then runs rounds in which every device, at once with the others,
// sends heartbeats with its note counts, serves withdrawals of the
// simulated customers (some notes jam: partial and failed dispenses;
// some reports are sent twice, as a device retrying after a lost answer
// would), reports faults and recovers, and is replenished when its cash
// runs low. At the end it asks for the fleet's reconciliation and checks
// every device's ledger balance equals its cassettes (and the
// simulator's own count of them); a difference is an error.
//
// It runs against a server at -url with a staff token (-token: admin or
// atm_operator with teller rights to set up customers), or, with -memory,
// starts one in this process.
//
//	go run ./refserver/cmd/atmsim -memory -devices 20 -rounds 50
//
// (-memory with -database-url runs that in-process server on PostgreSQL.)
package main

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/refserver"
)

// options are the command's flags.
type options struct {
	url, token  string
	memory      bool
	dbURL       string
	devices     int
	customers   int
	rounds      int
	seed        uint64
	faultRate   float64
	partialRate float64
	failRate    float64
	retryRate   float64
}

func main() {
	var o options
	flag.StringVar(&o.url, "url", "", "the reference server's base URL (or -memory)")
	flag.StringVar(&o.token, "token", os.Getenv("BANKKIT_ADMIN_TOKEN"), "a staff token with the admin role")
	flag.BoolVar(&o.memory, "memory", false, "start a reference server in memory in this process")
	flag.StringVar(&o.dbURL, "database-url", "", "with -memory: start the server in this process on this PostgreSQL database instead")
	flag.IntVar(&o.devices, "devices", 20, "devices in the fleet")
	flag.IntVar(&o.customers, "customers", 10, "customers withdrawing")
	flag.IntVar(&o.rounds, "rounds", 50, "rounds: each device heartbeats and serves a withdrawal per round")
	flag.Uint64Var(&o.seed, "seed", 1, "random seed")
	flag.Float64Var(&o.faultRate, "fault-rate", 0.03, "chance a device reports a fault in a round (it recovers in the next)")
	flag.Float64Var(&o.partialRate, "partial-rate", 0.05, "chance a dispense is partial")
	flag.Float64Var(&o.failRate, "fail-rate", 0.03, "chance a dispense fails")
	flag.Float64Var(&o.retryRate, "retry-rate", 0.1, "chance a device sends its dispense report twice")
	flag.Parse()
	if err := run(o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "atmsim:", err)
		os.Exit(1)
	}
}

// client talks to the server: as staff with a bearer token, as a device
// with its own credential.
type client struct {
	http  *http.Client
	base  string
	token string
	run   string
	keys  atomic.Int64
}

// reply is a decoded answer.
type reply struct {
	status int
	body   map[string]any
	raw    []byte
}

func (r reply) str(k string) string { s, _ := r.body[k].(string); return s }

func (r reply) problem() string {
	return strings.TrimPrefix(r.str("type"), "https://bankkit.dev/problems/")
}

func (c *client) do(method, path string, body any, device string) (reply, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return reply{}, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return reply{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if device != "" {
		req.Header.Set("X-ATM-Token", device)
	} else {
		req.Header.Set("Authorization", "Bearer "+c.token)
		if method == http.MethodPost {
			req.Header.Set("Idempotency-Key", "atmsim-"+c.run+"-"+strconv.FormatInt(c.keys.Add(1), 10))
		}
	}
	res, err := c.http.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer res.Body.Close()
	out := reply{status: res.StatusCode}
	if out.raw, err = io.ReadAll(res.Body); err != nil {
		return reply{}, err
	}
	if len(out.raw) > 0 && out.raw[0] == '{' {
		if err := json.Unmarshal(out.raw, &out.body); err != nil {
			return reply{}, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return out, nil
}

// must sends a request and insists on the status.
func (c *client) must(status int, method, path string, body any, device string) (reply, error) {
	r, err := c.do(method, path, body, device)
	if err != nil {
		return r, err
	}
	if r.status != status {
		return r, fmt.Errorf("%s %s: %d, want %d: %s", method, path, r.status, status, r.raw)
	}
	return r, nil
}

// The simulated devices' cassettes: 100s and 50s.
var denominations = []int{100, 50}

const (
	capacity100, capacity50 = 2000, 1000
	load100, load50         = 200, 120
	low100, low50           = 60, 40
)

// device is the simulator's side of one ATM: its credential and its own
// count of the notes in it.
type device struct {
	id, token string
	counts    []int
	faulted   bool
	rng       *rand.Rand
}

// stats are the run's counts.
type stats struct {
	mu                                    sync.Mutex
	heartbeats, withdrawals, partial      int
	failed, declined, faults, replenished int
	retries                               int
	heartbeatLatency                      []time.Duration
}

func (s *stats) add(f func(s *stats)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func run(o options, out io.Writer) error {
	if o.devices < 1 || o.customers < 1 || o.rounds < 0 {
		return errors.New("-devices and -customers must be positive, -rounds not negative")
	}
	base, token := o.url, o.token
	if o.memory {
		var err error
		token, err = channel.GenerateToken()
		if err != nil {
			return err
		}
		cfg := refserver.Config{Addr: "127.0.0.1:0", AdminToken: token, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
		if o.dbURL != "" {
			// The simulator's customers are its own: a keyring of this run
			// is enough (BANKKIT_PII_KEYS, if set, is the server's).
			cfg.DatabaseURL, cfg.PIIKeyring = o.dbURL, os.Getenv("BANKKIT_PII_KEYS")
			if cfg.PIIKeyring == "" {
				cfg.PIIKeyring = "k1:" + randomKey() + ",index:" + randomKey()
			}
			if cfg.ClearingDir, err = os.MkdirTemp("", "atmsim-clearing-"); err != nil {
				return err
			}
			defer os.RemoveAll(cfg.ClearingDir)
		}
		srv, err := refserver.New(context.Background(), cfg)
		if err != nil {
			return err
		}
		defer srv.Close()
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		hs := &http.Server{Handler: srv.Handler()}
		go func() { _ = hs.Serve(l) }()
		defer hs.Close()
		base = "http://" + l.Addr().String()
	}
	if base == "" || token == "" {
		return errors.New("give -url and -token, or -memory")
	}
	c := &client{http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 30 * time.Second},
		base: strings.TrimRight(base, "/"), token: token, run: strings.ToUpper(strconv.FormatInt(time.Now().UnixNano(), 36))}

	accounts, err := setupCustomers(c, o.customers)
	if err != nil {
		return err
	}
	bd, err := c.must(200, "GET", "/v1/business-date", nil, "")
	if err != nil {
		return err
	}
	day := bd.str("business_date")
	devices := make([]*device, o.devices)
	for i := range devices {
		d := &device{id: fmt.Sprintf("SIM-%s-%d", c.run, i), rng: rand.New(rand.NewPCG(o.seed, uint64(i)))}
		r, err := c.must(201, "POST", "/v1/atm/devices", map[string]any{"id": d.id, "branch": fmt.Sprintf("Branch %d", i%5),
			"address": fmt.Sprintf("%d Nanjing Road", i+1), "latitude": "31.2304", "longitude": "121.4737", "model": "SIM-1",
			"cassettes": []any{
				map[string]any{"currency": "CNY", "denomination": "100", "capacity": capacity100, "low_at": low100},
				map[string]any{"currency": "CNY", "denomination": "50", "capacity": capacity50, "low_at": low50},
			}}, "")
		if err != nil {
			return err
		}
		d.token = r.str("token")
		d.counts = []int{0, 0}
		devices[i] = d
	}
	st := &stats{}
	for _, d := range devices {
		if err := replenish(c, d, day, st); err != nil {
			return err
		}
	}
	start := time.Now()
	for round := range o.rounds {
		var wg sync.WaitGroup
		errs := make(chan error, len(devices))
		for _, d := range devices {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := step(c, o, d, round, day, accounts, st); err != nil {
					errs <- fmt.Errorf("device %s, round %d: %w", d.id, round, err)
				}
			}()
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			return err
		}
	}
	elapsed := time.Since(start)
	return report(c, o, devices, st, elapsed, out)
}

// setupCustomers opens a funded account for each customer.
func setupCustomers(c *client, n int) ([]string, error) {
	ids := make([]string, n)
	for i := range ids {
		cust, err := c.must(201, "POST", "/v1/customers", map[string]any{
			"full_name": "ATM Sim", "gender": "unspecified", "date_of_birth": "1980-01-01", "phone": "+8613000000000",
			"national_id": map[string]any{"type": "PASSPORT", "number": fmt.Sprintf("A%s%04d", c.run, i), "country": "CN"}}, "")
		if err != nil {
			return nil, err
		}
		id := cust.str("id")
		if _, err := c.must(200, "POST", "/v1/customers/"+id+"/kyc", map[string]any{"status": "verified", "note": "atmsim"}, ""); err != nil {
			return nil, err
		}
		a, err := c.must(201, "POST", "/v1/accounts", map[string]any{"customer_id": id, "product": "demand", "currency": "CNY"}, "")
		if err != nil {
			return nil, err
		}
		ids[i] = a.str("id")
		if _, err := c.must(201, "POST", "/v1/deposits", map[string]any{"account_id": ids[i],
			"amount": map[string]any{"value": "5000000.00", "currency": "CNY"}}, ""); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// replenish orders, loads and confirms a full load of the device.
func replenish(c *client, d *device, day string, st *stats) error {
	r, err := c.must(201, "POST", "/v1/atm/devices/"+d.id+"/replenishments", map[string]any{"scheduled_for": day, "lines": []any{
		map[string]any{"currency": "CNY", "denomination": "100", "count": load100},
		map[string]any{"currency": "CNY", "denomination": "50", "count": load50},
	}}, "")
	if err != nil {
		return err
	}
	id := r.str("id")
	if _, err := c.must(200, "POST", "/v1/atm/replenishments/"+id+"/load", nil, ""); err != nil {
		return err
	}
	d.counts = []int{load100, load50}
	if _, err := c.must(200, "POST", "/v1/atm/device/replenishments/"+id+"/confirm", map[string]any{"counts": d.counts}, d.token); err != nil {
		return err
	}
	st.add(func(s *stats) { s.replenished++ })
	return nil
}

func (d *device) heartbeat(c *client, body map[string]any, st *stats) error {
	t0 := time.Now()
	_, err := c.must(200, "POST", "/v1/atm/device/heartbeat", body, d.token)
	lat := time.Since(t0)
	st.add(func(s *stats) { s.heartbeats++; s.heartbeatLatency = append(s.heartbeatLatency, lat) })
	return err
}

// step is one device's round.
func step(c *client, o options, d *device, round int, day string, accounts []string, st *stats) error {
	if d.faulted { // the engineer came: it recovers
		d.faulted = false
		return d.heartbeat(c, map[string]any{"state": "ok", "counts": d.counts}, st)
	}
	if d.rng.Float64() < o.faultRate {
		d.faulted = true
		st.add(func(s *stats) { s.faults++ })
		return d.heartbeat(c, map[string]any{"state": "fault", "fault_code": fmt.Sprintf("E%03d", 100+d.rng.IntN(20)), "counts": d.counts}, st)
	}
	if err := d.heartbeat(c, map[string]any{"state": "ok", "counts": d.counts}, st); err != nil {
		return err
	}
	amount := 50 * (2 + d.rng.IntN(39)) // 100.00 to 2,000.00
	txn := fmt.Sprintf("r%d", round)
	w, err := c.do("POST", "/v1/atm/device/withdrawals", map[string]any{"txn_id": txn, "account_id": accounts[d.rng.IntN(len(accounts))],
		"amount": map[string]any{"value": strconv.Itoa(amount) + ".00", "currency": "CNY"}}, d.token)
	if err != nil {
		return err
	}
	switch {
	case w.status == http.StatusUnprocessableEntity && w.problem() == "cannot-dispense":
		return replenish(c, d, day, st)
	case w.status == http.StatusUnprocessableEntity:
		st.add(func(s *stats) { s.declined++ })
		return nil
	case w.status != http.StatusCreated:
		return fmt.Errorf("withdrawal: %d %s", w.status, w.raw)
	}
	var plan []map[string]any
	for _, n := range w.body["notes"].([]any) {
		plan = append(plan, n.(map[string]any))
	}
	dispensed := slices.Clone(plan)
	roll := d.rng.Float64()
	switch {
	case roll < o.failRate:
		dispensed = []map[string]any{}
	case roll < o.failRate+o.partialRate:
		last := maps(dispensed[len(dispensed)-1])
		last["count"] = last["count"].(float64) - 1
		dispensed[len(dispensed)-1] = last
	}
	sends := 1
	if d.rng.Float64() < o.retryRate {
		sends = 2
	}
	var state string
	for i := range sends {
		r, err := c.must(200, "POST", "/v1/atm/device/withdrawals/"+txn+"/dispense", map[string]any{"dispensed": dispensed}, d.token)
		if err != nil {
			return err
		}
		if i > 0 && r.str("state") != state {
			return fmt.Errorf("a repeated dispense report answered %s, the first %s", r.str("state"), state)
		}
		state = r.str("state")
	}
	for _, n := range dispensed {
		den, _ := strconv.Atoi(n["denomination"].(string))
		d.counts[slices.Index(denominations, den)] -= int(n["count"].(float64))
	}
	st.add(func(s *stats) {
		s.withdrawals++
		s.retries += sends - 1
		switch state {
		case "partial":
			s.partial++
		case "failed":
			s.failed++
		}
	})
	if d.counts[0] <= low100 || d.counts[1] <= low50 {
		return replenish(c, d, day, st)
	}
	return nil
}

func randomKey() string {
	var b [32]byte
	_, _ = crand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

func maps(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// report checks the fleet's reconciliation and prints the run's figures.
func report(c *client, o options, devices []*device, st *stats, elapsed time.Duration, out io.Writer) error {
	rec, err := c.must(200, "GET", "/v1/atm/reconciliation", nil, "")
	if err != nil {
		return err
	}
	lines := map[string]map[string]any{}
	for _, l := range rec.body["lines"].([]any) {
		m := l.(map[string]any)
		lines[m["device_id"].(string)] = m
	}
	value := func(m map[string]any, k string) string { return m[k].(map[string]any)["value"].(string) }
	for _, d := range devices {
		l, ok := lines[d.id]
		if !ok {
			return fmt.Errorf("device %s is not in the reconciliation", d.id)
		}
		own := fmt.Sprintf("%d.00", d.counts[0]*100+d.counts[1]*50)
		if value(l, "ledger") != value(l, "counted") || value(l, "counted") != own {
			return fmt.Errorf("device %s: ledger %s, counted %s, the simulator's count %s", d.id, value(l, "ledger"), value(l, "counted"), own)
		}
	}
	slices.Sort(st.heartbeatLatency)
	pct := func(p float64) time.Duration {
		if len(st.heartbeatLatency) == 0 {
			return 0
		}
		return st.heartbeatLatency[int(p*float64(len(st.heartbeatLatency)-1))]
	}
	fmt.Fprintf(out, "atmsim: %d devices, %d rounds in %s\n", len(devices), o.rounds, elapsed.Round(time.Millisecond))
	fmt.Fprintf(out, "  heartbeats %d (p50 %s, p99 %s), faults %d\n", st.heartbeats, pct(0.5).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), st.faults)
	fmt.Fprintf(out, "  withdrawals %d (partial %d, failed %d, reports sent twice %d), declined %d, replenishments %d\n",
		st.withdrawals, st.partial, st.failed, st.retries, st.declined, st.replenished)
	fmt.Fprintf(out, "  reconciliation: every device's ledger balance equals its cassettes (%d devices, differences %v)\n", len(devices), rec.body["differences"])
	return nil
}
