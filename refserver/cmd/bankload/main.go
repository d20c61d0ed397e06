// Command bankload measures the reference server through HTTP: concurrent
// clients post transfers (each with its own Idempotency-Key) between random
// accounts, and it reports transfers per second with p50 and p99 latency at
// each client count.
//
// It starts the server in this process and talks to it over loopback TCP,
// in memory (-memory) or on the database -database-name (default
// bankkit_load) of the PostgreSQL server named by -database-url. A
// database that exists is used as it is and kept; one that does not is
// created for the run and dropped after it. bankload never drops a
// database it did not create.
//
//	go run ./refserver/cmd/bankload -database-url 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/refserver"
)

// options are the command's flags.
type options struct {
	dbURL, dbName string
	memory        bool
	clients       string
	duration      time.Duration
	accounts      int
}

func main() {
	var o options
	flag.StringVar(&o.dbURL, "database-url", os.Getenv("BANKKIT_DATABASE_URL"), "PostgreSQL server to run on")
	flag.StringVar(&o.dbName, "database-name", "bankkit_load", "database to run in: used and kept if it exists, else created and dropped after the run")
	flag.BoolVar(&o.memory, "memory", false, "run the server on in-memory storage instead")
	flag.StringVar(&o.clients, "clients", "1,8,32", "comma-separated client counts")
	flag.DurationVar(&o.duration, "duration", 15*time.Second, "how long each client count runs")
	flag.IntVar(&o.accounts, "accounts", 200, "accounts transfers move between")
	flag.Parse()
	if err := run(o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bankload:", err)
		os.Exit(1)
	}
}

func run(o options, out io.Writer) (err error) {
	var counts []int
	for _, c := range strings.Split(o.clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			return fmt.Errorf("-clients: %q is not a positive number", c)
		}
		counts = append(counts, n)
	}
	if o.accounts < 2 {
		return fmt.Errorf("-accounts: need at least 2")
	}
	token, err := channel.GenerateToken()
	if err != nil {
		return err
	}
	ctx := context.Background()
	cfg := refserver.Config{Addr: "127.0.0.1:0", AdminToken: token, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		PIIKeyring: "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=,index:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="}
	storage := "memory"
	if !o.memory {
		if o.dbURL == "" {
			return fmt.Errorf("give -database-url (or -memory)")
		}
		db, err := openDatabase(ctx, o.dbURL, o.dbName)
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, db.release(ctx)) }()
		if cfg.ClearingDir, err = os.MkdirTemp("", "bankload-clearing-"); err != nil {
			return err
		}
		defer os.RemoveAll(cfg.ClearingDir)
		cfg.DatabaseURL = db.url
		storage = "postgres, database " + o.dbName
	}
	srv, err := refserver.New(ctx, cfg)
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
	c := &client{http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 30 * time.Second},
		base: "http://" + l.Addr().String(), token: token}

	ids, err := setup(c, o.accounts)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "bankload: POST /v1/transfers through HTTP, %s storage, %d accounts, %s per step\n", storage, o.accounts, o.duration)
	fmt.Fprintf(out, "%8s %12s %10s %10s %8s\n", "clients", "transfers/s", "p50", "p99", "errors")
	for _, n := range counts {
		r := load(c, ids, n, o.duration)
		fmt.Fprintf(out, "%8d %12.0f %10s %10s %8d\n", n, r.tps, r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond), r.errors)
	}
	return nil
}

// database is the database a run uses.
type database struct {
	url     string
	name    string
	base    string
	created bool // by this run, which drops it when done
}

// openDatabase returns database name on the server of base, creating it
// when it does not exist.
func openDatabase(ctx context.Context, base, name string) (*database, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, fmt.Errorf("-database-url must be a postgres:// URL")
	}
	if name == "" {
		return nil, fmt.Errorf("-database-name is empty")
	}
	admin, err := sqlx.ConnectContext(ctx, "postgres", base)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	d := &database{name: name, base: base}
	var exists bool
	if err := admin.GetContext(ctx, &exists, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name); err != nil {
		return nil, err
	}
	if !exists {
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name)); err != nil {
			return nil, err
		}
		d.created = true
	}
	u.Path = "/" + name
	d.url = u.String()
	return d, nil
}

// release drops the database if this run created it, and only then.
func (d *database) release(ctx context.Context) error {
	if !d.created {
		return nil
	}
	admin, err := sqlx.ConnectContext(ctx, "postgres", d.base)
	if err != nil {
		return err
	}
	defer admin.Close()
	_, err = admin.ExecContext(ctx, "DROP DATABASE "+pq.QuoteIdentifier(d.name))
	return err
}

var keyN struct {
	sync.Mutex
	n int
}

func nextKey() string {
	keyN.Lock()
	defer keyN.Unlock()
	keyN.n++
	return "load-" + strconv.Itoa(keyN.n)
}

// client talks to the server under test as its bootstrap admin.
type client struct {
	http        *http.Client
	base, token string
}

func (c *client) post(path string, body any) (map[string]any, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", c.base+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", nextKey())
	res, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		return nil, fmt.Errorf("POST %s: %d %s", path, res.StatusCode, raw)
	}
	var out map[string]any
	return out, json.Unmarshal(raw, &out)
}

// setup creates one verified customer holding every account, each funded
// well beyond what the run can spend. The customer is new each run (a
// passport number of its own), so runs can share a database.
func setup(c *client, n int) ([]string, error) {
	passport := "L" + strings.ToUpper(strconv.FormatInt(time.Now().UnixNano(), 36))
	cust, err := c.post("/v1/customers", map[string]any{
		"full_name": "Load Test", "gender": "unspecified", "date_of_birth": "1980-01-01", "phone": "+8613000000000",
		"national_id": map[string]any{"type": "PASSPORT", "number": passport, "country": "CN"}})
	if err != nil {
		return nil, err
	}
	cid := cust["id"].(string)
	if _, err := c.post("/v1/customers/"+cid+"/kyc", map[string]any{"status": "verified", "note": "load test"}); err != nil {
		return nil, err
	}
	ids := make([]string, n)
	for i := range ids {
		a, err := c.post("/v1/accounts", map[string]any{"customer_id": cid, "product": "demand", "currency": "CNY"})
		if err != nil {
			return nil, err
		}
		ids[i] = a["id"].(string)
		if _, err := c.post("/v1/deposits", map[string]any{"account_id": ids[i], "amount": map[string]any{"value": "1000000.00", "currency": "CNY"}}); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

type result struct {
	tps      float64
	p50, p99 time.Duration
	errors   int
}

func load(c *client, ids []string, clients int, d time.Duration) result {
	var mu sync.Mutex
	var lat []time.Duration
	errs := 0
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), uint64(clients)))
			var mine []time.Duration
			bad := 0
			for time.Now().Before(deadline) {
				from, to := rng.IntN(len(ids)), rng.IntN(len(ids)-1)
				if to >= from {
					to++
				}
				t0 := time.Now()
				_, err := c.post("/v1/transfers", map[string]any{"from_account_id": ids[from], "to_account_id": ids[to],
					"amount": map[string]any{"value": fmt.Sprintf("0.%02d", 1+rng.IntN(99)), "currency": "CNY"}})
				if err != nil {
					bad++
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	r := result{errors: errs, tps: float64(len(lat)) / elapsed.Seconds()}
	if len(lat) > 0 {
		r.p50 = lat[len(lat)*50/100]
		r.p99 = lat[min(len(lat)-1, len(lat)*99/100)]
	}
	return r
}
