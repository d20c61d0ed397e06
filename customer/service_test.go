package customer_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/customer/memcustomer"
	"github.com/bankkit/bankkit/fault"
)

// The business date is read in the bank's time zone: 20:00 UTC on Sunday
// is already Monday in Shanghai, so a complaint opened then is due counting
// from Monday.
func TestWithLocationSetsTheBusinessDate(t *testing.T) {
	t.Parallel()
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	clock := calendar.NewManualClock(time.Date(2026, 3, 1, 20, 0, 0, 0, time.UTC)) // Sunday in UTC
	ctx := context.Background()
	for _, tt := range []struct {
		loc  *time.Location
		want string
	}{
		{time.UTC, "2026-03-02"}, // Sunday + 1 business day
		{shanghai, "2026-03-03"}, // Monday + 1 business day
	} {
		svc, err := customer.NewService(memcustomer.New(), exampleKeys(), customer.WithClock(clock),
			customer.WithLocation(tt.loc), customer.WithComplaintSLA(1))
		require.NoError(t, err)
		c, err := svc.Create(ctx, zhangSan())
		require.NoError(t, err)
		k, err := svc.OpenComplaint(ctx, c.ID, customer.NewComplaint{Category: customer.CategoryOther, Description: "d", Channel: customer.ChannelWeb})
		require.NoError(t, err)
		require.Equal(t, tt.want, k.DueOn.String(), tt.loc.String())
	}
}

func TestParseID(t *testing.T) {
	t.Parallel()
	id := customer.NewID()
	got, err := customer.ParseID(id.String())
	require.NoError(t, err)
	require.Equal(t, id, got)
	for _, bad := range []string{"", "not-a-uuid", "{" + id.String() + "}", "urn:uuid:" + id.String(), id.String()[:35]} {
		_, err := customer.ParseID(bad)
		require.ErrorIs(t, err, customer.ErrInvalidInput, bad)
	}
}

func TestNewIDIncreases(t *testing.T) {
	t.Parallel()
	prev := customer.NewID()
	require.Equal(t, byte(7), prev[6]>>4, "version 7")
	for range 1000 {
		next := customer.NewID()
		require.True(t, next.String() > prev.String(), "ids must increase: %s then %s", prev, next)
		prev = next
	}
}

func TestKeyringFromEnv(t *testing.T) {
	// Not parallel: it sets an environment variable.
	t.Setenv(customer.KeyringEnv, "k9:"+key('z')+",index:"+key('i'))
	k, err := customer.KeyringFromEnv()
	require.NoError(t, err)
	id, _ := k.Primary()
	require.Equal(t, "k9", id)

	t.Setenv(customer.KeyringEnv, "k9:short")
	_, err = customer.KeyringFromEnv()
	require.ErrorIs(t, err, customer.ErrInvalidInput)
}

// A keyring without the key a row was sealed under cannot read it, and
// says which error: the key is unknown, not the data corrupt.
func TestReadingNeedsTheSealingKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memcustomer.New()
	svc, err := customer.NewService(store, exampleKeys())
	require.NoError(t, err)
	c, err := svc.Create(ctx, zhangSan())
	require.NoError(t, err)
	other, err := customer.ParseKeyring("k7:" + key('7') + ",index:" + key('x'))
	require.NoError(t, err)
	withOther, err := customer.NewService(store, other)
	require.NoError(t, err)
	_, err = withOther.Get(ctx, c.ID)
	require.ErrorIs(t, err, customer.ErrUnknownKey)
}

// A bad option is refused when the Service is made, not found on first
// use or silently replaced by a default.
func TestBadOptionsFailConstruction(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		opt   customer.Option
		field string
	}{
		{customer.WithClock(nil), "clock"},
		{customer.WithLocation(nil), "location"},
		{customer.WithBusinessDays(nil), "business_days"},
		{customer.WithComplaintSLA(0), "complaint_sla"},
	} {
		svc, err := customer.NewService(memcustomer.New(), exampleKeys(), tc.opt)
		var fe *fault.FieldError
		require.ErrorAs(t, err, &fe, tc.field)
		require.Equal(t, tc.field, fe.Field)
		require.ErrorIs(t, err, customer.ErrInvalidInput)
		require.Nil(t, svc)
	}
	_, err := customer.NewService(nil, exampleKeys())
	require.ErrorIs(t, err, customer.ErrInvalidInput)
	_, err = customer.NewService(memcustomer.New(), nil)
	require.ErrorIs(t, err, customer.ErrInvalidInput)
}
