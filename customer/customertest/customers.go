package customertest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/customer"
)

func testCreateAndRead(t *testing.T, newStore func(*testing.T) customer.Store) {
	e := newEnv(t, newStore)
	created := e.create(zhang())

	got, err := e.svc.Get(e.ctx, created.ID)
	require.NoError(t, err)
	require.Equal(t, created, got)
	require.Equal(t, "张三", got.FullName, "a Chinese name round-trips")
	require.Equal(t, "110105********002X", got.NationalID)
	require.Equal(t, []string{"+86138****5678"}, got.Phones)
	require.Equal(t, "z***@example.com", got.Email)
	require.Equal(t, "1949-**-**", got.DateOfBirth)
	require.Equal(t, "***", got.Address.Line1)
	require.Equal(t, "北京", got.Address.City)
	require.Equal(t, int64(1), got.Version)
	require.Equal(t, customer.KYCPending, got.KYC.Status)
	require.Equal(t, customer.StatusActive, got.Status)
	require.Equal(t, customer.RiskLow, got.Risk, "risk defaults to low")
	require.Equal(t, customer.Preferences{Channel: customer.ChannelSMS, Language: "zh-CN"}, got.Preferences)

	full, _, err := e.svc.Reveal(e.ctx, "officer-1", created.ID, customer.AllFields, "account opening review")
	require.NoError(t, err)
	want := zhang()
	require.Equal(t, want.NationalID, full.NationalID)
	require.Equal(t, want.Phones, full.Phones)
	require.Equal(t, want.Email, full.Email)
	require.Equal(t, want.Address, full.Address)
	require.Equal(t, want.DateOfBirth, full.DateOfBirth)
	require.Equal(t, start, full.CreatedAt)

	evs := e.events()
	require.Len(t, evs, 1)
	require.Equal(t, customer.CustomerCreated{CustomerID: created.ID},
		payload[customer.CustomerCreated](t, evs[0], customer.EventCustomerCreated, created.ID))
	require.Equal(t, int64(1), evs[0].Sequence)
	require.Equal(t, start, evs[0].OccurredAt)
	require.Equal(t, calendar.DateOf(start), evs[0].BusinessDate)

	_, err = e.svc.Get(e.ctx, customer.NewID())
	require.ErrorIs(t, err, customer.ErrNotFound)
	_, err = e.svc.Get(e.ctx, customer.NilID)
	requireField(t, err, "id")
}

