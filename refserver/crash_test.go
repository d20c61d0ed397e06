package refserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/pgtest"
)

// The crash test runs the real server binary on PostgreSQL, drives it with
// concurrent clients doing transfers with idempotency keys, kills it with
// SIGKILL several times mid-load and restarts it, then proves that no money
// was created or lost and nothing was posted twice.

const (
	crashAdminToken = "bk_crash_admin_token_0123456789abcdefghij"
	crashKeyring    = "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=,index:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
	crashAccounts   = 8
	crashWorkers    = 8
	crashKills      = 4
	crashOpening    = "10000.00"
)

type crashServer struct {
	t    *testing.T
	bin  string
	addr string
	env  []string
	cmd  *exec.Cmd
	logs *bytes.Buffer
	// lease is the -idempotency-lease flag; "" leaves the default (30 s).
	lease string
}

func (s *crashServer) start() {
	s.t.Helper()
	args := []string{"-addr", s.addr}
	if s.lease != "" {
		args = append(args, "-idempotency-lease", s.lease)
	}
	s.cmd = exec.Command(s.bin, args...)
	s.cmd.Env = s.env
	s.cmd.Stdout = s.logs
	s.cmd.Stderr = s.logs
	require.NoError(s.t, s.cmd.Start())
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get("http://" + s.addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatalf("server did not become ready; log:\n%s", s.logs.String())
}

func (s *crashServer) kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	_ = s.cmd.Wait()
}

// call sends one request; err is a transport failure (the server is down
// or died mid-request), in which case the outcome is unknown.
func call(client *http.Client, method, url, key string, body any) (int, map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Authorization", "Bearer "+crashAdminToken)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, nil, err
	}
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return res.StatusCode, out, nil
}

// settled reports whether an answer is final for its key: a success or a
// business refusal. Transport errors, 409 in flight and 5xx are retried.
func settled(status int, err error) bool {
	return err == nil && status != http.StatusConflict && status < 500
}

type attempt struct {
	key  string
	body map[string]any
}

