package memcustomer

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/customer/customertest"
)

// tamperable lets the contract suite alter stored access-log entries, as
// someone with access to the process memory could.
type tamperable struct{ *Store }

func (s tamperable) TamperAccessLog(_ context.Context, seq int64, fn func(*customer.AccessEntry)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq < 1 || seq > int64(len(s.access)) {
		return fmt.Errorf("no access-log entry %d", seq)
	}
	fn(&s.access[seq-1])
	return nil
}

// ForgetKeyChecks leaves the store as one written before key checks.
func (s tamperable) ForgetKeyChecks(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.keyChecks)
	return nil
}

func TestContract(t *testing.T) {
	customertest.Run(t, func(*testing.T) customer.Store { return tamperable{New()} })
}

// The store holds no plaintext personal data: everything it keeps, printed,
// contains none of the values the customer gave.
func TestStoreHoldsNoPlaintextPII(t *testing.T) {
	t.Parallel()
	enc := func(c string) string {
		return base64.StdEncoding.EncodeToString([]byte(strings.Repeat(c, customer.KeySize)))
	}
	keys, err := customer.ParseKeyring("k1:" + enc("a") + ",index:" + enc("i"))
	require.NoError(t, err)
	s := New()
	svc, err := customer.NewService(s, keys)
	require.NoError(t, err)
	ctx := context.Background()
	c, err := svc.Create(ctx, customer.NewCustomer{
		FullName: "张三", Gender: customer.GenderMale, DateOfBirth: calendar.MustParseDate("1949-12-31"),
		NationalID: customer.NationalID{Type: customer.PRCResidentID, Number: "11010519491231002X"},
		Phones:     []string{"+8613812345678"}, Email: "zhang.san@example.com",
		Address: customer.Address{Line1: "长安街1号", City: "北京", Country: "CN"},
	})
	require.NoError(t, err)
	_, err = svc.AddDocument(ctx, c.ID, customer.NewDocument{Type: customer.DocumentPassport, Number: "E98765432",
		IssuingCountry: "CN", IssuedOn: calendar.MustParseDate("2020-01-01")})
	require.NoError(t, err)

	dump := fmt.Sprintf("%+v %+v %+v", s.customers[c.ID], *s.customers[c.ID], s.documents)
	for _, secret := range []string{"11010519491231002X", "13812345678", "zhang.san", "example.com", "长安街", "1949-12-31", "19491231", "E98765432"} {
		require.NotContains(t, dump, secret)
	}
	require.Contains(t, dump, "张三", "the name is kept in clear, by design")
}
