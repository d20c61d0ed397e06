package customer_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/customer/memcustomer"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/fault"
)

// exampleKeys is a keyring as it would come from configuration. Real keys
// are random: head -c 32 /dev/urandom | base64.
func exampleKeys() *customer.StaticKeyring {
	b64 := func(fill string) string { return base64.StdEncoding.EncodeToString([]byte(strings.Repeat(fill, 32))) }
	keys, err := customer.ParseKeyring("k1:" + b64("1") + ",primary:k1,index:" + b64("x"))
	if err != nil {
		panic(err)
	}
	return keys
}

func zhangSan() customer.NewCustomer {
	return customer.NewCustomer{
		FullName:    "张三",
		Gender:      customer.GenderMale,
		DateOfBirth: calendar.MustParseDate("1949-12-31"),
		NationalID:  customer.NationalID{Type: customer.PRCResidentID, Number: "11010519491231002X"},
		Phones:      []string{"+8613812345678"},
		Email:       "zhang.san@example.com",
		Address:     customer.Address{Line1: "长安街1号", City: "北京", Country: "CN"},
	}
}

// Creating a customer: the personal data is sealed before the store sees
// it, reads are masked, and a duplicate national id is refused.
func Example() {
	ctx := context.Background()
	clock := calendar.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	svc, err := customer.NewService(memcustomer.New(), exampleKeys(), customer.WithClock(clock))
	if err != nil {
		fmt.Println(err)
		return
	}

	c, err := svc.Create(ctx, zhangSan())
	if err != nil {
		panic(err)
	}
	fmt.Println(c.FullName, c.NationalID, c.Phones[0], c.Email, c.DateOfBirth, c.KYC.Status)

	_, err = svc.Create(ctx, zhangSan())
	fmt.Println(errors.Is(err, customer.ErrDuplicate))

	bad := zhangSan()
	bad.NationalID.Number = "110105194912310021" // wrong check digit
	_, err = svc.Create(ctx, bad)
	var ve *fault.FieldError
	fmt.Println(errors.As(err, &ve), ve.Field)
	// Output:
	// 张三 110105********002X +86138****5678 z***@example.com 1949-**-** pending
	// true
	// true national_id.number
}

// Full personal data needs a reason, and every such read is in the
// hash-chained access log.
func ExampleService_Reveal() {
	ctx := context.Background()
	clock := calendar.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	svc, err := customer.NewService(memcustomer.New(), exampleKeys(), customer.WithClock(clock))
	if err != nil {
		fmt.Println(err)
		return
	}
	c, _ := svc.Create(ctx, zhangSan())

	full, _, err := svc.Reveal(ctx, "teller-7", c.ID, []customer.Field{customer.FieldPhones}, "customer asked for a call back")
	if err != nil {
		panic(err)
	}
	fmt.Println(full.Phones, full.Email == "")

	log, _ := svc.AccessLog(ctx, 0, 10)
	fmt.Println(log[0].Seq, log[0].Actor, log[0].Fields, log[0].Reason)
	badSeq, err := svc.VerifyAccessLog(ctx)
	fmt.Println(badSeq, err)
	// Output:
	// [+8613812345678] true
	// 1 teller-7 [phones] customer asked for a call back
	// 0 <nil>
}

// Rotating keys: add a key, make it primary, re-seal in batches, then
// retire the old key.
func ExampleService_RotateKeys() {
	ctx := context.Background()
	keys := exampleKeys()
	svc, err := customer.NewService(memcustomer.New(), keys)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := range 3 {
		n := zhangSan()
		n.NationalID = customer.NationalID{Type: customer.Passport, Number: fmt.Sprintf("E0000000%d", i), Country: "CN"}
		n.DateOfBirth = calendar.MustParseDate("1990-01-01")
		if _, err := svc.Create(ctx, n); err != nil {
			panic(err)
		}
	}

	_ = keys.AddKey("k2", base64.StdEncoding.EncodeToString([]byte(strings.Repeat("2", 32))))
	_ = keys.SetPrimary("k2")
	fmt.Println(errors.Is(svc.RetireKey(ctx, "k1"), customer.ErrKeyInUse))
	for {
		n, done, err := svc.RotateKeys(ctx, 2)
		if err != nil {
			panic(err)
		}
		fmt.Println("re-sealed", n)
		if done {
			break
		}
	}
	fmt.Println(svc.RetireKey(ctx, "k1"), keys.KeyIDs())
	// Output:
	// true
	// re-sealed 2
	// re-sealed 1
	// <nil> [k2]
}