func testBadInput(t *testing.T, newStore func(*testing.T) customer.Store) {
	long := func(n int) string {
		r := make([]rune, n)
		for i := range r {
			r[i] = '名'
		}
		return string(r)
	}
	tests := []struct {
		field  string
		mutate func(n *customer.NewCustomer)
	}{
		{"full_name", func(n *customer.NewCustomer) { n.FullName = "" }},
		{"full_name", func(n *customer.NewCustomer) { n.FullName = " 张三" }},
		{"full_name", func(n *customer.NewCustomer) { n.FullName = long(customer.MaxNameRunes + 1) }},
		{"full_name", func(n *customer.NewCustomer) { n.FullName = "张\x00三" }},
		{"full_name", func(n *customer.NewCustomer) { n.FullName = "\xff\xfe" }},
		{"gender", func(n *customer.NewCustomer) { n.Gender = "" }},
		{"gender", func(n *customer.NewCustomer) { n.Gender = "m" }},
		{"date_of_birth", func(n *customer.NewCustomer) { n.DateOfBirth = calendar.Date{} }},
		{"date_of_birth", func(n *customer.NewCustomer) { n.DateOfBirth = calendar.Date{Year: 1949, Month: 2, Day: 30} }},
		{"date_of_birth", func(n *customer.NewCustomer) { n.DateOfBirth = calendar.MustParseDate("1950-01-01") }},
		{"date_of_birth", func(n *customer.NewCustomer) {
			n.NationalID = customer.NationalID{Type: customer.Passport, Number: "E12345678", Country: "CN"}
			n.DateOfBirth = calendar.DateOf(start).AddDays(1)
		}},
		{"national_id.type", func(n *customer.NewCustomer) { n.NationalID.Type = "" }},
		{"national_id.number", func(n *customer.NewCustomer) { n.NationalID.Number = "110105194912310021" }},
		{"national_id.number", func(n *customer.NewCustomer) { n.NationalID.Number = "" }},
		{"national_id.country", func(n *customer.NewCustomer) {
			n.NationalID = customer.NationalID{Type: customer.Passport, Number: "E12345678", Country: "ZZ"}
		}},
		{"phones", func(n *customer.NewCustomer) { n.Phones = nil }},
		{"phones", func(n *customer.NewCustomer) {
			n.Phones = []string{"+8613800000001", "+8613800000002", "+8613800000003", "+8613800000004", "+8613800000005", "+8613800000006"}
		}},
		{"phones[0]", func(n *customer.NewCustomer) { n.Phones = []string{"13812345678"} }},
		{"phones[1]", func(n *customer.NewCustomer) { n.Phones = []string{"+8613812345678", "+86 138"} }},
		{"phones[1]", func(n *customer.NewCustomer) { n.Phones = []string{"+8613812345678", "+8613812345678"} }},
		{"email", func(n *customer.NewCustomer) { n.Email = "zhang.san@" }},
		{"email", func(n *customer.NewCustomer) { n.Email = "Zhang <zs@example.com>" }},
		{"address.line1", func(n *customer.NewCustomer) { n.Address.Line1 = "" }},
		{"address.line2", func(n *customer.NewCustomer) { n.Address.Line2 = "a\x07b" }},
		{"address.city", func(n *customer.NewCustomer) { n.Address.City = "" }},
		{"address.province", func(n *customer.NewCustomer) { n.Address.Province = long(customer.MaxOccupationRunes + 1) }},
		{"address.postal_code", func(n *customer.NewCustomer) { n.Address.PostalCode = "1" }},
		{"address.country", func(n *customer.NewCustomer) { n.Address.Country = "CHN" }},
		{"occupation", func(n *customer.NewCustomer) { n.Occupation = long(customer.MaxOccupationRunes + 1) }},
		{"income_band", func(n *customer.NewCustomer) { n.IncomeBand = "rich" }},
		{"preferences.channel", func(n *customer.NewCustomer) { n.Preferences.Channel = "pigeon" }},
		{"preferences.language", func(n *customer.NewCustomer) { n.Preferences.Language = "chinese" }},
		{"risk_rating", func(n *customer.NewCustomer) { n.Risk = "extreme" }},
	}
	e := newEnv(t, newStore)
	for _, tt := range tests {
		n := zhang()
		tt.mutate(&n)
		_, err := e.svc.Create(e.ctx, n)
		requireField(t, err, tt.field)
	}
	require.Zero(t, e.count(), "nothing stored")
	require.Empty(t, e.events(), "no event published")

	// Patches are validated field by field too, and change nothing.
	c := e.create(zhang())
	patches := []struct {
		field string
		patch customer.Patch
	}{
		{"full_name", customer.Patch{FullName: ptr("")}},
		{"gender", customer.Patch{Gender: ptr(customer.Gender("x"))}},
		{"phones", customer.Patch{Phones: ptr([]string{})}},
		{"phones[0]", customer.Patch{Phones: ptr([]string{"+86"})}},
		{"email", customer.Patch{Email: ptr("nobody")}},
		{"address.country", customer.Patch{Address: &customer.Address{Line1: "x", City: "y", Country: "XX"}}},
		{"occupation", customer.Patch{Occupation: ptr(" x")}},
		{"income_band", customer.Patch{IncomeBand: ptr(customer.IncomeBand("x"))}},
		{"preferences.language", customer.Patch{Preferences: &customer.Preferences{Language: "ZH"}}},
		{"risk_rating", customer.Patch{Risk: ptr(customer.RiskRating("x"))}},
		{"status", customer.Patch{Status: ptr(customer.Status("gone"))}},
	}
	for _, p := range patches {
		_, err := e.svc.Update(e.ctx, c.ID, 1, p.patch)
		requireField(t, err, p.field)
	}
	_, err := e.svc.Update(e.ctx, c.ID, 0, customer.Patch{})
	requireField(t, err, "version")
	got, err := e.svc.Get(e.ctx, c.ID)
	require.NoError(t, err)
	require.Equal(t, c, got, "a rejected patch changes nothing")
}

