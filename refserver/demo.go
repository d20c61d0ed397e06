package refserver

import (
	"context"
	"errors"
	"fmt"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

// DemoPassword is the password of every demo login; the demo is for trying
// the API, never for real customers.
const DemoPassword = "bankkit-demo-password"

// demoCustomer is one person of the demo bank.
type demoCustomer struct {
	name, gender, born, region, seq, phone, email, city, province, username string
	salary                                                                  string
}

var demoCustomers = []demoCustomer{
	{"王芳", "female", "1988-04-12", "310104", "028", "+8613911112222", "wang.fang@example.com", "上海", "上海", "wangfang", "18500.00"},
	{"李强", "male", "1979-11-03", "110108", "015", "+8613822223333", "li.qiang@example.com", "北京", "北京", "liqiang", "26000.00"},
	{"陈静", "female", "1995-07-21", "440305", "046", "+8613733334444", "chen.jing@example.com", "深圳", "广东", "chenjing", "15200.00"},
	{"Maria Santos", "female", "1990-02-28", "PASSPORT", "P4471203", "+85291234567", "maria.santos@example.com", "香港", "香港", "msantos", "32000.00"},
	{"赵磊", "male", "1983-09-09", "510107", "031", "+8613644445555", "zhao.lei@example.com", "成都", "四川", "zhaolei", "12800.00"},
}

// seedDemo fills an empty bank with a few customers, their accounts and
// four weeks of salaries, transfers and cash withdrawals, so that a new user
// sees a living bank at once. It is idempotent: customers are found by
// national id and every posting carries a demo idempotency key, so seeding
// a database twice (a restart with -demo) adds nothing.
func (s *Server) seedDemo(ctx context.Context) error {
	today, err := s.ledger.BusinessDate(ctx)
	if err != nil {
		return err
	}
	type seeded struct {
		current, savings ledger.Account
	}
	var people []seeded
	for _, d := range demoCustomers {
		id, err := s.demoPerson(ctx, d)
		if err != nil {
			return fmt.Errorf("demo customer %s: %w", d.username, err)
		}
		var p seeded
		for i, acct := range []*ledger.Account{&p.current, &p.savings} {
			a, err := s.ledger.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: id.String(), Product: ledger.ProductDemand,
				Currency: money.CNY, IdempotencyKey: fmt.Sprintf("demo/%s/account/%d", d.username, i)})
			if err != nil {
				return err
			}
			if _, err := s.customer.LinkAccount(ctx, id, a.ID.String(), customer.RelationshipOwner); err != nil && !errors.Is(err, customer.ErrDuplicate) {
				return err
			}
			if err := s.assignDemandProduct(ctx, a); err != nil {
				return err
			}
			*acct = a
		}
		people = append(people, p)
	}

	// Four weeks of activity, value-dated in the past.
	start := today.AddDays(-28)
	for i, p := range people {
		d := demoCustomers[i]
		key := func(what string, n int) string { return fmt.Sprintf("demo/%s/%s/%d", d.username, what, n) }
		post := func(err error) error {
			if err != nil {
				return fmt.Errorf("demo activity for %s: %w", d.username, err)
			}
			return nil
		}
		for week := 0; week < 4; week++ {
			day := start.AddDays(7 * week)
			if week%2 == 0 {
				_, err := s.ledger.Deposit(ctx, ledger.DepositRequest{AccountID: p.current.ID, Amount: money.MustParse(d.salary, "CNY"),
					Description: "salary", ValueDate: day, IdempotencyKey: key("salary", week)})
				if err := post(err); err != nil {
					return err
				}
			}
			_, err := s.ledger.Transfer(ctx, ledger.TransferRequest{FromAccountID: p.current.ID, ToAccountID: p.savings.ID,
				Amount: money.MustParse("1000.00", "CNY"), Description: "weekly saving", ValueDate: day.AddDays(1), IdempotencyKey: key("saving", week)})
			if err := post(err); err != nil {
				return err
			}
			_, err = s.ledger.Withdraw(ctx, ledger.WithdrawalRequest{AccountID: p.current.ID, Amount: money.MustParse(fmt.Sprintf("%d.00", 200+100*((i+week)%5)), "CNY"),
				Description: "ATM withdrawal", ValueDate: day.AddDays(2), IdempotencyKey: key("atm", week)})
			if err := post(err); err != nil {
				return err
			}
			next := people[(i+1)%len(people)]
			_, err = s.ledger.Transfer(ctx, ledger.TransferRequest{FromAccountID: p.current.ID, ToAccountID: next.current.ID,
				Amount: money.MustParse(fmt.Sprintf("%d.%02d", 88+week*11, (i*17)%100), "CNY"), Description: "dinner split",
				ValueDate: day.AddDays(4), IdempotencyKey: key("dinner", week)})
			if err := post(err); err != nil {
				return err
			}
		}
	}
	s.log.Info("demo bank seeded", "customers", len(demoCustomers), "password", DemoPassword,
		"logins", fmt.Sprint(demoUsernames()))
	return nil
}

func demoUsernames() []string {
	var out []string
	for _, d := range demoCustomers {
		out = append(out, d.username)
	}
	return out
}

// demoPerson finds or creates one demo customer, verified, with an
// online-banking login.
func (s *Server) demoPerson(ctx context.Context, d demoCustomer) (customer.ID, error) {
	born := calendar.MustParseDate(d.born)
	nid := customer.NationalID{Type: customer.Passport, Number: d.seq, Country: "HK"}
	if d.region != "PASSPORT" {
		nid = customer.NationalID{Type: customer.PRCResidentID, Number: prcResidentID(d.region, born, d.seq)}
	}
	existing, err := s.customer.FindByNationalID(ctx, nid)
	if err == nil {
		return existing.ID, nil
	}
	if !errors.Is(err, customer.ErrNotFound) {
		return customer.NilID, err
	}
	m, err := s.customer.Create(ctx, customer.NewCustomer{
		FullName: d.name, Gender: customer.Gender(d.gender), DateOfBirth: born, NationalID: nid,
		Phones: []string{d.phone}, Email: d.email, Occupation: "employee", IncomeBand: customer.IncomeMiddle,
		Address: customer.Address{Line1: "1 Demo Road", City: d.city, Province: d.province, PostalCode: "100000", Country: "CN"},
	})
	if err != nil {
		return customer.NilID, err
	}
	if _, err := s.customer.SetKYC(ctx, m.ID, customer.KYCDecision{Status: customer.KYCVerified, By: BootstrapAdmin, Reason: "demo data"}); err != nil {
		return customer.NilID, err
	}
	if _, err := s.channel.CreateCustomerLogin(ctx, channel.NewCustomerLogin{CustomerID: m.ID.String(), Username: d.username, Password: DemoPassword}); err != nil && !errors.Is(err, channel.ErrDuplicate) {
		return customer.NilID, err
	}
	return m.ID, nil
}

// prcResidentID builds a resident id with a valid GB 11643 check character
// for the demo: region code, birth date, sequence, check.
func prcResidentID(region string, born calendar.Date, seq string) string {
	base := fmt.Sprintf("%s%04d%02d%02d%s", region, born.Year, int(born.Month), born.Day, seq)
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(base[i]-'0') * w
	}
	return base + string("10X98765432"[sum%11])
}
