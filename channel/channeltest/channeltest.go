// Package channeltest is the contract suite every channel.Store must pass.
// A backend's tests call Run with a constructor that returns a fresh, empty
// store; memchannel and pgchannel both do, and so can a backend written
// elsewhere.
//
// The suite drives the stores through a channel.Service (so it checks the
// behaviour users see: lockout, expiry, revocation, the generic login
// error) and, where the Service cannot reach a corner, through the Store
// directly. Time is a calendar.ManualClock, moved instead of slept.
package channeltest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
)

// FastParams are argon2id parameters small enough for tests to hash
// hundreds of passwords quickly. Never use them in production.
var FastParams = channel.Params{Memory: 64, Time: 1, Threads: 1, SaltLength: 16, KeyLength: 32}

// Start is the manual clock's first reading in every test.
var Start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// env is one test's world: a fresh store, a clock and a Service over them.
type env struct {
	t     *testing.T
	ctx   context.Context
	store channel.Store
	clock *calendar.ManualClock
	svc   *channel.Service
}

func newEnv(t *testing.T, newStore func(t *testing.T) channel.Store, opts ...channel.Option) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), store: newStore(t), clock: calendar.NewManualClock(Start)}
	var err error
	e.svc, err = channel.NewService(e.store, append([]channel.Option{channel.WithClock(e.clock), channel.WithParams(FastParams)}, opts...)...)
	require.NoError(t, err)
	return e
}

// Passwords used throughout: valid under the policy and distinct.
const (
	password      = "correct horse battery"
	wrongPassword = "incorrect horse battery"
	newPassword   = "staple horse battery 2"
)

func (e *env) staff(username string, roles ...channel.Role) channel.Identity {
	e.t.Helper()
	i, err := e.svc.CreateStaff(e.ctx, channel.NewStaff{Username: username, Password: password, Roles: roles})
	require.NoError(e.t, err)
	return i
}

func (e *env) customer(customerID, username string) channel.Identity {
	e.t.Helper()
	i, err := e.svc.CreateCustomerLogin(e.ctx, channel.NewCustomerLogin{CustomerID: customerID, Username: username, Password: password})
	require.NoError(e.t, err)
	return i
}

func (e *env) login(username, pw string) channel.Grant {
	e.t.Helper()
	g, err := e.svc.Login(e.ctx, username, pw)
	require.NoError(e.t, err)
	return g
}

func (e *env) identity(id channel.Identity) channel.Identity {
	e.t.Helper()
	got, err := e.svc.Identity(e.ctx, id.ID)
	require.NoError(e.t, err)
	return got
}

// Run runs the contract suite; newStore must return a fresh, empty store
// for each call.
func Run(t *testing.T, newStore func(t *testing.T) channel.Store) {
	t.Helper()
	groups := []struct {
		name  string
		tests []test
	}{
		{"Identities", identityTests},
		{"Login", loginTests},
		{"Lockout", lockoutTests},
		{"Sessions", sessionTests},
		{"Passwords", passwordTests},
		{"Bootstrap", bootstrapTests},
		{"Store", storeTests},
		{"Concurrency", concurrencyTests},
		{"Interleaving", raceTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					tc.run(t, newStore)
				})
			}
		})
	}
}

type test struct {
	name string
	run  func(t *testing.T, newStore func(t *testing.T) channel.Store)
}