// Checking the keyring at start: a keyring whose k1 is not the key the
// stored data was sealed under is refused before it reads or writes
// anything.
func ExampleService_CheckKeys() {
	ctx := context.Background()
	store := memcustomer.New()
	clock := calendar.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	svc, err := customer.NewService(store, exampleKeys(), customer.WithClock(clock))
	if err != nil {
		panic(err)
	}
	if _, err := svc.Create(ctx, zhangSan()); err != nil {
		panic(err)
	}
	fmt.Println(svc.CheckKeys(ctx))

	other := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("x", 32)))
	index := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("x", 32))) // the same index key
	wrong, err := customer.ParseKeyring("k1:" + other + ",index:" + index)
	if err != nil {
		panic(err)
	}
	restarted, err := customer.NewService(store, wrong)
	if err != nil {
		panic(err)
	}
	err = restarted.CheckKeys(ctx)
	fmt.Println(errors.Is(err, customer.ErrKeyMismatch))
	fmt.Println(err)
	// Output:
	// <nil>
	// true
	// customer: key does not match the stored data: key "k1" is not the key first used under that id (on 2026-03-02)
}

// Complaints are due a number of business days after opening, on the
// bank's calendar.
func ExampleService_OpenComplaint() {
	ctx := context.Background()
	// Opened on Monday 2026-03-02; Wednesday 2026-03-04 is a holiday.
	clock := calendar.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	holidays, _ := calendar.NewBusinessCalendar(calendar.WithHolidays(calendar.MustParseDate("2026-03-04")))
	svc, err := customer.NewService(memcustomer.New(), exampleKeys(), customer.WithClock(clock),
		customer.WithBusinessDays(holidays), customer.WithComplaintSLA(3))
	if err != nil {
		fmt.Println(err)
		return
	}
	c, _ := svc.Create(ctx, zhangSan())

	k, err := svc.OpenComplaint(ctx, c.ID, customer.NewComplaint{Category: customer.CategoryFees,
		Description: "charged twice", Channel: customer.ChannelApp})
	if err != nil {
		panic(err)
	}
	fmt.Println(k.Status, k.DueOn)

	clock.Set(time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC))
	overdue, _ := svc.OverdueComplaints(ctx, customer.Page{})
	fmt.Println(len(overdue))
	// Output:
	// open 2026-03-06
	// 1
}

// Other subsystems subscribe to the customer events under a durable name
// and get each event at least once, in order; a refused event comes again
// on the next round.
func ExampleService_Events() {
	ctx := context.Background()
	svc, err := customer.NewService(memcustomer.New(), exampleKeys())
	if err != nil {
		fmt.Println(err)
		return
	}
	c, _ := svc.Create(ctx, zhangSan())
	_, _ = svc.GrantConsent(ctx, c.ID, customer.ConsentRequest{Purpose: customer.PurposeMarketing,
		Channel: customer.ChannelEmail, Source: "app"})

	_ = svc.Events().Subscribe(ctx, "marketing", func(_ context.Context, e event.Envelope) error {
		if e.Type == customer.EventConsentChanged {
			var p customer.ConsentChanged
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return err
			}
			fmt.Println(e.Sequence, e.Type, p.Purpose, p.Channel, p.Granted)
			return nil
		}
		fmt.Println(e.Sequence, e.Type)
		return nil
	})
	n, _ := svc.Events().Deliver(ctx)
	fmt.Println(n, "delivered")
	n, _ = svc.Events().Deliver(ctx)
	fmt.Println(n, "delivered")
	// Output:
	// 1 customer.created
	// 2 customer.consent_changed marketing email true
	// 2 delivered
	// 0 delivered
}

func ExampleMaskNationalID() {
	fmt.Println(customer.MaskNationalID("11010519491231002X"))
	fmt.Println(customer.MaskPhone("13812345678"))
	fmt.Println(customer.MaskEmail("zhang.san@example.com"))
	// Output:
	// 110105********002X
	// 138****5678
	// z***@example.com
}

func ExampleValidatePRCResidentID() {
	born, err := customer.ValidatePRCResidentID("11010519491231002X")
	fmt.Println(born, err)
	_, err = customer.ValidatePRCResidentID("110105194912310021")
	fmt.Println(err)
	// Output:
	// 1949-12-31 <nil>
	// customer: invalid national_id.number: check character is 1, want X
}