func TestCrashConservesMoney(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: starts, kills and restarts the server")
	}
	_, dbURL := pgtest.NewWithURL(t)
	bin := filepath.Join(t.TempDir(), "refserver")
	build := exec.Command("go", "build", "-o", bin, "./cmd/refserver")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())

	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	srv := &crashServer{t: t, bin: bin, addr: addr, logs: &bytes.Buffer{}, lease: "1s",
		env: append(os.Environ(), "BANKKIT_DATABASE_URL="+dbURL, "BANKKIT_ADMIN_TOKEN="+crashAdminToken, "BANKKIT_PII_KEYS="+crashKeyring, "BANKKIT_CLEARING_DIR="+t.TempDir())}
	srv.start()
	t.Cleanup(srv.kill)
	base := "http://" + addr
	client := &http.Client{Timeout: 5 * time.Second}

	// Set up: verified customers with funded accounts.
	accounts := make([]string, crashAccounts)
	for i := range accounts {
		st, c, err := call(client, "POST", base+"/v1/customers", "", map[string]any{
			"full_name": fmt.Sprintf("Crash Customer %d", i), "gender": "female", "date_of_birth": "1985-06-15",
			"national_id": map[string]any{"type": "PASSPORT", "number": fmt.Sprintf("E%08d", i), "country": "CN"},
			"phone":       fmt.Sprintf("+8613900000%03d", i),
		})
		require.NoError(t, err)
		require.Equal(t, 201, st, "%v", c)
		id := c["id"].(string)
		st, _, err = call(client, "POST", base+"/v1/customers/"+id+"/kyc", "", map[string]any{"status": "verified", "note": "crash test"})
		require.NoError(t, err)
		require.Equal(t, 200, st)
		st, a, err := call(client, "POST", base+"/v1/accounts", "", map[string]any{"customer_id": id, "product": "demand", "currency": "CNY"})
		require.NoError(t, err)
		require.Equal(t, 201, st)
		accounts[i] = a["id"].(string)
		st, _, err = call(client, "POST", base+"/v1/deposits", fmt.Sprintf("fund-%d", i),
			map[string]any{"account_id": accounts[i], "amount": map[string]any{"value": crashOpening, "currency": "CNY"}})
		require.NoError(t, err)
		require.Equal(t, 201, st)
	}

	// Load: workers transfer at random, retrying each key until it settles,
	// while the killer takes the server down and brings it back.
	var (
		mu       sync.Mutex
		attempts []attempt
		acked    = map[string]string{} // key -> transfer id
	)
	ctx, stop := context.WithTimeout(context.Background(), 25*time.Second)
	defer stop()
	var serverUp atomic.Bool
	serverUp.Store(true)
	var wg sync.WaitGroup
	for w := range crashWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			for n := 0; ctx.Err() == nil; n++ {
				from, to := rng.IntN(crashAccounts), rng.IntN(crashAccounts-1)
				if to >= from {
					to++
				}
				a := attempt{key: fmt.Sprintf("w%d-%d", w, n), body: map[string]any{
					"from_account_id": accounts[from], "to_account_id": accounts[to],
					"amount": map[string]any{"value": decimal.New(int64(1+rng.IntN(5000)), -2).StringFixed(2), "currency": "CNY"}}}
				mu.Lock()
				attempts = append(attempts, a)
				mu.Unlock()
				// Retry the same key with the same body until it settles,
				// giving up only when the test's time is over (the final
				// check replays it).
				for ctx.Err() == nil {
					st, out, err := call(client, "POST", base+"/v1/transfers", a.key, a.body)
					if settled(st, err) {
						if st == 201 || st == 200 {
							mu.Lock()
							acked[a.key] = out["id"].(string)
							mu.Unlock()
						}
						break
					}
					time.Sleep(20 * time.Millisecond)
				}
			}
		}()
	}
	for k := range crashKills {
		time.Sleep(time.Duration(1500+500*k) * time.Millisecond)
		serverUp.Store(false)
		srv.kill()
		time.Sleep(200 * time.Millisecond)
		srv.start()
		serverUp.Store(true)
	}
	wg.Wait()

	// Every key ever tried is replayed once on the stable server: an acked
	// key must give the same transfer again; any key's outcome is now final.
	transfers := map[string]string{} // transfer id -> key
	for _, a := range attempts {
		var st int
		var out map[string]any
		var err error
		for tries := 0; ; tries++ {
			st, out, err = call(client, "POST", base+"/v1/transfers", a.key, a.body)
			if settled(st, err) {
				break
			}
			require.Less(t, tries, 200, "key %s never settled: %d %v %v", a.key, st, out, err)
			time.Sleep(50 * time.Millisecond)
		}
		if st != 200 && st != 201 {
			_, wasAcked := acked[a.key]
			require.False(t, wasAcked, "acknowledged key %s now answers %d %v", a.key, st, out)
			continue
		}
		id := out["id"].(string)
		if ackedID, ok := acked[a.key]; ok {
			require.Equal(t, ackedID, id, "key %s acknowledged transfer %s but replays as %s", a.key, ackedID, id)
		}
		if prev, dup := transfers[id]; dup {
			t.Fatalf("transfer %s answers for two keys: %s and %s", id, prev, a.key)
		}
		transfers[id] = a.key
	}
	require.NotEmpty(t, acked)

	// Every acknowledged transfer exists exactly once.
	for key, id := range acked {
		st, out, err := call(client, "GET", base+"/v1/transfers/"+id, "", nil)
		require.NoError(t, err)
		require.Equal(t, 200, st, "acknowledged transfer %s (key %s): %v", id, key, out)
	}

	// Money is conserved, every balance is the sum of its statement, and
	// the statements hold exactly the transfers the keys resolved to.
	total := decimal.Zero
	seen := map[string]int{}
	for _, acct := range accounts {
		st, a, err := call(client, "GET", base+"/v1/accounts/"+acct, "", nil)
		require.NoError(t, err)
		require.Equal(t, 200, st)
		balance := decimal.RequireFromString(a["balance"].(map[string]any)["value"].(string))
		require.False(t, balance.IsNegative(), "account %s went negative: %s", acct, balance)
		total = total.Add(balance)

		sum := decimal.Zero
		after := ""
		for {
			st, page, err := call(client, "GET", base+"/v1/accounts/"+acct+"/transactions?limit=500&after="+after, "", nil)
			require.NoError(t, err)
			require.Equal(t, 200, st, "%v", page)
			for _, it := range page["items"].([]any) {
				line := it.(map[string]any)
				sum = sum.Add(decimal.RequireFromString(line["amount"].(map[string]any)["value"].(string)))
				if line["kind"] == "transfer" {
					seen[line["transfer_id"].(string)]++
				}
			}
			after, _ = page["next"].(string)
			if after == "" {
				break
			}
		}
		require.True(t, sum.Equal(balance), "account %s: balance %s but its lines sum to %s", acct, balance, sum)
	}
	opening := decimal.RequireFromString(crashOpening).Mul(decimal.NewFromInt(crashAccounts))
	require.True(t, total.Equal(opening), "money created or lost: %s deposited, %s held", opening, total)
	require.Len(t, seen, len(transfers), "statements hold %d transfers, the keys resolved to %d", len(seen), len(transfers))
	for id, n := range seen {
		require.Equal(t, 2, n, "transfer %s appears %d times in statements (want once on each side)", id, n)
		_, ok := transfers[id]
		require.True(t, ok, "transfer %s in the statements answers to no key", id)
	}
	t.Logf("%d keys tried, %d acknowledged during the chaos, %d transfers posted, %d kills", len(attempts), len(acked), len(transfers), crashKills)
	if errors.Is(ctx.Err(), context.Canceled) {
		t.Log("stopped early")
	}
}

