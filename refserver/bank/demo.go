package bank

import (
	"context"
	"errors"
	"fmt"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/fault"
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

// SeedDemo fills an empty bank with a few customers, verified by
// verifiedBy, with online-banking logins (DemoPassword), two accounts each
// and four weeks of salaries, transfers and cash withdrawals, so that a new
// user sees a living bank at once. It returns the logins. Seeding again
// adds nothing: customers are found by national id and every posting
// carries a demo idempotency key.
func (b *Bank) SeedDemo(ctx context.Context, verifiedBy string) ([]string, error) {
	today, err := b.accounts.BusinessDate(ctx)
	if err != nil {
		return nil, err
	}
	type seeded struct{ current, savings ledger.Account }
	var people []seeded
	var logins []string
	for _, d := range demoCustomers {
		id, err := b.demoPerson(ctx, d, verifiedBy)
		if err != nil {
			return nil, fmt.Errorf("demo customer %s: %w", d.username, err)
		}
		// The current account is the person's class I, the savings account
		// a class II bound to it, as a counter would open them.
		var p seeded
		if p.current, err = b.demoAccount(ctx, id, fmt.Sprintf("demo/%s/account/0", d.username), ledger.ClassI); err != nil {
			return nil, fmt.Errorf("demo account of %s: %w", d.username, err)
		}
		if p.savings, err = b.demoAccount(ctx, id, fmt.Sprintf("demo/%s/account/1", d.username), ledger.ClassII, p.current.ID); err != nil {
			return nil, fmt.Errorf("demo account of %s: %w", d.username, err)
		}
		people = append(people, p)
		logins = append(logins, d.username)
	}

	// Four weeks of activity, value-dated in the past.
	start := today.AddDays(-28)
	for i, p := range people {
		d := demoCustomers[i]
		key := func(what string, n int) string { return fmt.Sprintf("demo/%s/%s/%d", d.username, what, n) }
		next := people[(i+1)%len(people)]
		for week := 0; week < 4; week++ {
			day := start.AddDays(7 * week)
			var posts []func() (ledger.Receipt, error)
			if week%2 == 0 {
				posts = append(posts, func() (ledger.Receipt, error) {
					return b.postings.Deposit(ctx, ledger.DepositRequest{AccountID: p.current.ID, Amount: money.MustParse(d.salary, "CNY"),
						Description: "salary", ValueDate: day, IdempotencyKey: key("salary", week)})
				})
			}
			posts = append(posts, func() (ledger.Receipt, error) {
				return b.postings.Transfer(ctx, ledger.TransferRequest{FromAccountID: p.current.ID, ToAccountID: p.savings.ID,
					Amount: money.MustParse("1000.00", "CNY"), Description: "weekly saving", ValueDate: day.AddDays(1), IdempotencyKey: key("saving", week)})
			}, func() (ledger.Receipt, error) {
				return b.postings.Withdraw(ctx, ledger.WithdrawalRequest{AccountID: p.current.ID, Amount: money.MustParse(fmt.Sprintf("%d.00", 200+100*((i+week)%5)), "CNY"),
					Description: "ATM withdrawal", ValueDate: day.AddDays(2), IdempotencyKey: key("atm", week)})
			}, func() (ledger.Receipt, error) {
				return b.postings.Transfer(ctx, ledger.TransferRequest{FromAccountID: p.current.ID, ToAccountID: next.current.ID,
					Amount: money.MustParse(fmt.Sprintf("%d.%02d", 88+week*11, (i*17)%100), "CNY"), Description: "dinner split",
					ValueDate: day.AddDays(4), IdempotencyKey: key("dinner", week)})
			})
			for _, post := range posts {
				if _, err := post(); err != nil {
					return nil, fmt.Errorf("demo activity for %s: %w", d.username, err)
				}
			}
		}
	}
	return logins, nil
}

// demoAccount opens (or finds again, by key) a demand account in CNY of
// the class, bound to bound, earning interest, linked to the customer. A
// demo seeded before accounts had classes opened its accounts under the
// same keys without one: seeding it again finds them as they are.
func (b *Bank) demoAccount(ctx context.Context, id customer.ID, key string, class ledger.Class, bound ...ledger.ID) (ledger.Account, error) {
	req := ledger.OpenAccountRequest{OwnerID: id.String(), Product: ledger.ProductDemand, Currency: money.CNY,
		Class: class, BoundAccountIDs: bound, IdempotencyKey: key}
	a, err := b.accounts.OpenAccount(ctx, req)
	if errors.Is(err, ledger.ErrIdempotencyConflict) {
		req.Class, req.BoundAccountIDs = ledger.ClassNone, nil
		a, err = b.accounts.OpenAccount(ctx, req)
	}
	if err != nil {
		return ledger.Account{}, err
	}
	if _, err := b.customers.LinkAccount(ctx, id, a.ID.String(), customer.RelationshipOwner); err != nil && !errors.Is(err, customer.ErrDuplicate) {
		return ledger.Account{}, err
	}
	return a, b.deposits.EarnInterest(ctx, a.ID, demandProduct(a.Currency))
}

// demoPerson finds or creates one demo customer, verified, with an
// online-banking login.
func (b *Bank) demoPerson(ctx context.Context, d demoCustomer, verifiedBy string) (customer.ID, error) {
	born := calendar.MustParseDate(d.born)
	nid := customer.NationalID{Type: customer.Passport, Number: d.seq, Country: "HK"}
	if d.region != "PASSPORT" {
		nid = customer.NationalID{Type: customer.PRCResidentID, Number: prcResidentID(d.region, born, d.seq)}
	}
	existing, err := b.customers.FindByNationalID(ctx, nid)
	if err == nil {
		return existing.ID, nil
	}
	if fault.KindOf(err) != fault.NotFound {
		return customer.NilID, err
	}
	m, err := b.customers.Create(ctx, customer.NewCustomer{
		FullName: d.name, Gender: customer.Gender(d.gender), DateOfBirth: born, NationalID: nid,
		Phones: []string{d.phone}, Email: d.email, Occupation: "employee", IncomeBand: customer.IncomeMiddle,
		Address: customer.Address{Line1: "1 Demo Road", City: d.city, Province: d.province, PostalCode: "100000", Country: "CN"},
	})
	if err != nil {
		return customer.NilID, err
	}
	if _, err := b.customers.SetKYC(ctx, m.ID, customer.KYCDecision{Status: customer.KYCVerified, By: verifiedBy, Reason: "demo data"}); err != nil {
		return customer.NilID, err
	}
	if _, err := b.logins.CreateCustomerLogin(ctx, channel.NewCustomerLogin{CustomerID: m.ID.String(), Username: d.username, Password: DemoPassword}); err != nil && !errors.Is(err, channel.ErrDuplicate) {
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
