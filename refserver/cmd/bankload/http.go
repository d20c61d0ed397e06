package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// keyN numbers the Idempotency-Keys of this run. Keys are remembered per
// caller, and the bootstrap admin is the same caller on a database kept
// from an earlier run, so each run's keys carry an id of their own.
var keyN = struct {
	sync.Mutex
	run string
	n   int
}{run: uuid.NewString()}

func nextKey() string {
	keyN.Lock()
	defer keyN.Unlock()
	keyN.n++
	return "load-" + keyN.run + "-" + strconv.Itoa(keyN.n)
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

// transfer posts one transfer whose body is already encoded and checks
// only the status: the load generator should cost the measured process as
// little as it can, so it neither builds the body through reflection nor
// decodes the answer (the server's own encoding is measured all the same).
func (c *client) transfer(body []byte) error {
	req, err := http.NewRequest("POST", c.base+"/v1/transfers", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header["Authorization"] = []string{"Bearer " + c.token}
	req.Header["Content-Type"] = []string{"application/json"}
	req.Header["Idempotency-Key"] = []string{nextKey()}
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		raw, _ := io.ReadAll(res.Body)
		return fmt.Errorf("POST /v1/transfers: %d %s", res.StatusCode, raw)
	}
	_, err = io.Copy(io.Discard, res.Body)
	return err
}

// transferBody is the JSON body of a transfer of cents hundredths of a
// yuan (under one yuan) between two accounts.
func transferBody(from, to string, cents int) []byte {
	b := make([]byte, 0, 160)
	b = append(b, `{"from_account_id":"`...)
	b = append(b, from...)
	b = append(b, `","to_account_id":"`...)
	b = append(b, to...)
	b = append(b, `","amount":{"value":"0.`...)
	b = append(b, byte('0'+cents/10), byte('0'+cents%10))
	b = append(b, `","currency":"CNY"}}`...)
	return b
}

// setup creates the accounts, each funded well beyond what the run can
// spend and each of a verified customer of its own: a customer's first
// account is class I, without the class II limits a second one would
// carry (docs/api.md). The customers are new each run (passport numbers
// of their own), so runs can share a database.
func setup(c *client, n int) ([]string, error) {
	run := "L" + strings.ToUpper(strconv.FormatInt(time.Now().UnixNano(), 36))
	ids := make([]string, n)
	for i := range ids {
		cust, err := c.post("/v1/customers", map[string]any{
			"full_name": "Load Test", "gender": "unspecified", "date_of_birth": "1980-01-01", "phone": "+8613000000000",
			"national_id": map[string]any{"type": "PASSPORT", "number": fmt.Sprintf("%s%04d", run, i), "country": "CN"}})
		if err != nil {
			return nil, err
		}
		cid := cust["id"].(string)
		if _, err := c.post("/v1/customers/"+cid+"/kyc", map[string]any{"status": "verified", "note": "load test"}); err != nil {
			return nil, err
		}
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