// buildCrashServer builds the server binary and picks a free address.
func buildCrashServer(t *testing.T, dbURL string) *crashServer {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "refserver")
	build := exec.Command("go", "build", "-o", bin, "./cmd/refserver")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return &crashServer{t: t, bin: bin, addr: addr, logs: &bytes.Buffer{},
		env: append(os.Environ(), "BANKKIT_DATABASE_URL="+dbURL, "BANKKIT_ADMIN_TOKEN="+crashAdminToken, "BANKKIT_PII_KEYS="+crashKeyring, "BANKKIT_CLEARING_DIR="+t.TempDir())}
}

// A server killed while it holds an Idempotency-Key leaves no stall: the
// retry on the restarted server is answered at once (the dead process's
// claim is taken over, though its 30-second lease has not run out), and
// the money moves exactly once. While the first server lives, the same key
// answers 409.
func TestCrashTakeoverAnswersTheRetryAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: starts, kills and restarts the server")
	}
	db, dbURL := pgtest.NewWithURL(t)
	srv := buildCrashServer(t, dbURL) // the default 30 s lease
	srv.start()
	t.Cleanup(srv.kill)
	base := "http://" + srv.addr
	client := &http.Client{Timeout: 30 * time.Second}

	st, c, err := call(client, "POST", base+"/v1/customers", "", map[string]any{
		"full_name": "Takeover Customer", "gender": "female", "date_of_birth": "1985-06-15",
		"national_id": map[string]any{"type": "PASSPORT", "number": "T00000001", "country": "CN"}, "phone": "+8613900000999"})
	require.NoError(t, err)
	require.Equal(t, 201, st, "%v", c)
	cid := c["id"].(string)
	st, _, err = call(client, "POST", base+"/v1/customers/"+cid+"/kyc", "", map[string]any{"status": "verified", "note": "crash test"})
	require.NoError(t, err)
	require.Equal(t, 200, st)
	var accts [2]string
	for i := range accts {
		st, a, err := call(client, "POST", base+"/v1/accounts", "", map[string]any{"customer_id": cid, "product": "demand", "currency": "CNY"})
		require.NoError(t, err)
		require.Equal(t, 201, st)
		accts[i] = a["id"].(string)
	}
	st, _, err = call(client, "POST", base+"/v1/deposits", "fund", map[string]any{"account_id": accts[0], "amount": map[string]any{"value": "100.00", "currency": "CNY"}})
	require.NoError(t, err)
	require.Equal(t, 201, st)

	// Hold the transfer inside the server: its claim is made, its
	// posting waits on the two balance rows the test locks. Only a write
	// to those rows waits on them (the server's background readers do
	// not), and the key's row shows the claim is the first request's, so
	// the second request below cannot be the one that claims the key.
	ctx := context.Background()
	tx, err := db.BeginTxx(ctx, nil)
	require.NoError(t, err)
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, "SELECT 1 FROM ledger.balances WHERE account_id = ANY($1::uuid[]) FOR UPDATE", pq.Array(accts[:]))
	require.NoError(t, err)
	body := map[string]any{"from_account_id": accts[0], "to_account_id": accts[1], "amount": map[string]any{"value": "30.00", "currency": "CNY"}}
	first := make(chan error, 1)
	go func() {
		_, _, err := call(client, "POST", base+"/v1/transfers", "takeover-1", body)
		first <- err
	}()
	require.Eventually(t, func() bool {
		var claimed, waiting int
		err := db.GetContext(ctx, &claimed, `SELECT count(*) FROM refserver.idempotency_keys WHERE key LIKE '%:takeover-1' AND status IS NULL`)
		if err != nil || claimed == 0 {
			return false
		}
		err = db.GetContext(ctx, &waiting, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)
		return err == nil && waiting > 0
	}, 20*time.Second, 10*time.Millisecond, "the transfer is claimed and reaches the posting")

	st, out, err := call(client, "POST", base+"/v1/transfers", "takeover-1", body)
	require.NoError(t, err)
	require.Equal(t, http.StatusConflict, st, "a live server's claim stands: %v", out)

	srv.kill()
	require.Error(t, <-first, "the first request died with its server")
	require.NoError(t, tx.Rollback())
	srv.start()

	st, out, err = call(client, "POST", base+"/v1/transfers", "takeover-1", body)
	require.NoError(t, err)
	require.Contains(t, []int{200, 201}, st, "the retry after the restart is answered at once: %v", out)
	again, out2, err := call(client, "POST", base+"/v1/transfers", "takeover-1", body)
	require.NoError(t, err)
	require.Contains(t, []int{200, 201}, again)
	require.Equal(t, out["id"], out2["id"], "a replay answers the same transfer")

	for i, want := range []string{"70.00", "30.00"} {
		st, a, err := call(client, "GET", base+"/v1/accounts/"+accts[i], "", nil)
		require.NoError(t, err)
		require.Equal(t, 200, st)
		require.Equal(t, want, a["balance"].(map[string]any)["value"], "account %d: the money moved exactly once", i)
	}
}
