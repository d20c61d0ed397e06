// Package oprisktest is the contract suite every oprisk.Store must pass.
// A backend's tests call Run with a constructor returning a fresh, empty
// store; memoprisk and pgoprisk both do. The suite drives the store through
// an oprisk.Service on a calendar.ManualClock.
package oprisktest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/risk/oprisk"
)

// Start is the suite's clock at the beginning of every test: a Wednesday,
// 10:00 in Beijing, inside DefaultWatch's working hours.
var Start = time.Date(2026, 3, 4, 2, 0, 0, 0, time.UTC)

type env struct {
	ctx   context.Context
	clock *calendar.ManualClock
	store oprisk.Store
	svc   *oprisk.Service
}

func newEnv(t *testing.T, newStore func(*testing.T) oprisk.Store, opts ...oprisk.Option) env {
	t.Helper()
	e := env{ctx: context.Background(), clock: calendar.NewManualClock(Start), store: newStore(t)}
	var err error
	e.svc, err = oprisk.NewService(e.store, append([]oprisk.Option{oprisk.WithClock(e.clock), oprisk.WithCacheTTL(0)}, opts...)...)
	require.NoError(t, err)
	return e
}

type test struct {
	name string
	run  func(t *testing.T, newStore func(*testing.T) oprisk.Store)
}

// Run runs the contract suite against fresh stores from newStore.
func Run(t *testing.T, newStore func(*testing.T) oprisk.Store) {
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, newStore)
		})
	}
}

var (
	alice = oprisk.Actor{ID: "id-alice", Username: "alice", Roles: []string{"teller"}}
	bob   = oprisk.Actor{ID: "id-bob", Username: "bob", Roles: []string{"teller"}}
	carol = oprisk.Actor{ID: "id-carol", Username: "carol", Roles: []string{"admin"}}
)

var defaults = []oprisk.Default{
	{Permission: oprisk.Permission{Name: "accounts.freeze", Summary: "Freeze an account"}, Roles: []string{"admin", "teller"}},
	{Permission: oprisk.Permission{Name: "staff.create", Summary: "Create a staff user"}, Roles: []string{"admin"}},
	{Permission: oprisk.Permission{Name: "roles.set", Summary: "Change a role's permissions"}, Roles: []string{"admin"}},
}

func held(maker oprisk.Actor) oprisk.Request {
	return oprisk.Request{Permission: "accounts.freeze", Method: "POST", Path: "/v1/accounts/a1/freeze",
		PathValues: map[string]string{"id": "a1"}, Header: map[string]string{"Idempotency-Key": "k1"},
		Body: []byte(`{"mode":"all"}`), Maker: maker, RequestID: "req-1"}
}

func record(actor oprisk.Actor, action, object string, status int) oprisk.Record {
	return oprisk.Record{ActorID: actor.ID, Actor: actor.Username, Roles: actor.Roles, Action: action, Method: "POST",
		Path: "/v1/x/" + object, Object: object, Outcome: status, RequestID: "req-" + object, Address: "192.0.2.1"}
}