func testDuplicateNationalID(t *testing.T, newStore func(*testing.T) customer.Store) {
	e := newEnv(t, newStore)
	first := e.create(zhang())

	again := zhang()
	again.FullName, again.Phones, again.Email = "张三丰", []string{"+8613900000000"}, ""
	again.NationalID.Number = prcID1[:17] + "x" // the same id with a lower-case check character
	_, err := e.svc.Create(e.ctx, again)
	require.ErrorIs(t, err, customer.ErrDuplicate)

	p := traveller(1)
	e.create(p)
	p.NationalID.Country, p.NationalID.Number = "GBR", "p00000001" // the same passport, written differently
	_, err = e.svc.Create(e.ctx, p)
	require.ErrorIs(t, err, customer.ErrDuplicate)

	other := traveller(1)
	other.NationalID.Country = "IE" // same number from another country is another person
	e.create(other)

	require.Equal(t, 3, e.count())
	found, err := e.svc.FindByNationalID(e.ctx, zhang().NationalID)
	require.NoError(t, err)
	require.Equal(t, first.ID, found.ID)
	require.Len(t, e.events(), 3, "no event for the refused duplicates")
}

// Rounds of concurrent creates of one national id (a new id each round):
// exactly one create wins each time, the rest get ErrDuplicate.
func testConcurrentDuplicates(t *testing.T, newStore func(*testing.T) customer.Store) {
	e := newEnv(t, newStore)
	const n, rounds = 8, 3
	for round := range rounds {
		errs := runAtOnce(n, func(i int) error {
			c := traveller(round)
			c.FullName = fmt.Sprintf("Claimant %d", i)
			_, err := e.svc.Create(e.ctx, c)
			return err
		})
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
				continue
			}
			require.ErrorIs(t, err, customer.ErrDuplicate)
		}
		require.Equal(t, 1, won, "exactly one create wins")
	}
	require.Equal(t, rounds, e.count())
	require.Len(t, e.events(), rounds, "one event per stored customer")
}

func testUpdate(t *testing.T, newStore func(*testing.T) customer.Store) {
	e := newEnv(t, newStore)
	c := e.create(zhang())
	e.clock.Advance(time1h)

	got, err := e.svc.Update(e.ctx, c.ID, 1, customer.Patch{
		Phones:     ptr([]string{"+8613987654321", "+8613811112222"}),
		Email:      ptr("san.zhang@Example.CN"),
		Occupation: ptr("教师"),
		Risk:       ptr(customer.RiskMedium),
	})
	require.NoError(t, err)
	require.Equal(t, int64(2), got.Version)
	require.Equal(t, []string{"+86139****4321", "+86138****2222"}, got.Phones)
	require.Equal(t, "教师", got.Occupation)
	require.Equal(t, customer.RiskMedium, got.Risk)

	full, _, err := e.svc.Reveal(e.ctx, "officer-1", c.ID, []customer.Field{customer.FieldEmail, customer.FieldPhones}, "verify contact change")
	require.NoError(t, err)
	require.Equal(t, "san.zhang@example.cn", full.Email, "the domain is stored lower-cased")
	require.Equal(t, []string{"+8613987654321", "+8613811112222"}, full.Phones)
	require.Equal(t, start.Add(time1h), full.UpdatedAt)
	require.Equal(t, start, full.CreatedAt)

	_, err = e.svc.Update(e.ctx, c.ID, 1, customer.Patch{Occupation: ptr("医生")})
	require.ErrorIs(t, err, customer.ErrVersionConflict)
	after, err := e.svc.Get(e.ctx, c.ID)
	require.NoError(t, err)
	require.Equal(t, got, after, "a stale update changes nothing")

	// The old phone no longer finds the customer; the new one does.
	byOld, err := e.svc.FindByPhone(e.ctx, "+8613812345678")
	require.NoError(t, err)
	require.Empty(t, byOld)
	byNew, err := e.svc.FindByPhone(e.ctx, "+8613811112222")
	require.NoError(t, err)
	require.Len(t, byNew, 1)

	// Removing the e-mail and address.
	got, err = e.svc.Update(e.ctx, c.ID, 2, customer.Patch{Email: ptr(""), Address: &customer.Address{}})
	require.NoError(t, err)
	require.Empty(t, got.Email)
	require.True(t, got.Address.IsZero())

	_, err = e.svc.Update(e.ctx, customer.NewID(), 1, customer.Patch{})
	require.ErrorIs(t, err, customer.ErrNotFound)
}

