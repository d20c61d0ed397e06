// Command http-onboarding is an HTTP client of the reference server: it
// onboards a customer, verifies them, opens two accounts, pays cash in,
// gives the customer an online-banking login, and has the customer move
// money between their accounts — the API as an integrator meets it.
//
// Start the server with a known admin token, then run the example:
//
//	BANKKIT_ADMIN_TOKEN=$(openssl rand -hex 24) go run ./refserver/cmd/refserver &
//	go run ./examples/http-onboarding -server http://localhost:8080
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

func main() {
	server := flag.String("server", "http://localhost:8080", "the reference server's base URL")
	token := flag.String("token", os.Getenv("BANKKIT_ADMIN_TOKEN"), "an admin bearer token (env BANKKIT_ADMIN_TOKEN)")
	flag.Parse()
	if err := run(context.Background(), *server, *token, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// client is a minimal API client: JSON in and out, a bearer token, and an
// Idempotency-Key on every POST so that a retry cannot move money twice.
type client struct {
	base, token string
	http        *http.Client
}

func (c *client) call(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if method == http.MethodPost {
		req.Header.Set("Idempotency-Key", newKey())
	}
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

func newKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

type money struct {
	Value    string `json:"value"`
	Currency string `json:"currency"`
}

func cny(v string) money { return money{Value: v, Currency: "CNY"} }

func run(ctx context.Context, server, adminToken string, out io.Writer) error {
	staff := &client{base: server, token: adminToken, http: &http.Client{Timeout: 30 * time.Second}}
	suffix := newKey()[:6]

	var cust struct {
		ID         string `json:"id"`
		NationalID struct {
			Number string `json:"number"`
		} `json:"national_id"`
	}
	if err := staff.call(ctx, "POST", "/v1/customers", map[string]any{
		"full_name": "李娜", "gender": "female", "date_of_birth": "1992-08-19",
		"national_id": map[string]any{"type": "PASSPORT", "number": "E" + suffix, "country": "CN"},
		"phone":       "+8613800138000", "email": "li.na@example.com",
		"address": map[string]any{"line1": "人民路 100 号", "city": "上海", "province": "上海", "postal_code": "200001", "country": "CN"},
	}, &cust); err != nil {
		return err
	}
	fmt.Fprintf(out, "customer %s onboarded; national id shown as %s\n", cust.ID, cust.NationalID.Number)
	if err := staff.call(ctx, "POST", "/v1/customers/"+cust.ID+"/kyc", map[string]any{"status": "verified", "note": "passport seen in branch"}, nil); err != nil {
		return err
	}

	var current, savings struct {
		ID     string `json:"id"`
		Number string `json:"number"`
	}
	for _, acct := range []any{&current, &savings} {
		if err := staff.call(ctx, "POST", "/v1/accounts", map[string]any{"customer_id": cust.ID, "product": "demand", "currency": "CNY"}, acct); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "accounts %s and %s opened\n", current.Number, savings.Number)
	if err := staff.call(ctx, "POST", "/v1/deposits", map[string]any{"account_id": current.ID, "amount": cny("5000.00"), "description": "salary in cash"}, nil); err != nil {
		return err
	}

	username := "lina" + suffix
	password := "a long and private passphrase"
	if err := staff.call(ctx, "POST", "/v1/customers/"+cust.ID+"/online-banking", map[string]any{"username": username, "password": password}, nil); err != nil {
		return err
	}
	var login struct {
		Token   string `json:"token"`
		Subject struct {
			Kind string `json:"kind"`
		} `json:"subject"`
	}
	anon := &client{base: server, http: staff.http}
	if err := anon.call(ctx, "POST", "/v1/auth/token", map[string]any{"username": username, "password": password}, &login); err != nil {
		return err
	}
	fmt.Fprintf(out, "logged in as a %s\n", login.Subject.Kind)

	me := &client{base: server, token: login.Token, http: staff.http}
	var tr struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if err := me.call(ctx, "POST", "/v1/transfers", map[string]any{"from_account_id": current.ID, "to_account_id": savings.ID,
		"amount": cny("1200.00"), "description": "monthly saving"}, &tr); err != nil {
		return err
	}
	fmt.Fprintf(out, "transfer %s\n", tr.Status)

	for _, acct := range []struct{ name, id string }{{"current", current.ID}, {"savings", savings.ID}} {
		var a struct {
			Balance money `json:"balance"`
		}
		if err := me.call(ctx, "GET", "/v1/accounts/"+acct.id, nil, &a); err != nil {
			return err
		}
		fmt.Fprintf(out, "%s balance %s %s\n", acct.name, a.Balance.Value, a.Balance.Currency)
	}
	return nil
}