var tests = []test{
	{"defaults are granted once and an administrator's change stands", func(t *testing.T, ns func(*testing.T) oprisk.Store) {
		e := newEnv(t, ns)
		require.NoError(t, e.svc.EnsurePermissions(e.ctx, defaults))
		c, err := e.svc.Catalogue(e.ctx)
		require.NoError(t, err)
		require.Len(t, c.Permissions, 3)
		require.True(t, c.Holds([]string{"teller"}, "accounts.freeze"))
		require.False(t, c.Holds([]string{"teller"}, "staff.create"))
		require.Equal(t, []string{"admin", "teller"}, c.RolesHolding("accounts.freeze"))

		_, err = e.svc.SetGrants(e.ctx, "teller", nil) // tellers lose the freeze
		require.NoError(t, err)
		// A restart declares the same defaults, with a new summary.
		again := append([]oprisk.Default(nil), defaults...)
		again[0].Summary = "Freeze an account (all or debits)"
		require.NoError(t, e.svc.EnsurePermissions(e.ctx, again))
		ok, err := e.svc.Allowed(e.ctx, []string{"teller"}, "accounts.freeze")
		require.NoError(t, err)
		require.False(t, ok, "the administrator's revocation survives the restart")
		c, err = e.svc.Catalogue(e.ctx)
		require.NoError(t, err)
		require.Equal(t, "Freeze an account (all or debits)", c.Permissions[0].Summary)
	}},
	{"grants are replaced whole; unknown permissions and locking everyone out change nothing", func(t *testing.T, ns func(*testing.T) oprisk.Store) {
		e := newEnv(t, ns, oprisk.WithProtected("roles.set"))
		require.NoError(t, e.svc.EnsurePermissions(e.ctx, defaults))
		c, err := e.svc.SetGrants(e.ctx, "auditor", []string{"staff.create", "accounts.freeze", "staff.create"})
		require.NoError(t, err)
		require.Equal(t, []string{"accounts.freeze", "staff.create"}, c.Grants["auditor"])

		_, err = e.svc.SetGrants(e.ctx, "auditor", []string{"accounts.freeze", "no.such"})
		require.ErrorIs(t, err, oprisk.ErrNotFound)
		_, err = e.svc.SetGrants(e.ctx, "admin", []string{"accounts.freeze"})
		require.ErrorIs(t, err, oprisk.ErrLastHolder)
		_, err = e.svc.SetGrants(e.ctx, "Admin!", nil)
		requireField(t, err, "role")

		c, err = e.svc.Catalogue(e.ctx)
		require.NoError(t, err)
		require.Equal(t, []string{"accounts.freeze", "staff.create"}, c.Grants["auditor"], "the refused changes changed nothing")
		require.True(t, c.Holds([]string{"admin"}, "roles.set"))
	}},
	{"a held request waits for a checker who is not its maker", func(t *testing.T, ns func(*testing.T) oprisk.Store) {
		e := newEnv(t, ns)
		r, err := e.svc.Hold(e.ctx, held(alice))
		require.NoError(t, err)
		require.Equal(t, oprisk.StatusPending, r.Status)
		require.True(t, r.MadeAt.Equal(Start))

		_, _, err = e.svc.Approve(e.ctx, r.ID, alice, "")
		require.ErrorIs(t, err, oprisk.ErrSegregation)
		_, err = e.svc.Reject(e.ctx, r.ID, alice, "")
		require.ErrorIs(t, err, oprisk.ErrSegregation)

		e.clock.Advance(5 * time.Minute)
		a, _, err := e.svc.Approve(e.ctx, r.ID, carol, "checked the court order")
		require.NoError(t, err)
		require.Equal(t, oprisk.StatusApproved, a.Status)
		require.Equal(t, "id-carol", a.Checker.ID)
		require.True(t, a.CheckedAt.Equal(Start.Add(5*time.Minute)))

		_, _, err = e.svc.Approve(e.ctx, r.ID, bob, "")
		require.ErrorIs(t, err, oprisk.ErrNotPending, "a second checker finds it decided")
		_, err = e.svc.Reject(e.ctx, r.ID, bob, "")
		require.ErrorIs(t, err, oprisk.ErrNotPending)
		// The run was cut short: its checker may run it again.
		_, _, err = e.svc.Approve(e.ctx, r.ID, carol, "")
		require.NoError(t, err)

		done, err := e.svc.Complete(e.ctx, r.ID, 200, []byte(`{"status":"frozen"}`))
		require.NoError(t, err)
		require.Equal(t, oprisk.StatusDone, done.Status)
		again, err := e.svc.Complete(e.ctx, r.ID, 500, nil)
		require.NoError(t, err)
		require.Equal(t, 200, again.Outcome.Status, "the first outcome stands")
		_, _, err = e.svc.Approve(e.ctx, r.ID, carol, "")
		require.ErrorIs(t, err, oprisk.ErrNotPending, "a done request is not run again")

		got, err := e.svc.Request(e.ctx, r.ID)
		require.NoError(t, err)
		require.Equal(t, held(alice).Body, got.Body)
		require.Equal(t, "a1", got.PathValues["id"])
		require.Equal(t, "k1", got.Header["Idempotency-Key"])
		require.Equal(t, "alice", got.Maker.Username)
		require.Equal(t, "checked the court order", got.Note)
		require.Equal(t, `{"status":"frozen"}`, string(got.Outcome.Body))
	}},
	{"a rejected request is never run", func(t *testing.T, ns func(*testing.T) oprisk.Store) {
		e := newEnv(t, ns)
		r, err := e.svc.Hold(e.ctx, held(alice))
		require.NoError(t, err)
		rej, err := e.svc.Reject(e.ctx, r.ID, bob, "no court order attached")
		require.NoError(t, err)
		require.Equal(t, oprisk.StatusRejected, rej.Status)
		_, _, err = e.svc.Approve(e.ctx, r.ID, carol, "")
		require.ErrorIs(t, err, oprisk.ErrNotPending)
		_, err = e.svc.Complete(e.ctx, r.ID, 200, nil)
		require.ErrorIs(t, err, oprisk.ErrNotPending)
		_, _, err = e.svc.Approve(e.ctx, uuid.Must(uuid.NewV7()), carol, "")
		require.ErrorIs(t, err, oprisk.ErrNotFound)
	}},
	{"requests list by status, oldest first, in pages", func(t *testing.T, ns func(*testing.T) oprisk.Store) {
		e := newEnv(t, ns)
		var ids []uuid.UUID
		for range 3 {
			r, err := e.svc.Hold(e.ctx, held(alice))
			require.NoError(t, err)
			ids = append(ids, r.ID)
		}
		_, err := e.svc.Reject(e.ctx, ids[1], bob, "")
		require.NoError(t, err)
		pending, err := e.svc.Requests(e.ctx, oprisk.Filter{Status: oprisk.StatusPending, Limit: 10})
		require.NoError(t, err)
		require.Len(t, pending, 2)
		require.Equal(t, ids[0], pending[0].ID)
		require.Equal(t, ids[2], pending[1].ID)
		page, err := e.svc.Requests(e.ctx, oprisk.Filter{After: ids[0], Limit: 1})
		require.NoError(t, err)
		require.Len(t, page, 1)
		require.Equal(t, ids[1], page[0].ID)
		_, err = e.svc.Requests(e.ctx, oprisk.Filter{Status: "lost", Limit: 1})
		requireField(t, err, "status")
	}},
	{"bad held requests are refused naming the field", func(t *testing.T, ns func(*testing.T) oprisk.Store) {
		e := newEnv(t, ns)
		for field, mutate := range map[string]func(*oprisk.Request){
			"permission": func(r *oprisk.Request) { r.Permission = "Accounts Freeze" },
			"method":     func(r *oprisk.Request) { r.Method = "GET" },
			"path":       func(r *oprisk.Request) { r.Path = "relative" },
			"body":       func(r *oprisk.Request) { r.Body = make([]byte, 2<<20) },
			"maker.id":   func(r *oprisk.Request) { r.Maker.ID = "" },
		} {
			r := held(alice)
			mutate(&r)
			_, err := e.svc.Hold(e.ctx, r)
			requireField(t, err, field)
		}
		list, err := e.svc.Requests(e.ctx, oprisk.Filter{Limit: 10})
		require.NoError(t, err)
		require.Empty(t, list)
	}},
	{"concurrent checkers: exactly one approval wins", func(t *testing.T, ns func(*testing.T) oprisk.Store) {
		e := newEnv(t, ns)
		r, err := e.svc.Hold(e.ctx, held(alice))
		require.NoError(t, err)
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				checker := oprisk.Actor{ID: fmt.Sprintf("checker-%d", i), Username: fmt.Sprintf("c%d", i), Roles: []string{"admin"}}
				_, _, errs[i] = e.svc.Approve(e.ctx, r.ID, checker, "")
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
			} else {
				require.ErrorIs(t, err, oprisk.ErrNotPending)
			}
		}
		require.Equal(t, 1, won)
	}},
	{"the audit trail chains and verifies", func(t *testing.T, ns func(*testing.T) oprisk.Store) {
		e := newEnv(t, ns)
		v, err := e.svc.Verify(e.ctx)
		require.NoError(t, err)
		require.True(t, v.OK, "an empty trail verifies")
		var recs []oprisk.Record
		for i, actor := range []oprisk.Actor{alice, bob, alice} {
			e.clock.Advance(time.Second)
			r, _, err := e.svc.Append(e.ctx, record(actor, "accounts.freeze", fmt.Sprintf("a%d", i), 200))
			require.NoError(t, err)
			recs = append(recs, r)
		}
		require.Equal(t, int64(1), recs[0].Seq)
		require.Equal(t, oprisk.GenesisHash, recs[0].PrevHash)
		require.Equal(t, recs[0].Hash, recs[1].PrevHash)
		require.Equal(t, recs[1].Hash, recs[2].PrevHash)

		got, err := e.svc.Records(e.ctx, oprisk.AuditFilter{Limit: 10})
		require.NoError(t, err)
		require.Equal(t, recs, got, "records read back exactly as chained")
		mine, err := e.svc.Records(e.ctx, oprisk.AuditFilter{Limit: 10, ActorID: "id-alice"})
		require.NoError(t, err)
		require.Len(t, mine, 2)
		byReq, err := e.svc.Records(e.ctx, oprisk.AuditFilter{Limit: 10, RequestID: "req-a1"})
		require.NoError(t, err)
		require.Len(t, byReq, 1)
		require.Equal(t, "bob", byReq[0].Actor)
		after, err := e.svc.Records(e.ctx, oprisk.AuditFilter{After: 1, Limit: 1})
		require.NoError(t, err)
		require.Equal(t, int64(2), after[0].Seq)

		v, err = e.svc.Verify(e.ctx)
		require.NoError(t, err)
		require.Equal(t, oprisk.Verification{Checked: 3, Head: 3, HeadHash: recs[2].Hash, OK: true}, v)

		// Several roles, and none, come back as they were chained.
		multi := record(alice, "accounts.freeze", "a3", 200)
		multi.Roles = []string{"teller", "auditor", "admin"}
		none := record(alice, "accounts.freeze", "a4", 200)
		none.Roles = nil
		none.PII, none.Detail = true, "reveal national_id"
		r3, _, err := e.svc.Append(e.ctx, multi)
		require.NoError(t, err)
		r4, _, err := e.svc.Append(e.ctx, none)
		require.NoError(t, err)
		back, err := e.svc.Records(e.ctx, oprisk.AuditFilter{After: 3, Limit: 10})
		require.NoError(t, err)
		require.Equal(t, []oprisk.Record{r3, r4}, back)
		require.Len(t, back[0].Roles, 3)
		v, err = e.svc.Verify(e.ctx)
		require.NoError(t, err)
		require.True(t, v.OK)
		require.Equal(t, int64(5), v.Checked)

		_, _, err = e.svc.Append(e.ctx, oprisk.Record{ActorID: "x", Outcome: 42})
		requireField(t, err, "outcome")
		_, _, err = e.svc.Append(e.ctx, oprisk.Record{ActorID: "x\x00", Outcome: 200})
		requireField(t, err, "actor_id")
	}},
	{"concurrent appends make one chain without gaps", func(t *testing.T, ns func(*testing.T) oprisk.Store) {
		e := newEnv(t, ns)
		const n = 40
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, err := e.svc.Append(e.ctx, record(alice, "accounts.read", fmt.Sprint(i), 200))
				require.NoError(t, err)
			}()
		}
		wg.Wait()
		v, err := e.svc.Verify(e.ctx)
		require.NoError(t, err)
		require.True(t, v.OK)
		require.Equal(t, int64(n), v.Checked)
		require.Equal(t, int64(n), v.Head)
	}},
	{"segregation of duties: who did the first may not do the second on the same object", func(t *testing.T, ns func(*testing.T) oprisk.Store) {
		e := newEnv(t, ns, oprisk.WithDuties(oprisk.Duty{Name: "create a staff user and give it a role", First: "staff.create", Second: "staff.roles.set"}),
			oprisk.WithSelfDuties(oprisk.SelfDuty{Name: "no one sets their own roles", Permission: "staff.roles.set"}))
		_, _, err := e.svc.Append(e.ctx, record(carol, "staff.create", "new-1", 201))
		require.NoError(t, err)
		_, _, err = e.svc.Append(e.ctx, record(carol, "staff.create", "new-2", 409)) // failed: did nothing
		require.NoError(t, err)

		require.ErrorIs(t, e.svc.CheckDuties(e.ctx, "id-carol", "staff.roles.set", "new-1"), oprisk.ErrSegregation)
		require.NoError(t, e.svc.CheckDuties(e.ctx, "id-carol", "staff.roles.set", "new-2"), "a failed create created nothing")
		require.NoError(t, e.svc.CheckDuties(e.ctx, "id-dave", "staff.roles.set", "new-1"), "another admin may")
		require.NoError(t, e.svc.CheckDuties(e.ctx, "id-carol", "staff.read", "new-1"), "no rule on reading")
		require.ErrorIs(t, e.svc.CheckDuties(e.ctx, "id-dave", "staff.roles.set", "id-dave"), oprisk.ErrSegregation)
		require.Equal(t, fault.Forbidden, fault.KindOf(e.svc.CheckDuties(e.ctx, "id-dave", "staff.roles.set", "id-dave")))
	}},
	{"many PII reveals in an hour raise one alert", func(t *testing.T, ns func(*testing.T) oprisk.Store) {
		e := newEnv(t, ns, oprisk.WithWatch(oprisk.Watch{PIIReveals: 3}))
		var raised []oprisk.Alert
		// Four reveals a minute apart: the fourth is more than three in the
		// hour; the fifth is in the same hour and raises nothing new.
		for i := range 5 {
			e.clock.Advance(time.Minute)
			r := record(alice, "customers.read", fmt.Sprint(i), 200)
			r.PII = true
			_, alerts, err := e.svc.Append(e.ctx, r)
			require.NoError(t, err)
			require.Equal(t, i == 3, len(alerts) == 1, "reveal %d", i+1)
			raised = append(raised, alerts...)
		}
		// Bob's reveals are his own count.
		r := record(bob, "customers.read", "b", 200)
		r.PII = true
		_, alerts, err := e.svc.Append(e.ctx, r)
		require.NoError(t, err)
		require.Empty(t, alerts)
		require.Equal(t, oprisk.AlertPIIReveals, raised[0].Kind)
		require.Equal(t, 4, raised[0].Count)
		list, err := e.svc.Alerts(e.ctx, uuid.Nil, 10)
		require.NoError(t, err)
		require.Len(t, list, 1)
		require.Equal(t, "id-alice", list[0].ActorID)
	}},
	{"activity outside working hours raises one alert a day", func(t *testing.T, ns func(*testing.T) oprisk.Store) {
		e := newEnv(t, ns) // DefaultWatch: 08:00-20:00 Beijing, weekdays
		_, alerts, err := e.svc.Append(e.ctx, record(alice, "accounts.read", "1", 200))
		require.NoError(t, err)
		require.Empty(t, alerts, "10:00 Beijing on a Wednesday")
		e.clock.Set(time.Date(2026, 3, 4, 13, 30, 0, 0, time.UTC)) // 21:30 Beijing
		_, alerts, err = e.svc.Append(e.ctx, record(alice, "accounts.read", "2", 200))
		require.NoError(t, err)
		require.Len(t, alerts, 1)
		require.Equal(t, oprisk.AlertOutsideHours, alerts[0].Kind)
		e.clock.Advance(time.Hour)
		_, alerts, err = e.svc.Append(e.ctx, record(alice, "accounts.read", "3", 200))
		require.NoError(t, err)
		require.Empty(t, alerts, "the same evening raises no second alert")
		e.clock.Set(time.Date(2026, 3, 7, 3, 0, 0, 0, time.UTC)) // Saturday 11:00 Beijing
		_, alerts, err = e.svc.Append(e.ctx, record(alice, "accounts.read", "4", 200))
		require.NoError(t, err)
		require.Len(t, alerts, 1, "a weekend is outside working hours")
	}},
	{"bulk approvals of one's own team raise an alert", func(t *testing.T, ns func(*testing.T) oprisk.Store) {
		e := newEnv(t, ns, oprisk.WithWatch(oprisk.Watch{TeamApprovals: 2}))
		approve := func(maker oprisk.Actor) *oprisk.Alert {
			r, err := e.svc.Hold(e.ctx, held(maker))
			require.NoError(t, err)
			_, a, err := e.svc.Approve(e.ctx, r.ID, bob, "")
			require.NoError(t, err)
			return a
		}
		require.Nil(t, approve(carol), "an admin's request is not bob's team")
		require.Nil(t, approve(carol))
		require.Nil(t, approve(carol))
		require.Nil(t, approve(alice), "1 of bob's team")
		require.Nil(t, approve(alice), "2")
		a := approve(alice)
		require.NotNil(t, a, "3 is more than 2")
		require.Equal(t, oprisk.AlertTeamApprovals, a.Kind)
		require.Equal(t, "id-bob", a.ActorID)
		require.Equal(t, 3, a.Count)
		require.Nil(t, approve(alice), "raised once in the hour")
	}},
}

func requireField(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, oprisk.ErrInvalidInput)
	var fe *fault.FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, field, fe.Field)
}
