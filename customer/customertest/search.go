package customertest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/customer"
)

func testSearch(t *testing.T, newStore func(*testing.T) customer.Store) {
	e := newEnv(t, newStore)
	zs := e.create(zhang())

	li := zhang()
	li.FullName, li.Gender = "李四", customer.GenderFemale
	li.NationalID.Number, li.DateOfBirth = prcID2, calendar.MustParseDate("1985-05-20")
	li.Phones = []string{"+8613912345678", "+8613812345678"} // shares Zhang's phone
	li.Email = ""
	lisi := e.create(li)

	zl := zhang()
	zl.FullName = "张丽"
	zl.NationalID.Number, zl.DateOfBirth = prcID3, calendar.MustParseDate("2000-02-29")
	zl.Phones = []string{"+8615000000000"}
	zhangli := e.create(zl)
	ann := e.create(traveller(7))

	// Exact national id.
	got, err := e.svc.FindByNationalID(e.ctx, customer.NationalID{Type: customer.PRCResidentID, Number: prcID2})
	require.NoError(t, err)
	require.Equal(t, lisi.ID, got.ID)
	got, err = e.svc.FindByNationalID(e.ctx, customer.NationalID{Type: customer.Passport, Number: "p00000007", Country: "GBR"})
	require.NoError(t, err)
	require.Equal(t, ann.ID, got.ID)
	_, err = e.svc.FindByNationalID(e.ctx, customer.NationalID{Type: customer.Passport, Number: "P00000007", Country: "US"})
	require.ErrorIs(t, err, customer.ErrNotFound)
	_, err = e.svc.FindByNationalID(e.ctx, customer.NationalID{Type: customer.PRCResidentID, Number: "123"})
	requireField(t, err, "national_id.number")

	// Exact phone: both holders, in id order.
	byPhone, err := e.svc.FindByPhone(e.ctx, "+8613812345678")
	require.NoError(t, err)
	require.Equal(t, []customer.ID{zs.ID, lisi.ID}, ids(byPhone))
	byPhone, err = e.svc.FindByPhone(e.ctx, "+8613800000000")
	require.NoError(t, err)
	require.Empty(t, byPhone)
	_, err = e.svc.FindByPhone(e.ctx, "138 1234 5678")
	requireField(t, err, "phone")

	// Name prefix, in any script, case-insensitive.
	tests := []struct {
		prefix string
		want   []customer.ID
	}{
		{"张", []customer.ID{zs.ID, zhangli.ID}},
		{"张三", []customer.ID{zs.ID}},
		{"李", []customer.ID{lisi.ID}},
		{"traveller", []customer.ID{ann.ID}},
		{"TRAVELLER  007", []customer.ID{ann.ID}},
		{"王", nil},
		{"%", nil}, // not a wildcard
		{"_", nil},
	}
	for _, tt := range tests {
		page, err := e.svc.List(e.ctx, customer.Filter{NamePrefix: tt.prefix}, customer.Page{})
		require.NoError(t, err)
		require.Equal(t, tt.want, ids(page), "prefix %q", tt.prefix)
	}
}

func ids(ms []customer.Masked) []customer.ID {
	var out []customer.ID
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func testList(t *testing.T, newStore func(*testing.T) customer.Store) {
	e := newEnv(t, newStore)
	const n = 23
	var all []customer.ID
	for i := range n {
		c := e.create(traveller(i))
		all = append(all, c.ID)
		switch i % 3 {
		case 1:
			_, err := e.svc.SetKYC(e.ctx, c.ID, customer.KYCDecision{Status: customer.KYCVerified, By: "o", Reason: "ok"})
			require.NoError(t, err)
		case 2:
			_, err := e.svc.Update(e.ctx, c.ID, 1, customer.Patch{Risk: ptr(customer.RiskHigh), Status: ptr(customer.StatusBlocked)})
			require.NoError(t, err)
		}
	}

	// Pages of 5 walk every customer once, in creation order.
	var walked []customer.ID
	after := customer.NilID
	for {
		page, err := e.svc.List(e.ctx, customer.Filter{}, customer.Page{After: after, Limit: 5})
		require.NoError(t, err)
		require.LessOrEqual(t, len(page), 5)
		walked = append(walked, ids(page)...)
		if len(page) < 5 {
			break
		}
		after = page[len(page)-1].ID
	}
	require.Equal(t, all, walked)

	filtered := func(f customer.Filter) []customer.ID {
		page, err := e.svc.List(e.ctx, f, customer.Page{Limit: customer.MaxPageLimit})
		require.NoError(t, err)
		return ids(page)
	}
	pick := func(rem int) []customer.ID {
		var out []customer.ID
		for i, id := range all {
			if i%3 == rem {
				out = append(out, id)
			}
		}
		return out
	}
	require.Equal(t, pick(1), filtered(customer.Filter{KYC: customer.KYCVerified}))
	require.Equal(t, pick(2), filtered(customer.Filter{Status: customer.StatusBlocked}))
	require.Equal(t, pick(2), filtered(customer.Filter{Risk: customer.RiskHigh, KYC: customer.KYCPending}))
	require.Empty(t, filtered(customer.Filter{Risk: customer.RiskHigh, KYC: customer.KYCVerified}))
	require.Len(t, filtered(customer.Filter{Status: customer.StatusActive}), len(pick(0))+len(pick(1)))

	// A filter page continues after the cursor.
	verified := pick(1)
	page, err := e.svc.List(e.ctx, customer.Filter{KYC: customer.KYCVerified}, customer.Page{After: verified[2], Limit: 2})
	require.NoError(t, err)
	require.Equal(t, verified[3:5], ids(page))

	_, err = e.svc.List(e.ctx, customer.Filter{}, customer.Page{Limit: customer.MaxPageLimit + 1})
	requireField(t, err, "limit")
	_, err = e.svc.List(e.ctx, customer.Filter{Status: "dormant"}, customer.Page{})
	requireField(t, err, "status")
	_, err = e.svc.List(e.ctx, customer.Filter{KYC: "done"}, customer.Page{})
	requireField(t, err, "kyc_status")
	_, err = e.svc.List(e.ctx, customer.Filter{Risk: "none"}, customer.Page{})
	requireField(t, err, "risk_rating")
}
