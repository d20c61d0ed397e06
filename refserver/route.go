package refserver

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/bankkit/bankkit/channel"
)

// route is one endpoint. The route table is the single source of truth for
// what the server serves, who may call it (access), whether it takes an
// Idempotency-Key, and, through its handler's types, what the OpenAPI
// document says about it.
type route struct {
	method, pattern string
	summary         string
	access          access
	idempotency     idemMode
	status          int // on success; 0 means 200
	handler         endpoint
	tag             string // the subsystem file it is listed in (see tagged)
	// permission is what staff need to call it, in the catalogue the
	// server enforces (see oprisk.go); empty: derived from the path.
	permission string
	// claimWhilePosting: the Idempotency-Key is claimed while the handler
	// runs, the ledger waiting for it before it posts (see claim.go).
	claimWhilePosting bool
	// enrolment: an enrolment-only session (channel.Principal.EnrolmentOnly)
	// may call it; every other route refuses one.
	enrolment bool
}

// tagged files the routes of one subsystem's list under its tag.
func tagged(tag string, rs []route) []route {
	for i := range rs {
		rs[i].tag = tag
	}
	return rs
}

// access says who may call a route. Staff need one of roles; customers
// may call it only if customer is set, and then reach only their own
// objects (the bank answers "not found" for anyone else's).
type access struct {
	public   bool
	roles    []channel.Role
	customer bool
}

// staff is access for staff with one of roles.
func staff(roles ...channel.Role) access { return access{roles: roles} }

// andCustomers opens a route to customers too, on their own objects.
func (a access) andCustomers() access {
	a.customer = true
	return a
}

// allows reports whether p's kind and roles admit it to the route (before
// any ownership check).
func (a access) allows(p channel.Principal) bool {
	if a.public {
		return true
	}
	switch p.Kind {
	case channel.KindCustomer:
		return a.customer
	case channel.KindStaff:
		for _, r := range a.roles {
			if p.HasRole(r) {
				return true
			}
		}
	}
	return false
}

type idemMode int

const (
	idemNone     idemMode = iota
	idemOptional          // honoured when sent
	idemRequired          // money-moving: refused without one
)

func (rt route) successStatus() int {
	if rt.status == 0 {
		return http.StatusOK
	}
	return rt.status
}

func (rt route) muxPattern() string { return rt.method + " " + rt.pattern }

func (rt route) operationID() string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.method))
	for _, part := range strings.Split(strings.Trim(rt.pattern, "/"), "/") {
		part = strings.Trim(part, "{}")
		for _, w := range strings.FieldsFunc(part, func(r rune) bool { return r == '-' || r == '_' }) {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// check panics when the handler's request type does not read exactly the
// pattern's path values: the table is built at start, so a mismatch stops
// the server there rather than failing requests.
func (rt route) check() {
	var inPattern, inType []string
	for _, m := range pathParam.FindAllStringSubmatch(rt.pattern, -1) {
		inPattern = append(inPattern, m[1])
	}
	for _, p := range rt.handler.in.params {
		if p.in == "path" {
			inType = append(inType, p.name)
		}
	}
	slices.Sort(inPattern)
	slices.Sort(inType)
	if !slices.Equal(inPattern, inType) {
		panic(fmt.Sprintf("refserver: %s has path values %v but its handler reads %v", rt.muxPattern(), inPattern, inType))
	}
}