// Rounds of concurrent updates from the same version: in each, exactly one
// wins and the rest get ErrVersionConflict. Several rounds, because the
// first can be serialised by a backend warming up (opening connections).
func testConcurrentUpdates(t *testing.T, newStore func(*testing.T) customer.Store) {
	e := newEnv(t, newStore)
	c := e.create(zhang())
	const n, rounds = 8, 4
	for round := int64(1); round <= rounds; round++ {
		errs := runAtOnce(n, func(i int) error {
			_, err := e.svc.Update(e.ctx, c.ID, round, customer.Patch{Occupation: ptr(fmt.Sprintf("job %d.%d", round, i))})
			return err
		})
		won := -1
		for i, err := range errs {
			if err == nil {
				require.Equal(t, -1, won, "two updates of version %d both won", round)
				won = i
				continue
			}
			require.True(t, errors.Is(err, customer.ErrVersionConflict), "got %v", err)
		}
		require.NotEqual(t, -1, won, "one update wins")
		got, err := e.svc.Get(e.ctx, c.ID)
		require.NoError(t, err)
		require.Equal(t, round+1, got.Version)
		require.Equal(t, fmt.Sprintf("job %d.%d", round, won), got.Occupation, "the winner's change is the one stored")
	}
}

func testDeceased(t *testing.T, newStore func(*testing.T) customer.Store) {
	e := newEnv(t, newStore)
	c := e.create(zhang())
	got, err := e.svc.Update(e.ctx, c.ID, 1, customer.Patch{Status: ptr(customer.StatusDeceased)})
	require.NoError(t, err)
	require.Equal(t, customer.StatusDeceased, got.Status)
	_, err = e.svc.Update(e.ctx, c.ID, 2, customer.Patch{Status: ptr(customer.StatusActive)})
	require.ErrorIs(t, err, customer.ErrInvalidTransition)
	_, err = e.svc.SetKYC(e.ctx, c.ID, customer.KYCDecision{Status: customer.KYCVerified, By: "officer-1", Reason: "documents seen"})
	require.ErrorIs(t, err, customer.ErrInvalidTransition)
}

func testKYC(t *testing.T, newStore func(*testing.T) customer.Store) {
	e := newEnv(t, newStore)
	c := e.create(zhang())
	e.clock.Advance(time1h)

	bad := []struct {
		field string
		d     customer.KYCDecision
	}{
		{"status", customer.KYCDecision{Status: "approved", By: "o", Reason: "r"}},
		{"by", customer.KYCDecision{Status: customer.KYCVerified, Reason: "r"}},
		{"reason", customer.KYCDecision{Status: customer.KYCVerified, By: "o"}},
	}
	for _, b := range bad {
		_, err := e.svc.SetKYC(e.ctx, c.ID, b.d)
		requireField(t, err, b.field)
	}

	got, err := e.svc.SetKYC(e.ctx, c.ID, customer.KYCDecision{Status: customer.KYCVerified, By: "officer-7", Reason: "passport and face match"})
	require.NoError(t, err)
	require.Equal(t, customer.KYC{Status: customer.KYCVerified, By: "officer-7", At: start.Add(time1h), Reason: "passport and face match"}, got.KYC)
	require.Equal(t, int64(2), got.Version)

	_, err = e.svc.SetKYC(e.ctx, c.ID, customer.KYCDecision{Status: customer.KYCRejected, By: "officer-7", Reason: "changed my mind"})
	require.ErrorIs(t, err, customer.ErrInvalidTransition, "verified -> rejected needs a review (pending) first")
	_, err = e.svc.SetKYC(e.ctx, c.ID, customer.KYCDecision{Status: customer.KYCPending, By: "officer-8", Reason: "periodic review"})
	require.NoError(t, err)
	_, err = e.svc.SetKYC(e.ctx, c.ID, customer.KYCDecision{Status: customer.KYCRejected, By: "officer-8", Reason: "address unverifiable"})
	require.NoError(t, err)

	evs := e.events()
	require.Len(t, evs, 4)
	var changes []customer.KYCChanged
	for _, ev := range evs[1:] {
		changes = append(changes, payload[customer.KYCChanged](t, ev, customer.EventKYCChanged, c.ID))
		for _, reason := range []string{"passport", "review", "unverifiable", "reason"} {
			require.NotContains(t, string(ev.Payload), reason, "the free-text reason may hold personal data")
		}
	}
	require.Equal(t, []customer.KYCChanged{
		{CustomerID: c.ID, From: customer.KYCPending, To: customer.KYCVerified, By: "officer-7"},
		{CustomerID: c.ID, From: customer.KYCVerified, To: customer.KYCPending, By: "officer-8"},
		{CustomerID: c.ID, From: customer.KYCPending, To: customer.KYCRejected, By: "officer-8"},
	}, changes)
}
