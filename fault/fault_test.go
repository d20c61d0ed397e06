package fault_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/fault"
)

var (
	errGone    = fault.New(fault.NotFound, "not-found", "shop: not found")
	errInvalid = fault.New(fault.Invalid, "invalid-input", "shop: invalid input")
	errShort   = fault.New(fault.Unprocessable, "out-of-stock", "shop: out of stock")
)

func TestKindAndCodeSurviveWrapping(t *testing.T) {
	err := fmt.Errorf("order %d: %w", 7, errShort)
	require.ErrorIs(t, err, errShort)
	require.Equal(t, fault.Unprocessable, fault.KindOf(err))
	s, ok := fault.As(err)
	require.True(t, ok)
	require.Equal(t, "out-of-stock", s.Code())
	require.Equal(t, "order 7: shop: out of stock", err.Error())
}

func TestErrorsWithoutSentinelAreInternal(t *testing.T) {
	require.Equal(t, fault.Internal, fault.KindOf(errors.New("connection reset")))
	require.Equal(t, fault.Internal, fault.KindOf(nil))
	_, ok := fault.As(errors.New("x"))
	require.False(t, ok)
}

func TestFieldError(t *testing.T) {
	err := fmt.Errorf("create: %w", fault.Within("address", fault.Field(errInvalid, "city", "is required")))
	var fe *fault.FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, "address.city", fe.Field)
	require.Equal(t, "is required", fe.Reason)
	require.ErrorIs(t, err, errInvalid)
	require.Equal(t, fault.Invalid, fault.KindOf(err))
	require.Equal(t, "create: shop: invalid address.city: is required", err.Error())

	indexed := fault.Within("phones", fault.Field(errInvalid, "[1]", "is not a number"))
	require.Equal(t, "shop: invalid phones[1]: is not a number", indexed.Error())

	plain := errors.New("other")
	require.Same(t, plain, fault.Within("x", plain))
}

func TestFieldErrorJoinedWithASpecificSentinel(t *testing.T) {
	err := fault.Field(errors.Join(errInvalid, errShort), "quantity", "exceeds the stock")
	require.ErrorIs(t, err, errInvalid)
	require.ErrorIs(t, err, errShort)
	// The first sentinel decides the kind: bad input.
	require.Equal(t, fault.Invalid, fault.KindOf(err))
	require.Equal(t, "shop: invalid quantity: exceeds the stock", err.Error())
}

func TestRegistered(t *testing.T) {
	all := fault.Registered()
	gone, _ := fault.As(errGone)
	short, _ := fault.As(errShort)
	require.Contains(t, all, gone)
	require.Contains(t, all, short)
	for i := 1; i < len(all); i++ {
		require.LessOrEqual(t, all[i-1].Code(), all[i].Code())
	}
}

func TestNewRefusesMalformedCodes(t *testing.T) {
	for _, code := range []string{"", "Not-Found", "not_found", "-x", "x-", "a b"} {
		require.Panics(t, func() { fault.New(fault.Conflict, code, "x") }, code)
	}
}

func TestKindString(t *testing.T) {
	require.Equal(t, "not_found", fault.NotFound.String())
	require.Equal(t, "precondition_failed", fault.PreconditionFailed.String())
	require.Equal(t, "kind(200)", fault.Kind(200).String())
}
