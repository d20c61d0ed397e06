// Command bankload measures the reference server through HTTP: concurrent
// clients post transfers (each with its own Idempotency-Key) between random
// accounts, and it reports transfers per second with p50 and p99 latency at
// each client count.
//
// It starts the server in this process, on a scratch database bankkit_load
// that it creates afresh on the PostgreSQL server named by -database-url
// (or in memory with -memory), and talks to it over loopback TCP:
//
//	go run ./refserver/cmd/bankload -database-url 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'
package main

import (
	"bytes"
	"context"
	"encoding/json"
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
	_ "github.com/lib/pq"

	"github.com/bankkit/bankkit/refserver"
)

const adminToken = "bk_load_admin_token_0123456789abcdefghijkl"

func main() {
	dbURL := flag.String("database-url", os.Getenv("BANKKIT_DATABASE_URL"), "PostgreSQL server to create the scratch database bankkit_load on")
	memory := flag.Bool("memory", false, "run the server on in-memory storage instead")
	clients := flag.String("clients", "1,8,32", "comma-separated client counts")
	duration := flag.Duration("duration", 15*time.Second, "how long each client count runs")
	accounts := flag.Int("accounts", 200, "accounts transfers move between")
	flag.Parse()
	if err := run(*dbURL, *memory, *clients, *duration, *accounts, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bankload:", err)
		os.Exit(1)
	}
}

func run(dbURL string, memory bool, clientList string, duration time.Duration, nAccounts int, out io.Writer) error {
	var counts []int
	for _, c := range strings.Split(clientList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			return fmt.Errorf("-clients: %q is not a positive number", c)
		}
		counts = append(counts, n)
	}
	if nAccounts < 2 {
		return fmt.Errorf("-accounts: need at least 2")
	}
	ctx := context.Background()
	cfg := refserver.Config{Addr: "127.0.0.1:0", AdminToken: adminToken, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		PIIKeyring: "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=,index:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="}
	storage := "memory"
	if !memory {
		if dbURL == "" {
			return fmt.Errorf("give -database-url (or -memory)")
		}
		scratch, err := freshDatabase(ctx, dbURL, "bankkit_load")
		if err != nil {
			return err
		}
		cfg.DatabaseURL = scratch
		storage = "postgres"
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
	base := "http://" + l.Addr().String()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 30 * time.Second}

	ids, err := setup(client, base, nAccounts)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "bankload: POST /v1/transfers through HTTP, %s storage, %d accounts, %s per step\n", storage, nAccounts, duration)
	fmt.Fprintf(out, "%8s %12s %10s %10s %8s\n", "clients", "transfers/s", "p50", "p99", "errors")
	for _, c := range counts {
		r := load(client, base, ids, c, duration)
		fmt.Fprintf(out, "%8d %12.0f %10s %10s %8d\n", c, r.tps, r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond), r.errors)
	}
	return nil
}

// freshDatabase drops and creates database name on the server of base and
// returns a URL pointing at it.
func freshDatabase(ctx context.Context, base, name string) (string, error) {
	admin, err := sqlx.ConnectContext(ctx, "postgres", base)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return "", err
	}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("-database-url must be a postgres:// URL: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
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

func post(client *http.Client, base, path string, body any) (map[string]any, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", base+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", nextKey())
	res, err := client.Do(req)
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
// well beyond what the run can spend.
func setup(client *http.Client, base string, n int) ([]string, error) {
	c, err := post(client, base, "/v1/customers", map[string]any{
		"full_name": "Load Test", "gender": "unspecified", "date_of_birth": "1980-01-01", "phone": "+8613000000000",
		"national_id": map[string]any{"type": "PASSPORT", "number": "LOAD0001", "country": "CN"}})
	if err != nil {
		return nil, err
	}
	cid := c["id"].(string)
	if _, err := post(client, base, "/v1/customers/"+cid+"/kyc", map[string]any{"status": "verified", "note": "load test"}); err != nil {
		return nil, err
	}
	ids := make([]string, n)
	for i := range ids {
		a, err := post(client, base, "/v1/accounts", map[string]any{"customer_id": cid, "product": "demand", "currency": "CNY"})
		if err != nil {
			return nil, err
		}
		ids[i] = a["id"].(string)
		if _, err := post(client, base, "/v1/deposits", map[string]any{"account_id": ids[i], "amount": map[string]any{"value": "1000000.00", "currency": "CNY"}}); err != nil {
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

func load(client *http.Client, base string, ids []string, clients int, d time.Duration) result {
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
				_, err := post(client, base, "/v1/transfers", map[string]any{"from_account_id": ids[from], "to_account_id": ids[to],
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
